"""A timeline entry, typed or sent by a tool, can be corrected or removed while the review is open:
audited, told when someone else saved first, and never on a published review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from reviews import services
from reviews.models import EntryKind, TimelineEntry
from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def entry(facilitator):
    review = make_review(facilitator)
    at = review.incident.escalated_at + timedelta(minutes=7, seconds=31)
    return services.timeline_entry_add(facilitator, review.incident, at=at, what="Paged the wrong team", kind="note")


def url(entry, name="reviews:entry-correct"):
    return reverse(name, args=[entry.incident.review.pk, entry.pk])


def form(entry, **changes):
    return {
        "at": local(entry.at),
        "kind": entry.kind,
        "who": entry.who,
        "what": entry.what,
        "version": entry.version,
    } | changes


def test_a_facilitator_corrects_an_entry_and_the_trail_keeps_what_it_was(client, facilitator, entry):
    client.force_login(facilitator)
    page = client.get(entry.incident.review.get_absolute_url()).content.decode()
    assert url(entry) in page  # each typed entry has its Correct… link while the review is open
    response = client.post(url(entry), form(entry, what="Paged the payments team", kind=EntryKind.ESCALATION))
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    saved = TimelineEntry.objects.get(pk=entry.pk)
    assert (saved.what, saved.kind, saved.version) == ("Paged the payments team", EntryKind.ESCALATION, 2)
    assert saved.at == entry.at  # submitted unchanged to the minute: the stored seconds stay
    event = AuditEvent.objects.get(action="timeline.edited")
    assert event.changes["what"] == ["Paged the wrong team", "Paged the payments team"]


def test_the_second_of_two_people_editing_an_entry_is_told_not_overwritten(client, facilitator, entry):
    client.force_login(facilitator)
    first = form(entry, what="First correction")
    second = form(entry, what="Second correction")
    assert client.post(url(entry), first).status_code == 302
    told = client.post(url(entry), second)
    assert told.status_code == 409
    assert "Someone else saved first" in told.content.decode() and "First correction" in told.content.decode()
    assert TimelineEntry.objects.get(pk=entry.pk).what == "First correction"
    again = client.post(url(entry), second | {"version": 2})  # saving again, knowingly
    assert again.status_code == 302 and TimelineEntry.objects.get(pk=entry.pk).what == "Second correction"


def test_an_entry_recorded_twice_is_removed(client, facilitator, entry):
    client.force_login(facilitator)
    assert client.post(url(entry, "reviews:entry-remove")).status_code == 302
    assert not TimelineEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.get(action="timeline.deleted").changes["what"] == ["Paged the wrong team", None]


def test_bad_input_and_a_published_review_get_a_clear_answer(client, facilitator, entry):
    client.force_login(facilitator)
    empty = client.post(url(entry), form(entry, what="  "))
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    future = client.post(url(entry), form(entry, at=local(timezone.now() + timedelta(days=1))))
    assert future.status_code == 400 and "This is in the future." in future.content.decode()
    review = entry.incident.review
    participant = UserFactory()
    services.participant_invite(facilitator, review, invitee=participant)
    services.review_start(facilitator, review)
    client.force_login(participant)
    assert client.post(url(entry), form(entry)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url(entry)).status_code == 404  # a draft they may not see
    review.state = "published"
    review.save()
    client.force_login(facilitator)
    refused = client.post(url(entry), form(entry, what="Changed after publication"))
    assert refused.status_code == 400 and "published and read-only" in refused.content.decode()
    assert url(entry) not in client.get(review.get_absolute_url()).content.decode()
    assert TimelineEntry.objects.get(pk=entry.pk).what == "Paged the wrong team"


def test_the_api_corrects_an_entry_with_the_version_it_read(api, facilitator, entry):
    api.force_authenticate(facilitator)
    path = f"/api/timeline-entries/{entry.pk}/"
    assert api.get(path)["ETag"] == '"1"'
    missing = api.patch(path, {"what": "No version"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    fixed = api.patch(path, {"what": "Paged the payments team", "version": 1}, format="json")
    assert fixed.status_code == 200 and fixed.json()["version"] == 2 and fixed["ETag"] == '"2"'
    stale = api.patch(path, {"what": "Stale", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["what"] == "Paged the payments team"
    conditional = api.patch(path, {"who": "Pager"}, format="json", HTTP_IF_MATCH='"2"')
    assert conditional.status_code == 200 and conditional.json()["who"] == "Pager"
    far = api.patch(path, {"at": "0001-01-01T00:00:00Z", "version": 3}, format="json")
    assert far.status_code == 400


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_facilitator_corrects_an_entry_from_the_review_page(page, facilitator, password, screenshot):
    from tests.test_browser import sign_in

    review = make_review(facilitator)
    services.timeline_entry_add(
        facilitator, review.incident, at=review.incident.escalated_at + timedelta(minutes=5), what="Pagd on-call twice"
    )
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())
    page.locator("#timeline").scroll_into_view_if_needed()
    screenshot(page, "timeline-with-correct-links-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "timeline-with-correct-links-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("#timeline a", has_text="Correct…").click()
    page.get_by_label("What happened").fill("Paged on-call")
    screenshot(page, "timeline-entry-correct-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "timeline-entry-correct-phone")
    page.get_by_role("button", name="Save the correction").click()
    page.get_by_text("Timeline entry corrected.").wait_for()
    assert page.locator("#timeline").get_by_text("Paged on-call").count() == 1

    # Recorded twice: removed from its page, and gone from the timeline.
    page.locator("#timeline a", has_text="Correct…").click()
    page.get_by_role("button", name="Remove this entry").click()
    page.get_by_text("Timeline entry removed").wait_for()
    assert page.locator("#timeline").get_by_text("Paged on-call").count() == 0
    assert not TimelineEntry.objects.filter(incident=review.incident).exists()
