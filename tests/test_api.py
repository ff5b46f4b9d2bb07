import re

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import MembershipFactory, TeamFactory


def test_anonymous_api_requests_are_refused(api, db):
    response = api.get("/api/teams/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_token_authentication(api, staff):
    token = Token.objects.create(user=staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/teams/").status_code == 200


def test_bad_token_is_refused(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/teams/").status_code == 401


def test_team_list_is_paginated_filterable_and_searchable(api, staff):
    lead = MembershipFactory(team=TeamFactory(name="Site Reliability", slug="sre"), is_lead=True).user
    MembershipFactory(team=TeamFactory(name="Payments", slug="payments", description="cards and payouts"))
    api.force_authenticate(staff)

    data = api.get("/api/teams/").json()
    assert data["count"] == 2
    assert [t["slug"] for t in data["results"]] == ["payments", "sre"]
    sre = data["results"][1]
    assert sre["member_count"] == 1
    assert sre["members"] == [{"id": lead.id, "username": lead.username, "name": lead.get_full_name(), "is_lead": True}]

    assert [t["slug"] for t in api.get("/api/teams/?slug=sre").json()["results"]] == ["sre"]
    assert [t["slug"] for t in api.get("/api/teams/?search=payouts").json()["results"]] == ["payments"]
    assert api.get("/api/teams/sre/").json()["name"] == "Site Reliability"
    assert api.get("/api/teams/missing/").status_code == 404


def test_teams_are_read_only(api, staff):
    api.force_authenticate(staff)
    assert api.post("/api/teams/", {"name": "X", "slug": "x"}).status_code == 405


def test_schema_and_docs(api, client, staff):
    api.force_authenticate(staff)
    schema = api.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/teams/" in schema["paths"]
    client.force_login(staff)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)  # served locally, no CDN


def test_docs_send_signed_out_visitors_to_sign_in(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/reviews/?team=nobody&state=nonsense&escalated_after=x",
        "/api/action-items/?owner=abc&overdue=maybe",
        "/api/role-assignments/?incident=abc",
        "/api/insights/?from=2026-13-01&exercises=nope",
        "/api/playbook/tasks/?cycle=abc",
        "/api/recognitions/?quarter=junk",
        "/api/reviews/abc/",
        "/api/playbook/sections/?search=%00",
    ],
)
def test_bad_api_parameters_are_400_or_404_never_500(api, staff, path):
    api.force_authenticate(staff)
    assert api.get(path).status_code in (200, 400, 404)
