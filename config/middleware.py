import zoneinfo
from urllib.parse import unquote

from django.http import HttpResponseBadRequest
from django.utils import timezone

TIMEZONE_COOKIE = "baton_tz"


class TimezoneMiddleware:
    """Show and read times in the person's own time zone.

    The browser reports its zone in a cookie (static/js/baton.js); without it
    times are in settings.TIME_ZONE. Stored times are always UTC.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = unquote(request.COOKIES.get(TIMEZONE_COOKIE, ""))[:64]
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        request.timezone_name = name if zone else timezone.get_default_timezone_name()
        return self.get_response(request)


class RejectNullCharactersMiddleware:
    """Answer 400 to a query string carrying NUL characters.

    Forms and serializers already refuse them in submitted data; query
    parameters read directly by views (search boxes, filters) would otherwise
    reach PostgreSQL, which cannot store or compare them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("The address contains a NUL character.", content_type="text/plain")
        return self.get_response(request)
