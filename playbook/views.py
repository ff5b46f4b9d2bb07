"""Playbook pages: thin views over playbook/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.errors import Conflict, error_text
from core.forms import add_service_errors
from core.ids import parse_id
from playbook import policy, selectors, services
from playbook.diff import Names, as_text, compare, word_diff
from playbook.forms import DecisionForm, RevisionForm, TaskCompleteForm
from playbook.models import (
    ReviewCycle,
    ReviewTask,
    Revision,
    RevisionState,
    Section,
    SectionContent,
    SectionVersion,
    TaskState,
)
from reviews.models import ActionItem, ActionKind

SEARCH_FIELDS = ("pattern", "change_authority", *SectionContent.MARKDOWN_FIELDS)


@require_safe
def index(request):
    q = request.GET.get("q", "").strip()
    sections = Section.objects.filter(is_active=True, current__isnull=False).select_related("current", "owner")
    if q:
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"current__{field}__icontains": q})
        sections = sections.filter(match)
    sections = sections.order_by("current__pattern")
    awaiting = Revision.objects.filter(state=RevisionState.SUBMITTED).count() if policy.can_decide(request.user) else 0
    mine = Revision.objects.filter(
        author=request.user, state__in=[RevisionState.DRAFT, RevisionState.SUBMITTED]
    ).count()
    return render(
        request,
        "playbook/index.html",
        {
            "sections": sections,
            "q": q,
            "awaiting": awaiting,
            "mine": mine,
            "can_decide": policy.can_decide(request.user),
        },
    )


def _section(slug):
    return get_object_or_404(Section.objects.select_related("current", "owner"), slug=slug, current__isnull=False)


@require_safe
def section(request, slug, number=None):
    section = _section(slug)
    if number is None:
        version = section.current
    else:
        version = get_object_or_404(
            SectionVersion.objects.select_related("published_by"), section=section, number=number
        )
    versions = list(section.versions.select_related("published_by", "revision__author").order_by("-number"))
    return render(
        request,
        "playbook/section.html",
        {
            "section": section,
            "version": version,
            "is_current": version.pk == section.current_id,
            "versions": versions,
            "open_revisions": selectors.open_revisions(request.user, section),
            "ownership": Names(version.content()).ownership_lines(version.ownership_map).split("\n"),
        },
    )


@require_safe
def compare_versions(request, slug):
    section = _section(slug)
    versions = {v.number: v for v in section.versions.all()}
    try:
        a = versions[int(request.GET.get("a", section.current.number - 1 or 1))]
        b = versions[int(request.GET.get("b", section.current.number))]
    except (KeyError, ValueError):
        raise Http404("No such version.") from None
    return render(
        request,
        "playbook/compare.html",
        {
            "section": section,
            "a": a,
            "b": b,
            "rows": compare(a.content(), b.content()),
            "numbers": sorted(versions, reverse=True),
            "left": f"Version {a.number}",
            "right": f"Version {b.number}",
        },
    )


@require_POST
def restore(request, slug, number):
    section = _section(slug)
    version = get_object_or_404(SectionVersion, section=section, number=number)
    try:
        revision = services.version_restore(request.user, version)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(version)
    messages.success(request, f"A revision restoring version {number} was created as a draft. Submit it for approval.")
    return redirect(revision)


def propose(request, slug=None):
    section = _section(slug) if slug else None
    action = None
    task = None
    if action_id := parse_id(request.GET.get("action")):
        action = (
            ActionItem.objects.filter(pk=action_id, kind=ActionKind.PLAYBOOK_CHANGE)
            .select_related("review__incident")
            .first()
        )
    if task_id := parse_id(request.GET.get("task")):
        task = ReviewTask.objects.filter(pk=task_id, section=section).select_related("cycle").first()
        task = task if task is not None and policy.can_complete_task(request.user, task) else None
    action_visible = action is not None and policy.can_cite_review(request.user, action.review)
    initial = selectors.initial_content(section)
    if action_visible:
        # The revision is read by everyone once submitted: never the review's title, which may be a draft's.
        initial["rationale"] = "From a post-incident review's action item: "
    if task is not None:
        initial["rationale"] = f"Quarterly review ({task.cycle}): "
    form = RevisionForm(request.POST or None, initial=initial, new_section=section is None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.revision_create(
                request.user,
                section=section,
                content=form.content(),
                rationale=form.cleaned_data["rationale"],
                new_slug=form.cleaned_data.get("new_slug", ""),
                new_owner=form.cleaned_data.get("new_owner"),
                prompted_by_action=action,
                review_task=task,
                submit="submit" in request.POST,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Revision submitted for approval."
                if revision.state == RevisionState.SUBMITTED
                else "Revision saved as a draft.",
            )
            return redirect(revision)
    return render(
        request,
        "playbook/revision_form.html",
        {
            "form": form,
            "section": section,
            "action": action,
            "action_visible": action_visible,
            "task": task,
            "creating": True,
        },
        status=400 if form.errors else 200,
    )


@require_safe
def revision_detail(request, pk):
    return _render_revision(request, pk)


def _render_revision(request, pk, decision_form=None, status=200, error=None):
    revision = selectors.revision_or_404(request.user, pk)
    old = revision.base.content() if revision.base else {}
    stale = selectors.is_stale(revision)
    user = request.user
    return render(
        request,
        "playbook/revision_detail.html",
        {
            "revision": revision,
            "rows": compare(old, revision.content()),
            "stale": stale,
            "is_author": policy.can_edit_revision(user, revision),
            "can_decide": policy.can_decide_revision(user, revision),
            "decision_form": decision_form or DecisionForm(),
            "error": error,
        },
        status=status,
    )


def revision_edit(request, pk):
    revision = selectors.revision_or_404(request.user, pk)
    if not policy.can_edit_revision(request.user, revision):
        raise PermissionDenied("Only the author edits a revision.")
    if not revision.is_open:
        messages.info(request, "This revision can no longer change.")
        return redirect(revision)
    form = RevisionForm(
        request.POST or None, instance=revision, initial={"version": revision.version}, new_section=False
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.revision_update(
                request.user,
                revision,
                version=form.cleaned_data["version"],
                content=form.content(),
                rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            conflict = error
        else:
            messages.success(request, "Revision saved.")
            return redirect(revision)
    return render(
        request,
        "playbook/revision_form.html",
        {"form": form, "section": revision.section, "revision": revision, "conflict": conflict, "creating": False},
        status=409 if conflict else (400 if form.errors else 200),
    )


def _submit(request, revision, form):
    services.revision_submit(request.user, revision)
    messages.success(request, "Submitted for approval by a governance owner.")
    return revision


def _withdraw(request, revision, form):
    services.revision_withdraw(request.user, revision)
    messages.success(request, "Revision withdrawn.")
    return revision


def _approve(request, revision, form):
    data = form.cleaned_data
    version = services.revision_approve(
        request.user,
        revision,
        comment=data.get("comment", ""),
        attest_regulatory=data.get("attest_regulatory", False),
        attest_blameless=data.get("attest_blameless", False),
    )
    messages.success(request, f"Approved and published as version {version.number}.")
    return version.section


def _reject(request, revision, form):
    services.revision_reject(request.user, revision, comment=form.cleaned_data.get("comment", ""))
    messages.success(request, "Revision rejected; the author is told why.")
    return revision


def _rebase(request, revision, form):
    conflicts = services.revision_rebase(request.user, revision)
    if conflicts:
        messages.warning(
            request,
            "Rebased. You and the published version both changed: "
            + ", ".join(conflicts)
            + ". Your text was kept there; check it before submitting.",
        )
    else:
        messages.success(request, "Rebased onto the published version; your changes were carried over.")
    return revision


# action → (handler, whether it is a decision with its form); a handler returns where to go next.
ACTIONS = {
    "submit": (_submit, False),
    "withdraw": (_withdraw, False),
    "approve": (_approve, True),
    "reject": (_reject, True),
    "rebase": (_rebase, False),
}


@require_POST
def revision_action(request, pk, action):
    revision = selectors.revision_or_404(request.user, pk)
    if action not in ACTIONS:
        raise Http404("Unknown action.")
    handler, decision = ACTIONS[action]
    form = DecisionForm(request.POST) if decision else None
    if form is not None:
        form.is_valid()
    try:
        target = handler(request, revision, form)
    except ValidationError as error:
        # Decisions show their errors on the decision form; other actions above the page.
        if form is not None:
            add_service_errors(form, error)
        return _render_revision(
            request, pk, decision_form=form, status=400, error=None if form is not None else error_text(error)
        )
    return redirect(target)


def rebase_view(request, pk):
    if request.method == "POST":
        return revision_action(request, pk, "rebase")
    revision = selectors.revision_or_404(request.user, pk)
    if not policy.can_edit_revision(request.user, revision):
        raise PermissionDenied("Only the author rebases a revision.")
    if not selectors.is_stale(revision):
        messages.info(request, "This revision is already based on the published version.")
        return redirect(revision)
    plan = [row for row in selectors.rebase_plan(revision) if row["author_changed"] or row["upstream_changed"]]
    names = Names(
        revision.content(), revision.base.content() if revision.base else {}, revision.section.current.content()
    )
    for row in plan:
        row["upstream_html"] = word_diff(
            as_text(row["field"], row["base"], names), as_text(row["field"], row["current"], names)
        )[1]
        row["mine_html"] = word_diff(
            as_text(row["field"], row["base"], names), as_text(row["field"], row["mine"], names)
        )[1]
    return render(request, "playbook/rebase.html", {"revision": revision, "plan": plan})


@require_safe
def revision_list(request):
    revisions = policy.visible_revisions(request.user, Revision.objects.select_related("section__current", "author"))
    revisions = revisions.order_by("-updated_at")
    awaiting = revisions.filter(state=RevisionState.SUBMITTED) if policy.can_decide(request.user) else revisions.none()
    mine = revisions.filter(author=request.user)
    recent = revisions.filter(state__in=[RevisionState.APPROVED, RevisionState.REJECTED])[:20]
    return render(request, "playbook/revision_list.html", {"awaiting": awaiting, "mine": mine, "recent": recent})


@require_safe
def cycle(request):
    if not policy.can_see_cycle(request.user):
        raise PermissionDenied("The quarterly cycle page is for governance owners.")
    cycles = list(ReviewCycle.objects.all()[:8])
    chosen = selectors.cycle_to_show(cycles, timezone.localdate(), request.GET.get("cycle", ""))
    tasks = []
    progress = {}
    if chosen:
        tasks = list(
            chosen.tasks.select_related("section__current", "assignee")
            .prefetch_related("revisions")
            .order_by("due_on", "section__slug")
        )
        counts = chosen.tasks.aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=TaskState.DONE)),
            pending=Count("pk", filter=Q(state=TaskState.PENDING)),
            overdue=Count("pk", filter=~Q(state=TaskState.DONE) & Q(due_on__lt=timezone.localdate())),
        )
        progress = counts | {"percent": round(100 * counts["done"] / counts["total"]) if counts["total"] else 0}
    return render(
        request,
        "playbook/cycle.html",
        {"cycles": cycles, "cycle": chosen, "tasks": tasks, "progress": progress, "today": timezone.localdate()},
    )


def task(request, pk):
    task = get_object_or_404(ReviewTask.objects.select_related("section__current", "assignee", "cycle"), pk=pk)
    if not policy.can_complete_task(request.user, task):
        raise PermissionDenied("This review task is assigned to someone else.")
    form = TaskCompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_complete(request.user, task, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review task done: reviewed, no change needed.")
            return redirect(task.section)
    return render(request, "playbook/task.html", {"task": task, "form": form}, status=400 if form.errors else 200)
