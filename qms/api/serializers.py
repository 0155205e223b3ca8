from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qms.api.base import QmsModelSerializer
from qms.api.fields import BriefRelatedField
from qms.choices import ActionStatus
from qms.models import Action, Course, Membership, OrganisationUnit, TrainingAssignment, User


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


class CourseSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:course-detail")
    organisation = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        help_text=_("The organisation that offers the course (fixed once created)."),
    )
    assigned = serializers.IntegerField(
        read_only=True, help_text=_("People assigned in the year asked for (?year=, default this year) you may see.")
    )
    completed = serializers.IntegerField(read_only=True, help_text=_("Of those, the people who completed it."))
    completion = serializers.SerializerMethodField(help_text=_("Completed in percent; null without assignments."))

    class Meta:
        model = Course
        fields = [
            "id",
            "url",
            "display",
            "organisation",
            "title",
            "description",
            "is_mandatory",
            "assigned",
            "completed",
            "completion",
        ]
        # The services check the title's uniqueness with a clear message.
        validators = []

    def get_completion(self, obj) -> float | None:
        return None if obj.completion is None else round(obj.completion, 1)

    def validate(self, attrs):
        moved = "organisation" in attrs and attrs["organisation"] != getattr(self.instance, "organisation", None)
        if self.instance is not None and moved:
            raise serializers.ValidationError({"organisation": _("A course cannot move to another organisation.")})
        return attrs


class TrainingAssignmentSerializer(QmsModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:training-assignment-detail")
    course = BriefRelatedField(view_name="api:course-detail", read_only=True)
    user = BriefRelatedField(view_name="api:user-detail", read_only=True)
    is_completed = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrainingAssignment
        fields = ["id", "url", "display", "course", "user", "year", "completed_on", "is_completed"]
        read_only_fields = ["year", "completed_on"]


class TrainingAssignSerializer(serializers.Serializer):
    """Assign a course for a year to one person, to several, or to every active member of a unit."""

    course = BriefRelatedField(view_name="api:course-detail", queryset=Course.objects.all())
    year = serializers.IntegerField()
    user = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all(), required=False)
    users = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all(), many=True, required=False)
    unit = BriefRelatedField(
        view_name="api:unit-detail",
        queryset=OrganisationUnit.objects.all(),
        required=False,
        help_text=_("Instead of people: every active member of this unit and of the units below it."),
    )


class TrainingAssignResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField(help_text=_("How many people got the course now."))
    skipped = serializers.IntegerField(help_text=_("How many had it for that year already (left as they were)."))
    results = TrainingAssignmentSerializer(many=True, help_text=_("The new assignments."))


class TrainingCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(help_text=_("In the assignment's year, not in the future."))


class TrainingCompletionSerializer(serializers.Serializer):
    """A completion as a learning management system reports it: who, which course, when."""

    course = BriefRelatedField(view_name="api:course-detail", queryset=Course.objects.all())
    user = BriefRelatedField(view_name="api:user-detail", queryset=User.objects.all())
    completed_on = serializers.DateField(help_text=_("Counts for the assignment of that date's year."))


class TrainingReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=100, help_text=_("Why the completion is undone (kept in the history)."))
