"""Writes of the management review (SPEC 7): preparing it (a review per organisation and year, never
for a future year, its ten sections made with it), the quality officer's commentary per section, the
meeting (attendees, decisions per input with their core actions), and finalising it: the pack is
assembled once more and frozen into the review (``pack``, ``pack_as_of``), after which nothing of the
review changes (every write refuses a finalised review with a ValidationError).

Who: the organisation's quality officers and administrators prepare, record and finalise
(``can_prepare``); whoever sees the organisation reads it. Every write is keyword-only and atomic, locks
the review row and records who and when in the history."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.choices import ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import action_create, action_set_status, validate_owner_for_unit
from qms.services.base import apply_changes, deny, save_validated, system_note
from qms.services.notifications import notify
from reviews.choices import COMMENTARY_REQUIRED, ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection
from reviews.selectors.pack import assemble_pack

PREPARER_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
REVIEW_FIELDS = {"meeting_date", "conclusion"}


def can_prepare(user, organisation: OrganisationUnit) -> bool:
    """Quality officers and administrators of the organisation (role on it or above)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).has_role(organisation, *PREPARER_ROLES)


def _lock(review: ManagementReview) -> ManagementReview:
    return ManagementReview.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=review.pk)


def _check_may_prepare(actor, review: ManagementReview) -> None:
    if not can_prepare(actor, review.organisation):
        deny(
            _("Only the quality officers and administrators of %(org)s prepare its management review.")
            % {"org": review.organisation}
        )


def _check_open(review: ManagementReview) -> None:
    """A finalised review is a record of the meeting as it was: nothing of it changes any more."""
    if review.is_finalised:
        raise ValidationError({"status": _("This management review is finalised: it does not change any more.")})


def _writable(actor, review: ManagementReview) -> ManagementReview:
    """The review locked for a change by ``actor``: who may, and not once finalised."""
    review = _lock(review)
    _check_may_prepare(actor, review)
    _check_open(review)
    return review


def _input(value: str, field: str = "input") -> str:
    if value not in ReviewInput.values:
        raise ValidationError({field: _("Choose one of the inputs of the review.")})
    return value


def _touch(review: ManagementReview, actor, reason) -> None:
    """A change of a part of the review shows in the review's own history (who, when, what)."""
    save_validated(review, actor=actor, reason=system_note(reason))


# --- preparing -------------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *, actor, organisation: OrganisationUnit, year: int, meeting_date: datetime.date | None = None
) -> ManagementReview:
    """Start the review of ``organisation`` for ``year`` with its ten sections. Refused: a year after
    the current one (error on ``year``), a second review for the same organisation and year (``year``),
    a unit that is not an organisation (``organisation``)."""
    if not can_prepare(actor, organisation):
        deny(
            _("Only the quality officers and administrators of %(org)s prepare its management review.")
            % {"org": organisation}
        )
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError(
            {
                "organisation": _("A management review is held by an organisation, not by %(unit)s.")
                % {"unit": organisation}
            }
        )
    current = timezone.localdate().year
    if isinstance(year, int) and year > current:
        raise ValidationError(
            {
                "year": _("A review looks back: %(year)s is after the current year (%(current)s).")
                % {"year": year, "current": current}
            }
        )
    # The organisation's row serialises two people starting the same review at once (one wins, the other
    # gets the field error, not a database error).
    OrganisationUnit.objects.select_for_update().filter(pk=organisation.pk).first()
    if ManagementReview.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(
            {"year": _("%(org)s already has a management review for %(year)s.") % {"org": organisation, "year": year}}
        )
    review = ManagementReview(
        organisation=organisation,
        year=year,
        meeting_date=meeting_date,
        prepared_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    save_validated(review, actor=actor, reason=system_note(gettext_lazy("Management review started")))
    for code in ReviewInput.values:
        save_validated(ReviewSection(review=review, input=code), actor=actor)
    return review


@transaction.atomic
def review_update(*, actor, review: ManagementReview, **changes) -> ManagementReview:
    """Change ``meeting_date`` or ``conclusion`` (not once finalised)."""
    unknown = set(changes) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} on a management review")
    review = _writable(actor, review)
    if "conclusion" in changes and changes["conclusion"] is None:
        changes["conclusion"] = ""
    if apply_changes(review, changes, REVIEW_FIELDS):
        _touch(review, actor, gettext_lazy("Management review changed"))
    return review


@transaction.atomic
def section_comment(*, actor, review: ManagementReview, input: str, commentary: str) -> ReviewSection:  # noqa: A002
    """Write the commentary of one section (not once finalised)."""
    review = _writable(actor, review)
    code = _input(input)
    section = ReviewSection.objects.select_for_update().filter(review=review, input=code).first()
    if section is None:  # a review made before an input was added to the clause's list
        section = ReviewSection(review=review, input=code)
    commentary = (commentary or "").strip()
    if section.pk is not None and section.commentary == commentary:
        return section
    section.commentary = commentary
    section.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    save_validated(section, actor=actor)
    return section


# --- the meeting -----------------------------------------------------------------------------------


@transaction.atomic
def attendee_add(
    *, actor, review: ManagementReview, user: User | None = None, name: str = "", function: str = ""
) -> ReviewAttendee:
    """Record someone at the meeting: a person of the organisation (or of its group), or a guest by
    name."""
    review = _writable(actor, review)
    name, function = (name or "").strip(), (function or "").strip()
    if user is None and not name:
        raise ValidationError({"user": _("Choose a person or give a name.")})
    if user is not None:
        validate_owner_for_unit(user, review.organisation, field="user")
        if ReviewAttendee.objects.filter(review=review, user=user).exists():
            raise ValidationError({"user": _("%(person)s is already an attendee.") % {"person": user}})
    attendee = ReviewAttendee(review=review, user=user, name=name, function=function)
    save_validated(attendee, actor=actor)
    return attendee


@transaction.atomic
def attendee_remove(*, actor, attendee: ReviewAttendee) -> None:
    """Take someone off the attendees (not once finalised)."""
    _writable(actor, attendee.review)
    attendee._history_user = actor
    attendee.delete()


def _action_errors(review: ManagementReview, actions: list[dict]) -> list[str]:
    """What is wrong with each action of a new decision, before anything is written: "Action 2: ..."."""
    today = timezone.localdate()
    problems = []
    for number, spec in enumerate(actions, start=1):
        if not isinstance(spec, dict):
            problems.append(_("Action %(number)s: give a title, an owner and a due date.") % {"number": number})
            continue
        messages = []
        if not str(spec.get("title") or "").strip():
            messages.append(_("Give the action a title."))
        owner, due_date = spec.get("owner"), spec.get("due_date")
        if not isinstance(owner, User):
            messages.append(_("Every action needs an owner."))
        else:
            try:
                validate_owner_for_unit(owner, review.organisation)
            except ValidationError as error:
                messages.extend(error.messages)
        if not isinstance(due_date, datetime.date):
            messages.append(_("Every action needs a due date."))
        elif due_date < today:
            messages.append(_("The due date cannot be in the past."))
        problems.extend(
            _("Action %(number)s: %(problem)s") % {"number": number, "problem": message} for message in messages
        )
    return problems


def _create_action(*, actor, decision: ReviewDecision, title, owner, due_date, description="") -> Action:
    return action_create(
        actor=actor,
        unit=decision.review.organisation,
        owner=owner,
        title=str(title).strip(),
        due_date=due_date,
        description=description or "",
        kind=ActionKind.REVIEW_DECISION,
        source=decision,
        check_permission=False,  # the review's own rule (can_prepare) was checked
    )


@transaction.atomic
def decision_add(
    *, actor, review: ManagementReview, input: str, text: str, actions: list[dict] | None = None
) -> ReviewDecision:  # noqa: A002
    """Record a decision on one input with its actions (each ``{"title", "owner", "due_date",
    "description"?}``; core actions of kind ``review_decision`` in the organisation, the decision as
    source, owners told), all or nothing."""
    review = _writable(actor, review)
    code = _input(input)
    text = (text or "").strip()
    actions = list(actions or [])
    errors = {}
    if not text:
        errors["text"] = [_("Write the decision.")]
    problems = _action_errors(review, actions)
    if problems:
        errors["actions"] = problems
    if errors:
        raise ValidationError(errors)
    decision = ReviewDecision(
        review=review,
        input=code,
        text=text,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    save_validated(decision, actor=actor)
    for spec in actions:
        _create_action(
            actor=actor,
            decision=decision,
            title=spec["title"],
            owner=spec["owner"],
            due_date=spec["due_date"],
            description=spec.get("description", ""),
        )
    return decision


@transaction.atomic
def decision_remove(*, actor, decision: ReviewDecision) -> None:
    """Remove a decision of a review in preparation, and its open actions (cancelled)."""
    _writable(actor, decision.review)
    note = system_note(gettext_lazy("The management review's decision was withdrawn."))
    actions = list(Action.objects.select_for_update().filter(pk__in=decision.actions.values("pk")))
    for action in actions:
        if action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
            action = action_set_status(
                actor=actor, action=action, status=ActionStatus.CANCELLED, note=note, check_permission=False
            )
        # The actions stay (their owners were told of them), without the decision as their source: the
        # generic relation would delete them with it.
        action.source_content_type = None
        action.source_object_id = None
        save_validated(action, actor=actor, reason=note)
    decision._history_user = actor
    decision.delete()


@transaction.atomic
def decision_action_add(
    *, actor, decision: ReviewDecision, title: str, owner: User, due_date: datetime.date, description: str = ""
) -> Action:
    """One more action of a decision (not once the review is finalised)."""
    review = _writable(actor, decision.review)
    errors = {}
    if not str(title or "").strip():
        errors["title"] = [_("Give the action a title.")]
    if not isinstance(owner, User):
        errors["owner"] = [_("Every action needs an owner.")]
    if not isinstance(due_date, datetime.date):
        errors["due_date"] = [_("Every action needs a due date.")]
    if errors:
        raise ValidationError(errors)
    # action_create checks the owner (active, of the organisation) and the due date (not in the past).
    decision.review = review
    return _create_action(
        actor=actor, decision=decision, title=title, owner=owner, due_date=due_date, description=description
    )


# --- finalising ------------------------------------------------------------------------------------


def finalise_problems(review: ManagementReview) -> dict[str, list[str]]:
    """What stands between the review and finalising it, per field (empty when it may be finalised):
    ``attendees``, ``meeting_date``, ``sections`` (naming the sections without commentary)."""
    errors: dict[str, list[str]] = {}
    if not review.attendees.exists():
        errors["attendees"] = [_("Record who attended the meeting.")]
    if review.meeting_date is None:
        errors["meeting_date"] = [_("Give the date of the meeting.")]
    commented = set(review.sections.exclude(commentary="").values_list("input", flat=True))
    missing = [ReviewInput(code).label for code in COMMENTARY_REQUIRED if code not in commented]
    if missing:
        errors["sections"] = [
            _("Write the commentary of: %(sections)s.") % {"sections": ", ".join(str(label) for label in missing)}
        ]
    return errors


def json_safe(pack: dict) -> dict:
    """The pack as plain JSON (dates and decimals as strings), as it will read back from the database."""
    return json.loads(json.dumps(pack, cls=DjangoJSONEncoder))


@transaction.atomic
def review_finalise(*, actor, review: ManagementReview) -> ManagementReview:
    """Freeze the review. Refused (ValidationError) without attendees (``attendees``), without a meeting
    date (``meeting_date``), or with a section in ``COMMENTARY_REQUIRED`` without commentary (``sections``,
    naming them). Assembles the pack (``reviews.selectors.pack.assemble_pack``) and stores it with the
    moment, in the same transaction; the board members of the organisation are told."""
    review = _writable(actor, review)
    problems = finalise_problems(review)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    pack = json_safe(assemble_pack(organisation=review.organisation, year=review.year, review=review))
    as_of = parse_datetime(pack["as_of"]) if isinstance(pack.get("as_of"), str) else None
    review.pack = pack
    review.pack_as_of = as_of if as_of is not None and timezone.is_aware(as_of) else now
    review.status = ReviewStatus.FINALISED
    review.finalised_by = actor if getattr(actor, "is_authenticated", False) else None
    review.finalised_at = now
    _touch(review, actor, gettext_lazy("Management review finalised"))
    organisation = review.organisation
    board = RoleHolders([organisation], [Role.BOARD_MEMBER]).on(organisation, Role.BOARD_MEMBER)
    notify(
        recipients=board,
        verb="review_finalised",
        title=gettext_lazy("The management review %(year)s of %(org)s is final"),
        params={"year": review.year, "org": organisation},
        body=gettext_lazy("The review's pack, decisions and actions are ready to read, and as a PDF."),
        target=review,
        exclude=[actor],
    )
    return review
