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
from django.db.models import Max
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe

from core.models import AuditEvent

# Forms in a fragment are rendered with this in place of the CSRF token (context
# ``csrf_token``), and each reader's own token replaces it when the fragment is served.
CSRF_PLACEHOLDER = "baton-csrf-token-placeholder"


def data_stamp(request=None):
    """The newest audit event's id: one index-only lookup, kept on the request once read."""
    stamp = getattr(request, "_baton_data_stamp", None)
    if stamp is None:
        stamp = AuditEvent.objects.aggregate(newest=Max("pk"))["newest"] or 0
        if request is not None:
            request._baton_data_stamp = stamp
    return stamp


def fragment(request, name, parts, render):
    """The HTML ``render()`` returns, kept under ``name`` and ``parts`` (strings) with the data stamp."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if not seconds:
        return _served(request, str(render()))
    digest = hashlib.sha256("|".join([str(data_stamp(request)), *map(str, parts)]).encode()).hexdigest()
    key = f"{name}:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, seconds)
    return _served(request, html)


def _served(request, html):
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 - the site's own rendering, kept as it was made
