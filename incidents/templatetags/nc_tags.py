"""Template helpers of the non-conformities part: the non-conformities registered from a record (an
incident, a problem), for the "Linked records" panel of that record's page."""

from django import template
from django.contrib.contenttypes.models import ContentType

from incidents.models import NonConformity
from qms.scoping import scope_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nonconformities_from(context, record) -> list:
    """The non-conformities the reader sees whose source is ``record`` (one query; the content type is
    cached)."""
    user = context["request"].user
    return list(
        NonConformity.objects.visible_to(user)
        .filter(source_content_type=ContentType.objects.get_for_model(record), source_object_id=record.pk)
        .only("pk", "title", "status", "severity", "capa")
        .order_by("-created_at", "-pk")
    )


@register.simple_tag(takes_context=True)
def registers_nonconformities(context) -> bool:
    """Whether the reader has a role somewhere (anyone with a role registers one for their unit)."""
    user = context["request"].user
    return user.is_authenticated and (user.is_superuser or bool(scope_for(user).roles()))
