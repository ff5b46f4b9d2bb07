"""Sending notifications where people chose: one mail per person and run (however many events
it holds), the daily digest, Slack direct messages and channel posts.

Each send claims what it sends in the transaction that sends it (core.notify's guarantee): the
rows' ``sent_at`` is set, the message goes out, and both commit together; a failed send rolls
the claim back and is retried by the next run (``deliver_pending``, scheduled and enqueued after
each event). At-least-once, and exactly once but for the window core.notify documents.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import notify, slack
from core.models import Channel, ChannelPost, Notification

logger = logging.getLogger(__name__)

MAIL_BODIES = 10  # a mail of more events lists their titles and links only
MAIL_LINES = 200  # and beyond this many, points to the inbox


def deliver_pending(now=None):
    """Send everything that is due, on every channel. Safe to run twice, late or concurrently.
    Returns what went out: {"slack": messages, "posts": posts, "email": mails, "digest": mails}."""
    now = now or timezone.now()
    sent = {"slack": 0, "posts": 0, "email": 0, "digest": 0}
    if settings.SLACK_BOT_TOKEN:
        web = slack.client()
        for row_id in _unsent(Notification, channel=Channel.SLACK).values_list("pk", flat=True):
            sent["slack"] += _slack_one(web, row_id)
        for row_id in _unsent(ChannelPost).values_list("pk", flat=True):
            sent["posts"] += _post_one(web, row_id)
    for recipient_id in _recipients(Channel.EMAIL):
        sent["email"] += _mail(recipient_id, Channel.EMAIL)
    cutoff = digest_moment(now)
    for recipient_id in _recipients(Channel.DIGEST, created_at__lt=cutoff):
        sent["digest"] += _mail(recipient_id, Channel.DIGEST, created_at__lt=cutoff)
    return sent


def digest_moment(now):
    """The latest daily digest time (``DIGEST_HOUR`` in the site's time zone) at or before ``now``."""
    zone = timezone.get_default_timezone()  # the site's, whatever zone a request activated
    local = timezone.localtime(now, zone)
    moment = timezone.make_aware(datetime.combine(local.date(), time(settings.DIGEST_HOUR)), zone)
    return moment if moment <= now else moment - timedelta(days=1)


def _unsent(model, **filters):
    return model.objects.filter(sent_at__isnull=True, **filters).order_by("created_at", "pk")


def _recipients(channel, **filters):
    return list(
        _unsent(Notification, channel=channel, **filters)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def _claim(queryset):
    """Lock and mark sent the rows of ``queryset`` no other run holds; the rows this run claimed."""
    rows = list(queryset.select_for_update(skip_locked=True))
    if not rows:
        return []
    stamp = timezone.now()
    ids = [row.pk for row in rows]
    if type(rows[0])._default_manager.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=stamp) != len(ids):
        # Another run claimed some first (SQLite has no row locks): keep only ours.
        ids = set(type(rows[0])._default_manager.filter(pk__in=ids, sent_at=stamp).values_list("pk", flat=True))
        rows = [row for row in rows if row.pk in ids]
    return rows


def _failed(model, ids, error):
    logger.warning("Sending %s %s failed: %s", model.__name__, ids, error)
    with transaction.atomic():
        for row in model.objects.filter(pk__in=ids):
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            row.save(update_fields=["attempts", "last_error"])


def _mail(recipient_id, channel, **filters):
    person = get_user_model().objects.filter(pk=recipient_id).first()
    if person is None or not person.is_active or not person.email:
        # Closed (or without an address) since it was told: it stays in their inbox, unsent.
        _unsent(Notification, recipient_id=recipient_id, channel=channel).update(channel=Channel.SITE)
        return 0
    ids = []
    try:
        with notify.sending():
            rows = _claim(_unsent(Notification, recipient_id=recipient_id, channel=channel, **filters))
            ids = [row.pk for row in rows]
            if not rows:
                return 0
            subject, body = compose(rows, digest=channel == Channel.DIGEST)
            notify.send(subject, body, [person.email])
    except Exception as error:  # noqa: BLE001 — one person's failed mail must not stop the others'
        _failed(Notification, ids, error)
        return 0
    return 1


def _absolute(url):
    return url if not url or url.startswith(("http://", "https://")) else settings.SITE_URL + url


def compose(rows, *, digest=False):
    """The subject and text of one mail telling ``rows`` (oldest first)."""
    footer = f"\n\n--\nYour inbox: {_absolute(reverse('inbox'))}\nChoose how Baton tells you: " + _absolute(
        reverse("notification-settings")
    )
    if len(rows) == 1 and not digest:
        [row] = rows
        body = row.body or row.title
        if row.url and _absolute(row.url) not in body:
            body += f"\n\n{_absolute(row.url)}"
        return f"Baton: {row.title}", body.rstrip() + footer
    count = f"{len(rows)} update{'s' if len(rows) != 1 else ''}"
    subject = f"Baton: your daily digest, {count}" if digest else f"Baton: {rows[0].title} (and {len(rows) - 1} more)"
    parts = []
    for row in rows[:MAIL_LINES]:
        part = f"• {row.title}"
        if row.url:
            part += f"\n  {_absolute(row.url)}"
        if len(rows) <= MAIL_BODIES and row.body:
            part += "\n\n" + row.body.strip()
        parts.append(part)
    if len(rows) > MAIL_LINES:
        parts.append(f"… and {len(rows) - MAIL_LINES} more in your inbox.")
    separator = "\n\n" + "-" * 40 + "\n\n" if len(rows) <= MAIL_BODIES else "\n"
    return subject, f"{count} from Baton:\n\n" + separator.join(parts) + footer


def _slack_one(web, row_id):
    try:
        with transaction.atomic():
            rows = _claim(_unsent(Notification, pk=row_id, channel=Channel.SLACK))
            if not rows:
                return 0
            [row] = rows
            person = get_user_model().objects.filter(pk=row.recipient_id, is_active=True).exclude(email="").first()
            if person is None:  # closed since it was told: it stays in their inbox, unsent
                Notification.objects.filter(pk=row.pk).update(channel=Channel.SITE, sent_at=None)
                return 0
            try:
                member = slack.person(web, person.email)
            except slack.NotInSlack:
                # Nobody in Slack has this address: the mail carries it instead.
                Notification.objects.filter(pk=row.pk).update(
                    channel=Channel.EMAIL, sent_at=None, last_error="Not found in Slack by email; sent by email."
                )
                return 0
            slack.send(web, member, row.title, row.body, _absolute(row.url))
    except Exception as error:  # noqa: BLE001 — Slack down or refusing: the next run retries
        _failed(Notification, [row_id], error)
        return 0
    return 1


def _post_one(web, row_id):
    try:
        with transaction.atomic():
            rows = _claim(_unsent(ChannelPost, pk=row_id))
            if not rows:
                return 0
            [row] = rows
            slack.send(web, row.channel, row.title, row.text, _absolute(row.url))
    except Exception as error:  # noqa: BLE001 — as above
        _failed(ChannelPost, [row_id], error)
        return 0
    return 1


def purge(now=None):
    """Forget notifications older than ``NOTIFICATION_KEEP_DAYS`` that were read, sent, or only
    ever meant for the inbox."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_KEEP_DAYS)
    old = Notification.objects.filter(created_at__lt=cutoff)
    done = old.filter(read_at__isnull=False) | old.filter(channel=Channel.SITE) | old.filter(sent_at__isnull=False)
    removed, _ = Notification.objects.filter(pk__in=done.values("pk")).delete()
    posts, _ = ChannelPost.objects.filter(created_at__lt=cutoff, sent_at__isnull=False).delete()
    return removed + posts
