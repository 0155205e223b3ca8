"""Related objects in the API: written as an id, read as ``{id, url, display}`` (NetBox style)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.reverse import reverse


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects the caller may see (others are "does not exist")."""

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

    def to_representation(self, value):
        request = self.context.get("request")
        url = reverse(self.view_name, args=[value.pk], request=request) if self.view_name else None
        return {"id": value.pk, "url": url, "display": str(value)}


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "qms.api.fields.BriefRelatedField"

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
