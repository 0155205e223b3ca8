"""Demo data: a group with two organisations, their units, and a person for every role.

Idempotent: every record is found by a natural key (unit code, username, title) before it is made,
so running it again changes nothing. Each domain app adds its own demo data in ``<app>/demo.py``
(a ``seed(context)`` function), which ``seed_demo`` runs after this one.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, Membership, OrganisationUnit, User
from qms.services.organisation import unit_create, user_update

DEMO_PASSWORD = "demo-QMS-2026"
# The demo's superuser, who creates the units.
SYSTEM_ADMINISTRATOR = "beheerder"

# code, name, kind, parent code
UNITS = [
    ("NHG", "Noordhaven Groep", UnitKind.GROUP, None),
    ("NHS", "Noordhaven Software", UnitKind.ORGANISATION, "NHG"),
    ("NHS-ONT", "Ontwikkeling", UnitKind.BUSINESS_UNIT, "NHS"),
    ("NHS-ONT-PLT", "Team Platform", UnitKind.TEAM, "NHS-ONT"),
    ("NHS-ONT-APP", "Team Apps", UnitKind.TEAM, "NHS-ONT"),
    ("NHS-KS", "Klantenservice", UnitKind.BUSINESS_UNIT, "NHS"),
    ("NHS-KS-SD", "Servicedesk", UnitKind.TEAM, "NHS-KS"),
    ("NHS-BV", "Bedrijfsvoering", UnitKind.BUSINESS_UNIT, "NHS"),
    ("NHD", "Noordhaven Diensten", UnitKind.ORGANISATION, "NHG"),
    ("NHD-SAL", "Salarisadministratie", UnitKind.BUSINESS_UNIT, "NHD"),
    ("NHD-SAL-VER", "Team Verwerking", UnitKind.TEAM, "NHD-SAL"),
    ("NHD-ADV", "Advies", UnitKind.BUSINESS_UNIT, "NHD"),
]

# username, first name, last name, [(role, unit code)], what they see
PEOPLE = [
    ("beheerder", "Bram", "de Beheerder", [(Role.ADMINISTRATOR, "NHG")], "everything (system administrator)"),
    ("groep", "Marieke", "Visser", [(Role.GROUP_MANAGEMENT, "NHG")], "all organisations of the group"),
    ("bestuur", "Pieter", "van Dijk", [(Role.BOARD_MEMBER, "NHS")], "Noordhaven Software"),
    ("kwaliteit", "Sanne", "de Vries", [(Role.QUALITY_OFFICER, "NHS")], "Noordhaven Software"),
    ("risico", "Daan", "Jansen", [(Role.RISK_OWNER, "NHS-ONT")], "Ontwikkeling and its teams"),
    (
        "teamleider",
        "Fleur",
        "Bakker",
        [(Role.TEAM_LEAD, "NHS-ONT-PLT"), (Role.TEAM_LEAD, "NHS-ONT-APP")],
        "Team Platform and Team Apps",
    ),
    ("medewerker", "Youssef", "El Idrissi", [(Role.RISK_OWNER, "NHS-KS-SD")], "Servicedesk"),
    ("toetser", "Ahmed", "El Amrani", [(Role.AUDITOR, "NHS-BV")], "Bedrijfsvoering"),
    # More auditors, so that every audited business unit has two or three assessors from other units
    # (cross-wise assessment: no assessor from the audited unit's line). Each also sees the audits they assess.
    ("toetser-ks", "Marloes", "Vermeulen", [(Role.AUDITOR, "NHS-KS")], "Klantenservice"),
    ("toetser-ont", "Thijs", "van Leeuwen", [(Role.AUDITOR, "NHS-ONT")], "Ontwikkeling and its teams"),
    ("toetser-plt", "Sofie", "Wouters", [(Role.AUDITOR, "NHS-ONT-PLT")], "Team Platform"),
    ("lezer", "Lotte", "Smit", [(Role.VIEWER, "NHS")], "Noordhaven Software (read only)"),
    (
        "coordinator",
        "Iris",
        "Kok",
        [(Role.INCIDENT_COORDINATOR, "NHS")],
        "Noordhaven Software (coordinates incidents, problems and changes)",
    ),
    ("privacy", "Hanna", "Peters", [(Role.DATA_PROTECTION_OFFICER, "NHS")], "Noordhaven Software (data breaches)"),
    ("bestuur-b", "Eva", "Mulder", [(Role.BOARD_MEMBER, "NHD")], "Noordhaven Diensten"),
    ("kwaliteit-b", "Jeroen", "de Boer", [(Role.QUALITY_OFFICER, "NHD")], "Noordhaven Diensten"),
    ("risico-b", "Noor", "Hendriks", [(Role.RISK_OWNER, "NHD-SAL")], "Salarisadministratie"),
    ("toetser-b", "Ruben", "Dekker", [(Role.AUDITOR, "NHD-ADV")], "Advies"),
    ("toetser-b2", "Anouk", "Brouwer", [(Role.AUDITOR, "NHD-SAL")], "Salarisadministratie"),
    ("toetser-b3", "Karim", "Benali", [(Role.AUDITOR, "NHD-ADV")], "Advies"),
    ("toetser-b4", "Linda", "Koster", [(Role.AUDITOR, "NHD-SAL-VER")], "Team Verwerking"),
    ("buitenstaander", "Olaf", "Buiten", [], "nothing (no role anywhere)"),
]

# title, unit code, owner, days from today (negative: overdue), status, kind. In Dutch, as people of the
# Dutch demo organisations write them.
ACTIONS = [
    ("Draaiboek incidentrespons bijwerken", "NHS-ONT-PLT", "teamleider", 14, ActionStatus.OPEN, ActionKind.GENERAL),
    (
        "Leverancierscontracten nalopen op afspraken over gegevensverwerking",
        "NHS-BV",
        "kwaliteit",
        -5,
        ActionStatus.OPEN,
        ActionKind.GENERAL,
    ),
    ("Toegangsrechten per kwartaal controleren", "NHS-ONT", "risico", 30, ActionStatus.IN_PROGRESS, ActionKind.GENERAL),
    (
        "Klacht van een klant over facturen opvolgen",
        "NHS-KS-SD",
        "medewerker",
        -2,
        ActionStatus.OPEN,
        ActionKind.FOLLOW_UP,
    ),
    (
        "Nieuwe medewerkers trainen in het privacybeleid",
        "NHD-SAL",
        "risico-b",
        21,
        ActionStatus.OPEN,
        ActionKind.IMPROVEMENT,
    ),
    (
        "Vier-ogencontrole van de salarisverwerking vastleggen",
        "NHD-SAL-VER",
        "kwaliteit-b",
        7,
        ActionStatus.DONE,
        ActionKind.GENERAL,
    ),
]


@dataclass
class DemoContext:
    """What the core seed made, for the apps' seeds to build on."""

    units: dict[str, OrganisationUnit] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)


def _unit(code, name, kind, parent, *, actor) -> OrganisationUnit:
    unit = OrganisationUnit.objects.filter(code=code).first()
    if unit is None:
        # Through the service, as an administrator would: a new organisation gets its defaults (score
        # areas, the KPI set...) from the apps, as in real use.
        unit = unit_create(actor=actor, code=code, name=name, kind=kind, parent=parent)
    return unit


def _person(username, first_name, last_name) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if username == SYSTEM_ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
        user.save()
    return user


@transaction.atomic
def seed_core() -> DemoContext:
    context = DemoContext()
    # The system administrator first, administrator of the group before anything below it exists: the
    # organisations are created by them, as a member, so they get every default that needs someone of
    # the organisation (the KPI set, owned by its creator until the quality officer takes it over).
    administrator = next(_person(*person[:3]) for person in PEOPLE if person[0] == SYSTEM_ADMINISTRATOR)
    group_code, group_name, group_kind, _parent = UNITS[0]
    context.units[group_code] = _unit(group_code, group_name, group_kind, None, actor=administrator)
    Membership.objects.get_or_create(user=administrator, unit=context.units[group_code], role=Role.ADMINISTRATOR)
    for code, name, kind, parent_code in UNITS[1:]:
        context.units[code] = _unit(code, name, kind, context.units[parent_code], actor=administrator)
    for username, first_name, last_name, roles, _sees in PEOPLE:
        user = context.people[username] = _person(username, first_name, last_name)
        for role, unit_code in roles:
            Membership.objects.get_or_create(user=user, unit=context.units[unit_code], role=role)
    # Managers, for the escalation of overdue actions: through the service, so the audit trail has them.
    for person in User.objects.filter(username__in=("risico", "medewerker"), manager__isnull=True):
        user_update(actor=context.people["beheerder"], user=person, manager=context.people["kwaliteit"])
    for title, unit_code, owner, days, status, kind in ACTIONS:
        if Action.objects.filter(title=title, owner=context.people[owner]).exists():
            continue
        action = Action(
            title=title,
            unit=context.units[unit_code],
            owner=context.people[owner],
            due_date=context.today + datetime.timedelta(days=days),
            status=status,
            kind=kind,
            created_by=context.people["kwaliteit" if unit_code.startswith("NHS") else "kwaliteit-b"],
            completed_at=timezone.now() if status == ActionStatus.DONE else None,
        )
        action.full_clean()
        action.save()
    return context


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, roles, what they see) for the README and ``make run``."""
    rows = []
    for username, _first, _last, roles, sees in PEOPLE:
        role_text = ", ".join(f"{Role(role).label} @ {code}" for role, code in roles) or "-"
        rows.append((username, role_text, sees))
    return rows
