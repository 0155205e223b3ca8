"""API of the contacts part: ``escalation-contacts/`` (an extra resource, not in SPEC 9): a unit's
escalation contacts in the source's four groups, listed (filter by ``unit``), added and removed through
``incidents.services.contacts``; ``POST escalation-contacts/confirm/`` confirms a unit's contacts."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents.choices import ContactGroup
from incidents.filtersets.contacts import EscalationContactFilterSet
from incidents.models import EscalationContact
from incidents.services import contacts as services
from qms.api.base import QmsModelSerializer, ReadCreateDeleteViewSet
from qms.api.fields import BriefRelatedField
from qms.models import OrganisationUnit, User


class EscalationContactSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:escalation-contact-detail")
    unit = BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all())
    group = serializers.ChoiceField(
        choices=ContactGroup.choices,
        help_text=_("board, formal, functional_admin or data_protection (the four groups of the source)."),
    )
    user = BriefRelatedField(
        view_name="api:user-detail",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A person (an active member of the unit's organisation); or give a mailbox."),
        error_messages={"does_not_exist": _("The person must be an active member of the unit's organisation.")},
    )
    mailbox = serializers.EmailField(
        required=False, allow_blank=True, default="", max_length=254, help_text=_("A group mailbox; or give a person.")
    )
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text=_("The name of the group mailbox.")
    )

    class Meta:
        model = EscalationContact
        fields = ["id", "url", "display", "unit", "group", "user", "mailbox", "name"]
        # The service refuses duplicates in its own words (DRF's validators for the conditional unique
        # constraints would make ``user`` and ``mailbox`` both required).
        validators = []


class ContactsConfirmSerializer(serializers.Serializer):
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        help_text=_("The unit whose contacts are right."),
    )


class EscalationContactViewSet(ReadCreateDeleteViewSet):
    """Who a unit wants told when an incident escalates (P1 notices and hourly updates): per unit, in the
    four groups of the source (board members, the formal contact, functional administrators, the
    data-protection officer), each a person or a group mailbox. Quality officers, administrators and
    incident coordinators of the organisation, and the unit's formal contact, add and remove them; once
    a year the formal contact confirms them (``confirm/``)."""

    queryset = EscalationContact.objects.select_related("unit", "user")
    serializer_class = EscalationContactSerializer
    filterset_class = EscalationContactFilterSet
    ordering_fields = ["unit", "group", "id"]
    create_service = services.contact_add
    delete_service = services.contact_remove
    delete_kwarg = "contact"

    @extend_schema(
        request=ContactsConfirmSerializer,
        responses={
            200: inline_serializer(
                "ContactConfirmation",
                {
                    "unit": serializers.IntegerField(),
                    "year": serializers.IntegerField(),
                    "confirmed_at": serializers.DateTimeField(),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        """Confirm the unit's contacts for the current year (the yearly task is done)."""
        serializer = ContactsConfirmSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        confirmation = services.contacts_confirm(actor=request.user, unit=serializer.validated_data["unit"])
        return Response(
            {"unit": confirmation.unit_id, "year": confirmation.year, "confirmed_at": confirmation.confirmed_at}
        )


routes = [("escalation-contacts", EscalationContactViewSet, "escalation-contact")]
