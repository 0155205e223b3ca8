"""Dutch translations of the monthly risk score's pages (issue 4): ``scripts/po_fill.py`` fills them into
locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # views
    "Only administrators and quality officers of %(org)s enter its scores.": (
        "Alleen beheerders en kwaliteitsfunctionarissen van %(org)s voeren de scores in."
    ),
    "Risk score": "Risicoscore",
    "Risk score of %(org)s": "Risicoscore van %(org)s",
    "Total": "Totaal",
    "Risk score of %(org)s, %(month)s": "Risicoscore van %(org)s, %(month)s",
    "The correction of %(month)s is saved and compared again.": (
        "De correctie van %(month)s is opgeslagen en opnieuw vergeleken."
    ),
    "The scores of %(month)s are saved; the month is incomplete until every area has one.": (
        "De scores van %(month)s zijn opgeslagen; de maand is onvolledig tot elk gebied een score heeft."
    ),
    "The scores of %(month)s are saved.": "De scores van %(month)s zijn opgeslagen.",
    "Areas of %(org)s": "Gebieden van %(org)s",
    "The areas of %(org)s are saved.": "De gebieden van %(org)s zijn opgeslagen.",
    "Import scores of %(org)s": "Scores van %(org)s importeren",
    "Investigations of score drops": "Onderzoeken naar scoredalingen",
    "The step is added to the plan.": "De stap is aan het plan toegevoegd.",
    "The investigation is closed.": "Het onderzoek is gesloten.",
    "Risk scores of %(group)s": "Risicoscores van %(group)s",
    # forms
    "The month is closed: the correction is recorded with this reason and compared again.": (
        "De maand is gesloten: de correctie wordt met deze reden vastgelegd en opnieuw vergeleken."
    ),
    "Reason for the correction": "Reden van de correctie",
    "Used in imports and the API.": "Gebruikt bij importeren en in de API.",
    "Weight (%)": "Weging (%)",
    "How the score is obtained": "Hoe de score tot stand komt",
    "Cause of the drop": "Oorzaak van de daling",
    "What made the score drop, as found by the investigation.": (
        "Waardoor de score daalde, zoals het onderzoek heeft vastgesteld."
    ),
    # tables
    "Area": "Gebied",
    "Month": "Maand",
    "Score before": "Score ervoor",
    "Score after": "Score erna",
    "no steps": "geen stappen",
    # import
    "Row %(row)s has a score for this area and month already.": (
        "Rij %(row)s heeft al een score voor dit gebied en deze maand."
    ),
    "Row %(row)s gives another level for this month.": "Rij %(row)s geeft een ander niveau voor deze maand.",
    # templates: investigations
    "When an area's score is lower than the month before, the monthly job opens an investigation for the "
    "area's owner: find the cause and plan specific steps to undo the drop.": (
        "Als de score van een gebied lager is dan de maand ervoor, opent de maandelijkse taak een onderzoek voor "
        "de eigenaar van het gebied: zoek de oorzaak en plan concrete stappen om de daling ongedaan te maken."
    ),
    "Investigations": "Onderzoeken",
    "Add a step": "Stap toevoegen",
    "Close with the cause": "Sluiten met de oorzaak",
    "The drop": "De daling",
    "Score": "Score",
    "Closed at": "Gesloten op",
    "Recovered in %(month)s: back at %(score)s or higher.": "Hersteld in %(month)s: weer op %(score)s of hoger.",
    "Not yet back at %(score)s, the score before the drop.": "Nog niet terug op %(score)s, de score vóór de daling.",
    "No scores for the months after the drop yet.": "Nog geen scores voor de maanden na de daling.",
    "Scores of %(area)s in the months after the drop": "Scores van %(area)s in de maanden na de daling",
    "Compared with before the drop": "Vergeleken met vóór de daling",
    "before the drop": "vóór de daling",
    "recovered": "hersteld",
    "Action plan": "Actieplan",
    "Step": "Stap",
    "No steps planned yet: the plan needs specific steps, each with an owner and a due date, before the "
    "investigation can be closed.": (
        "Nog geen stappen gepland: het plan heeft concrete stappen nodig, elk met een eigenaar en een "
        "vervaldatum, voordat het onderzoek gesloten kan worden."
    ),
    "Add the step": "Stap toevoegen",
    "Close the investigation": "Onderzoek sluiten",
    "Only the owner (%(owner)s) closes the investigation, with the cause and a plan of steps.": (
        "Alleen de eigenaar (%(owner)s) sluit het onderzoek, met de oorzaak en een plan van stappen."
    ),
    "overdue": "te laat",
    # templates: import
    "Every row is checked first. If any row has a problem, nothing is imported and you see what to fix per "
    "row. A closed month cannot be imported again: correct it on its month page, with a reason.": (
        "Eerst wordt elke rij gecontroleerd. Heeft een rij een probleem, dan wordt niets geïmporteerd en ziet u "
        "per rij wat u moet herstellen. Een gesloten maand kan niet opnieuw worden geïmporteerd: corrigeer die "
        "op de pagina van de maand, met een reden."
    ),
    "month: YYYY-MM (not in the future);": "month: JJJJ-MM (niet in de toekomst);",
    "area: the code of an active area scored by hand:": "area: de code van een actief gebied dat met de hand wordt gescoord:",
    "score: 0 to 100, at most one decimal (88.5 or 88,5);": "score: 0 tot 100, ten hoogste één decimaal (88.5 of 88,5);",
    "vasp and visp (optional): %(levels)s, the same on every row of a month.": (
        "vasp en visp (optioneel): %(levels)s, op elke rij van een maand hetzelfde."
    ),
    "Month and area": "Maand en gebied",
    # templates: dashboard and index
    "Compare within %(group)s": "Vergelijken binnen %(group)s",
    "Enter scores": "Scores invoeren",
    "No scores yet.": "Nog geen scores.",
    "Enter this month's scores": "De scores van deze maand invoeren",
    "Import scores": "Scores importeren",
    "Latest complete month": "Laatste volledige maand",
    "No month is complete yet.": "Nog geen maand is volledig.",
    "Security programmes": "Beveiligingsprogramma's",
    "VASP": "VASP",
    "VISP": "VISP",
    "Open investigations": "Open onderzoeken",
    "Drops and their investigations": "Dalingen en hun onderzoeken",
    "Line chart of the total and each area per month; the same figures are in the table below.": (
        "Lijngrafiek van het totaal en elk gebied per maand; dezelfde cijfers staan in de tabel hieronder."
    ),
    "Show the figures as a table": "De cijfers als tabel tonen",
    "Monthly risk scores of %(org)s: total and each area (0-100), VASP and VISP levels": (
        "Maandelijkse risicoscores van %(org)s: totaal en elk gebied (0-100), VASP- en VISP-niveaus"
    ),
    "incomplete": "onvolledig",
    "All investigations": "Alle onderzoeken",
    "Areas whose score dropped, and the investigation of each drop": (
        "Gebieden waarvan de score daalde, en het onderzoek van elke daling"
    ),
    "Drop": "Daling",
    "Steps": "Stappen",
    "No area's score dropped in these months.": "In deze maanden is de score van geen enkel gebied gedaald.",
    "Contributions to the total of %(month)s": "Bijdragen aan het totaal van %(month)s",
    "Contributions to the total": "Bijdragen aan het totaal",
    "Each area's contribution: weight times score": "De bijdrage van elk gebied: weging maal score",
    "Contribution": "Bijdrage",
    "Contribution = weight × score / 100, with the weights as they were in that month.": (
        "Bijdrage = weging × score / 100, met de wegingen zoals ze in die maand waren."
    ),
    "Incomplete months": "Onvolledige maanden",
    "missing": "ontbreekt",
    "Every month has a score for every area.": "Elke maand heeft een score voor elk gebied.",
    "Compare the organisations of %(group)s": "De organisaties van %(group)s vergelijken",
    "Every month each area gets a score from 0 to 100; the total is the weighted sum. An area whose score "
    "drops is investigated by its owner.": (
        "Elke maand krijgt elk gebied een score van 0 tot 100; het totaal is de gewogen som. Een gebied waarvan "
        "de score daalt, wordt door de eigenaar onderzocht."
    ),
    "Latest complete month per organisation": "Laatste volledige maand per organisatie",
    "Change from the month before": "Verandering ten opzichte van de maand ervoor",
    "no complete month yet": "nog geen volledige maand",
    "You do not see the risk score of any organisation.": "U ziet de risicoscore van geen enkele organisatie.",
    "unchanged": "onveranderd",
    "Actions": "Acties",
    "Dashboard": "Dashboard",
    # templates: group
    "Line chart of each organisation's total per month; the same figures are in the table below.": (
        "Lijngrafiek van het totaal van elke organisatie per maand; dezelfde cijfers staan in de tabel hieronder."
    ),
    "Monthly risk score totals of the organisations of %(group)s": (
        "Totalen van de maandelijkse risicoscore van de organisaties van %(group)s"
    ),
    "This group has no organisations you can see.": "Deze groep heeft geen organisaties die u kunt zien.",
    # templates: areas (percent signs in template text are doubled in the catalogue)
    "The weights of the active areas add up to exactly 100%%. A change to the weights is saved as one edit: "
    "all areas at once, or nothing. Months already closed keep the weights they had.": (
        "De wegingen van de actieve gebieden tellen op tot precies 100%%. Een wijziging van de wegingen wordt "
        "als één geheel opgeslagen: alle gebieden tegelijk, of niets. Gesloten maanden houden de wegingen die "
        "ze hadden."
    ),
    "Areas and weights": "Gebieden en wegingen",
    "Weight (%%)": "Weging (%%)",
    "Active weights add up to": "De actieve wegingen tellen op tot",
    "Fill in the empty row to add an area. An area you make inactive keeps its past scores.": (
        "Vul de lege rij in om een gebied toe te voegen. Een gebied dat u inactief maakt, houdt zijn eerdere scores."
    ),
    "Save the areas": "Gebieden opslaan",
    "This organisation has no areas yet.": "Deze organisatie heeft nog geen gebieden.",
    "inactive": "inactief",
    "Code": "Code",
    "Name": "Naam",
    "Owner": "Eigenaar",
    "Source": "Bron",
    "Active": "Actief",
    # templates: month
    "closed": "gesloten",
    "open": "open",
    "Other months": "Andere maanden",
    "Previous month": "Vorige maand",
    "Go to month": "Naar maand",
    "Go": "Ga",
    "Next month": "Volgende maand",
    "This month was closed by the monthly job on %(date)s: its scores and weights are kept as they were. A "
    "correction needs a reason and is compared with the month before again.": (
        "Deze maand is op %(date)s door de maandelijkse taak gesloten: de scores en wegingen blijven zoals ze "
        "waren. Een correctie heeft een reden nodig en wordt opnieuw met de maand ervoor vergeleken."
    ),
    "You can read these scores; administrators and quality officers enter them.": (
        "U kunt deze scores lezen; beheerders en kwaliteitsfunctionarissen voeren ze in."
    ),
    "Area scores of %(month)s": "Gebiedsscores van %(month)s",
    "Score (0-100)": "Score (0-100)",
    "Derived": "Afgeleid",
    "Computed now; stored when the month is saved or closed.": (
        "Nu berekend; opgeslagen wanneer de maand wordt opgeslagen of gesloten."
    ),
    "Incomplete": "Onvolledig",
    "No scores yet": "Nog geen scores",
    "Give each area a score from 0 to 100 with at most one decimal. Areas left empty keep the month incomplete; "
    "a derived area's score is computed when the month is saved.": (
        "Geef elk gebied een score van 0 tot 100 met ten hoogste één decimaal. Lege gebieden houden de maand "
        "onvolledig; de score van een afgeleid gebied wordt berekend wanneer de maand wordt opgeslagen."
    ),
    "Save the scores": "Scores opslaan",
    "Drops investigated in this month": "In deze maand onderzochte dalingen",
    "Correct this month": "Deze maand corrigeren",
    "Save the correction": "Correctie opslaan",
    # templates: navigation
    "All organisations": "Alle organisaties",
    "Month scores": "Maandscores",
    "Organisations": "Organisaties",
}

PLURALS = {
    "%(count)s score imported (%(months)s).": (
        "%(count)s score geïmporteerd (%(months)s).",
        "%(count)s scores geïmporteerd (%(months)s).",
    ),
    "Trend of the last month": ("Verloop van de laatste maand", "Verloop van de laatste %(counter)s maanden"),
    "Total of the last month": ("Totaal van de laatste maand", "Totalen van de laatste %(counter)s maanden"),
}
