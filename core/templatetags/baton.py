from datetime import timedelta

from django import template
from django.utils.html import format_html

from core import once as once_tokens
from core.durations import format_duration, format_minutes
from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or None: a dict read in a template."""
    return mapping.get(key) if isinstance(mapping, dict) else None


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


@register.simple_tag
def once():
    """The one-time token of a create form (core.once): a repeat lands on what it created.

    A text input made invisible, not ``type=hidden``: browsers restore what a form held when
    someone goes Back to it (and re-fetch the page with a new token), but restore the value of
    a hidden input only from their cache; the restored token is the one already used."""
    return format_html(
        '<input type="text" name="{}" value="{}" hidden tabindex="-1" aria-hidden="true">',
        once_tokens.FIELD,
        once_tokens.new_token(),
    )
