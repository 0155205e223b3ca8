"""Writes of SMART objectives and their key results."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis.models import KeyResult, Kpi, Objective
from qms.models import OrganisationUnit, User
from qms.permissions import can_contribute
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated

OBJECTIVE_FIELDS = {"title", "period", "parent", "owner", "specific", "achievable", "relevant", "deadline"}
KEY_RESULT_FIELDS = {"kpi", "baseline", "target", "weight", "deadline"}


def can_manage_objectives(user, unit: OrganisationUnit) -> bool:
    """Whoever registers work in a unit sets its objectives (not viewers or auditors)."""
    return can_contribute(user, unit)


def _check_deadline(deadline: datetime.date | None) -> None:
    """A new deadline lies ahead: an objective set with a deadline already past cannot be met (an
    objective whose deadline passed keeps it when other fields change)."""
    deadline = Objective._meta.get_field("deadline").to_python(deadline)
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})


@transaction.atomic
def objective_create(
    *,
    actor,
    unit: OrganisationUnit,
    title: str,
    period: str,
    parent: Objective | None = None,
    owner: User | None = None,
    specific: str = "",
    achievable: str = "",
    relevant: str = "",
    deadline: datetime.date | None = None,
) -> Objective:
    """Set an objective for a unit and period, under the objective it serves. Missing SMART properties
    do not stop it being saved: they are shown on the objective until they are filled in."""
    if not can_manage_objectives(actor, unit):
        deny(_("You cannot set objectives for %(unit)s.") % {"unit": unit})
    if owner is not None:
        validate_owner_for_unit(owner, unit)
    _check_deadline(deadline)
    objective = Objective(
        unit=unit,
        title=title,
        period=period,
        parent=parent,
        owner=owner,
        specific=specific,
        achievable=achievable,
        relevant=relevant,
        deadline=deadline,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_validated(objective, actor=actor)


@transaction.atomic
def objective_update(*, actor, objective: Objective, **changes) -> Objective:
    """Change an objective (its unit stays)."""
    objective = (
        Objective.objects.select_for_update(of=("self",)).select_related("unit", "parent__unit").get(pk=objective.pk)
    )
    if not can_manage_objectives(actor, objective.unit):
        deny(_("You cannot change the objectives of %(unit)s.") % {"unit": objective.unit})
    changed = apply_changes(objective, changes, OBJECTIVE_FIELDS)
    if not changed:
        return objective
    if "owner" in changed and objective.owner is not None:
        validate_owner_for_unit(objective.owner, objective.unit)
    if "deadline" in changed:
        _check_deadline(objective.deadline)
    return save_validated(objective, actor=actor)


def _check_kpi(kpi: Kpi, objective: Objective) -> None:
    if kpi.organisation_id != objective.unit.organisation.pk:
        raise ValidationError({"kpi": _("Choose a KPI of %(org)s.") % {"org": objective.unit.organisation}})


@transaction.atomic
def key_result_create(
    *,
    actor,
    objective: Objective,
    kpi: Kpi,
    baseline: Decimal,
    target: Decimal,
    weight: Decimal = Decimal(1),
    deadline: datetime.date | None = None,
) -> KeyResult:
    """Add a key result to an objective: a KPI of its organisation from ``baseline`` to ``target``."""
    objective = Objective.objects.select_for_update(of=("self",)).select_related("unit").get(pk=objective.pk)
    if not can_manage_objectives(actor, objective.unit):
        deny(_("You cannot change the objectives of %(unit)s.") % {"unit": objective.unit})
    _check_kpi(kpi, objective)
    key_result = KeyResult(
        objective=objective, kpi=kpi, baseline=baseline, target=target, weight=weight, deadline=deadline
    )
    return save_validated(key_result, actor=actor)


@transaction.atomic
def key_result_update(*, actor, key_result: KeyResult, **changes) -> KeyResult:
    key_result = (
        KeyResult.objects.select_for_update(of=("self",)).select_related("objective__unit", "kpi").get(pk=key_result.pk)
    )
    if not can_manage_objectives(actor, key_result.objective.unit):
        deny(_("You cannot change the objectives of %(unit)s.") % {"unit": key_result.objective.unit})
    changed = apply_changes(key_result, changes, KEY_RESULT_FIELDS)
    if "kpi" in changed:
        _check_kpi(key_result.kpi, key_result.objective)
    if changed:
        save_validated(key_result, actor=actor)
    return key_result


@transaction.atomic
def key_result_delete(*, actor, key_result: KeyResult) -> None:
    key_result = KeyResult.objects.select_related("objective__unit").get(pk=key_result.pk)
    if not can_manage_objectives(actor, key_result.objective.unit):
        deny(_("You cannot change the objectives of %(unit)s.") % {"unit": key_result.objective.unit})
    key_result._history_user = actor
    key_result.delete()
