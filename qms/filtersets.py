"""FilterSets of the core app. One FilterSet serves the UI list and the API list alike."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from qms.choices import OPEN_ACTION_STATUSES, ActionKind, ActionStatus, Role, SecurityEventKind, UnitKind
from qms.models import Action, Course, Membership, OrganisationUnit, SecurityEvent, TrainingAssignment, User


class ScopedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of related objects limited to what the requesting user may see."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request is None:
            return queryset.none()
        return queryset.visible_to(request.user)


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Several choices of a column of the row itself. Such a filter never repeats a row, so it asks for
    no DISTINCT (django-filter's default), which made PostgreSQL sort and annotate every matching row
    before it could take one page."""

    def __init__(self, *args, distinct=False, **kwargs):
        super().__init__(*args, distinct=distinct, **kwargs)


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q``, a free-text search over ``search_fields``.

    ``technical_fields``: filters for links and the API (a content type, a raw id) that the filter bar
    (``templates/generic/_filter_bar.html``) does not show; it carries them along while they have a value.
    Fields with a hidden widget, a content type choice, or a name ``id``/``*_id`` count as such anyway.
    """

    search_fields: tuple[str, ...] = ()
    technical_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class OrganisationUnitFilterSet(BaseFilterSet):
    search_fields = ("name", "code", "description")
    kind = MultipleChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    parent = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Parent"))
    within = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), method="filter_within", label=_("Within"))

    class Meta:
        model = OrganisationUnit
        fields = ["q", "kind", "parent", "within", "is_active", "code"]

    # A unit's id in the API, like ``parent``: the schema cannot tell from a method-based filter.
    @extend_schema_field(OpenApiTypes.INT)
    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset


class UserFilterSet(BaseFilterSet):
    search_fields = ("username", "first_name", "last_name", "email")
    unit = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Role"))

    class Meta:
        model = User
        fields = ["q", "unit", "role", "is_active", "username", "email"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        return queryset.filter(pk__in=Membership.objects.filter(unit=value).values("user_id")) if value else queryset

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=Membership.objects.filter(role=value).values("user_id")) if value else queryset


class MembershipFilterSet(BaseFilterSet):
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    unit = ScopedModelChoiceFilter(queryset=OrganisationUnit.objects.all(), label=_("Unit"))
    user = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Person"))
    role = MultipleChoiceFilter(choices=Role.choices, label=_("Role"))

    class Meta:
        model = Membership
        fields = ["q", "unit", "user", "role"]


class ActionFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    # What an action came from, for the links of a record's actions and for the API.
    technical_fields = ("source_type", "source_id")
    status = MultipleChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    kind = MultipleChoiceFilter(choices=ActionKind.choices, label=_("Type"))
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Unit (and below)")
    )
    owner = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only mine"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))
    source_type = django_filters.CharFilter(method="filter_source_type", label=_("Source type (app.model)"))
    source_id = django_filters.NumberFilter(field_name="source_object_id", label=_("Source id"))

    class Meta:
        model = Action
        fields = ["q", "status", "kind", "unit", "owner", "mine", "open", "overdue", "due_before", "due_after"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        return queryset.filter(owner=self.request.user) if value else queryset.exclude(owner=self.request.user)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_ACTION_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_ACTION_STATUSES)
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_source_type(self, queryset, name, value):
        app_label, _dot, model = value.lower().partition(".")
        return queryset.filter(source_content_type__app_label=app_label, source_content_type__model=model)


class CourseFilterSet(BaseFilterSet):
    search_fields = ("title", "description")
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION), label=_("Organisation")
    )
    is_mandatory = django_filters.BooleanFilter(label=_("Mandatory"))
    # Not a filter: which year's completion the list shows (this year by default).
    year = django_filters.NumberFilter(
        method="filter_year", label=_("Year"), help_text=_("The year whose completion is shown (default: this year).")
    )

    class Meta:
        model = Course
        fields = ["q", "organisation", "is_mandatory", "year"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_year(self, queryset, name, value):
        return queryset


class TrainingAssignmentFilterSet(BaseFilterSet):
    search_fields = ("course__title", "user__username", "user__first_name", "user__last_name")
    course = ScopedModelChoiceFilter(queryset=Course.objects.all(), label=_("Course"))
    user = ScopedModelChoiceFilter(queryset=User.objects.all(), label=_("Person"))
    organisation = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION),
        field_name="course__organisation",
        label=_("Organisation"),
    )
    unit = ScopedModelChoiceFilter(
        queryset=OrganisationUnit.objects.all(), method="filter_unit", label=_("Members of unit (and below)")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    completed = django_filters.BooleanFilter(
        field_name="completed_on", lookup_expr="isnull", exclude=True, label=_("Completed")
    )
    is_mandatory = django_filters.BooleanFilter(field_name="course__is_mandatory", label=_("Mandatory"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only mine"))

    class Meta:
        model = TrainingAssignment
        fields = ["q", "course", "user", "organisation", "unit", "year", "completed", "is_mandatory", "mine"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_unit(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(user__in=Membership.objects.filter(unit__path__startswith=value.path).values("user_id"))

    def filter_mine(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        return queryset.filter(user=self.request.user) if value else queryset.exclude(user=self.request.user)


class SecurityEventFilterSet(BaseFilterSet):
    """The security log's filters: what happened, to whom, from where, when."""

    search_fields = ("path", "detail")
    kind = MultipleChoiceFilter(choices=SecurityEventKind.choices, label=_("Event"))
    person = django_filters.CharFilter(method="filter_person", label=_("Person"))
    ip_address = django_filters.CharFilter(method="filter_ip_address", label=_("Address"))
    after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Until"))

    class Meta:
        model = SecurityEvent
        fields = ["q", "kind", "person", "ip_address", "after", "before"]

    def filter_person(self, queryset, name, value):
        """A user name as logged (a failed login names no person) or a person's name, in part."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value) | Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value)
        )

    def filter_ip_address(self, queryset, name, value):
        """An address, or its beginning ("10.0." for a network)."""
        value = value.strip()
        return queryset.filter(ip_address__startswith=value) if value else queryset
