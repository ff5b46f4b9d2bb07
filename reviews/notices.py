"""Who is told what when a review moves (core.notifications): called by reviews.services inside
the transaction of the change, so the notice and the change commit together.

Everyone told here may see what they are told about: participants and action-item owners see
their review (reviews.policy.visible_reviews), published reviews are seen by all staff, and
facilitators see every review.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from core.models import Notification
from core.notifications import notify, post
from reviews import policy


def topic(review):
    return f"review:{review.pk}"


def _title(review):
    return review.incident.title


def invited(user, participant):
    review = participant.review
    if review.scoring_opened_at and review.state == "in_review":
        scoring = " Scoring is open: score the six ownership-clarity questions on your own."
    else:
        scoring = " You can score once the facilitator opens scoring."
    notify(
        [participant.user],
        "review.invited",
        key=f"review.invited:{participant.pk}",
        title=f"You are invited to the review of “{_title(review)}”",
        body=f"{_name(user)} invited you to the blameless review of “{_title(review)}”.{scoring}",
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )


def withdrawn(person, review):
    """Someone who may no longer see the review keeps nothing of it in their inbox."""
    if not policy.can_view(person, review):
        Notification.objects.filter(recipient=person, topic=topic(review)).delete()


def scoring_opened(user, review):
    people = [p.user for p in review.participants.select_related("user").filter(submitted_at__isnull=True)]
    notify(
        people,
        "review.started",
        key=f"review.started:{review.pk}:{review.scoring_opened_at.isoformat()}",
        title=f"Scoring is open on “{_title(review)}”",
        body=(
            f"{_name(user)} opened scoring on the review of “{_title(review)}”. Score each of the six "
            "ownership-clarity questions from 1 to 5 with a short note of what you saw."
        ),
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )


def score_reminder(review, participants, days):
    for participant in participants:
        notify(
            [participant.user],
            "review.score_reminder",
            key=f"review.score_reminder:{participant.pk}:{review.scoring_opened_at.isoformat()}",
            title=f"Your scores for “{_title(review)}” are still missing",
            body=f"Scoring opened on the review of “{_title(review)}” {days} days ago and yours are not in yet.",
            url=review.get_absolute_url(),
            topic=topic(review),
            deliver=False,
        )


def _audience(review):
    """The review's participants and the members of the team that owns the incident."""
    team = Q(memberships__team_id=review.incident.team_id) if review.incident.team_id else Q(pk__in=[])
    return list(get_user_model().objects.filter(Q(participations__review=review) | team).distinct())


def published(user, review):
    title = _title(review)
    notify(
        _audience(review),
        "review.published",
        key=f"review.published:{review.pk}",
        title=f"The review of “{title}” was published",
        body=f"{_name(user)} published the review of “{title}”. Clarity score: {_score(review)}.",
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )
    if not review.is_exercise:
        post(
            "SLACK_REVIEWS_CHANNEL",
            key=f"review.published:{review.pk}",
            title=f"Review published: {title}",
            text=f"Ownership clarity {_score(review)}. Facilitated by {_name(review.facilitator)}.",
            url=review.get_absolute_url(),
        )


def amended(user, review, number, reason):
    notify(
        _audience(review),
        "review.amended",
        key=f"review.amended:{review.pk}:{number}",
        title=f"The review of “{_title(review)}” was amended",
        body=f"{_name(user)} amended the published review of “{_title(review)}”: {reason}",
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )


def action_assigned(user, item):
    review = item.review
    notify(
        [item.owner],
        "action_item.assigned",
        key=f"action_item.assigned:{item.pk}:{item.owner_id}",
        title=f"Action item for you: {item.title}",
        body=(
            f"{_name(user)} gave you an action item from the review of “{_title(review)}”, "
            f"due {item.due_on:%-d %B %Y}: {item.title}"
        ),
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )


def action_closed(user, item):
    review = item.review
    verb = "done" if item.state == "done" else "dropped"
    reason = f" ({item.dropped_reason})" if item.dropped_reason else ""
    notify(
        [review.facilitator, item.owner],
        "action_item.done",
        key=f"action_item.done:{item.pk}:{item.version}",
        title=f"Action item {verb}: {item.title}",
        body=f"{_name(user)} marked “{item.title}” {verb}{reason}, from the review of “{_title(review)}”.",
        url=review.get_absolute_url(),
        topic=topic(review),
        actor=user,
    )


def _name(person):
    return person.get_full_name() or person.get_username() if person else "Baton"


def _score(review):
    return "not scored" if review.clarity_score is None else f"{review.clarity_score:.0f}/100"
