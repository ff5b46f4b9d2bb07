"""Reads for the playbook pages and API: what a person may see, in a constant number of queries."""

from django.shortcuts import get_object_or_404

from playbook import policy
from playbook.models import ReviewCycle, Revision, RevisionState


def revisions(user):
    """The revisions ``user`` may see, with what their pages and the API show of each."""
    queryset = Revision.objects.select_related(
        "section__current",
        "base",
        "author",
        "decided_by",
        "restored_from",
        "prompted_by_review__incident",
        "prompted_by_action__review__incident",
    )
    return policy.with_prompt_visibility(user, policy.visible_revisions(user, queryset))


def revision_or_404(user, pk):
    """A revision ``user`` may see; any other is not found, so counting ids reveals nothing."""
    return get_object_or_404(revisions(user), pk=pk)


def open_revisions(user, section):
    """The section's drafts and submitted revisions that ``user`` may see."""
    queryset = section.revisions.filter(state__in=[RevisionState.DRAFT, RevisionState.SUBMITTED])
    return policy.visible_revisions(user, queryset).select_related("author")


def cycle_to_show(cycles, today, requested=""):
    """The requested one of ``cycles``, else the cycle containing ``today``, else the latest that
    has started, else the first to come: never a future cycle while one is running."""
    chosen = next((cycle for cycle in cycles if str(cycle.pk) == requested), None)
    started = ReviewCycle.objects.filter(starts_on__lte=today).order_by("-starts_on")
    return chosen or started.first() or ReviewCycle.objects.order_by("starts_on").first()
