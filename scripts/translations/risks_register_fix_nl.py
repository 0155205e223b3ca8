"""Dutch translations of the risk register's fixes after the acceptance review (issue 3): plan changes through
the action paths, new rounds while approvals wait, who decides does not shape, the next review, reopening,
categories. ``scripts/po_fill.py`` fills them into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # API
    "The owner must be an active member of the organisation of the risk.": (
        "De eigenaar moet een actief lid zijn van de organisatie van het risico."
    ),
    "Give the owner as the id of a person.": "Geef de eigenaar op als het id van een persoon.",
    "Within a year (of today, or of the last review); leave empty for one year from today.": (
        "Binnen een jaar (na vandaag, of na de laatste beoordeling); leeg laten voor over een jaar."
    ),
    # filters and forms
    "Give true or false.": "Geef true of false.",
    "Within a year; leave empty for one year from today.": "Binnen een jaar; leeg laten voor over een jaar.",
    "At least once a year: within a year of the last review.": (
        "Minstens eens per jaar: binnen een jaar na de laatste beoordeling."
    ),
    "None ticked: every status but closed.": "Niets aangevinkt: elke status behalve gesloten.",
    # models
    "Withdrawn": "Ingetrokken",
    "hidden in": "verborgen in",
    "Organisations that do not use this default category.": (
        "Organisaties die deze standaardcategorie niet gebruiken."
    ),
    # services
    "The review is overdue: record a review instead of moving its date.": (
        "De beoordeling is te laat: leg een beoordeling vast in plaats van de datum te verschuiven."
    ),
    "The next review cannot be in the past.": "De volgende beoordeling kan niet in het verleden liggen.",
    "Review a risk at least once a year: the next review is due by %(date)s at the latest.": (
        "Beoordeel een risico minstens eens per jaar: de volgende beoordeling is uiterlijk op %(date)s."
    ),
    "Withdrawn: the risk was closed.": "Ingetrokken: het risico is gesloten.",
    "Only quality officers and administrators reopen a risk.": (
        "Alleen kwaliteitsfunctionarissen en beheerders heropenen een risico."
    ),
    "Only a closed risk can be reopened.": "Alleen een gesloten risico kan worden heropend.",
    "Say why the risk is reopened.": "Geef aan waarom het risico wordt heropend.",
    "Risk reopened: %(title)s": "Risico heropend: %(title)s",
    "Say why the measure is taken out of the plan.": "Geef aan waarom de maatregel uit het plan wordt gehaald.",
    "This measure is part of the mitigation plan of the risk %(risk)s: only those who may change the risk "
    "change its plan, on the risk's page.": (
        "Deze maatregel hoort bij het beheersplan van het risico %(risk)s: alleen wie het risico mag wijzigen, "
        "wijzigt het plan, op de pagina van het risico."
    ),
    "Withdrawn: %(why)s, so the board decides again.": "Ingetrokken: %(why)s, dus het bestuur beslist opnieuw.",
    "Risk %(title)s no longer waits for you: %(why)s": "Risico %(title)s wacht niet meer op u: %(why)s",
    "It goes to the board again first.": "Het gaat eerst opnieuw naar het bestuur.",
    "You changed this risk or its plan in this round: someone else must approve it.": (
        "U hebt dit risico of het plan in deze ronde gewijzigd: iemand anders moet het goedkeuren."
    ),
    "%(body)s: %(decision)s": "%(body)s: %(decision)s",
    "Only administrators and quality officers of %(org)s can change its categories.": (
        "Alleen beheerders en kwaliteitsfunctionarissen van %(org)s kunnen de categorieën wijzigen."
    ),
    "This category belongs to another organisation.": "Deze categorie hoort bij een andere organisatie.",
    "A default category keeps its name; hide it and add a category of your own instead.": (
        "Een standaardcategorie houdt haar naam; gebruik haar niet meer en voeg in plaats daarvan een eigen "
        "categorie toe."
    ),
    # pages
    "The risk is reopened as a draft.": "Het risico is heropend als concept.",
    "The risk becomes a draft again: bring its assessment and plan up to date, then submit it. A risk at "
    "medium or higher goes to the board again.": (
        "Het risico wordt weer een concept: werk de beoordeling en het plan bij en dien het daarna in. Een "
        "risico van gemiddeld of hoger gaat opnieuw naar het bestuur."
    ),
    "Reopen %(risk)s": "%(risk)s heropenen",
    "The measure is cancelled and kept with its history. Say why: a plan that was approved, or is waiting "
    "for approval, goes to the board again.": (
        "De maatregel wordt geannuleerd en met zijn geschiedenis bewaard. Geef aan waarom: een plan dat is "
        "goedgekeurd of op goedkeuring wacht, gaat opnieuw naar het bestuur."
    ),
    "Only administrators and quality officers change risk categories.": (
        "Alleen beheerders en kwaliteitsfunctionarissen wijzigen risicocategorieën."
    ),
    "The category is in use again.": "De categorie wordt weer gebruikt.",
    "The category is no longer used.": "De categorie wordt niet meer gebruikt.",
    "The category is renamed.": "De categorie heeft een nieuwe naam.",
    "Stop using": "Niet meer gebruiken",
    "Use again": "Weer gebruiken",
    "Rename": "Naam wijzigen",
    "Risks keep a category that is no longer used; new and changed risks cannot choose it. A default "
    "category is not used by this organisation only; its name is translated and stays as it is.": (
        "Risico's houden een categorie die niet meer wordt gebruikt; nieuwe en gewijzigde risico's kunnen haar "
        "niet kiezen. Een standaardcategorie wordt alleen in deze organisatie niet meer gebruikt; haar naam "
        "wordt vertaald en blijft zoals hij is."
    ),
    "You changed this risk or its plan in this round: you may reject it or ask for changes, but someone "
    "else must approve it.": (
        "U hebt dit risico of het plan in deze ronde gewijzigd: u kunt het afwijzen of om wijzigingen vragen, "
        "maar iemand anders moet het goedkeuren."
    ),
}

PLURALS = {}
