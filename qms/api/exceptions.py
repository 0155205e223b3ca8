"""JSON errors with a message per field, for service errors as well as serializer errors."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from qms.choices import SecurityEventKind


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; answer it like a serializer's: 400 with field messages.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, ProtectedError):
        exc = exceptions.ValidationError(
            {"detail": _("This record is still in use by other records and cannot be deleted.")}
        )
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        from qms.services.security import security_event_log

        request = context.get("request")
        security_event_log(kind=SecurityEventKind.PERMISSION_DENIED, request=request, detail=str(exc)[:500])
    return drf_exception_handler(exc, context)
