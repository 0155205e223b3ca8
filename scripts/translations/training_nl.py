"""Dutch translations of mandatory training (courses, assignments, completions: services, pages and
API): ``scripts/po_fill.py`` fills them into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # API
    "The organisation that offers the course (fixed once created).": (
        "De organisatie die de cursus aanbiedt (staat vast na het aanmaken)."
    ),
    "People assigned in the year asked for (?year=, default this year) you may see.": (
        "Mensen die u mag zien en die de cursus hebben in het gevraagde jaar (?year=, standaard dit jaar)."
    ),
    "Of those, the people who completed it.": "Van hen, de mensen die de cursus hebben afgerond.",
    "Completed in percent; null without assignments.": "Afgerond in procenten; null zonder toewijzingen.",
    "A course cannot move to another organisation.": "Een cursus kan niet naar een andere organisatie.",
    "Instead of people: every active member of this unit and of the units below it.": (
        "In plaats van mensen: ieder actief lid van deze eenheid en van de eenheden eronder."
    ),
    "How many people got the course now.": "Hoeveel mensen de cursus nu kregen.",
    "How many had it for that year already (left as they were).": (
        "Hoeveel mensen de cursus voor dat jaar al hadden (ongewijzigd gelaten)."
    ),
    "The new assignments.": "De nieuwe toewijzingen.",
    "In the assignment's year, not in the future.": "In het jaar van de toewijzing, niet in de toekomst.",
    "Counts for the assignment of that date's year.": "Telt voor de toewijzing in het jaar van die datum.",
    "Why the completion is undone (kept in the history).": (
        "Waarom de afronding ongedaan wordt gemaakt (blijft bewaard in de geschiedenis)."
    ),
    "%(person)s does not have %(course)s for %(year)s.": "%(person)s heeft %(course)s niet voor %(year)s.",
    # navigation, filters, forms, tables
    "Training": "Opleiding",
    "Mandatory": "Verplicht",
    "Year": "Jaar",
    "The year whose completion is shown (default: this year).": (
        "Het jaar waarvan de afronding wordt getoond (standaard: dit jaar)."
    ),
    "Course": "Cursus",
    "Members of unit (and below)": "Leden van eenheid (en eronder)",
    "Completed": "Afgerond",
    "Or everyone in a unit": "Of iedereen in een eenheid",
    "Every active member of the unit and of the units below it.": (
        "Ieder actief lid van de eenheid en van de eenheden eronder."
    ),
    "Completed on": "Afgerond op",
    "Why the completion is undone; kept in the history.": (
        "Waarom de afronding ongedaan wordt gemaakt; blijft bewaard in de geschiedenis."
    ),
    "Assigned": "Toegewezen",
    "Completion": "Afronding",
    # services
    "Only quality officers and administrators of %(organisation)s manage its training.": (
        "Alleen kwaliteitsfunctionarissen en beheerders van %(organisation)s beheren de opleidingen ervan."
    ),
    "Courses belong to an organisation, not to a %(kind)s.": (
        "Cursussen horen bij een organisatie, niet bij een %(kind)s."
    ),
    "Choose a year from %(first)s to %(last)s.": "Kies een jaar van %(first)s tot en met %(last)s.",
    "Choose people or a unit, not both.": "Kies mensen of een eenheid, niet allebei.",
    "%(unit)s is not part of %(organisation)s.": "%(unit)s hoort niet bij %(organisation)s.",
    "%(unit)s and its units have no active members.": "%(unit)s en de eenheden eronder hebben geen actieve leden.",
    "Choose at least one person, or a unit.": "Kies ten minste één persoon, of een eenheid.",
    "Not active: %(people)s.": "Niet actief: %(people)s.",
    "Not a member of %(organisation)s: %(people)s.": "Geen lid van %(organisation)s: %(people)s.",
    "%(person)s completed this training on %(date)s: it stays on record.": (
        "%(person)s heeft deze opleiding op %(date)s afgerond: die blijft geregistreerd."
    ),
    "Only %(person)s, their manager or team lead, or a quality officer records this completion.": (
        "Alleen %(person)s, diens leidinggevende of teamleider, of een kwaliteitsfunctionaris registreert deze "
        "afronding."
    ),
    "Give the date the training was completed.": "Geef de datum waarop de opleiding is afgerond.",
    "The completion date cannot be in the future.": "De datum van afronding kan niet in de toekomst liggen.",
    "The completion date must fall in %(year)s, the year of the assignment.": (
        "De datum van afronding moet in %(year)s liggen, het jaar van de toewijzing."
    ),
    "This training was completed on %(date)s already. A quality officer can reopen it first.": (
        "Deze opleiding is al op %(date)s afgerond. Een kwaliteitsfunctionaris kan haar eerst heropenen."
    ),
    "Only a quality officer of %(organisation)s reopens a training.": (
        "Alleen een kwaliteitsfunctionaris van %(organisation)s heropent een opleiding."
    ),
    "This training is not completed, so there is nothing to reopen.": (
        "Deze opleiding is niet afgerond, dus er valt niets te heropenen."
    ),
    "Say why the completion is undone.": "Geef aan waarom de afronding ongedaan wordt gemaakt.",
    "Keep the reason to %(max)s characters.": "Houd de reden binnen %(max)s tekens.",
    # pages
    "Courses": "Cursussen",
    "Assign %(course)s": "%(course)s toewijzen",
    "Completion recorded.": "Afronding geregistreerd.",
    "%(person)s no longer has to follow this course.": "%(person)s hoeft deze cursus niet meer te volgen.",
    "The training is open again.": "De opleiding staat weer open.",
    "Reopen %(training)s": "%(training)s heropenen",
    "My trainings": "Mijn opleidingen",
    "Training per person": "Opleiding per persoon",
    "Take this assignment back?": "Deze toewijzing intrekken?",
    "Unassign": "Toewijzing intrekken",
    "Assignments in %(year)s": "Toewijzingen in %(year)s",
    "%(completed)s of %(assigned)s completed": "%(completed)s van %(assigned)s afgerond",
    "Show": "Tonen",
    "Nobody has this course for this year.": "Niemand heeft deze cursus voor dit jaar.",
    "Assign it": "Wijs haar toe",
    "Mark completed": "Afgerond",
    "Mandatory trainings to do": "Verplichte opleidingen te doen",
    "All mandatory trainings of this year are done.": "Alle verplichte opleidingen van dit jaar zijn gedaan.",
    "%(year)s: %(completed)s of %(assigned)s completed": "%(year)s: %(completed)s van %(assigned)s afgerond",
    "You have no trainings to follow.": "U hoeft geen opleidingen te volgen.",
    "Per person": "Per persoon",
    "Assign": "Toewijzen",
    "Completion in %(year)s": "Afronding in %(year)s",
    "All units in sight": "Alle zichtbare eenheden",
    "Mandatory courses in %(year)s: %(completed)s of %(assigned)s completed": (
        "Verplichte cursussen in %(year)s: %(completed)s van %(assigned)s afgerond"
    ),
    "No mandatory trainings in sight for this year.": "Geen zichtbare verplichte opleidingen voor dit jaar.",
}

PLURALS = {
    "%(count)s person assigned for %(year)s.": (
        "%(count)s persoon toegewezen voor %(year)s.",
        "%(count)s personen toegewezen voor %(year)s.",
    ),
    "%(count)s had it already.": ("%(count)s had haar al.", "%(count)s hadden haar al."),
    "%(counter)s mandatory training to do": (
        "%(counter)s verplichte opleiding te doen",
        "%(counter)s verplichte opleidingen te doen",
    ),
}
