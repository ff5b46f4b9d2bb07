"""Errors raised by services and how the API reports them.

Services raise Django's ``ValidationError`` (bad input: a form error, or a 400
with field errors), ``PermissionDenied`` (a 403), ``Http404`` (a 404) and
:class:`Conflict` (someone else saved first: a 409 that shows both versions).
Every API error is JSON: malformed JSON of any shape is a 400 (:class:`JSONParser`),
and what no handler here expects is a JSON 500 (core.error_views.server_error).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, ValidationError
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response


class Conflict(Exception):
    """The object changed since the caller loaded it (optimistic concurrency)."""

    def __init__(self, message, *, current=None, changed=None):
        super().__init__(message)
        self.message = message
        self.current = current or {}
        self.changed = changed or []


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's parser a 400 like any other malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the JSON is nested too deeply.") from None


def require(allowed, message):
    """Refuse with ``message`` (a 403) unless ``allowed``: the answer of a policy function."""
    if not allowed:
        raise PermissionDenied(message)


def check_version(obj, expected_version, fields):
    """Refuse a save based on an out-of-date copy of ``obj``.

    ``fields`` are the fields the caller edits; the conflict names those that
    differ between the caller's copy and the stored one when it can tell.
    """
    if expected_version is None:
        return
    if int(expected_version) != obj.version:
        raise Conflict(
            f"Someone else saved this {obj._meta.verbose_name} while you were editing it "
            f"(you edited version {expected_version}, the saved one is version {obj.version}). "
            "Your changes were not saved: compare them with the saved version below and apply them again.",
            current={"version": obj.version, **{field: _plain(getattr(obj, field)) for field in fields}},
        )


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def error_dict(error):
    """A ValidationError as {field: [messages]} (non-field errors under non_field_errors)."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(message) for message in error.messages]}


def error_text(error):
    """A ValidationError as one readable line, for a page message."""
    return " ".join(message for messages in error_dict(error).values() for message in messages)


def too_large_message():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"The request is too large: at most {limit / 1024 / 1024:.1f} MB is accepted. "
        "Nothing was saved; shorten the text (a narrative or note holds up to 100,000 characters) and send it again."
    )


def too_many_fields_message():
    return (
        f"The request has too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are accepted. "
        "Nothing was saved; send one entry at a time."
    )


def request_limit_error(exc):
    """(status, message) for a request over Django's size or field-count limits, else None."""
    if isinstance(exc, RequestDataTooBig):
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, too_large_message()
    if isinstance(exc, TooManyFieldsSent):
        return status.HTTP_400_BAD_REQUEST, too_many_fields_message()
    return None


def api_exception_handler(exc, context):
    if limit := request_limit_error(exc):
        return Response({"detail": limit[1]}, status=limit[0])
    if isinstance(exc, ValidationError):
        return Response(error_dict(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        code = getattr(exc, "status", status.HTTP_409_CONFLICT)  # 412 when the version came from If-Match
        return Response({"detail": exc.message, "current": exc.current}, status=code)
    if isinstance(exc, exceptions.ParseError):
        return Response({"detail": str(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
    # rest_framework.views reads DEFAULT_PARSER_CLASSES, which names JSONParser above, as it is imported.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
