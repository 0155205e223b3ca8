"""Related objects in the API: written as an id, read as ``{id, url, display}`` (NetBox style)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.reverse import reverse

# Reversed in place of an id, then replaced by the real one; no real host or path has these digits.
URL_ID_PLACEHOLDER = 987654321987654321


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects the caller may see (others are "does not exist"), and
    the object a record already points to: a record sent back as it was read (its organisation's
    parent, a group the caller does not see, included) changes nothing and is no error."""

    def __init__(self, view_name: str | None = None, **kwargs):
        self.view_name = view_name
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset

    def to_internal_value(self, data):
        current = self.current_value()
        if current is not None and not isinstance(data, bool) and str(data) == str(current.pk):
            return current
        return super().to_internal_value(data)

    def current_value(self):
        """The object the record being changed points to now (None for a new record, or a list)."""
        instance = getattr(self.parent, "instance", None)
        if instance is None or not hasattr(instance, "_meta") or "." in self.source:
            return None
        return getattr(instance, self.source, None)

    def to_representation(self, value):
        return {"id": value.pk, "url": self.url_for(value.pk), "display": str(value)}

    def get_choices(self, cutoff=None):
        """The choices of the browsable API's form, keyed by id: DRF keys them by the representation,
        which is a dict here (unhashable: the form answered 500)."""
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}

    def url_for(self, pk) -> str | None:
        """The object's API URL. A page of 100 rows has hundreds of related objects: the URL is reversed
        once per view name and request, and the id put into it."""
        if not self.view_name:
            return None
        request = self.context.get("request")
        cache = getattr(request, "_brief_url_templates", None) if request is not None else None
        if cache is None:
            if request is None:
                return reverse(self.view_name, args=[pk])
            cache = request._brief_url_templates = {}
        if self.view_name not in cache:
            cache[self.view_name] = reverse(self.view_name, args=[URL_ID_PLACEHOLDER], request=request)
        return cache[self.view_name].replace(str(URL_ID_PLACEHOLDER), str(pk), 1)


class CachedIdentityField(serializers.HyperlinkedIdentityField):
    """The record's own ``url``, reversed once per request and view name (as ``BriefRelatedField`` does
    for related records) instead of once per row."""

    def to_representation(self, value):
        request = self.context.get("request")
        if request is None or value.pk is None:
            return super().to_representation(value)
        cache = getattr(request, "_brief_url_templates", None)
        if cache is None:
            cache = request._brief_url_templates = {}
        if self.view_name not in cache:
            cache[self.view_name] = reverse(self.view_name, args=[URL_ID_PLACEHOLDER], request=request)
        return cache[self.view_name].replace(str(URL_ID_PLACEHOLDER), str(value.pk), 1)


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "qms.api.fields.BriefRelatedField"
    match_subclasses = True  # a field that only changes its URL is still brief

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        return build_object_type(
            properties={
                "id": build_basic_type(OpenApiTypes.INT),
                "url": {**build_basic_type(OpenApiTypes.URI), "nullable": True},
                "display": build_basic_type(OpenApiTypes.STR),
            },
            required=["id", "url", "display"],
        )
