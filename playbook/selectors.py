"""Reads for the playbook pages and API: what a person may see, in a constant number of queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from playbook import policy
from playbook.models import ReviewCycle, ReviewTask, Revision, RevisionState, SectionContent, TaskState

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


def cycle_tasks(cycle):
    """The cycle's tasks in due order, with what the cycle page shows of each."""
    return (
        cycle.tasks.select_related("section__current", "assignee", "completed_by", "reassigned_by", "reminder_asked_by")
        .prefetch_related("revisions")
        .order_by("due_on", "section__slug")
    )


def cycle_progress(cycle, today):
    """How far the cycle is: tasks in all, done, with a revision pending, overdue (open past their due
    date: a pending one waits on a governance owner, not its owner); and the percentage done."""
    counts = cycle.tasks.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=TaskState.DONE)),
        pending=Count("pk", filter=Q(state=TaskState.PENDING)),
        overdue=Count("pk", filter=Q(state=TaskState.OPEN, due_on__lt=today)),
    )
    return counts | {"percent": round(100 * counts["done"] / counts["total"]) if counts["total"] else 0}


def task_for_page(pk):
    return get_object_or_404(
        ReviewTask.objects.select_related(
            "section__current", "assignee", "cycle", "completed_by", "reassigned_by", "reminder_asked_by"
        ),
        pk=pk,
    )


def extension_window(task, today):
    """The days ``task`` may be extended to: after its due date and not in the past, and no later
    than the day next quarter's tasks fall due (its quarter's end plus PLAYBOOK_TASK_DUE_DAYS)."""
    earliest = max(task.due_on + timedelta(days=1), today)
    latest = task.cycle.ends_on + timedelta(days=settings.PLAYBOOK_TASK_DUE_DAYS)
    return earliest, latest


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
