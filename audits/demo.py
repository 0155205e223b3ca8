"""Demo maturity audits (SPEC 6): a three-year cycle per organisation that started last year, last
year's audits of the business units of both organisations run through the whole flow, and this year's
audits under way (one planned, one in fieldwork, one in scoring).

Last year's audits have two or three assessors from other units each, every score with its rationale,
a calibration in which some scores were set away from the assessors' median (with the reason), findings,
recommendations and good examples whose themes recur across units (the maturity report's common threads:
"Effectmeting", "Samenwerking in de keten", "KPI-set"), the management's response, the auditees' marks
and follow-up actions (one done, one open); one finding started a non-conformity.

Runs after the core seed (``qms.demo``); idempotent: an audit is found by its unit and year before it is
made, and each audit is made in one transaction, so a run either adds it whole or not at all.
Everything goes through the services, so the rules (independence, blind scoring, the reason for a
calibrated score off the median, who may respond) hold in the demo as in real use. The services stamp
the steps with the moment they are taken, so last year's audits carry today's timestamps; their
planned dates and fieldwork dates lie in last year.
"""

import datetime
import io
import itertools
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from audits.choices import AuditStatus, FieldworkKind, FindingKind, Recognition
from audits.models import Audit, Principle
from audits.services import audits as audit_services
from audits.services import findings as finding_services
from audits.services import model as model_services
from qms.choices import ActionStatus
from qms.demo import DemoContext
from qms.services.actions import action_set_status

# The organisations' quality officers plan the audits and the cycle; their board members respond.
QUALITY_OFFICER = {"NHS": "kwaliteit", "NHD": "kwaliteit-b"}
BOARD = {"NHS": "bestuur", "NHD": "bestuur-b"}

# The assessors' rationales per principle and score (rationale, design, existence, operation): what the
# source's assessors wrote about units at that level.
RATIONALES = {
    "customer_focus": {
        2: (
            "Klantgerichtheid staat in het beleid, maar klantverwachtingen worden niet vooraf of op een vaste "
            "manier opgehaald; metingen zijn er, normen niet.",
            "Klantgerichtheid is in het jaarplan opgenomen.",
            "Tevredenheid wordt gemeten, maar niet in alle teams op dezelfde manier.",
            "Uitkomsten van metingen leiden niet aantoonbaar tot verbeteringen.",
        ),
        3: (
            "Klanttevredenheid en klachten worden periodiek gemeten en besproken; de opvolging is vastgelegd, "
            "alleen het effect van verbeteringen op de klantbeleving wordt niet gemeten.",
            "Er is een meetplan voor klantbeleving met een vaste frequentie.",
            "De metingen worden elk kwartaal uitgevoerd en in het teamoverleg besproken.",
            "Verbeteracties worden gevolgd tot ze zijn uitgevoerd, niet tot hun effect.",
        ),
        4: (
            "Klantverwachtingen worden vooraf opgehaald en de kwaliteitsinstrumenten zijn daarop gericht; het "
            "effect van verbeteringen op de klantbeleving wordt gemeten.",
            "Klantverwachtingen zijn per klantgroep vastgelegd met normen.",
            "Directe feedback na een klantcontact is overal in gebruik.",
            "Effectmetingen tonen aan dat doorgevoerde verbeteringen de klantbeleving verhogen.",
        ),
    },
    "steering_accountability": {
        2: (
            "Er is een jaarplan, maar de doelstellingen zijn niet SMART en niet vertaald naar teamplannen; "
            "rapportages volgen acties, niet hun effect.",
            "Het jaarplan noemt doelen zonder meetbare norm.",
            "Er zijn maandrapportages, niet op alle niveaus.",
            "Bijsturing bij afwijkingen is niet aantoonbaar.",
        ),
        3: (
            "Sturing en verantwoording zijn op alle niveaus periodiek vastgelegd in maandrapportages met een "
            "KPI-set die aansluit op de doelstellingen; effectmetingen ontbreken nog.",
            "Jaarplan, kwaliteitsplan en afdelingsplannen hangen samen.",
            "Verantwoordingsgesprekken tussen directie en managers vinden maandelijks plaats.",
            "Er wordt bijgestuurd op de KPI's, maar het effect van de bijsturing wordt niet vastgesteld.",
        ),
        4: (
            "Doelstellingen zijn SMART tot op teamniveau, de KPI-set bevat productie- én kwaliteitsdoelen en "
            "het effect van bijsturing wordt gemeten en besproken.",
            "Teamplannen met SMART-doelstellingen en een eigenaar per doel.",
            "Uniforme rapportages op alle niveaus, met een analysekalender.",
            "Effectmetingen worden gebruikt om de PDCA rond te maken.",
        ),
    },
    "operational_quality": {
        2: (
            "Er is in opzet een proces om de operationele kwaliteit te toetsen, maar het is slechts op een "
            "klein deel van de processen ingericht en zonder vaste periodiciteit.",
            "Een meetplan voor de operationele kwaliteit is in voorbereiding.",
            "Er worden incidenteel dossiers nagekeken.",
            "De uitkomsten bereiken het management niet.",
        ),
        3: (
            "De juistheid, tijdigheid en volledigheid van de kernprocessen worden structureel gemeten en "
            "besproken; normen voor wanneer het goed genoeg is ontbreken deels.",
            "Meting van de operationele kwaliteit op de kernprocessen.",
            "Maandelijkse steekproef met terugkoppeling aan de teams.",
            "Aanbevelingen leiden tot acties; het effect ervan wordt niet vastgesteld.",
        ),
        4: (
            "De meting van de operationele kwaliteit richt zich op de risicovolle processen, met normen, en "
            "het instrument zelf wordt jaarlijks geëvalueerd.",
            "Normen per proces voor juistheid, tijdigheid en volledigheid.",
            "Metingen op alle kernprocessen, met rapportage per team en afdeling.",
            "Het meetinstrument is na evaluatie aangescherpt.",
        ),
    },
    "leadership": {
        2: (
            "De strategie is bekend, maar de vertaling naar teamdoelen gebeurt top-down en niet overal.",
            "Een strategiedocument met jaardoelen.",
            "Niet alle teams kennen de doelen van het onderdeel.",
            "Risico's worden besproken, maar niet periodiek gerapporteerd.",
        ),
        3: (
            "De strategie is vertaald in jaar- en teamplannen en risico's worden periodiek gerapporteerd.",
            "Jaarplan en risicoregister met eigenaren.",
            "Kwartaalrapportage over de risico's en maatregelen.",
            "Het management spreekt aan op resultaten, nog niet op gedrag.",
        ),
    },
    "craftsmanship": {
        3: (
            "Werkinstructies zijn actueel en er is een opleidingsplan; peer-review vindt plaats, maar de "
            "uitkomsten worden niet geaggregeerd.",
            "Competentieprofielen en een opleidingsplan.",
            "Peer-review van dossiers elke maand.",
            "Het effect van peer-review op de kwaliteit is niet aangetoond.",
        ),
        4: (
            "Competenties worden per rol vastgesteld en onderhouden; peer-review levert inzicht op teamniveau "
            "dat aantoonbaar tot betere kwaliteit leidt.",
            "Rolprofielen met vereiste certificeringen.",
            "Registratie van trainingen en hercertificeringen is compleet.",
            "Uitkomsten van peer-review worden per team geanalyseerd en opgevolgd.",
        ),
    },
    "process_approach": {
        2: (
            "Er is een overzicht van de kernprocessen, maar niet elk proces heeft een eigenaar en "
            "procesbeschrijvingen zijn deels verouderd.",
            "Procesoverzicht zonder eigenaren.",
            "Procesbeschrijvingen worden niet na incidenten bijgewerkt.",
            "De overdracht aan de volgende schakel wordt niet gecontroleerd.",
        ),
    },
}


GENERIC_RATIONALE = (
    "Beoordeeld op basis van de documentstudie en de gesprekken; zie de bevindingen.",
    "De opzet is in de documentatie aangetroffen.",
    "De toepassing is in de gesprekken bevestigd.",
    "De werking is deels aangetoond.",
)


def _rationale(code: str, score: int) -> dict:
    by_score = RATIONALES.get(code) or {score: GENERIC_RATIONALE}
    rationale, design, existence, operation = (
        by_score.get(score) or by_score[min(by_score, key=lambda s: abs(s - score))]
    )
    return {"rationale": rationale, "design_note": design, "existence_note": existence, "operation_note": operation}


# Last year's audits. scores: principle -> one score per assessor (in the order of ``assessors``, the
# first is the lead); calibration: principle -> (score, reason) where the team set it away from the
# median (the others are set at the median, rounded). findings: (kind, principle, theme, title, text).
# fieldwork: (kind, day of the fieldwork, subject, interviewee's name, notes). follow_ups: (title, owner,
# days from today, done).
LAST_YEAR = [
    {
        "unit": "NHS-ONT",
        "assessors": ["toetser", "toetser-ks"],
        "status": AuditStatus.FOLLOW_UP,
        "scope": "Team Platform en Team Apps: sprintplanning, releaseproces en de afhandeling van meldingen.",
        "scores": {
            "customer_focus": [3, 3],
            "steering_accountability": [3, 2],
            "operational_quality": [3, 4],
        },
        "calibration": {
            "steering_accountability": (
                2,
                "De KPI-set sluit niet aan op de doelen van het jaarplan; het team houdt het op Initieel.",
            ),
            "operational_quality": (
                3,
                "De releasekwaliteit wordt gemeten, maar zonder normen: Reproduceren, nog geen Sturen.",
            ),
        },
        "fieldwork": [
            (FieldworkKind.DOCUMENT, 0, "Jaarplan en kwaliteitsplan Ontwikkeling", "", ""),
            (FieldworkKind.DOCUMENT, 1, "Maandrapportages en KPI-dashboard", "", ""),
            (
                FieldworkKind.INTERVIEW,
                7,
                "Gesprek met de productowner van Team Platform",
                "Productowner Team Platform",
                "Trots op de demo-sessies met klanten; zou graag beter meten wat verbeteringen opleveren.",
            ),
        ],
        "findings": [
            (
                FindingKind.FINDING,
                "steering_accountability",
                "Effectmeting",
                "Effect van verbeteracties wordt niet gemeten",
                "Acties uit de retrospectives worden gevolgd tot ze zijn uitgevoerd; of ze het beoogde effect "
                "hadden, wordt niet vastgesteld.",
            ),
            (
                FindingKind.RECOMMENDATION,
                "steering_accountability",
                "KPI-set",
                "KPI-set laten aansluiten op de doelen van het jaarplan",
                "Vertaal de doelen van het jaarplan naar SMART-doelstellingen per team en neem naast "
                "productie- ook kwaliteitsindicatoren op (juistheid, tijdigheid, volledigheid).",
            ),
            (
                FindingKind.GOOD_EXAMPLE,
                "customer_focus",
                "Klantbeleving",
                "Demo-sessies met klanten aan het eind van elke sprint",
                "Klanten zien elke twee weken wat er is gebouwd en geven direct feedback; die feedback komt "
                "als werk op de backlog.",
            ),
        ],
        "response": (
            Recognition.RECOGNISED,
            "We herkennen de bevindingen. De KPI-set wordt in het eerste kwartaal herzien en we meten voortaan "
            "per verbeteractie vooraf wat die moet opleveren.",
        ),
        "evaluations": [
            ("risico", 8, "Prettige gesprekken en een herkenbaar rapport."),
            ("teamleider", 7, "Goede vragen; de planning van de interviews was wat krap."),
        ],
        "follow_ups": [
            ("KPI-set Ontwikkeling herzien en laten aansluiten op het jaarplan", "risico", 30, True),
            ("Effectmeting opnemen in de retrospectives van beide teams", "teamleider", 60, False),
        ],
        "nonconformity": "Effect van verbeteracties wordt niet gemeten",
    },
    {
        "unit": "NHS-KS",
        "assessors": ["toetser-ont", "toetser", "toetser-plt"],
        "status": AuditStatus.FINAL,
        "scope": "Servicedesk: telefonie, e-mail en de afhandeling van klachten.",
        "scores": {
            "customer_focus": [4, 3, 4],
            "steering_accountability": [3, 3, 2],
            "operational_quality": [2, 3, 3],
        },
        "calibration": {
            "customer_focus": (
                3,
                "Klantverwachtingen worden nog niet vooraf opgehaald; daarmee is Sturen (4) niet aangetoond.",
            ),
        },
        "fieldwork": [
            (FieldworkKind.DOCUMENT, 0, "Klachtenanalyse en klanttevredenheidsmetingen", "", ""),
            (
                FieldworkKind.INTERVIEW,
                5,
                "Gesprek met twee medewerkers van de Servicedesk",
                "Medewerkers Servicedesk",
                "Directe feedback na elk klantcontact wordt gewaardeerd; terugkoppeling naar Ontwikkeling "
                "verloopt via losse e-mails.",
            ),
        ],
        "findings": [
            (
                FindingKind.FINDING,
                "customer_focus",
                "Effectmeting",
                "Geen zicht op het effect van verbeteringen op de klantbeleving",
                "Verbeteringen naar aanleiding van klachten worden doorgevoerd, maar niet gekoppeld aan de "
                "tevredenheidsmetingen.",
            ),
            (
                FindingKind.FINDING,
                "operational_quality",
                "Samenwerking in de keten",
                "Signalen over fouten bereiken Ontwikkeling niet gestructureerd",
                "Klachten over de software worden per e-mail doorgezet; er is geen afgesproken overdracht en "
                "geen terugkoppeling aan de klant.",
            ),
            (
                FindingKind.GOOD_EXAMPLE,
                "customer_focus",
                "Klantbeleving",
                "Directe feedback na elk klantcontact",
                "Na elk gesprek krijgt de klant twee vragen; de uitkomsten worden wekelijks per team besproken.",
            ),
        ],
        "response": (
            Recognition.PARTLY,
            "De bevinding over de keten herkennen we; die pakken we samen met Ontwikkeling op. Het effect van "
            "verbeteringen meten we al deels via de tevredenheidscijfers.",
        ),
        "evaluations": [("medewerker", 7, "Duidelijk rapport, mooi dat het goede voorbeeld erin staat.")],
        "follow_ups": [],
    },
    {
        "unit": "NHS-BV",
        "assessors": ["toetser-ks", "toetser-plt"],
        "status": AuditStatus.FINAL,
        "scope": "Inkoop, financiën en de ondersteuning van de andere onderdelen.",
        "scores": {
            "customer_focus": [2, 2],
            "steering_accountability": [3, 3],
            "operational_quality": [2, 3],
        },
        "calibration": {},
        "fieldwork": [
            (FieldworkKind.DOCUMENT, 0, "Jaarplan Bedrijfsvoering en tertaalrapportages", "", ""),
        ],
        "findings": [
            (
                FindingKind.FINDING,
                "steering_accountability",
                "Effectmeting",
                "Rapportages volgen acties, niet hun effect",
                "De tertaalrapportage meldt de voortgang van acties; of de doelen dichterbij komen, staat er niet in.",
            ),
            (
                FindingKind.RECOMMENDATION,
                "steering_accountability",
                "KPI-set",
                "Kwaliteitsindicatoren opnemen in de KPI-set",
                "De KPI-set bevat alleen doorlooptijden en kosten; neem ook de juistheid van de dienstverlening "
                "aan de interne klanten op.",
            ),
            (
                FindingKind.RECOMMENDATION,
                "customer_focus",
                "Samenwerking in de keten",
                "Klantverwachtingen van de andere onderdelen vooraf ophalen",
                "Spreek met Ontwikkeling en Klantenservice af wat zij van Bedrijfsvoering verwachten en meet "
                "daartegen.",
            ),
        ],
        "response": (
            Recognition.RECOGNISED,
            "Herkenbaar. We nemen de aanbevelingen over in het jaarplan en bespreken de KPI-set in het MT.",
        ),
        "evaluations": [],
        "follow_ups": [],
    },
    {
        "unit": "NHD-SAL",
        "assessors": ["toetser-b", "toetser-b3"],
        "status": AuditStatus.FOLLOW_UP,
        "scope": "De maandelijkse salarisverwerking en de afhandeling van correcties.",
        "scores": {
            "customer_focus": [3, 3],
            "steering_accountability": [2, 3],
            "operational_quality": [4, 4],
        },
        "calibration": {
            "customer_focus": (
                2,
                "De klanttevredenheid is één keer gemeten en niet herhaald; dat is nog geen reproduceerbaar proces.",
            ),
            "steering_accountability": (
                2,
                "Doelstellingen zijn niet SMART en niet vertaald naar het team: Initieel.",
            ),
        },
        "fieldwork": [
            (FieldworkKind.DOCUMENT, 0, "Kwaliteitsplan Salarisadministratie", "", ""),
            (
                FieldworkKind.INTERVIEW,
                4,
                "Gesprek met de teamleider Verwerking",
                "Teamleider Verwerking",
                "De vier-ogencontrole is het hart van de kwaliteit; correcties komen vooral door late "
                "mutaties van klanten.",
            ),
        ],
        "findings": [
            (
                FindingKind.FINDING,
                "steering_accountability",
                "Effectmeting",
                "Geen effectmeting na aanpassing van het correctieproces",
                "Het correctieproces is vorig jaar aangepast; of het aantal correcties daardoor is gedaald, is "
                "niet onderzocht.",
            ),
            (
                FindingKind.RECOMMENDATION,
                "customer_focus",
                "Samenwerking in de keten",
                "Afspraken met klanten over de aanlevering van mutaties",
                "Leg met de klanten vast wanneer mutaties uiterlijk binnen zijn en bewaak dat in de keten.",
            ),
            (
                FindingKind.GOOD_EXAMPLE,
                "operational_quality",
                "Kwaliteitsnormen",
                "Vier-ogencontrole op elke salarisrun",
                "Elke run wordt voor verzending door een tweede medewerker gecontroleerd aan de hand van een "
                "vaste lijst; afwijkingen worden per maand geanalyseerd.",
            ),
        ],
        "response": (
            Recognition.RECOGNISED,
            "We herkennen ons in het rapport en starten met een effectmeting op het correctieproces.",
        ),
        "evaluations": [("risico-b", 8, "Grondig en waarderend; de vragen sloten goed aan op ons werk.")],
        "follow_ups": [
            ("Effectmeting correctieproces uitvoeren", "risico-b", 45, False),
            ("Aanleverafspraken mutaties vastleggen met de drie grootste klanten", "risico-b", 20, True),
        ],
    },
    {
        "unit": "NHD-ADV",
        "assessors": ["toetser-b2", "toetser-b4"],
        "status": AuditStatus.FINAL,
        "scope": "Adviestrajecten voor klanten en de kennisdeling binnen het team.",
        "scores": {
            "customer_focus": [3, 4],
            "steering_accountability": [2, 2],
            "operational_quality": [3, 3],
        },
        "calibration": {
            "customer_focus": (3, "Tevredenheid wordt na elk traject gemeten, normen ontbreken nog."),
        },
        "fieldwork": [
            (FieldworkKind.DOCUMENT, 0, "Evaluaties van adviestrajecten", "", ""),
        ],
        "findings": [
            (
                FindingKind.FINDING,
                "steering_accountability",
                "KPI-set",
                "Geen KPI's voor de kwaliteit van adviezen",
                "Gestuurd wordt op declarabele uren; de kwaliteit van adviezen komt in de rapportages niet voor.",
            ),
            (
                FindingKind.FINDING,
                "steering_accountability",
                "Effectmeting",
                "Effect van verbeteringen na klantevaluaties onbekend",
                "Uitkomsten van klantevaluaties leiden tot afspraken in het team; het effect wordt niet gevolgd.",
            ),
        ],
        "response": (
            Recognition.PARTLY,
            "Een KPI voor de kwaliteit van adviezen nemen we op. Effectmeting is voor korte trajecten lastig; "
            "we zoeken een passende vorm.",
        ),
        "evaluations": [("toetser-b", 7, "Nuttig om met een frisse blik naar ons werk te laten kijken.")],
        "follow_ups": [],
    },
]


def _median(values: list[int]) -> int:
    values = sorted(values)
    middle = len(values) // 2
    exact = Decimal(values[middle]) if len(values) % 2 else Decimal(values[middle - 1] + values[middle]) / 2
    # Half up, as the source rounds.
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def seed(context: DemoContext) -> None:
    from django.core.management import call_command

    # Databases made before the audits app: give their organisations the default model first.
    call_command("ensure_audit_defaults", stdout=io.StringIO())
    last_year = context.today.year - 1
    for org_code in ("NHS", "NHD"):
        _cycle(context, org_code, last_year)
    for spec in LAST_YEAR:
        _last_year_audit(context, spec, last_year)
    _this_year(context, last_year + 1)


def _cycle(context: DemoContext, org_code: str, last_year: int) -> None:
    """The cycle that started last year (the organisation's default one, made for this year, moved back
    a year), and one covering this year (a demo database seeded again in a later year)."""
    organisation = context.units[org_code]
    actor = context.people[QUALITY_OFFICER[org_code]]
    this_year = last_year + 1
    if model_services.cycle_for_year(organisation=organisation, year=last_year) is None:
        current = model_services.cycle_for_year(organisation=organisation, year=this_year)
        if current is None or not current.audits.exists():
            model_services.cycle_save(
                actor=actor,
                organisation=organisation,
                first_year=last_year,
                plan=model_services.default_plan(organisation, last_year),
                cycle=current,
            )
    if model_services.cycle_for_year(organisation=organisation, year=this_year) is None:
        model_services.cycle_save(
            actor=actor,
            organisation=organisation,
            first_year=this_year,
            plan=model_services.default_plan(organisation, this_year),
        )


def _principles(organisation) -> dict[str, Principle]:
    return {p.code: p for p in Principle.objects.filter(organisation=organisation)}


def _refresh(audit: Audit) -> Audit:
    return Audit.objects.select_related("unit", "organisation", "lead_assessor").get(pk=audit.pk)


def _step(audit: Audit, step: str) -> Audit:
    return _refresh(audit_services.audit_step(actor=audit.lead_assessor, audit=audit, step=step))


def _plan(context, spec, year, *, planned_start, principles=None) -> Audit:
    unit = context.units[spec["unit"]]
    org_code = spec["unit"].split("-")[0]
    assessors = [context.people[name] for name in spec["assessors"]]
    audit = audit_services.audit_create(
        actor=context.people[QUALITY_OFFICER[org_code]],
        unit=unit,
        year=year,
        assessors=assessors,
        lead_assessor=assessors[0],
        principles=principles,
        scope_note=spec.get("scope", ""),
        planned_start=planned_start,
        planned_end=planned_start + datetime.timedelta(days=42),
    )
    return _refresh(audit)


def _fieldwork(context, audit: Audit, rows, *, start: datetime.date) -> None:
    for kind, day, subject, interviewee_name, notes in rows:
        audit_services.fieldwork_add(
            actor=audit.lead_assessor,
            audit=audit,
            kind=kind,
            date=start + datetime.timedelta(days=day),
            subject=subject,
            interviewee_name=interviewee_name,
            notes=notes,
        )


@transaction.atomic
def _last_year_audit(context: DemoContext, spec: dict, year: int) -> None:
    unit = context.units[spec["unit"]]
    if Audit.objects.filter(unit=unit, year=year).exists():
        return
    org_code = spec["unit"].split("-")[0]
    principles = _principles(unit.organisation)
    start = datetime.date(year, 9, 4)
    # The principles the scores below are about (the cycle's first year, as in the source), named
    # rather than taken from the cycle, so that a later year's run finds them whatever the cycle plans.
    audit = _plan(context, spec, year, planned_start=start, principles=[principles[code] for code in spec["scores"]])
    assessors = [context.people[name] for name in spec["assessors"]]
    audit = _step(audit, "start-fieldwork")
    _fieldwork(context, audit, spec["fieldwork"], start=start)
    findings = {}
    for kind, code, theme, title, text in spec["findings"]:
        findings[title] = finding_services.finding_create(
            actor=audit.lead_assessor,
            audit=audit,
            kind=kind,
            principle=principles[code],
            theme=theme,
            title=title,
            text=text,
        )
    audit = _step(audit, "start-scoring")
    for code, values in spec["scores"].items():
        for assessor, score in zip(assessors, values, strict=True):
            audit_services.score_save(
                actor=assessor, audit=audit, principle=principles[code], score=score, **_rationale(code, score)
            )
    audit = _step(audit, "start-calibration")
    for code, values in spec["scores"].items():
        score, reason = spec["calibration"].get(code, (_median(values), ""))
        if not reason and Decimal(score) != audit_services.assessor_median(audit, principles[code]):
            # Two assessors a level apart: the team settles on one and says why.
            reason = "In de kalibratiesessie afgestemd op basis van de documentatie en de gesprekken."
        audit_services.calibration_save(
            actor=audit.lead_assessor, audit=audit, principle=principles[code], score=score, reason=reason
        )
    audit = _step(audit, "complete-calibration")
    for username, mark, comment in spec["evaluations"]:
        audit_services.evaluation_give(actor=context.people[username], audit=audit, mark=mark, comment=comment)
    audit = _step(audit, "request-response")
    recognition, comments = spec["response"]
    audit_services.management_response_give(
        actor=context.people[BOARD[org_code]], audit=audit, recognition=recognition, comments=comments
    )
    audit = _step(audit, "finalise")
    if spec["status"] == AuditStatus.FOLLOW_UP:
        audit = _step(audit, "start-follow-up")
    for title, owner, days, done in spec["follow_ups"]:
        action = finding_services.follow_up_create(
            actor=audit.lead_assessor,
            audit=audit,
            title=title,
            owner=context.people[owner],
            due_date=context.today + datetime.timedelta(days=days),
        )
        if done:
            action_set_status(
                actor=context.people[owner], action=action, status=ActionStatus.DONE, note="Afgerond en besproken."
            )
    if spec.get("nonconformity"):
        # "Start a non-conformity" from the finding, by the organisation's quality officer (CAPA).
        finding_services.finding_start_nonconformity(
            actor=context.people[QUALITY_OFFICER[org_code]], finding=findings[spec["nonconformity"]]
        )


def _this_year(context: DemoContext, year: int) -> None:
    """This year's audits, on the cycle's second-year principles: one planned, one in fieldwork (with its
    log, one interview confirmed by the interviewee), one in scoring (some scores in)."""
    _planned(context, year)
    _in_fieldwork(context, year)
    _in_scoring(context, year)


@transaction.atomic
def _planned(context, year):
    if Audit.objects.filter(unit=context.units["NHS-BV"], year=year).exists():
        return
    spec = {
        "unit": "NHS-BV",
        "assessors": ["toetser-ont", "toetser-ks"],
        "scope": "Inkoop en contractbeheer; de relatie met de belangrijkste leveranciers.",
    }
    _plan(context, spec, year, planned_start=datetime.date(year, 10, 1))


@transaction.atomic
def _in_fieldwork(context, year):
    if Audit.objects.filter(unit=context.units["NHS-KS"], year=year).exists():
        return
    spec = {
        "unit": "NHS-KS",
        "assessors": ["toetser", "toetser-plt"],
        "scope": "Servicedesk: kennisbank, werkinstructies en de overdracht aan Ontwikkeling.",
    }
    start = context.today - datetime.timedelta(days=14)
    audit = _step(_plan(context, spec, year, planned_start=start), "start-fieldwork")
    _fieldwork(
        context,
        audit,
        [
            (FieldworkKind.DOCUMENT, 0, "Werkinstructies Servicedesk en de kennisbank", "", ""),
            (FieldworkKind.DOCUMENT, 1, "Opleidingsplan en registratie van trainingen", "", ""),
        ],
        start=start,
    )
    interview = audit_services.fieldwork_add(
        actor=audit.lead_assessor,
        audit=audit,
        kind=FieldworkKind.INTERVIEW,
        date=start + datetime.timedelta(days=6),
        subject="Gesprek over de overdracht van meldingen aan Ontwikkeling",
        interviewee=context.people["medewerker"],
        notes="Meldingen gaan via een gedeelde mailbox; er is geen vaste terugkoppeling aan de Servicedesk.",
    )
    audit_services.fieldwork_confirm(actor=context.people["medewerker"], item=interview)
    audit_services.fieldwork_add(
        actor=audit.lead_assessor,
        audit=audit,
        kind=FieldworkKind.INTERVIEW,
        date=start + datetime.timedelta(days=8),
        subject="Gesprek met de coördinator kennisbank",
        interviewee_name="Coördinator kennisbank",
        notes="De kennisbank wordt elk kwartaal nagelopen; wijzigingen worden niet altijd gemeld aan de teams.",
    )


@transaction.atomic
def _in_scoring(context, year):
    unit = context.units["NHD-SAL"]
    if Audit.objects.filter(unit=unit, year=year).exists():
        return
    spec = {
        "unit": "NHD-SAL",
        "assessors": ["toetser-b3", "toetser-b"],
        "scope": "Leiderschap en vakmanschap in Team Verwerking; het proces van de salarisrun.",
    }
    start = context.today - datetime.timedelta(days=40)
    audit = _step(_plan(context, spec, year, planned_start=start), "start-fieldwork")
    _fieldwork(
        context,
        audit,
        [
            (FieldworkKind.DOCUMENT, 0, "Procesbeschrijving salarisrun en risicoregister", "", ""),
            (
                FieldworkKind.INTERVIEW,
                5,
                "Gesprek met twee medewerkers van Team Verwerking",
                "Medewerkers Team Verwerking",
                "Werkinstructies zijn bekend; de procesbeschrijving is na de laatste wijziging niet bijgewerkt.",
            ),
        ],
        start=start,
    )
    audit = _step(audit, "start-scoring")
    lead, other = (context.people[name] for name in spec["assessors"])
    # The lead has scored every principle, the other assessor one so far: calibration waits for them.
    principles = list(audit.principles.order_by("position", "pk"))
    for principle, score in zip(principles, itertools.cycle((3, 4, 2)), strict=False):
        audit_services.score_save(
            actor=lead, audit=audit, principle=principle, score=score, **_rationale(principle.code, score)
        )
    audit_services.score_save(
        actor=other, audit=audit, principle=principles[0], score=2, **_rationale(principles[0].code, 2)
    )
