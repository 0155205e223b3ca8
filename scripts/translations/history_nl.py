"""Dutch translations of the History tabs (issue 2 item 8: a history on every record page):
``scripts/po_fill.py`` fills them into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    # qms.history: a related record outside the reader's sight
    "(not visible)": "(niet zichtbaar)",
    # the roles of a unit or a person
    "Role given": "Rol gegeven",
    "Role removed": "Rol afgenomen",
    "%(role)s: %(person)s": "%(role)s: %(person)s",
    "%(role)s in %(unit)s": "%(role)s in %(unit)s",
    # an objective's key results
    "Key result %(kpi)s": "Kernresultaat %(kpi)s",
    # a course's assignments: the person and the year
    "%(person)s, %(year)s": "%(person)s, %(year)s",
    # the matrix and categories of an organisation
    "Risk matrix": "Risicomatrix",
    "Category %(name)s": "Categorie %(name)s",
    # a month's scores, an organisation's areas
    "The month": "De maand",
    "Score of %(area)s": "Score van %(area)s",
    "Area %(area)s": "Gebied %(area)s",
}

PLURALS = {}
