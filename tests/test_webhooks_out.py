"""Outgoing webhooks: a subscriber gets the events it chose, signed per Standard Webhooks (checked
here by the ``standardwebhooks`` package, independently of Baton's code), once each, retried
with growing waits for a day, and a subscription failing for a day is switched off."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Notification
from integrations import outbound, services
from integrations.models import OutgoingMessage, Subscription
from reviews import services as reviews
from tests.factories import make_review


class Receiver:
    """A subscriber's endpoint: verifies every request with the standardwebhooks library."""

    def __init__(self):
        self.secret = None
        self.received = []  # (webhook-id, verified, payload)
        self.answer = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    standardwebhooks.Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except standardwebhooks.webhooks.WebhookVerificationError:
                    verified = False
                receiver.received.append((headers.get("webhook-id"), verified, json.loads(body)))
                self.send_response(receiver.answer if verified else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/baton"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    found = Receiver()
    yield found
    found.close()


def subscribe(admin, receiver, events):
    subscription, secret = services.subscription_create(admin, name="BI", url=receiver.url, events=events)
    receiver.secret = secret
    return subscription


def publish(facilitator):
    review = make_review(facilitator)
    reviews.review_update(facilitator, review, version=review.version, narrative="What happened.")
    reviews.participant_invite(facilitator, review, invitee=facilitator.__class__.objects.create(username="p"))
    reviews.review_start(facilitator, review)
    participant = review.participants.get().user
    reviews.scores_save(participant, review, scores=dict.fromkeys(range(1, 7), (4, "seen")), submit=True)
    return reviews.review_publish(facilitator, review)


def test_a_publication_reaches_the_subscriber_signed_once(admin, facilitator, receiver):
    subscribe(admin, receiver, ["review.*"])
    review = publish(facilitator)
    assert outbound.fan_out() == 1
    assert outbound.send_due() == {"delivered": 1, "failed": 0}
    [(msg_id, verified, body)] = receiver.received
    assert verified and msg_id.startswith("msg_")
    assert body["type"] == "review.published"
    assert body["data"]["id"] == review.pk and body["data"]["title"] == "Checkout failing for Acme"
    assert body["data"]["url"] == "http://127.0.0.1:8000" + review.get_absolute_url()
    # A duplicate or late run adds and sends nothing.
    assert outbound.fan_out() == 0
    assert outbound.send_due() == {"delivered": 0, "failed": 0}
    assert len(receiver.received) == 1


def test_a_subscriber_gets_only_the_events_it_chose(admin, facilitator, receiver):
    subscribe(admin, receiver, ["action_item.done"])
    publish(facilitator)
    outbound.fan_out()
    assert not OutgoingMessage.objects.exists()


def test_action_item_events_follow_the_item(admin, facilitator, receiver):
    subscribe(admin, receiver, ["action_item.*"])
    review = make_review(facilitator)
    item = reviews.action_item_add(
        facilitator, review, title="Route pages", owner=facilitator, due_on=timezone.localdate() + timedelta(days=5)
    )
    reviews.action_item_set_state(facilitator, item, state="done")
    outbound.fan_out()
    outbound.send_due()
    assert [body["type"] for _, _, body in receiver.received] == ["action_item.created", "action_item.done"]
    assert receiver.received[1][2]["data"]["state"] == "done"


def test_a_failure_is_retried_later_with_the_same_id(admin, facilitator, receiver):
    subscribe(admin, receiver, ["review.published"])
    publish(facilitator)
    outbound.fan_out()
    receiver.answer = 503
    assert outbound.send_due() == {"delivered": 0, "failed": 1}
    message = OutgoingMessage.objects.get()
    assert (message.attempts, message.last_status) == (1, 503)
    assert outbound.send_due() == {"delivered": 0, "failed": 0}  # not before its time
    receiver.answer = 200
    later = message.next_attempt_at + timedelta(seconds=1)
    assert outbound.send_due(later) == {"delivered": 1, "failed": 0}
    assert len({msg_id for msg_id, _, _ in receiver.received}) == 1 and len(receiver.received) == 2


def test_the_waits_grow_and_stop_after_a_day(settings):
    assert [outbound.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbound.backoff(20) == timedelta(hours=4)


def test_a_subscription_failing_for_a_day_is_switched_off_and_its_owner_told(admin, facilitator, receiver, settings):
    settings.WEBHOOK_DISABLE_HOURS = 24
    subscription = subscribe(admin, receiver, ["review.published"])
    publish(facilitator)
    outbound.fan_out()
    receiver.answer = 500
    now = timezone.now()
    outbound.send_due(now)
    message = OutgoingMessage.objects.get()
    outbound.send_due(now + timedelta(hours=25))
    subscription.refresh_from_db()
    message.refresh_from_db()
    assert not subscription.active and "failed for 24 hours" in subscription.disabled_reason
    assert message.gave_up_at is not None
    [told] = Notification.objects.filter(recipient=admin, kind="webhook.disabled")
    assert told.title == "The webhook “BI” was switched off"
    # Switched on again, what is still within its retry time goes out again.
    OutgoingMessage.objects.update(gave_up_at=None)
    receiver.answer = 200
    services.subscription_update(admin, subscription, active=True)
    assert outbound.send_due()["delivered"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
        "http://127.0.0.1\\@example.com/hook",
        "https://user:secret@example.com/hook",
        "http://[64:ff9b::a00:1]/hook",
        "http://[2002:a00:1::]/hook",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(admin, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as error:
        services.subscription_create(admin, name="Internal", url=url, events=["review.published"])
    assert "url" in error.value.message_dict
    assert not Subscription.objects.exists()


def test_an_address_that_turned_private_is_not_sent_to(admin, facilitator, receiver, settings):
    subscribe(admin, receiver, ["review.published"])
    publish(facilitator)
    outbound.fan_out()
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert outbound.send_due() == {"delivered": 0, "failed": 1}
    assert receiver.received == []
    assert "private, loopback or link-local" in OutgoingMessage.objects.get().last_error


def test_an_event_committed_after_a_newer_one_is_not_missed(admin, facilitator, receiver):
    subscribe(admin, receiver, ["review.published"])
    publish(facilitator)
    newest = AuditEvent.objects.order_by("-pk").first()
    from integrations.models import OutboxCursor

    OutboxCursor.objects.create(name="webhooks", last_id=newest.pk + 10)  # as if later events were read
    assert outbound.fan_out() == 1


@pytest.mark.parametrize("role", ["staff", "facilitator", "governance"])
def test_only_admins_subscribe(request, role, receiver):
    with pytest.raises(PermissionDenied):
        services.subscription_create(
            request.getfixturevalue(role), name="x", url=receiver.url, events=["review.published"]
        )


def test_unknown_events_are_a_field_error(admin, receiver):
    for events in (["review.deleted"], [], "review.published", [3]):
        with pytest.raises(ValidationError) as error:
            services.subscription_create(admin, name="x", url=receiver.url, events=events)
        assert "events" in error.value.message_dict


def test_the_pages_show_the_secret_once_and_the_delivery_log(client, admin, facilitator, receiver):
    client.force_login(admin)
    response = client.post(
        reverse("integrations:webhook-create"),
        {"name": "BI", "url": receiver.url, "events": ["review.*"]},
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.secret in response.text
    receiver.secret = subscription.secret
    publish(facilitator)
    outbound.fan_out()
    outbound.send_due()
    page = client.get(subscription.get_absolute_url()).text
    assert subscription.secret not in page
    assert "review.published" in page and "delivered" in page


def test_a_facilitator_cannot_open_the_webhook_pages(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("integrations:webhooks")).status_code == 403


def test_events_while_switched_off_are_sent_once_switched_on_again(admin, facilitator, receiver):
    subscription = subscribe(admin, receiver, ["review.published"])
    services.subscription_update(admin, subscription, active=False)
    publish(facilitator)
    outbound.fan_out()
    assert outbound.send_due() == {"delivered": 0, "failed": 0}
    services.subscription_update(admin, subscription, active=True)
    assert outbound.send_due() == {"delivered": 1, "failed": 0}


def test_a_dead_receiver_is_tried_once_per_run(admin, facilitator, receiver):
    subscribe(admin, receiver, ["review.*", "action_item.*"])
    review = publish(facilitator)
    reviews.action_item_add(
        facilitator, review, title="Route pages", owner=facilitator, due_on=timezone.localdate() + timedelta(days=5)
    )
    outbound.fan_out()
    receiver.answer = 500
    assert outbound.send_due() == {"delivered": 0, "failed": 1}  # the second message waits for the next run
    assert len(receiver.received) == 1


def test_the_audit_trail_keeps_a_webhooks_host_not_its_address(admin, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    services.subscription_create(admin, name="Zap", url=receiver.url + "?token=s3cr3t", events=["review.*"])
    assert "s3cr3t" not in str(list(AuditEvent.objects.values_list("note", "changes")))
