"""Writes of the maturity model: the default levels and principles a new organisation starts with
(``model_defaults_for_new_organisation``, registered with ``register_organisation_defaults``), changes
to levels and principles (with their controls and questions), and the three-year cycle (``cycle_save``:
refused unless every active principle is planned exactly once within the cycle's three years).

Who: the quality officers and administrators of the organisation (``can_manage_model``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import defaults
from audits.choices import CYCLE_YEARS, ControlKind
from audits.models import (
    AuditCycle,
    CyclePrinciple,
    MaturityLevel,
    Principle,
    PrincipleControl,
    PrincipleQuestion,
)
from qms.choices import Role, UnitKind
from qms.models import OrganisationUnit
from qms.scoping import scope_for
from qms.services.base import apply_changes, deny, in_stored_language, save_validated

MODEL_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
LEVEL_FIELDS = {"name", "name_en", "description", "description_en"}
PRINCIPLE_CREATE_FIELDS = {"name_en", "definition", "definition_en", "position"}
PRINCIPLE_FIELDS = {"name", "name_en", "definition", "definition_en", "position", "is_active"}


def can_manage_model(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation (role on it or above) manage its model,
    its cycle and its themes, and plan its audits."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).has_role(organisation, *MODEL_ROLES)


def _require_manager(actor, organisation: OrganisationUnit) -> None:
    if not can_manage_model(actor, organisation):
        deny(_("Only a quality officer of %(org)s changes its maturity model.") % {"org": organisation})


# --- defaults --------------------------------------------------------------------------------------


def model_defaults_for_new_organisation(*, organisation: OrganisationUnit, actor=None) -> None:
    """Give a new organisation the five levels, the nine principles (with definitions, hard and soft
    controls and questions, Dutch with English) and the default first cycle year of the source (customer
    focus, steering and accountability, operational quality), idempotently (``audits.defaults``)."""
    if organisation.kind != UnitKind.ORGANISATION:
        return
    with transaction.atomic(), in_stored_language():
        # One query each for what is there already: a second run (ensure_audit_defaults) adds only what
        # is missing and never overwrites what the organisation changed.
        known_levels = set(MaturityLevel.objects.filter(organisation=organisation).values_list("level", flat=True))
        for level, name, name_en, description, description_en in defaults.LEVELS:
            if level not in known_levels:
                save_validated(
                    MaturityLevel(
                        organisation=organisation,
                        level=level,
                        name=name,
                        name_en=name_en,
                        description=description,
                        description_en=description_en,
                    ),
                    actor=actor,
                )
        known_codes = set(Principle.objects.filter(organisation=organisation).values_list("code", flat=True))
        for position, default in enumerate(defaults.PRINCIPLES, start=1):
            if default.code in known_codes:
                continue
            principle = save_validated(
                Principle(
                    organisation=organisation,
                    code=default.code,
                    name=default.name,
                    name_en=default.name_en,
                    definition=default.definition,
                    definition_en=default.definition_en,
                    position=position,
                ),
                actor=actor,
            )
            _store_texts(
                principle,
                controls=[
                    {"kind": kind, "text": text, "text_en": text_en}
                    for kind, pairs in (
                        (ControlKind.HARD, default.hard_controls),
                        (ControlKind.SOFT, default.soft_controls),
                    )
                    for text, text_en in pairs
                ],
                questions=[{"text": text, "text_en": text_en} for text, text_en in default.questions],
                actor=actor,
            )
        if not AuditCycle.objects.filter(organisation=organisation).exists():
            _store_cycle(
                organisation=organisation,
                first_year=timezone.localdate().year,
                plan=default_plan(organisation, timezone.localdate().year),
                cycle=None,
                actor=actor,
            )


def default_plan(organisation: OrganisationUnit, first_year: int) -> dict[int, list[int]]:
    """The source's plan for a cycle starting in ``first_year``: its first-year principles in the first
    year, the organisation's other active principles split over the second and third years in order."""
    principles = list(Principle.objects.filter(organisation=organisation, is_active=True).order_by("position", "id"))
    first = [p.pk for p in principles if p.code in defaults.FIRST_YEAR_PRINCIPLES]
    rest = [p.pk for p in principles if p.code not in defaults.FIRST_YEAR_PRINCIPLES]
    half = (len(rest) + 1) // 2
    return {first_year: first, first_year + 1: rest[:half], first_year + 2: rest[half:]}


# --- levels and principles -------------------------------------------------------------------------


@transaction.atomic
def level_update(*, actor, level: MaturityLevel, **changes) -> MaturityLevel:
    """Change a level's name/description (Dutch and English)."""
    level = MaturityLevel.objects.select_for_update().select_related("organisation").get(pk=level.pk)
    _require_manager(actor, level.organisation)
    if apply_changes(level, changes, LEVEL_FIELDS):
        save_validated(level, actor=actor)
    return level


@transaction.atomic
def principle_create(*, actor, organisation: OrganisationUnit, code: str, name: str, **fields) -> Principle:
    """Add a principle (fields: name_en, definition, definition_en, position)."""
    _require_manager(actor, organisation)
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("Management principles belong to an organisation.")})
    if Principle.objects.filter(organisation=organisation, code=code).exists():
        # On the field (the constraint's own message would be a non-field error).
        raise ValidationError({"code": _("This organisation already has a principle with this code.")})
    principle = Principle(organisation=organisation, code=code, name=name)
    apply_changes(principle, fields, PRINCIPLE_CREATE_FIELDS)
    if "position" not in fields:
        last = Principle.objects.filter(organisation=organisation).aggregate(last=Max("position"))["last"]
        principle.position = (last or 0) + 1
    return save_validated(principle, actor=actor)


@transaction.atomic
def principle_update(*, actor, principle: Principle, **changes) -> Principle:
    """Change name/definition (both languages), position, is_active; the code stays."""
    principle = Principle.objects.select_for_update().select_related("organisation").get(pk=principle.pk)
    _require_manager(actor, principle.organisation)
    if apply_changes(principle, changes, PRINCIPLE_FIELDS):
        save_validated(principle, actor=actor)
    return principle


@transaction.atomic
def principle_set_texts(*, actor, principle: Principle, controls: list[dict], questions: list[dict]) -> Principle:
    """Replace the principle's controls (``{"kind", "text", "text_en"}``) and questions
    (``{"text", "text_en"}``) in the given order, atomically."""
    principle = Principle.objects.select_for_update().select_related("organisation").get(pk=principle.pk)
    _require_manager(actor, principle.organisation)
    _store_texts(principle, controls=controls, questions=questions, actor=actor)
    return principle


def _texts_error(field: str, index: int, exc: ValidationError) -> ValidationError:
    messages = exc.messages if hasattr(exc, "messages") else [str(exc)]
    return ValidationError({field: [_("Line %(line)s: %(error)s") % {"line": index + 1, "error": m} for m in messages]})


def _store_texts(principle: Principle, *, controls: list[dict], questions: list[dict], actor) -> None:
    """Validate every new control and question first, then replace the old ones: a bad line saves
    nothing."""
    new_controls, new_questions = [], []
    positions = {ControlKind.HARD: 0, ControlKind.SOFT: 0}
    for index, row in enumerate(controls):
        kind = row.get("kind")
        control = PrincipleControl(
            principle=principle,
            kind=kind,
            text=(row.get("text") or "").strip(),
            text_en=(row.get("text_en") or "").strip(),
            position=positions.get(kind, 0),
        )
        if kind in positions:
            positions[kind] += 1
        try:
            control.full_clean()
        except ValidationError as exc:
            raise _texts_error("controls", index, exc) from exc
        new_controls.append(control)
    for index, row in enumerate(questions):
        question = PrincipleQuestion(
            principle=principle,
            text=(row.get("text") or "").strip(),
            text_en=(row.get("text_en") or "").strip(),
            position=index,
        )
        try:
            question.full_clean()
        except ValidationError as exc:
            raise _texts_error("questions", index, exc) from exc
        new_questions.append(question)
    for old in [*principle.controls.all(), *principle.questions.all()]:
        if actor is not None and getattr(actor, "is_authenticated", False):
            old._history_user = actor
        old.delete()
    for item in [*new_controls, *new_questions]:
        save_validated(item, actor=actor)


# --- the cycle -------------------------------------------------------------------------------------


def _as_int(value, field: str) -> int:
    if isinstance(value, Principle):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}}) from None


def _validate_plan(organisation: OrganisationUnit, first_year: int, plan) -> dict[int, list[int]]:
    """The plan as {year: [principle id]}, or a ValidationError on ``plan`` listing every problem."""
    if not isinstance(plan, dict):
        raise ValidationError({"plan": _("Give the principles per year of the cycle.")})
    years = range(first_year, first_year + CYCLE_YEARS)
    errors = []
    clean: dict[int, list[int]] = {}
    for year, ids in plan.items():
        year = _as_int(year, "plan")
        if year not in years:
            errors.append(
                _("%(year)s lies outside the cycle (%(first)s-%(last)s).")
                % {"year": year, "first": years[0], "last": years[-1]}
            )
            continue
        if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
            raise ValidationError({"plan": _("Give a list of principles for %(year)s.") % {"year": year}})
        clean.setdefault(year, []).extend(_as_int(pk, "plan") for pk in ids)
    active = {p.pk: p for p in Principle.objects.filter(organisation=organisation, is_active=True)}
    seen: dict[int, int] = {}
    for year in sorted(clean):
        for pk in clean[year]:
            if pk not in active:
                errors.append(_("%(id)s is not an active principle of %(org)s.") % {"id": pk, "org": organisation})
            elif pk in seen:
                errors.append(
                    _("%(principle)s is planned more than once (%(years)s).")
                    % {"principle": active[pk], "years": ", ".join(str(y) for y in sorted({seen[pk], year}))}
                )
            else:
                seen[pk] = year
    missing = [str(p) for pk, p in active.items() if pk not in seen]
    if missing:
        errors.append(
            _("Every principle is planned once in the cycle; missing: %(names)s.") % {"names": ", ".join(missing)}
        )
    if errors:
        raise ValidationError({"plan": errors})
    return clean


def _store_cycle(
    *, organisation: OrganisationUnit, first_year: int, plan, cycle: AuditCycle | None, actor
) -> AuditCycle:
    # One cycle save at a time per organisation: the overlap check below reads the other cycles.
    OrganisationUnit.objects.select_for_update().filter(pk=organisation.pk).first()
    first_year = _as_int(first_year, "first_year")
    if cycle is None:
        cycle = AuditCycle(organisation=organisation, first_year=first_year)
    else:
        cycle = AuditCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.organisation_id != organisation.pk:
            raise ValidationError({"cycle": _("This cycle belongs to another organisation.")})
        outside = cycle.audits.exclude(year__gte=first_year, year__lt=first_year + CYCLE_YEARS)
        if outside.exists():
            raise ValidationError(
                {
                    "first_year": _("The cycle has audits in %(years)s, which would fall outside it.")
                    % {"years": ", ".join(str(y) for y in sorted(set(outside.values_list("year", flat=True))))}
                }
            )
        cycle.first_year = first_year
    cycle.full_clean(exclude=["organisation"], validate_constraints=False)
    overlapping = AuditCycle.objects.filter(
        organisation=organisation,
        first_year__gt=first_year - CYCLE_YEARS,
        first_year__lt=first_year + CYCLE_YEARS,
    ).exclude(pk=cycle.pk)
    other = overlapping.first()
    if other is not None:
        raise ValidationError(
            {
                "first_year": _("This cycle overlaps the cycle %(other)s of %(org)s.")
                % {"other": other, "org": organisation}
            }
        )
    clean = _validate_plan(organisation, first_year, plan)
    save_validated(cycle, actor=actor)
    wanted = {pk: year for year, ids in clean.items() for pk in ids}
    # Replace by difference, so the history shows what moved rather than a wholesale delete.
    for entry in list(cycle.entries.all()):
        year = wanted.pop(entry.principle_id, None)
        if year is None:
            if actor is not None and getattr(actor, "is_authenticated", False):
                entry._history_user = actor
            entry.delete()
        elif entry.year != year:
            entry.year = year
            save_validated(entry, actor=actor)
    for pk, year in wanted.items():
        save_validated(CyclePrinciple(cycle=cycle, principle_id=pk, year=year), actor=actor)
    return cycle


@transaction.atomic
def cycle_save(
    *,
    actor,
    organisation: OrganisationUnit,
    first_year: int,
    plan: dict[int, list[int]],
    cycle: AuditCycle | None = None,
) -> AuditCycle:
    """Create or replace a cycle's plan: ``plan`` maps each year of the cycle (first_year .. +2) to
    principle ids of the organisation. Refused (ValidationError on ``plan``) unless every active principle
    is planned exactly once, every year lies in the cycle and every id is an active principle of the
    organisation; a cycle overlapping another of the organisation is refused on ``first_year``."""
    _require_manager(actor, organisation)
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("A cycle belongs to an organisation.")})
    return _store_cycle(organisation=organisation, first_year=first_year, plan=plan, cycle=cycle, actor=actor)


def cycle_for_year(*, organisation: OrganisationUnit, year: int) -> AuditCycle | None:
    """The organisation's cycle that covers ``year``, or None."""
    return AuditCycle.objects.filter(
        organisation=organisation, first_year__lte=year, first_year__gt=year - CYCLE_YEARS
    ).first()
