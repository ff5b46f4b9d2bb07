"""The Insights dashboard: every staff member sees the organisation's figures."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.error_views import share_link_gone
from core.errors import error_text
from core.fragments import data_stamp
from core.ids import parse_id
from core.quarters import Quarter
from insights import charts, figures, policy, report_pdf, services, snapshot
from insights.models import ShareLink
from insights.params import EXERCISE_CHOICES, PARAMETERS, parse_insights_params

CSV = "text/csv; charset=utf-8"


def dashboard_data(params, viewer, today=None):
    """Everything the dashboard shows ``viewer`` for ``params`` (period, exercises): only
    the reviews they may open count. A fixed number of queries. Bad parameters raise
    ``ValidationError`` naming them (insights/params.py)."""
    period, exercises = parse_insights_params(params, today)
    teams = figures.by_group(period, "team", exercises, viewer=viewer)
    patterns = figures.by_group(period, "pattern", exercises, viewer=viewer)
    dims = figures.dimensions(period, exercises)
    trend = figures.trend(period, exercises, viewer=viewer)
    return {
        "period": period,
        "exercises": exercises,
        "overall": figures.overall(period, exercises, viewer=viewer),
        "previous": trend[-2][1] if len(trend) > 1 else {},
        "teams": teams,
        "patterns": patterns,
        "dimensions": dims,
        "actions": figures.actions(period, exercises, today, viewer=viewer),
        "trend": trend,
        "bottlenecks": figures.bottlenecks(teams, patterns, dims),
    }


def cached_dashboard_data(params, viewer, today=None):
    """dashboard_data(), kept for INSIGHTS_CACHE_SECONDS in the process's cache.

    The key holds the data stamp (core.fragments): every change a service makes is
    audited in its own transaction, so any change starts a new key and the
    figures are never older than the last saved change. The day is in the key
    too (overdue counts move with the date), and whose figures they are: people who
    see every review share them, anyone else has their own."""
    seconds = settings.INSIGHTS_CACHE_SECONDS
    if not seconds:
        return dashboard_data(params, viewer, today)
    today = today or timezone.localdate()
    stamp = data_stamp()
    query = urlencode(sorted((key, value) for key in params for value in params.getlist(key)))
    scope = figures.scope_of(viewer)
    zone = timezone.get_current_timezone_name()
    key = "insights:" + hashlib.sha256(f"{stamp}|{today}|{zone}|{scope}|{query}".encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = dashboard_data(params, viewer, today)
        cache.set(key, data, seconds)
    return data | {"cache_key": key}


def _page_data(request):
    """The dashboard's data for a page or an export: bad parameters are a message, and this quarter shows."""
    try:
        return cached_dashboard_data(request.GET, request.user)
    except ValidationError as error:
        messages.error(request, "Showing this quarter instead: " + error_text(error))
        return cached_dashboard_data({}, request.user)


@require_safe
def dashboard(request):
    data = _page_data(request)
    today = timezone.localdate()
    quarters = []
    q = figures.Period.containing(today)
    for _ in range(6):
        quarters.append(q)
        q = q.previous()
    context = data | {"quarters": quarters, "exercise_choices": EXERCISE_CHOICES, "body": _dashboard_body(data)}
    return render(request, "insights/insights.html", context)


def _dashboard_body(data):
    """The figures, charts and tables: what takes the time to render, and changes only when the
    data does. Kept beside the data under the same key (newest audit event, day, whose figures,
    parameters), so it is never older than the last saved change."""
    key = data.get("cache_key")
    if key and (body := cache.get(f"{key}:body")) is not None:
        return mark_safe(body)  # noqa: S308 - the page's own rendering, kept as it was made
    period = data["period"]
    start, end = period.start.isoformat(), (period.end - timezone.timedelta(days=1)).isoformat()
    review_filter = {"escalated_after": start, "escalated_before": end}
    if data["exercises"] != "include":
        review_filter["exercise"] = "yes" if data["exercises"] == "only" else "no"

    def reviews_link(**extra):
        return reverse("reviews:index") + "?" + urlencode(review_filter | extra)

    # Every row and bottleneck links to the reviews behind it: by section (a rename keeps the
    # link), "none" for escalations that matched no section, by team, by weak rubric dimension.
    for row in data["teams"]:
        row["link"] = reviews_link(team=row["slug"]) if row["slug"] else None
    for row in data["patterns"]:
        if row["slug"]:
            row["link"] = reviews_link(section=row["slug"])
        elif row["label"] == figures.NO_PATTERN:
            row["link"] = reviews_link(section="none")
        else:
            row["link"] = reviews_link(section="none", pattern=row["label"])
    for dimension in data["bottlenecks"]["dimensions"]:
        dimension["link"] = reviews_link(weak_dimension=dimension["dimension"])
    body = render_to_string(
        "insights/insights_body.html",
        data
        | {
            "trend_charts": charts.trend_charts(data["trend"]),
            "dimension_chart": charts.dimension_chart(data["dimensions"]),
            "tto_chart": charts.target_chart(data["patterns"]),
        },
    )
    if key:
        cache.set(f"{key}:body", body, settings.INSIGHTS_CACHE_SECONDS)
    return body


class InsightsView(APIView):
    """The dashboard's figures for a period: ``?quarter=2026-Q4`` or ``?from=&to=``;
    ``?exercises=exclude|only|include`` (real escalations by default)."""

    @extend_schema(
        parameters=PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        data = cached_dashboard_data(request.query_params, request.user)
        period = data["period"]
        return Response(
            {
                "period": {
                    "label": period.label,
                    "start": period.start,
                    "end": period.end - timezone.timedelta(days=1),
                },
                "exercises": data["exercises"],
                "overall": figures.as_json(data["overall"]),
                "previous": figures.as_json(data["previous"]),
                "teams": [figures.as_json(row) for row in data["teams"]],
                "patterns": [figures.as_json(row) for row in data["patterns"]],
                "dimensions": data["dimensions"],
                "actions": data["actions"],
                "trend": [{"period": p.label, **figures.as_json(row)} for p, row in data["trend"]],
                "bottlenecks": {
                    "patterns": [
                        {"label": b["row"]["label"], "reasons": b["reasons"]} for b in data["bottlenecks"]["patterns"]
                    ],
                    "teams": [
                        {"label": b["row"]["label"], "reasons": b["reasons"]} for b in data["bottlenecks"]["teams"]
                    ],
                    "dimensions": data["bottlenecks"]["dimensions"],
                },
            }
        )


# The performance snapshot ----------------------------------------------------------------


def _quarter_of(params):
    period = figures.parse_period({"quarter": params.get("quarter", "")} if params.get("quarter") else {})
    if not params.get("quarter"):
        period = period.previous()  # the last closed quarter by default
    return period


@require_safe
def snapshot_page(request):
    period = _quarter_of(request.GET)
    report = snapshot.internal(period, viewer=request.user)
    customers = (
        figures.incidents(period, "exclude", viewer=request.user)
        .values_list("customer", flat=True)
        .distinct()
        .order_by("customer")
    )
    return render(
        request,
        "insights/snapshot.html",
        report
        | {
            "target_chart": charts.target_chart(report["patterns"]),
            "customers": list(customers),
            "quarter_param": _param(period),
            "quarters": _quarters(),
        },
    )


@require_safe
def snapshot_pdf(request):
    period = _quarter_of(request.GET)
    report = snapshot.internal(period, viewer=request.user)
    response = HttpResponse(
        report_pdf.build(report, organisation=settings.ORGANISATION_NAME), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="baton-snapshot-{_param(period)}.pdf"'
    return response


def _export_data(request):
    try:
        return cached_dashboard_data(request.GET, request.user)
    except ValidationError as error:
        raise BadRequest(error_text(error)) from error


@require_safe
def figures_csv(request):
    data = _export_data(request)
    response = HttpResponse(
        snapshot.figures_csv(data["period"], data["exercises"], viewer=request.user), content_type=CSV
    )
    response["Content-Disposition"] = f'attachment; filename="baton-figures-{_slug(data["period"])}.csv"'
    return response


@require_safe
def incidents_csv(request):
    data = _export_data(request)
    response = StreamingHttpResponse(
        snapshot.incident_rows_csv(data["period"], data["exercises"], viewer=request.user), content_type=CSV
    )
    response["Content-Disposition"] = f'attachment; filename="baton-incidents-{_slug(data["period"])}.csv"'
    return response


def customer_page(request):
    period = _quarter_of(request.GET)
    name = request.GET.get("customer", "")
    if request.method == "POST":
        return _share_action(request, period, name)
    links = ShareLink.objects.filter(customer=name).select_related("created_by") if name else []
    return render(
        request,
        "insights/snapshot_customer.html",
        snapshot.customer(period, name)
        | {"preview": True, "links": links, "quarter_param": _param(period), "now": timezone.now()},
    )


def _share_link_or_404(value):
    """The share link a form names, or a 404 for anything that is not one (``abc``, ``-1``, ``1e9``)."""
    if (pk := parse_id(value)) is None:
        raise Http404("No such link.")
    return get_object_or_404(ShareLink, pk=pk)


def _share_action(request, period, name):
    # The role before the form: someone who may not share learns nothing from its errors.
    if not policy.can_share_snapshot(request.user):
        raise PermissionDenied("Only facilitators and governance owners share snapshots.")
    try:
        if "revoke" in request.POST:
            link = _share_link_or_404(request.POST["revoke"])
            services.share_link_revoke(request.user, link)
            messages.success(request, "Link revoked: it no longer opens.")
        else:
            link = services.share_link_create(
                request.user,
                customer=name,
                year=period.start.year,
                quarter=Quarter.containing(period.start).number,
                days=request.POST.get("days") or services.SHARE_LINK_DAYS,
            )
            url = request.build_absolute_uri(reverse("shared-snapshot", args=[link.token]))
            messages.success(request, f"Share this link with {name}: {url} (expires {link.expires_at:%-d %b %Y}).")
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
    return redirect(f"{reverse('snapshot-customer')}?{urlencode({'quarter': _param(period), 'customer': name})}")


@login_not_required
@require_safe
def shared_snapshot(request, token):
    """The customer snapshot behind a share link: no sign-in, only that customer's data."""
    link = ShareLink.objects.filter(token=token).first()
    if link is None or not link.is_active:
        return share_link_gone(request)
    period = figures.Period.quarter(link.year, link.quarter)
    response = render(
        request, "insights/snapshot_customer.html", snapshot.customer(period, link.customer) | {"preview": False}
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    # A customer's figures: never kept by a shared proxy or the browser's cache once the link is revoked.
    patch_cache_control(response, no_store=True, private=True)
    return response


def _param(period):
    return period.param


def _slug(period):
    return period.label.replace(" ", "-").replace("–", "to")


def _quarters():
    q = figures.Period.containing(timezone.localdate())
    out = []
    for _ in range(6):
        out.append((_param(q), q.label))
        q = q.previous()
    return out
