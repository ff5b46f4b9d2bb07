"""The Insights dashboard: every staff member sees the organisation's figures."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews import charts, insights
from reviews.metrics import format_duration

EXERCISE_CHOICES = [("exclude", "Real escalations"), ("only", "Exercises only"), ("include", "Both")]
SHORT_DIMENSIONS = {
    1: "1 · Roles named at the outset",
    2: "2 · Expectations communicated",
    3: "3 · Escalation path followed",
    4: "4 · Handovers carried the info",
    5: "5 · Decision authority clear",
    6: "6 · One coherent narrative",
}
TREND_METRICS = [
    ("tto_median", "Time to ownership (median)", "minutes"),
    ("ttfu_median", "Time to first update (median)", "minutes"),
    ("ttr_median", "Time to resolution (median)", "minutes"),
    ("satisfaction_mean", "Customer satisfaction (mean, 1–5)", "number"),
    ("clarity_mean", "Ownership clarity (mean, 0–100)", "number"),
]


def dashboard_data(params, today=None):
    """Everything the dashboard shows, for ``params`` (period, exercises); a fixed number of queries."""
    period = insights.parse_period(params, today)
    exercises = params.get("exercises") if params.get("exercises") in dict(EXERCISE_CHOICES) else "exclude"
    teams = insights.by_group(period, "team", exercises)
    patterns = insights.by_group(period, "pattern", exercises)
    dims = insights.dimensions(period, exercises)
    trend = insights.trend(period, exercises)
    return {
        "period": period,
        "exercises": exercises,
        "overall": insights.overall(period, exercises),
        "previous": trend[-2][1] if len(trend) > 1 else {},
        "teams": teams,
        "patterns": patterns,
        "dimensions": dims,
        "actions": insights.actions(period, exercises, today),
        "trend": trend,
        "bottlenecks": insights.bottlenecks(teams, patterns, dims),
    }


def dashboard(request):
    data = dashboard_data(request.GET)
    period = data["period"]
    start, end = period.start.isoformat(), (period.end - timezone.timedelta(days=1)).isoformat()
    review_filter = {"escalated_after": start, "escalated_before": end}
    if data["exercises"] != "include":
        review_filter["exercise"] = "yes" if data["exercises"] == "only" else "no"

    def reviews_link(**extra):
        return "/reviews/?" + urlencode(review_filter | extra)

    trend_charts = [
        {
            "title": title,
            "chart": charts.columns([(p.label, row.get(key)) for p, row in data["trend"]], unit=unit),
        }
        for key, title, unit in TREND_METRICS
    ]
    pattern_targets = [
        (row["label"], row["tto_median"], _target_of(row)) for row in data["patterns"] if row["incidents"]
    ]
    today = timezone.localdate()
    quarters = []
    q = insights.Period.containing(today)
    for _ in range(6):
        quarters.append(q)
        q = q.previous()
    return render(
        request,
        "reviews/insights.html",
        data
        | {
            "quarters": quarters,
            "exercise_choices": EXERCISE_CHOICES,
            "trend_charts": trend_charts,
            "dimension_chart": charts.bars(
                [(d["label"], d["mean"], None) for d in data["dimensions"]], maximum=5, unit="number"
            ),
            "tto_chart": charts.bars(pattern_targets) if pattern_targets else None,
            "team_link": lambda slug: reviews_link(team=slug or ""),
            "reviews_link": reviews_link(),
            "links": {
                "team": {row["slug"]: reviews_link(team=row["slug"]) for row in data["teams"] if row["slug"]},
                "pattern": {row["label"]: reviews_link(pattern=row["label"]) for row in data["patterns"]},
            },
            "fmt": format_duration,
        },
    )


def _target_of(row):
    """The median time-to-ownership target of a pattern's incidents, as stored on its section."""
    return row.get("tto_target")


def _plain(row):
    """A figures row as JSON: durations become seconds (``…_seconds``) and a readable text."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "total_seconds"):
            out[f"{key}_seconds"] = int(value.total_seconds())
            out[key] = format_duration(value)
        else:
            out[key] = value
    return out


class InsightsView(APIView):
    """The dashboard's figures for a period: ``?quarter=2026-Q4`` or ``?from=&to=``;
    ``?exercises=exclude|only|include`` (real escalations by default)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("quarter", str, description="e.g. 2026-Q4 (default: this quarter)"),
            OpenApiParameter("from", str, description="YYYY-MM-DD, with to"),
            OpenApiParameter("to", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("exercises", str, enum=["exclude", "only", "include"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        data = dashboard_data(request.query_params)
        period = data["period"]
        return Response(
            {
                "period": {
                    "label": period.label,
                    "start": period.start,
                    "end": period.end - timezone.timedelta(days=1),
                },
                "exercises": data["exercises"],
                "overall": _plain(data["overall"]),
                "previous": _plain(data["previous"]),
                "teams": [_plain(row) for row in data["teams"]],
                "patterns": [_plain(row) for row in data["patterns"]],
                "dimensions": data["dimensions"],
                "actions": data["actions"],
                "trend": [{"period": p.label, **_plain(row)} for p, row in data["trend"]],
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
