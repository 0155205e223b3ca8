"""Writes of KPIs and their measurements, and the daily sweep of missing measurements."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from kpis import conf
from kpis.choices import DEFAULT_KPIS
from kpis.models import Kpi, KpiMeasurement
from kpis.selectors.kpis import kpis_missing_due_measurement
from qms.choices import Role, UnitKind
from qms.escalations import escalate
from qms.models import OrganisationUnit, User
from qms.periods import last_due_period, period_containing
from qms.permissions import can_contribute
from qms.scoping import scope_for
from qms.selectors import user_belongs_to_organisation
from qms.services.actions import validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated
from qms.services.notifications import notify

KPI_FIELDS = {
    "code",
    "name",
    "description",
    "category",
    "measure_unit",
    "direction",
    "frequency",
    "owner",
    "target",
    "good_threshold",
    "acceptable_threshold",
    "is_active",
}
NORM_FIELDS = {"direction", "target", "good_threshold", "acceptable_threshold"}


class RowsInvalid(ValidationError):
    """All-or-nothing input (a bulk post, an import) with errors on some rows: nothing was saved.

    ``rows`` maps a row's index (0-based) to ``{field: [messages]}``, for a report per row; the
    ValidationError itself carries the same messages under ``field``, prefixed with the row number.
    """

    def __init__(self, rows: dict[int, dict[str, list[str]]], field: str = "values"):
        self.rows = rows
        messages = [
            _("Row %(row)s: %(message)s") % {"row": index + 1, "message": message}
            for index, errors in sorted(rows.items())
            for field_messages in errors.values()
            for message in field_messages
        ]
        super().__init__({field: messages})


# --- who may do what ---------------------------------------------------------------------------


def can_configure_kpis(user, unit: OrganisationUnit) -> bool:
    """Administrators and quality officers of a unit (or above it) define its KPIs and norms."""
    return scope_for(user).has_role(unit, Role.ADMINISTRATOR, Role.QUALITY_OFFICER)


def can_enter_measurements(user, kpi: Kpi) -> bool:
    """The KPI's owner, and whoever registers work in its unit (not viewers or auditors)."""
    return kpi.owner_id == user.pk or can_contribute(user, kpi.org_unit)


# --- KPIs ---------------------------------------------------------------------------------------


def _notify_owner(kpi: Kpi, actor) -> None:
    if kpi.owner_id != getattr(actor, "pk", None):
        notify(
            recipients=[kpi.owner],
            verb="kpi_assigned",
            title=gettext_lazy("You own a KPI now: %(kpi)s"),
            params={"kpi": kpi},
            target=kpi,
        )


@transaction.atomic
def kpi_create(
    *,
    actor,
    org_unit: OrganisationUnit,
    owner: User,
    code: str,
    name: str,
    category: str,
    direction: str,
    frequency: str,
    target: Decimal,
    good_threshold: Decimal,
    acceptable_threshold: Decimal,
    measure_unit: str = "",
    description: str = "",
    is_active: bool = True,
) -> Kpi:
    """Define a KPI of a unit with its norms; its owner is told."""
    if not can_configure_kpis(actor, org_unit):
        deny(_("Only administrators and quality officers of %(unit)s define its KPIs.") % {"unit": org_unit})
    validate_owner_for_unit(owner, org_unit)
    kpi = Kpi(
        org_unit=org_unit,
        organisation=org_unit.organisation,
        owner=owner,
        code=code,
        name=name,
        category=category,
        direction=direction,
        frequency=frequency,
        target=target,
        good_threshold=good_threshold,
        acceptable_threshold=acceptable_threshold,
        measure_unit=measure_unit,
        description=description,
        is_active=is_active,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    save_validated(kpi, actor=actor)
    _notify_owner(kpi, actor)
    return kpi


@transaction.atomic
def kpi_update(*, actor, kpi: Kpi, reason: str = "", **changes) -> Kpi:
    """Change a KPI. New norms re-derive the status of its measurements (the history keeps the old
    ones); the frequency is fixed once there are measurements, as their periods depend on it."""
    kpi = Kpi.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=kpi.pk)
    if not can_configure_kpis(actor, kpi.org_unit):
        deny(_("Only administrators and quality officers of %(unit)s change its KPIs.") % {"unit": kpi.org_unit})
    changed = apply_changes(kpi, changes, KPI_FIELDS)
    if not changed:
        return kpi
    if "frequency" in changed and kpi.measurements.exists():
        raise ValidationError(
            {"frequency": _("This KPI has measurements: its frequency cannot change. Define a new KPI instead.")}
        )
    if "owner" in changed:
        validate_owner_for_unit(kpi.owner, kpi.org_unit)
    save_validated(kpi, actor=actor, reason=reason)
    if NORM_FIELDS & set(changed):
        _rederive_statuses(kpi, reason=reason or _("Norms changed"))
    if "owner" in changed:
        _notify_owner(kpi, actor)
    return kpi


def _rederive_statuses(kpi: Kpi, *, reason: str) -> None:
    changed = []
    for measurement in kpi.measurements.select_for_update():
        status = kpi.status_for(measurement.value)
        if status != measurement.status:
            measurement.status = status
            changed.append(measurement)
    if changed:
        bulk_update_with_history(changed, KpiMeasurement, ["status"], default_change_reason=reason)


@transaction.atomic
def kpi_defaults_create(*, actor, organisation: OrganisationUnit, owner: User | None = None) -> list[Kpi]:
    """Give an organisation the default KPI set of SPEC 4 (uptime, defect density, eNPS, workload and
    mental health, pNPS, CSAT, churn), owned by ``owner`` (default: the actor). KPIs whose code the
    organisation has already are left alone, so running it twice adds nothing."""
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("The default KPI set is for an organisation.")})
    if not can_configure_kpis(actor, organisation):
        deny(_("Only administrators and quality officers of %(unit)s define its KPIs.") % {"unit": organisation})
    existing = set(Kpi.objects.filter(organisation=organisation).values_list("code", flat=True))
    created = []
    for code, name, description, category, unit, direction, frequency, target, good, acceptable in DEFAULT_KPIS:
        if code in existing:
            continue
        created.append(
            kpi_create(
                actor=actor,
                org_unit=organisation,
                owner=owner or actor,
                code=code,
                name=str(name),
                description=str(description),
                category=category,
                measure_unit=str(unit),
                direction=direction,
                frequency=frequency,
                target=target,
                good_threshold=good,
                acceptable_threshold=acceptable,
            )
        )
    return created


def kpi_defaults_for_new_organisation(*, organisation: OrganisationUnit, actor) -> list[Kpi]:
    """Give an organisation the default KPI set as it is created (``unit_create`` calls this, in its
    transaction; registered in ``KpisConfig.ready``). The creator owns the KPIs until a quality officer
    hands each over to its real owner. Nothing without an actor (loaded data brings its own KPIs), nor
    when the creator may not own work in the organisation (a system administrator outside it): then
    its quality officer adds the set later (``kpi_defaults_create``, "Add the default KPI set")."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if not user_belongs_to_organisation(actor, organisation):
        return []
    return kpi_defaults_create(actor=actor, organisation=organisation)


# --- measurements -------------------------------------------------------------------------------


def _number(value, field: str = "value") -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({field: _("%(value)s is not a number.") % {"value": value}})
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(value)s is not a number.") % {"value": value}}) from None
    if not number.is_finite():
        raise ValidationError({field: _("%(value)s is not a number.") % {"value": value}})
    return number


def _check_measurable(actor, kpi: Kpi, period_text, today: datetime.date):
    """The period of ``period_text`` for ``kpi`` if ``actor`` may measure it then; ValidationError or
    PermissionDenied otherwise."""
    if not can_enter_measurements(actor, kpi):
        deny(_("You cannot enter measurements of %(kpi)s.") % {"kpi": kpi})
    if not kpi.is_active:
        raise ValidationError({"kpi": _("%(kpi)s is not active.") % {"kpi": kpi}})
    period = kpi.period(period_text)
    if period > period_containing(today, kpi.frequency):
        raise ValidationError({"period": _("%(period)s has not started yet.") % {"period": period}})
    return period


def _duplicate_error(kpi: Kpi, existing: KpiMeasurement) -> ValidationError:
    return ValidationError(
        {
            "period": _(
                "%(kpi)s has a measurement for %(period)s already (%(value)s): correct it, with a reason, instead."
            )
            # The value as the reader writes numbers: "4,5" on a Dutch page, "4.5" on an English one.
            % {
                "kpi": kpi.code,
                "period": existing.period,
                "value": number_format(existing.value.normalize(), use_l10n=True),
            }
        }
    )


def _new_measurement(actor, kpi: Kpi, period, value: Decimal, note: str) -> KpiMeasurement:
    measurement = KpiMeasurement(
        kpi=kpi,
        period=str(period),
        period_start=period.start,
        value=value,
        status=kpi.status_for(value),
        note=note,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_validated(measurement, actor=actor)


@transaction.atomic
def measurement_record(*, actor, kpi: Kpi, period: str, value, note: str = "") -> KpiMeasurement:
    """Record the value of ``kpi`` for ``period``; its status follows from the KPI's norms. A period
    that has a measurement already is refused: ``measurement_correct`` changes it, with a reason."""
    kpi = Kpi.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=kpi.pk)
    period = _check_measurable(actor, kpi, period, timezone.localdate())
    value = _number(value)
    existing = KpiMeasurement.objects.filter(kpi=kpi, period=str(period)).first()
    if existing is not None:
        raise _duplicate_error(kpi, existing)
    return _new_measurement(actor, kpi, period, value, note)


@transaction.atomic
def measurement_correct(*, actor, measurement: KpiMeasurement, value, reason: str, note: str | None = None):
    """Correct a measurement: the new value and status replace the old ones, and the history keeps
    both, with who, when and ``reason``."""
    measurement = (
        KpiMeasurement.objects.select_for_update(of=("self",)).select_related("kpi__org_unit").get(pk=measurement.pk)
    )
    kpi = measurement.kpi
    if not can_enter_measurements(actor, kpi):
        deny(_("You cannot correct measurements of %(kpi)s.") % {"kpi": kpi})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the measurement is corrected.")})
    value = _number(value)
    if value == measurement.value and (note is None or note == measurement.note):
        raise ValidationError({"value": _("This is the value already recorded.")})
    measurement.value = value
    measurement.status = kpi.status_for(value)
    if note is not None:
        measurement.note = note
    return save_validated(measurement, actor=actor, reason=reason.strip())


@dataclass
class MeasurementRow:
    """One value of a bulk post or an import: the KPI (or its code, looked up by the caller), the
    period, the value and an optional note."""

    kpi: Kpi | None
    period: str
    value: object
    note: str = ""
    errors: dict | None = None


@transaction.atomic
def measurements_record_many(*, actor, rows: list[MeasurementRow]) -> list[KpiMeasurement]:
    """Record many measurements (many KPIs, one period from an integration; or an imported file),
    all or nothing: every row is checked first, and any error on any row saves none of them and
    raises ``RowsInvalid`` with the errors per row. A row of a KPI the actor may not measure refuses
    the whole request (PermissionDenied), as a single measurement would be."""
    today = timezone.localdate()
    errors: dict[int, dict[str, list[str]]] = {}
    kpi_ids = {row.kpi.pk for row in rows if row.kpi is not None}
    kpis = {
        kpi.pk: kpi
        for kpi in Kpi.objects.select_for_update(of=("self",)).select_related("org_unit").filter(pk__in=kpi_ids)
    }
    checked = []
    for index, row in enumerate(rows):
        if row.errors:
            errors[index] = row.errors
            continue
        kpi = kpis.get(row.kpi.pk) if row.kpi is not None else None
        if kpi is None:
            errors[index] = {"kpi": [_("Unknown KPI.")]}
            continue
        try:
            period = _check_measurable(actor, kpi, row.period, today)
            value = _number(row.value)
        except ValidationError as error:
            errors[index] = error.message_dict
            continue
        checked.append((index, kpi, period, value, row.note or ""))
    seen: dict[tuple[int, str], int] = {}
    for index, kpi, period, _value, _note in checked:
        key = (kpi.pk, str(period))
        if key in seen:
            errors[index] = {
                "period": [_("Row %(row)s has a value for this KPI and period too.") % {"row": seen[key] + 1}]
            }
        seen.setdefault(key, index)
    existing = {
        (measurement.kpi_id, measurement.period): measurement
        for measurement in KpiMeasurement.objects.filter(
            kpi_id__in=kpi_ids, period__in={period for _kpi, period in seen}
        )
    }
    for index, kpi, period, _value, _note in checked:
        if (kpi.pk, str(period)) in existing and index not in errors:
            errors[index] = _duplicate_error(kpi, existing[(kpi.pk, str(period))]).message_dict
    if errors:
        raise RowsInvalid(errors)
    return [_new_measurement(actor, kpi, period, value, note) for _index, kpi, period, value, note in checked]


# --- the daily sweep ----------------------------------------------------------------------------


def sweep_missing_measurements(*, today: datetime.date) -> int:
    """Escalate each active KPI whose measurement for the last due period is missing to its owner,
    once a day (a period is due ``KPI_MEASUREMENT_GRACE_DAYS`` after it ended)."""
    grace = conf.measurement_grace_days()

    def notice(kpi: Kpi, _prepared) -> dict:
        due = last_due_period(today, kpi.frequency, grace)
        return {
            "recipients": [kpi.owner],
            "verb": "kpi_measurement_missing",
            "title": gettext_lazy("Measurement missing: %(kpi)s for %(period)s"),
            "params": {"kpi": kpi, "period": str(due)},
            "body": gettext_lazy("The measurement for %(period)s was due on %(due)s."),
            "body_params": {"period": str(due), "due": due.end + datetime.timedelta(days=grace)},
        }

    return escalate(
        kpis_missing_due_measurement(today).select_related("owner"),
        reason="measurement_missing",
        day=today,
        notice=notice,
    )
