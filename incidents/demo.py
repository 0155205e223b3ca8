"""Demo incidents, problems, changes, data breaches and escalation contacts (Noordhaven Software mostly,
a few in Noordhaven Diensten).

Runs after the core seed (``qms.demo``); idempotent: every record is found by its title (contacts by
unit, group and person or mailbox) before it is made. Everything goes through the services, so
priorities, due times in service hours, SLA outcomes, P1 announcements, breach records and proposed
problems are what they would be for real. Two things a service cannot back-date are set afterwards and
said so: the moments of the open P1's hourly updates, and the resolution times of past incidents are
given to the service (``resolved_at``), which accepts any moment after the report.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from incidents.choices import (
    AnalysisMethod,
    BreachRisk,
    ChangeKind,
    ContactGroup,
    Impact,
    ImpactRating,
    IncidentCategory,
    NcKind,
    NcSource,
    Severity,
    TestResult,
    Urgency,
    Verdict,
)
from incidents.models import (
    CauseCategory,
    Change,
    DataBreach,
    EscalationContact,
    Incident,
    IncidentUpdate,
    NonConformity,
    Problem,
    ProblemProposal,
)
from incidents.selectors.changes import MaintenanceWindow
from incidents.services import breaches as breach_services
from incidents.services import changes as change_services
from incidents.services import contacts as contact_services
from incidents.services import incidents as incident_services
from incidents.services import nonconformities as nc_services
from incidents.services import problems as problem_services
from kpis.choices import EscalationStatus
from kpis.models import FeedbackEscalation, Kpi
from kpis.services.feedback import feedback_escalation_decide
from qms.calendar import calendar_for
from qms.choices import ActionKind, ActionStatus, UnitKind
from qms.demo import DemoContext
from qms.models import Action, OrganisationUnit
from qms.services.actions import action_set_status

# title, unit code, impact, urgency, category, days ago reported, hours to restore (None: still open)
PAST_INCIDENTS = [
    ("Aanmeldformulier geeft foutmelding bij opslaan", "NHS-ONT-APP", Impact.UNIT, Urgency.STOPS, "application", 95, 3),
    (
        "Inloggen met tweestapsverificatie mislukt voor één gebruiker",
        "NHS-KS-SD",
        Impact.ONE_PERSON,
        Urgency.FALTERS,
        "access",
        88,
        20,
    ),
    (
        "Koppeling met het leerlingvolgsysteem haalt geen aanmeldingen op",
        "NHS-ONT-PLT",
        Impact.MULTIPLE_UNITS,
        Urgency.STOPS,
        "data_exchange",
        80,
        6,
    ),
    ("Rapportage toont verouderde cijfers", "NHS-BV", Impact.LIMITED_GROUP, Urgency.FALTERS, "application", 74, 12),
    ("Trage schermen in de middag", "NHS-ONT-PLT", Impact.LIMITED_GROUP, Urgency.FALTERS, "infrastructure", 66, 30),
    ("Wachtwoordherstel-mail komt niet aan", "NHS-KS-SD", Impact.LIMITED_GROUP, Urgency.STOPS, "access", 58, 9),
    ("Export naar Excel mist kolommen", "NHS-ONT-APP", Impact.ONE_PERSON, Urgency.CONTINUES, "application", 51, 38),
    ("Certificaat van de API verlopen", "NHS-ONT-PLT", Impact.MULTIPLE_UNITS, Urgency.STOPS, "infrastructure", 44, 2),
    ("Dubbele aanmeldingen in het overzicht", "NHS-ONT-APP", Impact.UNIT, Urgency.FALTERS, "data_exchange", 37, 7),
    ("Printer op de servicedesk weigert", "NHS-KS-SD", Impact.ONE_PERSON, Urgency.CONTINUES, "other", 30, 50),
    (
        "Salarisstrook toont verkeerde periode",
        "NHD-SAL-VER",
        Impact.LIMITED_GROUP,
        Urgency.FALTERS,
        "application",
        26,
        14,
    ),
    (
        "Zoekfunctie vindt geen recente dossiers",
        "NHS-ONT-APP",
        Impact.LIMITED_GROUP,
        Urgency.FALTERS,
        "application",
        19,
        18,
    ),
    ("Back-up van de nacht niet voltooid", "NHS-ONT-PLT", Impact.UNIT, Urgency.CONTINUES, "infrastructure", 12, 40),
    (
        "Formulier voor klachten laadt niet op mobiel",
        "NHS-KS-SD",
        Impact.LIMITED_GROUP,
        Urgency.STOPS,
        "application",
        6,
        None,
    ),
    ("Adviesrapport kan niet worden gedeeld", "NHD-ADV", Impact.ONE_PERSON, Urgency.FALTERS, "access", 3, None),
]
# Three incidents of one unit and category within 30 days: the system proposes a problem.
CLUSTER = [
    ("Synchronisatie met het roosterpakket valt uit", 14),
    ("Roosterwijzigingen komen niet door", 9),
    ("Roosterkoppeling geeft time-outs", 4),
]
P1_TITLE = "Aanmelden onmogelijk voor alle instellingen"
BREACH_TITLE = "Overzicht met studentgegevens naar verkeerde instelling gemaild"


def _reporter_for(context: DemoContext, unit_code: str):
    return context.people["kwaliteit-b"] if unit_code.startswith("NHD") else context.people["medewerker"]


def _incident(context: DemoContext, *, title, unit_code, impact, urgency, category, reported_at, breach=False):
    found = Incident.objects.filter(title=title).first()
    if found:
        return found, False
    unit = context.units[unit_code]
    actor = context.people["coordinator"] if unit_code.startswith("NHS") else context.people["kwaliteit-b"]
    incident = incident_services.incident_create(
        actor=actor,
        unit=unit,
        title=title,
        impact=impact,
        urgency=urgency,
        category=category,
        data_breach_suspected=breach,
        reporter_name="Servicedesk" if unit_code.startswith("NHS") else "",
        reported_at=reported_at,
        channel="mail",
        affected_units=[unit],
    )
    return incident, True


def _seed_contacts(context: DemoContext) -> None:
    actors = {"NHS": context.people["kwaliteit"], "NHD": context.people["kwaliteit-b"]}
    people = {
        "NHS": {
            ContactGroup.BOARD: "bestuur",
            ContactGroup.FORMAL: "kwaliteit",
            ContactGroup.DATA_PROTECTION: "privacy",
        },
        "NHD": {ContactGroup.BOARD: "bestuur-b", ContactGroup.FORMAL: "kwaliteit-b"},
    }
    for org_code, actor in actors.items():
        organisation = context.units[org_code]
        units = OrganisationUnit.objects.filter(path__startswith=organisation.path).exclude(kind=UnitKind.GROUP)
        for unit in units:
            for group, username in people[org_code].items():
                user = context.people[username]
                if not EscalationContact.objects.filter(unit=unit, group=group, user=user).exists():
                    contact_services.contact_add(actor=actor, unit=unit, group=group, user=user)
            mailbox = f"beheer-{unit.code.lower()}@example.org"
            if not EscalationContact.objects.filter(unit=unit, mailbox=mailbox).exists():
                contact_services.contact_add(
                    actor=actor,
                    unit=unit,
                    group=ContactGroup.FUNCTIONAL_ADMIN,
                    mailbox=mailbox,
                    name=f"Functioneel beheer {unit.name}",
                )


def _seed_incidents(context: DemoContext) -> None:
    now = timezone.now()
    coordinator = context.people["coordinator"]
    for title, unit_code, impact, urgency, category, days_ago, restore_hours in PAST_INCIDENTS:
        reported_at = (now - datetime.timedelta(days=days_ago)).replace(hour=9, minute=15, second=0, microsecond=0)
        incident, created = _incident(
            context,
            title=title,
            unit_code=unit_code,
            impact=impact,
            urgency=urgency,
            category=category,
            reported_at=reported_at,
        )
        if not created:
            continue
        actor = coordinator if unit_code.startswith("NHS") else context.people["kwaliteit-b"]
        incident_services.incident_start(actor=actor, incident=incident)
        if restore_hours is not None:
            # Restored after this many service hours: within the target or not, as it happened.
            resolved_at = calendar_for(incident.organisation_id).add(
                reported_at, datetime.timedelta(hours=restore_hours)
            )
            incident_services.incident_resolve(
                actor=actor, incident=incident, resolution="Oorzaak gevonden en verholpen.", resolved_at=resolved_at
            )
            incident_services.incident_close(actor=actor, incident=incident)
    for title, days_ago in CLUSTER:
        reported_at = (now - datetime.timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)
        _incident(
            context,
            title=title,
            unit_code="NHS-ONT-PLT",
            impact=Impact.LIMITED_GROUP,
            urgency=Urgency.FALTERS,
            category=IncidentCategory.DATA_EXCHANGE,
            reported_at=reported_at,
        )
    # The proposed problem of the cluster, accepted by the coordinator: a problem with three incidents.
    proposal = ProblemProposal.objects.filter(unit=context.units["NHS-ONT-PLT"], status="proposed").first()
    if proposal is not None:
        problem = problem_services.proposal_accept(
            actor=coordinator, proposal=proposal, title="Roosterkoppeling valt herhaaldelijk uit"
        )
        problem_services.problem_update(
            actor=coordinator,
            problem=problem,
            workaround="Roosterwijzigingen handmatig doorzetten tot de koppeling is hersteld.",
            reason="Tijdelijke oplossing vastgelegd",
        )
    # An open P1 with a few hourly updates.
    reported_at = now - datetime.timedelta(hours=3)
    p1, created = _incident(
        context,
        title=P1_TITLE,
        unit_code="NHS-ONT-PLT",
        impact=Impact.MULTIPLE_UNITS,
        urgency=Urgency.STOPS,
        category=IncidentCategory.APPLICATION,
        reported_at=reported_at,
    )
    if created:
        incident_services.incident_start(actor=coordinator, incident=p1)
        texts = [
            "Storing bevestigd: het aanmeldformulier geeft een time-out. Leverancier is gebeld.",
            "Oorzaak ligt bij de database van de leverancier; herstart wordt voorbereid.",
        ]
        for back, text in zip((2, 1), texts, strict=True):
            update = incident_services.incident_post_update(actor=coordinator, incident=p1, text=text)
            # The service stamps an update with the moment it is posted; the demo places the earlier
            # ones an hour apart, as they were posted during the disruption.
            IncidentUpdate.objects.filter(pk=update.pk).update(posted_at=now - datetime.timedelta(hours=back))
    # A suspected breach, reported yesterday: the breach record is under assessment, its clock running.
    _incident(
        context,
        title=BREACH_TITLE,
        unit_code="NHS-KS-SD",
        impact=Impact.LIMITED_GROUP,
        urgency=Urgency.CONTINUES,
        category=IncidentCategory.OTHER,
        reported_at=now - datetime.timedelta(hours=20),
        breach=True,
    )


def _next_window(organisation, *, weeks: int = 1) -> datetime.datetime:
    window = MaintenanceWindow.of(organisation)
    today = timezone.localdate()
    days = (window.weekday - today.weekday()) % 7 or 7
    return window.occurrence(today + datetime.timedelta(days=days + 7 * (weeks - 1)))[0]


def _change(context: DemoContext, *, title, unit_code, kind, description, privacy=ImpactRating.LOW):
    found = Change.objects.filter(title=title).first()
    if found:
        return found, False
    coordinator, board = context.people["coordinator"], context.people["bestuur"]
    change = change_services.change_create(
        actor=context.people["teamleider"],
        kind=kind,
        title=title,
        unit=context.units[unit_code],
        description=description,
        owner=coordinator,
    )
    change_services.change_assess(
        actor=coordinator,
        change=change,
        privacy_impact=privacy,
        security_impact=ImpactRating.LOW,
        governance_impact=ImpactRating.NONE,
        architecture_impact=ImpactRating.LOW,
        risk_likelihood=2,
        risk_impact=2,
        fits_requirements=True,
        privacy_note="Nieuwe gegevensvelden met persoonsgegevens." if privacy == ImpactRating.HIGH else "",
    )
    change_services.change_decide(actor=board, change=change, approved=True, reason="Past in de jaarplanning.")
    change_services.change_conclude(
        actor=coordinator, change=change, approved=True, reason="Goedgekeurd door het bestuur."
    )
    return change, True


def _seed_changes(context: DemoContext) -> None:
    coordinator = context.people["coordinator"]
    organisation = context.units["NHS"]
    change, created = _change(
        context,
        title="Nieuwe versie van het aanmeldformulier",
        unit_code="NHS-ONT-APP",
        kind=ChangeKind.CHANGE,
        description="Velden herschikt op verzoek van de instellingen.",
    )
    if created:
        start = _next_window(organisation)
        change_services.change_plan(
            actor=coordinator, change=change, planned_start=start, planned_end=start + datetime.timedelta(minutes=45)
        )
    change, created = _change(
        context,
        title="Spoedpatch voor de koppeling met het roosterpakket",
        unit_code="NHS-ONT-PLT",
        kind=ChangeKind.CHANGE,
        description="Herstelt de time-outs van de roosterkoppeling.",
    )
    if created:
        start = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(20, 0))
        )
        change_services.change_plan(
            actor=coordinator,
            change=change,
            planned_start=start,
            planned_end=start + datetime.timedelta(hours=1),
            outside_window_reason="Spoed: de koppeling valt dagelijks uit en kan niet tot donderdag wachten.",
        )
    change, created = _change(
        context,
        title="Nieuwe wens: ouderportaal met inzage in aanmeldingen",
        unit_code="NHS-ONT-APP",
        kind=ChangeKind.WISH,
        description="Ouders willen de status van een aanmelding zien.",
        privacy=ImpactRating.HIGH,
    )
    if created:
        start = _next_window(organisation, weeks=3)
        change_services.change_plan(
            actor=coordinator, change=change, planned_start=start, planned_end=start + datetime.timedelta(minutes=50)
        )
        change_services.change_record_test(
            actor=coordinator,
            change=change,
            tested_at=timezone.now() - datetime.timedelta(hours=2),
            result=TestResult.PASSED,
            notes="Acceptatietest geslaagd; de DPIA loopt nog.",
        )
    # A wish just submitted, for the roadmap's "unplanned" column.
    if not Change.objects.filter(title="Nieuwe wens: meertalige bevestigingsmail").exists():
        change_services.change_create(
            actor=context.people["medewerker"],
            kind=ChangeKind.WISH,
            title="Nieuwe wens: meertalige bevestigingsmail",
            unit=context.units["NHS-KS-SD"],
            description="De bevestiging ook in het Engels sturen.",
        )


def _seed_breaches(context: DemoContext) -> None:
    """Beside the breach under assessment (from the incident above): one assessed as a high risk with
    the authority notified and the people concerned still to be told, and one closed without risk."""
    dpo, organisation = context.people["privacy"], context.units["NHS"]
    now = timezone.now()
    title = "Laptop met salarisoverzicht gestolen uit auto"
    if not DataBreach.objects.filter(title=title).exists():
        breach = breach_services.breach_create(
            actor=dpo, organisation=organisation, title=title, discovered_at=now - datetime.timedelta(days=6)
        )
        breach_services.breach_assess(
            actor=dpo,
            breach=breach,
            personal_data=True,
            risk=BreachRisk.HIGH_RISK,
            data_categories="Namen, adressen, salarisgegevens",
            people_affected=140,
            assessment="Laptop was niet versleuteld; gegevens direct leesbaar.",
            containment="Account geblokkeerd, wachtwoorden gewijzigd, aangifte gedaan.",
        )
        breach_services.breach_notify_authority(
            actor=dpo, breach=breach, notified_at=now - datetime.timedelta(days=5), reference="AP-2026-0412"
        )
    title = "E-mail met één adres in cc in plaats van bcc"
    if not DataBreach.objects.filter(title=title).exists():
        breach = breach_services.breach_create(
            actor=dpo, organisation=organisation, title=title, discovered_at=now - datetime.timedelta(days=20)
        )
        breach_services.breach_assess(
            actor=dpo,
            breach=breach,
            personal_data=True,
            risk=BreachRisk.NONE,
            data_categories="E-mailadres",
            people_affected=1,
            assessment="Eén zakelijk adres zichtbaar voor een collega-instelling; geen risico.",
        )
        breach_services.breach_close(actor=dpo, breach=breach)


@transaction.atomic
def seed(context: DemoContext) -> None:
    _seed_contacts(context)
    _seed_incidents(context)
    _seed_changes(context)
    _seed_breaches(context)
    _seed_nonconformities(context)


# --- non-conformities and CAPA ---


def _nc(context, *, title, unit_code, owner, **fields):
    found = NonConformity.objects.filter(title=title).first()
    if found:
        return found, False
    return (
        nc_services.nc_create(
            actor=context.people["kwaliteit"],
            unit=context.units[unit_code],
            title=title,
            owner=context.people[owner],
            **fields,
        ),
        True,
    )


def _plan(context, nc, *, corrective, preventive, owner="teamleider", overdue=False):
    quality = context.people["kwaliteit"]
    nc_services.nc_step(actor=quality, nc=nc, step="analyse")
    nc_services.nc_step(
        actor=quality,
        nc=nc,
        step="record-analysis",
        root_cause="Geen vaste controle op de stap; het hing af van wie dienst had.",
        analysis_method=AnalysisMethod.FIVE_WHYS,
        cause_category=CauseCategory.objects.get(organisation=nc.organisation, code="process"),
    )
    nc_services.nc_step(actor=quality, nc=nc, step="plan")
    today = timezone.localdate()
    actions = [
        nc_services.nc_add_action(
            actor=quality,
            nc=nc,
            kind=ActionKind.CORRECTIVE,
            title=corrective,
            owner=context.people[owner],
            due_date=today + datetime.timedelta(days=14),
        ),
        nc_services.nc_add_action(
            actor=quality,
            nc=nc,
            kind=ActionKind.PREVENTIVE,
            title=preventive,
            owner=context.people[owner],
            due_date=today + datetime.timedelta(days=30),
        ),
    ]
    if overdue:
        # A new action cannot be due in the past; the demo shows one that became overdue since.
        Action.objects.filter(pk=actions[0].pk).update(due_date=today - datetime.timedelta(days=3))
    return actions


def _finish(context, actions, owner="teamleider"):
    for action in actions:
        action_set_status(actor=context.people[owner], action=action, status=ActionStatus.DONE, note="Uitgevoerd.")


def _seed_nonconformities(context: DemoContext) -> None:
    quality, today = context.people["kwaliteit"], timezone.localdate()
    # From a feedback escalation (the KPIs' recurring-feedback proposal), linked both ways.
    for escalation in FeedbackEscalation.objects.filter(status=EscalationStatus.PROPOSED, unit__code__startswith="NHS"):
        feedback_escalation_decide(
            actor=quality,
            escalation=escalation,
            status=EscalationStatus.ESCALATED,
            note="Terugkerende klachten: vastleggen als afwijking.",
        )
    # From an incident: a minor error, corrected and closed.
    incident = Incident.objects.filter(title="Certificaat van de API verlopen").first()
    nc, created = _nc(
        context,
        title="Verlopen certificaat niet op tijd vernieuwd",
        unit_code="NHS-ONT-PLT",
        owner="teamleider",
        kind=NcKind.ERROR,
        severity=Severity.MINOR,
        source=NcSource.INCIDENT,
        source_record=incident,
    )
    if created:
        nc_services.nc_step(
            actor=quality, nc=nc, step="correct", correction="Certificaat vernieuwd en bewaking ingesteld."
        )
        nc_services.nc_step(actor=quality, nc=nc, step="close", reason="Correctie volstaat.")
    # From a problem: a major one, a formal CAPA in analysis.
    problem = Problem.objects.filter(title="Roosterkoppeling valt herhaaldelijk uit").first()
    nc, created = _nc(
        context,
        title="Koppeling met het roosterpakket zonder foutafhandeling gebouwd",
        unit_code="NHS-ONT-PLT",
        owner="teamleider",
        kind=NcKind.DEVIATION,
        severity=Severity.MAJOR,
        source=NcSource.PROBLEM,
        source_record=problem,
        correction="Handmatige synchronisatie ingericht.",
    )
    if created:
        nc_services.nc_step(actor=quality, nc=nc, step="analyse")
    # An observation from an internal report, just registered.
    _nc(
        context,
        title="Checklist voor nieuwe medewerkers is verouderd",
        unit_code="NHS-KS-SD",
        owner="medewerker",
        kind=NcKind.SUGGESTION,
        severity=Severity.OBSERVATION,
        source=NcSource.INTERNAL,
    )
    # From the management review: an observation; from an audit finding: minor, corrected.
    _nc(
        context,
        title="Resultaten van klanttevredenheid niet besproken in het teamoverleg",
        unit_code="NHS-KS",
        owner="kwaliteit",
        kind=NcKind.DEVIATION,
        severity=Severity.OBSERVATION,
        source=NcSource.MANAGEMENT_REVIEW,
    )
    _nc(
        context,
        title="Toegangsrechten van vertrokken medewerkers niet ingetrokken",
        unit_code="NHS-BV",
        owner="kwaliteit",
        kind=NcKind.ERROR,
        severity=Severity.MINOR,
        source=NcSource.AUDIT,
        correction="Rechten ingetrokken.",
    )
    # A complaint: a CAPA with its action plan (the corrective action overdue).
    nc, created = _nc(
        context,
        title="Klant kreeg drie keer een verkeerde factuur",
        unit_code="NHS-ONT-APP",
        owner="teamleider",
        kind=NcKind.ERROR,
        severity=Severity.MAJOR,
        source=NcSource.COMPLAINT,
        correction="Facturen gecrediteerd en opnieuw verstuurd.",
    )
    if created:
        _plan(
            context,
            nc,
            corrective="Factuurregels controleren op dubbele posten",
            preventive="Vier-ogencontrole op handmatige facturen invoeren",
            overdue=True,
        )
    # In implementation.
    nc, created = _nc(
        context,
        title="Back-ups niet getest bij terugzetten",
        unit_code="NHS-ONT-PLT",
        owner="teamleider",
        kind=NcKind.DEVIATION,
        severity=Severity.MAJOR,
        source=NcSource.INTERNAL,
        correction="Eenmalige hersteltest gedaan.",
    )
    if created:
        _plan(context, nc, corrective="Hersteltest van alle databases", preventive="Kwartaalhersteltest inplannen")
        nc_services.nc_step(actor=quality, nc=nc, step="implement")
    # At its effectiveness check.
    nc, created = _nc(
        context,
        title="Wijzigingen zonder test in productie gezet",
        unit_code="NHS-ONT-APP",
        owner="teamleider",
        kind=NcKind.DEVIATION,
        severity=Severity.MAJOR,
        source=NcSource.INTERNAL,
        correction="Laatste release teruggedraaid.",
    )
    if created:
        actions = _plan(
            context, nc, corrective="Testverslag verplicht voor release", preventive="Release-checklist in de pijplijn"
        )
        nc_services.nc_step(actor=quality, nc=nc, step="implement")
        _finish(context, actions)
        nc_services.nc_step(
            actor=quality, nc=nc, step="verify", due_date=today + datetime.timedelta(days=21), verifier=quality
        )
    # Closed as effective, measured on the organisation's CSAT.
    csat = Kpi.objects.filter(organisation=context.units["NHS"], code="CSAT").first()
    nc, created = _nc(
        context,
        title="Wachttijd servicedesk structureel te lang",
        unit_code="NHS-KS-SD",
        owner="medewerker",
        kind=NcKind.DEVIATION,
        severity=Severity.MAJOR,
        source=NcSource.FEEDBACK,
        correction="Extra bezetting in de ochtend.",
    )
    if created:
        actions = _plan(
            context,
            nc,
            corrective="Kennisbank voor veelgestelde vragen",
            preventive="Bezetting plannen op het belpatroon",
            owner="medewerker",
        )
        nc_services.nc_step(actor=quality, nc=nc, step="implement")
        _finish(context, actions, owner="medewerker")
        nc_services.nc_step(actor=quality, nc=nc, step="verify", due_date=today, verifier=quality, kpi=csat)
        nc_services.check_record(
            actor=quality,
            check=nc.checks.get(),
            verdict=Verdict.EFFECTIVE,
            evidence="CSAT steeg van 3,95 naar 4,25 en blijft daar.",
        )
        nc_services.nc_step(actor=quality, nc=nc, step="close", reason="Effect aangetoond.")
    # Back in the action plan after a check that found the actions not effective (round 2).
    nc, created = _nc(
        context,
        title="Opzeggers worden niet teruggebeld",
        unit_code="NHS-KS-SD",
        owner="medewerker",
        kind=NcKind.DEVIATION,
        severity=Severity.MAJOR,
        source=NcSource.COMPLAINT,
        correction="Lijst van opzeggers van deze maand nagebeld.",
    )
    if created:
        actions = _plan(
            context,
            nc,
            corrective="Belscript voor opzeggers",
            preventive="Wekelijkse lijst van opzeggers naar de teamleider",
            owner="medewerker",
        )
        nc_services.nc_step(actor=quality, nc=nc, step="implement")
        _finish(context, actions, owner="medewerker")
        nc_services.nc_step(actor=quality, nc=nc, step="verify", due_date=today, verifier=quality)
        nc_services.check_record(
            actor=quality,
            check=nc.checks.get(),
            verdict=Verdict.NOT_EFFECTIVE,
            evidence="Het verloop steeg verder; het belscript wordt niet gebruikt.",
        )
    # Cancelled: registered twice.
    nc, created = _nc(
        context,
        title="Dubbel geregistreerd: wachttijd servicedesk",
        unit_code="NHS-KS-SD",
        owner="medewerker",
        kind=NcKind.DEVIATION,
        severity=Severity.MINOR,
        source=NcSource.INTERNAL,
    )
    if created:
        nc_services.nc_step(actor=quality, nc=nc, step="cancel", reason="Dubbel geregistreerd.")
