"""Review pages: thin views over reviews/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from core import notifications, once
from core.durations import format_duration
from core.errors import Conflict, error_text
from core.forms import add_service_errors
from core.fragments import fragment
from core.paging import CappedPaginator
from core.people import PersonChoiceField, name_of, people
from reviews import language, notices, policy, selectors, services
from reviews import provenance as review_provenance
from reviews.filters import ReviewFilter
from reviews.forms import (
    ActionItemCorrectionForm,
    ActionItemForm,
    ActionStateForm,
    AmendForm,
    DismissForm,
    FindingCorrectionForm,
    FindingForm,
    IncidentForm,
    InviteForm,
    RoleAssignmentForm,
    RoleCorrectionForm,
    RoleEndForm,
    ScoreForm,
    TimelineEntryCorrectionForm,
    TimelineEntryForm,
)
from reviews.models import (
    ActionItem,
    ActionState,
    Finding,
    Participant,
    Review,
    ReviewState,
    RoleAssignment,
    TimelineEntry,
)


def _url(review, anchor="", keep_open="", stay=False):
    """The review page at ``anchor``; ``keep_open`` names the form to show open again, so a
    facilitator recording several roles or entries does not reopen it each time; ``stay`` keeps
    the section at ``anchor`` unfolded, as the one the facilitator is working in."""
    query = urlencode({key: value for key, value in (("open", keep_open), ("at", stay and anchor)) if value})
    return (
        reverse("reviews:detail", args=[review.pk]) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")
    )


def _to(review, anchor="", keep_open="", stay=False):
    return redirect(_url(review, anchor, keep_open, stay))


#: The forms of the review page that can be kept open after a save, and their sections.
KEEP_OPEN = {"role": "ownership", "entry": "timeline", "action": "actions"}


CHECKED_TEXT = ("narrative", "what", "text", "handover_note")


def _warn_language(request, review, saved, before=None):
    """The server-side blameless check after a save: it warns, never blocks, and speaks only of
    the text just saved (``saved``: the form's cleaned data), and only when it changed from
    ``before`` — a banner after every unrelated save teaches people to ignore it."""
    texts = [
        value
        for field, value in saved.items()
        if field in CHECKED_TEXT and isinstance(value, str) and value != (before or {}).get(field)
    ]
    if not texts:
        return
    page = selectors.review_for_page(review.pk)
    names = selectors.people_names(page)
    dismissed = {d.phrase for d in page.dismissals.all()}
    hits = [hit for text in texts for hit in language.check(text, names) if hit.phrase.lower() not in dismissed]
    if hits:
        phrases = ", ".join(f"“{hit.phrase}”" for hit in hits[:3])
        messages.warning(
            request,
            f"Saved. The blameless language check found {len(hits)} phrase{'s' if len(hits) != 1 else ''} in what "
            f"you wrote that may read as blame ({phrases}). See the suggestions under “Language check”.",
        )


# List and create ------------------------------------------------------------


@require_safe
def review_list(request):
    filterset = ReviewFilter(request.GET or None, queryset=selectors.review_list(request.user))
    valid = not filterset.is_bound or filterset.is_valid()
    # Invalid filters: the errors show; the list stays as without filters.
    queryset = filterset.qs if valid else filterset.queryset.filter(archived_at__isnull=True)
    query = request.GET.copy()
    query.pop("page", None)
    can_create = policy.can_create(request.user)
    filtered = any(value for key, value in request.GET.items() if key != "page")

    def rows():
        page = CappedPaginator(queryset, 25).get_page(request.GET.get("page"))
        context = {"page": page, "query": query.urlencode(), "filtered": filtered, "can_create": can_create}
        return render_to_string("reviews/review_list_rows.html", context)

    parameters = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    key = [policy.visibility_scope(request.user), can_create, valid, parameters]
    return render(
        request,
        "reviews/review_list.html",
        {
            "filter": filterset,
            "rows": fragment(request, "review-list", key, rows),
            "can_create": can_create,
            "filtered": filtered,
            "more_filters": sum(1 for key, value in request.GET.items() if value and key not in ("page", "q")),
        },
    )


def review_create(request):
    if not policy.can_create(request.user):
        raise PermissionDenied("Only facilitators create reviews.")
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident_values = {field: data[field] for field in form.Meta.fields}

        def create():
            review = services.review_create(
                request.user, is_exercise=data["is_exercise"], narrative=data["narrative"], **incident_values
            )
            messages.success(request, "Review created as a draft. Next: record who owned what, and build the timeline.")
            _warn_language(request, review, data)
            return review, review.get_absolute_url()

        try:
            return once.landed(request, once.submit(request, create))
        except ValidationError as error:
            add_service_errors(form, error)
    status = 400 if form.errors else 200
    return render(request, "reviews/review_form.html", {"form": form, "creating": True}, status=status)


# The review page ------------------------------------------------------------


@require_safe
def review_detail(request, pk):
    review = selectors.review_or_404(request.user, pk, for_page=True)
    return _render_detail(request, review, **_unstash(request, review))


# The page's own forms, with their keyword arguments: a form that fails is shown again after a
# redirect (post/redirect/get), so Back and reload never land on a page that answered a POST.
PAGE_FORMS = {
    "role_form": (RoleAssignmentForm, lambda review: {"prefix": "role"}),
    "entry_form": (TimelineEntryForm, lambda review: {"prefix": "entry"}),
    "invite_form": (InviteForm, lambda review: {"prefix": "invite", "review": review}),
    "finding_form": (FindingForm, lambda review: {"prefix": "finding"}),
    "action_form": (ActionItemForm, lambda review: {"prefix": "action", "review": review}),
    "score_form": (ScoreForm, lambda review: {}),
}
STASH = "reviews.unsaved"


def _again(request, review, anchor, keep_open="", **forms):
    """Keep what was typed and what was wrong with it in the session, and show the review page
    again with it (once). ``forms``: PAGE_FORMS by their key (only the form's own fields are
    kept), or plain messages. One stash per review, so another tab's review keeps its own."""
    stash = {}
    for key, value in forms.items():
        if key in PAGE_FORMS:
            own = {value.add_prefix(name) for name in value.fields}
            data = {name: values for name, values in value.data.lists() if name in own}
            stash[key] = {"data": data, "errors": value.errors.get_json_data()}
        else:
            stash[key] = value
    stashes = request.session.get(STASH) or {}
    stashes[str(review.pk)] = stash
    request.session[STASH] = stashes
    return _to(review, anchor, keep_open if keep_open in KEEP_OPEN else "", stay=True)


def _unstash(request, review):
    stashes = request.session.get(STASH)
    if not isinstance(stashes, dict) or str(review.pk) not in stashes:
        return {}
    stash = stashes.pop(str(review.pk))
    request.session[STASH] = stashes
    try:
        return _rebuilt(review, stash)
    except (AttributeError, KeyError, TypeError, ValueError):  # a stash from another version of the page
        return {}


def _rebuilt(review, stash):
    forms = {}
    for key, value in stash.items():
        if key in PAGE_FORMS:
            form_class, kwargs = PAGE_FORMS[key]
            form = form_class(MultiValueDict(value["data"]), **kwargs(review))
            form.is_valid()
            for field, errors in value["errors"].items():  # the services' errors, which a form cannot redo
                for error in errors:
                    target = None if field == "__all__" else field
                    if error["message"] not in form.errors.get(field or "__all__", []):
                        form.add_error(target if target in form.fields else None, error["message"])
            forms[key] = form
        elif key in ("action_error", "transition_error"):
            forms[key] = value
    return forms


def _render_detail(request, review, status=200, **forms):
    user = request.user
    manage = policy.can_manage(user, review)
    scoring = selectors.scoring(review, user)
    editable = review.is_editable and manage
    ownership, timeline, provenance = _with_provenance(request, review)
    metrics = selectors.metrics_for(review.incident)
    kinds = selectors.timeline_kinds(timeline)
    shown_kind = request.GET.get("kind", "")
    if shown_kind not in {kind for kind, _, _ in kinds}:
        shown_kind = ""
    actions = list(review.action_items.all())
    language = selectors.language_report(review) if manage else []
    keep_open = request.GET.get("open", "")
    keep_open = keep_open if keep_open in KEEP_OPEN else ""
    # The section the facilitator is working in stays unfolded: where a save or a correction
    # landed, the form kept open, the timeline being filtered, the action refused.
    working_in = {request.GET.get("at", ""), KEEP_OPEN.get(keep_open, "")}
    if shown_kind:
        working_in.add("timeline")
    if forms.get("action_error"):
        working_in.add("actions")
    context = {
        "review": review,
        "incident": review.incident,
        "manage": manage,
        "editable": editable,
        "ownership": ownership,
        "core_roles": [role for role in ownership if role.core],
        "timeline": [item for item in timeline if item.kind == shown_kind] if shown_kind else timeline,
        "timeline_count": len(timeline),
        "timeline_kinds": kinds,
        "shown_kind": shown_kind,
        "provenance": provenance,
        "metrics": [(m, format_duration(m.value) if m.key != "satisfaction" else m.value) for m in metrics],
        "glance_metrics": [
            (m, format_duration(m.value), selectors.SHORT_METRIC_NAMES[m.key])
            for m in metrics
            if m.key in selectors.SHORT_METRIC_NAMES
        ],
        "next_step": selectors.next_step(
            review, user, manage=manage, scoring=scoring, ownership=ownership, metrics=metrics
        ),
        "scoring": scoring,
        "findings": list(review.findings.all()),
        "actions": actions,
        "texts": list(review.texts.all()),
        "language": language,
        "dismissals": list(review.dismissals.all()),
        "action_states": ActionState.choices,
        "can_recognise": manage or scoring["mine"] is not None,
        "muted": notifications.is_muted(user, notices.topic(review)),
        "keep_open": keep_open,
        # While the facilitator works, a finished section folds to its summary (not the one they
        # are working in); readers see it all.
        "folded": {
            section: done
            for section, done in {
                "ownership": not any(role.core and role.is_gap for role in ownership),
                "timeline": review.state == ReviewState.IN_REVIEW
                and all(m.value is not None for m in metrics if m.key != "satisfaction"),
                "actions": bool(actions) and all(item.state != ActionState.OPEN for item in actions),
                "language": not language,
            }.items()
            if section not in working_in
        }
        if editable
        else {},
    }
    if editable:
        context.setdefault("role_form", forms.get("role_form") or RoleAssignmentForm(prefix="role"))
        context["entry_form"] = forms.get("entry_form") or TimelineEntryForm(prefix="entry")
        context["invite_form"] = forms.get("invite_form") or InviteForm(prefix="invite", review=review)
        context["finding_form"] = forms.get("finding_form") or FindingForm(prefix="finding")
    if manage:
        context["action_form"] = forms.get("action_form") or ActionItemForm(prefix="action", review=review)
        context["dismiss_form"] = DismissForm()
    if scoring["mine"] is not None and review.state == ReviewState.IN_REVIEW:
        context["score_form"] = forms.get("score_form") or ScoreForm(initial_scores=scoring["my_scores"])
    context["action_error"] = forms.get("action_error")
    context["transition_error"] = forms.get("transition_error")
    return render(request, "reviews/review_detail.html", context, status=status)


def _with_provenance(request, review):
    """The ownership table and the timeline, each fact marked with the tool it came from."""
    provenance = review_provenance.for_review(request, review)
    ownership = selectors.ownership(review.incident)
    for role in ownership:
        role.reported = provenance.reported.get(f"role:{role.role}", [])
        for assignment in role.history:
            assignment.origin = provenance.assignments.get(assignment.pk)
    timeline = selectors.timeline(review.incident)
    for item in timeline:
        if item.source == "entry":
            item.origin = provenance.entries.get(item.entry.pk)
        elif item.source == "milestone":
            item.origin = provenance.milestones.get(item.key)
            item.reported = provenance.reported.get(item.key, [])
        else:
            item.origin = provenance.assignments.get(item.key.pk)
    return ownership, timeline, provenance


def _managed(request, pk):
    review = selectors.review_or_404(request.user, pk, for_page=True)
    if not policy.can_manage(request.user, review):
        raise PermissionDenied("Only facilitators change this review.")
    return review


def _post_form(request, pk, key, anchor, action, success):
    """Validate the page form ``key`` from POST, run ``action(review, cleaned_data)``; on
    error show the review page again with the form, what was typed and what is wrong.
    After a save the same form stays open for the next one."""
    review = _managed(request, pk)
    form_class, form_kwargs = PAGE_FORMS[key]
    form = form_class(request.POST, **form_kwargs(review))
    keep_open = key.removesuffix("_form")
    if form.is_valid():

        def save():
            created = action(review, form.cleaned_data)
            messages.success(request, success)
            _warn_language(request, review, form.cleaned_data)
            return created, _url(review, anchor, keep_open if keep_open in KEEP_OPEN else "")

        try:
            return once.landed(request, once.submit(request, save))
        except ValidationError as error:
            add_service_errors(form, error)
    return _again(request, review, anchor, keep_open=keep_open, **{key: form})


@require_POST
def assign_role(request, pk):
    return _post_form(
        request,
        pk,
        "role_form",
        "ownership",
        lambda review, data: services.role_assign(request.user, review.incident, **data),
        "Role assignment recorded.",
    )


def _assignment(request, pk, assignment_pk):
    """A role assignment of a review the user manages, or 404."""
    review = _managed(request, pk)
    return review, get_object_or_404(
        RoleAssignment.objects.select_related("person"), pk=assignment_pk, incident=review.incident
    )


def role_correct(request, pk, assignment_pk):
    """Correct a recorded assignment, end it with no successor, or remove it."""
    review, assignment = _assignment(request, pk, assignment_pk)
    form = RoleCorrectionForm(request.POST if request.method == "POST" else None, instance=assignment)
    end_form = RoleEndForm(prefix="end")
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            services.role_correct(request.user, assignment, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Role assignment corrected; the metrics follow it.")
            _warn_language(request, review, values, before=form.initial)
            return _to(review, "ownership", stay=True)
    context = {"review": review, "assignment": assignment, "form": form, "end_form": end_form}
    return render(request, "reviews/role_correct.html", context, status=400 if form.errors else 200)


@require_POST
def role_end(request, pk, assignment_pk):
    review, assignment = _assignment(request, pk, assignment_pk)
    end_form = RoleEndForm(request.POST, prefix="end")
    if end_form.is_valid():
        try:
            services.role_end(request.user, assignment, ended_at=end_form.cleaned_data["ended_at"])
        except ValidationError as error:
            add_service_errors(end_form, error)
        else:
            messages.success(request, f"{assignment.get_role_display()} ended with no successor: the role is open.")
            return _to(review, "ownership", stay=True)
    context = {
        "review": review,
        "assignment": assignment,
        "form": RoleCorrectionForm(instance=assignment),
        "end_form": end_form,
    }
    return render(request, "reviews/role_correct.html", context, status=400)


def _entry(request, pk, entry_pk):
    """A timeline entry of a review the user manages, or 404."""
    review = _managed(request, pk)
    return review, get_object_or_404(TimelineEntry, pk=entry_pk, incident=review.incident)


def entry_correct(request, pk, entry_pk):
    """Correct a timeline entry (typed, or sent by a tool), or remove it."""
    review, entry = _entry(request, pk, entry_pk)
    return _correct(
        request,
        review,
        entry,
        lambda data, instance: TimelineEntryCorrectionForm(data, instance=instance, initial={"version": entry.version}),
        lambda data, version: services.timeline_entry_edit(
            request.user, entry, version=version, **{field: data[field] for field in TimelineEntryForm.Meta.fields}
        ),
        "reviews/entry_correct.html",
        "entry",
        ("Timeline entry corrected.", "timeline"),
        lambda saved, data: [
            ("When", _moment(saved.at), data.get("at", "")),
            ("Who", saved.who, data.get("who", "")),
            ("What happened", saved.what, data.get("what", "")),
        ],
    )


def _typed_person(value):
    """The person a form's owner field names, as a name: an id from a select, or what was typed."""
    try:
        person = PersonChoiceField(queryset=people()).clean(value) if value else None
        return name_of(person.first_name, person.last_name, person.username) if person else ""
    except ValidationError:
        return value


def _moment(value):
    return date_format(timezone.localtime(value), "j M Y H:i")


def _correct(request, review, obj, make_form, save, template, name, done, compare):
    """The correction page of one record of the review: GET shows the form; a POST saves with
    the version the facilitator read. If someone saved meanwhile, the page shows what was saved
    and keeps the facilitator's words with the saved version, so saving again replaces it knowingly."""
    posted = request.POST if request.method == "POST" else None
    form = make_form(posted, obj)
    conflict = None
    if posted is not None and form.is_valid():
        try:
            save(form.cleaned_data, form.cleaned_data["version"])
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            conflict, obj = error, type(obj).objects.get(pk=obj.pk)
            data = posted.copy()
            data["version"] = obj.version
            form = make_form(data, obj)
        else:
            message, anchor = done
            messages.success(request, message)
            _warn_language(request, review, form.cleaned_data, before=form.initial)
            return _to(review, anchor, stay=True)
    context = {"review": review, name: obj, "form": form, "conflict": conflict}
    if conflict:
        context["compared"] = compare(obj, form.data)
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, template, context, status=status)


@require_POST
def entry_remove(request, pk, entry_pk):
    review, entry = _entry(request, pk, entry_pk)
    done = "Timeline entry removed; the audit trail keeps what it said."
    return _remove(request, review, lambda: services.timeline_entry_delete(request.user, entry), done, "timeline")


def _remove(request, review, remove, done, anchor):
    """Run a removal; say what happened, or why not, back on the review page."""
    try:
        remove()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return _to(review, anchor, stay=True)


@require_POST
def role_remove(request, pk, assignment_pk):
    review, assignment = _assignment(request, pk, assignment_pk)
    done = f"{assignment.get_role_display()} held by {assignment.person} removed."
    return _remove(request, review, lambda: services.role_remove(request.user, assignment), done, "ownership")


def finding_correct(request, pk, finding_pk):
    """Reword a finding, or remove it."""
    review = _managed(request, pk)
    finding = get_object_or_404(Finding, pk=finding_pk, review=review)
    return _correct(
        request,
        review,
        finding,
        lambda data, instance: FindingCorrectionForm(
            data, initial={"text": instance.text, "version": instance.version}
        ),
        lambda data, version: services.finding_edit(request.user, finding, text=data["text"], version=version),
        "reviews/finding_correct.html",
        "finding",
        ("Finding reworded.", "findings"),
        lambda saved, data: [("Finding", saved.text, data.get("text", ""))],
    )


def action_correct(request, pk, item_pk):
    """Change an action item's words, owner, due date, kind or finding."""
    review = _managed(request, pk)
    item = get_object_or_404(ActionItem.objects.select_related("owner", "finding"), pk=item_pk, review=review)
    return _correct(
        request,
        review,
        item,
        lambda data, obj: ActionItemCorrectionForm(data, instance=obj, review=review, initial={"version": obj.version}),
        lambda data, version: services.action_item_edit(
            request.user, item, version=version, **{field: data[field] for field in services.ACTION_FIELDS}
        ),
        "reviews/action_correct.html",
        "item",
        ("Action item changed.", "actions"),
        lambda saved, data: [
            ("Action", saved.title, data.get("title", "")),
            ("Owner", saved.owner.get_full_name() or saved.owner.get_username(), _typed_person(data.get("owner"))),
            ("Due", date_format(saved.due_on, "j M Y"), data.get("due_on", "")),
        ],
    )


@require_POST
def finding_remove(request, pk, finding_pk):
    review = _managed(request, pk)
    finding = get_object_or_404(Finding, pk=finding_pk, review=review)
    done = "Finding removed; the audit trail keeps what it said."
    return _remove(request, review, lambda: services.finding_delete(request.user, finding), done, "findings")


@require_POST
def participant_remove(request, pk, participant_pk):
    review = _managed(request, pk)
    participant = get_object_or_404(Participant.objects.select_related("user"), pk=participant_pk, review=review)
    name = participant.user.get_full_name() or participant.user.get_username()
    done = f"{name} is no longer a participant."
    return _remove(request, review, lambda: services.participant_remove(request.user, participant), done, "scores")


@require_POST
def add_entry(request, pk):
    return _post_form(
        request,
        pk,
        "entry_form",
        "timeline",
        lambda review, data: services.timeline_entry_add(request.user, review.incident, **data),
        "Timeline entry added.",
    )


@require_POST
def invite(request, pk):
    return _post_form(
        request,
        pk,
        "invite_form",
        "scores",
        lambda review, data: services.participant_invite(request.user, review, invitee=data["user"]),
        "Participant invited.",
    )


@require_POST
def add_finding(request, pk):
    return _post_form(
        request,
        pk,
        "finding_form",
        "findings",
        lambda review, data: services.finding_add(request.user, review, text=data["text"]),
        "Finding recorded.",
    )


@require_POST
def add_action(request, pk):
    return _post_form(
        request,
        pk,
        "action_form",
        "actions",
        lambda review, data: services.action_item_add(request.user, review, **data),
        "Action item created.",
    )


@require_POST
def scores(request, pk):
    review = selectors.review_or_404(request.user, pk, for_page=True)
    participant = review.participants.filter(user=request.user).first()
    if participant is None:
        raise PermissionDenied("Only the review's participants score it.")
    form = ScoreForm(request.POST)
    submit = "submit" in request.POST
    if form.is_valid():
        try:
            services.scores_save(request.user, review, scores=form.scores(), submit=submit)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Your scores are submitted." if submit else "Your scores are saved (not yet submitted)."
            )
            return _to(review, "scores")
    return _again(request, review, "scores", score_form=form)


TRANSITIONS = {
    "start": (services.review_start, "The review is in review: participants can now score it."),
    "draft": (services.review_return_to_draft, "The review is back in draft."),
    "publish": (services.review_publish, "Published. The review is now readable by everyone."),
    "consolidate": (services.scores_consolidate, "Scores consolidated."),
    "archive": (services.review_archive, "Archived: the review left the lists and the figures. Restore it any time."),
    "restore": (services.review_restore, "Restored: the review is back in the lists and the figures."),
}


@require_safe
def publish_confirm(request, pk):
    """Before publishing: who scored, where people disagree, what is still open."""
    review = _managed(request, pk)
    if review.state != ReviewState.IN_REVIEW or review.is_archived:
        messages.info(request, "Only a review in review can be published.")
        return _to(review)
    context = {
        "review": review,
        "summary": selectors.publish_summary(review, request.user),
        "blockers": [message for _, message in selectors.publish_blockers(review)],
    }
    return render(request, "reviews/publish_confirm.html", context)


@require_POST
def mute(request, pk):
    """Stop (or start again) hearing about this review's broadcast events: one click."""
    review = selectors.review_or_404(request.user, pk)
    muted = request.POST.get("muted") != "0"
    notifications.topic_mute(request.user, notices.topic(review), muted=muted)
    messages.success(
        request,
        "Muted: you will not be told about this review's scoring, publication or amendments."
        if muted
        else "Unmuted: you will be told about this review again.",
    )
    return _to(review)


@require_POST
def transition(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404("Unknown action.")
    review = _managed(request, pk)
    service, success = TRANSITIONS[action]
    extra = {"reason": request.POST.get("reason", "")} if action == "archive" else {}
    try:
        service(request.user, review, **extra)
    except ValidationError as error:
        if _already(review, action):  # a double click, or the same move from another tab
            messages.info(request, success)
            return _to(review)
        return _again(request, review, "", transition_error=error_text(error))
    messages.success(request, success)
    return _to(review)


def _already(review, action):
    """Whether the review is already where ``action`` would take it."""
    review = Review.objects.get(pk=review.pk)
    done = {
        "start": review.state == ReviewState.IN_REVIEW,
        "draft": review.state == ReviewState.DRAFT,
        "publish": review.state == ReviewState.PUBLISHED,
        "archive": review.is_archived,
        "restore": not review.is_archived,
    }
    return done.get(action, False)


@require_POST
def action_state(request, pk, item_pk):
    review = selectors.review_or_404(request.user, pk, for_page=True)
    item = get_object_or_404(ActionItem, pk=item_pk, review=review)
    if not policy.can_update_action(request.user, item):
        raise PermissionDenied("Only the owner or a facilitator updates this action item.")
    form = ActionStateForm(request.POST)
    if not form.is_valid():
        return _again(request, review, "actions", action_error=(item.pk, "Choose a state."))
    try:
        services.action_item_set_state(
            request.user,
            item,
            state=form.cleaned_data["state"],
            reason=form.cleaned_data["dropped_reason"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        message = error_text(error)
        return _again(request, review, "actions", action_error=(item.pk, message))
    except Conflict as conflict:
        return _again(request, review, "actions", action_error=(item.pk, conflict.message))
    messages.success(request, f"“{item.title}” is now {form.cleaned_data['state']}.")
    return _to(review, "actions")


@require_POST
def dismiss(request, pk):
    review = _managed(request, pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.language_hit_dismiss(request.user, review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['phrase']}” dismissed for this review.")
            return _to(review, "language")
    messages.error(request, "Give a reason to dismiss the hint: " + " ".join(form.errors.get("reason", [])))
    return _to(review, "language")


# Edit and amend -------------------------------------------------------------


def review_edit(request, pk):
    review = _managed(request, pk)
    incident = review.incident
    if not review.is_editable:
        messages.info(request, "This review is published: amend its narrative instead.")
        return redirect("reviews:amend", pk=review.pk)
    initial = {
        "is_exercise": review.is_exercise,
        "narrative": review.narrative,
        "version": incident.version,
        "review_version": review.version,
    }
    form = IncidentForm(request.POST or None, instance=incident, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {field: data[field] for field in form.Meta.fields}
        try:
            services.review_edit(
                request.user,
                review,
                incident_version=data["version"],
                review_version=data["review_version"],
                narrative=data["narrative"],
                is_exercise=data["is_exercise"],
                **values,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            conflict = error
        else:
            messages.success(request, "Review saved.")
            _warn_language(request, review, data, before=initial)
            return _to(review)
    if conflict is not None:
        review = selectors.review_for_page(review.pk)
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "review": review, "conflict": conflict, "saved": review, "creating": False},
        status=409 if conflict else (400 if form.errors else 200),
    )


def review_amend(request, pk):
    review = _managed(request, pk)
    if not review.is_public:
        return redirect("reviews:edit", pk=review.pk)
    form = AmendForm(request.POST or None, initial={"narrative": review.narrative, "version": review.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_amend(request.user, review, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            conflict = error
            review = selectors.review_for_page(review.pk)
        else:
            messages.success(request, "Amended. The earlier text stays visible on the review.")
            return _to(review, "history")
    return render(
        request,
        "reviews/review_amend.html",
        {"form": form, "review": review, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )
