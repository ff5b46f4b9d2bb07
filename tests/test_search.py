"""The review search and the capped counts of long lists.

On PostgreSQL every review has a search document kept current by triggers
(migration 0016); elsewhere every word is a substring. Both ways, each word typed must
be found somewhere in the review, in any order, and a word's beginning is enough."""

import re

import pytest
from django.db import connection

from reviews import services
from reviews.models import Finding, Incident, Review
from tests.factories import make_review


def found(fclient, query):
    html = fclient.get("/reviews/", {"q": query}).content.decode()
    return sorted(title for title in TITLES if title in html)


TITLES = ("Certificates expired at Globex", "Checkout failing for Acme", "Exports slow for Initech")


@pytest.fixture
def reviews(facilitator):
    globex = make_review(facilitator, title=TITLES[0], customer="Globex Corporation", summary="TLS renewal missed")
    acme = make_review(facilitator, title=TITLES[1], customer="Acme Corp", narrative="The payment gateway timed out")
    initech = make_review(facilitator, title=TITLES[2], customer="Initech")
    return globex, acme, initech


def test_every_word_is_found_in_any_order_and_its_beginning_is_enough(fclient, reviews):
    assert found(fclient, "certificate") == [TITLES[0]]
    assert found(fclient, "cert") == [TITLES[0]]
    assert found(fclient, "globex expired") == [TITLES[0]]  # words in another order than written
    assert found(fclient, "renewal") == [TITLES[0]]  # the summary
    assert found(fclient, "gateway payment") == [TITLES[1]]  # the narrative
    assert found(fclient, "globex gateway") == []  # every word, not any
    assert found(fclient, "Corp") == [TITLES[0], TITLES[1]]  # part of a customer's name


def test_a_prefix_is_never_stemmed_nor_dropped_as_a_common_word(fclient, facilitator):
    make_review(facilitator, title="Connection pool outage at Canary Wharf", customer="Heroku Partners")
    for prefix in ("connectio", "out", "can", "her", "at", "outage"):
        assert "Connection pool outage" in fclient.get("/reviews/", {"q": prefix}).content.decode(), prefix


def test_a_number_finds_the_review_it_numbers(fclient, reviews):
    acme = reviews[1]
    assert TITLES[1] in fclient.get("/reviews/", {"q": str(acme.pk)}).content.decode()
    for odd in ("²", "9" * 40, "&|!:*()'\"", "<->", "a" * 5000, "the"):  # never a database error
        assert fclient.get("/reviews/", {"q": odd}).status_code == 200


def test_the_search_follows_every_edit(fclient, facilitator, reviews):
    globex, acme, initech = reviews
    assert found(fclient, "rollback") == []
    finding = services.finding_add(facilitator, initech, text="The rollback was not rehearsed")
    assert found(fclient, "rollback") == [TITLES[2]]
    services.finding_edit(facilitator, finding, text="The restore was not rehearsed", version=finding.version)
    assert found(fclient, "rollback") == [] and found(fclient, "restore") == [TITLES[2]]
    services.finding_delete(facilitator, Finding.objects.get(pk=finding.pk))
    assert found(fclient, "restore") == []

    incident = acme.incident
    services.incident_update(facilitator, incident, version=incident.version, customer="Umbrella Health")
    assert found(fclient, "umbrella") == [TITLES[1]] and found(fclient, "Acme Corp") == []
    review = Review.objects.get(pk=acme.pk)
    services.review_update(facilitator, review, version=review.version, narrative="DNS cache poisoning")
    assert found(fclient, "gateway") == [] and found(fclient, "dns poisoning") == [TITLES[1]]

    # A write that goes round the services (a bulk update) is followed as well.
    Incident.objects.filter(pk=globex.incident_id).update(summary="Intermediate chain missing")
    assert found(fclient, "intermediate") == [TITLES[0]]


def test_the_api_searches_the_same_way(api, facilitator, reviews):
    api.force_authenticate(facilitator)
    body = api.get("/api/reviews/", {"q": "cert globex"}).json()
    assert [r["incident"]["title"] for r in body["results"]] == [TITLES[0]]
    assert body["count"] == 1 and body["count_is_estimate"] is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="The search document exists on PostgreSQL only.")
def test_the_search_document_is_indexed_and_weighs_the_title_first(facilitator, reviews):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document::text FROM reviews_review WHERE id = %s",
            [reviews[0].pk],
        )
        document = cursor.fetchone()[0]
        assert "'certificates':1A" in document and "'renewal':" in document  # words as written
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM reviews_review WHERE search_document @@ to_tsquery('english', 'cert:*')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "reviews_review_search_gin" in plan


@pytest.mark.parametrize("cap", [4])
def test_long_lists_count_exactly_up_to_the_cap_then_estimate(fclient, api, facilitator, settings, cap):
    settings.LIST_COUNT_CAP = cap
    for i in range(cap + 2):
        make_review(facilitator, title=f"Escalation {i}", hours_ago=10 + i)
    api.force_authenticate(facilitator)
    body = api.get("/api/reviews/").json()
    html = fclient.get("/reviews/").content.decode()
    if connection.vendor == "postgresql":
        # Beyond the cap the planner's estimate stands in for the count, and says so.
        assert body["count_is_estimate"] is True and body["count"] > cap
        assert re.search(r"About [\d,]+ reviews", html)
    else:
        assert body["count_is_estimate"] is False and body["count"] == cap + 2
        assert f"{cap + 2} reviews" in html
    settings.LIST_COUNT_CAP = 1000
    body = api.get("/api/reviews/").json()
    assert body == body | {"count": cap + 2, "count_is_estimate": False}


def test_the_cached_list_changes_with_every_saved_change_and_with_whose_view_it_is(
    client, fclient, facilitator, staff, settings
):
    from django.core.cache import cache
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()

    first = make_review(facilitator, title="First escalation")
    assert "First escalation" in fclient.get("/reviews/").content.decode()
    with CaptureQueriesContext(db) as fresh:
        fclient.get("/reviews/?page=1")
    with CaptureQueriesContext(db) as kept:
        html = fclient.get("/reviews/?page=1").content.decode()
    assert "First escalation" in html and len(kept) < len(fresh)  # the rows came from the cache

    make_review(facilitator, title="Second escalation")  # a saved change: new keys
    assert "Second escalation" in fclient.get("/reviews/?page=1").content.decode()
    incident = first.incident
    services.incident_update(facilitator, incident, version=incident.version, title="First, renamed")
    html = fclient.get("/reviews/?page=1").content.decode()
    assert "First, renamed" in html and "First escalation" not in html

    # A person who may not see the drafts never gets the facilitator's cached rows.
    client.force_login(staff)
    html = client.get("/reviews/?page=1").content.decode()
    assert "First, renamed" not in html and "Second escalation" not in html


def test_a_deep_page_holds_the_same_rows_read_in_two_steps(fclient, facilitator, monkeypatch):
    from core import paging

    for i in range(7):
        make_review(facilitator, title=f"Escalation number {i}", hours_ago=10 + i)
    three = paging.CappedPaginator.__init__

    def three_per_page(self, object_list, per_page, *args, **kwargs):
        three(self, object_list, 3, *args, **kwargs)

    monkeypatch.setattr(paging.CappedPaginator, "__init__", three_per_page)

    def pages():
        return [
            re.findall(r"Escalation number \d", fclient.get("/reviews/", {"page": n}).content.decode())
            for n in (1, 2, 3)
        ]

    expected = [[f"Escalation number {i}" for i in range(n, min(n + 3, 7))] for n in (0, 3, 6)]
    assert pages() == expected  # one query per page
    monkeypatch.setattr(paging, "DEEP_OFFSET", 0)
    assert pages() == expected  # the ids first, then their rows: the same rows, in the same order


def test_past_the_cap_every_row_is_reached_page_by_page_whatever_the_estimate(fclient, api, facilitator, settings):
    """An estimate may fall short of the true count or exceed it: following "Older" from the first
    page reaches every row once, and no further."""
    settings.LIST_COUNT_CAP = 2
    for i in range(27):
        make_review(facilitator, title=f"Escalation number {i:02d}", hours_ago=10 + i)
    seen, url, pages = [], "/reviews/", 0
    while url:
        html = fclient.get(url).content.decode()
        seen += re.findall(r"Escalation number \d\d", html)
        older = re.search(r'href="\?(page=\d+)">Older', html)
        url = f"/reviews/?{older.group(1)}" if older else None
        pages += 1
        assert pages < 5, (url, seen)
    assert seen == [f"Escalation number {i:02d}" for i in range(27)]
    api.force_authenticate(facilitator)
    body = api.get("/api/reviews/").json()
    assert body["count_is_estimate"] is (connection.vendor == "postgresql")
    assert len(body["results"]) == 27


def test_odd_page_numbers_are_answered_and_last_is_the_last(fclient, api, facilitator, settings):
    settings.LIST_COUNT_CAP = 2  # past it, PostgreSQL's estimate stands in for the count
    for i in range(5):
        make_review(facilitator, title=f"Escalation number {i}", hours_ago=10 + i)
    api.force_authenticate(facilitator)
    for page in ("0", "-1", "abc", "1" * 19, "9" * 30, "1000000000", "2"):
        assert fclient.get("/reviews/", {"page": page}).status_code == 200, page
        assert api.get("/api/reviews/", {"page": page}).status_code in (200, 404), page
    last = api.get("/api/reviews/", {"page": "last"})
    assert last.status_code == 200 and "Escalation number 4" in str(last.json()["results"])
    html = fclient.get("/reviews/", {"page": "999"}).content.decode()  # past the end: the last page
    assert "Escalation number 4" in html
