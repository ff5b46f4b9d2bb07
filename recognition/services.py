"""Every change to recognitions goes through here: pages, the API and tasks.

Rules: nobody recognises themselves or a team they belong to; nobody seconds
their own recognition or twice; a daily limit per person; governance owners
hide with a reason (the record stays); recipients are mailed once, after
commit, by Celery, and a reconcile run catches any mail a broker outage held up.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import audit, delivery, notifications, notify
from core.tasks import enqueue_on_commit
from recognition import policy
from recognition.models import Category, NoticeKind, Recognition, RecognitionNotice, Second
from reviews import policy as review_policy
from teams.models import Membership

MAX_MESSAGE = 4000


def daily_limit():
    return settings.RECOGNITION_DAILY_LIMIT


@transaction.atomic
def recognition_give(user, *, category, message, team=None, person=None, review=None):
    """Recognise a team or a person. It appears on the board at once."""
    if not policy.can_give(user):
        raise PermissionDenied("Sign in to recognise a team.")
    errors = {}
    if (team is None) == (person is None):
        errors["team"] = ["Recognise either a team or a person."]
    if person is not None and person.pk == user.pk:
        errors["person"] = ["You cannot recognise yourself."]
    if team is not None and Membership.objects.filter(team=team, user=user).exists():
        errors["team"] = ["You cannot recognise a team you belong to: let someone outside it say so."]
    if category not in Category.values:
        errors["category"] = ["Choose a category."]
    message = (message or "").strip()
    if not message:
        errors["message"] = ["Say what they did and why it mattered."]
    elif len(message) > MAX_MESSAGE:
        errors["message"] = [f"Keep it under {MAX_MESSAGE} characters."]
    if review is not None and not review_policy.can_view(user, review):
        errors["review"] = ["You cannot refer to that review."]
    if errors:
        raise ValidationError(errors)
    since = timezone.now() - timedelta(days=1)
    # Lock the author's row so parallel requests cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Recognition.objects.filter(author=user, created_at__gte=since).count() >= daily_limit():
        raise ValidationError(
            f"You have given {daily_limit()} recognitions in the last 24 hours, the daily limit. "
            "Thank you for noticing so much good work: try again tomorrow."
        )
    recognition = Recognition.objects.create(
        author=user, team=team, person=person, category=category, message=message, review=review
    )
    audit.record(user, "recognition.given", recognition, note=message)
    # recognition.tasks calls this module's services: imported here to break that cycle.
    from recognition.tasks import notify_recognition

    enqueue_on_commit(notify_recognition, recognition.pk)
    return recognition


@transaction.atomic
def recognition_second(user, recognition):
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.hidden_at is not None:
        raise ValidationError("This recognition was hidden.")
    if recognition.author_id == user.pk:
        raise ValidationError("You cannot second your own recognition.")
    try:
        with transaction.atomic():
            seconded = Second.objects.create(recognition=recognition, user=user)
    except IntegrityError:
        raise ValidationError("You have already seconded this recognition.") from None
    audit.record(user, "recognition.seconded", recognition)
    notifications.notify(
        [recognition.author],
        "recognition.seconded",
        key=f"recognition.seconded:{seconded.pk}",
        title=f"{_name(user)} seconded your recognition of {recognition.recipient_name}",
        body=f"{_name(user)} seconded what you said about {recognition.recipient_name}: {recognition.message}",
        url=recognition.get_absolute_url(),
        topic=f"recognition:{recognition.pk}",
        actor=user,
    )
    return seconded


@transaction.atomic
def recognition_hide(user, recognition, *, reason):
    if not policy.can_hide(user):
        raise PermissionDenied("Only governance owners hide recognitions.")
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.hidden_at is not None:
        raise ValidationError("This recognition is already hidden.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why it is hidden: the author is told."]})
    recognition.hidden_at = timezone.now()
    recognition.hidden_by = user
    recognition.hidden_reason = reason.strip()
    recognition.save()
    audit.record(user, "recognition.hidden", recognition, note=recognition.hidden_reason)
    notifications.unpost(f"recognition.given:{recognition.pk}")  # not announced in Slack if not yet
    # recognition.tasks calls this module's services: imported here to break that cycle.
    from recognition.tasks import notify_recognition

    enqueue_on_commit(notify_recognition, recognition.pk)
    return recognition


def recipients(recognition):
    if recognition.person_id:
        return [recognition.person]
    return [m.user for m in recognition.team.memberships.select_related("user") if m.user_id != recognition.author_id]


def send_notices(recognition_id):
    """Tell what is due about one recognition, once: the recipients when it is given (and the
    kudos channel), the author when it is hidden. Returns the people told."""
    recognition = Recognition.objects.select_related("team", "person", "author", "hidden_by").get(pk=recognition_id)
    if recognition.hidden_at is not None:
        targets, kind, template = [recognition.author], NoticeKind.HIDDEN, "recognition/email/hidden.txt"
    else:
        targets, kind, template = recipients(recognition), NoticeKind.RECOGNISED, "recognition/email/recognised.txt"
        notifications.post(
            "SLACK_KUDOS_CHANNEL",
            key=f"recognition.given:{recognition.pk}",
            title=f"{_name(recognition.author)} recognised {recognition.recipient_name}",
            text=f"{recognition.get_category_display()}: {recognition.message}",
            url=recognition.get_absolute_url(),
            deliver=False,
        )
    told = 0
    for person in targets:
        with transaction.atomic():
            if not notify.claim(RecognitionNotice, recognition=recognition, kind=kind, recipient=person):
                continue  # already told
            context = {"recognition": recognition, "person": person, "site_url": settings.SITE_URL}
            title = (
                f"{_name(recognition.author)} recognised {'you' if recognition.person_id else recognition.team.name}"
                if kind == NoticeKind.RECOGNISED
                else "Your recognition was hidden"
            )
            told += len(
                notifications.notify(
                    [person],
                    f"recognition.{'received' if kind == NoticeKind.RECOGNISED else 'hidden'}",
                    key=f"recognition.{kind}:{recognition.pk}",
                    title=title,
                    body=render_to_string(template, context),
                    url=recognition.get_absolute_url(),
                    deliver=False,
                )
            )
    delivery.deliver_pending()
    return told


def _name(person):
    return person.get_full_name() or person.get_username()


def reconcile_notices(older_than=timedelta(minutes=2)):
    """Send what an outage held up: recognitions (and hides) with no notice yet."""
    cutoff = timezone.now() - older_than
    due = Recognition.objects.filter(created_at__lte=cutoff, hidden_at__isnull=True).exclude(
        notices__kind=NoticeKind.RECOGNISED
    )
    hidden = Recognition.objects.filter(hidden_at__lte=cutoff).exclude(notices__kind=NoticeKind.HIDDEN)
    return sum(send_notices(pk) for pk in [*due.values_list("pk", flat=True), *hidden.values_list("pk", flat=True)])
