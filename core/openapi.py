"""The API schema's error answers, documented once for every operation.

drf-spectacular documents what a view returns when all goes well. This schema
class adds each error status an operation can answer, with its JSON body, from
what the operation is: its method, parameters, body and authentication. The
rules are the API's own (core/errors.py, core/versioning.py, DRF):

- 400: a parameter, header or body is invalid, or a write breaks a rule
  (field errors, or ``{"detail": ...}`` for a body that is not JSON);
- 401: no or a bad token (``WWW-Authenticate: Token``);
- 403: a write the user may not make, or any request to a view only some roles may use (its
  permission class says ``role_restricted = True``);
- 404: no such object or not one the user may see, an unknown page or cursor, or
  an unknown ``?format=``: any operation;
- 406: an ``Accept`` header the API cannot answer: any operation;
- 409: a write that sends the ``version`` it edited, when someone saved since;
- 412: the same with ``If-Match``;
- 413 and 415: a body too large, or not JSON or a form;
- 429: a throttled view.

405 is not listed: a method an operation does not declare is not that operation.

Every query parameter is also marked ``allowEmptyValue``: an empty one, as a
form's "Any" choice sends, is no filter (django-filter), the first page, or this
quarter. So is an empty ``If-Match``: no precondition.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

#: For ``extend_schema(parameters=[IF_MATCH])`` on a write that reads If-Match (core.versioning.with_if_match).
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": '^((W/)?"?[0-9]+"?)?$'},
    location=OpenApiParameter.HEADER,
    description='The ETag you read, such as "3", instead of version in the body; a 412 if someone saved since.',
)

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field (query parameter, header or body field); non_field_errors for the whole.",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ]
    },
}
CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "current": {"type": "object", "description": "The saved version and the values you edited, as saved."},
    },
    "required": ["detail", "current"],
}

DESCRIPTIONS = {
    400: "Invalid input: the errors name each bad parameter, header or field.",
    401: "No credentials, or bad ones.",
    403: "You may not do this.",
    404: "Not found, or not yours to see (also an unknown page, cursor or format).",
    406: "The Accept header asks for something the API does not write.",
    409: "Someone else saved first: the version you edited is out of date.",
    412: "If-Match names a version that is out of date.",
    413: "The request body is too large.",
    415: "The body is neither JSON nor a form.",
    429: "Too many requests: wait and try again.",
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        for code, body in self._errors(operation).items():
            response = {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": body}}}
            if code == 401:
                response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}}
            operation["responses"].setdefault(str(code), response)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF reads "" sent for a nullable relation (a team, a section) as null.
        if isinstance(field, serializers.RelatedField) and field.allow_null:
            schema.pop("minLength", None)
        return schema

    def _errors(self, operation):
        """The error statuses ``operation`` can answer, with their bodies' schemas."""
        parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        write = self.method in WRITES
        body = "requestBody" in operation
        if_match = ("header", "If-Match") in parameters
        signed_in = operation.get("security") and {} not in operation["security"]
        error, field_errors, conflict = (
            self._component("Error", ERROR),
            self._component("FieldErrors", FIELD_ERRORS),
            self._component("VersionConflict", CONFLICT),
        )
        applicable = {
            400: write or body or any(where in ("query", "header") for where, _ in parameters),
            401: signed_in,
            403: signed_in and (write or self._role_restricted()),
            404: True,
            406: True,
            409: if_match or self._sends_version(operation),
            412: if_match,
            413: body,
            415: body,
            429: bool(self.view.get_throttles()),
        }
        bodies = {400: {"anyOf": [field_errors, error]}, 409: conflict, 412: conflict}
        return {code: bodies.get(code, error) for code, applies in applicable.items() if applies}

    def _role_restricted(self):
        return any(getattr(permission, "role_restricted", False) for permission in self.view.get_permissions())

    def _sends_version(self, operation):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = media.get("schema", {})
            if "$ref" in schema:
                schema = self.registry[(schema["$ref"].rsplit("/", 1)[-1], ResolvedComponent.SCHEMA)].schema
            if "version" in schema.get("properties", {}):
                return True
        return False

    def _component(self, name, schema):
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name)
        self.registry.register_on_missing(component)
        return component.ref
