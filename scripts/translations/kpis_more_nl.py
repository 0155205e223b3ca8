"""Dutch translations of the KPI app's later additions (issue 5): the default set for new
organisations, the feedback import and the effects per unit. ``scripts/po_fill.py`` fills them into
locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # the import of measurements and feedback
    "The first row must name the columns %(columns)s (missing: %(missing)s).": (
        "De eerste rij moet de kolommen %(columns)s noemen (ontbreekt: %(missing)s)."
    ),
    "No unit %(unit)s here.": "Hier is geen eenheid %(unit)s.",
    "Name the unit, or choose one for the whole file.": "Noem de eenheid, of kies er een voor het hele bestand.",
    "Unknown channel %(value)s: use one of %(choices)s.": "Onbekend kanaal %(value)s: gebruik een van %(choices)s.",
    "Unknown category %(value)s: use one of %(choices)s.": (
        "Onbekende categorie %(value)s: gebruik een van %(choices)s."
    ),
    "%(value)s is not a whole number.": "%(value)s is geen geheel getal.",
    "Give yes or no, not %(value)s.": "Geef ja of nee, niet %(value)s.",
    "%(value)s is not a date: give YYYY-MM-DD, optionally with a time (HH:MM).": (
        "%(value)s is geen datum: geef JJJJ-MM-DD, eventueel met een tijd (UU:MM)."
    ),
    "For the rows that name no unit of their own.": "Voor de rijen die zelf geen eenheid noemen.",
    "Columns (the first row names them): unit (code or name), channel, category, score (1-5), "
    "negative (yes/no), comment, received_at (YYYY-MM-DD HH:MM) and customer_reference. Only "
    "a score or a comment is needed.": (
        "Kolommen (de eerste rij noemt ze): unit (code of naam), channel, category, score (1-5), "
        "negative (ja/nee), comment, received_at (JJJJ-MM-DD UU:MM) en customer_reference. Alleen "
        "een score of een opmerking is nodig."
    ),
    "Import feedback": "Feedback importeren",
    "Each row is handled as feedback entered by hand: a low score or negative feedback is flagged and "
    "assigned to the team lead of its unit.": (
        "Elke rij wordt behandeld als feedback die met de hand is ingevoerd: een lage score of negatieve "
        "feedback wordt gemarkeerd en toegewezen aan de teamleider van de eenheid."
    ),
    # effects per unit
    "Which measures worked, per unit": "Welke maatregelen werkten, per eenheid",
    "Measured effects of improvement actions per unit": "Gemeten effecten van verbeteracties per eenheid",
    "No improvement action with an intended effect matches these filters.": (
        "Geen verbeteractie met een beoogd effect voldoet aan deze filters."
    ),
}

PLURALS = {
    "%(organisation)s had no KPIs yet: it has the default set now (%(count)s KPI), owned by you. Give each "
    "KPI its owner on its page.": (
        "%(organisation)s had nog geen KPI's: het heeft nu de standaardset (%(count)s KPI), met jou als "
        "eigenaar. Geef elke KPI op zijn pagina de juiste eigenaar.",
        "%(organisation)s had nog geen KPI's: het heeft nu de standaardset (%(count)s KPI's), met jou als "
        "eigenaar. Geef elke KPI op zijn pagina de juiste eigenaar.",
    ),
    "%(count)s piece of feedback imported.": (
        "%(count)s feedbackbericht geïmporteerd.",
        "%(count)s feedbackberichten geïmporteerd.",
    ),
}
