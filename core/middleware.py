import zoneinfo
from urllib.parse import unquote

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.log import log_response

from core.errors import request_limit_error

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
            if request.path.startswith("/api/") or request.content_type == "application/json":
                return JsonResponse({"detail": message}, status=code)
            html = render_to_string("request_refused.html", {"message": message, "status": code})
            return HttpResponse(html, status=code)
        return self.get_response(request)


class ErrorPagesMiddleware:
    """Keep Baton's error answers when DEBUG is on.

    With DEBUG off Django calls the handlers named in config/urls.py. With DEBUG
    on it answers a 404 with its technical page (which lists every URL) and an
    uncaught exception with a traceback page. This answers a 404 with the
    handler's page in both modes, and under ``/api/`` an exception with the
    handler's JSON (the traceback is still logged). An exception on a page keeps
    Django's traceback page, which is what a developer wants.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No URL matched: a view's own 404 response has a resolver_match.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return _handler(404)(request, exception=Resolver404())
        return response

    def process_exception(self, request, exception):
        # PermissionDenied goes to handler403 in both modes already.
        if not settings.DEBUG or isinstance(exception, PermissionDenied):
            return None
        if isinstance(exception, Http404):
            return _handler(404)(request, exception=exception)
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return _handler(400)(request, exception=exception)
        signals.got_request_exception.send(sender=None, request=request)
        response = _handler(500)(request)
        log_response(
            "%s: %s", response.reason_phrase, request.path, response=response, request=request, exception=exception
        )
        return response


def _handler(status):
    return get_resolver().resolve_error_handler(status)


class PrivatePagesMiddleware:
    """What a signed-in person is sent is never stored by the browser or a proxy: pages, CSV
    exports and PDFs are ``Cache-Control: private, no-store`` (Back shows a page as it is now,
    not as it was before a save, and post-incident material does not stay on a shared
    computer's disk); JSON is ``private, no-cache`` (revalidated, so ETags keep working). A view
    that set its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            json = response.get("Content-Type", "").startswith("application/json")
            response["Cache-Control"] = "private, no-cache" if json else "private, no-store"
        return response
