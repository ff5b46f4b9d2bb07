"""Recognitions show only what their reader may see, team pages render them like the board,
and mail links point at the address `make run` serves."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.management.commands import rundev
from recognition import services
from reviews import services as review_services
from tests.factories import MembershipFactory, TeamFactory, UserFactory, make_review

SECRET = "Secret merger outage"


@pytest.fixture
def team(db):
    team = TeamFactory(name="Site Reliability", slug="sre")
    MembershipFactory(team=team, user=UserFactory(username="ann"))
    return team


@pytest.fixture
def author(db):
    return UserFactory(username="author", first_name="Ari", last_name="Author")


@pytest.fixture
def draft(facilitator, author):
    """A draft review its participant ``author`` may see, and plain staff may not."""
    review = make_review(facilitator, title=SECRET)
    review_services.participant_invite(facilitator, review, invitee=author)
    return review


@pytest.fixture
def recognition(author, team, draft):
    return services.recognition_give(author, category="clear_ownership", message="Owned it.", team=team, review=draft)


def reader(request, name):
    return request.getfixturevalue(name)


# The board ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), [("staff", False), ("author", True), ("facilitator", True)])
def test_the_board_shows_a_referenced_review_only_to_those_who_may_see_it(request, client, recognition, who, sees):
    client.force_login(reader(request, who))
    html = client.get("/recognition/").content.decode()
    assert "Owned it." in html
    assert (SECRET in html) is sees
    assert (f"/reviews/{recognition.review_id}/" in html) is sees


def test_a_refused_review_reference_is_not_echoed_back_on_the_board(client, staff, team, draft):
    client.force_login(staff)
    response = client.post(
        "/recognition/give/",
        {"team": team.pk, "category": "clear_ownership", "message": "Owned it.", "review": draft.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "You cannot refer to that review." in html
    assert SECRET not in html


def test_the_board_checks_review_visibility_in_a_constant_number_of_queries(
    client, staff, facilitator, django_assert_max_num_queries
):
    client.force_login(staff)
    authors = [UserFactory() for _ in range(4)]
    teams = [TeamFactory() for _ in range(4)]

    def give_about_a_draft(i):
        review = make_review(facilitator, title=f"Draft {i}")
        review_services.participant_invite(facilitator, review, invitee=authors[i % 4])
        services.recognition_give(
            authors[i % 4], category="clean_handover", message=f"m{i}", team=teams[i % 4], review=review
        )

    give_about_a_draft(0)
    with django_assert_max_num_queries(40) as few:
        client.get("/recognition/")
    for i in range(1, 8):
        give_about_a_draft(i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/recognition/")
    assert response.content.decode().count('class="card recognition"') == 8


# The API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), [("staff", False), ("author", True), ("facilitator", True)])
def test_the_api_gives_a_referenced_review_only_to_those_who_may_see_it(request, recognition, who, sees):
    api = APIClient()
    api.force_authenticate(reader(request, who))
    expected = recognition.review_id if sees else None
    assert api.get("/api/recognitions/").json()["results"][0]["review"] == expected
    assert api.get(f"/api/recognitions/{recognition.pk}/").json()["review"] == expected


def test_the_api_answers_a_second_with_the_review_hidden_from_a_reader_who_may_not_see_it(recognition, staff):
    api = APIClient()
    api.force_authenticate(staff)
    response = api.post(f"/api/recognitions/{recognition.pk}/second/")
    assert response.status_code == 201
    assert response.json()["review"] is None


def test_the_api_gives_the_author_back_the_review_they_referred_to(author, team, draft):
    api = APIClient()
    api.force_authenticate(author)
    response = api.post(
        "/api/recognitions/", {"team": "sre", "category": "clean_handover", "message": "Good", "review": draft.pk}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["review"] == draft.pk


# Team pages -----------------------------------------------------------------------------------


def test_a_team_page_renders_recognition_markdown_like_the_board(client, staff, team):
    services.recognition_give(
        staff, category="clear_ownership", message="Updates **even when there was no news**.", team=team
    )
    client.force_login(staff)
    html = client.get("/teams/sre/").content.decode()
    assert "<strong>even when there was no news</strong>" in html
    assert "**" not in html


def test_a_team_page_keeps_script_out_of_recognition_markdown(client, staff, team):
    services.recognition_give(staff, category="clear_ownership", message="<script>alert(1)</script> Great.", team=team)
    client.force_login(staff)
    assert "<script>alert(1)" not in client.get("/teams/sre/").content.decode()


# Mail links -----------------------------------------------------------------------------------


class Exited:
    """A child process that has already stopped."""

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def children(monkeypatch):
    """Runs `rundev` without starting anything; returns each child's environment by name."""
    started = {}

    def popen(command, **kwargs):
        started[command[-1] if "runserver" in command else command[5]] = kwargs.get("env")
        return Exited()

    monkeypatch.setattr(rundev.subprocess, "Popen", popen)
    monkeypatch.setattr(rundev.signal, "signal", lambda *args: None)
    monkeypatch.delenv("SITE_URL", raising=False)
    return started


@pytest.mark.parametrize(
    ("addrport", "site_url"),
    [
        ("127.0.0.1:9001", "http://127.0.0.1:9001"),
        ("9002", "http://127.0.0.1:9002"),
        ("0.0.0.0:9003", "http://127.0.0.1:9003"),
        ("localhost:9004", "http://localhost:9004"),
        ("[::1]:9005", "http://[::1]:9005"),
    ],
)
def test_make_run_on_another_port_puts_that_port_in_mail_links(children, addrport, site_url):
    call_command("rundev", addrport)
    assert {name: env["SITE_URL"] for name, env in children.items()} == {
        addrport: site_url,
        "worker": site_url,
        "beat": site_url,
    }


def test_a_site_url_that_is_set_wins_over_the_port(children, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://baton.example.com")
    call_command("rundev", "127.0.0.1:9001")
    assert {env["SITE_URL"] for env in children.values()} == {"https://baton.example.com"}


def test_an_unknown_review_and_a_hidden_one_get_the_same_answer(staff, team, draft):
    api = APIClient()
    api.force_authenticate(staff)
    answers = [
        api.post("/api/recognitions/", {"team": "sre", "category": "clean_handover", "message": "Good", "review": pk})
        for pk in (draft.pk, draft.pk + 1000)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json()["review"] == answers[1].json()["review"]
