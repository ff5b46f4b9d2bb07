"""Ownership metrics across escalations, computed in the database.

Every figure is an aggregate over one annotated incident queryset: medians
and 90th percentiles with PostgreSQL's PERCENTILE_CONT (on SQLite, the same
aggregate is registered as a function when the connection opens), means,
counts and shares with plain SQL aggregates. The dashboard runs a fixed
number of queries whatever the number of incidents.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.backends.signals import connection_created
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncQuarter
from django.utils import timezone

from core.durations import format_duration
from core.quarters import Quarter
from reviews import policy
from reviews.metrics import WEAK_MEDIAN
from reviews.models import (
    ActionItem,
    ActionState,
    Dimension,
    DimensionResult,
    Incident,
)

PUBLIC = policy.PUBLIC_STATES  # reviews everyone may read
NO_PATTERN = "No pattern"
ORGANISATION = None  # ``viewer`` for figures made for no one person (the prepared snapshot)


class Percentile(Aggregate):
    """PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY expr): continuous percentile."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, percentile, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="BATON_PERCENTILE",
            template="%(function)s(%(expressions)s, %(percentile)s)",
            **extra_context,
        )


class _SqlitePercentile:
    """The same percentile (linear interpolation) as PostgreSQL's PERCENTILE_CONT."""

    def __init__(self):
        self.values = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return continuous_percentile(self.values, self.fraction)


def continuous_percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("BATON_PERCENTILE", 2, _SqlitePercentile)


connection_created.connect(_register_sqlite_functions)


# The period ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str

    @classmethod
    def quarter(cls, year, quarter):
        return cls.of(Quarter(year, quarter))

    @classmethod
    def of(cls, quarter):
        return cls(quarter.start, quarter.end, quarter.label)

    @classmethod
    def containing(cls, day):
        return cls.of(Quarter.containing(day))

    @property
    def param(self):
        """'2026-Q4' for a quarter's period."""
        return Quarter.containing(self.start).param

    def previous(self):
        day = self.start - timedelta(days=1)
        return Period.containing(day)

    def bounds(self):
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )


def parse_period(params, today=None):
    """?quarter=2026-Q4, or ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive); default this quarter."""
    today = today or timezone.localdate()
    if quarter := Quarter.parse(params.get("quarter", "")):
        return Period.of(quarter)
    try:
        start = date.fromisoformat(params.get("from", ""))
        end = date.fromisoformat(params.get("to", ""))
    except ValueError:
        return Period.containing(today)
    if end < start:
        start, end = end, start
    return Period(start, end + timedelta(days=1), f"{start:%-d %b %Y} – {end:%-d %b %Y}")


# The incident rows -------------------------------------------------------------------


def visible_to(viewer, queryset):
    """``queryset`` narrowed to the reviews ``viewer`` may open: the review list's rule
    (reviews/policy.py). ``ORGANISATION`` keeps every row, for figures made for no one reader."""
    if viewer is ORGANISATION or policy.sees_every_review(viewer):
        return queryset
    return queryset.filter(review__in=policy.visible_reviews(viewer))


def scope_of(viewer):
    """Whose figures these are, for a cache key: everyone who sees every review shares them."""
    return "all" if viewer is ORGANISATION else policy.visibility_scope(viewer)


def incidents(period, exercises="exclude", *, viewer):
    """Incidents escalated in ``period`` whose review ``viewer`` may open, with their
    derived durations annotated.

    Time-to-ownership reads ``ownership_established_at``, which the role assignments
    keep up to date, so each figure is one pass over the period's incidents.
    """
    start, end = period.bounds()
    queryset = Incident.objects.filter(
        escalated_at__gte=start, escalated_at__lt=end, review__isnull=False, review__archived_at__isnull=True
    )
    queryset = visible_to(viewer, queryset)
    if exercises == "exclude":
        queryset = queryset.filter(review__is_exercise=False)
    elif exercises == "only":
        queryset = queryset.filter(review__is_exercise=True)
    duration = DurationField()
    return queryset.annotate(
        tto=ExpressionWrapper(F("ownership_established_at") - F("escalated_at"), output_field=duration),
        ttfu=ExpressionWrapper(F("first_customer_update_at") - F("escalated_at"), output_field=duration),
        ttr=ExpressionWrapper(F("resolved_at") - F("escalated_at"), output_field=duration),
        target_tto=_target("target_ownership_minutes"),
        target_ttfu=_target("target_first_update_minutes"),
        target_ttr=_target("target_resolution_minutes"),
    )


class Minutes(Func):
    """A whole number of minutes as a duration (an interval on PostgreSQL, microseconds on SQLite)."""

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * INTERVAL '1 minute')", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 60000000)", **extra_context)


def _target(field):
    return Minutes(F(f"playbook_version__{field}"))


def _met(value, target, *, never_is_missed=False):
    """1 when the value met its target, 0 when not; NULL without a target (so Avg is the share met).

    Without a value the row is left out, unless ``never_is_missed``: an escalation whose
    ownership was never established missed its time-to-ownership target."""
    has_target = Q(**{f"{target}__isnull": False})
    has_value = Q(**{f"{value}__isnull": False})
    return Avg(
        Case(
            When(has_value & has_target & Q(**{f"{value}__lte": F(target)}), then=1.0),
            When(has_value & has_target, then=0.0),
            When(has_target, then=0.0 if never_is_missed else None),
            default=None,
            output_field=FloatField(),
        )
    )


FIGURES = {
    "incidents": lambda: Count("pk", distinct=True),
    "tto_median": lambda: Percentile("tto", 0.5, output_field=DurationField()),
    "tto_p90": lambda: Percentile("tto", 0.9, output_field=DurationField()),
    "ttfu_median": lambda: Percentile("ttfu", 0.5, output_field=DurationField()),
    "ttfu_p90": lambda: Percentile("ttfu", 0.9, output_field=DurationField()),
    "ttr_median": lambda: Percentile("ttr", 0.5, output_field=DurationField()),
    "ttr_p90": lambda: Percentile("ttr", 0.9, output_field=DurationField()),
    "satisfaction_mean": lambda: Avg("satisfaction"),
    "satisfaction_count": lambda: Count("satisfaction"),
    # A review's clarity score is final once published: a draft's consolidation is provisional.
    "clarity_mean": lambda: Avg("review__clarity_score", filter=Q(review__state__in=PUBLIC)),
    "tto_met": lambda: _met("tto", "target_tto", never_is_missed=True),
    "ttfu_met": lambda: _met("ttfu", "target_ttfu"),
    "ttr_met": lambda: _met("ttr", "target_ttr"),
    # The playbook's targets for these escalations: the median where their patterns' targets differ.
    "tto_target": lambda: Percentile("target_tto", 0.5, output_field=DurationField()),
    "ttfu_target": lambda: Percentile("target_ttfu", 0.5, output_field=DurationField()),
    "ttr_target": lambda: Percentile("target_ttr", 0.5, output_field=DurationField()),
}


def _figures():
    return {name: make() for name, make in FIGURES.items()}


def overall(period, exercises="exclude", *, viewer):
    return incidents(period, exercises, viewer=viewer).aggregate(**_figures())


def by_group(period, group, exercises="exclude", *, viewer):
    """Figures per team (``team``) or per playbook pattern (``pattern``), in one query."""
    queryset = incidents(period, exercises, viewer=viewer)
    if group == "team":
        rows = queryset.values(slug=F("team__slug"), label=Coalesce(F("team__name"), Value("No team")))
    else:
        rows = queryset.values(
            slug=F("playbook_section__slug"),
            label=Coalesce(
                F("playbook_section__current__pattern"), NullIf(F("pattern_name"), Value("")), Value(NO_PATTERN)
            ),
        )
    return list(rows.annotate(**_figures()).order_by("label"))


def dimensions(period, exercises="exclude"):
    """Mean consolidated median per rubric dimension over published reviews (one query)."""
    start, end = period.bounds()
    results = DimensionResult.objects.filter(
        review__incident__escalated_at__gte=start,
        review__incident__escalated_at__lt=end,
        review__state__in=PUBLIC,
        review__archived_at__isnull=True,
    )
    if exercises == "exclude":
        results = results.filter(review__is_exercise=False)
    elif exercises == "only":
        results = results.filter(review__is_exercise=True)
    means = dict(results.values("dimension").annotate(mean=Avg("median")).values_list("dimension", "mean"))
    return [{"dimension": d.value, "label": d.label, "mean": means.get(d.value)} for d in Dimension]


def actions(period, exercises="exclude", today=None, *, viewer):
    today = today or timezone.localdate()
    start, end = period.bounds()
    items = ActionItem.objects.filter(
        review__incident__escalated_at__gte=start,
        review__incident__escalated_at__lt=end,
        review__archived_at__isnull=True,
    )
    items = visible_to(viewer, items)
    if exercises == "exclude":
        items = items.filter(review__is_exercise=False)
    return items.aggregate(
        open=Count("pk", filter=Q(state=ActionState.OPEN)),
        overdue=Count("pk", filter=Q(state=ActionState.OPEN, due_on__lt=today)),
        done=Count("pk", filter=Q(state=ActionState.DONE)),
    )


def trend(period, exercises="exclude", quarters=4, *, viewer):
    """The overall figures for ``period`` and the quarters before it, oldest first (one query)."""
    periods = [period]
    for _ in range(quarters - 1):
        periods.insert(0, periods[0].previous())
    span = Period(periods[0].start, period.end, "")
    rows = (
        incidents(span, exercises, viewer=viewer)
        .annotate(quarter=TruncQuarter("escalated_at"))
        .values("quarter")
        .annotate(**_figures())
    )
    by_start = {row["quarter"].date() if hasattr(row["quarter"], "date") else row["quarter"]: row for row in rows}
    return [(p, by_start.get(p.start, {"incidents": 0})) for p in periods]


def bottlenecks(teams, patterns, dims, limit=5):
    """Where ownership was least clear or slowest to establish, worst first."""

    def ranked(rows, kind):
        scored = []
        for row in rows:
            if not row["incidents"]:
                continue
            reasons = []
            if row["clarity_mean"] is not None and row["clarity_mean"] < 60:
                reasons.append(f"ownership clarity {row['clarity_mean']:.0f}/100")
            if row["tto_median"] is None:
                reasons.append("the three core roles were not all held")
            elif row["tto_met"] is not None and row["tto_met"] < 1:
                reasons.append(f"time-to-ownership target met in {row['tto_met'] * 100:.0f}%")
            if reasons:
                severity = (
                    (100 - (row["clarity_mean"] or 50))
                    + (60 if row["tto_median"] is None else 0)
                    + ((row["tto_median"].total_seconds() / 60) if row["tto_median"] else 0)
                )
                scored.append({"kind": kind, "row": row, "reasons": reasons, "severity": severity})
        return sorted(scored, key=lambda item: -item["severity"])[:limit]

    weak_dimensions = sorted(
        (d for d in dims if d["mean"] is not None and d["mean"] < WEAK_MEDIAN), key=lambda d: d["mean"]
    )
    return {"patterns": ranked(patterns, "pattern"), "teams": ranked(teams, "team"), "dimensions": weak_dimensions}


def as_json(row):
    """A figures row as JSON: durations become seconds (``…_seconds``) and a readable text."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "total_seconds"):
            out[f"{key}_seconds"] = int(value.total_seconds())
            out[key] = format_duration(value)
        else:
            out[key] = value
    return out
