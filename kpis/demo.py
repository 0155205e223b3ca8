"""Demo KPIs, objectives, feedback and effects, for both demo organisations.

Runs after the core seed (``qms.demo``); idempotent: KPIs are found by code, measurements by period,
feedback by its unit, channel and text, objectives and actions by title before they are made.
Everything goes through the services, so statuses, assignments, escalations, verdicts and history are
what they would be for real. The demo organisations are Dutch: the texts it stores are Dutch, and the
text the services generate (follow-up titles, history reasons) is in the stored language too.
"""

import datetime
import math
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kpis.models import Feedback, IntendedEffect, Kpi, KpiMeasurement, Objective
from kpis.services.effects import effect_create, effect_evaluate
from kpis.services.feedback import feedback_receive
from kpis.services.kpis import MeasurementRow, kpi_defaults_create, kpi_update, measurements_record_many
from kpis.services.objectives import key_result_create, objective_create
from qms.choices import ActionKind, ActionStatus
from qms.demo import DemoContext
from qms.models import Action
from qms.periods import Frequency, period_containing
from qms.services.actions import action_create, action_set_status
from qms.services.base import in_stored_language

ORGANISATIONS = {"NHS": "kwaliteit", "NHD": "kwaliteit-b"}
MONTHS = 24


def _value(org_code: str, code: str, back: int) -> Decimal | None:
    """A plausible value of KPI ``code`` ``back`` periods ago (deterministic, so reruns agree)."""
    wave = math.sin(back * 1.3 + len(code) + (0 if org_code == "NHS" else 2))
    age = MONTHS - back  # grows towards now
    if code == "UPTIME":
        value = 99.93 + 0.05 * wave
        if back in (17, 5):
            value = 99.62  # an incident: amber
        if back == 11 and org_code == "NHS":
            value = 99.31  # a bad month: red
        return Decimal(f"{min(value, 99.99):.2f}")
    if code == "DEFECTS":
        if org_code == "NHD" and back <= 2:
            return None  # not delivered yet: shows as missing
        return Decimal(f"{max(1.0, 5.5 - age * 0.12 + wave * 0.6):.1f}")
    if code == "ENPS":
        return Decimal(f"{4 + age * 1.0 + wave * 3:.0f}")
    if code == "WORKLOAD":
        return Decimal(f"{3.4 + age * 0.025 + wave * 0.05:.2f}")
    if code == "PNPS":
        return Decimal(f"{14 + age * 1.0 + wave * 2:.0f}")
    if code == "CSAT":
        # The service desk's knowledge base (an improvement action) lifted CSAT in the second year.
        base = 3.95 if back > 12 or org_code == "NHD" else 4.25 + (12 - back) * 0.02
        return Decimal(f"{base + wave * 0.05:.2f}")
    if code == "CHURN":
        # Calling customers who cancel did not bring churn down: it crept up.
        return Decimal(f"{(2.0 if back > 12 else 2.2) + wave * 0.1:.2f}")
    return None


def _seed_kpis(context: DemoContext) -> None:
    for org_code, quality in ORGANISATIONS.items():
        organisation, actor = context.units[org_code], context.people[quality]
        # The organisation may have its default set already (created with it, owned by its creator):
        # this adds only what is missing, and the quality officer takes over the KPIs still held by
        # whoever created them.
        kpi_defaults_create(actor=actor, organisation=organisation)
        for kpi in Kpi.objects.filter(organisation=organisation, owner_id=F("created_by_id")).exclude(owner=actor):
            kpi_update(actor=actor, kpi=kpi, owner=actor, reason="Overgedragen aan de kwaliteitsfunctionaris")
        rows = []
        for kpi in Kpi.objects.filter(organisation=organisation).select_related("org_unit"):
            measured = set(KpiMeasurement.objects.filter(kpi=kpi).values_list("period", flat=True))
            last = period_containing(context.today, kpi.frequency).shift(-1)
            count = MONTHS if kpi.frequency == Frequency.MONTHLY else MONTHS // 3
            for back in range(count - 1, -1, -1):
                period = last.shift(-back)
                months_back = back if kpi.frequency == Frequency.MONTHLY else back * 3
                value = _value(org_code, kpi.code, months_back)
                if value is not None and str(period) not in measured:
                    rows.append(MeasurementRow(kpi=kpi, period=str(period), value=value))
        if rows:
            measurements_record_many(actor=actor, rows=rows)


# unit, channel, category, score, negative, comment, days ago. Anonymous survey answers and messages:
# no customer reference (a reference is the customer's own, and the follow-up's title names it).
FEEDBACK = [
    ("NHS-ONT-APP", "survey", "product", 2, False, "De app loopt vast bij het uploaden van een verzuimmelding.", 24),
    ("NHS-ONT-APP", "email", "product", None, True, "Na de laatste update kan ik niet meer inloggen.", 9),
    ("NHS-ONT-APP", "survey", "product", 1, False, "Weer een storing in de app, derde keer deze maand.", 2),
    ("NHS-ONT-APP", "survey", "product", 5, False, "Nieuwe versie werkt prettig.", 6),
    ("NHS-KS-SD", "phone", "service", 4, False, "Snel geholpen door de servicedesk.", 15),
    ("NHS-KS-SD", "survey", "service", 2, False, "Lang gewacht op een terugbelverzoek.", 4),
    ("NHS-KS-SD", "chat", "service", 5, False, "", 3),
    ("NHS-KS", "email", "invoicing", None, True, "Factuur klopt niet; al twee keer gemeld.", 12),
    ("NHD-SAL-VER", "survey", "delivery", 3, False, "Loonstroken kwamen een dag later dan afgesproken.", 20),
    ("NHD-SAL-VER", "survey", "delivery", 1, False, "Salarisrun mislukt, medewerkers niet op tijd betaald.", 5),
    ("NHD-ADV", "portal", "communication", 4, False, "Duidelijk advies over de nieuwe regeling.", 8),
]


def _seed_feedback(context: DemoContext) -> None:
    for unit_code, channel, category, score, negative, comment, days in FEEDBACK:
        unit = context.units[unit_code]
        # Each demo item is one of a kind by its unit, channel, score and text (a rerun adds nothing).
        if Feedback.objects.filter(unit=unit, channel=channel, score=score, comment=comment).exists():
            continue
        quality = context.people[ORGANISATIONS[unit_code.split("-")[0]]]
        feedback_receive(
            actor=quality,
            unit=unit,
            channel=channel,
            category=category,
            score=score,
            negative=negative,
            comment=comment,
            received_at=timezone.now() - datetime.timedelta(days=days, hours=3),
        )


def _objective(context, unit_code, title, **fields):
    unit = context.units[unit_code]
    existing = Objective.objects.filter(unit=unit, title=title).first()
    if existing:
        return existing, False
    quality = context.people[ORGANISATIONS[unit_code.split("-")[0]]]
    return objective_create(actor=quality, unit=unit, title=title, **fields), True


def _key_results(context, objective, org_code, results):
    quality = context.people[ORGANISATIONS[org_code]]
    kpis = {kpi.code: kpi for kpi in Kpi.objects.filter(organisation=context.units[org_code])}
    for code, baseline, target, weight in results:
        key_result_create(
            actor=quality,
            objective=objective,
            kpi=kpis[code],
            baseline=Decimal(baseline),
            target=Decimal(target),
            weight=Decimal(weight),
        )


def _seed_objectives(context: DemoContext) -> None:
    people, year = context.people, context.today.year
    deadline = datetime.date(year, 12, 31)
    top, new = _objective(
        context,
        "NHS",
        "Klanten blijven en bevelen ons aan",
        period=str(year),
        owner=people["bestuur"],
        specific="CSAT naar 4,5 en churn onder 1% per maand, pNPS naar 40.",
        achievable="De kennisbank en de nieuwe app-release zijn gefinancierd; vergelijkbare teams halen dit.",
        relevant="Klantbehoud is de eerste doelstelling van het jaarplan; churn kost omzet.",
        deadline=deadline,
    )
    if new:
        _key_results(
            context, top, "NHS", [("CSAT", "4.0", "4.5", "2"), ("CHURN", "2.2", "1", "1"), ("PNPS", "30", "40", "1")]
        )
    service, new = _objective(
        context,
        "NHS-KS",
        "Sneller en beter antwoord voor klanten",
        period=str(year),
        parent=top,
        owner=people["kwaliteit"],
        specific="Elke vraag binnen één werkdag beantwoord; CSAT van de servicedesk naar 4,5.",
        relevant="Draagt bij aan klantbehoud.",
        deadline=deadline,
    )
    if new:
        _key_results(context, service, "NHS", [("CSAT", "4.0", "4.5", "1")])
    _objective(
        context,
        "NHS-KS-SD",
        "Terugbelverzoeken dezelfde dag afhandelen",
        period=f"{year}-H2",
        parent=service,
        owner=people["medewerker"],
        specific="Terugbelverzoeken binnen vier uur opgepakt.",
    )
    platform, new = _objective(
        context,
        "NHS-ONT",
        "Een stabiel platform",
        period=str(year),
        parent=top,
        owner=people["risico"],
        specific="Uptime boven de SLA van 99,9% en minder bugs per release.",
        achievable="Tweede datacenter en geautomatiseerde tests staan in de planning.",
        relevant="Storingen zijn de grootste bron van negatieve feedback.",
        deadline=deadline,
    )
    if new:
        _key_results(context, platform, "NHS", [("UPTIME", "99.7", "99.95", "2"), ("DEFECTS", "5", "2", "1")])
    team, new = _objective(
        context,
        "NHS-ONT-APP",
        "Geen terugkerende app-storingen",
        period=str(year),
        parent=platform,
        owner=people["teamleider"],
        specific="Elke storing krijgt een oorzaakanalyse en een regressietest.",
        achievable="Eén ontwikkelaar per sprint vrijgemaakt.",
        relevant="Drie klachten over dezelfde storing deze maand.",
        deadline=datetime.date(year, 9, 30) if context.today < datetime.date(year, 9, 30) else deadline,
    )
    if new:
        _key_results(context, team, "NHS", [("DEFECTS", "5", "2", "1")])
    people_objective, new = _objective(
        context,
        "NHD",
        "Betrokken medewerkers",
        period=str(year),
        owner=people["bestuur-b"],
        specific="eNPS naar 30 en werkdruk-score minstens 4.",
        achievable="Teamleiders krijgen een training in gesprekken over werkdruk.",
        relevant="Verloop in de salarisadministratie bedreigt de continuïteit.",
        deadline=deadline,
    )
    if new:
        _key_results(context, people_objective, "NHD", [("ENPS", "10", "30", "1"), ("WORKLOAD", "3.5", "4", "1")])


# title, unit, owner, KPI code, expectation, expected change, windows in months back (baseline, evaluation)
EFFECTS = [
    (
        "Kennisbank voor de servicedesk inrichten",
        "NHS-KS-SD",
        "medewerker",
        "CSAT",
        "change",
        "0.3",
        (17, 15, 9, 7),
    ),
    (
        "Klanten die opzeggen terugbellen en opvolgen",
        "NHS-KS",
        "kwaliteit",
        "CHURN",
        "change",
        "-0.5",
        (17, 15, 9, 7),
    ),
    ("Uptime-monitoring met automatische failover", "NHS-ONT-PLT", "teamleider", "UPTIME", "back_to_green", None, None),
]


def _backdate(action: Action, context: DemoContext, *, started: int, done: int) -> None:
    """Make ``action`` one of the past: started ``started`` months ago and done ``done`` months ago,
    so its effect windows (held to the action: the baseline before it started, the evaluation after
    it was done) lie in the demo's 24 months. Only demo data rewrites dates; its owner finishes it
    through the service first."""
    this_month = period_containing(context.today, Frequency.MONTHLY)
    action_set_status(actor=action.owner, action=action, status=ActionStatus.DONE, note="Afgerond.")
    start_day = this_month.shift(-started).start + datetime.timedelta(days=4)
    done_day = this_month.shift(-done).start + datetime.timedelta(days=20)
    Action.objects.filter(pk=action.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(start_day, datetime.time(9))),
        due_date=done_day,
        completed_at=timezone.make_aware(datetime.datetime.combine(done_day, datetime.time(16))),
    )
    action.refresh_from_db()


def _seed_effects(context: DemoContext) -> None:
    quality = context.people["kwaliteit"]
    this_month = period_containing(context.today, Frequency.MONTHLY)
    for title, unit_code, owner, code, expectation, change, windows in EFFECTS:
        action = Action.objects.filter(title=title, owner=context.people[owner]).first()
        if action is None:
            action = action_create(
                actor=quality,
                unit=context.units[unit_code],
                owner=context.people[owner],
                title=title,
                due_date=context.today + datetime.timedelta(days=30),
                kind=ActionKind.IMPROVEMENT,
            )
            if windows:
                _backdate(action, context, started=windows[1] - 1, done=windows[2] + 1)
        if not IntendedEffect.objects.filter(action=action).exists():
            periods = {}
            if windows:
                names = ("baseline_from", "baseline_to", "evaluation_from", "evaluation_to")
                periods = {name: str(this_month.shift(-back)) for name, back in zip(names, windows, strict=True)}
            effect_create(
                actor=quality,
                action=action,
                kpi=Kpi.objects.get(organisation=context.units["NHS"], code=code),
                expectation=expectation,
                expected_change=Decimal(change) if change else None,
                **periods,
            )
    for effect in IntendedEffect.objects.filter(action__unit__path__startswith=context.units["NHS"].path).pending():
        effect_evaluate(effect=effect, today=context.today)


@transaction.atomic
def seed(context: DemoContext) -> None:
    with in_stored_language():
        _seed(context)


def _seed(context: DemoContext) -> None:
    _seed_kpis(context)
    _seed_feedback(context)
    _seed_objectives(context)
    _seed_effects(context)
