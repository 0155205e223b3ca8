"""Dutch translations of the risk register's API (issue 3, item 8): ``scripts/po_fill.py`` fills them
into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # risks/
    "A category code: security, legal, sustainability, corruption, supplier, financial, operational, "
    "privacy, or one the organisation added.": (
        "Een categoriecode: security, legal, sustainability, corruption, supplier, financial, operational, "
        "privacy, of een die de organisatie heeft toegevoegd."
    ),
    "The unit the risk belongs to (fixed once registered).": (
        "De eenheid waar het risico bij hoort (ligt vast na registratie)."
    ),
    "Who approves a risk of this level: nobody (low), the board, or the board and then group management.": (
        "Wie een risico van dit niveau goedkeurt: niemand (laag), de raad van bestuur, of de raad van bestuur "
        "en daarna het groepsmanagement."
    ),
    "Measures in the plan (not cancelled).": "Maatregelen in het plan (niet geannuleerd).",
    "With a change: why (recorded in the history of the risk).": (
        "Bij een wijziging: waarom (wordt vastgelegd in de geschiedenis van het risico)."
    ),
    "A risk cannot move to another unit.": "Een risico kan niet naar een andere eenheid verhuizen.",
    "For the approvers.": "Voor wie goedkeurt.",
    "Who you decide for.": "Namens wie u besluit.",
    "Required to reject or to ask for changes.": "Verplicht bij afwijzen of om wijzigingen vragen.",
    "The findings.": "De bevindingen.",
    # risk-measures/
    "The risk whose plan the measure belongs to (fixed once added).": (
        "Het risico tot wiens plan de maatregel behoort (ligt vast na toevoegen)."
    ),
    "With a status change: how the measure was finished, or why it was cancelled.": (
        "Bij een statuswijziging: hoe de maatregel is afgerond, of waarom die is geannuleerd."
    ),
    "A measure cannot move to another risk.": "Een maatregel kan niet naar een ander risico verhuizen.",
}

PLURALS = {}
