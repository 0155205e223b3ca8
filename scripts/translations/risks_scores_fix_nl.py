"""Dutch translations of the fixes to the monthly risk score after the acceptance review (issue 4):
``scripts/po_fill.py`` fills them into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # models
    "reason for the withdrawal": "reden van intrekken",
    "An open investigation is about a lower score than the month before.": (
        "Een open onderzoek gaat over een lagere score dan de maand ervoor."
    ),
    "Say why the investigation is withdrawn.": "Zeg waarom het onderzoek is ingetrokken.",
    "Withdrawn": "Ingetrokken",
    # services
    "Give a month from %(first)s to %(last)s.": "Geef een maand van %(first)s tot en met %(last)s.",
    "The areas' weights changed": "De wegingen van de gebieden zijn gewijzigd",
    "%(month)s is not over yet: the job closes a month after it ended.": (
        "%(month)s is nog niet voorbij: de taak sluit een maand pas als die is afgelopen."
    ),
    "Correction of %(month)s: %(reason)s": "Correctie van %(month)s: %(reason)s",
    "No drop of %(area)s in %(month)s after a correction: investigation withdrawn": (
        "Geen daling van %(area)s in %(month)s na een correctie: onderzoek ingetrokken"
    ),
    "The corrected scores go from %(before)s to %(after)s. Steps you planned stay open: finish or cancel them. "
    "%(reason)s": (
        "De gecorrigeerde scores gaan van %(before)s naar %(after)s. Stappen die u plande blijven open: rond ze "
        "af of annuleer ze. %(reason)s"
    ),
    "The %(area)s score dropped in %(month)s after all: investigate": (
        "De score van %(area)s is in %(month)s toch gedaald: onderzoek dit"
    ),
    "From %(before)s to %(after)s. Find the cause and plan specific steps. %(reason)s": (
        "Van %(before)s naar %(after)s. Zoek de oorzaak en plan concrete stappen. %(reason)s"
    ),
    "The drop of %(area)s in %(month)s was corrected": "De daling van %(area)s in %(month)s is gecorrigeerd",
    "Now from %(before)s to %(after)s. %(reason)s": "Nu van %(before)s naar %(after)s. %(reason)s",
    "This investigation is withdrawn: a correction removed the drop.": (
        "Dit onderzoek is ingetrokken: een correctie heeft de daling weggenomen."
    ),
    "Only the owner or a quality officer reassigns this investigation.": (
        "Alleen de eigenaar of een kwaliteitsfunctionaris draagt dit onderzoek over."
    ),
    "%(person)s owns this investigation already.": "%(person)s is al eigenaar van dit onderzoek.",
    "Reassigned to %(person)s": "Overgedragen aan %(person)s",
    "You investigate the drop of %(area)s in %(month)s": "U onderzoekt de daling van %(area)s in %(month)s",
    "%(person)s gave you this investigation, due on %(due)s. %(reason)s": (
        "%(person)s heeft dit onderzoek aan u overgedragen, uiterlijk af op %(due)s. %(reason)s"
    ),
    "The investigation of %(area)s in %(month)s went to someone else": (
        "Het onderzoek van %(area)s in %(month)s is aan iemand anders overgedragen"
    ),
    "%(person)s gave it to %(owner)s.": "%(person)s heeft het overgedragen aan %(owner)s.",
    # views and forms
    "%(person)s now owns the investigation.": "%(person)s is nu eigenaar van het onderzoek.",
    "Compute the derived areas again from today's data": "De afgeleide gebieden opnieuw berekenen met de huidige gegevens",
    "Without this, a correction keeps the derived scores the month closed with.": (
        "Zonder dit houdt een correctie de afgeleide scores waarmee de maand is gesloten."
    ),
    "New owner": "Nieuwe eigenaar",
    "Why": "Waarom",
    "Kept in the history; the new owner reads it.": "Wordt in de historie bewaard; de nieuwe eigenaar leest het.",
    # API
    "All areas of the month in one request, each once.": "Alle gebieden van de maand in één verzoek, elk één keer.",
    "Give each area once; more than one score for: %(areas)s.": (
        "Geef elk gebied één keer; meer dan één score voor: %(areas)s."
    ),
    "The areas to correct (or to add), each once.": "De gebieden om te corrigeren (of toe te voegen), elk één keer.",
    "Compute the derived areas again from today's data; without it they keep their scores.": (
        "De afgeleide gebieden opnieuw berekenen met de huidige gegevens; zonder dit houden ze hun scores."
    ),
    # templates
    "(does not count)": "(telt niet mee)",
    "No score: see below.": "Geen score: zie hieronder.",
    "The training area has no mandatory courses with people assigned in %(year)s, so its score cannot be derived "
    "and the month stays incomplete: add them, or switch the area to manual.": (
        "Het trainingsgebied heeft geen verplichte cursussen met toegewezen mensen in %(year)s, dus de score kan "
        "niet worden afgeleid en de maand blijft onvolledig: voeg ze toe, of zet het gebied op handmatig."
    ),
    "no scores entered": "geen scores ingevoerd",
    "no drop after a correction": "geen daling na een correctie",
    "Give to another owner": "Aan een andere eigenaar overdragen",
    "Reassign": "Overdragen",
}

PLURALS = {}
