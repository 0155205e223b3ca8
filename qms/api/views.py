from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qms.api.base import ReadCreateDeleteViewSet, ReadCreateUpdateViewSet
from qms.api.serializers import (
    ActionSerializer,
    CourseSerializer,
    MembershipSerializer,
    OrganisationUnitSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    TrainingAssignmentSerializer,
    TrainingAssignResultSerializer,
    TrainingAssignSerializer,
    TrainingCompleteSerializer,
    TrainingCompletionSerializer,
    TrainingReopenSerializer,
    UserSerializer,
)
from qms.api.throttling import ScopedRateThrottle
from qms.filtersets import (
    ActionFilterSet,
    CourseFilterSet,
    MembershipFilterSet,
    OrganisationUnitFilterSet,
    TrainingAssignmentFilterSet,
    UserFilterSet,
)
from qms.models import Action, ApiToken, Course, Membership, OrganisationUnit, TrainingAssignment, User
from qms.periods import selected_year
from qms.selectors import courses_with_completion
from qms.services import actions as action_services
from qms.services import organisation as org_services
from qms.services import training as training_services
from qms.services.security import (
    token_create,
    token_revoke,
    two_factor_applies,
    two_factor_enrolled,
    two_factor_verify,
)


class OrganisationUnitViewSet(ReadCreateUpdateViewSet):
    """The organisation tree: groups, organisations, business units and teams you can see."""

    queryset = OrganisationUnit.objects.select_related("parent")
    serializer_class = OrganisationUnitSerializer
    filterset_class = OrganisationUnitFilterSet
    ordering_fields = ["name", "kind", "path", "id"]
    create_service = org_services.unit_create
    update_service = org_services.unit_update
    update_kwarg = "unit"


class UserViewSet(ReadCreateUpdateViewSet):
    """People. Administrators provision them (as an HR system would) and deactivate them with
    ``is_active: false``; roles are given through memberships."""

    queryset = User.objects.select_related("manager")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "last_name", "first_name", "id"]
    create_service = org_services.user_create
    update_service = org_services.user_update
    update_kwarg = "user"


class MembershipViewSet(ReadCreateDeleteViewSet):
    """Who holds which role in which unit. Change a role by deleting one membership and adding another."""

    queryset = Membership.objects.select_related("user", "unit")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["id", "role", "created_at"]
    create_service = org_services.membership_create
    delete_service = org_services.membership_delete
    delete_kwarg = "membership"


class ActionViewSet(ReadCreateUpdateViewSet):
    """Actions of every kind. ``?mine=true&open=true`` is "my open actions". A status change goes
    through the workflow (open, in progress, done, cancelled; cancelling needs a ``note``)."""

    queryset = Action.objects.select_related("unit", "owner", "created_by")
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    ordering_fields = ["due_date", "status", "title", "created_at", "id"]
    create_service = action_services.action_create

    def create_object(self, data):
        data.pop("status", None)
        data.pop("note", None)
        return action_services.action_create(actor=self.request.user, **data)

    def update_object(self, action, data):
        new_status = data.pop("status", None)
        note = data.pop("note", "")
        data.pop("unit", None)
        # Both steps or neither: a refused status change (e.g. by the rules of the record the action
        # belongs to, see ``register_action_hook``) leaves the other changes unsaved.
        with transaction.atomic():
            # Nothing to change is still a change to be allowed: an empty PATCH by someone who may
            # not edit the action is refused, not answered 200.
            if data or new_status is None:
                action = action_services.action_update(actor=self.request.user, action=action, **data)
            if new_status is not None:
                action = action_services.action_set_status(
                    actor=self.request.user, action=action, status=new_status, note=note
                )
        return action


@extend_schema_serializer(component_name="TokenRequest")
class TwoFactorTokenRequestSerializer(TokenRequestSerializer):
    # Here rather than in qms/api/serializers.py only while that file is being changed by others: it
    # belongs in TokenRequestSerializer.
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=gettext_lazy(
            "The code of the person's authenticator app (or a recovery code): required when two-factor "
            "login applies to them (administrators; everyone in an organisation that requires it)."
        ),
    )


class TokenView(APIView):
    """Exchange a username and password (and, where two-factor login applies, a code of the authenticator
    app in ``otp``) for an API token (POST), or revoke the token in use (DELETE)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=TwoFactorTokenRequestSerializer, responses={201: TokenResponseSerializer}, auth=[])
    def post(self, request):
        serializer = TwoFactorTokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request, username=serializer.validated_data["username"], password=serializer.validated_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed attempts: this account is locked for a while from your address.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                {"non_field_errors": [_("Unable to log in with this username and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if two_factor_applies(user):
            # A token outlives the login: it is issued only to somebody who passed both factors.
            code = serializer.validated_data.get("otp", "")
            if not two_factor_enrolled(user):
                problem = _("Two-factor login is required for you: set it up in the web application first.")
            elif not code:
                problem = _("Send the code of your authenticator app in 'otp'.")
            elif two_factor_verify(user=user, token=code, request=request) is None:
                problem = _("This code is not valid, or it was used already.")
            else:
                problem = None
            if problem:
                return Response({"otp": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        token, raw = token_create(user=user, name=serializer.validated_data.get("name", ""), request=request)
        return Response(
            TokenResponseSerializer({"token": raw, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            return Response(
                {"detail": _("Send the token to revoke in the Authorization header.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token_revoke(actor=request.user, token=request.auth, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseViewSet(ReadCreateUpdateViewSet):
    """Training courses of organisations. ``assigned``, ``completed`` and ``completion`` count the
    assignments you may see in ``?year=`` (default: this year). Quality officers and administrators
    of the organisation add and change courses."""

    queryset = Course.objects.select_related("organisation")
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    ordering_fields = ["title", "id", "completion"]
    # Read by every operation (the counts of the answer), not only by the list's filters.
    query_parameters = [
        OpenApiParameter(
            "year", int, description=gettext_lazy("The year whose assignments are counted (default: this year).")
        )
    ]

    def get_queryset(self):
        year = selected_year(self.request.query_params.get("year"))
        return courses_with_completion(super().get_queryset(), self.request.user, year)

    create_service = training_services.course_create
    update_service = training_services.course_update
    update_kwarg = "course"

    def update_object(self, course, data):
        data.pop("organisation", None)
        return super().update_object(course, data)


class TrainingAssignmentViewSet(ReadCreateDeleteViewSet):
    """Who must follow which course in which year, and when they completed it. ``POST`` assigns a
    course for a year to ``user``, ``users`` or every active member of ``unit`` (people who have it
    already are skipped and counted). ``POST training-assignments/{id}/complete/`` records a
    completion; an LMS that does not know the ids posts ``training-assignments/completions/`` with
    the course, the person and the date. ``DELETE`` takes an open assignment back."""

    queryset = TrainingAssignment.objects.select_related("course__organisation", "user")
    serializer_class = TrainingAssignmentSerializer
    filterset_class = TrainingAssignmentFilterSet
    ordering_fields = ["year", "completed_on", "id"]
    delete_service = training_services.training_unassign
    delete_kwarg = "assignment"

    @extend_schema(
        request=TrainingAssignSerializer,
        responses={201: TrainingAssignResultSerializer, 200: TrainingAssignResultSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = TrainingAssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        users = list(data.get("users", []))
        if "user" in data:
            users.append(data["user"])
        result = training_services.training_assign(
            actor=request.user, course=data["course"], year=data["year"], users=users, unit=data.get("unit")
        )
        created = self.get_queryset().filter(pk__in=[assignment.pk for assignment in result.created])
        body = {
            "assigned": len(result.created),
            "skipped": result.skipped,
            "results": self.get_serializer(created, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(request=TrainingCompleteSerializer, responses={200: TrainingAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.act_on_object(training_services.training_complete, "assignment", TrainingCompleteSerializer)

    @extend_schema(request=TrainingReopenSerializer, responses={200: TrainingAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.act_on_object(training_services.training_reopen, "assignment", TrainingReopenSerializer)

    @extend_schema(request=TrainingCompletionSerializer, responses={200: TrainingAssignmentSerializer})
    @action(detail=False, methods=["post"])
    def completions(self, request):
        serializer = TrainingCompletionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        completed_on = data["completed_on"]
        assignment = (
            self.get_queryset().filter(course=data["course"], user=data["user"], year=completed_on.year).first()
        )
        if assignment is None:
            raise ValidationError(
                {
                    "user": [
                        _("%(person)s does not have %(course)s for %(year)s.")
                        % {"person": data["user"], "course": data["course"], "year": completed_on.year}
                    ]
                }
            )
        training_services.training_complete(actor=request.user, assignment=assignment, completed_on=completed_on)
        return self.fresh(assignment)
