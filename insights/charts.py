"""Geometry for the small server-side SVG charts (no JavaScript, no CDN)."""

from core.durations import format_duration

WIDTH, LABEL, BAR, GAP = 600, 250, 22, 10


def _number(value):
    if value is None:
        return None
    return value.total_seconds() / 60 if hasattr(value, "total_seconds") else float(value)


def bars(items, *, maximum=None, unit="minutes"):
    """Horizontal bars: ``items`` are (label, value, target) with timedelta or number values."""
    values = [_number(v) for _, v, _ in items] + [_number(t) for _, _, t in items]
    top = maximum or max([v for v in values if v is not None] or [1]) or 1
    scale = (WIDTH - LABEL - 70) / top
    rows = []
    for index, (label, value, target) in enumerate(items):
        number, goal = _number(value), _number(target)
        y = index * (BAR + GAP)
        rows.append(
            {
                "label": label,
                "y": y,
                "text_y": y + BAR * 0.7,
                "width": max((number or 0) * scale, 0),
                "shown": _shown(value, unit),
                "value_x": LABEL + (number or 0) * scale + 6,
                "target_x": LABEL + goal * scale if goal is not None else None,
                "missed": goal is not None and number is not None and number > goal,
                "empty": number is None,
            }
        )
    return {"width": WIDTH, "label": LABEL, "bar": BAR, "height": max(len(items) * (BAR + GAP), BAR), "rows": rows}


def _shown(value, unit):
    if value is None:
        return "—"
    if unit == "minutes":
        return format_duration(value)
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def columns(series, *, unit="minutes", height=120, width=260):
    """A small column chart for a trend: ``series`` are (label, value)."""
    numbers = [_number(v) for _, v in series]
    top = max([n for n in numbers if n is not None] or [1]) or 1
    slot = width / max(len(series), 1)
    cols = []
    for index, ((label, value), number) in enumerate(zip(series, numbers, strict=True)):
        h = (number or 0) / top * (height - 30)
        cols.append(
            {
                "x": index * slot + slot * 0.2,
                "w": slot * 0.6,
                "y": height - 18 - h,
                "h": h,
                "label": label,
                "label_x": index * slot + slot / 2,
                "shown": _shown(value, unit),
                "empty": number is None,
            }
        )
    return {"width": width, "height": height, "cols": cols, "base": height - 18}
