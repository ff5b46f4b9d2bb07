"""Reads for the playbook pages and API: what a person may see, in a constant number of queries."""

from django.shortcuts import get_object_or_404

from playbook import policy
from playbook.models import ReviewCycle, Revision, RevisionState, SectionContent

CONTENT = SectionContent.CONTENT_FIELDS


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


def initial_content(section=None, version=None):
    """What editing starts from: the chosen or current published version."""
    source = version or (section.current if section else None)
    if source is None:
        return {"approvals_required": 1, "ownership_map": {}}
    return source.content()


def is_stale(revision):
    if revision.section_id is None:
        return False
    return revision.section.current_id != revision.base_id


def rebase_plan(revision):
    """Per field: what the base had, what the author proposes, what is published now.

    A field the author did not change takes the published value; a field both
    changed is a conflict and keeps the author's value for them to check.
    """
    base = revision.base.content() if revision.base else {}
    current = revision.section.current.content() if revision.section and revision.section.current else {}
    mine = revision.content()
    plan = []
    for field in CONTENT:
        author_changed = mine.get(field) != base.get(field)
        upstream_changed = current.get(field) != base.get(field)
        merged = mine.get(field) if author_changed else current.get(field)
        conflict = author_changed and upstream_changed and mine.get(field) != current.get(field)
        plan.append(
            {
                "field": field,
                "label": Revision._meta.get_field(field).verbose_name,
                "base": base.get(field),
                "mine": mine.get(field),
                "current": current.get(field),
                "merged": merged,
                "author_changed": author_changed,
                "upstream_changed": upstream_changed,
                "conflict": conflict,
            }
        )
    return plan
