"""Dutch translations of the risk register's pages (issue 3): ``scripts/po_fill.py`` fills them into
locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # forms
    "Category": "Categorie",
    "Reason for the change": "Reden van de wijziging",
    "Recorded in the history of the risk.": "Wordt vastgelegd in de geschiedenis van het risico.",
    "A step of the organisation's risk matrix (1 is the lowest).": (
        "Een stap van de risicomatrix van de organisatie (1 is de laagste)."
    ),
    "Leave empty for one year from today.": "Leeg laten voor over een jaar.",
    "Findings": "Bevindingen",
    "Next review": "Volgende beoordeling",
    "Reason": "Reden",
    "Note for the approvers": "Toelichting voor wie goedkeurt",
    "Short, lower case, no spaces (used in imports).": "Kort, kleine letters, geen spaties (gebruikt bij importeren).",
    "Other size (JSON)": "Andere afmeting (JSON)",
    'To change the number of steps: {"likelihood_steps": [{"label": ..., "description": ...}, ...], '
    '"impact_steps": [...], "bands": [[level per impact, ...] per likelihood, lowest first]}. '
    "Levels are low, medium, high or very_high.": (
        'Om het aantal stappen te wijzigen: {"likelihood_steps": [{"label": ..., "description": ...}, ...], '
        '"impact_steps": [...], "bands": [[niveau per impact, ...] per kans, laagste eerst]}. '
        "Niveaus zijn low, medium, high of very_high."
    ),
    "Label": "Benaming",
    "Description": "Omschrijving",
    "This is not valid JSON: %(error)s": "Dit is geen geldige JSON: %(error)s",
    "Give likelihood_steps, impact_steps and bands.": "Geef likelihood_steps, impact_steps en bands.",
    "Steps are lists of {label, description}; bands a list of lists.": (
        "Stappen zijn lijsten van {label, description}; bands een lijst van lijsten."
    ),
    "File": "Bestand",
    "A CSV file (comma or semicolon separated, UTF-8) or an Excel workbook (.xlsx).": (
        "Een CSV-bestand (gescheiden door komma's of puntkomma's, UTF-8) of een Excel-werkmap (.xlsx)."
    ),
    "Upload a .csv or .xlsx file.": "Upload een .csv- of .xlsx-bestand.",
    "The file is too large (at most 5 MB).": "Het bestand is te groot (hoogstens 5 MB).",
    # import
    "The file is empty.": "Het bestand is leeg.",
    "This is not an Excel workbook (.xlsx).": "Dit is geen Excel-werkmap (.xlsx).",
    "The first row must name the columns; missing: %(columns)s.": (
        "De eerste rij moet de kolommen noemen; ontbreekt: %(columns)s."
    ),
    "At most %(max)s rows can be imported at once.": "Er kunnen hoogstens %(max)s rijen tegelijk worden geïmporteerd.",
    "This column is required.": "Deze kolom is verplicht.",
    "%(value)s is not a whole number.": "%(value)s is geen geheel getal.",
    "Give the date as YYYY-MM-DD.": "Geef de datum als JJJJ-MM-DD.",
    "No unit with code %(code)s.": "Geen eenheid met code %(code)s.",
    "No person with username %(username)s.": "Geen persoon met gebruikersnaam %(username)s.",
    "No category with code %(code)s in this organisation.": "Geen categorie met code %(code)s in deze organisatie.",
    "The file has no rows to import.": "Het bestand heeft geen rijen om te importeren.",
    # tables
    "Plan": "Plan",
    "Overdue measures": "Maatregelen te laat",
    "no plan": "geen plan",
    # views
    "Risk register": "Risicoregister",
    "Board overview": "Overzicht raad van bestuur",
    "Only board members and group management have a board overview.": (
        "Alleen leden van de raad van bestuur en groepsmanagement hebben een bestuursoverzicht."
    ),
    "Residual risk": "Restrisico",
    "Inherent risk": "Bruto risico",
    "The risk is saved.": "Het risico is opgeslagen.",
    "Register a risk": "Risico registreren",
    "The review is recorded.": "De beoordeling is vastgelegd.",
    "Reassess the risk as it is now. The next review is due within a year.": (
        "Beoordeel het risico opnieuw zoals het nu is. De volgende beoordeling volgt binnen een jaar."
    ),
    "Review %(risk)s": "%(risk)s beoordelen",
    "The risk is closed.": "Het risico is gesloten.",
    "Close a risk that no longer applies. Approvals still pending are withdrawn.": (
        "Sluit een risico dat niet meer speelt. Goedkeuringen die nog openstaan, worden ingetrokken."
    ),
    "Close %(risk)s": "%(risk)s sluiten",
    "Accepted: a low risk needs no approval.": "Aanvaard: een laag risico heeft geen goedkeuring nodig.",
    "Submitted: the risk waits for the approval of the board.": (
        "Ingediend: het risico wacht op goedkeuring van de raad van bestuur."
    ),
    "The measure is added to the plan.": "De maatregel is aan het plan toegevoegd.",
    "Add a measure to %(risk)s": "Maatregel toevoegen aan %(risk)s",
    "The measure is taken out of the plan.": "De maatregel is uit het plan gehaald.",
    "The measure is cancelled and kept with its history. An approved plan goes back for approval.": (
        "De maatregel wordt geannuleerd en blijft met zijn geschiedenis bewaard. "
        "Een goedgekeurd plan gaat opnieuw ter goedkeuring."
    ),
    "Remove %(measure)s from the plan": "%(measure)s uit het plan halen",
    "Only the board and group management decide on risks.": (
        "Alleen de raad van bestuur en groepsmanagement besluiten over risico's."
    ),
    "You approved %(risk)s.": "U hebt %(risk)s goedgekeurd.",
    "You rejected %(risk)s.": "U hebt %(risk)s afgewezen.",
    "You asked for changes to %(risk)s.": "U hebt om wijzigingen in %(risk)s gevraagd.",
    "Only board members and group management have a review queue.": (
        "Alleen leden van de raad van bestuur en groepsmanagement hebben een beoordelingswachtrij."
    ),
    "Review queue of the board": "Wachtrij van de raad van bestuur",
    "Review queue of group management": "Wachtrij van groepsmanagement",
    "Your role does not allow registering risks.": "Uw rol staat het registreren van risico's niet toe.",
    "Likelihood steps": "Stappen van de kans",
    "Impact steps": "Stappen van de impact",
    "Level bands": "Niveaus per cel",
    "Only administrators and quality officers change the risk matrix.": (
        "Alleen beheerders en kwaliteitsfunctionarissen wijzigen de risicomatrix."
    ),
    "The matrix is saved; the levels of open risks follow it.": (
        "De matrix is opgeslagen; de niveaus van open risico's volgen hem."
    ),
    "Only administrators and quality officers add risk categories.": (
        "Alleen beheerders en kwaliteitsfunctionarissen voegen risicocategorieën toe."
    ),
    "The category is added.": "De categorie is toegevoegd.",
    # base.html
    "Risks awaiting your decision": "Risico's die op uw besluit wachten",
    # templates
    "inactive": "inactief",
    "Import": "Importeren",
    "Problem": "Probleem",
    "(required to reject or ask for changes)": "(verplicht bij afwijzen of wijzigingen vragen)",
    "Approve": "Goedkeuren",
    "Ask for changes": "Wijzigingen vragen",
    "Reject": "Afwijzen",
    "Likelihood and impact once the measures have taken effect; risks without a residual assessment are not shown.": (
        "Kans en impact zodra de maatregelen effect hebben; risico's zonder restbeoordeling staan er niet in."
    ),
    "Likelihood and impact as the risk is now. Click a number to see those risks in the register.": (
        "Kans en impact zoals het risico nu is. Klik op een getal om die risico's in het register te zien."
    ),
    "Legend": "Legenda",
    "Colours: the matrix of %(organisation)s.": "Kleuren: de matrix van %(organisation)s.",
    "Colours: the default matrix.": "Kleuren: de standaardmatrix.",
    "It now waits for %(body)s.": "Het wacht nu op %(body)s.",
    "Open the risk": "Risico openen",
    "This risk no longer waits for this decision.": "Dit risico wacht niet meer op dit besluit.",
    "residual": "rest",
    "Assessment": "Beoordeling",
    "likelihood %(likelihood)s × impact %(impact)s": "kans %(likelihood)s × impact %(impact)s",
    "Trend": "Verloop",
    "unchanged since it was registered": "ongewijzigd sinds de registratie",
    "Submitted": "Ingediend",
    "round %(round)s": "ronde %(round)s",
    "Note from the submitter": "Toelichting van de indiener",
    "Cause": "Oorzaak",
    "Consequence": "Gevolg",
    "Mitigation plan": "Beheersplan",
    "due": "uiterlijk",
    "No measures in the plan.": "Geen maatregelen in het plan.",
    "Recent history": "Recente geschiedenis",
    "registered the risk": "registreerde het risico",
    "saved": "opgeslagen",
    "Earlier decisions": "Eerdere besluiten",
    "Register": "Register",
    "Heat map": "Heatmap",
    "Board queue": "Wachtrij raad van bestuur",
    "Group management queue": "Wachtrij groepsmanagement",
    "Matrix and categories": "Matrix en categorieën",
    "Levels over time, oldest first": "Niveaus door de tijd, oudste eerst",
    "All open risks at medium or higher of your organisations, to monitor regularly: their level now and after "
    "the measures, the state of their plan, and when they are next reviewed.": (
        "Alle open risico's van gemiddeld of hoger in uw organisaties, om regelmatig te volgen: hun niveau nu en na "
        "de maatregelen, de stand van hun plan en wanneer ze opnieuw worden beoordeeld."
    ),
    "These risks in the register": "Deze risico's in het register",
    "Default 5 × 5 matrix": "Standaardmatrix 5 × 5",
    "Categories": "Categorieën",
    "own": "eigen",
    "Add a category": "Categorie toevoegen",
    "Add category": "Categorie toevoegen",
    "Change the matrix": "Matrix wijzigen",
    "Saving re-derives the levels of all open risks of the organisation (recorded in their history); a risk whose "
    "level rises above its approved level goes back for approval.": (
        "Bij opslaan worden de niveaus van alle open risico's van de organisatie opnieuw bepaald (vastgelegd in hun "
        "geschiedenis); een risico waarvan het niveau boven het goedgekeurde niveau uitkomt, gaat opnieuw ter "
        "goedkeuring."
    ),
    "Level per cell": "Niveau per cel",
    "Another number of steps": "Een ander aantal stappen",
    "Save the matrix": "Matrix opslaan",
    "You do not belong to an organisation, so there is no matrix to show.": (
        "U hoort bij geen organisatie, dus er is geen matrix om te tonen."
    ),
    "You are not a board member of an organisation, so no risks wait for you here.": (
        "U bent geen lid van de raad van bestuur van een organisatie, dus hier wachten geen risico's op u."
    ),
    "You are not in group management, so no risks wait for you here.": (
        "U maakt geen deel uit van groepsmanagement, dus hier wachten geen risico's op u."
    ),
    "No risks wait for your decision.": "Er wachten geen risico's op uw besluit.",
    "Oldest first. Each risk comes with its plan and history; decide in place. Rejecting or asking for changes "
    "needs a reason, which the owner and the submitter receive.": (
        "Oudste eerst. Elk risico staat hier met zijn plan en geschiedenis; besluit ter plekke. Afwijzen of om "
        "wijzigingen vragen vraagt om een reden, die de eigenaar en de indiener ontvangen."
    ),
    "Review": "Beoordelen",
    "Add a measure first: a risk needs a mitigation plan.": (
        "Voeg eerst een maatregel toe: een risico heeft een beheersplan nodig."
    ),
    "Submit for approval": "Ter goedkeuring indienen",
    "Submit (no approval needed)": "Indienen (geen goedkeuring nodig)",
    "No mitigation plan.": "Geen beheersplan.",
    "Every risk needs at least one measure before it can be submitted.": (
        "Elk risico heeft minstens één maatregel nodig voordat het kan worden ingediend."
    ),
    "The review was due on %(date)s.": "De beoordeling had op %(date)s moeten plaatsvinden.",
    "Waiting for your decision (%(body)s)": "Wacht op uw besluit (%(body)s)",
    "Approval by": "Goedkeuring door",
    "nobody (low risk)": "niemand (laag risico)",
    "Approved level": "Goedgekeurd niveau",
    "Registered": "Geregistreerd",
    "Measure": "Maatregel",
    "Remove from the plan": "Uit het plan halen",
    "No measures yet.": "Nog geen maatregelen.",
    "Add a measure": "Maatregel toevoegen",
    "Add measure": "Maatregel toevoegen",
    "Approvals": "Goedkeuringen",
    "Round": "Ronde",
    "Decided": "Besloten",
    "Pending": "Openstaand",
    "Not submitted for approval yet.": "Nog niet ter goedkeuring ingediend.",
    "A low risk needs no approval.": "Een laag risico heeft geen goedkeuring nodig.",
    "Reviews": "Beoordelingen",
    "Review now": "Nu beoordelen",
    "Reviewed on": "Beoordeeld op",
    "By": "Door",
    "Not reviewed yet.": "Nog niet beoordeeld.",
    "The risk": "Het risico",
    "After the measures have taken effect (optional):": "Nadat de maatregelen effect hebben (optioneel):",
    "What the steps mean": "Wat de stappen betekenen",
    "Import risks": "Risico's importeren",
    "Check and import": "Controleren en importeren",
    "Every row is checked first. If any row has a problem, nothing is imported and you see what to fix per row.": (
        "Eerst wordt elke rij gecontroleerd. Heeft een rij een probleem, dan wordt niets geïmporteerd en ziet u per "
        "rij wat u moet verbeteren."
    ),
    "The first row names the columns:": "De eerste rij noemt de kolommen:",
    "category: the code of a category (for example security, legal, privacy);": (
        "category: de code van een categorie (bijvoorbeeld security, legal, privacy);"
    ),
    "unit: the code of an organisation unit; owner: a username;": (
        "unit: de code van een organisatie-eenheid; owner: een gebruikersnaam;"
    ),
    "likelihood, impact and the residual ones: numbers on the organisation's matrix;": (
        "likelihood, impact en de residual-kolommen: getallen op de matrix van de organisatie;"
    ),
    "next_review: a date as YYYY-MM-DD (empty: one year from today).": (
        "next_review: een datum als JJJJ-MM-DD (leeg: over een jaar)."
    ),
    "Download a template": "Sjabloon downloaden",
    "Row": "Rij",
    "Column": "Kolom",
    "Heat map cell: likelihood %(likelihood)s, impact %(impact)s": (
        "Cel van de heatmap: kans %(likelihood)s, impact %(impact)s"
    ),
    "Residual heat map cell: likelihood %(likelihood)s, impact %(impact)s": (
        "Cel van de heatmap van het restrisico: kans %(likelihood)s, impact %(impact)s"
    ),
    "Show all cells": "Alle cellen tonen",
    "Add risk": "Risico toevoegen",
}

PLURALS = {
    "%(count)s measure": ("%(count)s maatregel", "%(count)s maatregelen"),
    "%(count)s overdue": ("%(count)s te laat", "%(count)s te laat"),
    "%(count)s risk imported.": ("%(count)s risico geïmporteerd.", "%(count)s risico's geïmporteerd."),
    "%(counter)s risk": ("%(counter)s risico", "%(counter)s risico's"),
    "%(counter)s risk with likelihood %(likelihood)s and impact %(impact)s": (
        "%(counter)s risico met kans %(likelihood)s en impact %(impact)s",
        "%(counter)s risico's met kans %(likelihood)s en impact %(impact)s",
    ),
    "%(counter)s risk is assessed on a larger matrix and not shown.": (
        "%(counter)s risico is op een grotere matrix beoordeeld en staat er niet in.",
        "%(counter)s risico's zijn op een grotere matrix beoordeeld en staan er niet in.",
    ),
    "%(counter)s risk waits": ("%(counter)s risico wacht", "%(counter)s risico's wachten"),
    "%(counter)s measure is overdue.": ("%(counter)s maatregel is te laat.", "%(counter)s maatregelen zijn te laat."),
    "%(counter)s measure": ("%(counter)s maatregel", "%(counter)s maatregelen"),
    "Nothing was imported: %(counter)s of %(rows)s rows has a problem.": (
        "Er is niets geïmporteerd: %(counter)s van de %(rows)s rijen heeft een probleem.",
        "Er is niets geïmporteerd: %(counter)s van de %(rows)s rijen hebben een probleem.",
    ),
}
