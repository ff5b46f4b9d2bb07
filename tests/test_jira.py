"""Action items in Jira: sent once even when the task runs twice or its answer is lost, its key on
the action item, and done in either place is done in both (Jira's webhook or the sync)."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from integrations import services
from integrations.models import TrackerLink
from reviews import services as reviews
from reviews.models import ActionState
from tests.factories import UserFactory, make_review
from tests.jira_api import EMAIL, TOKEN, JiraAPI

SECRET = "jira-webhook-secret"


@pytest.fixture
def jira(settings):
    with JiraAPI(project="OPS") as api:
        settings.JIRA_URL = api.url
        settings.JIRA_EMAIL = EMAIL
        settings.JIRA_API_TOKEN = TOKEN
        settings.JIRA_PROJECT = "OPS"
        settings.JIRA_WEBHOOK_SECRET = SECRET
        yield api


@pytest.fixture
def item(facilitator):
    review = make_review(facilitator)
    finding = reviews.finding_add(facilitator, review, text="The page went to a queue nobody watched.")
    return reviews.action_item_add(
        facilitator,
        review,
        title="Route sev1 pages to the on-call lead",
        owner=facilitator,
        due_on=timezone.localdate() + timedelta(days=14),
        finding=finding,
    )


def sent(facilitator, item):
    link = services.action_item_send_to_tracker(facilitator, item)
    services.tracker_issue_create(link.pk)
    link.refresh_from_db()
    return link


def test_an_action_item_becomes_one_jira_issue_with_its_key_on_the_item(jira, facilitator, item):
    link = sent(facilitator, item)
    assert link.key == "OPS-1" and link.url == f"{jira.url}/browse/OPS-1"
    issue = jira.issues["OPS-1"]
    assert issue["summary"] == "Route sev1 pages to the on-call lead"
    assert issue["labels"] == ["baton", f"baton-action-{item.pk}"]
    assert issue["duedate"] == item.due_on.isoformat() and issue["issuetype"] == {"name": "Task"}
    assert issue["description"]["type"] == "doc" and "queue nobody watched" in json.dumps(issue["description"])
    assert services.tracker_issue_create(link.pk) is False  # a duplicate task makes nothing
    assert len(jira.issues) == 1


def test_a_lost_answer_after_jira_made_the_issue_is_found_not_made_again(jira, facilitator, item):
    jira.drop_after_create = True
    link = services.action_item_send_to_tracker(facilitator, item)
    assert services.tracker_issue_create(link.pk) is False
    link.refresh_from_db()
    assert link.key == "" and "answer was lost" in link.last_error and link.unsure_since is not None
    assert services.tracker_issue_create(link.pk) is True  # the retry finds it by its label
    link.refresh_from_db()
    assert link.key == "OPS-1" and len(jira.issues) == 1


def test_jira_down_then_back_the_sync_makes_the_issue_once(jira, facilitator, item):
    """Jira drops the connection without an answer: it may have made the issue, so the sync looks
    for it, and makes it only once Jira's search has had time to show it (10 minutes)."""
    jira.down = True
    link = services.action_item_send_to_tracker(facilitator, item)
    services.tracker_issue_create(link.pk)
    jira.down = False
    assert services.trackers_sync(timezone.now() + timedelta(minutes=1))["created"] == 0
    later = timezone.now() + timedelta(minutes=11)
    assert services.trackers_sync(later)["created"] == 1
    assert services.trackers_sync(later)["created"] == 0
    assert len(jira.issues) == 1


def test_jiras_refusal_is_shown_on_the_review_page(jira, client, facilitator, item):
    jira.refuse_create = {"duedate": "Due date is not allowed on this issue type."}
    services.tracker_issue_create(services.action_item_send_to_tracker(facilitator, item).pk)
    client.force_login(facilitator)
    page = client.get(item.review.get_absolute_url()).text
    assert "Not in Jira yet" in page and "Due date is not allowed" in page


def test_the_review_page_offers_jira_to_facilitators_and_shows_the_key(jira, client, facilitator, item):
    owner = UserFactory(username="owner")
    other = reviews.action_item_add(
        facilitator, item.review, title="Other", owner=owner, due_on=timezone.localdate() + timedelta(days=3)
    )
    client.force_login(facilitator)
    page = client.get(item.review.get_absolute_url()).text
    assert page.count(">Send to Jira</button>") == 2
    response = client.post(reverse("integrations:send-to-tracker", args=[item.pk]), follow=True)
    assert "Sending “Route sev1 pages to the on-call lead” to Jira" in response.text
    services.tracker_issue_create(TrackerLink.objects.get().pk)
    page = client.get(item.review.get_absolute_url()).text
    assert "Jira OPS-1 ↗" in page and page.count(">Send to Jira</button>") == 1
    client.force_login(owner)  # the owner sees the key, and may not send
    page = client.get(item.review.get_absolute_url()).text
    assert "Jira OPS-1" in page and ">Send to Jira</button>" not in page
    assert other.pk


def test_only_facilitators_send_and_only_open_items_once(jira, facilitator, staff, item):
    with pytest.raises(PermissionDenied):
        services.action_item_send_to_tracker(staff, item)
    services.action_item_send_to_tracker(facilitator, item)
    with pytest.raises(ValidationError, match="already in Jira"):
        services.action_item_send_to_tracker(facilitator, item)
    done = reviews.action_item_add(
        facilitator, item.review, title="Done", owner=facilitator, due_on=timezone.localdate() + timedelta(days=3)
    )
    reviews.action_item_set_state(facilitator, done, state=ActionState.DONE)
    with pytest.raises(ValidationError, match="Only an open action item"):
        services.action_item_send_to_tracker(facilitator, done)


def test_without_jira_configured_nothing_is_offered(facilitator, item, client):
    with pytest.raises(ValidationError, match="No engineering tracker"):
        services.action_item_send_to_tracker(facilitator, item)
    client.force_login(facilitator)
    assert "Send to Jira" not in client.get(item.review.get_absolute_url()).text


def webhook(client, body, secret=SECRET):
    """jira:issue_updated, as https://developer.atlassian.com/cloud/jira/platform/webhooks/ shows it,
    signed X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>."""
    data = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
    return client.post(
        reverse("integrations:tracker-webhook", args=["jira"]),
        data,
        content_type="application/json",
        headers={"X-Hub-Signature": signature},
    )


def issue_updated(key, status):
    return {
        "timestamp": 1764600000000,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Mia Krystof"},
        "issue": {
            "id": "10001",
            "self": "https://acme.atlassian.net/rest/api/3/issue/10001",
            "key": key,
            "fields": {
                "summary": "Route sev1 pages to the on-call lead",
                "status": {"name": status.title(), "statusCategory": {"key": status, "name": status.title()}},
            },
        },
        "changelog": {"id": "10100", "items": [{"field": "status", "fromString": "To Do", "toString": "Done"}]},
    }


def test_done_in_jira_by_webhook_makes_the_item_done(jira, client, facilitator, item):
    sent(facilitator, item)
    assert webhook(client, issue_updated("OPS-1", "new")).json() == {"status": "ignored"}
    assert webhook(client, issue_updated("OPS-1", "done")).json() == {"status": "applied"}
    assert webhook(client, issue_updated("OPS-1", "done")).json() == {"status": "unchanged"}
    item.refresh_from_db()
    assert item.state == ActionState.DONE
    assert services.trackers_sync()["closed_in_tracker"] == 0  # Jira said so: nothing to push back


def test_an_unsigned_or_missigned_webhook_changes_nothing(jira, client, facilitator, item):
    sent(facilitator, item)
    assert webhook(client, issue_updated("OPS-1", "done"), secret="wrong").status_code == 401
    response = client.post(
        reverse("integrations:tracker-webhook", args=["jira"]), b"{}", content_type="application/json"
    )
    assert response.status_code == 401
    item.refresh_from_db()
    assert item.state == ActionState.OPEN


def test_done_in_jira_is_seen_by_the_sync(jira, facilitator, item):
    sent(facilitator, item)
    jira.set_status("OPS-1", "done")
    assert services.trackers_sync()["done_in_baton"] == 1
    item.refresh_from_db()
    assert item.state == ActionState.DONE


def test_done_in_baton_moves_the_issue_to_done_once(jira, facilitator, item):
    sent(facilitator, item)
    reviews.action_item_set_state(facilitator, item, state=ActionState.DONE)
    assert services.trackers_sync()["closed_in_tracker"] == 1
    assert services.trackers_sync()["closed_in_tracker"] == 0
    assert jira.transitions_done == [("OPS-1", "31")]
    assert jira.issues["OPS-1"]["status"]["statusCategory"]["key"] == "done"


def test_a_lost_answer_while_jiras_search_lags_waits_instead_of_making_a_second_issue(jira, facilitator, item):
    jira.drop_after_create = True
    link = services.action_item_send_to_tracker(facilitator, item)
    services.tracker_issue_create(link.pk)
    jira.search_lag = True
    now = timezone.now()
    assert services.tracker_issue_create(link.pk, now + timedelta(minutes=2)) is False
    link.refresh_from_db()
    assert "Waiting for Jira" in link.last_error and len(jira.issues) == 1
    jira.search_lag = False
    assert services.tracker_issue_create(link.pk, now + timedelta(minutes=3)) is True
    assert len(jira.issues) == 1


def test_an_item_closed_before_its_issue_was_made_gets_none(jira, facilitator, item):
    jira.down = True
    link = services.action_item_send_to_tracker(facilitator, item)
    services.tracker_issue_create(link.pk)
    reviews.action_item_set_state(facilitator, item, state=ActionState.DROPPED, reason="Not needed")
    jira.down = False
    services.trackers_sync(timezone.now() + timedelta(minutes=1))
    link.refresh_from_db()
    assert jira.issues == {} and "closed before its issue was made" in link.last_error


def test_an_item_reopened_in_baton_after_jira_closed_it_stays_open(jira, client, facilitator, item):
    sent(facilitator, item)
    jira.set_status("OPS-1", "done")
    services.trackers_sync()
    item.refresh_from_db()
    reviews.action_item_set_state(facilitator, item, state=ActionState.OPEN)
    assert services.trackers_sync()["done_in_baton"] == 0
    assert webhook(client, issue_updated("OPS-1", "done")).json() == {"status": "unchanged"}
    item.refresh_from_db()
    assert item.state == ActionState.OPEN


def test_a_malformed_signed_webhook_is_refused_or_ignored_never_a_500(jira, client, facilitator, item):
    sent(facilitator, item)
    for body in ([1, 2], {"issue": "OPS-1"}, {"issue": {"key": "OPS-1", "fields": {"status": "Done"}}}):
        assert webhook(client, body).status_code == 200
    item.refresh_from_db()
    assert item.state == ActionState.OPEN


def test_jira_refusing_connections_is_a_plain_failure_retried_at_once(settings, facilitator, item):
    with JiraAPI(project="OPS") as jira:
        address = jira.url
    settings.JIRA_URL, settings.JIRA_EMAIL, settings.JIRA_API_TOKEN = address, EMAIL, TOKEN  # nothing listens
    settings.JIRA_PROJECT = "OPS"
    link = services.action_item_send_to_tracker(facilitator, item)
    assert services.tracker_issue_create(link.pk) is False
    link.refresh_from_db()
    assert link.unsure_since is None and "no connection" in link.last_error
