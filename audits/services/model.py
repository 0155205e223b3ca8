"""Writes of the maturity model: the default levels and principles a new organisation starts with
(``model_defaults_for_new_organisation``, registered with ``register_organisation_defaults``), changes
to levels and principles (with their controls and questions), and the three-year cycle (``cycle_save``:
refused unless every active principle is planned exactly once within the cycle's three years).

Who: the quality officers and administrators of the organisation (``can_manage_model``)."""

from audits.models import AuditCycle, MaturityLevel, Principle
from qms.models import OrganisationUnit


def can_manage_model(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation (role on it or above) manage its model,
    its cycle and its themes, and plan its audits."""
    raise NotImplementedError


def model_defaults_for_new_organisation(*, organisation: OrganisationUnit, actor=None) -> None:
    """Give a new organisation the five levels, the nine principles (with definitions, hard and soft
    controls and questions, Dutch with English) and the default first cycle year of the source (customer
    focus, steering and accountability, operational quality), idempotently (``audits.defaults``)."""
    raise NotImplementedError


def level_update(*, actor, level: MaturityLevel, **changes) -> MaturityLevel:
    """Change a level's name/description (Dutch and English)."""
    raise NotImplementedError


def principle_create(*, actor, organisation: OrganisationUnit, code: str, name: str, **fields) -> Principle:
    """Add a principle (fields: name_en, definition, definition_en, position)."""
    raise NotImplementedError


def principle_update(*, actor, principle: Principle, **changes) -> Principle:
    """Change name/definition (both languages), position, is_active; the code stays."""
    raise NotImplementedError


def principle_set_texts(*, actor, principle: Principle, controls: list[dict], questions: list[dict]) -> Principle:
    """Replace the principle's controls (``{"kind", "text", "text_en"}``) and questions
    (``{"text", "text_en"}``) in the given order, atomically."""
    raise NotImplementedError


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
    raise NotImplementedError


def cycle_for_year(*, organisation: OrganisationUnit, year: int) -> AuditCycle | None:
    """The organisation's cycle that covers ``year``, or None."""
    raise NotImplementedError
