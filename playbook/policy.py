"""Who may do what with the playbook.

| action                                            | who                               |
|---------------------------------------------------|-----------------------------------|
| read the published playbook and every version     | every signed-in person            |
| see a draft revision (its page, every page and API route under it) | its author and governance owners |
| see a submitted or decided revision               | every signed-in person            |
| propose a revision, edit/submit/withdraw/rebase it | anyone signed in; editing only by its author |
| have a revision refer to a review or its action item | whoever may open that review (reviews/policy.py) |
| read which review and action item prompted a revision | whoever may open that review |
| approve or reject a revision                      | governance owners, never the author (four eyes) |
| see who else may decide a revision they cannot    | every signed-in person who may see it |
| see the quarterly cycle page                      | governance owners                 |
| complete a quarterly review task, or answer it with a revision | its assignee, or a governance owner |
| run the cycle: reassign a task, remind its owner now, extend it, complete it for its owner | governance owners |
| own a quarterly review task                       | every active person               |
"""

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from core.roles import GOVERNANCE, is_governance
from playbook.models import Revision, RevisionState
from reviews import policy as review_policy


def can_propose(user):
    return user.is_authenticated


def can_decide(user):
    return is_governance(user)


def can_decide_revision(user, revision):
    """Four eyes: a governance owner decides on anyone's revision but their own."""
    return can_decide(user) and revision.author_id != user.pk


def revision_deciders(revision):
    """The people who may approve or reject ``revision``: the active governance owners and
    admins (``can_decide``), its author excepted (``can_decide_revision``)."""
    people = get_user_model().objects.filter(is_active=True)
    return (
        people.filter(Q(groups__name=GOVERNANCE) | Q(is_superuser=True))
        .exclude(pk=revision.author_id)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_see_cycle(user):
    return is_governance(user)


def can_run_cycle(user):
    """Reassigning a quarterly task, reminding its owner now, extending its due date and
    completing it on its owner's behalf."""
    return is_governance(user)


def can_own_task(person):
    """A quarterly task goes only to someone who can sign in to do it."""
    return person.is_active


def task_owners():
    """Everyone a quarterly task may be given to (``can_own_task``), as a queryset."""
    return get_user_model().objects.filter(is_active=True)


def sees_every_revision(user):
    return is_governance(user)


def visible_revisions(user, queryset=None):
    """Drafts are seen by their author (and governance owners); the rest by every signed-in person."""
    queryset = Revision.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if sees_every_revision(user):
        return queryset
    return queryset.filter(~Q(state=RevisionState.DRAFT) | Q(author=user))


def can_edit_revision(user, revision):
    """Editing, submitting, withdrawing and rebasing: the author only."""
    return revision.author_id == user.pk


def can_cite_review(user, review):
    """A revision refers only to a review (or an action item of it) its author may open."""
    return review_policy.can_view(user, review)


def with_prompt_visibility(user, queryset):
    """Annotate ``prompt_visible``: may ``user`` open the review that prompted each revision
    (its ``prompted_by_review`` and its action item's review)? True when there is none."""
    reviews = review_policy.visible_reviews(user)
    review_seen = Q(prompted_by_review__isnull=True) | Q(Exists(reviews.filter(pk=OuterRef("prompted_by_review_id"))))
    action_seen = Q(prompted_by_action__isnull=True) | Q(
        Exists(reviews.filter(pk=OuterRef("prompted_by_action__review_id")))
    )
    return queryset.annotate(prompt_visible=ExpressionWrapper(review_seen & action_seen, output_field=BooleanField()))


def can_complete_task(user, task):
    """Closing a quarterly task, as “reviewed, no change needed” or by a revision that answers it."""
    return task.assignee_id == user.pk or is_governance(user)
