"""Outgoing webhooks: other systems (BI, CRM, status tooling) follow Baton.

Events come from the audit trail, which every service writes in the transaction of its change,
so nothing a subscriber should hear of can be lost: ``fan_out`` turns new audit events into one
``OutgoingMessage`` per interested subscription (unique per subscription and audit event, so a
duplicate or late run adds nothing), and ``send_due`` sends each message signed per Standard
Webhooks (https://www.standardwebhooks.com/, the ``standardwebhooks`` package).

Sending claims first: a message's next attempt is moved on before the request goes out, so two
runs never send it at once; a worker killed mid-send leaves it to be sent again at that time
(at-least-once; subscribers drop repeats by the ``webhook-id`` header, as the spec says). Each
failure waits longer (``backoff``) until ``WEBHOOK_RETRY_HOURS`` after the event; a subscription
whose every message has failed for ``WEBHOOK_DISABLE_HOURS`` is switched off and its owner told.

An address must resolve to public addresses only (checked when it is saved and again before
each send), unless ``WEBHOOKS_ALLOW_PRIVATE`` is set: a webhook cannot reach the internal network.
"""

import ipaddress
import json
import logging
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
import standardwebhooks
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from core.models import AuditEvent
from core.notifications import notify
from integrations.models import OutboxCursor, OutgoingMessage, Subscription
from playbook.models import Revision
from recognition.models import Recognition
from reviews.models import ActionItem, Review

logger = logging.getLogger(__name__)

# Audit action → the event type subscribers see.
EVENTS = {
    "review.published": "review.published",
    "review.amended": "review.amended",
    "action_item.created": "action_item.created",
    "action_item.edited": "action_item.updated",
    "action_item.done": "action_item.done",
    "action_item.dropped": "action_item.dropped",
    "action_item.open": "action_item.reopened",
    "revision.approved": "revision.approved",
    "revision.rejected": "revision.rejected",
    "recognition.given": "recognition.given",
}
EVENT_TYPES = sorted(set(EVENTS.values()))
FAMILIES = sorted({event.split(".")[0] + ".*" for event in EVENT_TYPES})
RELOOK = timedelta(minutes=15)  # no transaction stays open this long
FAN_OUT_BATCH = 1000
RESPONSE_KEPT = 200
CONNECT_TIMEOUT = 5


# Addresses -------------------------------------------------------------------------------------


# Ranges that are public by ipaddress's reckoning but reach private IPv4 addresses or old
# site-local networks: NAT64 (RFC 6052, RFC 8215), 6to4 (RFC 3056) and site-local (RFC 3879).
UNSAFE_V6 = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "fec0::/10")]


def _unsafe(address):
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.version == 6 and any(address in network for network in UNSAFE_V6):
        return True
    return not address.is_global or address.is_multicast


def address_error(url):
    """Why Baton will not send to ``url``, or None.

    The address must read the same to Python's URL parser and to urllib3's (which ``requests``
    sends with): no user info, backslashes or spaces, which the two read differently."""
    url = url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Use an http:// or https:// address."
    if "@" in parts.netloc or any(c in url for c in "\\ \t\r\n") or any(ord(c) < 32 for c in url):
        return "Write the address without a user name, password, backslashes or spaces."
    try:
        sent_to = parse_url(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (LocationParseError, ValueError):
        return "This address cannot be read."
    if (sent_to.host or "").strip("[]").lower() != parts.hostname.lower():
        return "This address cannot be read."
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return None
    try:
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return f"“{parts.hostname}” does not resolve to an address."
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if _unsafe(address):
            return (
                f"“{parts.hostname}” resolves to {address}, a private, loopback or link-local address: "
                "webhooks go to public addresses only."
            )
    return None


# Payloads ----------------------------------------------------------------------------------------


def _absolute(path):
    return settings.SITE_URL + path


def _person(user):
    return user.get_username() if user else None


def _review(review):
    incident = review.incident
    return {
        "id": review.pk,
        "url": _absolute(review.get_absolute_url()),
        "title": incident.title,
        "customer": incident.customer,
        "severity": incident.severity,
        "team": incident.team.slug if incident.team_id else None,
        "state": review.state,
        "is_exercise": review.is_exercise,
        "clarity_score": review.clarity_score,
        "published_at": review.published_at.isoformat() if review.published_at else None,
        "facilitator": _person(review.facilitator),
    }


def _action_item(item):
    return {
        "id": item.pk,
        "url": _absolute(item.review.get_absolute_url() + "#actions"),
        "review_id": item.review_id,
        "title": item.title,
        "kind": item.kind,
        "owner": _person(item.owner),
        "due_on": item.due_on.isoformat(),
        "state": item.state,
        "dropped_reason": item.dropped_reason,
        "completed_at": item.completed_at.isoformat() if item.completed_at else None,
    }


def _revision(revision):
    return {
        "id": revision.pk,
        "url": _absolute(revision.get_absolute_url()),
        "section": revision.section.slug if revision.section_id else revision.new_slug,
        "pattern": revision.pattern,
        "state": revision.state,
        "author": _person(revision.author),
        "decided_by": _person(revision.decided_by),
        "decided_at": revision.decided_at.isoformat() if revision.decided_at else None,
        "comment": revision.decision_comment,
    }


def _recognition(recognition):
    return {
        "id": recognition.pk,
        "url": _absolute(recognition.get_absolute_url()),
        "category": recognition.category,
        "message": recognition.message,
        "team": recognition.team.slug if recognition.team_id else None,
        "person": _person(recognition.person),
        "author": _person(recognition.author),
        "review_id": recognition.review_id,
    }


SUBJECTS = {
    "review": (Review.objects.select_related("incident__team", "facilitator"), _review),
    "actionitem": (ActionItem.objects.select_related("review", "owner"), _action_item),
    "revision": (Revision.objects.select_related("section", "author", "decided_by"), _revision),
    "recognition": (Recognition.objects.select_related("team", "person", "author"), _recognition),
}


def payload(event):
    """The documented body of one event (README, "Outgoing webhooks"), or None if its subject is gone."""
    queryset, shape = SUBJECTS[event.subject_type]
    subject = queryset.filter(pk=event.subject_id).first()
    if subject is None:
        return None
    return {
        "type": EVENTS[event.action],
        "timestamp": event.at.isoformat(),
        "data": shape(subject) | {"changes": event.changes, "actor": event.actor_name or None},
    }


# Fan-out ---------------------------------------------------------------------------------------


def fan_out(now=None):
    """Make the messages for audit events no run has made yet. Returns how many were made."""
    now = now or timezone.now()
    # Switched-off subscriptions get their messages too (sent once switched on again, within
    # their retry time): nothing that happens while one is off is lost to it.
    subscriptions = list(Subscription.objects.all())
    cursor, _ = OutboxCursor.objects.get_or_create(name="webhooks")
    events = AuditEvent.objects.filter(action__in=EVENTS).filter(Q(pk__gt=cursor.last_id) | Q(at__gte=now - RELOOK))
    events = list(events.order_by("pk")[:FAN_OUT_BATCH])
    made_before = set(
        OutgoingMessage.objects.filter(audit_event_id__in=[e.pk for e in events]).values_list(
            "subscription_id", "audit_event_id"
        )
    )
    made, newest = 0, cursor.last_id
    for event in events:
        newest = max(newest, event.pk)
        wanting = [
            s
            for s in subscriptions
            if s.wants(EVENTS[event.action]) and event.at >= s.created_at and (s.pk, event.pk) not in made_before
        ]
        if not wanting:
            continue
        body = payload(event)
        if body is None:
            continue
        rows = [
            OutgoingMessage(
                subscription=s,
                audit_event_id=event.pk,
                msg_id=f"msg_{uuid.uuid4().hex}",
                event_type=body["type"],
                payload=body,
                next_attempt_at=now,
            )
            for s in wanting
        ]
        # A concurrent run may have made some meanwhile: the unique constraint keeps one of each.
        OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
    OutboxCursor.objects.filter(pk=cursor.pk, last_id__lt=newest).update(last_id=newest)
    return made


# Sending ---------------------------------------------------------------------------------------


def backoff(attempts):
    """The wait after the ``attempts``-th failure: 30 s, doubling, at most 4 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 4 * 3600))


def sign(secret, msg_id, at, body):
    return standardwebhooks.Webhook(secret).sign(msg_id, at, body)


def send_due(now=None, limit=200, budget_seconds=60):
    """Send the messages whose time has come. A subscription that fails is left for the next run
    after its first failure in this one, and a run stops after ``budget_seconds``, so one dead
    receiver cannot hold the worker. Returns {"delivered": n, "failed": n}."""
    now = now or timezone.now()
    due = (
        OutgoingMessage.objects.filter(
            delivered_at__isnull=True,
            gave_up_at__isnull=True,
            next_attempt_at__lte=now,
            subscription__active=True,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "subscription_id")[:limit]
    )
    outcome = {"delivered": 0, "failed": 0}
    failing, started = set(), time.monotonic()
    for message_id, subscription_id in list(due):
        if subscription_id in failing or time.monotonic() - started > budget_seconds:
            continue
        result = _send_one(message_id, now)
        if result is not None:
            outcome["delivered" if result else "failed"] += 1
        if result is False:
            failing.add(subscription_id)
    return outcome


def _claim(message_id, now):
    """Move the message's next attempt on before sending it: only one run gets it."""
    with transaction.atomic():
        message = (
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, delivered_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.last_attempt_at = now
        message.next_attempt_at = now + backoff(message.attempts)
        if not OutgoingMessage.objects.filter(pk=message.pk, next_attempt_at__lte=now).update(
            attempts=message.attempts, last_attempt_at=now, next_attempt_at=message.next_attempt_at
        ):
            return None  # another run claimed it first (SQLite has no row locks)
        return message


def _send_one(message_id, now):
    message = _claim(message_id, now)
    if message is None:
        return None
    subscription = Subscription.objects.get(pk=message.subscription_id)
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True)
    status, error = None, ""
    refused = address_error(subscription.url)
    if refused:
        error = f"Not sent: {refused}"
    else:
        sent_at = timezone.now()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Baton-Webhooks/1",
            "webhook-id": message.msg_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": sign(subscription.secret, message.msg_id, sent_at, body),
        }
        try:
            # Streamed, and only the start of the answer is read: a receiver that drips an endless
            # answer cannot hold the worker.
            with requests.post(
                subscription.url,
                data=body.encode(),
                headers=headers,
                timeout=(CONNECT_TIMEOUT, settings.WEBHOOK_TIMEOUT),
                allow_redirects=False,
                stream=True,
            ) as response:
                status = response.status_code
                if not 200 <= status < 300:
                    answer = response.raw.read(RESPONSE_KEPT, decode_content=True) or b""
                    error = f"HTTP {status}: {answer.decode(errors='replace')}"
        except (requests.RequestException, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
    _record(message, subscription, status, error, now)
    return not error


def _record(message, subscription, status, error, now):
    with transaction.atomic():
        fields = {"last_status": status, "last_error": error[:500]}
        if not error:
            fields["delivered_at"] = timezone.now()
        elif now >= message.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
            fields["gave_up_at"] = now
        OutgoingMessage.objects.filter(pk=message.pk).update(**fields)
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not error:
            if subscription.failing_since is not None:
                subscription.failing_since = None
                subscription.save(update_fields=["failing_since"])
            return
        if subscription.failing_since is None:
            subscription.failing_since = now
            subscription.save(update_fields=["failing_since"])
        elif subscription.active and now >= subscription.failing_since + timedelta(
            hours=settings.WEBHOOK_DISABLE_HOURS
        ):
            _switch_off(subscription, now, error)


def _switch_off(subscription, now, error):
    subscription.active = False
    subscription.disabled_at = now
    subscription.disabled_reason = f"Every delivery failed for {settings.WEBHOOK_DISABLE_HOURS} hours. Last: {error}"[
        :300
    ]
    subscription.version += 1
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "version"])
    owner = get_user_model().objects.get(pk=subscription.owner_id)
    notify(
        [owner],
        "webhook.disabled",
        key=f"webhook.disabled:{subscription.pk}:{now.isoformat()}",
        title=f"The webhook “{subscription.name}” was switched off",
        body=(
            f"Every delivery to {subscription.url} failed for {settings.WEBHOOK_DISABLE_HOURS} hours, so Baton "
            f"stopped sending to it. Last error: {error}\n\nFix the receiver, then switch it on again; the "
            "messages still within their retry time are sent then."
        ),
        url=subscription.get_absolute_url(),
    )
    logger.warning("Webhook subscription %s switched off: %s", subscription.pk, error)
