import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

from config.errors import request_limit_error

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


class RequestLimitsMiddleware:
    """Answer an oversized request with a clear 413, and one with too many form fields with a 400.

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused by its Content-Length before
    anything reads it (the API's JSON parser would otherwise read it whole); a form over
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` is refused as it is parsed. The API answers JSON
    (``{"detail": ...}``), pages a short page that says what to do; nothing is saved.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            if limit is not None and length > limit:
                raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
            if request.method == "POST" and request.content_type in self.FORM_TYPES:
                request.POST  # noqa: B018 - parsed here, so a form over the limits gets this answer
        except (RequestDataTooBig, TooManyFieldsSent) as error:
            request._mark_post_parse_error()
            code, message = request_limit_error(error)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=code)
            html = render_to_string("request_refused.html", {"message": message, "status": code})
            return HttpResponse(html, status=code)
        return self.get_response(request)
