"""The quarterly performance snapshot: the internal report and the customer one.

The customer version shows only that customer's escalations whose review is
published, and names no internal people: no facilitators, owners, authors,
teams' members, internal titles or free-text findings — only figures, dates,
severities and the summary a facilitator wrote for the customer (the playbook
pattern's name when none was written). The internal report and the exports
count only the reviews their reader may open.
"""

import csv
import io

from django.db.models import Count
from django.utils import timezone

from core.durations import format_duration
from insights import figures
from playbook.models import SectionVersion
from recognition.models import Recognition
from reviews.models import ActionItem, ActionState, Finding

DANGEROUS_CSV_START = ("=", "+", "-", "@", "\t", "\r")


def versions_published(period):
    """The playbook section versions published in ``period``: the playbook changes it made."""
    start, end = period.bounds()
    return SectionVersion.objects.filter(published_at__gte=start, published_at__lt=end)


def internal(period, exercises="exclude", *, viewer):
    """The leadership report: headline figures against targets and the previous
    quarter, the trend and the rubric dimensions, the main findings, the improvements
    made and the teams recognised, from the reviews ``viewer`` may open."""
    start, end = period.bounds()
    findings = list(
        Finding.objects.filter(
            review__incident__escalated_at__gte=start,
            review__incident__escalated_at__lt=end,
            review__state__in=figures.PUBLIC,
            review__is_exercise=False,
        )
        .select_related("review__incident")
        .order_by("review__incident__escalated_at", "pk")[:12]
    )
    versions = list(versions_published(period).select_related("revision").order_by("published_at", "pk"))
    done = list(
        figures.visible_to(
            viewer, ActionItem.objects.filter(state=ActionState.DONE, completed_at__gte=start, completed_at__lt=end)
        )
        .select_related("review__incident")
        .order_by("completed_at")
    )
    recognised = list(
        Recognition.objects.visible()
        .filter(team__isnull=False, created_at__gte=start, created_at__lt=end)
        .values("team__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "team__name")[:5]
    )
    overall = figures.overall(period, exercises, viewer=viewer)
    previous = figures.overall(period.previous(), exercises, viewer=viewer)
    return {
        "period": period,
        "overall": overall,
        "previous": previous,
        "headline": against_targets(overall, previous),
        "patterns": figures.by_group(period, "pattern", exercises, viewer=viewer),
        "trend": figures.trend(period, exercises, viewer=viewer),
        "dimensions": figures.dimensions(period, exercises),
        "findings": findings,
        "versions": versions,
        "done_actions": done,
        "recognised": recognised,
    }


# (figure, what it is, its playbook target, the share of escalations that met the target)
HEADLINE = [
    ("incidents", "Escalations", None, None),
    ("tto_median", "Time to ownership (median)", "tto_target", "tto_met"),
    ("ttfu_median", "Time to first customer update (median)", "ttfu_target", "ttfu_met"),
    ("ttr_median", "Time to resolution (median)", "ttr_target", "ttr_met"),
    ("satisfaction_mean", "Customer satisfaction (mean, 1–5)", None, None),
    ("clarity_mean", "Ownership clarity (mean, 0–100)", None, None),
]


VERDICTS = {"met": "within target", "missed": "over target", None: ""}


def against_targets(overall, previous):
    """The headline figures as text, each beside its playbook target, the share of
    escalations that met it and the quarter before; ``state`` says whether the median
    is within its target ("met"), over it ("missed") or has none (None), and
    ``verdict`` says it in words."""
    rows = []
    for key, label, target_key, met_key in HEADLINE:
        value = overall.get(key)
        target = overall.get(target_key) if target_key else None
        state = None if value is None or target is None else "met" if value <= target else "missed"
        rows.append(
            {
                "key": key,
                "label": label,
                "now": _figure_text(key, value),
                "target": format_duration(target) if target_key else "",
                "met": share_text(overall.get(met_key)) if met_key else "",
                "previous": _figure_text(key, previous.get(key)),
                "state": state,
                "verdict": VERDICTS[state],
            }
        )
    return rows


def _figure_text(key, value):
    if value is None:
        return "0" if key == "incidents" else "—"
    if hasattr(value, "total_seconds"):
        return format_duration(value)
    if key == "clarity_mean":
        return f"{value:.0f}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def share_text(value):
    """0.667 → '67%'; '—' when nothing could be measured."""
    return "—" if value is None else f"{value * 100:.0f}%"


def customer_incidents(period, customer):
    """One customer's real escalations in ``period`` whose review is published: what anyone may read."""
    return figures.incidents(period, "exclude", viewer=figures.ORGANISATION).filter(
        customer=customer, review__state__in=figures.PUBLIC
    )


def customer_summary(incident):
    """What the customer reads about an escalation: never its internal title."""
    if incident.customer_summary:
        return incident.customer_summary
    if incident.playbook_version_id:
        return incident.playbook_version.pattern
    return f"{incident.get_severity_display().split(' · ')[-1].capitalize()} escalation"


def customer(period, customer_name):
    """One customer's report: only their escalations whose review is published; no internal names."""
    rows = [
        {
            "escalated": incident.escalated_at,
            "summary": customer_summary(incident),
            "severity": incident.get_severity_display(),
            "tto": incident.tto,
            "ttfu": incident.ttfu,
            "ttr": incident.ttr,
            "target_ttfu": incident.target_ttfu,
            "satisfaction": incident.satisfaction,
        }
        for incident in customer_incidents(period, customer_name)
        .select_related("playbook_version")
        .order_by("escalated_at", "pk")
    ]
    return {
        "period": period,
        "customer": customer_name,
        "overall": customer_incidents(period, customer_name).aggregate(**figures._figures()),
        "previous": customer_incidents(period.previous(), customer_name).aggregate(**figures._figures()),
        "rows": rows,
        "improvements": versions_published(period).count(),
    }


def _cell(value):
    """A CSV cell that no spreadsheet will run as a formula."""
    if value is None:
        return ""
    if hasattr(value, "total_seconds"):
        return int(value.total_seconds() // 60)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_CSV_START) else text


FIGURE_COLUMNS = [
    ("incidents", "escalations"),
    ("tto_median", "time_to_ownership_median_min"),
    ("tto_p90", "time_to_ownership_p90_min"),
    ("ttfu_median", "time_to_first_update_median_min"),
    ("ttfu_p90", "time_to_first_update_p90_min"),
    ("ttr_median", "time_to_resolution_median_min"),
    ("ttr_p90", "time_to_resolution_p90_min"),
    ("satisfaction_mean", "satisfaction_mean"),
    ("satisfaction_count", "satisfaction_count"),
    ("clarity_mean", "ownership_clarity_mean"),
    ("tto_met", "ownership_target_met_share"),
    ("ttfu_met", "first_update_target_met_share"),
    ("ttr_met", "resolution_target_met_share"),
]
INCIDENT_COLUMNS = [
    "escalated_at",
    "title",
    "customer",
    "severity",
    "team",
    "pattern",
    "exercise",
    "time_to_ownership_min",
    "time_to_first_update_min",
    "time_to_resolution_min",
    "satisfaction",
    "ownership_clarity",
]


class _Echo:
    def write(self, value):
        return value


def figures_csv(period, exercises="exclude", *, viewer):
    """The figures per team and per pattern, with the overall row first, from the reviews ``viewer`` may open."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["group", "name", *(name for _, name in FIGURE_COLUMNS)])
    writer.writerow(
        [
            "all",
            period.label,
            *(_cell(figures.overall(period, exercises, viewer=viewer)[key]) for key, _ in FIGURE_COLUMNS),
        ]
    )
    for group in ("team", "pattern"):
        for row in figures.by_group(period, group, exercises, viewer=viewer):
            writer.writerow([group, _cell(row["label"]), *(_cell(row[key]) for key, _ in FIGURE_COLUMNS)])
    return buffer.getvalue()


def incident_rows_csv(period, exercises="exclude", *, viewer):
    """Per-incident rows of the reviews ``viewer`` may open, streamed: constant memory however many incidents."""
    queryset = figures.incidents(period, exercises, viewer=viewer).select_related("team", "review", "playbook_version")
    writer = csv.writer(_Echo())
    yield writer.writerow(INCIDENT_COLUMNS)
    for incident in queryset.order_by("escalated_at", "pk").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(incident.escalated_at),
                _cell(incident.title),
                _cell(incident.customer),
                incident.severity,
                _cell(incident.team.name if incident.team_id else ""),
                _cell(incident.playbook_version.pattern if incident.playbook_version_id else incident.pattern_name),
                "yes" if incident.review.is_exercise else "no",
                _cell(incident.tto),
                _cell(incident.ttfu),
                _cell(incident.ttr),
                _cell(incident.satisfaction),
                _cell(_final_clarity(incident.review)),
            ]
        )


def _final_clarity(review):
    """A review's clarity score once published; before, it is provisional and blind to participants."""
    return round(review.clarity_score) if review.is_public and review.clarity_score is not None else None


def quarter_to_prepare(today=None):
    """The quarter that closed most recently."""
    today = today or timezone.localdate()
    return figures.Period.containing(today).previous()
