"""Every page but sign-in needs a signed-in user; roles show in the layout."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import MembershipFactory, TeamFactory

# Public on purpose: sign-in, and the health probe for load balancers.
PUBLIC = {"/sign-in/", "/health/", "/admin/login/"}
SAMPLE = {"slug": "sample-team", "app_label": "teams", "object_id": "1", "url": "x"}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.regex.groupindex)


def site_paths():
    """Every named URL of the site, with sample values for its parameters
    (format-suffix variants of API routes are the same views)."""
    paths = set()
    for name, params in _walk(get_resolver().url_patterns):
        if "format" in params:
            continue
        paths.add(reverse(name, kwargs={param: SAMPLE.get(param, "1") for param in params}))
    return sorted(paths)


@pytest.mark.parametrize("path", site_paths())
def test_signed_out_visitor_is_sent_to_sign_in(client, db, path):
    TeamFactory(slug="sample-team")
    response = client.get(path)
    if path.startswith("/s/"):  # a customer share link: public, and unknown tokens are not found
        assert response.status_code == 404
    elif path.startswith("/integrations/in/") or path.endswith("/webhook/"):  # tools send here, signed
        assert response.status_code == 405 and response.json() == {"detail": "Send events with POST."}
    elif path in PUBLIC:
        assert response.status_code in (200, 503), path
    elif path.startswith("/api/") and not path.startswith("/api/docs/"):
        assert response.status_code in (401, 403), (path, response.status_code)
    elif path.startswith("/admin/"):
        assert response.status_code in (302, 404), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(("/admin/login/", "/sign-in/")), response["Location"]
    else:
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith("/sign-in/?next="), (path, response["Location"])


def test_the_walk_covers_the_site():
    paths = site_paths()
    for expected in (
        "/",
        "/reviews/",
        "/playbook/",
        "/recognition/",
        "/insights/",
        "/teams/sample-team/",
        "/api/teams/",
    ):
        assert expected in paths


def test_sign_in_with_a_wrong_password_shows_an_error(client, staff):
    response = client.post("/sign-in/", {"username": "staff", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_in_and_out(client, staff, password):
    response = client.post("/sign-in/", {"username": "staff", "password": password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("who", "roles", "panel"),
    [
        ("staff", ["Staff"], "Reviews waiting for your scores"),
        ("facilitator", ["Staff", "Facilitator"], "Reviews you facilitate"),
        ("governance", ["Staff", "Governance owner"], "Revisions awaiting your approval"),
        ("admin", ["Staff", "Admin"], "Reviews you facilitate"),
    ],
)
def test_home_tells_each_role_what_is_waiting(client, request, who, roles, panel):
    user = request.getfixturevalue(who)
    client.force_login(user)
    html = client.get("/").content.decode()
    for role in roles:
        assert f'<span class="badge">{role}</span>' in html
    assert panel in html
    for nav in ("Reviews", "Playbook", "Recognition", "Insights", "API"):
        assert f">{nav}</a>" in html


def test_staff_do_not_see_facilitator_or_governance_panels(client, staff):
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert "Reviews you facilitate" not in html
    assert "Revisions awaiting your approval" not in html


def test_home_lists_the_users_teams(client, staff):
    MembershipFactory(user=staff, team=TeamFactory(name="Payments Platform", slug="payments"))
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert 'href="/teams/payments/">Payments Platform</a>' in html


@pytest.mark.parametrize("path", ["/", "/reviews/", "/playbook/", "/recognition/", "/insights/", "/teams/"])
def test_pages_render_for_a_signed_in_user(client, staff, path):
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<main id="main"' in html and "<footer" in html
    # Nothing is loaded from elsewhere: every script, stylesheet and image is local.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)


def test_team_list_query_count_is_constant(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    for i in range(3):
        MembershipFactory(team=TeamFactory(slug=f"t{i}"))
    with django_assert_max_num_queries(8) as few:
        client.get("/teams/")
    for i in range(3, 30):
        MembershipFactory(team=TeamFactory(slug=f"t{i}"))
        MembershipFactory(team=TeamFactory(slug=f"t{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/teams/")
    assert response.content.decode().count("<tr>") == 31  # header + 30 teams


@pytest.mark.parametrize(
    "path",
    [
        "/recognition/?review=abc",
        "/recognition/?quarter=junk&team=nobody&category=x",
        "/playbook/sample-team/propose/?action=abc&task=xyz",
        "/playbook/?q=%00",
        "/reviews/?page=abc&escalated_after=not-a-date&team=nobody",
        "/insights/?from=2026-13-01&to=x&exercises=nonsense",
        "/insights/?quarter=2026-Q9",
        "/insights/customer/?customer=&quarter=junk",
        "/teams/nope/",
    ],
)
def test_bad_query_parameters_never_cause_a_500(client, staff, governance, path):
    from tests.test_playbook_services import new_section

    new_section(staff, governance, slug="sample-team")
    client.force_login(staff)
    assert client.get(path).status_code in (200, 400, 404)


def test_a_bad_share_link_duration_is_a_message_not_a_500(client, facilitator):
    from tests.test_review_pages import published

    published(facilitator, customer="Acme")
    client.force_login(facilitator)
    response = client.post("/insights/customer/?customer=Acme", {"days": "abc"}, follow=True)
    assert response.status_code == 200
    assert "Between 1 and 365 days." in response.content.decode()
