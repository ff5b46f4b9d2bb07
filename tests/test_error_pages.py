"""Error pages and error answers: a page of the site for people, JSON under /api/, in both DEBUG modes."""

import pytest
from django.test import Client, RequestFactory

from config import views as site_views
from core import error_views as views
from tests.factories import make_review
from tests.test_browser import sign_in

NESTED = ["[" * 100_000, '{"a":' * 100_000, "[" * 1_000 + "]" * 999]
MALFORMED = [*NESTED, "not json", '{"title": "Acme', "NaN", "1" * 5_000]


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def fail(*args, **kwargs):
    raise RuntimeError("a bug")


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/no-such-page/", "/reviews/999999/"], ids=["no-url", "no-object"])
def test_a_missing_page_is_a_page_of_the_site_with_navigation(client, staff, debug, path):
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Page not found" in html and 'aria-label="Main"' in html
    assert "URLconf" not in html  # not Django's technical page with the URL list


def test_a_visitor_gets_the_missing_page_with_a_way_to_sign_in(client, db, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="/sign-in/"' in html and "Sign out" not in html


def test_a_refused_page_says_why_on_a_page_of_the_site(client, staff, debug):
    client.force_login(staff)
    response = client.get("/reviews/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only facilitators create reviews." in html and 'aria-label="Main"' in html


def test_a_form_sent_without_its_token_gets_a_page_of_the_site(staff, debug):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/recognition/give/", {"message": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert "reload the page" in html and 'aria-label="Main"' in html


def test_an_unexpected_error_on_a_page_shows_the_sites_error_page(staff, settings, monkeypatch):
    monkeypatch.setattr(site_views, "panels_for", fail)
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_server_error_page_needs_no_database_and_no_request_context():
    # No db fixture: any query here fails the test.
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "css/baton.css" in html


def test_a_withdrawn_share_link_says_so_without_naming_anything_internal(settings):
    settings.DEBUG = True
    response = views.share_link_gone(RequestFactory().get("/s/abc/"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link has expired or was withdrawn. Ask the person who shared it with you for a new one." in html
    for internal in ("Sign in", "Reviews", "snapshot", "token", "Baton"):
        assert internal not in html
    assert response["X-Robots-Tag"] == "noindex"


# The API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", MALFORMED, ids=lambda body: f"{body[:12]}…{len(body)}")
def test_malformed_json_of_any_shape_is_a_400_in_json(client, facilitator, body):
    client.force_login(facilitator)
    response = client.post("/api/reviews/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "JSON" in response.json()["detail"]


def test_an_unexpected_error_under_the_api_is_a_json_500(staff, debug, monkeypatch):
    monkeypatch.setattr("recognition.selectors.board", fail)
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    response = client.get("/api/recognitions/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "went wrong" in response.json()["detail"]


def test_an_unknown_api_address_is_a_json_404(client, staff, debug):
    client.force_login(staff)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_bad_request_under_the_api_is_json(client, staff):
    client.force_login(staff)
    response = client.get("/api/reviews/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_hidden_review_under_the_api_is_still_the_apis_own_404(client, staff, facilitator, debug):
    review = make_review(facilitator)
    client.force_login(staff)
    response = client.get(f"/api/reviews/{review.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# In the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_missing_page_in_the_browser_keeps_the_navigation(page, staff, password, settings, screenshot):
    settings.DEBUG = True
    sign_in(page, "staff", password)
    page.goto("/reviews/999999/")
    page.get_by_role("heading", name="Page not found").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews", exact=True).click()
    assert page.url.endswith("/reviews/")
    page.goto("/reviews/999999/")
    screenshot(page, "error-404")
