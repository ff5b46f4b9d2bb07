"""Parts of pages kept in the cache (core/fragments.py): never older than the last saved change,
never another reader's, and their forms carry the reader's own CSRF token."""

import re
from datetime import UTC

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recognition import services
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def cached(settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def board(client):
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/recognition/").content.decode()
    return html, len(queries)


def test_the_board_is_kept_until_a_change_and_each_reader_gets_their_own(cached, staff, governance):
    author, team = UserFactory(), TeamFactory(name="Payments")
    given = services.recognition_give(author, category="clean_handover", message="Calm handover", team=team)
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(staff)
    html, fresh = board(reader)
    again, kept = board(reader)
    assert "Calm handover" in again and kept < fresh  # served from the cache

    # The reader's own token is in the cached form, and it works.
    token = re.search(
        rf'action="/recognition/{given.pk}/second/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([^"]+)"',
        again,
    ).group(1)
    assert "placeholder" not in again
    response = reader.post(f"/recognition/{given.pk}/second/", {"csrfmiddlewaretoken": token, "next": "/recognition/"})
    assert response.status_code == 302
    html, _ = board(reader)
    assert "You seconded this" in html  # the change is seen at once

    # Another reader never gets this one's rows (their "You seconded this", their token).
    other = Client()
    other.force_login(governance)
    theirs, _ = board(other)
    assert "You seconded this" not in theirs and "Hide…" in theirs and "Hide…" not in html

    services.recognition_hide(governance, given, reason="Names a customer")
    assert "Calm handover" not in board(reader)[0]


def test_only_the_form_token_is_the_readers_and_dates_follow_the_readers_time_zone(cached, staff, client):
    from datetime import datetime

    from tests.factories import make_review

    author = UserFactory()
    # Text that spells the placeholder is the author's text, not a token.
    services.recognition_give(
        author, category="clean_handover", message="see baton-csrf-token-placeholder", team=TeamFactory()
    )
    client.force_login(staff)
    html = client.get("/recognition/").content.decode()
    assert "see baton-csrf-token-placeholder" in html

    # Escalated at 23:30 UTC: the 1st in London, the 2nd in Tokyo; each reader sees their own day.
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name="facilitators"))
    at = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    make_review(staff, title="Late escalation", escalated_at=at, hours_ago=0)
    london, tokyo = Client(), Client()
    for reader, zone in ((london, "Europe/London"), (tokyo, "Asia/Tokyo")):
        reader.force_login(staff)
        reader.cookies["baton_tz"] = zone
    assert "1 Nov 2026" in london.get("/reviews/").content.decode()
    assert "2 Nov 2026" in tokyo.get("/reviews/").content.decode()
