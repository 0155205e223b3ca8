from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.api.base import QmsModelSerializer
from qms.api.fields import BriefRelatedField
from qms.choices import ActionStatus
from qms.models import Action, Membership, OrganisationUnit, User


class OrganisationUnitSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail")
    parent = BriefRelatedField(
        view_name="api:unit-detail", queryset=OrganisationUnit.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = OrganisationUnit
        fields = [
            "id",
            "url",
            "display",
            "name",
            "code",
            "kind",
            "parent",
            "description",
            "is_active",
            "depth",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["depth", "created_at", "updated_at"]


class UserSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:user-detail")
    manager = BriefRelatedField(
        view_name="api:user-detail", queryset=User.objects.all(), allow_null=True, required=False
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=False,
        style={"input_type": "password"},
        help_text=_(
            "Optional initial password (at least 12 characters). Without it the person cannot log in "
            "with a password until one is set."
        ),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "url",
            "display",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "manager",
            "language",
            "email_notifications",
            "password",
            "date_joined",
        ]
        read_only_fields = ["date_joined"]


class MembershipSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:membership-detail")
    user = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all())
    unit = BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all())

    class Meta:
        model = Membership
        fields = ["id", "url", "display", "user", "unit", "role", "created_at"]
        read_only_fields = ["created_at"]
        # The services check uniqueness with a clear message; DRF's own validator would query first.
        validators = []


class ActionSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:action-detail")
    unit = BriefRelatedField(view_name="api:unit-detail", queryset=OrganisationUnit.objects.all())
    owner = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all())
    created_by = BriefRelatedField(view_name="api:user-detail", read_only=True)
    source_type = serializers.SerializerMethodField()
    source_id = serializers.IntegerField(source="source_object_id", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    note = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=_("With a status change: how the action was finished, or why it was cancelled."),
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "url",
            "display",
            "title",
            "description",
            "kind",
            "unit",
            "owner",
            "due_date",
            "status",
            "is_overdue",
            "source_type",
            "source_id",
            "completed_at",
            "completion_note",
            "note",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["completed_at", "completion_note", "created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source_type(self, obj) -> str | None:
        return obj.source_type

    def validate(self, attrs):
        if self.instance is None:
            if attrs.get("status", ActionStatus.OPEN) != ActionStatus.OPEN:
                raise serializers.ValidationError({"status": _("A new action starts open.")})
        elif "unit" in attrs and attrs["unit"] != self.instance.unit:
            raise serializers.ValidationError({"unit": _("An action cannot move to another unit.")})
        return attrs


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("What the token is for, e.g. the integration's name."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as 'Authorization: Token <token>'. Shown only once."))
    expires_at = serializers.DateTimeField()
