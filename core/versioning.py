"""Optimistic concurrency over HTTP: ETag and If-Match on the API.

Every object two people can edit carries a ``version``. Reads answer with
``ETag: "<version>"``; a write may send the version it edited either in the
body (``version``) or as ``If-Match: "<version>"``. When someone else saved
first the write is refused with the saved values: 409 for a stale body
version, 412 Precondition Failed for a stale If-Match, as HTTP asks.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError

from core.errors import Conflict


def _parse(header):
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not (value.isascii() and value.isdigit()):  # "²" is a digit to str.isdigit, not to int()
        raise ValidationError({"If-Match": ['Send the ETag you read, for example If-Match: "3".']})
    return int(value)


def with_if_match(request):
    """The request body, with ``version`` taken from If-Match when that header
    is sent; and whether it was."""
    header = request.headers.get("If-Match")
    data = request.data
    if not header:
        return data, False
    if not hasattr(data, "get"):  # a JSON list or scalar: nothing to put the version in
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    version = _parse(header)
    data = data.copy()
    body = data.get("version")
    if body not in (None, "") and str(body) != str(version):
        raise ValidationError({"version": ["The If-Match header and the version field disagree: send one."]})
    data["version"] = version
    return data, True


def edited(request, serializer_class, instance=None):
    """A PATCH body, validated by ``serializer_class``: (values, the version edited, whether it
    came from If-Match). A body that names no version is refused: an edit says what it edited."""
    data, conditional = with_if_match(request)
    serializer = serializer_class(instance, data=data, partial=True)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    version = values.pop("version", None)
    if version is None:
        raise ValidationError({"version": ['Send the version you edited (or If-Match: "<version>").']})
    return values, version, conditional


@contextmanager
def precondition(conditional):
    """Turn a version conflict into 412 when the version came from If-Match."""
    try:
        yield
    except Conflict as conflict:
        if conditional:
            conflict.status = 412
        raise


class ETagMixin:
    """Add ``ETag: "<version>"`` to a DRF response about one versioned object."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if response.status_code in (200, 201) and isinstance(data, dict) and isinstance(data.get("version"), int):
            response["ETag"] = f'"{data["version"]}"'
        return response
