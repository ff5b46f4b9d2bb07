"""Geometry for the small server-side charts: SVG on the pages, the same shapes in the PDF.

No JavaScript and no CDN. What every chart guarantees:

- each text is measured before it is placed, with the advance widths of DejaVu Sans, the
  widest font in the site's stack, so a label that fits here fits in any of them: value
  labels get a column of their own, long names are shortened with "…" (the full name stays
  in the tooltip and the data table), and nothing reaches past the chart's edge;
- a bar's value label starts after both the bar and its target marker, never under it;
- each chart has an axis with round ticks and its unit.

Pure: numbers, timedeltas and text in, coordinates out.
"""

import math

from core.durations import format_duration

# Advance widths in thousandths of an em of DejaVu Sans, for " " to "~", then "–—·…’".
_CHARS = "".join(chr(code) for code in range(32, 127)) + "–—·…’"
_REGULAR = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 "
    "636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 "
    "603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 "
    "634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 592 592 525 636 337 636 838 500 "
    "1000 318 1000 318"
)
_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 "
    "696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 "
    "733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 "
    "712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 645 652 582 712 365 712 838 500 "
    "1000 380 1000 380"
)
WIDTHS = {
    False: dict(zip(_CHARS, map(int, _REGULAR.split()), strict=True)),
    True: dict(zip(_CHARS, map(int, _BOLD.split()), strict=True)),
}
# Any other character (accented, CJK) is counted as wide as the widest glyph: too wide, never too narrow.
UNKNOWN = {False: 1000, True: 1103}

# Font sizes in the chart's own units.
LABEL_SIZE, VALUE_SIZE, TICK_SIZE = 14, 14, 12
COLUMN_SIZE, COLUMN_TICK_SIZE = 12, 11

# Round steps for an axis, per unit of the axis; numbers also take these times a power of ten.
STEPS = {
    "min": (1, 2, 5, 10, 15, 20, 30, 60),
    "h": (0.5, 1, 2, 3, 4, 6, 12, 24),
    "days": (1, 2, 5, 7, 10, 14, 30, 60, 90),
}
AXIS_NAMES = {"min": "minutes", "h": "hours", "days": "days"}
MINUTES_IN = {"min": 1, "h": 60, "days": 24 * 60}
MAX_INTERVALS = 5


def text_width(text, size, *, bold=False):
    """The width of ``text`` at font ``size``, in the same units as ``size``."""
    widths, unknown = WIDTHS[bold], UNKNOWN[bold]
    return sum(widths.get(char, unknown) for char in str(text)) * size / 1000


def fit(text, width, size, *, bold=False):
    """``text``, shortened with "…" until it is no wider than ``width``."""
    text = str(text)
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _number(value):
    """Minutes for a timedelta, the number itself otherwise; None stays None."""
    if value is None:
        return None
    return value.total_seconds() / 60 if hasattr(value, "total_seconds") else float(value)


def _shown(value, unit, digits=1, missing="—"):
    if value is None:
        return missing
    if unit == "minutes":
        return format_duration(value)
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def compact_duration(minutes, per):
    """A duration in the unit of its axis (``per`` minutes), short enough to stand above a
    narrow column: '45 min', '3.3 h', '2.5 d'."""
    if per == MINUTES_IN["min"]:
        return f"{minutes:.0f} min"
    return f"{_trim(minutes / per)} {'h' if per == MINUTES_IN['h'] else 'd'}"


def _trim(number):
    return f"{number:.1f}".removesuffix(".0")


def axis_for(top, unit):
    """(ticks in the axis's unit, minutes or units per tick unit, the axis's name) for values up to ``top``."""
    if unit == "minutes":
        name = "min" if top <= 120 else "h" if top <= 72 * 60 else "days"
        per = MINUTES_IN[name]
        return _ticks(top / per, STEPS[name]), per, AXIS_NAMES[name]
    return _ticks(top, ()), 1, None


def _ticks(top, steps):
    """0, step, 2·step, … up to the first tick at or above ``top``, in at most MAX_INTERVALS intervals."""
    top = top if top > 0 else 1
    step = next((s for s in steps if s * MAX_INTERVALS >= top), None)
    power = 0.01
    while step is None:
        step = next((m * power for m in (1, 2, 2.5, 5) if m * power * MAX_INTERVALS >= top), None)
        power *= 10
    count = math.ceil(top / step - 1e-9)
    return [round(step * index, 6) for index in range(count + 1)]


def tick_text(tick):
    return f"{tick:g}"


def bars(items, *, maximum=None, unit="minutes", axis=None, digits=1, missing="—", width=360):
    """Horizontal bars, each with its label above it: ``items`` are (label, value, target)
    with timedelta or number values; a missing value reads ``missing``. A target draws a
    marker across the bar and is named at the end of the label's line."""
    numbers = [(_number(value), _number(target)) for _, value, target in items]
    top = maximum or max([n for pair in numbers for n in pair if n is not None] or [1]) or 1
    ticks, per, axis_name = axis_for(top, unit)
    axis_max = ticks[-1] * per
    shown = [_shown(value, unit, digits, missing) for _, value, _ in items]
    tick_labels = [tick_text(tick) for tick in ticks]
    left = text_width(tick_labels[0], TICK_SIZE) / 2 + 1
    reserve = max(
        max(text_width(text, VALUE_SIZE, bold=True) for text in shown) + 10 if shown else 0,
        text_width(tick_labels[-1], TICK_SIZE) / 2 + 1,
    )
    plot = width - left - reserve

    def x(number):
        return left + number / axis_max * plot

    row_height, bar = 50, 16
    rows = []
    for index, ((label, _, target), (number, goal), text) in enumerate(zip(items, numbers, shown, strict=True)):
        y = index * row_height
        end = x(number or 0)
        target_x = x(goal) if goal is not None else None
        target_text = f"target {_shown(target, unit, digits)}" if goal is not None else ""
        label_room = width - (text_width(target_text, TICK_SIZE) + 12 if target_text else 0)
        rows.append(
            {
                "label": label,
                "label_text": fit(label, label_room - left, LABEL_SIZE),
                "label_x": left,
                "label_y": y + 14,
                "target_text": target_text,
                "y": y + 20,
                "x": left,
                "width": end - left,
                "shown": text,
                "value_x": max(end, target_x + 2 if target_x is not None else end) + 6,
                "value_y": y + 20 + bar / 2 + VALUE_SIZE * 0.36,
                "target_x": target_x,
                "target_y1": y + 17,
                "target_y2": y + 20 + bar + 3,
                "missed": goal is not None and number is not None and number > goal,
                "empty": number is None,
            }
        )
    axis_y = len(items) * row_height - 8
    return {
        "width": width,
        "height": axis_y + 38,
        "bar": bar,
        "rows": rows,
        "axis": _axis(ticks, tick_labels, [x(tick * per) for tick in ticks], axis_y),
        "axis_x1": left,
        "axis_x2": left + plot,
        "axis_name": axis if axis is not None else axis_name or "",
        "axis_name_x": left + plot / 2,
        "axis_name_y": axis_y + 33,
    }


def _axis(ticks, labels, positions, axis_y):
    return {
        "y": axis_y,
        "ticks": [
            {"value": tick, "text": text, "x": position, "y2": axis_y + 4, "text_y": axis_y + 16}
            for tick, text, position in zip(ticks, labels, positions, strict=True)
        ],
    }


def columns(series, *, unit="minutes", maximum=None, axis=None, digits=1, width=260, height=160):
    """A small column chart for a trend, with a value axis on the left: ``series`` are (label, value)."""
    numbers = [_number(value) for _, value in series]
    top = maximum or max([n for n in numbers if n is not None] or [1]) or 1
    ticks, per, axis_name = axis_for(top, unit)
    axis_max = ticks[-1] * per
    tick_labels = [tick_text(tick) for tick in ticks]
    axis_x = max(text_width(text, COLUMN_TICK_SIZE) for text in tick_labels) + 7
    shown = [
        "—" if number is None else compact_duration(number, per) if unit == "minutes" else _shown(value, unit, digits)
        for (_, value), number in zip(series, numbers, strict=True)
    ]
    widest = max(
        [text_width(text, COLUMN_SIZE, bold=True) for text in shown]
        + [text_width(label, COLUMN_SIZE) for label, _ in series]
        + [0]
    )
    count = max(len(series), 1)
    slot = max((width - axis_x) / count, widest + 8)
    width = axis_x + slot * count
    plot_top, plot_bottom = 32, height - 22

    def y(number):
        return plot_bottom - number / axis_max * (plot_bottom - plot_top)

    cols = []
    for index, ((label, value), number, text) in enumerate(zip(series, numbers, shown, strict=True)):
        top_y = y(number or 0)
        cols.append(
            {
                "x": axis_x + index * slot + slot * 0.22,
                "w": slot * 0.56,
                "y": top_y,
                "h": plot_bottom - top_y,
                "label": label,
                "label_x": axis_x + index * slot + slot / 2,
                "label_y": height - 6,
                "shown": text,
                "full": _shown(value, unit, digits),
                "value_y": top_y - 4,
                "empty": number is None,
            }
        )
    return {
        "width": width,
        "height": height,
        "cols": cols,
        "axis_x": axis_x,
        "tick_x": axis_x - 3,
        "tick_text_x": axis_x - 5,
        "base": plot_bottom,
        "top": plot_top,
        "ticks": [
            {"text": text, "y": y(tick * per), "text_y": y(tick * per) + COLUMN_TICK_SIZE * 0.36}
            for tick, text in zip(ticks, tick_labels, strict=True)
        ],
        "axis_name": axis if axis is not None else axis_name or "",
    }


# The charts of the dashboard and of the snapshot's PDF ------------------------------------

DIMENSION_LABELS = {
    1: "1 · Roles named at the outset",
    2: "2 · Expectations communicated",
    3: "3 · Escalation path followed",
    4: "4 · Handovers carried the info",
    5: "5 · Decision authority clear",
    6: "6 · One coherent narrative",
}
# (figure, title, how its column chart draws it)
TRENDS = [
    ("tto_median", "Time to ownership (median)", {"unit": "minutes"}),
    ("ttfu_median", "Time to first update (median)", {"unit": "minutes"}),
    ("ttr_median", "Time to resolution (median)", {"unit": "minutes"}),
    ("satisfaction_mean", "Customer satisfaction (mean)", {"unit": "number", "maximum": 5, "axis": "rating (1–5)"}),
    (
        "clarity_mean",
        "Ownership clarity (mean)",
        {"unit": "number", "maximum": 100, "axis": "score (0–100)", "digits": 0},
    ),
]


def trend_charts(trend):
    """A titled column chart per figure of TRENDS, over ``trend``: (period, figures row) pairs."""
    return [
        {"title": title, "chart": columns([(period.label, row.get(key)) for period, row in trend], **drawn)}
        for key, title, drawn in TRENDS
    ]


def dimension_chart(dimensions, **options):
    """The mean consolidated score of each rubric dimension, on a 0–5 axis."""
    return bars(
        [(DIMENSION_LABELS[d["dimension"]], d["mean"], None) for d in dimensions],
        maximum=5,
        unit="number",
        axis="mean consolidated score (1–5)",
        missing="not scored",
        **options,
    )


def target_chart(patterns, **options):
    """Each pattern's median time to ownership against its playbook target; None when no pattern had escalations."""
    rows = [(row["label"], row["tto_median"], row["tto_target"]) for row in patterns if row["incidents"]]
    return bars(rows, missing="not established", **options) if rows else None
