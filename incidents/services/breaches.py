"""Writes of the breaches part: the data-breach protocol (SPEC 5.5, GDPR articles 33 and 34).

A breach is opened from an incident whose reporter answered yes to the security-or-privacy question
(``breach_open_from_incident``, in the incident's transaction) or directly by a data-protection officer,
quality officer or administrator (``breach_create``). Its owner (the nearest data-protection officer,
else a quality officer) assesses it; the authority must be notified within 72 clock hours of discovery
unless it was assessed as no risk, the people concerned when the risk is high; either notification is
recorded with its time, or the reason it was not made. ``breach_reminders_run`` reminds at 24, 48 and
60 hours and when the deadline has passed, each once per breach.

Who: the owner, data-protection officers and quality officers of the organisation handle a breach;
administrators see it and may open one. Anyone else reports a suspected breach through an incident
(the mandatory question), and does not see the record: breach records hold what is known about the
people affected, so the register is for the few who handle it (``DataBreachQuerySet.visible_to``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import BreachRisk, BreachStatus
from incidents.models import DataBreach, Incident
from incidents.models.breaches import (
    BREACH_HANDLER_ROLES,
    BREACH_READER_ROLES,
    REMINDER_24H,
    REMINDER_48H,
    REMINDER_60H,
    REMINDER_OVERDUE,
    authority_deadline_for,
)
from incidents.selectors.breaches import (
    breach_owner_for,
    breach_role_holders,
    is_breach_officer,
    organisation_role_holders,
)
from qms.choices import Role, UnitKind
from qms.models import OrganisationUnit, User
from qms.scoping import scope_for
from qms.services.base import deny, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify

BREACH_FIELDS = {"title", "description", "discovered_at", "owner"}
# A clock a little ahead of ours (an integration's) is no reason to refuse "notified just now".
CLOCK_SKEW = datetime.timedelta(minutes=2)
REMINDER_VERBS = ["breach_opened", "breach_reminder", "breach_escalated", "breach_overdue"]


# --- who may do what ---------------------------------------------------------------------------


def can_open_breach(user, organisation: OrganisationUnit) -> bool:
    """Data-protection officers, quality officers and administrators open a breach directly; everyone
    else reports it through an incident (the security-or-privacy question)."""
    return scope_for(user).has_role(organisation, *BREACH_READER_ROLES)


def can_handle_breach(user, breach: DataBreach) -> bool:
    """The owner, and the data-protection officers and quality officers of the organisation."""
    return breach.owner_id == user.pk or scope_for(user).has_role(breach.organisation, *BREACH_HANDLER_ROLES)


def can_edit_breach(user, breach: DataBreach) -> bool:
    """Whoever handles it, and the administrators of the organisation (who give it another owner)."""
    return breach.owner_id == user.pk or scope_for(user).has_role(breach.organisation, *BREACH_READER_ROLES)


def _check_handler(actor, breach: DataBreach) -> None:
    if not can_handle_breach(actor, breach):
        deny(_("Only the owner, data-protection officers and quality officers handle this breach."))


def _check_open(breach: DataBreach) -> None:
    if breach.status == BreachStatus.CLOSED:
        raise ValidationError(_("This breach is closed."))


def _check_moment(value: datetime.datetime | None, breach: DataBreach, field: str) -> None:
    """A notification happened after the discovery, and not in the future."""
    if value is None:
        raise ValidationError({field: _("Give the date and time of the notification.")})
    if value < breach.discovered_at:
        raise ValidationError({field: _("A notification cannot be made before the breach was discovered.")})
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError({field: _("A notification cannot be recorded in the future.")})


def _check_discovered_at(value: datetime.datetime | None) -> None:
    if value is None:
        raise ValidationError({"discovered_at": _("Give when the breach was discovered.")})
    if value > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"discovered_at": _("A breach cannot be discovered in the future.")})


def _check_owner(owner: User, organisation: OrganisationUnit) -> None:
    if not owner.is_active or not is_breach_officer(owner, organisation):
        message = _("The owner must be a data-protection officer or quality officer of %(org)s.")
        raise ValidationError({"owner": message % {"org": organisation}})


def _lock(breach: DataBreach) -> DataBreach:
    return DataBreach.objects.select_for_update(of=("self",)).select_related("organisation", "owner").get(pk=breach.pk)


def _tell_opened(breach: DataBreach, *, actor) -> None:
    """The owner and every data-protection officer and quality officer of the organisation hear of a new
    breach at once, with the deadline; without any, its administrators (who see it)."""
    roles = [Role.DATA_PROTECTION_OFFICER, Role.QUALITY_OFFICER]
    if breach.owner is None:
        # Nobody holds either role: the administrators are the only ones who see it.
        recipients = organisation_role_holders(breach.organisation, [Role.ADMINISTRATOR])
    else:
        recipients = [breach.owner, *organisation_role_holders(breach.organisation, roles)]
    notify(
        recipients=recipients,
        verb="breach_opened",
        title=gettext_lazy("Data breach to assess: %(title)s"),
        params={"title": breach.title},
        body=gettext_lazy(
            "A possible data breach of %(organisation)s was discovered at %(discovered)s. Unless it is assessed "
            "as no risk to the people concerned, the authority must be notified by %(deadline)s "
            "(72 hours, GDPR article 33)."
        ),
        body_params={
            "organisation": breach.organisation,
            "discovered": breach.discovered_at,
            "deadline": breach.authority_deadline,
        },
        target=breach,
        exclude=[actor] if actor is not None else [],
    )


# --- opening -----------------------------------------------------------------------------------


@transaction.atomic
def breach_open_from_incident(*, incident: Incident, actor) -> DataBreach:
    """Open the breach record of an incident reported as concerning security or privacy (called by the
    incident service in the same transaction). Idempotent: an incident has at most one breach, and a
    second call returns it."""
    existing = DataBreach.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    organisation = incident.organisation
    breach = DataBreach(
        organisation=organisation,
        incident=incident,
        title=incident.title,
        description=incident.description,
        discovered_at=incident.reported_at,
        authority_deadline=authority_deadline_for(incident.reported_at),
        owner=breach_owner_for(organisation),
    )
    save_validated(
        breach,
        actor=actor,
        reason=system_note(gettext_lazy("Opened from incident #%(number)s"), number=incident.pk),
    )
    _tell_opened(breach, actor=actor)
    return breach


@transaction.atomic
def breach_create(
    *,
    actor,
    organisation: OrganisationUnit,
    title: str,
    discovered_at: datetime.datetime,
    description: str = "",
    owner: User | None = None,
) -> DataBreach:
    """Open a breach directly (data-protection officers, quality officers, administrators of the
    organisation). The owner defaults to the nearest data-protection officer, else a quality officer."""
    if not can_open_breach(actor, organisation):
        deny(_("Only data-protection officers, quality officers and administrators open a breach record."))
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("A breach belongs to an organisation, not to one of its units.")})
    _check_discovered_at(discovered_at)
    if owner is None:
        owner = breach_owner_for(organisation)
    else:
        _check_owner(owner, organisation)
    breach = DataBreach(
        organisation=organisation,
        title=title,
        description=description,
        discovered_at=discovered_at,
        authority_deadline=authority_deadline_for(discovered_at),
        owner=owner,
    )
    save_validated(breach, actor=actor)
    _tell_opened(breach, actor=actor)
    return breach


@transaction.atomic
def breach_update(*, actor, breach: DataBreach, reason: str = "", **changes) -> DataBreach:
    """Change the title, description, discovery time or owner. A new discovery time moves the deadline."""
    breach = _lock(breach)
    if not can_edit_breach(actor, breach):
        deny(_("You cannot change this breach."))
    _check_open(breach)
    unknown = set(changes) - BREACH_FIELDS
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} on a data breach")
    changed = [name for name, value in changes.items() if getattr(breach, name) != value]
    if not changed:
        return breach
    for name in changed:
        setattr(breach, name, changes[name])
    if "discovered_at" in changed:
        _check_discovered_at(breach.discovered_at)
        for field in ("authority_notified_at", "subjects_notified_at"):
            moment = getattr(breach, field)
            if moment is not None and moment < breach.discovered_at:
                raise ValidationError({"discovered_at": _("A notification was recorded before this time.")})
        breach.authority_deadline = authority_deadline_for(breach.discovered_at)
    if "owner" in changed:
        if breach.owner is None:
            raise ValidationError({"owner": _("A breach needs an owner.")})
        _check_owner(breach.owner, breach.organisation)
    save_validated(breach, actor=actor, reason=reason)
    if "owner" in changed and breach.owner_id != actor.pk:
        notify(
            recipients=[breach.owner],
            verb="breach_opened",
            title=gettext_lazy("You own a data breach now: %(title)s"),
            params={"title": breach.title},
            body=gettext_lazy("Unless assessed as no risk, the authority must be notified by %(deadline)s."),
            body_params={"deadline": breach.authority_deadline},
            target=breach,
        )
    return breach


# --- the protocol ------------------------------------------------------------------------------


@transaction.atomic
def breach_assess(
    *,
    actor,
    breach: DataBreach,
    personal_data: bool,
    risk: str,
    data_categories: str = "",
    people_affected: int | None = None,
    assessment: str = "",
    containment: str = "",
) -> DataBreach:
    """Record (or revise) the assessment: personal data involved, which and of how many people, the risk
    to them (none, risk, high risk) and the containment measures."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    errors = {}
    if personal_data is None:
        errors["personal_data"] = _("Say whether personal data is involved.")
    if risk not in BreachRisk.values:
        errors["risk"] = _("Choose the risk to the people concerned: none, risk or high risk.")
    elif personal_data is False and risk != BreachRisk.NONE:
        errors["risk"] = _("Without personal data involved there is no risk to people concerned: choose none.")
    if people_affected is not None and people_affected < 0:
        errors["people_affected"] = _("Give a number of people of 0 or more.")
    if errors:
        raise ValidationError(errors)
    breach.personal_data = personal_data
    breach.risk = risk
    breach.data_categories = data_categories
    breach.people_affected = people_affected
    breach.assessment = assessment
    breach.containment = containment
    breach.status = BreachStatus.ASSESSED
    breach.assessed_at = timezone.now()
    save_validated(breach, actor=actor)
    if risk == BreachRisk.NONE:
        # No notification is due: the reminders are settled.
        notifications_resolve(target=breach, verbs=REMINDER_VERBS)
    return breach


@transaction.atomic
def breach_notify_authority(
    *, actor, breach: DataBreach, notified_at: datetime.datetime, reference: str = ""
) -> DataBreach:
    """Record when the authority (Autoriteit Persoonsgegevens) was notified, and its reference."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    _check_moment(notified_at, breach, "notified_at")
    breach.authority_notified_at = notified_at
    breach.authority_reference = reference
    breach.authority_not_notified_reason = ""
    save_validated(breach, actor=actor)
    notifications_resolve(target=breach, verbs=REMINDER_VERBS)
    return breach


@transaction.atomic
def breach_record_authority_not_notified(*, actor, breach: DataBreach, reason: str = "") -> DataBreach:
    """Record that the authority is not notified and why. Assessed as no risk, the assessment is the
    reason (GDPR article 33(1)); otherwise a reason is required (article 33(5): documented)."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    if breach.authority_notified_at is not None:
        raise ValidationError({"reason": _("The authority has been notified already.")})
    reason = reason.strip()
    if not reason:
        if breach.risk != BreachRisk.NONE:
            raise ValidationError(
                {"reason": _("Say why the authority is not notified: only a breach assessed as no risk needs none.")}
            )
        reason = system_note(gettext_lazy("Assessed as no risk to the people concerned (GDPR article 33(1))."))
    breach.authority_not_notified_reason = reason
    save_validated(breach, actor=actor)
    notifications_resolve(target=breach, verbs=REMINDER_VERBS)
    return breach


@transaction.atomic
def breach_notify_subjects(*, actor, breach: DataBreach, notified_at: datetime.datetime) -> DataBreach:
    """Record when the people concerned were notified (required at a high risk, GDPR article 34)."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    _check_moment(notified_at, breach, "notified_at")
    breach.subjects_notified_at = notified_at
    breach.subjects_not_notified_reason = ""
    save_validated(breach, actor=actor)
    return breach


@transaction.atomic
def breach_record_subjects_not_notified(*, actor, breach: DataBreach, reason: str = "") -> DataBreach:
    """Record that the people concerned are not notified, and why (GDPR article 34(3): e.g. the data
    was encrypted, the high risk no longer likely, or a public communication instead)."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    if breach.subjects_notified_at is not None:
        raise ValidationError({"reason": _("The people concerned have been notified already.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the people concerned are not notified.")})
    breach.subjects_not_notified_reason = reason
    save_validated(breach, actor=actor)
    return breach


def close_blockers(breach: DataBreach) -> list[str]:
    """What stands between the breach and closing it (empty: it may close)."""
    blockers = []
    if breach.status == BreachStatus.ASSESSMENT or not breach.risk:
        blockers.append(_("Assess the breach first."))
        return blockers
    if not breach.authority_answered:
        blockers.append(_("Record the notification of the authority, or why it was not notified."))
    if breach.subjects_required and not breach.subjects_answered:
        blockers.append(
            _("At a high risk, record the notification of the people concerned, or why they were not notified.")
        )
    return blockers


@transaction.atomic
def breach_close(*, actor, breach: DataBreach) -> DataBreach:
    """Close a breach once assessed, the authority question answered and, at a high risk, the people
    concerned question too. It stays in the register (GDPR article 33(5))."""
    breach = _lock(breach)
    _check_handler(actor, breach)
    _check_open(breach)
    blockers = close_blockers(breach)
    if blockers:
        raise ValidationError(blockers)
    breach.status = BreachStatus.CLOSED
    breach.closed_at = timezone.now()
    save_validated(breach, actor=actor)
    notifications_resolve(target=breach, verbs=REMINDER_VERBS)
    return breach


# --- reminders ---------------------------------------------------------------------------------

# (bit, hours after discovery, bits it settles): the latest stage due wins, so a breach recorded late
# does not get the earlier reminders all at once; the overdue notice also carries the 60-hour one.
REMINDER_STAGES = (
    (REMINDER_OVERDUE, 72, REMINDER_OVERDUE | REMINDER_60H | REMINDER_48H | REMINDER_24H),
    (REMINDER_60H, 60, REMINDER_60H),
    (REMINDER_48H, 48, REMINDER_48H | REMINDER_24H),
    (REMINDER_24H, 24, REMINDER_24H),
)


def breach_reminders_run(*, now: datetime.datetime | None = None) -> int:
    """Remind about breaches whose authority question is open: the owner at 24 and 48 hours after
    discovery, the quality officers and the board at 60 hours, and the owner and quality officers once
    the 72 hours have passed; each once per breach. Set-based: per stage one query claims the breaches
    (row locks, skipping those a concurrent run holds) and one marks them, so two runs never send twice.
    Returns how many reminders went out (one per breach and stage)."""
    now = now or timezone.now()
    sent = 0
    for bit, hours, settles in REMINDER_STAGES:
        with transaction.atomic():
            due = (
                DataBreach.objects.authority_pending()
                .filter(discovered_at__lte=now - datetime.timedelta(hours=hours))
                .alias(reminded=F("reminders_sent").bitand(bit))
                .filter(reminded=0)
                .select_related("organisation", "owner")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
            )
            breaches = list(due)
            if not breaches:
                continue
            DataBreach.objects.filter(pk__in=[breach.pk for breach in breaches]).update(
                reminders_sent=F("reminders_sent").bitor(settles)
            )
            holders = breach_role_holders(
                {breach.organisation_id: breach.organisation for breach in breaches}.values(),
                [Role.QUALITY_OFFICER, Role.BOARD_MEMBER],
            )
            for breach in breaches:
                _remind(breach, bit, holders, now)
            sent += len(breaches)
    return sent


def _remind(breach: DataBreach, bit: int, holders, now: datetime.datetime) -> None:
    officers = holders.nearest(breach.organisation, Role.QUALITY_OFFICER)
    left = max(0, round(breach.hours_left(now)))
    params = {"title": breach.title}
    body_params = {"deadline": breach.authority_deadline, "hours": left}
    tell_board = bit == REMINDER_60H or (bit == REMINDER_OVERDUE and not breach.reminders_sent & REMINDER_60H)
    if bit in (REMINDER_24H, REMINDER_48H):
        notify(
            recipients=[breach.owner] if breach.owner else officers,
            verb="breach_reminder",
            title=gettext_lazy("Data breach %(title)s: the authority has not been notified yet"),
            params=params,
            body=gettext_lazy(
                "%(hours)s hours left: the authority must be notified by %(deadline)s, unless the breach is "
                "assessed as no risk (GDPR article 33). Record the notification, or why it is not made."
            ),
            body_params=body_params,
            target=breach,
        )
    elif bit == REMINDER_60H:
        notify(
            recipients=[*officers, *([breach.owner] if breach.owner else [])],
            verb="breach_escalated",
            title=gettext_lazy("Data breach %(title)s: 60 hours without notification to the authority"),
            params=params,
            body=gettext_lazy("%(hours)s hours left: the authority must be notified by %(deadline)s."),
            body_params=body_params,
            target=breach,
        )
    else:
        notify(
            recipients=[*officers, *([breach.owner] if breach.owner else [])],
            verb="breach_overdue",
            title=gettext_lazy("Data breach %(title)s: the 72 hours to notify the authority have passed"),
            params=params,
            body=gettext_lazy(
                "The authority had to be notified by %(deadline)s. Notify it now and record why it is late "
                "(GDPR article 33(1))."
            ),
            body_params=body_params,
            target=breach,
        )
    if tell_board:
        # The board is told that the clock runs, not what the breach is: the record is not theirs to see,
        # so the notification names no breach and links to nothing.
        notify(
            recipients=holders.nearest(breach.organisation, Role.BOARD_MEMBER),
            verb="breach_board_alert",
            title=gettext_lazy("A data breach of %(organisation)s is close to its 72-hour deadline"),
            params={"organisation": breach.organisation},
            body=gettext_lazy(
                "The authority has not been notified yet; the deadline is %(deadline)s. The data-protection "
                "officer and the quality officers handle it."
            ),
            body_params={"deadline": breach.authority_deadline},
            exclude=[breach.owner] if breach.owner else [],
        )


# --- privacy: the open work of a person to be erased --------------------------------------------


def open_breaches(user):
    """Breaches the person owns that are not closed."""
    return DataBreach.objects.filter(owner=user).exclude(status=BreachStatus.CLOSED)


def reassign_breaches(*, user, successor, actor) -> int:
    """Hand the person's open breaches to ``successor`` (who must be a data-protection officer or
    quality officer of each organisation)."""
    breaches = list(open_breaches(user).select_related("organisation"))
    reason = system_note(gettext_lazy("The owner's account was erased"))
    for breach in breaches:
        try:
            breach_update(actor=actor, breach=breach, owner=successor, reason=reason)
        except ValidationError as error:
            raise ValidationError({"successor": error.messages}) from error
    return len(breaches)
