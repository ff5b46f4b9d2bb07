"""The quarterly performance snapshot: the internal report and the customer one.

The customer version shows only that customer's escalations and names no
internal people: no facilitators, owners, authors, teams' members or
free-text findings — only figures, dates, severities and playbook patterns.
"""

import csv
import io

from django.db.models import Count
from django.utils import timezone

from playbook.models import Revision, RevisionState
from recognition.models import Recognition
from reviews import insights
from reviews.metrics import format_duration
from reviews.models import ActionItem, ActionState, Finding

DANGEROUS_CSV_START = ("=", "+", "-", "@", "\t", "\r")


def internal(period, exercises="exclude"):
    """The leadership report: headline figures against targets and the previous
    quarter, the main findings, the improvements made and the teams recognised."""
    start, end = period.bounds()
    findings = list(
        Finding.objects.filter(
            review__incident__escalated_at__gte=start,
            review__incident__escalated_at__lt=end,
            review__state__in=insights.PUBLIC,
            review__is_exercise=False,
        )
        .select_related("review__incident")
        .order_by("review__incident__escalated_at", "pk")[:12]
    )
    revisions = list(
        Revision.objects.filter(state=RevisionState.APPROVED, decided_at__gte=start, decided_at__lt=end)
        .select_related("published_version")
        .order_by("decided_at")
    )
    done = list(
        ActionItem.objects.filter(state=ActionState.DONE, completed_at__gte=start, completed_at__lt=end)
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
    return {
        "period": period,
        "overall": insights.overall(period, exercises),
        "previous": insights.overall(period.previous(), exercises),
        "patterns": insights.by_group(period, "pattern", exercises),
        "findings": findings,
        "revisions": revisions,
        "done_actions": done,
        "recognised": recognised,
    }


def customer_incidents(period, customer):
    return (
        insights.incidents(period, "exclude")
        .filter(customer=customer)
        .select_related("playbook_version")
        .order_by("escalated_at")
    )


def customer(period, customer_name):
    """One customer's report: only their escalations; no internal names."""
    rows = [
        {
            "escalated": incident.escalated_at,
            "title": incident.title,
            "severity": incident.get_severity_display(),
            "pattern": incident.playbook_version.pattern if incident.playbook_version else "",
            "tto": incident.tto,
            "ttfu": incident.ttfu,
            "ttr": incident.ttr,
            "target_ttfu": incident.target_ttfu,
            "satisfaction": incident.satisfaction,
        }
        for incident in customer_incidents(period, customer_name)
    ]
    previous = insights.incidents(period.previous(), "exclude").filter(customer=customer_name)
    figures = insights.incidents(period, "exclude").filter(customer=customer_name).aggregate(**insights._figures())
    return {
        "period": period,
        "customer": customer_name,
        "overall": figures,
        "previous": previous.aggregate(**insights._figures()),
        "rows": rows,
        "improvements": Revision.objects.filter(
            state=RevisionState.APPROVED, decided_at__gte=period.bounds()[0], decided_at__lt=period.bounds()[1]
        ).count(),
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


def figures_csv(period, exercises="exclude"):
    """The figures per team and per pattern, with the overall row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["group", "name", *(name for _, name in FIGURE_COLUMNS)])
    writer.writerow(
        ["all", period.label, *(_cell(insights.overall(period, exercises)[key]) for key, _ in FIGURE_COLUMNS)]
    )
    for group in ("team", "pattern"):
        for row in insights.by_group(period, group, exercises):
            writer.writerow([group, _cell(row["label"]), *(_cell(row[key]) for key, _ in FIGURE_COLUMNS)])
    return buffer.getvalue()


def incident_rows_csv(period, exercises="exclude", customer_name=None):
    """Per-incident rows, streamed: constant memory however many incidents."""
    queryset = insights.incidents(period, exercises).select_related("team", "review", "playbook_version")
    if customer_name:
        queryset = queryset.filter(customer=customer_name)
    writer = csv.writer(_Echo())
    yield writer.writerow(INCIDENT_COLUMNS)
    for incident in queryset.order_by("escalated_at", "pk").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(incident.escalated_at),
                _cell(incident.title),
                _cell(incident.customer),
                incident.severity,
                _cell(incident.team.name if incident.team_id and not customer_name else ""),
                _cell(incident.playbook_version.pattern if incident.playbook_version_id else incident.pattern_name),
                "yes" if incident.review.is_exercise else "no",
                _cell(incident.tto),
                _cell(incident.ttfu),
                _cell(incident.ttr),
                _cell(incident.satisfaction),
                _cell(round(incident.review.clarity_score) if incident.review.clarity_score is not None else None),
            ]
        )


def pdf(report):
    """The internal snapshot as a PDF (reportlab), for mailing to leadership."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Baton performance snapshot {report['period'].label}")
    overall, previous = report["overall"], report["previous"]

    def esc(text):
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story = [Paragraph(f"Performance snapshot · {report['period'].label}", styles["Title"])]
    headline = [
        ["", "This quarter", "Previous quarter", "Target met"],
        ["Escalations", overall["incidents"], previous["incidents"], ""],
        [
            "Time to ownership (median)",
            format_duration(overall["tto_median"]),
            format_duration(previous["tto_median"]),
            _share(overall["tto_met"]),
        ],
        [
            "Time to first update (median)",
            format_duration(overall["ttfu_median"]),
            format_duration(previous["ttfu_median"]),
            _share(overall["ttfu_met"]),
        ],
        [
            "Time to resolution (median)",
            format_duration(overall["ttr_median"]),
            format_duration(previous["ttr_median"]),
            _share(overall["ttr_met"]),
        ],
        ["Customer satisfaction (mean)", _num(overall["satisfaction_mean"]), _num(previous["satisfaction_mean"]), ""],
        ["Ownership clarity (mean, 0–100)", _num(overall["clarity_mean"], 0), _num(previous["clarity_mean"], 0), ""],
    ]
    table = Table(headline, hAlign="LEFT")
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    )
    story += [table, Spacer(1, 12), Paragraph("Main findings", styles["Heading2"])]
    story += [Paragraph("• " + esc(f.text), styles["Normal"]) for f in report["findings"]] or [
        Paragraph("None recorded.", styles["Normal"])
    ]
    story += [Spacer(1, 8), Paragraph("Improvements made", styles["Heading2"])]
    improvements = [
        Paragraph(f"• Playbook: {esc(r.pattern)} — {esc(r.rationale)}", styles["Normal"]) for r in report["revisions"]
    ] + [Paragraph(f"• Done: {esc(a.title)}", styles["Normal"]) for a in report["done_actions"]]
    story += improvements or [Paragraph("None recorded.", styles["Normal"])]
    story += [Spacer(1, 8), Paragraph("Teams recognised", styles["Heading2"])]
    recognised = [Paragraph(f"• {esc(r['team__name'])} ({r['n']})", styles["Normal"]) for r in report["recognised"]]
    story += recognised or [Paragraph("None this quarter.", styles["Normal"])]
    doc.build(story)
    return buffer.getvalue()


def _share(value):
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def quarter_to_prepare(today=None):
    """The quarter that closed most recently."""
    today = today or timezone.localdate()
    return insights.Period.containing(today).previous()
