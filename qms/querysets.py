"""The scoped queryset every business model's manager is built from (STYLE rule 4)."""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which unit a row belongs to, and so who may see it.

    Subclasses name the path to the unit in ``unit_field`` ("unit", "risk__unit"...). Every view,
    viewset, export and selector starts from ``Model.objects.visible_to(user)``.
    """

    unit_field = "unit"

    def visible_to(self, user):
        from qms.scoping import scope_for

        scope = scope_for(user)
        if scope.sees_everything:
            return self
        return self.filter(**{f"{self.unit_field}__in": scope.visible_unit_pks()})
