"""The answers to errors: every error a person sees is a page of the site, and every
error under ``/api/`` is JSON (``{"detail": ...}``). config/urls.py names these handlers,
and core.middleware.ErrorPagesMiddleware uses them when DEBUG is on too.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

SERVER_ERROR = "Something went wrong on our side. What was already saved is safe; try again in a moment."
PLAIN_SERVER_ERROR = f"<!doctype html><title>Error</title><h1>Something went wrong</h1><p>{SERVER_ERROR}</p>"


def is_api(request):
    return request.path.startswith("/api/")


def _message(exception):
    """The exception's own message when it was written for people (a service's
    ``PermissionDenied("Only facilitators ...")``), else None."""
    message = exception.args[0] if exception is not None and exception.args else None
    return message if isinstance(message, str) and message else None


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": "The request could not be understood."}, status=400)
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    message = _message(exception)
    if is_api(request):
        return JsonResponse({"detail": message or "You do not have permission to do this."}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    """Never shows the exception's message: it can name models and lookups."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """A form sent with a stale or missing token: usually a page left open across a sign-in."""
    if is_api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The 500 answer. It uses nothing that may be what failed: no database,
    no context processors, no request context; if even the template fails,
    a plain page."""
    if is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    try:
        html = render_to_string(
            "500.html", {"stylesheet": _stylesheet(), "home": reverse("home"), "message": SERVER_ERROR}
        )
    except Exception:
        logger.exception("The 500 page itself failed to render.")
        html = PLAIN_SERVER_ERROR
    return HttpResponse(html, status=500)


def share_link_gone(request):
    """The page behind a share link that expired or was withdrawn: a 404 in every mode.

    Its reader is outside the company, so it names nothing internal, has no
    navigation and reads nothing from the database.
    """
    response = HttpResponse(render_to_string("share_link_gone.html", {"stylesheet": _stylesheet()}), status=404)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _stylesheet():
    try:
        return static("css/baton.css")
    except ValueError:  # missing from the static manifest: collectstatic has not run
        return f"{settings.STATIC_URL}css/baton.css"
