"""Playbook pages: thin views over playbook/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core import once
from core.errors import Conflict, error_text
from core.forms import add_service_errors
from core.ids import parse_id
from playbook import policy, selectors, services
from playbook.diff import Names, as_text, compare, word_diff
from playbook.forms import (
    DecisionForm,
    RevisionForm,
    TaskActionForm,
    TaskCompleteForm,
    TaskExtendForm,
    TaskReassignForm,
)
from playbook.models import (
    ReviewCycle,
    ReviewTask,
    Revision,
    RevisionState,
    Section,
    SectionContent,
    SectionVersion,
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

        def create():
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
            submitted = revision.state == RevisionState.SUBMITTED
            messages.success(request, "Revision submitted for approval." if submitted else "Revision saved as a draft.")
            return revision, revision.get_absolute_url()

        try:
            return once.landed(request, once.submit(request, create))
        except ValidationError as error:
            add_service_errors(form, error)
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
    can_decide = policy.can_decide_revision(user, revision)
    waiting = revision.state == RevisionState.SUBMITTED and not can_decide
    return render(
        request,
        "playbook/revision_detail.html",
        {
            "revision": revision,
            "rows": compare(old, revision.content()),
            "stale": stale,
            "is_author": policy.can_edit_revision(user, revision),
            "can_decide": can_decide,
            "decides_others": policy.can_decide(user),
            "deciders": list(policy.revision_deciders(revision)) if waiting else [],
            "waiting": waiting,
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
    today = timezone.localdate()
    cycles = list(ReviewCycle.objects.all()[:8])
    chosen = selectors.cycle_to_show(cycles, today, request.GET.get("cycle", ""))
    return render(
        request,
        "playbook/cycle.html",
        {
            "cycles": cycles,
            "cycle": chosen,
            "tasks": list(selectors.cycle_tasks(chosen)) if chosen else [],
            "progress": selectors.cycle_progress(chosen, today) if chosen else {},
            "today": today,
            "runs_cycle": policy.can_run_cycle(request.user),
        },
    )


def _in_cycle(task):
    """The task's row on the cycle page, where the governance owner who runs it works."""
    return f"{reverse('playbook:cycle')}?cycle={task.cycle_id}#task-{task.pk}"


def _name(person):
    return person.get_full_name() or person.get_username()


def _task_page(request, task, *, bound=None, conflict=None, status=200):
    """The task page: its owner's forms, and for a governance owner the forms that run it.
    ``bound`` holds the submitted form (by action) to show again with its errors."""
    bound = bound or {}
    initial = {"version": task.version}
    on_behalf = task.assignee_id != request.user.pk
    runs = policy.can_run_cycle(request.user)
    today = timezone.localdate()
    window = selectors.extension_window(task, today)
    context = {
        "task": task,
        "form": bound.get("complete")
        or TaskCompleteForm(initial=initial, owner=_name(task.assignee) if on_behalf else None),
        "on_behalf": on_behalf,
        "runs_cycle": runs,
        "today": today,
        "conflict": conflict,
    }
    if runs:
        context |= {
            "reassign_form": bound.get("reassign") or TaskReassignForm(initial=initial),
            "extend_form": bound.get("extend") or TaskExtendForm(initial=initial, window=window),
            "remind_form": bound.get("remind") or TaskActionForm(initial=initial),
            "can_extend": window[0] <= window[1],
            "latest_due": window[1],
            "reminded_today": task.reminder_asked_at is not None
            and timezone.localdate(task.reminder_asked_at) == today,
            "cycle_url": _in_cycle(task),
        }
    return render(request, "playbook/task.html", context, status=status)


def task(request, pk):
    task = selectors.task_for_page(pk)
    if not policy.can_complete_task(request.user, task):
        raise PermissionDenied("This review task is assigned to someone else.")
    on_behalf = task.assignee_id != request.user.pk
    if request.method != "POST":
        return _task_page(request, task)
    form = TaskCompleteForm(request.POST, owner=_name(task.assignee) if on_behalf else None)
    return _task_action(request, task, "complete", form, _complete)


def _complete(request, task, data):
    services.task_complete(request.user, task, note=data["note"], version=data["version"])
    if task.assignee_id == request.user.pk:
        return "Review task done: reviewed, no change needed.", task.section.get_absolute_url()
    return f"Marked reviewed on {_name(task.assignee)}'s behalf.", _in_cycle(task)


def _reassign(request, task, data):
    task = services.task_reassign(
        request.user, task, assignee=data["assignee"], version=data["version"], note=data["note"]
    )
    return f"“{task.section}” is now {_name(task.assignee)}'s to review; they are told by mail.", _in_cycle(task)


def _extend(request, task, data):
    task = services.task_extend(request.user, task, due_on=data["due_on"], version=data["version"], note=data["note"])
    return f"“{task.section}” is now due on {task.due_on:%-d %b %Y}.", _in_cycle(task)


def _remind(request, task, data):
    task = services.task_remind(request.user, task, version=data["version"])
    return f"A reminder is on its way to {_name(task.assignee)}.", _in_cycle(task)


# action → (its form, its handler); a handler returns the success message and where to go next.
RUN_ACTIONS = {
    "reassign": (TaskReassignForm, _reassign),
    "extend": (TaskExtendForm, _extend),
    "remind": (TaskActionForm, _remind),
}


@require_POST
def task_action(request, pk, action):
    """A governance owner runs a task: reassign it, extend it or remind its owner now."""
    task = selectors.task_for_page(pk)
    if action not in RUN_ACTIONS:
        raise Http404("Unknown action.")
    if not policy.can_run_cycle(request.user):
        raise PermissionDenied("Only governance owners run the quarterly review.")
    form_class, handler = RUN_ACTIONS[action]
    return _task_action(request, task, action, form_class(request.POST), handler)


def _task_action(request, task, action, form, handler):
    """Validate ``form`` and run ``handler``; show the page again with what went wrong."""
    if form.is_valid():
        try:
            message, target = handler(request, task, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            return _task_page(request, selectors.task_for_page(task.pk), conflict=error, status=409)
        else:
            messages.success(request, message)
            return redirect(target)
    return _task_page(request, task, bound={action: form}, status=400)
