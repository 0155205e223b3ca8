"""Base classes every app's API builds on: scoped viewsets whose writes go through services."""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.http import Http404
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.fields import is_simple_callable
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings

from qms.api.filters import query_params_check
from qms.scoping import scope_reset
from qms.services.probes import probe_log


class DirectRepresentationMixin:
    """DRF's field-by-field representation with the per-row lookups resolved once per serializer: each
    readable field's value is read with a plain attribute getter (a related manager's ``all()`` for a
    many field, the record itself for ``source="*"``) and handed to the field's own
    ``to_representation``, so the answer is the same as DRF's (a test compares the two) at a fraction
    of the cost on a page of many wide rows."""

    def _direct_plan(self):
        plan = self.__dict__.get("_direct_plan_cache")
        if plan is None:
            plan = []
            for field in self.fields.values():
                if field.write_only:
                    continue
                if field.source == "*":
                    getter = _itself
                elif isinstance(field, serializers.ManyRelatedField):
                    getter = _related_all(field.source_attrs)
                else:
                    getter = _attributes(field.source_attrs)
                plan.append((field.field_name, getter, _representer(field)))
            self._direct_plan_cache = plan
        return plan

    def to_representation(self, instance):
        answer = {}
        for name, getter, represent in self._direct_plan():
            value = getter(instance)
            answer[name] = None if value is None else represent(value)
        return answer


def _representer(field):
    """The field's ``to_representation``; for a date-time in ISO 8601 (DRF's default) the same text with
    the current time zone looked up once, not once a value."""
    if (
        isinstance(field, serializers.DateTimeField)
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and getattr(field, "timezone", None) is None
    ):
        zone = field.default_timezone()
        if zone is None:
            return field.to_representation

        def represent(value):
            if isinstance(value, str):
                return value
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return represent
    return field.to_representation


def _itself(instance):
    return instance


def _attributes(attrs):
    if len(attrs) == 1:
        (attr,) = attrs

        def get_one(instance):
            # getattr's default also covers a missing reverse one-to-one (an AttributeError).
            value = getattr(instance, attr, None)
            return value() if callable(value) and is_simple_callable(value) else value

        return get_one

    def get(instance):
        value = instance
        for attr in attrs:
            try:
                value = getattr(value, attr)
            except ObjectDoesNotExist:
                return None
            if value is None:
                return None
        return value() if callable(value) and is_simple_callable(value) else value

    return get


def _related_all(attrs):
    read = _attributes(attrs)

    def get(instance):
        manager = read(instance)
        return [] if manager is None else manager.all()

    return get


class NoBodySerializer(serializers.Serializer):
    """The body of a workflow step that takes nothing but the record of its URL (``start/``, ``close/``)."""


class QmsModelSerializer(serializers.ModelSerializer):
    """Adds ``url`` and ``display`` to every object. Serializers validate input; they never save:
    the viewset hands ``validated_data`` to the app's service."""

    display = serializers.SerializerMethodField()

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        """A read-only field says what it can answer: ``null`` where the model column may be empty (a
        record created by the system has no ``created_by``), ``""`` where a choice may be blank (a
        pending approval's ``decision``). DRF drops both from read-only fields, so the schema promised
        values the answers did not keep to."""
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            source = field.source or name
            if not field.read_only or "." in source or source == "*":
                continue
            try:
                model_field = model._meta.get_field(source)
            except FieldDoesNotExist:
                continue
            if not getattr(model_field, "concrete", False):
                continue
            if model_field.null:
                field.allow_null = True
            if model_field.blank and isinstance(field, serializers.ChoiceField):
                field.allow_blank = True
        return fields

    def create(self, validated_data):  # pragma: no cover - writes go through services
        raise RuntimeError("QmsViewSetMixin.perform_create calls the service")

    def update(self, instance, validated_data):  # pragma: no cover - writes go through services
        raise RuntimeError("QmsViewSetMixin.perform_update calls the service")


class QmsViewSetMixin:
    """A viewset that starts every query from ``visible_to(user)``: out-of-scope objects are 404.

    Subclasses name ``create_service`` / ``update_service`` (called with ``actor`` and the validated
    data; the record to update under ``update_kwarg``), and ``delete_service`` (called with ``actor``
    and the object under ``delete_kwarg``).
    """

    create_service = None
    update_service = None
    update_kwarg = None
    delete_service = None
    delete_kwarg = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Roles are read fresh for every request, even when a client reuses one user object.
        scope_reset(request.user)
        query_params_check(self, request)

    def get_queryset(self):
        return self.queryset.all().visible_to(self.request.user)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # The same 404 either way; a record that exists out of sight goes to the security log.
            value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            if value is not None:
                probe_log(request=self.request, model=self.queryset.model, lookup={self.lookup_field: value})
            raise

    def filter_queryset(self, queryset):
        # Filters and ordering shape lists; one object is looked up by id in the scoped queryset alone
        # (building the filter form for it costs a few milliseconds per request for nothing).
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    # Writes: the base answers create and update for every viewset (validate, call the service, answer
    # with the record as the list shows it). A viewset whose service takes other arguments than the
    # serializer's fields overrides ``create_object`` / ``update_object``, never ``create`` / ``update``.

    def create_object(self, data: dict):
        return type(self).create_service(actor=self.request.user, **data)

    def update_object(self, instance, data: dict):
        return type(self).update_service(actor=self.request.user, **{self.update_kwarg: instance}, **data)

    def perform_destroy(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.delete_kwarg: instance})

    def fresh(self, obj, status_code=status.HTTP_200_OK):
        """Answer a write with the object as the list shows it (annotations and all)."""
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status_code)

    def act_on_object(self, service, kwarg: str, serializer_class):
        """A custom action on the record of the URL (``submit/``, ``close/``...): the body validated by
        ``serializer_class`` goes to ``service`` with the actor and the record (as ``kwarg``); the answer
        is the record as it is now."""
        obj = self.get_object()
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=self.request.user, **{kwarg: obj}, **serializer.validated_data)
        return self.fresh(obj)


class ServiceCreateMixin(mixins.CreateModelMixin):
    """POST: validate, ``create_object`` (the service), answer 201 with the record as the list shows it.
    A mixin of its own, so that only viewsets that create answer POST (DRF routes what a class has)."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.create_object(dict(serializer.validated_data))
        return self.fresh(obj, status.HTTP_201_CREATED)


class ServiceUpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH: validate, ``update_object`` (the service), answer with the record as it is now."""

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        obj = self.update_object(instance, dict(serializer.validated_data))
        return self.fresh(obj)


class ReadOnlyViewSet(QmsViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ReadCreateViewSet(
    QmsViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceCreateMixin, viewsets.GenericViewSet
):
    pass


class ReadCreateUpdateViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    viewsets.GenericViewSet,
):
    pass


class ReadCreateDeleteViewSet(
    QmsViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    pass
