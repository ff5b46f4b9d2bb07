"""Rendered parts of pages kept in the cache under keys that change when what they show does.

The key of a fragment holds the newest audit event's id (:func:`data_stamp`): every change
a service makes is audited in its own transaction, so any saved change starts new keys
and no cached fragment is older than the last saved change. The rest of the key is what
else the fragment depends on: whose view it is, the page's parameters. Keys start with
the fragment's name (``review-list:…``), so the benchmark can count hits per fragment.

Edits made outside the services (the Django admin's forms for teams or people) are not
audited: they show once the fragment expires (``FRAGMENT_CACHE_SECONDS``, default 300).
``FRAGMENT_CACHE_SECONDS=0`` renders every time.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.models import AuditEvent

# Forms in a fragment are rendered with this in place of the CSRF token (context
# ``csrf_token``); when the fragment is served, the whole hidden input it makes is
# replaced by one with the reader's own token. Only that input: the same words typed
# into a recognition or a title are never a token.
CSRF_PLACEHOLDER = "baton-csrf-token-placeholder"
_PLACEHOLDER_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'

# Audit ids are handed out when a change is written, not when it commits: a change still
# in flight may hold an id below the newest committed one. The stamp therefore also counts
# the committed events among the newest ids, which grows when such a change commits.
RECENT_IDS = 1000


def data_stamp(request=None):
    """What the saved data looks like, for a cache key: the newest audit event's id and how many
    of the ids just below it are committed. One index-only query, kept on the request once read."""
    stamp = getattr(request, "_baton_data_stamp", None)
    if stamp is None:
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(id), COUNT(*) FROM {table} WHERE id > (SELECT MAX(id) FROM {table}) - %s",  # noqa: S608 - the model's own table
                [RECENT_IDS],
            )
            newest, recent = cursor.fetchone()
        stamp = f"{newest or 0}.{recent}"
        if request is not None:
            request._baton_data_stamp = stamp
    return stamp


def fragment(request, name, parts, render):
    """The HTML ``render()`` returns, kept under ``name`` and ``parts`` (strings) with the data stamp
    and the reader's time zone (dates are shown in it)."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        return _served(request, str(render()))
    words = [data_stamp(request), timezone.get_current_timezone_name(), *map(str, parts)]
    key = f"{name}:{hashlib.sha256('|'.join(words).encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, seconds)
    return _served(request, html)


def _served(request, html):
    if _PLACEHOLDER_INPUT in html:
        mine = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        html = html.replace(_PLACEHOLDER_INPUT, mine)
    return mark_safe(html)  # noqa: S308 - the site's own rendering, kept as it was made
