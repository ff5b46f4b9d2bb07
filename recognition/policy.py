"""Who may do what on the recognition board.

| action                                   | who                                             |
|------------------------------------------|-------------------------------------------------|
| read the board                           | every signed-in person (hidden ones: governance) |
| see the review a recognition refers to   | whoever may see that review (reviews.policy)     |
| give a recognition                       | anyone signed in; not to themself or own team   |
| second a recognition                     | anyone signed in, once, never their own          |
| hide a recognition (with a reason)       | governance owners                                |
"""

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.roles import is_governance
from reviews import policy as review_policy


def can_give(user):
    return user.is_authenticated


def can_hide(user):
    return is_governance(user)


def review_visible(user):
    """For a recognition queryset: whether ``user`` may see the review each refers to
    (False when it refers to none). A scalar subquery per row shown, not EXISTS: PostgreSQL
    may answer an EXISTS by hashing every visible review first, which grows with them."""
    if review_policy.sees_every_review(user):
        return ExpressionWrapper(Q(review__isnull=False), output_field=BooleanField())
    visible = review_policy.visible_reviews(user).filter(pk=OuterRef("review_id")).values(yes=Value(True))[:1]
    return Coalesce(Subquery(visible, output_field=BooleanField()), Value(False))


def can_see_review(user, recognition):
    """Whether ``user`` may see the review ``recognition`` refers to. Reads the
    ``review_visible`` annotation of ``selectors.board`` when the row has it."""
    if recognition.review_id is None:
        return False
    annotated = getattr(recognition, "review_visible", None)
    if annotated is not None:
        return annotated
    return review_policy.can_view(user, recognition.review)
