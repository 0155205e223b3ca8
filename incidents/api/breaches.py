"""API of the breaches part: ``data-breaches/`` (SPEC 9).

Scoped like the pages: only the owner and the data-protection officers, quality officers and
administrators of the breach's organisation see a breach; everyone else gets a 404, people who see its
incident included. Writes go through ``incidents.services.breaches``: create (data-protection officers,
quality officers, administrators), change title/description/discovery/owner, and the protocol's steps
``assess/``, ``notify-authority/``, ``authority-not-notified/``, ``notify-subjects/``,
``subjects-not-notified/`` and ``close/``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from incidents.choices import BreachRisk
from incidents.filtersets.breaches import DataBreachFilterSet
from incidents.models import DataBreach
from incidents.services import breaches as services
from qms.api.base import NoBodySerializer, QmsModelSerializer, ReadCreateUpdateViewSet
from qms.api.fields import BriefRelatedField
from qms.models import OrganisationUnit, User

AMSTERDAM = _("A time without a time zone is read as Europe/Amsterdam.")


def moment(help_text, **kwargs):
    return serializers.DateTimeField(help_text=f"{help_text} {AMSTERDAM}", **kwargs)


class NullableRiskField(serializers.ChoiceField):
    """The risk as SPEC 9 has it: ``none``, ``risk``, ``high_risk``, or null until assessed (stored "")."""

    def to_representation(self, value):
        return value or None


class DataBreachSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:data-breach-detail")
    organisation = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        help_text=_("The organisation whose breach it is (fixed once recorded)."),
    )
    incident = BriefRelatedField(
        view_name="api:incident-detail",
        read_only=True,
        help_text=_("The incident it was opened from, or null when opened directly."),
    )
    owner = BriefRelatedField(
        view_name="api:user-detail",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("The owner must be a data-protection officer or quality officer.")},
        help_text=_("Default: the data-protection officer of the organisation, else a quality officer."),
    )
    discovered_at = moment(_("When the breach was discovered: the 72 hours run from here."))
    risk = NullableRiskField(
        choices=BreachRisk.choices,
        read_only=True,
        allow_null=True,
        help_text=_("The risk to the people concerned; null until assessed (POST assess/)."),
    )
    authority_deadline = serializers.DateTimeField(
        read_only=True, help_text=_("discovered_at + 72 clock hours (GDPR article 33(1)).")
    )
    authority_notified_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Recorded with POST notify-authority/.")
    )
    subjects_notified_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Recorded with POST notify-subjects/.")
    )

    class Meta:
        model = DataBreach
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "incident",
            "title",
            "description",
            "discovered_at",
            "owner",
            "personal_data",
            "data_categories",
            "people_affected",
            "risk",
            "assessment",
            "containment",
            "assessed_at",
            "authority_deadline",
            "authority_notified_at",
            "authority_reference",
            "authority_not_notified_reason",
            "subjects_notified_at",
            "subjects_not_notified_reason",
            "status",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "personal_data",
            "data_categories",
            "people_affected",
            "assessment",
            "containment",
            "assessed_at",
            "authority_reference",
            "authority_not_notified_reason",
            "subjects_not_notified_reason",
            "status",
            "closed_at",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        # Unassessed is null, never "": the schema's enum must not offer a blank.
        fields["risk"].allow_blank = False
        return fields

    def validate(self, attrs):
        moved = self.instance is not None and attrs.get("organisation", self.instance.organisation)
        if moved and moved != self.instance.organisation:
            raise serializers.ValidationError({"organisation": _("A breach cannot move to another organisation.")})
        return attrs


class BreachAssessSerializer(serializers.Serializer):
    personal_data = serializers.BooleanField(help_text=_("Whether personal data is involved."))
    risk = serializers.ChoiceField(
        choices=BreachRisk.choices,
        help_text=_("none: the authority need not be notified (art. 33(1)); high_risk: tell the people too (art. 34)."),
    )
    data_categories = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    people_affected = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2_000_000_000
    )
    assessment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    containment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class BreachNotifyAuthoritySerializer(serializers.Serializer):
    notified_at = moment(_("When the authority was notified: not before discovery, not in the future."))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class BreachNotifySubjectsSerializer(serializers.Serializer):
    notified_at = moment(_("When the people concerned were notified: not before discovery, not in the future."))


class BreachReasonSerializer(serializers.Serializer):
    # Optional here: the service says when a reason is needed, in its own words.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DataBreachViewSet(ReadCreateUpdateViewSet):
    """The breach register: every breach the caller may see (only the owner and the data-protection
    officers, quality officers and administrators of its organisation), notified or not. ``risk`` is null
    until assessed; ``authority_deadline`` is discovery + 72 clock hours. Filter by ``incident``."""

    queryset = DataBreach.objects.select_related("organisation", "owner", "incident")
    serializer_class = DataBreachSerializer
    filterset_class = DataBreachFilterSet
    ordering_fields = ["discovered_at", "authority_deadline", "id"]
    lookup_value_regex = r"\d+"

    def create_object(self, data):
        return services.breach_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("organisation", None)
        return services.breach_update(actor=self.request.user, breach=instance, **data)

    @extend_schema(request=BreachAssessSerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Record (or revise) the assessment: personal data, categories, people, risk, containment."""
        return self.act_on_object(services.breach_assess, "breach", BreachAssessSerializer)

    @extend_schema(request=BreachNotifyAuthoritySerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"], url_path="notify-authority")
    def notify_authority(self, request, pk=None):
        """Record when the authority was notified (and its reference)."""
        return self.act_on_object(services.breach_notify_authority, "breach", BreachNotifyAuthoritySerializer)

    @extend_schema(request=BreachReasonSerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"], url_path="authority-not-notified")
    def authority_not_notified(self, request, pk=None):
        """Record why the authority is not notified (a reason is required unless assessed as no risk)."""
        return self.act_on_object(services.breach_record_authority_not_notified, "breach", BreachReasonSerializer)

    @extend_schema(request=BreachNotifySubjectsSerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"], url_path="notify-subjects")
    def notify_subjects(self, request, pk=None):
        """Record when the people concerned were notified (required at a high risk)."""
        return self.act_on_object(services.breach_notify_subjects, "breach", BreachNotifySubjectsSerializer)

    @extend_schema(request=BreachReasonSerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"], url_path="subjects-not-notified")
    def subjects_not_notified(self, request, pk=None):
        """Record why the people concerned are not notified (GDPR article 34(3))."""
        return self.act_on_object(services.breach_record_subjects_not_notified, "breach", BreachReasonSerializer)

    @extend_schema(request=NoBodySerializer, responses={200: DataBreachSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the breach: assessed, the authority question answered and, at a high risk, the people
        concerned question too; otherwise a 400 says what is missing. It stays in the register."""
        return self.act_on_object(services.breach_close, "breach", NoBodySerializer)


routes = [("data-breaches", DataBreachViewSet, "data-breach")]
