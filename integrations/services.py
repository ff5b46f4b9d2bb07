"""Every change to integrations goes through here: pages, the receiving endpoint, tasks and the
import command alike. Applying a delivery's facts is integrations.apply."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import audit
from core.errors import check_version, require
from core.roles import FACILITATORS
from core.tasks import enqueue_on_commit
from integrations import outbound, parsers, policy, trackers
from integrations.models import (
    Delivery,
    DeliveryStatus,
    OutgoingMessage,
    Record,
    Source,
    SourceKind,
    Subscription,
    TrackerLink,
)
from integrations.signatures import VENDOR_MADE_SECRET, new_secret
from reviews import policy as review_policy
from reviews import services as review_services
from reviews.models import ActionItem, ActionState, Review
from teams.models import Team

#: The request headers a delivery keeps: ids, timestamps and retry counts, never a signature.
KEPT_HEADERS = (
    "Content-Type",
    "User-Agent",
    "X-Zendesk-Webhook-Id",
    "X-Zendesk-Webhook-Invocation-Id",
    "X-Webhook-Id",
    "X-Webhook-Subscription",
    "X-Atlassian-Webhook-Identifier",
    "X-Atlassian-Webhook-Retry",
    "X-Slack-Request-Timestamp",
    "X-Slack-Retry-Num",
    "X-Slack-Retry-Reason",
    "webhook-id",
    "webhook-timestamp",
)
SOURCE_FIELDS = ("name", "team", "team_map", "rule_tags", "rule_priorities", "base_url", "api_url", "enabled")
DEFAULT_OVERLAP_HOURS = 24


def _check_team_map(team_map):
    if not isinstance(team_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in team_map.items()
    ):
        raise ValidationError({"team_map": ["Map each of the tool's groups to a team slug, as text."]})
    missing = set(team_map.values()) - set(
        Team.objects.filter(slug__in=team_map.values()).values_list("slug", flat=True)
    )
    if missing:
        raise ValidationError({"team_map": [f"No team has the slug {', '.join(sorted(missing))}."]})


@transaction.atomic
def source_create(user, *, kind, name, secret="", api_token="", **values):
    """Connect a tool. Returns the source and its signing secret, which is shown only this once."""
    require(policy.can_manage(user), "Only facilitators and admins connect tools.")
    if kind not in SourceKind.values:
        raise ValidationError({"kind": ["Choose a tool."]})
    if kind in VENDOR_MADE_SECRET and not secret.strip():
        label = SourceKind(kind).label
        raise ValidationError({"secret": [f"Paste the signing secret {label} shows for this webhook."]})
    if not name.strip():
        raise ValidationError({"name": ["Name the source."]})
    if Source.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": ["A source already has this name."]})
    _check_team_map(values.get("team_map", {}))
    secret = secret.strip() or new_secret(kind)
    actor = get_user_model().objects.create(
        username=f"source-{secrets.token_hex(6)}",
        first_name=name.strip()[:150],
        last_name="(integration)",
        is_active=False,
    )
    actor.set_unusable_password()
    actor.save(update_fields=["password"])
    actor.groups.add(Group.objects.get(name=FACILITATORS))
    source = Source.objects.create(
        kind=kind, name=name.strip(), secret=secret, api_token=api_token.strip(), actor=actor, created_by=user, **values
    )
    audit.record(user, "integration.source_created", source, note=source.get_kind_display())
    return source, secret


@transaction.atomic
def source_update(user, source, *, api_token=None, **values):
    """Change a source's name, team, mapping, rule or addresses; a new API token replaces the old one."""
    require(policy.can_manage(user), "Only facilitators and admins change sources.")
    source = Source.objects.select_for_update().get(pk=source.pk)
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown source fields: {sorted(unknown)}")
    if "name" in values and Source.objects.filter(name__iexact=values["name"].strip()).exclude(pk=source.pk).exists():
        raise ValidationError({"name": ["A source already has this name."]})
    if "team_map" in values:
        _check_team_map(values["team_map"])
    moved = any(field in values and values[field] != getattr(source, field) for field in ("api_url", "base_url"))
    if moved and source.api_token and not api_token:
        raise ValidationError({"api_token": ["Enter the API token again: the address it is sent to changed."]})
    before = audit.snapshot(source, SOURCE_FIELDS)
    for field, value in values.items():
        setattr(source, field, value)
    changes = audit.diff(before, audit.snapshot(source, SOURCE_FIELDS))
    if api_token:
        source.api_token = api_token.strip()
        changes["api_token"] = ["(hidden)", "(replaced)"]
    source.save()
    if changes:
        audit.record(user, "integration.source_edited", source, changes=changes)
    return source


@transaction.atomic
def source_rotate_secret(user, source, *, secret="", overlap_hours=DEFAULT_OVERLAP_HOURS):
    """A new signing secret; the old one still verifies for ``overlap_hours``. Returns the new secret."""
    require(policy.can_manage(user), "Only facilitators and admins rotate secrets.")
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source.kind in VENDOR_MADE_SECRET and not secret.strip():
        raise ValidationError({"secret": [f"Paste the new signing secret {source.get_kind_display()} shows."]})
    if not 0 <= overlap_hours <= 24 * 30:
        raise ValidationError({"overlap_hours": ["Keep the old secret for 0 to 720 hours."]})
    new = secret.strip() or new_secret(source.kind)
    if new == source.secret:
        raise ValidationError({"secret": ["This is the secret in use now."]})
    source.previous_secret, source.secret = source.secret, new
    source.previous_secret_until = timezone.now() + timezone.timedelta(hours=overlap_hours)
    source.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    audit.record(user, "integration.secret_rotated", source, note=f"The old secret verifies for {overlap_hours} h.")
    return new


def stored_text(body):
    """A body as the database keeps it: text as received, except a raw NUL (never valid JSON)
    stored as U+FFFD; bytes that are not UTF-8 become U+FFFD too (and fail as not JSON)."""
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def delivery_receive(source, *, headers, body, content_type):
    """Store a verified request and have it applied. Returns (delivery, created): a repeat of an
    event already received (the tool's retry) is not stored twice."""
    event_id, event_type = parsers.identify(source.kind, headers, body, content_type)
    kept = {name: headers[name][:500] for name in KEPT_HEADERS if name in headers}
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                source=source,
                event_id=event_id,
                event_type=event_type,
                body=stored_text(body),
                content_type=content_type[:100],
                headers=kept,
            )
            _enqueue(delivery)
    except IntegrityError:
        return Delivery.objects.get(source=source, event_id=event_id), False
    return delivery, True


def _enqueue(delivery):
    from integrations.tasks import apply_delivery  # the tasks import this module

    enqueue_on_commit(apply_delivery, delivery.pk)


@transaction.atomic
def delivery_retry(user, delivery):
    """Apply a failed or ignored delivery again (after a fix to the source, the rule or Baton)."""
    require(policy.can_manage(user), "Only facilitators and admins retry deliveries.")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.IGNORED):
        raise ValidationError("Only a failed or ignored delivery can be retried.")
    before = delivery.status
    delivery.status, delivery.reason = DeliveryStatus.RECEIVED, ""
    delivery.save(update_fields=["status", "reason"])
    audit.record(user, "integration.delivery_retried", delivery, changes={"status": [before, delivery.status]})
    _enqueue(delivery)
    return delivery


@transaction.atomic
def record_link(user, incident, *, source, external_id):
    """Feed ``incident`` from a record in a tool (a ticket, a paged incident, a channel), by hand."""
    require(policy.can_manage(user), "Only facilitators link records.")
    external_id = external_id.strip()
    if not external_id:
        raise ValidationError({"external_id": ["Give the record's id in the tool."]})
    record, _ = Record.objects.select_for_update().get_or_create(source=source, external_id=external_id[:200])
    if record.incident_id == incident.pk:
        raise ValidationError({"external_id": ["This record already feeds this escalation."]})
    if record.incident_id is not None:
        raise ValidationError({"external_id": [f"This record already feeds incident {record.incident_id}."]})
    record.incident, record.linked_by = incident, user
    record.save(update_fields=["incident", "linked_by"])
    audit.record(
        user,
        "integration.record_linked",
        incident,
        url=incident.review.get_absolute_url(),
        note=f"{source.name} {external_id}",
    )
    from integrations.tasks import replay_record

    enqueue_on_commit(replay_record, record.pk)
    return record


# Outgoing webhooks -------------------------------------------------------------------------------


def _check_subscription(name, url, events):
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["Name the subscription (what follows Baton here)."]
    if message := outbound.address_error(url):
        errors["url"] = [message]
    allowed = set(outbound.EVENT_TYPES) | set(outbound.FAMILIES)
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        errors["events"] = ["Choose at least one event."]
    elif unknown := sorted(set(events) - allowed):
        errors["events"] = [f"Unknown events: {', '.join(unknown)}."]
    if errors:
        raise ValidationError(errors)


def _host(url):
    return urlsplit(url or "").hostname or ""


@transaction.atomic
def subscription_create(user, *, name, url, events):
    """Subscribe an address to events. Returns the subscription and its signing secret (shown once)."""
    require(policy.can_manage_webhooks(user), "Only admins subscribe addresses to Baton's events.")
    _check_subscription(name, url, events)
    secret = new_secret(SourceKind.GENERIC)
    subscription = Subscription.objects.create(
        name=name.strip(), url=url.strip(), events=sorted(set(events)), secret=secret, owner=user
    )
    audit.record(user, "integration.webhook_created", subscription, note=_host(subscription.url))
    return subscription, secret


SUBSCRIPTION_FIELDS = ("name", "url", "events", "active")


@transaction.atomic
def subscription_update(user, subscription, *, version=None, **values):
    """Change a subscription's name, address, events, or switch it on or off. Switching it on again
    resends what is still within its retry time."""
    require(policy.can_manage_webhooks(user), "Only admins change webhook subscriptions.")
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    check_version(subscription, version, list(values))
    unknown = set(values) - set(SUBSCRIPTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown subscription fields: {sorted(unknown)}")
    merged = {field: values.get(field, getattr(subscription, field)) for field in SUBSCRIPTION_FIELDS}
    _check_subscription(merged["name"], merged["url"], merged["events"])
    before = audit.snapshot(subscription, SUBSCRIPTION_FIELDS)
    switched_on = merged["active"] and not subscription.active
    for field, value in merged.items():
        setattr(subscription, field, value.strip() if isinstance(value, str) else value)
    if switched_on:
        now = timezone.now()
        subscription.disabled_at, subscription.disabled_reason, subscription.failing_since = None, "", None
        waiting = OutgoingMessage.objects.filter(subscription=subscription, delivered_at__isnull=True).filter(
            gave_up_at__isnull=True
        )
        too_old = now - timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        waiting.filter(created_at__lt=too_old).update(
            gave_up_at=now, last_error="Past its retry time when switched on."
        )
        waiting.filter(created_at__gte=too_old).update(next_attempt_at=now)
    subscription.version += 1
    subscription.save()
    if changes := audit.diff(before, audit.snapshot(subscription, SUBSCRIPTION_FIELDS)):
        if "url" in changes:  # an address can hold a token: the trail keeps its host only
            changes["url"] = [_host(address) for address in changes["url"]]
        audit.record(user, "integration.webhook_edited", subscription, changes=changes)
    return subscription


@transaction.atomic
def subscription_delete(user, subscription):
    require(policy.can_manage_webhooks(user), "Only admins remove webhook subscriptions.")
    audit.record(user, "integration.webhook_removed", subscription, note=_host(subscription.url))
    subscription.delete()


# Action items in the engineering tracker ----------------------------------------------------------

SYNC_BATCH = 100
CREATE_RETRY_SECONDS = 30
UNSURE_WAIT = timedelta(minutes=10)


@transaction.atomic
def action_item_send_to_tracker(user, item):
    """Ask for the action item's issue in the tracker: the request is recorded (the claim) and the
    issue is made in the background, once (``tracker_issue_create``)."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    review = Review.objects.get(pk=item.review_id)
    require(review_policy.can_manage(user, review), "Only facilitators send action items to the tracker.")
    tracker = trackers.current()
    if tracker is None:
        raise ValidationError("No engineering tracker is configured (README, “Action items in Jira”).")
    if review.is_archived:
        raise ValidationError("This review is archived: restore it first.")
    if item.state != ActionState.OPEN:
        raise ValidationError("Only an open action item is sent to the tracker.")
    existing = TrackerLink.objects.filter(action_item=item).first()
    if existing is not None:
        raise ValidationError(
            f"This action item is already in {tracker.NAME}{f' as {existing.key}' if existing.key else ''}."
        )
    link = TrackerLink.objects.create(action_item=item, tracker=settings.TRACKER, requested_by=user)
    audit.record(user, "action_item.sent_to_tracker", item, url=review.get_absolute_url(), note=tracker.NAME)
    from integrations.tasks import create_tracker_issue  # the tasks import this module

    enqueue_on_commit(create_tracker_issue, link.pk)
    return link


def tracker_issue_create(link_id, now=None):
    """Make the link's issue, once: the link's row stays locked while the tracker is asked, so a
    duplicate run waits and finds the key; and after a request that got no answer (the tracker may
    have made the issue) the issue is looked for by its marker label, and only made again once
    ``UNSURE_WAIT`` has passed without it showing (the tracker's search lags behind its writes).
    Returns whether an issue was linked."""
    tracker = trackers.current()
    if tracker is None:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        link = TrackerLink.objects.select_for_update().filter(pk=link_id).first()
        if link is None or link.key:
            return False
        item = ActionItem.objects.select_related("review__incident", "owner", "finding").get(pk=link.action_item_id)
        link.attempts += 1
        issue = None
        try:
            issue = tracker.find(item)
            if issue is None and item.state != ActionState.OPEN:
                link.last_error = "The action item was closed before its issue was made: none is made."
            elif issue is None and link.unsure_since and now < link.unsure_since + UNSURE_WAIT:
                link.last_error = f"Waiting for {tracker.NAME} to show the issue an unanswered request may have made."
            elif issue is None:
                issue = tracker.create(item)
        except trackers.TrackerUnsure as error:
            link.unsure_since = link.unsure_since or now
            link.last_error = str(error)[:500]
        except trackers.TrackerError as error:
            link.last_error = str(error)[:500]
        if issue is None:
            link.save(update_fields=["attempts", "last_error", "unsure_since"])
            return False
        link.key, link.url, link.linked_at, link.last_error = issue.key, issue.url, now, ""
        link.save()
        audit.record(None, "action_item.tracker_linked", item, url=item.review.get_absolute_url(), note=issue.key)
    return True


def tracker_done(link, *, via):
    """The tracker says the issue is done: so is the action item, if still open, the first time
    it is told. An item reopened in Baton since stays open (its issue stays done in the tracker)."""
    with transaction.atomic():
        link = TrackerLink.objects.select_for_update().get(pk=link.pk)
        if link.done_in_tracker_at is not None or link.closed_in_tracker_at is not None:
            return False
        link.done_in_tracker_at = timezone.now()
        link.save(update_fields=["done_in_tracker_at"])
        item = ActionItem.objects.get(pk=link.action_item_id)
        return review_services.action_item_done_elsewhere(
            None, item, note=f"{link.key} was done in {trackers.TRACKERS[link.tracker].NAME} ({via})."
        )


def _close_in_tracker(tracker, link_id):
    """The item was done in Baton: move its issue to done, claimed so it is moved once."""
    with transaction.atomic():
        link = TrackerLink.objects.select_for_update().filter(pk=link_id, closed_in_tracker_at__isnull=True).first()
        if link is None:
            return False
        try:
            tracker.close(link.key)
        except trackers.TrackerError as error:
            link.attempts += 1
            link.last_error = str(error)[:500]
            link.save(update_fields=["attempts", "last_error"])
            return False
        link.closed_in_tracker_at = timezone.now()
        link.last_error = ""
        link.save(update_fields=["closed_in_tracker_at", "last_error"])
    return True


def trackers_sync(now=None):
    """Keep action items and their issues in step, from the database: make the issues still to be
    made, move to done the issues of items done in Baton, and ask the tracker about the open
    items' issues (the oldest asked first, ``SYNC_BATCH`` per run). Returns what changed."""
    tracker = trackers.current()
    changed = {"created": 0, "closed_in_tracker": 0, "done_in_baton": 0}
    if tracker is None:
        return changed
    now = now or timezone.now()
    links = TrackerLink.objects.filter(tracker=settings.TRACKER)
    waiting = links.filter(key="", requested_at__lte=now - timedelta(seconds=CREATE_RETRY_SECONDS))
    for link_id in waiting.values_list("pk", flat=True):
        changed["created"] += tracker_issue_create(link_id, now)
    done_here = links.exclude(key="").filter(
        action_item__state=ActionState.DONE, closed_in_tracker_at__isnull=True, done_in_tracker_at__isnull=True
    )
    for link_id in done_here.values_list("pk", flat=True):
        changed["closed_in_tracker"] += _close_in_tracker(tracker, link_id)
    open_items = links.exclude(key="").filter(
        action_item__state=ActionState.OPEN, done_in_tracker_at__isnull=True, closed_in_tracker_at__isnull=True
    )
    for link in open_items.order_by(F("last_synced_at").asc(nulls_first=True))[:SYNC_BATCH]:
        try:
            done = tracker.is_done(link.key)
        except trackers.TrackerError as error:
            TrackerLink.objects.filter(pk=link.pk).update(last_error=str(error)[:500], last_synced_at=now)
            continue
        TrackerLink.objects.filter(pk=link.pk).update(last_synced_at=now)
        if done:
            changed["done_in_baton"] += tracker_done(link, via="seen by the sync")
    return changed
