from datetime import timedelta

from django import template

from core.durations import format_duration, format_minutes
from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def minutes(value):
    """120 → '2 h', 90 → '1 h 30 min', 45 → '45 min'."""
    return format_minutes(value)


@register.filter
def duration(value):
    return format_duration(value) if isinstance(value, timedelta) else "—"


@register.filter
def percent(value):
    return f"{value * 100:.0f}%" if isinstance(value, int | float) else "—"


@register.filter
def one_decimal(value):
    return f"{value:.1f}" if isinstance(value, int | float) else "—"
