"""Demo risks: about forty across both organisations, in every state of the workflow.

Runs after the core seed (``qms.demo``); idempotent: a risk is found by its title and organisation
before it is made. Everything goes through the services, so levels, approvals, notifications and
history are what they would be for real.
"""

import datetime

from django.db import transaction
from django.utils import translation

from qms.demo import DemoContext
from qms.models import Course, TrainingAssignment
from qms.periods import month_shift, months_between, previous_month
from risks.choices import RiskStatus
from risks.models import Investigation, Risk, RiskCategory
from risks.services import register as services
from risks.services import scoring

# state: draft (no plan) | plan (draft with plan) | board (awaiting the board) | group (very high,
# awaiting group management) | approved | accepted (low) | late_measure | late_review | changes | rejected
# title, category, unit, owner, likelihood, impact, residual (l, i) or None, state, measure
RISKS = {
    "NHS": [
        (
            "Uitval van het hoofddatacenter",
            "security",
            "NHS-ONT-PLT",
            "teamleider",
            2,
            5,
            (1, 4),
            "approved",
            "Tweede datacenter inrichten",
        ),
        (
            "Ransomware-aanval op de werkplekken",
            "security",
            "NHS-ONT",
            "risico",
            4,
            5,
            (2, 4),
            "group",
            "EDR uitrollen op alle werkplekken",
        ),
        (
            "Datalek door verkeerd geadresseerde e-mail",
            "privacy",
            "NHS-KS-SD",
            "medewerker",
            4,
            3,
            (2, 3),
            "board",
            "DLP-regels in de mailomgeving",
        ),
        (
            "Verouderde encryptie in de klantapp",
            "security",
            "NHS-ONT-APP",
            "teamleider",
            3,
            4,
            (1, 4),
            "board",
            "TLS-configuratie vernieuwen",
        ),
        (
            "Afhankelijkheid van één cloudleverancier",
            "supplier",
            "NHS-ONT-PLT",
            "teamleider",
            2,
            4,
            (2, 3),
            "approved",
            "Exitstrategie opstellen",
        ),
        (
            "Onvoldoende back-uptests",
            "operational",
            "NHS-ONT-PLT",
            "teamleider",
            3,
            4,
            (1, 3),
            "late_measure",
            "Maandelijkse hersteltest plannen",
        ),
        (
            "Sleutelpersoon ontwikkeling valt weg",
            "operational",
            "NHS-ONT",
            "risico",
            3,
            3,
            (2, 2),
            "approved",
            "Kennisdeling en documentatie",
        ),
        (
            "Niet tijdig voldoen aan NIS2",
            "legal",
            "NHS",
            "kwaliteit",
            3,
            4,
            (2, 3),
            "board",
            "NIS2-gapanalyse uitvoeren",
        ),
        (
            "Onjuiste facturatie aan klanten",
            "financial",
            "NHS-BV",
            "kwaliteit",
            3,
            3,
            (2, 2),
            "late_review",
            "Vier-ogencontrole op facturen",
        ),
        (
            "Omkoping bij aanbestedingen",
            "corruption",
            "NHS-BV",
            "kwaliteit",
            1,
            5,
            (1, 4),
            "approved",
            "Integriteitsbeleid en meldpunt",
        ),
        (
            "CO2-uitstoot datacenters boven norm",
            "sustainability",
            "NHS-ONT-PLT",
            "teamleider",
            2,
            2,
            None,
            "accepted",
            "Energierapportage per kwartaal",
        ),
        (
            "Phishing gericht op de servicedesk",
            "security",
            "NHS-KS-SD",
            "medewerker",
            4,
            4,
            (2, 3),
            "changes",
            "Phishingsimulatie en training",
        ),
        (
            "Ongeautoriseerde toegang tot productie",
            "security",
            "NHS-ONT",
            "risico",
            3,
            4,
            (1, 3),
            "late_measure",
            "Just-in-time toegang invoeren",
        ),
        (
            "Leverancier levert te laat",
            "supplier",
            "NHS-BV",
            "kwaliteit",
            3,
            2,
            None,
            "accepted",
            "Leveranciersbeoordeling per jaar",
        ),
        (
            "Klachten niet binnen termijn afgehandeld",
            "operational",
            "NHS-KS",
            "medewerker",
            3,
            3,
            (2, 2),
            "rejected",
            "Klachtenproces herzien",
        ),
        (
            "Licenties niet op orde",
            "legal",
            "NHS-ONT-APP",
            "teamleider",
            2,
            3,
            None,
            "plan",
            "Licentiescan in de pipeline",
        ),
        (
            "Onvoldoende logging voor forensisch onderzoek",
            "security",
            "NHS-ONT-PLT",
            "teamleider",
            3,
            3,
            None,
            "draft",
            None,
        ),
        (
            "Verlies van een laptop met klantgegevens",
            "privacy",
            "NHS-KS",
            "medewerker",
            3,
            4,
            (3, 1),
            "late_review",
            "Volledige schijfversleuteling",
        ),
        (
            "Koersrisico op USD-contracten",
            "financial",
            "NHS-BV",
            "kwaliteit",
            2,
            2,
            None,
            "accepted",
            "Valutacontracten in euro",
        ),
        ("Afwijken van het ISMS-beleid", "legal", "NHS", "kwaliteit", 2, 3, None, "draft", None),
    ],
    "NHD": [
        (
            "Fout in de salarisverwerking",
            "operational",
            "NHD-SAL-VER",
            "risico-b",
            3,
            4,
            (1, 4),
            "board",
            "Controle op mutaties vóór verwerking",
        ),
        (
            "Datalek van loongegevens",
            "privacy",
            "NHD-SAL",
            "risico-b",
            3,
            5,
            (2, 4),
            "approved",
            "Toegang tot loondata beperken",
        ),
        (
            "Wijziging in de loonheffingsregels gemist",
            "legal",
            "NHD-SAL",
            "risico-b",
            3,
            3,
            (1, 3),
            "approved",
            "Abonnement op wetswijzigingen",
        ),
        (
            "Uitval van het salarispakket",
            "supplier",
            "NHD-SAL-VER",
            "risico-b",
            2,
            4,
            (2, 2),
            "late_measure",
            "SLA met de leverancier herzien",
        ),
        (
            "Fraude met betaalbestanden",
            "corruption",
            "NHD-SAL-VER",
            "risico-b",
            2,
            5,
            (1, 5),
            "board",
            "Betaalbestanden digitaal ondertekenen",
        ),
        (
            "Advies gebaseerd op verouderde wetgeving",
            "legal",
            "NHD-ADV",
            "kwaliteit-b",
            3,
            3,
            None,
            "accepted",
            "Kennissessie per kwartaal",
        ),
        (
            "Onvoldoende bezetting in piekperiode",
            "operational",
            "NHD-SAL",
            "risico-b",
            4,
            3,
            (2, 3),
            "approved",
            "Flexibele schil contracteren",
        ),
        (
            "Phishing op de financiële administratie",
            "security",
            "NHD",
            "kwaliteit-b",
            4,
            4,
            (2, 3),
            "approved",
            "Tweestapsverificatie afdwingen",
        ),
        (
            "Betaling aan verkeerde rekening",
            "financial",
            "NHD-SAL-VER",
            "risico-b",
            2,
            3,
            None,
            "late_review",
            "Controle op rekeningwijzigingen",
        ),
        (
            "Papieren dossiers niet veilig opgeslagen",
            "privacy",
            "NHD-ADV",
            "kwaliteit-b",
            2,
            3,
            None,
            "plan",
            "Dossiers digitaliseren",
        ),
        (
            "Energieverbruik kantoor",
            "sustainability",
            "NHD",
            "kwaliteit-b",
            1,
            2,
            None,
            "accepted",
            "Slimme meters plaatsen",
        ),
        ("Klant ontevreden over adviestraject", "operational", "NHD-ADV", "kwaliteit-b", 3, 2, None, "draft", None),
        (
            "Back-up van het salarispakket niet getest",
            "security",
            "NHD-SAL",
            "risico-b",
            3,
            4,
            (1, 4),
            "changes",
            "Hersteltest met de leverancier",
        ),
        (
            "Onderaannemer zonder verwerkersovereenkomst",
            "supplier",
            "NHD-ADV",
            "kwaliteit-b",
            3,
            3,
            (1, 3),
            "late_measure",
            "Verwerkersovereenkomsten afsluiten",
        ),
        (
            "Onjuiste aangifte loonheffing",
            "financial",
            "NHD-SAL",
            "risico-b",
            2,
            4,
            (1, 4),
            "approved",
            "Reconciliatie per maand",
        ),
        (
            "Belangenverstrengeling bij adviseurs",
            "corruption",
            "NHD-ADV",
            "kwaliteit-b",
            1,
            4,
            None,
            "accepted",
            "Jaarlijkse belangenverklaring",
        ),
        (
            "Toegang oud-medewerkers niet ingetrokken",
            "security",
            "NHD",
            "kwaliteit-b",
            3,
            4,
            (1, 3),
            "rejected",
            "Uitdienstproces koppelen aan IAM",
        ),
        ("Papierverbruik", "sustainability", "NHD-ADV", "kwaliteit-b", 2, 1, None, "accepted", "Digitaal ondertekenen"),
        (
            "Uitval internetverbinding kantoor",
            "operational",
            "NHD",
            "kwaliteit-b",
            2,
            3,
            None,
            "plan",
            "Tweede verbinding via 4G",
        ),
        ("Onvolledige dossiervorming advies", "legal", "NHD-ADV", "kwaliteit-b", 3, 2, None, "draft", None),
    ],
}

DECIDERS = {"NHS": ("bestuur", "kwaliteit"), "NHD": ("bestuur-b", "kwaliteit-b")}


@transaction.atomic
def seed(context: DemoContext) -> None:
    _seed_register(context)
    _seed_scores(context)


def _seed_register(context: DemoContext) -> None:
    people, units, today = context.people, context.units, context.today
    for org_code, rows in RISKS.items():
        board, quality = (people[name] for name in DECIDERS[org_code])
        for title, category, unit, owner, likelihood, impact, residual, state, measure in rows:
            if Risk.objects.filter(title=title, organisation=units[org_code]).exists():
                continue
            risk = services.risk_create(
                actor=quality,
                unit=units[unit],
                owner=people[owner],
                title=title,
                category=RiskCategory.objects.get_or_create(organisation=None, code=category)[0],
                likelihood=likelihood,
                impact=impact,
                residual_likelihood=residual[0] if residual else None,
                residual_impact=residual[1] if residual else None,
                cause="",
                consequence="",
            )
            _advance(risk, state, measure, board=board, quality=quality, group=people["groep"], today=today)


def _advance(risk, state, measure, *, board, quality, group, today):
    if measure:
        action = services.measure_create(
            actor=quality, risk=risk, title=measure, owner=risk.owner, due_date=today + datetime.timedelta(days=45)
        )
    if state in ("draft", "plan"):
        return
    risk = services.risk_submit(actor=quality, risk=risk)
    if state in ("changes", "rejected"):
        decision = "changes_requested" if state == "changes" else "rejected"
        services.approval_decide(
            actor=board, risk=risk, body="board", decision=decision, reason="Het plan is nog niet concreet genoeg."
        )
    elif state != "board" and risk.status == RiskStatus.AWAITING_APPROVAL:
        services.approval_decide(actor=board, risk=risk, body="board", decision="approved")
        if state != "group" and "group" in risk.required_approvals:
            services.approval_decide(actor=group, risk=risk, body="group", decision="approved")
    if state == "late_measure":
        # Saved one by one (not a bulk update), so the history shows the change like any other.
        action.due_date = today - datetime.timedelta(days=10)
        action.save()
    if state == "late_review":
        risk.refresh_from_db()
        risk.next_review = today - datetime.timedelta(days=20)
        risk.save()


# --- the monthly risk score: 24 months for both organisations ---

# Area owners per organisation (area code -> username).
AREA_OWNERS = {
    "NHS": {
        "legal": "kwaliteit",
        "security": "teamleider",
        "sustainability": "kwaliteit",
        "supplier": "kwaliteit",
        "financial": "kwaliteit",
        "training": "kwaliteit",
    },
    "NHD": {
        "legal": "kwaliteit-b",
        "security": "risico-b",
        "sustainability": "kwaliteit-b",
        "supplier": "kwaliteit-b",
        "financial": "risico-b",
        "training": "kwaliteit-b",
    },
}
# Where a score drops: (organisation, area, months before the last closed month, points lost).
DROPS = [
    ("NHS", "security", 6, 9),
    ("NHS", "legal", 2, 6),
    ("NHS", "financial", 0, 4),
    ("NHD", "supplier", 3, 12),
    ("NHD", "security", 1, 7),
]
LEVELS = {"NHS": ("gold", "platinum"), "NHD": ("silver", "gold")}


def _score(org_code, area, months_back):
    """A steady improvement, with the drops above (which then recover over a few months)."""
    base = {"legal": 84, "security": 80, "sustainability": 70, "supplier": 76, "financial": 86}[area]
    value = base + (23 - months_back) * 0.4 + (3 if org_code == "NHS" else 0)
    for drop_org, drop_area, at, points in DROPS:
        if (drop_org, drop_area) == (org_code, area) and at >= months_back > at - 3:
            value -= points * (months_back - at + 3) / 3
    return min(100, round(value, 1))


def _seed_scores(context: DemoContext) -> None:
    people, units = context.people, context.units
    last = previous_month(context.today)
    months = [month_shift(last, -back) for back in range(23, -1, -1)]
    for org_code, owners in AREA_OWNERS.items():
        organisation = units[org_code]
        # The organisation has its default areas since it was created (unit_create); the demo names owners.
        for area in organisation.score_areas.filter(owner__isnull=True):
            area.owner = people[owners[area.code]]
            area.save()
        course, _ = Course.objects.get_or_create(organisation=organisation, title="Informatiebeveiliging en privacy")
        staff = [
            person
            for name, person in people.items()
            if name.endswith("-b") == (org_code == "NHD") and name not in ("beheerder", "groep", "buitenstaander")
        ]
        for year in {month.year for month in months} | {context.today.year}:
            for index, person in enumerate(staff):
                done = datetime.date(year, 2 + index % 4, 15) if index % 5 != 4 else None
                if done and done > context.today:
                    done = None
                TrainingAssignment.objects.get_or_create(
                    course=course, user=person, year=year, defaults={"completed_on": done}
                )
    for month in months:
        back = months_between(month, last)
        for org_code in AREA_OWNERS:
            organisation = units[org_code]
            if organisation.monthly_scores.filter(month=month).exists():
                continue
            vasp, visp = LEVELS[org_code]
            scoring.scores_enter(
                actor=people[DECIDERS[org_code][1]],
                organisation=organisation,
                month=month,
                scores={
                    area: _score(org_code, area, back)
                    for area in ("legal", "security", "sustainability", "supplier", "financial")
                },
                vasp_level=vasp if back < 12 else "silver",
                visp_level=visp if back < 12 else "gold",
            )
        scoring.monthly_run(month=month)
    _advance_investigations(context)


def _advance_investigations(context: DemoContext) -> None:
    """Investigations in every state: one closed with its cause, one with a plan, one overdue."""
    investigations = list(Investigation.objects.filter(status="open").order_by("month", "id").select_related("owner"))
    if len(investigations) < 3 or Investigation.objects.filter(status="closed").exists():
        return
    oldest, planned, late = investigations[0], investigations[1], investigations[2]
    # Stored text, read by people of a Dutch organisation: the area's Dutch name whatever language the
    # seed runs in.
    with translation.override("nl"):
        area_names = {item.pk: str(item.area.display_name).lower() for item in (oldest, planned)}
    for investigation in (oldest, planned):
        scoring.investigation_add_step(
            actor=investigation.owner,
            investigation=investigation,
            title=f"Oorzaak van de daling van {area_names[investigation.pk]} wegnemen",
            owner=investigation.owner,
            due_date=context.today + datetime.timedelta(days=21),
        )
    scoring.investigation_close(
        actor=oldest.owner, investigation=oldest, cause="Achterstand in patches na een migratie; weggewerkt."
    )
    # Saved one by one, so the history shows it like any change.
    late.due_date = context.today - datetime.timedelta(days=3)
    late.save()
