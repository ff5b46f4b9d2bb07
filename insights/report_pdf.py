"""The quarterly performance snapshot as a PDF for leadership, in the site's look.

A title page names the quarter, its dates and the organisation, with the headline
figures at a glance; the pages after it hold the figures against the playbook's
targets, the charts (the dashboard's own geometry from insights/charts.py, drawn
with reportlab.graphics), the findings, the improvements and the teams recognised.
Only reportlab's built-in fonts and the site's palette: nothing is fetched.
"""

import io
from datetime import timedelta
from xml.sax.saxutils import escape

from django.template.defaultfilters import pluralize
from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from core.durations import format_duration
from insights import charts
from insights.snapshot import share_text

# The site's palette: static/css/baton.css, :root and the Insights rules.
PALETTE = {
    "ink": "#1b2430",
    "muted": "#5b6675",
    "line": "#d9dee5",
    "head": "#eef2f7",
    "brand": "#1f4e79",
    "accent": "#f5b942",
    "ok": "#1e7b4f",
    "bad": "#b3261e",
    "column": "#9db4cc",
}
INK, MUTED, LINE, HEAD, BRAND, ACCENT, OK, BAD, COLUMN = (colors.HexColor(value) for value in PALETTE.values())
WHITE = colors.white

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
BAND = 96 * mm  # the title page's coloured band
# A bar chart is this many of its units across the page, so its 14-unit labels print at about 10 pt.
BAR_UNITS = WIDTH / 0.7
CHART_ROWS = 12

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=14, textColor=INK)
LEDE = ParagraphStyle("lede", parent=BODY, fontSize=12, leading=17, textColor=MUTED)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=MUTED)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11.5)
CELL_HEAD = ParagraphStyle("cell-head", parent=CELL, fontName="Helvetica-Bold")
H1 = ParagraphStyle("h1", parent=BODY, fontName="Helvetica-Bold", fontSize=17, leading=21, spaceAfter=8)
H2 = ParagraphStyle(
    "h2",
    parent=BODY,
    fontName="Helvetica-Bold",
    fontSize=12.5,
    leading=16,
    textColor=BRAND,
    spaceBefore=12,
    spaceAfter=5,
)
FIGCAPTION = ParagraphStyle("figcaption", parent=BODY, fontName="Helvetica-Bold", fontSize=9.5, leading=12)
TILE_LABEL = ParagraphStyle("tile-label", parent=SMALL, fontName="Helvetica-Bold")
TILE_VALUE = ParagraphStyle("tile-value", parent=BODY, fontName="Helvetica-Bold", fontSize=19, leading=24)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=12, bulletIndent=2, spaceAfter=3)

STATE_COLOURS = {"met": OK, "missed": BAD, None: BRAND}


def build(report, *, organisation, prepared=None):
    """The PDF of ``report`` (insights.snapshot.internal) for ``organisation``, as bytes."""
    prepared = prepared or timezone.localdate()
    period = report["period"]
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Performance snapshot · {period.label} · {organisation}",
        author=organisation,
        subject="Ownership in customer escalations, against the playbook's targets",
        creator="Baton",
    )
    # No padding inside the frames: tables and charts are WIDTH wide, flush with the text.
    flush = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    title_frame = Frame(MARGIN, MARGIN, WIDTH, PAGE_HEIGHT - BAND - MARGIN - 8 * mm, id="title", **flush)
    body_frame = Frame(MARGIN, MARGIN + 6 * mm, WIDTH, PAGE_HEIGHT - 2 * MARGIN - 12 * mm, id="body", **flush)
    doc.addPageTemplates(
        [
            PageTemplate("title", [title_frame], onPage=lambda c, d: _title_band(c, period, organisation)),
            PageTemplate("body", [body_frame], onPage=lambda c, d: _page_frame(c, d, period, organisation)),
        ]
    )
    doc.build(_title_page(report, organisation, prepared) + _figures_pages(report) + _learning_pages(report))
    return buffer.getvalue()


# The title page ------------------------------------------------------------------


def _title_band(canvas, period, organisation):
    """The brand band across the top of the title page: the quarter, its dates and the organisation."""
    canvas.saveState()
    top = PAGE_HEIGHT
    canvas.setFillColor(BRAND)
    canvas.rect(0, top - BAND, PAGE_WIDTH, BAND, stroke=0, fill=1)
    canvas.setFillColor(ACCENT)
    canvas.rect(0, top - BAND, PAGE_WIDTH, 2.2 * mm, stroke=0, fill=1)
    canvas.setFillColor(WHITE)
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawString(MARGIN, top - 16 * mm, "Baton")
    canvas.setFillColor(ACCENT)
    canvas.setFont("Helvetica-Bold", 10.5)
    canvas.drawString(MARGIN, top - 38 * mm, "PERFORMANCE SNAPSHOT")
    canvas.setFillColor(WHITE)
    canvas.setFont("Helvetica-Bold", 44)
    canvas.drawString(MARGIN, top - 55 * mm, period.label)
    last_day = period.end - timedelta(days=1)
    canvas.setFont("Helvetica", 12.5)
    canvas.drawString(MARGIN, top - 64 * mm, f"{period.start:%-d %B %Y} – {last_day:%-d %B %Y}")
    # A long name wraps onto a second line, in a smaller size when it needs more.
    for size in (20, 15, 11):
        name = Paragraph(
            escape(organisation),
            ParagraphStyle(
                "organisation", fontName="Helvetica-Bold", fontSize=size, leading=size * 1.2, textColor=WHITE
            ),
        )
        _, height = name.wrap(WIDTH, BAND)
        if height <= 20 * mm:
            break
    name.drawOn(canvas, MARGIN, top - 70 * mm - height)
    canvas.restoreState()


def _title_page(report, organisation, prepared):
    period = report["period"]
    story = [
        Paragraph(
            f"How clearly ownership was established in customer escalations at {escape(organisation)} in "
            f"{period.label}: each figure against the playbook's target and the quarter before.",
            LEDE,
        ),
        Spacer(1, 5 * mm),
        Paragraph("At a glance", H2),
        _tiles(report["headline"], report["overall"]),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Prepared on {prepared:%-d %B %Y} from the reviews in Baton. Medians are over the quarter's real "
            "escalations (exercises are kept apart); a target is the playbook's, the median of them where "
            "patterns differ. Internal: this report names customers and findings.",
            SMALL,
        ),
        NextPageTemplate("body"),
        PageBreak(),
    ]
    return story


def _tiles(headline, overall):
    """The six headline figures as tiles, three to a row, each topped by its state's colour."""
    cells, styles = [], []
    for index, row in enumerate(headline):
        lines = [Paragraph(escape(row["label"]), TILE_LABEL), Paragraph(escape(row["now"]), TILE_VALUE)]
        if row["target"]:
            words = f" · {row['verdict']}" if row["verdict"] else ""
            lines.append(Paragraph(escape(f"target {row['target']}{words}"), SMALL))
            lines.append(Paragraph(escape(f"{row['met']} of escalations met it"), SMALL))
        elif row["key"] == "satisfaction_mean":
            lines.append(Paragraph(f"{overall['satisfaction_count']} rated", SMALL))
        lines.append(Paragraph(escape(f"previous quarter {row['previous']}"), SMALL))
        cells.append(lines)
        column, line = index % 3, index // 3
        styles.append(("LINEABOVE", (column, line), (column, line), 3, STATE_COLOURS[row["state"]]))
    grid = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    table = Table(grid, colWidths=[WIDTH / 3] * 3)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, LINE),
                ("INNERGRID", (0, 0), (-1, -1), 0.75, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                *styles,
            ]
        )
    )
    return table


# Figures against targets, and the charts -----------------------------------------


def _figures_pages(report):
    period = report["period"]
    story = [Paragraph(f"Figures against the playbook's targets · {period.label}", H1)]
    story.append(_headline_table(report["headline"], period))
    pattern_rows = [row for row in report["patterns"] if row["incidents"]]
    if pattern_rows:
        story += [Paragraph("Per playbook pattern", H2), _pattern_table(pattern_rows)]
        charted = _slowest(pattern_rows)
        note = "The dark line marks the playbook's target; red bars missed it."
        if len(charted) < len(pattern_rows):
            note += f" The {len(charted)} patterns slowest to an owner; the table above has them all."
        story.append(
            KeepTogether(
                [
                    Paragraph("Time to ownership against target, per pattern", H2),
                    _bars_drawing(charts.target_chart(charted, width=BAR_UNITS)),
                    Paragraph(note, SMALL),
                ]
            )
        )
    story += [PageBreak(), Paragraph("Quarter over quarter", H2), _trend_grid(report["trend"])]
    story.append(
        KeepTogether(
            [
                Paragraph("The six rubric dimensions", H2),
                _bars_drawing(charts.dimension_chart(report["dimensions"], width=BAR_UNITS)),
                Paragraph("Mean consolidated score per dimension over the quarter's published reviews.", SMALL),
            ]
        )
    )
    return story


def _slowest(rows):
    """At most CHART_ROWS patterns, the slowest to an owner first (never established is slowest),
    in the table's order: a chart is one drawing and must fit on a page."""
    if len(rows) <= CHART_ROWS:
        return rows
    never = timedelta.max
    slowest = sorted(rows, key=lambda row: row["tto_median"] or never, reverse=True)[:CHART_ROWS]
    return [row for row in rows if row in slowest]


def _headline_table(headline, period):
    rows = [
        [
            Paragraph(text, CELL_HEAD)
            for text in ("", period.label, "Playbook target", "Met the target", "Previous quarter")
        ]
    ]
    styles = []
    for index, row in enumerate(headline, start=1):
        rows.append(
            [
                Paragraph(escape(row["label"]), CELL_HEAD),
                Paragraph(escape(row["now"]) + _verdict(row), CELL),
                Paragraph(escape(row["target"]), CELL),
                Paragraph(escape(row["met"]), CELL),
                Paragraph(escape(row["previous"]), CELL),
            ]
        )
        if row["state"]:
            styles.append(("LINEBEFORE", (1, index), (1, index), 3, STATE_COLOURS[row["state"]]))
    table = Table(rows, colWidths=[WIDTH * 0.34, WIDTH * 0.18, WIDTH * 0.16, WIDTH * 0.14, WIDTH * 0.18], repeatRows=1)
    table.setStyle(TableStyle(_TABLE + styles))
    return table


def _verdict(row):
    """'within target' in green or 'over target' in red, under the figure."""
    if not row["state"]:
        return ""
    return "<br/>" + _coloured(row["verdict"], "ok" if row["state"] == "met" else "bad", size=7.5)


_TABLE = [
    ("BACKGROUND", (0, 0), (-1, 0), HEAD),
    ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
    ("BOX", (0, 0), (-1, -1), 0.75, LINE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
]


def _pattern_table(rows):
    head = ["Pattern", "Escalations", "Ownership", "First update", "Resolution", "Met target (own · upd · res)"]
    lines = [[Paragraph(text, CELL_HEAD) for text in head]]
    for row in rows:
        lines.append(
            [
                Paragraph(escape(row["label"]), CELL),
                Paragraph(str(row["incidents"]), CELL),
                *(
                    Paragraph(_against(row[f"{key}_median"], row[f"{key}_target"]), CELL)
                    for key in ("tto", "ttfu", "ttr")
                ),
                Paragraph(" · ".join(share_text(row[f"{key}_met"]) for key in ("tto", "ttfu", "ttr")), CELL),
            ]
        )
    widths = [0.28, 0.13, 0.13, 0.13, 0.13, 0.2]
    table = Table(lines, colWidths=[WIDTH * w for w in widths], repeatRows=1)
    table.setStyle(TableStyle(_TABLE))
    return table


def _against(value, target):
    """'20 min' over a muted 'target 30 min', the median in red when over its target."""
    text = escape(format_duration(value))
    if value is not None and target is not None and value > target:
        text = _coloured(text, "bad")
    if target is None:
        return text
    return f"{text}<br/>" + _coloured(f"target {escape(format_duration(target))}", "muted", size=7.5)


def _coloured(markup, colour, size=None):
    """``markup`` in a colour of the palette (and a size in points) inside a Paragraph."""
    sized = f' size="{size}"' if size else ""
    return f'<font color="{PALETTE[colour]}"{sized}>{markup}</font>'


def _trend_grid(trend):
    cells = [
        [Paragraph(escape(t["title"]), FIGCAPTION), _columns_drawing(t["chart"], WIDTH / 2 - 12)]
        for t in charts.trend_charts(trend)
    ]
    rows = [cells[index : index + 2] for index in range(0, len(cells), 2)]
    table = Table([row + [""] * (2 - len(row)) for row in rows], colWidths=[WIDTH / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return table


# The dashboard's chart geometry, drawn with reportlab.graphics --------------------
# The geometry's y grows downwards (SVG); a PDF's grows upwards, so every y is flipped.


def _drawing(chart, width, shapes):
    scale = min(width / chart["width"], 1.4)
    group = Group(*shapes, transform=(scale, 0, 0, scale, 0, 0))
    drawing = Drawing(chart["width"] * scale, chart["height"] * scale)
    drawing.add(group)
    return drawing


def _text(x, y, text, size, height, *, anchor="start", bold=False, colour=INK):
    return String(
        x,
        height - y,
        str(text),
        fontName="Helvetica-Bold" if bold else "Helvetica",
        fontSize=size,
        fillColor=colour,
        textAnchor=anchor,
    )


def _line(x1, y1, x2, y2, height, *, colour=MUTED, width=0.75):
    return Line(x1, height - y1, x2, height - y2, strokeColor=colour, strokeWidth=width)


def _bars_drawing(chart, width=WIDTH):
    h = chart["height"]
    shapes = []
    for row in chart["rows"]:
        shapes.append(_text(row["label_x"], row["label_y"], row["label_text"], charts.LABEL_SIZE, h))
        if row["target_text"]:
            shapes.append(
                _text(
                    chart["width"], row["label_y"], row["target_text"], charts.TICK_SIZE, h, anchor="end", colour=MUTED
                )
            )
        if row["width"] > 0:
            shapes.append(
                Rect(
                    row["x"],
                    h - row["y"] - chart["bar"],
                    row["width"],
                    chart["bar"],
                    fillColor=BAD if row["missed"] else BRAND,
                    strokeColor=None,
                )
            )
        if row["target_x"] is not None:
            shapes.append(
                _line(row["target_x"], row["target_y1"], row["target_x"], row["target_y2"], h, colour=INK, width=3)
            )
        shapes.append(
            _text(
                row["value_x"],
                row["value_y"],
                row["shown"],
                charts.VALUE_SIZE,
                h,
                bold=True,
                colour=MUTED if row["empty"] else INK,
            )
        )
    axis = chart["axis"]
    shapes.append(_line(chart["axis_x1"], axis["y"], chart["axis_x2"], axis["y"], h))
    for tick in axis["ticks"]:
        shapes.append(_line(tick["x"], axis["y"], tick["x"], tick["y2"], h))
        shapes.append(
            _text(tick["x"], tick["text_y"], tick["text"], charts.TICK_SIZE, h, anchor="middle", colour=MUTED)
        )
    shapes.append(
        _text(
            chart["axis_name_x"],
            chart["axis_name_y"],
            chart["axis_name"],
            charts.TICK_SIZE,
            h,
            anchor="middle",
            colour=MUTED,
        )
    )
    return _drawing(chart, width, shapes)


def _columns_drawing(chart, width):
    h = chart["height"]
    shapes = [_text(0, 11, chart["axis_name"], charts.COLUMN_TICK_SIZE, h, colour=MUTED)]
    for index, tick in enumerate(chart["ticks"]):
        shapes.append(
            _line(chart["tick_x"], tick["y"], chart["width"], tick["y"], h, colour=MUTED if index == 0 else LINE)
        )
        shapes.append(
            _text(
                chart["tick_text_x"],
                tick["text_y"],
                tick["text"],
                charts.COLUMN_TICK_SIZE,
                h,
                anchor="end",
                colour=MUTED,
            )
        )
    shapes.append(_line(chart["axis_x"], chart["top"], chart["axis_x"], chart["base"], h))
    for index, col in enumerate(chart["cols"]):
        if col["h"] > 0:
            current = index == len(chart["cols"]) - 1
            shapes.append(
                Rect(
                    col["x"],
                    h - col["y"] - col["h"],
                    col["w"],
                    col["h"],
                    fillColor=BRAND if current else COLUMN,
                    strokeColor=None,
                )
            )
        shapes.append(
            _text(
                col["label_x"],
                col["value_y"],
                col["shown"],
                charts.COLUMN_SIZE,
                h,
                anchor="middle",
                bold=True,
                colour=MUTED if col["empty"] else INK,
            )
        )
        shapes.append(_text(col["label_x"], col["label_y"], col["label"], charts.COLUMN_SIZE, h, anchor="middle"))
    return _drawing(chart, width, shapes)


# What the quarter taught -------------------------------------------------------------


def _learning_pages(report):
    story = [CondPageBreak(60 * mm), Paragraph("Main findings", H2)]
    story += [
        Paragraph(escape(f.text) + _coloured(f" — {escape(f.review.incident.title)}", "muted"), BULLET, bulletText="•")
        for f in report["findings"]
    ] or [Paragraph("No findings from published reviews.", SMALL)]
    story.append(Paragraph("Improvements made", H2))
    improvements = [
        Paragraph(f"<b>Playbook:</b> {escape(v.pattern)} v{v.number} — {escape(_why(v))}", BULLET, bulletText="•")
        for v in report["versions"]
    ] + [Paragraph(f"<b>Done:</b> {escape(a.title)}", BULLET, bulletText="•") for a in report["done_actions"]]
    story += improvements or [Paragraph("None recorded this quarter.", SMALL)]
    story.append(Paragraph("Teams recognised", H2))
    story += [
        Paragraph(
            escape(r["team__name"]) + _coloured(f" · {r['n']} recognition{pluralize(r['n'])}", "muted"),
            BULLET,
            bulletText="•",
        )
        for r in report["recognised"]
    ] or [Paragraph("No recognitions this quarter.", SMALL)]
    return story


def _why(version):
    return version.revision.rationale if version.revision_id else "first version"


def _page_frame(canvas, doc, period, organisation):
    """A thin brand rule and the report's name at the top of each page, the page number at the foot."""
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - 4 * mm, PAGE_WIDTH, 4 * mm, stroke=0, fill=1)
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, PAGE_HEIGHT - 11 * mm, f"Performance snapshot · {period.label} · {organisation}")
    canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 4 * mm, f"Page {doc.page}")
    canvas.drawString(MARGIN, MARGIN - 4 * mm, "Baton")
    canvas.restoreState()
