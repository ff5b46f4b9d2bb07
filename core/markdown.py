"""Markdown rendered safely: Python-Markdown to HTML, then nh3 keeps only a
small allow-list of tags and attributes (no scripts, styles, event handlers
or javascript: links)."""

from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text):
    """Safe HTML for ``text`` (Markdown); headings start at h3 inside a page."""
    if not text:
        return mark_safe("")
    if len(text) <= CACHED_LENGTH:
        return _cached(text)
    return _render(text)


CACHED_LENGTH = 10_000  # recognition messages, findings, most narratives


@lru_cache(maxsize=2048)
def _cached(text):
    """Rendering is a pure function of the text: the board renders the same
    messages on every request, so each process keeps recent results."""
    return _render(text)


def _render(text):
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above
