"""Insights figures are cached per process; any change saved through a service starts a new key."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reviews import services
from tests.factories import make_review


@pytest.fixture
def cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _get(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return response.json(), len(queries)


def test_a_repeat_is_served_from_the_cache_and_a_saved_change_is_seen_at_once(cached, facilitator, governance):
    review = make_review(facilitator, hours_ago=30, customer="Acme Corp")
    api = APIClient()
    api.force_authenticate(facilitator)
    url = "/api/insights/"

    first, cold = _get(api, url)
    again, warm = _get(api, url)
    assert again == first
    assert warm < cold  # the figures' queries are skipped
    assert warm <= 4  # session-free auth, the user's groups, the audit stamp

    services.incident_update(facilitator, review.incident, version=review.incident.version, satisfaction=5)
    after, _ = _get(api, url)
    assert after != first  # the change was audited, so the key changed
    assert after["overall"]["satisfaction_count"] == first["overall"]["satisfaction_count"] + 1


def test_without_the_setting_nothing_is_cached(settings, facilitator, governance):
    settings.INSIGHTS_CACHE_SECONDS = 0
    cache.clear()
    make_review(facilitator)
    api = APIClient()
    api.force_authenticate(facilitator)
    _, first = _get(api, "/api/insights/")
    _, second = _get(api, "/api/insights/")
    assert second == first


def test_the_dashboard_body_is_kept_with_its_figures_and_never_outlives_a_change(cached, client, facilitator):
    review = make_review(facilitator, hours_ago=30, customer="Acme Corp")
    client.force_login(facilitator)
    first = client.get("/insights/").content.decode()
    bodies = [key for key in cache._cache if key.endswith(":body")]  # the process's local cache
    assert len(bodies) == 1
    cache.set(bodies[0][len(":1:") :], "<p>kept body</p>", 300)  # what a repeat must read, not render
    assert "<p>kept body</p>" in client.get("/insights/").content.decode()

    services.incident_update(facilitator, review.incident, version=review.incident.version, satisfaction=5)
    after = client.get("/insights/").content.decode()
    assert "0 rated" in first and "1 rated" in after  # the new rating shows at once
    assert len([key for key in cache._cache if key.endswith(":body")]) == 2


def test_people_who_see_different_reviews_never_share_a_body(cached, client, facilitator, staff):
    make_review(facilitator, hours_ago=30, customer="Hidden Draft Customer")
    client.force_login(facilitator)
    facilitator_page = client.get("/insights/").content.decode()
    client.force_login(staff)
    staff_page = client.get("/insights/").content.decode()
    assert "No escalations in" not in facilitator_page
    assert "No escalations in" in staff_page  # a draft is not theirs to count
