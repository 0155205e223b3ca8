"""API of the model part: ``principles/`` (SPEC 9).

Every organisation starts with the nine principles of the source. Everyone who belongs to the
organisation reads them (with their hard and soft controls and the assessment questions, read-only
here); its quality officers and administrators add and change them through
``audits.services.model`` (``principle_create`` / ``principle_update``), the functions the pages call.
The code and the organisation are fixed once a principle exists."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from audits.choices import ControlKind
from audits.filtersets.model import PrincipleFilterSet, principles_for
from audits.models import Principle, PrincipleControl, PrincipleQuestion
from audits.services import model as services
from qms.api.base import QmsModelSerializer, ReadCreateUpdateViewSet
from qms.api.fields import BriefRelatedField
from qms.choices import UnitKind
from qms.models import OrganisationUnit

ORGANISATION_ERRORS = {
    "does_not_exist": _("Choose an organisation you can see."),
    "incorrect_type": _("Give the organisation as the id of a unit."),
}
FIXED_FIELDS = {
    "organisation": _("A principle cannot move to another organisation."),
    "code": _("The code of a principle cannot change."),
}


class PrincipleControlBriefSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ControlKind.choices, read_only=True)

    class Meta:
        model = PrincipleControl
        fields = ["id", "kind", "text", "text_en", "position"]
        read_only_fields = fields


class PrincipleQuestionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrincipleQuestion
        fields = ["id", "text", "text_en", "position"]
        read_only_fields = fields


class PrincipleSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:principle-detail")
    organisation = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION),
        error_messages=ORGANISATION_ERRORS,
        help_text=_("The organisation whose model it belongs to (fixed once added)."),
    )
    code = serializers.SlugField(max_length=40, help_text=_("A short code, unique in the organisation (fixed)."))
    controls = PrincipleControlBriefSerializer(
        many=True, read_only=True, help_text=_("The hard and soft controls that evidence the principle.")
    )
    questions = PrincipleQuestionBriefSerializer(
        many=True, read_only=True, help_text=_("The questions the assessors ask about it.")
    )

    class Meta:
        model = Principle
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "code",
            "name",
            "name_en",
            "definition",
            "definition_en",
            "position",
            "is_active",
            "controls",
            "questions",
        ]
        extra_kwargs = {
            "name": {"help_text": _("The name in Dutch (the stored language).")},
            "definition": {"help_text": _("The definition in Dutch.")},
            "is_active": {"help_text": _("Principles out of use are no longer planned or assessed.")},
        }

    def validate(self, attrs):
        if self.instance is not None:
            errors = {
                name: message
                for name, message in FIXED_FIELDS.items()
                if name in attrs and attrs[name] != getattr(self.instance, name)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class PrincipleViewSet(ReadCreateUpdateViewSet):
    """The management principles of the organisations' maturity models (the nine of the source by
    default), read by everyone in the organisation; added and changed by its quality officers and
    administrators. A principle out of use (``is_active`` false) is no longer planned or assessed."""

    queryset = Principle.objects.select_related("organisation").prefetch_related("controls", "questions")
    serializer_class = PrincipleSerializer
    filterset_class = PrincipleFilterSet
    ordering_fields = ["position", "code", "name", "id"]

    def get_queryset(self):
        return principles_for(self.request.user, self.queryset.all())

    def create_object(self, data):
        is_active = data.pop("is_active", True)
        with transaction.atomic():
            principle = services.principle_create(actor=self.request.user, **data)
            if not is_active:
                principle = services.principle_update(actor=self.request.user, principle=principle, is_active=False)
        return principle

    def update_object(self, instance, data):
        for name in FIXED_FIELDS:
            data.pop(name, None)
        return services.principle_update(actor=self.request.user, principle=instance, **data)


routes = [
    ("principles", PrincipleViewSet, "principle"),
]
