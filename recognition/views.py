"""The recognition board: thin views over recognition/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from core import once
from core.errors import error_text
from core.forms import add_service_errors
from core.fragments import CSRF_PLACEHOLDER, fragment
from core.ids import parse_id
from core.paging import CappedPaginator
from core.quarters import Quarter
from recognition import policy, selectors, services
from recognition.forms import HideForm, RecognitionForm
from recognition.models import Category, Recognition
from reviews import policy as review_policy
from reviews.models import Review
from teams.models import Team


@require_safe
def index(request):
    this_quarter = selectors.quarter_label(timezone.localdate())
    filters = {key: request.GET.get(key, "") for key in ("team", "category", "quarter")}
    chart_quarter = filters["quarter"] if selectors.quarter_bounds(filters["quarter"]) else this_quarter
    board = selectors.board(request.user, filters)
    initial = {}
    review = None
    if review_id := parse_id(request.GET.get("review")):
        review = _review(review_id)
        if review and review_policy.can_view(request.user, review):
            initial = {"review": review.pk, "team": review.incident.team_id}
        else:
            review = None
    form = RecognitionForm(initial=initial, user=request.user)
    return _render(request, form, board, filters, chart_quarter, review)


def _render(request, form, board, filters, chart_quarter, review=None, status=200):
    """The board page: the give form, then the chart and the list, each kept as rendered
    (core.fragments) until anything changes; the list for each reader (what they may second,
    hide or see of a review is theirs)."""
    quarters = [(q, q.replace("-", " ")) for q in _recent_quarters()]
    query = request.GET.copy()
    query.pop("page", None)
    can_hide = policy.can_hide(request.user)

    def chart():
        ranked = selectors.top_teams(chart_quarter)
        context = {
            "ranked": ranked,
            "chart": selectors.chart(ranked),
            "chart_quarter": chart_quarter.replace("-", " "),
            "categories": Category.choices,
        }
        return render_to_string("recognition/board_chart.html", context)

    def rows():
        page = CappedPaginator(board, 20).get_page(request.GET.get("page"))
        me = request.user.pk
        mine = {s.recognition_id for r in page.object_list for s in r.seconds.all() if s.user_id == me}
        context = {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "full_path": request.get_full_path(),
            "can_hide": can_hide,
            "seconded": mine,
            "user": request.user,
            "csrf_token": CSRF_PLACEHOLDER,
        }
        return render_to_string("recognition/board_list.html", context)

    parameters = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    return render(
        request,
        "recognition/board.html",
        {
            "form": form,
            "filters": filters,
            "teams": Team.objects.order_by("name"),
            "categories": Category.choices,
            "quarters": quarters,
            "review": review,
            "chart_html": fragment(request, "board-chart", [chart_quarter], chart),
            "list_html": fragment(
                request, "board-list", [request.user.pk, can_hide, request.get_full_path(), parameters], rows
            ),
        },
        status=status,
    )


def _recent_quarters(count=6):
    return [quarter.param for quarter in Quarter.containing(timezone.localdate()).recent(count)]


def _review(pk):
    return Review.objects.filter(pk=pk).select_related("incident__team").first()


@require_POST
def give(request):
    form = RecognitionForm(request.POST, user=request.user)
    review = None
    if form.is_valid():
        data = form.cleaned_data
        if data.get("review"):
            review = _review(data["review"])

        def create():
            recognition = services.recognition_give(
                request.user,
                category=data["category"],
                message=data["message"],
                team=data.get("team"),
                person=data.get("person"),
                review=review,
            )
            messages.success(request, f"Thank you: {recognition.recipient_name} is recognised on the board.")
            return recognition, reverse("recognition:index")

        try:
            return once.landed(request, once.submit(request, create))
        except ValidationError as error:
            add_service_errors(form, error)
    this_quarter = selectors.quarter_label(timezone.localdate())
    board = selectors.board(request.user)
    # The service refused a review the person may not see: do not print its title back.
    if review is not None and not review_policy.can_view(request.user, review):
        review = None
    return _render(request, form, board, {}, this_quarter, review, status=400)


@require_POST
def second(request, pk):
    recognition = get_object_or_404(Recognition.objects.visible(), pk=pk)
    try:
        services.recognition_second(request.user, recognition)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"You seconded the recognition of {recognition.recipient_name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/recognition/"
    return redirect(f"{target}#recognition-{pk}")


@require_POST
def hide(request, pk):
    recognition = get_object_or_404(Recognition.objects.visible(), pk=pk)
    if not policy.can_hide(request.user):
        raise PermissionDenied("Only governance owners hide recognitions.")
    form = HideForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": ["Say why it is hidden: the author is told."]})
        services.recognition_hide(request.user, recognition, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Hidden from the board; it stays in the record and the author is told.")
    return redirect("recognition:index")
