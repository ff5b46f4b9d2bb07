"""Telling people what concerns them: every workflow step calls ``notify`` inside its own
transaction, and each person hears of it in their inbox and on the channel they chose.

    notifications.notify(
        [participant.user], "review.invited", key=f"review.invited:{participant.pk}",
        title=f"You are invited to review “{incident}”", url=review.get_absolute_url(),
        topic=f"review:{review.pk}", actor=user,
    )

Guarantees:
- Once per person and event: (recipient, key) is unique, so a retried or duplicated run tells
  nobody twice. The row commits with the change it reports, or not at all.
- Nobody is told about their own action (``actor``), nor anything of a muted topic unless the
  event gives them work (``Event.mutable``). Closed accounts are told nothing.
- Sending (email, Slack, digest) happens after commit, in core.delivery, which claims each row
  in the transaction that sends it; a broker outage only delays it (``deliver_pending`` runs on
  a schedule).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import Channel, ChannelPost, Mute, Notification, NotificationChoice
from core.tasks import deliver_notifications, enqueue_on_commit


@dataclass(frozen=True)
class Event:
    label: str
    group: str
    default: str
    mutable: bool = False  # a muted topic skips it (it tells, it gives no work)


E, S = Channel.EMAIL, Channel.SITE
EVENTS = {
    "review.invited": Event("You are invited to a review", "Reviews", E),
    "review.started": Event("Scoring opened on a review you take part in", "Reviews", E, mutable=True),
    "review.score_reminder": Event("Reminder: your scores are still missing", "Reviews", E, mutable=True),
    "review.published": Event("A review you took part in, or of your team, was published", "Reviews", S, True),
    "review.amended": Event("A published review was amended", "Reviews", S, mutable=True),
    "action_item.assigned": Event("An action item is yours", "Action items", E),
    "action_item.due_soon": Event("Your action items are due soon", "Action items", E),
    "action_item.overdue": Event("Your action items are overdue", "Action items", E),
    "action_item.done": Event("An action item of your review was done or dropped", "Action items", S, True),
    "revision.submitted": Event("A playbook revision waits for a governance owner", "Playbook", E),
    "revision.decided": Event("Your playbook revision was approved or rejected", "Playbook", E),
    "revision.needs_rebase": Event("Your playbook revision needs a rebase", "Playbook", E),
    "task.assigned": Event("A quarterly review task is yours", "Quarterly review", E),
    "task.due_soon": Event("Your quarterly review task is due soon", "Quarterly review", E),
    "task.overdue": Event("Your quarterly review task is overdue", "Quarterly review", E),
    "task.escalated": Event("A quarterly review task is overdue (governance owners)", "Quarterly review", E),
    "recognition.received": Event("You or your team were recognised", "Recognition", E),
    "recognition.seconded": Event("Someone seconded your recognition", "Recognition", S, mutable=True),
    "recognition.hidden": Event("Your recognition was hidden", "Recognition", E),
    "snapshot.ready": Event("The quarterly performance snapshot is ready", "Insights", E),
    "webhook.disabled": Event("A webhook you own was switched off after failing for a day", "Integrations", E),
}
del E, S


def slack_enabled():
    return bool(settings.SLACK_BOT_TOKEN)


def channels():
    """The channels a person may choose from: Slack only where a bot token is configured."""
    return [(value, label) for value, label in Channel.choices if value != Channel.SLACK or slack_enabled()]


def notify(recipients, kind, *, key, title, body="", url="", topic="", actor=None, deliver=True):
    """Tell each of ``recipients`` about one event once, in the caller's transaction.

    ``deliver=False`` leaves the sending to the caller (a reconcile run that tells many people at
    once calls ``core.delivery.deliver_pending`` at its end, so each person gets one mail).
    Returns the people told."""
    event = EVENTS[kind]
    people = {person.pk: person for person in recipients if person is not None and person.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if event.mutable and topic and people:
        muted = Mute.objects.filter(topic=topic, user_id__in=people).values_list("user_id", flat=True)
        for user_id in muted:
            people.pop(user_id, None)
    if not people:
        return []
    chosen = dict(NotificationChoice.objects.filter(kind=kind, user_id__in=people).values_list("user_id", "channel"))
    now = timezone.now()
    rows = [
        Notification(
            recipient=person,
            kind=kind,
            key=key[:200],
            title=title[:300],
            body=body,
            url=url[:500],
            topic=topic,
            actor=actor,
            created_at=now,
            channel=_usable(chosen.get(person.pk, event.default), person),
        )
        for person in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if deliver and any(row.channel in (Channel.EMAIL, Channel.SLACK) for row in rows):
        _deliver_soon()
    return list(people.values())


def _usable(channel, person):
    if channel == Channel.SLACK and not slack_enabled():
        channel = Channel.EMAIL
    if channel in (Channel.EMAIL, Channel.DIGEST, Channel.SLACK) and not person.email:
        # Slack finds people by their email address too.
        return Channel.SITE
    return channel


def post(setting, *, key, title, text="", url="", deliver=True):
    """Post once to the Slack channel named by ``settings.<setting>``, if Slack and it are configured."""
    channel = getattr(settings, setting, "")
    if not (slack_enabled() and channel):
        return False
    ChannelPost.objects.bulk_create(
        [ChannelPost(key=key[:200], channel=channel, title=title[:300], text=text, url=url[:500])],
        ignore_conflicts=True,
    )
    if deliver:
        _deliver_soon()
    return True


def unpost(key):
    """Take back a channel post not sent yet (what it announced was withdrawn)."""
    return ChannelPost.objects.filter(key=key[:200], sent_at__isnull=True).delete()[0]


def _deliver_soon():
    enqueue_on_commit(deliver_notifications, countdown=settings.NOTIFICATION_BATCH_SECONDS)


# A person's inbox and choices -------------------------------------------------------------


def inbox(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user):
    return inbox(user).filter(read_at__isnull=True).count()


@transaction.atomic
def notification_read(user, notification_id):
    """Mark one of the person's own notifications read; returns it, or None if it is not theirs."""
    notification = inbox(user).filter(pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(user):
    return inbox(user).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def choices_save(user, choices):
    """Set the person's channel per kind of event (``{kind: channel}``); unknown kinds or channels
    are refused with a message."""
    allowed = {value for value, _ in channels()}
    errors = [f"“{kind}” is not a kind of event." for kind in choices if kind not in EVENTS]
    errors += [f"“{channel}” is not a channel." for channel in choices.values() if channel not in allowed]
    if errors:
        raise ValidationError(errors)
    for kind, channel in choices.items():
        if channel == EVENTS[kind].default:
            NotificationChoice.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationChoice.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def choices_of(user):
    """[(kind, event, channel)] for every kind of event, in the registry's order."""
    chosen = dict(NotificationChoice.objects.filter(user=user).values_list("kind", "channel"))
    allowed = {value for value, _ in channels()}
    rows = []
    for kind, event in EVENTS.items():
        channel = chosen.get(kind, event.default)
        rows.append((kind, event, channel if channel in allowed else Channel.EMAIL))
    return rows


def is_muted(user, topic):
    return Mute.objects.filter(user=user, topic=topic).exists()


@transaction.atomic
def topic_mute(user, topic, *, muted):
    """Mute (or unmute) one topic for one person; the caller has checked they may see it."""
    if muted:
        Mute.objects.get_or_create(user=user, topic=topic)
    else:
        Mute.objects.filter(user=user, topic=topic).delete()
