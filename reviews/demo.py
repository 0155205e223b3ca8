"""Demo management reviews (SPEC 7) for both organisations: last year's review held and finalised (its
pack frozen), with the board member, the quality officer and a guest at the meeting, commentary on
every section, decisions with actions of which some are done since and one is overdue; and this year's
review in preparation, a few sections commented, whose first section lists the status of last year's
actions.

Runs after the core seed (``qms.demo``) and the other apps' demos (``DOMAIN_APPS`` puts reviews last),
so the packs are assembled from their data. Idempotent: a review is found by organisation and year
before it is made, and each part (meeting date, attendees, commentary, decisions) only when it is
missing; last year's review is finalised when it is not yet, so a demo database seeded again in a later
year finalises the review that was "this year's" before. Everything goes through the services; the one
thing a service refuses on purpose, an action due in the past, is set afterwards and said so.
"""

import datetime

from django.db import transaction

from qms.choices import ActionStatus
from qms.demo import DemoContext
from qms.models import Action
from qms.services.actions import action_set_status
from reviews.choices import ReviewInput
from reviews.models import ManagementReview
from reviews.services import reviews as services

# organisation code, quality officer, board member, guest (name, function), action owners by key
ORGANISATIONS = [
    (
        "NHS",
        "kwaliteit",
        "bestuur",
        ("Henk Bos", "Externe auditor (gast)"),
        {"quality": "kwaliteit", "risk": "risico", "team": "teamleider", "incidents": "coordinator"},
    ),
    (
        "NHD",
        "kwaliteit-b",
        "bestuur-b",
        ("Ingrid Smits", "Interne auditor van de groep (gast)"),
        {"quality": "kwaliteit-b", "risk": "risico-b", "team": "risico-b", "incidents": "kwaliteit-b"},
    ),
]

# The quality officer's commentary per input, in Dutch as the demo organisations write it.
COMMENTARY = {
    ReviewInput.PREVIOUS_ACTIONS: (
        "Dit is de eerste directiebeoordeling in het systeem; de acties uit de beoordeling op papier zijn "
        "overgenomen in de actielijst en daar afgerond."
    ),
    ReviewInput.CUSTOMER: (
        "De klanttevredenheid is stabiel. De meeste klachten gaan over de bereikbaarheid van de servicedesk "
        "in de ochtend; die zijn als terugkerende feedback opgepakt."
    ),
    ReviewInput.OBJECTIVES: (
        "De meeste kwaliteitsdoelstellingen zijn gehaald. De doorlooptijd van wijzigingen bleef achter door "
        "de migratie in het najaar."
    ),
    ReviewInput.PROCESS_PERFORMANCE: (
        "De KPI's liggen grotendeels binnen de norm. De SLA voor P2-incidenten is twee maanden niet gehaald; "
        "de oorzaak (onderbezetting in de vakantie) is bekend."
    ),
    ReviewInput.NONCONFORMITIES: (
        "Afwijkingen worden sneller geanalyseerd dan vorig jaar. De effectiviteit van corrigerende "
        "maatregelen kan beter: twee maatregelen moesten opnieuw."
    ),
    ReviewInput.MONITORING: (
        "De maandelijkse risicoscore is licht gestegen. Het onderzoek naar de daling op patchbeheer is "
        "afgerond; de achterstand is weggewerkt."
    ),
    ReviewInput.AUDITS: (
        "De volwassenheidsaudits laten vooruitgang zien op sturing en verantwoording. Rode draad: "
        "procedures zijn er, maar worden niet altijd bijgehouden."
    ),
    ReviewInput.SUPPLIERS: (
        "De hostingpartij leverde volgens afspraak. Bij één leverancier ontbreekt nog een "
        "verwerkersovereenkomst; dat is als actie belegd."
    ),
    ReviewInput.RISKS: (
        "Er is één zeer hoog risico (uitval van het datacentrum); het plan is door het bestuur en de "
        "groepsdirectie goedgekeurd. Enkele risicobeoordelingen zijn over datum."
    ),
    ReviewInput.IMPROVEMENT: (
        "De verbeteracties van het afgelopen jaar hebben effect gehad op de doorlooptijd van klachten; "
        "de effectiviteit wordt voortaan per kwartaal gemeten."
    ),
}

CONCLUSION = (
    "Het kwaliteitsmanagementsysteem is geschikt, toereikend en doeltreffend. Aandachtspunten voor het "
    "komende jaar: de bereikbaarheid van de servicedesk, de actualiteit van procedures en de "
    "risicobeoordelingen die over datum zijn."
)

# input, decision, [(action title, owner key, days until due when made, what has happened since)]
# ("done": finished since the meeting; "overdue": its due date passed; "open": still running)
DECISIONS = [
    (
        ReviewInput.CUSTOMER,
        "De servicedesk wordt in de ochtend beter bereikbaar: een extra bezetting van 8 tot 10 uur.",
        [
            ("Rooster servicedesk aanpassen voor de ochtendpiek", "team", 30, "done"),
            ("Bereikbaarheid van de servicedesk maandelijks rapporteren", "quality", 60, "open"),
        ],
    ),
    (
        ReviewInput.AUDITS,
        "Alle procedures krijgen een eigenaar en worden jaarlijks herzien.",
        [
            ("Eigenaar per procedure vastleggen", "quality", 30, "done"),
            ("Verouderde procedures herzien", "team", 45, "overdue"),
        ],
    ),
    (
        ReviewInput.RISKS,
        "Risicobeoordelingen die over datum zijn worden binnen een kwartaal ingehaald.",
        [("Achterstallige risicobeoordelingen inhalen", "risk", 90, "open")],
    ),
    (
        ReviewInput.SUPPLIERS,
        "Met elke leverancier die persoonsgegevens verwerkt is een verwerkersovereenkomst gesloten.",
        [("Ontbrekende verwerkersovereenkomsten afsluiten", "incidents", 30, "done")],
    ),
]

# This year's review: a few sections already commented while the quality officer prepares it.
PREPARATION_COMMENTARY = {
    ReviewInput.PREVIOUS_ACTIONS: (
        "De meeste acties uit de vorige directiebeoordeling zijn afgerond; het herzien van de verouderde "
        "procedures loopt achter en staat op de agenda."
    ),
    ReviewInput.CUSTOMER: "Concept: de ochtendbezetting van de servicedesk lijkt effect te hebben; cijfers volgen.",
    ReviewInput.RISKS: "Concept: nog aan te vullen na de risicosessie met het bestuur.",
}

# How long an overdue action has been due.
OVERDUE_DAYS = 20


def seed(context: DemoContext) -> None:
    last_year = context.today.year - 1
    for organisation_code, quality, board, guest, owners in ORGANISATIONS:
        _last_year(context, last_year, organisation_code, quality, board, guest, owners)
        _this_year(context, last_year + 1, organisation_code, quality)


def meeting_date(today: datetime.date) -> datetime.date:
    """When last year's review was held: in this year's January once that has passed, else in last
    year's December."""
    january = datetime.date(today.year, 1, 22)
    return january if january <= today else datetime.date(today.year - 1, 12, 16)


@transaction.atomic
def _last_year(context, year, organisation_code, quality, board, guest, owners) -> None:
    organisation = context.units[organisation_code]
    actor = context.people[quality]
    review = ManagementReview.objects.filter(organisation=organisation, year=year).first()
    if review is not None and review.is_finalised:
        return
    if review is None:
        review = services.review_create(
            actor=actor, organisation=organisation, year=year, meeting_date=meeting_date(context.today)
        )
    elif review.meeting_date is None:
        review = services.review_update(actor=actor, review=review, meeting_date=meeting_date(context.today))
    if not review.attendees.exists():
        services.attendee_add(actor=actor, review=review, user=context.people[board], function="Bestuurder")
        services.attendee_add(actor=actor, review=review, user=actor, function="Kwaliteitsfunctionaris")
        services.attendee_add(actor=actor, review=review, name=guest[0], function=guest[1])
    commented = set(review.sections.exclude(commentary="").values_list("input", flat=True))
    for code, text in COMMENTARY.items():
        if code not in commented:
            services.section_comment(actor=actor, review=review, input=code, commentary=text)
    if not review.conclusion:
        review = services.review_update(actor=actor, review=review, conclusion=CONCLUSION)
    follow_up = []
    if not review.decisions.exists():
        for code, text, actions in DECISIONS:
            specs = [
                {
                    "title": title,
                    "owner": context.people[owners[owner]],
                    "due_date": context.today + datetime.timedelta(days=days),
                }
                for title, owner, days, _since in actions
            ]
            decision = services.decision_add(actor=actor, review=review, input=code, text=text, actions=specs)
            made = {action.title: action for action in decision.actions.all()}
            follow_up.extend((made[title], since) for title, _owner, _days, since in actions)
    services.review_finalise(actor=actor, review=review)
    # What happened since the meeting: some actions done by their owners, one past its due date.
    for action, since in follow_up:
        if since == "done":
            action_set_status(actor=action.owner, action=action, status=ActionStatus.DONE, note="Uitgevoerd.")
        elif since == "overdue":
            # A new action cannot be due in the past (the service refuses it); the demo shows one that became
            # overdue since. Saved one by one (not a bulk update), so the history shows the change.
            action = Action.objects.get(pk=action.pk)
            action.due_date = context.today - datetime.timedelta(days=OVERDUE_DAYS)
            action.save()


@transaction.atomic
def _this_year(context, year, organisation_code, quality) -> None:
    organisation = context.units[organisation_code]
    if ManagementReview.objects.filter(organisation=organisation, year=year).exists():
        return
    actor = context.people[quality]
    review = services.review_create(actor=actor, organisation=organisation, year=year)
    for code, text in PREPARATION_COMMENTARY.items():
        services.section_comment(actor=actor, review=review, input=code, commentary=text)
