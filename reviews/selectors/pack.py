"""The management review's pack: one section per input of ISO 9001 9.3.2, assembled from the system's
own data for the review's year (``assemble_pack``), as plain JSON (numbers, strings, lists, dicts) so
that finalising can freeze it into the review as it is. A section is
``{"input": code, "figures": {...}, "rows": [...], "chart": {...} | None}``; each section's reads cost a
fixed number of queries whatever the size of the data (aggregates, not rows).

``pack_for(review)`` is the pack to show: the frozen one of a finalised review, else assembled now."""


def assemble_pack(*, organisation, year: int, review=None) -> dict:
    """``{"organisation": name, "year": year, "as_of": iso timestamp, "period": [start, end],
    "sections": {input: section}}``. ``review`` (optional) gives the previous reviews' actions."""
    raise NotImplementedError


def pack_for(review) -> dict:
    raise NotImplementedError
