"""The OpenAPI schema as the API answers: every operation documents its error answers, and only list
operations are paginated and take the list's filters.

``DEFAULT_SCHEMA_CLASS`` in settings points here; drf-spectacular calls it for every operation."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

# A message per field, as serializers and services answer (qms/api/exceptions.py): a list of strings for
# a field, ``non_field_errors`` for the record as a whole, the same shape nested for a nested field or
# by index for a list (``{"values": {"1": {"period": [...]}}}``), and ``detail`` (a string) for a
# request that could not be read at all (malformed JSON, an unknown content type).
VALIDATION_ERROR = {
    "type": "object",
    "description": _(
        "What is wrong, per field: a list of messages for a field, non_field_errors for the record as a "
        "whole, the same shape nested for a nested field or by index for a list; detail for a request that "
        "could not be read."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": {}},
            {"type": "string"},
        ]
    },
    "example": {"likelihood": ["Choose a value from 1 to 5 (the organisation's matrix)."]},
}
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": _("What went wrong, in the caller's language.")}},
    "required": ["detail"],
    "example": {"detail": "Not found."},
}

ERRORS = {
    "400": _("The request is not valid: an unknown query parameter, or a field the rules do not accept."),
    "401": _("No credentials, or a token that is not valid (any more)."),
    "403": _("Your role does not allow this."),
    "404": _("No such record, or not one you may see."),
    "406": _("The API answers JSON only."),
    "415": _("The API reads JSON, form data or multipart bodies only."),
    "429": _("Too many requests: wait the number of seconds in the Retry-After header."),
}


class AutoSchema(openapi.AutoSchema):
    def _get_paginator(self):
        # A viewset's custom action that answers a list (``kpis/defaults/``, ``kpi-measurements/bulk/``...)
        # answers a plain array: only ``list`` is paginated.
        if getattr(self.view, "action", "list") != "list":
            return None
        return super()._get_paginator()

    def get_filter_backends(self):
        if getattr(self.view, "action", "list") != "list":
            return []
        return super().get_filter_backends()

    def get_override_parameters(self):
        # Query parameters a view reads for every operation (e.g. ``year`` of courses), besides its filters.
        return [*super().get_override_parameters(), *getattr(self.view, "query_parameters", [])]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code in responses or not self.answers(code):
                continue
            schema = self.error_component("ValidationError" if code == "400" else "Error")
            headers = {"headers": {"Retry-After": {"schema": {"type": "integer"}}}} if code == "429" else {}
            responses[code] = {
                **headers,
                "content": {"application/json": {"schema": schema}},
                "description": str(description),
            }
        return responses

    def answers(self, code: str) -> bool:
        """Whether this operation can answer ``code``."""
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        if code in ("401", "403"):
            return not public
        if code == "404":
            return "{" in self.path
        if code == "415":
            return self.method in ("POST", "PUT", "PATCH")
        return True

    def error_component(self, name: str) -> dict:
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            schema=VALIDATION_ERROR if name == "ValidationError" else ERROR,
            object=name,
        )
        self.registry.register_on_missing(component)
        return component.ref
