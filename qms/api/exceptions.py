"""JSON errors with a message per field, for service errors as well as serializer errors."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from qms.choices import SecurityEventKind


def api_field_errors(errors: dict) -> dict:
    """Field messages as the API names them: a model's rules about the whole record come under
    ``non_field_errors`` (as a serializer's own do), not Django's ``__all__``."""
    errors = dict(errors)
    if NON_FIELD_ERRORS in errors:
        errors.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(errors.pop(NON_FIELD_ERRORS))
    return errors


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; answer it like a serializer's: 400 with field messages.
        exc = exceptions.ValidationError(api_field_errors(as_serializer_error(exc)))
    elif isinstance(exc, ProtectedError):
        exc = exceptions.ValidationError(
            {"detail": _("This record is still in use by other records and cannot be deleted.")}
        )
    if isinstance(exc, Http404):
        # "Not found." in the caller's language, not Django's English "No Risk matches the given query."
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        from qms.services.security import security_event_log

        request = context.get("request")
        security_event_log(kind=SecurityEventKind.PERMISSION_DENIED, request=request, detail=str(exc)[:500])
    return drf_exception_handler(exc, context)
