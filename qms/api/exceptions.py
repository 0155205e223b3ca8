"""JSON errors with a message per field, for service errors as well as serializer errors."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from qms.choices import SecurityEventKind


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; answer it like a serializer's: 400 with field messages.
        detail = as_serializer_error(exc)
        # A model's clean() files rules that are not about one field under "__all__"; the API's name
        # for them is non_field_errors, as for a serializer's own.
        if NON_FIELD_ERRORS in detail:
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(detail.pop(NON_FIELD_ERRORS))
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        exc = exceptions.ValidationError(
            {"detail": _("This record is still in use by other records and cannot be deleted.")}
        )
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        from qms.services.security import security_event_log

        request = context.get("request")
        security_event_log(kind=SecurityEventKind.PERMISSION_DENIED, request=request, detail=str(exc)[:500])
    return drf_exception_handler(exc, context)
