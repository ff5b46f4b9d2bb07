"""Baton's URLs plus ``/bench/ceiling/``: the trivial view that measures Django's own ceiling.

It goes through the same middleware (session, sign-in, CSRF, CSP…) as every page,
and is only served under ``bench.settings``, never by the production URLconf.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as baton


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *baton]
