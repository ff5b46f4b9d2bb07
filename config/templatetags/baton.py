from datetime import timedelta

from django import template

from config.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def minutes(value):
    """120 → '2 h', 90 → '1 h 30 min', 45 → '45 min'."""
    if value in (None, ""):
        return "—"
    hours, mins = divmod(int(value), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


@register.filter
def duration(value):
    from reviews.metrics import format_duration

    return format_duration(value) if isinstance(value, timedelta) else "—"


@register.filter
def percent(value):
    return f"{value * 100:.0f}%" if isinstance(value, int | float) else "—"


@register.filter
def one_decimal(value):
    return f"{value:.1f}" if isinstance(value, int | float) else "—"
