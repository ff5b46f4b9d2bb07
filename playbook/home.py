from django.urls import reverse
from django.utils import timezone

from core.home import Panel
from core.roles import is_governance
from playbook.models import ReviewTask, Revision, RevisionState, TaskState


def panels(request):
    user = request.user
    today = timezone.localdate()
    tasks = list(
        ReviewTask.objects.filter(assignee=user)
        .exclude(state=TaskState.DONE)
        .select_related("section__current", "cycle")
        .order_by("due_on")[:8]
    )
    panels = [
        Panel(
            title="Your playbook review tasks",
            items=[
                (
                    str(t.section),
                    reverse("playbook:task", args=[t.pk]),
                    "Your revision waits for a governance owner"
                    if t.state == TaskState.PENDING
                    else ("Overdue since " if t.due_on < today else "Due ") + f"{t.due_on:%-d %b}",
                )
                for t in tasks
            ],
            empty="No quarterly review task is assigned to you.",
            link=(reverse("playbook:index"), "Read the playbook"),
            tone="attention" if any(t.state == TaskState.OPEN and t.due_on < today for t in tasks) else "",
        )
    ]
    if is_governance(user):
        awaiting = list(
            Revision.objects.filter(state=RevisionState.SUBMITTED).exclude(author=user).select_related("author")[:8]
        )
        panels.insert(
            0,
            Panel(
                title="Revisions awaiting your approval",
                items=[
                    (f"#{r.pk} {r.pattern}", r.get_absolute_url(), f"by {r.author.get_full_name() or r.author}")
                    for r in awaiting
                ],
                empty="No playbook revision is waiting for approval.",
                link=(reverse("playbook:cycle"), "Quarterly cycle"),
                tone="attention" if awaiting else "",
            ),
        )
    return panels
