"""The review as one document, for the page and the PDF alike: the pack's sections (frozen or live, in
the order of ISO 9001 9.3.2) each with its commentary and its decisions with their actions, the
attendees, and the moment the figures are from. A fixed number of queries (sections, attendees,
decisions with their actions), whatever the size of the review."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from qms.models import Action
from reviews.choices import ReviewInput
from reviews.models import ReviewAttendee, ReviewDecision, ReviewSection


def pack_sections(pack: dict | None) -> list[dict]:
    """The pack's sections as a list in the order of the inputs (the pack gives a list; a dict keyed by
    input is read too), each with its ``input`` code."""
    sections = (pack or {}).get("sections") or []
    if isinstance(sections, dict):
        sections = [{"input": code, **(section or {})} for code, section in sections.items()]
    order = {code: index for index, code in enumerate(ReviewInput.values)}
    return sorted((dict(section) for section in sections), key=lambda section: order.get(section.get("input"), 99))


def pack_moment(review, pack: dict | None) -> datetime.datetime | None:
    """When the figures were taken: the frozen pack's moment for a finalised review, else the pack's."""
    if review.is_finalised and review.pack_as_of:
        return timezone.localtime(review.pack_as_of)
    value = (pack or {}).get("as_of")
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is not None and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment


def decisions_of(review) -> list[ReviewDecision]:
    actions = Action.objects.select_related("owner").order_by("due_date", "id")
    return list(
        ReviewDecision.objects.filter(review=review)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("id")
    )


def attendees_of(review) -> list[ReviewAttendee]:
    return list(ReviewAttendee.objects.filter(review=review).select_related("user").order_by("id"))


def review_document(review, pack: dict | None) -> dict:
    """``{"sections": [...], "attendees": [...], "decisions": [...], "as_of": datetime}``; each section is
    the pack's (figures, tables, chart, empty) with ``label`` (the input's name), ``section`` (the
    ReviewSection with its commentary, or None) and ``decisions`` (on that input)."""
    commentary = {section.input: section for section in ReviewSection.objects.filter(review=review)}
    decisions = decisions_of(review)
    sections = pack_sections(pack)
    present = {section.get("input") for section in sections}
    # Every input has its section on the page, with its commentary, even where the pack has none.
    sections += [
        {"input": code, "figures": [], "tables": [], "chart": None}
        for code in ReviewInput.values
        if code not in present
    ]
    sections = pack_sections({"sections": sections})
    labels = dict(ReviewInput.choices)
    for section in sections:
        code = section.get("input")
        section["label"] = labels.get(code, code)
        section["section"] = commentary.get(code)
        section["decisions"] = [decision for decision in decisions if decision.input == code]
        section.setdefault("figures", [])
        section.setdefault("tables", [])
        section.setdefault("chart", None)
        section["has_data"] = bool(
            section["figures"] or any(table.get("rows") for table in section["tables"]) or section.get("chart")
        )
    return {
        "sections": sections,
        "attendees": attendees_of(review),
        "decisions": decisions,
        "as_of": pack_moment(review, pack),
    }
