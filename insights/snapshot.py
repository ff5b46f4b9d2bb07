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
    quarter, the main findings, the improvements made and the teams recognised,
    from the reviews ``viewer`` may open."""
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
    return {
        "period": period,
        "overall": figures.overall(period, exercises, viewer=viewer),
        "previous": figures.overall(period.previous(), exercises, viewer=viewer),
        "patterns": figures.by_group(period, "pattern", exercises, viewer=viewer),
        "findings": findings,
        "versions": versions,
        "done_actions": done,
        "recognised": recognised,
    }


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


def pdf(report):
    """The internal snapshot as a PDF (reportlab), for mailing to leadership."""
    # reportlab takes a while to import and only the PDF needs it: not on every page's import path.
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
        Paragraph(f"• Playbook: {esc(v.pattern)} v{v.number} — {esc(_why(v))}", styles["Normal"])
        for v in report["versions"]
    ] + [Paragraph(f"• Done: {esc(a.title)}", styles["Normal"]) for a in report["done_actions"]]
    story += improvements or [Paragraph("None recorded.", styles["Normal"])]
    story += [Spacer(1, 8), Paragraph("Teams recognised", styles["Heading2"])]
    recognised = [Paragraph(f"• {esc(r['team__name'])} ({r['n']})", styles["Normal"]) for r in report["recognised"]]
    story += recognised or [Paragraph("None this quarter.", styles["Normal"])]
    doc.build(story)
    return buffer.getvalue()


def _why(version):
    return version.revision.rationale if version.revision_id else "First version"


def _share(value):
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def quarter_to_prepare(today=None):
    """The quarter that closed most recently."""
    today = today or timezone.localdate()
    return figures.Period.containing(today).previous()
