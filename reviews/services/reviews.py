"""Writes of the management review (SPEC 7): preparing it (a review per organisation and year, never
for a future year, its ten sections made with it), the quality officer's commentary per section, the
meeting (attendees, decisions per input with their core actions), and finalising it: the pack is
assembled once more and frozen into the review (``pack``, ``pack_as_of``), after which nothing of the
review changes (every write refuses a finalised review with a ValidationError).

Who: the organisation's quality officers and administrators prepare, record and finalise
(``can_prepare``); whoever sees the organisation reads it. Every write is keyword-only and atomic, locks
the review row and records who and when in the history."""

import datetime

from qms.models import Action, OrganisationUnit, User
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection


def can_prepare(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation (role on it or above)."""
    raise NotImplementedError


def review_create(
    *, actor, organisation: OrganisationUnit, year: int, meeting_date: datetime.date | None = None
) -> ManagementReview:
    """Start the review of ``organisation`` for ``year`` with its ten sections. Refused: a year after
    the current one (error on ``year``), a second review for the same organisation and year (``year``),
    a unit that is not an organisation (``organisation``)."""
    raise NotImplementedError


def review_update(*, actor, review: ManagementReview, **changes) -> ManagementReview:
    """Change ``meeting_date`` or ``conclusion`` (not once finalised)."""
    raise NotImplementedError


def section_comment(*, actor, review: ManagementReview, input: str, commentary: str) -> ReviewSection:  # noqa: A002
    """Write the commentary of one section (not once finalised)."""
    raise NotImplementedError


def attendee_add(
    *, actor, review: ManagementReview, user: User | None = None, name: str = "", function: str = ""
) -> ReviewAttendee:
    raise NotImplementedError


def attendee_remove(*, actor, attendee: ReviewAttendee) -> None:
    raise NotImplementedError


def decision_add(
    *, actor, review: ManagementReview, input: str, text: str, actions: list[dict] | None = None
) -> ReviewDecision:  # noqa: A002
    """Record a decision on one input with its actions (each ``{"title", "owner", "due_date",
    "description"?}``; core actions of kind ``review_decision`` in the organisation, the decision as
    source, owners told), all or nothing."""
    raise NotImplementedError


def decision_remove(*, actor, decision: ReviewDecision) -> None:
    """Remove a decision of a review in preparation, and its open actions (cancelled)."""
    raise NotImplementedError


def decision_action_add(
    *, actor, decision: ReviewDecision, title: str, owner: User, due_date: datetime.date, description: str = ""
) -> Action:
    raise NotImplementedError


def review_finalise(*, actor, review: ManagementReview) -> ManagementReview:
    """Freeze the review. Refused (ValidationError) without attendees (``attendees``), without a meeting
    date (``meeting_date``), or with a section in ``COMMENTARY_REQUIRED`` without commentary (``sections``,
    naming them). Assembles the pack (``reviews.selectors.pack.assemble_pack``) and stores it with the
    moment, in the same transaction; the board members of the organisation are told."""
    raise NotImplementedError
