"""Who may do what with reviews. Pages, the API and tasks all ask here.

| action                                   | who                                              |
|------------------------------------------|--------------------------------------------------|
| see a draft / in-review review            | facilitators, its participants, its action owners |
| see a published review                   | every signed-in person                           |
| create a review; edit the incident, roles,| facilitators                                     |
| timeline, narrative, findings, action     |                                                  |
| items; invite; move states; consolidate;  |                                                  |
| amend; dismiss language hits              |                                                  |
| submit and edit scores                   | the participant themself, while in review        |
| mark an action item done or dropped      | its owner, or a facilitator                      |
| see the consolidated scores and the      | facilitators; a participant after submitting     |
| clarity score before publication         | their own scores                                 |
| read an audit event's text about a review | whoever may see that review (others: redacted)   |
"""

import re

from django.db.models import Exists, OuterRef, Q

from core.roles import is_facilitator
from reviews.models import ActionItem, Participant, Review, ReviewState

PUBLIC_STATES = (ReviewState.PUBLISHED, ReviewState.AMENDED)
REVIEW_ADDRESS = re.compile(r"^/reviews/([0-9]{1,18})/")


def sees_every_review(user):
    return is_facilitator(user)


def visibility_scope(user):
    """Whose view of the reviews this is, for a cache key: everyone who sees every review shares one."""
    return "all" if sees_every_review(user) else f"user-{user.pk}"


def visible_reviews(user, queryset=None):
    queryset = Review.objects.all() if queryset is None else queryset
    if sees_every_review(user):
        return queryset
    participating = Participant.objects.filter(review=OuterRef("pk"), user=user)
    owning = ActionItem.objects.filter(review=OuterRef("pk"), owner=user)
    return queryset.filter(Q(state__in=PUBLIC_STATES) | Q(Exists(participating)) | Q(Exists(owning)))


def can_view(user, review):
    return (
        review.state in PUBLIC_STATES
        or is_facilitator(user)
        or review.participants.filter(user=user).exists()
        or review.action_items.filter(owner=user).exists()
    )


def can_create(user):
    return is_facilitator(user)


def can_manage(user, review=None):
    return is_facilitator(user)


def is_participant(user, review):
    """Scoring is the participants' own: only they give and see their scores."""
    return review.participants.filter(user=user).exists()


def can_score(user, review):
    return review.state == ReviewState.IN_REVIEW and is_participant(user, review)


def can_update_action(user, item):
    return item.owner_id == user.pk or is_facilitator(user)


def can_see_consolidation(user, review, *, submitted):
    """Scoring is blind until publication: the consolidated figures and the clarity score
    show to a participant only once they submitted their own (``submitted``: whether
    ``user`` did, which the caller has already read)."""
    return review.is_public or is_facilitator(user) or bool(submitted)


def consolidation_visible(user, submitted):
    """``can_see_consolidation`` as a query condition over reviews, for lists; ``submitted`` is an
    expression saying whether ``user`` submitted their scores on the row's review."""
    if is_facilitator(user):
        return Q(pk__isnull=False)
    return Q(state__in=PUBLIC_STATES) | Q(submitted)


def hidden_audit_events(user, events):
    """The ids of audit ``events`` about a review ``user`` may not open (its incident, roles,
    timeline, findings and action items are recorded with the review's address)."""
    if sees_every_review(user):
        return set()
    about = {}
    for event in events:
        match = REVIEW_ADDRESS.match(event.subject_url or "")
        if match:
            about[event.pk] = int(match[1])
    visible = set(visible_reviews(user).filter(pk__in=set(about.values())).values_list("pk", flat=True))
    return {event_id for event_id, review_id in about.items() if review_id not in visible}
