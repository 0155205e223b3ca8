"""Writes of the non-conformities part (SPEC 5.6): registering a non-conformity from any source, the
CAPA workflow as one transition table (``NC_STEPS``, run by ``nc_step``), the actions of a round, the
effectiveness check (``check_record``), the CAPA overview's kept figures (``CapaQuarter``, counted by
``check_record`` and the ``close`` step, rebuilt by ``capa_figures_recount``), the cause-category
catalogue, the CAPAs proposed when non-conformities recur, the hand-over of a feedback escalation, and
the daily sweeps.

Every write is keyword-only and atomic, locks the non-conformity and records who, when and why in the
history; notifications are rows written in the same transaction (their e-mails leave after commit, so a
refused step tells nobody anything).

**The workflow.** An observation or a minor non-conformity is corrected and closed (``correct``,
``close``). A major one, or one a quality officer promotes, is a formal CAPA: registered -> analysis
(root cause, method, cause category) -> action plan (at least one corrective and one preventive action
of the round, core actions with an owner and a due date) -> implementation -> effectiveness check (at a
set date, by a verifier who is not the owner; optionally measured on a KPI) -> closed. A check that is
not (fully) effective sends the CAPA back to the action plan with a new round. Any open one may be
cancelled with a reason. Every gate that is not met is a ``ValidationError`` naming the field.
"""

import dataclasses
import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncQuarter
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.choices import (
    DEFAULT_CAUSE_CATEGORIES,
    DEFAULT_RECURRENCE_THRESHOLD,
    DEFAULT_RECURRENCE_WINDOW_DAYS,
    OPEN_NC_STATUSES,
    AnalysisMethod,
    NcKind,
    NcSource,
    NcStatus,
    ProposalStatus,
    Severity,
    Verdict,
)
from incidents.models import CapaProposal, CapaQuarter, CauseCategory, EffectivenessCheck, NonConformity
from incidents.selectors.nonconformities import all_nc_actions, round_actions
from qms.calendar import calendars_for
from qms.choices import OPEN_ACTION_STATUSES, ActionKind, ActionStatus, Role, UnitKind
from qms.models import Action, OrganisationUnit, User
from qms.scoping import scope_for
from qms.selectors import RoleHolders
from qms.services.actions import action_create, validate_owner_for_unit
from qms.services.base import apply_changes, deny, in_stored_language, save_validated, system_note
from qms.services.notifications import notifications_resolve, notify

# Who runs a non-conformity besides its owner: the quality officers and administrators of its unit's
# organisation (a role held on the unit or above it).
STEWARD_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)
# Who decides that a non-conformity is a formal CAPA, and on proposed CAPAs.
PROMOTER_ROLES = (Role.QUALITY_OFFICER,)
NC_FIELDS = {"title", "description", "kind", "owner", "correction", "severity", "cause_category"}
# The stages a CAPA can be stuck in (the daily sweep ``sweep_stuck_capas``).
WORKING_STAGES = (
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IMPLEMENTATION,
    NcStatus.EFFECTIVENESS_CHECK,
)
# The sources whose records are linked (the others may link one too: an audit finding, a review).
SOURCE_KINDS = {value for value, _label in NcSource.choices}


class Step:
    CORRECT = "correct"
    PROMOTE = "promote"
    ANALYSE = "analyse"
    RECORD_ANALYSIS = "record-analysis"
    PLAN = "plan"
    IMPLEMENT = "implement"
    VERIFY = "verify"
    CLOSE = "close"
    CANCEL = "cancel"


@dataclasses.dataclass(frozen=True)
class Transition:
    sources: frozenset  # the statuses the step starts from
    target: str | None  # where it goes (None: the status stays)
    who: str  # "steward": the owner, quality officers, administrators; "promoter": quality officers
    capa: bool | None  # True: only a CAPA; False: only a non-CAPA; None: either
    label: object


# The transition table: every step, from where, to where, by whom. The gates are in ``_gates``.
NC_STEPS = {
    Step.CORRECT: Transition(frozenset(OPEN_NC_STATUSES), None, "steward", None, gettext_lazy("Correction recorded")),
    Step.PROMOTE: Transition(
        frozenset({NcStatus.REGISTERED}), NcStatus.REGISTERED, "promoter", False, gettext_lazy("Promoted to a CAPA")
    ),
    Step.ANALYSE: Transition(
        frozenset({NcStatus.REGISTERED}), NcStatus.ANALYSIS, "steward", True, gettext_lazy("Analysis started")
    ),
    Step.RECORD_ANALYSIS: Transition(
        frozenset({NcStatus.ANALYSIS, NcStatus.ACTION_PLAN}), None, "steward", True, gettext_lazy("Analysis recorded")
    ),
    Step.PLAN: Transition(
        frozenset({NcStatus.ANALYSIS}), NcStatus.ACTION_PLAN, "steward", True, gettext_lazy("Action plan started")
    ),
    Step.IMPLEMENT: Transition(
        frozenset({NcStatus.ACTION_PLAN}),
        NcStatus.IMPLEMENTATION,
        "steward",
        True,
        gettext_lazy("Implementation started"),
    ),
    Step.VERIFY: Transition(
        frozenset({NcStatus.IMPLEMENTATION}),
        NcStatus.EFFECTIVENESS_CHECK,
        "steward",
        True,
        gettext_lazy("Effectiveness check planned"),
    ),
    Step.CLOSE: Transition(
        frozenset({NcStatus.REGISTERED, NcStatus.EFFECTIVENESS_CHECK}),
        NcStatus.CLOSED,
        "steward",
        None,
        gettext_lazy("Closed"),
    ),
    Step.CANCEL: Transition(
        frozenset(OPEN_NC_STATUSES), NcStatus.CANCELLED, "steward", None, gettext_lazy("Cancelled")
    ),
}
STEP_LABELS = {
    Step.CORRECT: gettext_lazy("Record the correction"),
    Step.PROMOTE: gettext_lazy("Promote to a CAPA"),
    Step.ANALYSE: gettext_lazy("Start the analysis"),
    Step.RECORD_ANALYSIS: gettext_lazy("Record the analysis"),
    Step.PLAN: gettext_lazy("Start the action plan"),
    Step.IMPLEMENT: gettext_lazy("Start the implementation"),
    Step.VERIFY: gettext_lazy("Plan the effectiveness check"),
    Step.CLOSE: gettext_lazy("Close"),
    Step.CANCEL: gettext_lazy("Cancel"),
}
# What each step takes besides the non-conformity (the API's and the forms' bodies).
STEP_PAYLOAD = {
    Step.CORRECT: {"correction", "cause_category", "reason"},
    Step.PROMOTE: {"reason"},
    Step.ANALYSE: {"reason"},
    Step.RECORD_ANALYSIS: {"root_cause", "analysis_method", "cause_category", "reason"},
    Step.PLAN: {"reason"},
    Step.IMPLEMENT: {"reason"},
    Step.VERIFY: {"due_date", "verifier", "kpi", "expectation", "expected_change", "reason"},
    Step.CLOSE: {"reason"},
    Step.CANCEL: {"reason"},
}


# --- settings ------------------------------------------------------------------------------------


def recurrence_threshold() -> int:
    return getattr(settings, "CAPA_RECURRENCE_THRESHOLD", DEFAULT_RECURRENCE_THRESHOLD)


def recurrence_days() -> int:
    return getattr(settings, "CAPA_RECURRENCE_DAYS", DEFAULT_RECURRENCE_WINDOW_DAYS)


def stage_working_days() -> int:
    return getattr(settings, "CAPA_STAGE_WORKING_DAYS", 20)


# --- who may do what ---------------------------------------------------------------------------


def can_register_nc(user, unit: OrganisationUnit) -> bool:
    """Anyone with a role in the unit (or above it) registers a non-conformity for it."""
    return scope_for(user).has_role(unit, *Role.values)


def is_steward(user, unit: OrganisationUnit) -> bool:
    """A quality officer or administrator of the unit's organisation (the role on the unit or above)."""
    return scope_for(user).has_role(unit, *STEWARD_ROLES)


def can_run_nc(user, nc: NonConformity) -> bool:
    """The owner, and the quality officers and administrators, take the steps of a non-conformity."""
    return (nc.owner_id is not None and nc.owner_id == user.pk and scope_for(user).can_see_unit(nc.unit)) or (
        is_steward(user, nc.unit)
    )


def can_promote(user, unit: OrganisationUnit) -> bool:
    return scope_for(user).has_role(unit, *PROMOTER_ROLES)


def can_record_check(user, check: EffectivenessCheck) -> bool:
    """The verifier, or a quality officer; never the owner of the non-conformity."""
    nc = check.nonconformity
    if nc.owner_id == user.pk:
        return False
    return check.verifier_id == user.pk or can_promote(user, nc.unit)


def allowed_steps(user, nc: NonConformity) -> list[str]:
    """The steps the user may take on the non-conformity now (for the buttons; the service checks again
    and holds the gates)."""
    steps = []
    for step, transition in NC_STEPS.items():
        if nc.status not in transition.sources:
            continue
        if transition.capa is not None and transition.capa != nc.capa:
            continue
        if step == Step.CLOSE and nc.capa != (nc.status == NcStatus.EFFECTIVENESS_CHECK):
            continue
        allowed = can_promote(user, nc.unit) if transition.who == "promoter" else can_run_nc(user, nc)
        if allowed:
            steps.append(step)
    return steps


# --- registering -------------------------------------------------------------------------------


def default_owner(unit: OrganisationUnit, holders: RoleHolders | None = None) -> User | None:
    """The unit's team lead (or the nearest above it), else the nearest quality officer."""
    holders = holders or RoleHolders([unit], [Role.TEAM_LEAD, Role.QUALITY_OFFICER])
    candidates = holders.nearest(unit, Role.TEAM_LEAD) or holders.nearest(unit, Role.QUALITY_OFFICER)
    return min(candidates, key=lambda user: user.pk) if candidates else None


def _check_source(actor, unit: OrganisationUnit, source_record) -> None:
    """A linked record must be within the actor's sight and of the unit's organisation; the message
    is the same whether it exists out of sight or not at all."""
    model = type(source_record)
    manager = getattr(model, "objects", None)
    out_of_sight = _("The source record does not exist or is out of your sight.")
    if source_record.pk is None or not hasattr(manager, "visible_to"):
        raise ValidationError({"source": out_of_sight})
    if not manager.visible_to(actor).filter(pk=source_record.pk).exists():
        raise ValidationError({"source": out_of_sight})
    record_unit = getattr(source_record, "unit", None) or getattr(source_record, "organisation", None)
    if record_unit is not None and record_unit.organisation.pk != unit.organisation.pk:
        raise ValidationError(
            {
                "source": _("The source record belongs to another organisation than %(unit)s.")
                % {"unit": unit.organisation}
            }
        )


def _check_category(nc: NonConformity) -> None:
    if nc.cause_category_id and nc.cause_category.organisation_id != nc.organisation_id:
        raise ValidationError(
            {"cause_category": _("Choose a cause category of %(org)s.") % {"org": nc.unit.organisation}}
        )
    if nc.cause_category_id and not nc.cause_category.is_active and "cause_category" in getattr(nc, "_changed", ()):
        raise ValidationError({"cause_category": _("This cause category is no longer in use.")})


def _notify_owner(nc: NonConformity, actor) -> None:
    if nc.owner_id and nc.owner_id != getattr(actor, "pk", None):
        notify(
            recipients=[nc.owner],
            verb="nc_assigned",
            title=gettext_lazy("You own a non-conformity: %(title)s"),
            params={"title": nc.title},
            target=nc,
        )


@transaction.atomic
def nc_create(
    *,
    actor,
    unit: OrganisationUnit,
    title: str,
    kind: str = NcKind.DEVIATION,
    source: str = NcSource.INTERNAL,
    severity: str = Severity.MINOR,
    description: str = "",
    owner: User | None = None,
    correction: str = "",
    cause_category: CauseCategory | None = None,
    source_record=None,
) -> NonConformity:
    """Register a non-conformity (anyone with a role in the unit; the reporter is the actor). The
    ``source_record`` (an incident, problem, feedback escalation, audit finding... any record whose
    manager has ``visible_to``) must be within the actor's sight and of the unit's organisation. The
    owner defaults to the unit's team lead or else the nearest quality officer; a major one is a formal
    CAPA from the start. The owner is told.

    The audits and the management review register their findings through this function too
    (``source=NcSource.AUDIT`` / ``MANAGEMENT_REVIEW`` with their record)."""
    if not can_register_nc(actor, unit):
        deny(_("You cannot register non-conformities in %(unit)s.") % {"unit": unit})
    if unit.kind == UnitKind.GROUP:
        raise ValidationError(
            {"unit": _("Register a non-conformity in an organisation or one of its units, not in a group.")}
        )
    if source not in SOURCE_KINDS:
        raise ValidationError({"source": _("Unknown source %(source)s.") % {"source": source}})
    if source_record is not None:
        _check_source(actor, unit, source_record)
    if owner is None:
        owner = default_owner(unit)
    else:
        validate_owner_for_unit(owner, unit)
    now = timezone.now()
    nc = NonConformity(
        organisation=unit.organisation,
        unit=unit,
        title=title,
        description=description,
        kind=kind,
        source=source,
        severity=severity,
        owner=owner,
        correction=(correction or "").strip(),
        corrected_at=now if (correction or "").strip() else None,
        cause_category=cause_category,
        capa=severity == Severity.MAJOR,
        reporter=actor if getattr(actor, "is_authenticated", False) else None,
        stage_since=now,
    )
    if source_record is not None:
        nc.source_content_type = ContentType.objects.get_for_model(source_record)
        nc.source_object_id = source_record.pk
    nc._changed = {"cause_category"}
    _check_category(nc)
    save_validated(nc, actor=actor)
    _notify_owner(nc, actor)
    return nc


def _lock(nc: NonConformity) -> NonConformity:
    return (
        NonConformity.objects.select_for_update(of=("self",))
        .select_related("unit", "owner", "cause_category")
        .get(pk=nc.pk)
    )


@transaction.atomic
def nc_update(*, actor, nc: NonConformity, reason: str = "", **changes) -> NonConformity:
    """Change what a non-conformity says: title, description, kind, owner, correction, severity, cause
    category (not its status: that moves through ``nc_step``). Raising it to major makes it a CAPA;
    a CAPA stays one. Not once it is closed or cancelled."""
    nc = _lock(nc)
    if not can_run_nc(actor, nc):
        deny(_("You cannot change this non-conformity."))
    if not nc.is_open:
        raise ValidationError(
            _("This non-conformity is %(status)s: it cannot change any more.")
            % {"status": nc.get_status_display().lower()}
        )
    if "correction" in changes:
        changes["correction"] = (changes["correction"] or "").strip()
    changed = apply_changes(nc, changes, NC_FIELDS)
    if not changed:
        return nc
    if "owner" in changed:
        if nc.owner is None:
            raise ValidationError({"owner": _("A non-conformity keeps an owner.")})
        validate_owner_for_unit(nc.owner, nc.unit)
    if "correction" in changed:
        nc.corrected_at = timezone.now() if nc.correction else None
    became_capa = "severity" in changed and nc.severity == Severity.MAJOR and not nc.capa
    if became_capa:
        nc.capa = True
    nc._changed = set(changed)
    _check_category(nc)
    if not reason and became_capa:
        reason = system_note(gettext_lazy("Raised to major: a formal CAPA"))
    save_validated(nc, actor=actor, reason=(reason or "").strip())
    if "owner" in changed:
        _notify_owner(nc, actor)
    return nc


# --- the steps -----------------------------------------------------------------------------------


def _round_actions(nc: NonConformity) -> list[Action]:
    return list(round_actions(nc).select_for_update(of=("self",)))


def _last_completion(actions) -> datetime.datetime | None:
    done = [action.completed_at for action in actions if action.completed_at is not None]
    return max(done) if done else None


def _open_actions(nc: NonConformity):
    """Every action of the non-conformity (of every round) still open or in progress."""
    return all_nc_actions(nc).filter(status__in=OPEN_ACTION_STATUSES)


def _plan_gate(actions: list[Action]) -> dict:
    live = [action for action in actions if action.status != ActionStatus.CANCELLED]
    errors = []
    if not any(action.kind == ActionKind.CORRECTIVE for action in live):
        errors.append(_("The action plan needs at least one corrective action."))
    if not any(action.kind == ActionKind.PREVENTIVE for action in live):
        errors.append(_("The action plan needs at least one preventive action."))
    if any(action.owner_id is None or action.due_date is None for action in live):
        errors.append(_("Every action needs an owner and a due date."))
    return {"actions": errors} if errors else {}


def _all_done_gate(actions) -> dict:
    open_ = [action for action in actions if action.status in OPEN_ACTION_STATUSES]
    if open_:
        return {
            "actions": _("%(count)s action(s) are not done yet: %(titles)s.")
            % {"count": len(open_), "titles": ", ".join(action.title for action in open_[:5])}
        }
    return {}


def _effect_payload(kpi, expectation, expected_change) -> dict:
    from kpis.choices import Expectation

    payload = {"expectation": expectation or Expectation.BACK_TO_GREEN}
    if expected_change is not None:
        payload["expected_change"] = expected_change
        payload.setdefault("expectation", Expectation.CHANGE)
        if not expectation:
            payload["expectation"] = Expectation.CHANGE
    return payload


def _verify(actor, nc: NonConformity, *, due_date, verifier, kpi, expectation, expected_change) -> EffectivenessCheck:
    """Plan the round's effectiveness check (and, with a KPI, state the intended effect on the round's
    first corrective action)."""
    errors = {}
    actions = _round_actions(nc)
    errors.update(_all_done_gate(actions))
    if not actions:
        errors["actions"] = _("The round has no actions to check.")
    if due_date is None:
        errors["due_date"] = _("Say when the effect is checked.")
    else:
        last = _last_completion(actions)
        if last is not None and due_date < timezone.localdate(last):
            errors["due_date"] = _("The check cannot be dated before the actions were done (%(date)s).") % {
                "date": formats.date_format(timezone.localdate(last), "SHORT_DATE_FORMAT")
            }
        elif due_date < timezone.localdate():
            errors["due_date"] = _("The check cannot be planned in the past.")
    if verifier is None:
        errors["verifier"] = _("Name the verifier.")
    elif verifier.pk == nc.owner_id:
        errors["verifier"] = _("The verifier cannot be the owner of the non-conformity.")
    else:
        try:
            validate_owner_for_unit(verifier, nc.unit, field="verifier")
        except ValidationError as error:
            errors.update(error.message_dict)
    if kpi is not None and kpi.organisation_id != nc.organisation_id:
        errors["kpi"] = _("Choose a KPI of %(org)s.") % {"org": nc.unit.organisation}
    if errors:
        raise ValidationError(errors)
    if EffectivenessCheck.objects.filter(nonconformity=nc, round=nc.round).exists():
        raise ValidationError({"__all__": _("This round of the action plan already has its check.")})
    check = EffectivenessCheck(nonconformity=nc, round=nc.round, due_date=due_date, verifier=verifier, kpi=kpi)
    save_validated(check, actor=actor)
    if kpi is not None:
        from kpis.services.effects import effect_create

        corrective = [a for a in actions if a.kind == ActionKind.CORRECTIVE and a.status == ActionStatus.DONE]
        if not corrective:
            raise ValidationError(
                {"kpi": _("A KPI is measured on a corrective action of the round; it has none done.")}
            )
        check.effect = effect_create(
            actor=actor, action=corrective[0], kpi=kpi, **_effect_payload(kpi, expectation, expected_change)
        )
        save_validated(check, actor=actor)
    notify(
        recipients=[verifier],
        verb="nc_check_planned",
        title=gettext_lazy("Check the effect of the actions of %(title)s"),
        params={"title": nc.title},
        body=gettext_lazy("You are the verifier; the check is due on %(due)s."),
        body_params={"due": due_date},
        target=nc,
        exclude=[actor],
    )
    return check


@transaction.atomic
def nc_step(
    *,
    actor,
    nc: NonConformity,
    step: str,
    reason: str = "",
    correction: str | None = None,
    root_cause: str | None = None,
    analysis_method: str | None = None,
    cause_category: CauseCategory | None = None,
    due_date: datetime.date | None = None,
    verifier: User | None = None,
    kpi=None,
    expectation: str = "",
    expected_change=None,
) -> NonConformity:
    """Take one step of ``NC_STEPS`` on the non-conformity, under a row lock; the gates (see the module's
    docstring and ``_gates``) are field errors that say what is missing, and nothing is saved when one
    is not met. The history has who, when and the reason (or the step's name)."""
    nc = _lock(nc)
    if step not in NC_STEPS:
        raise ValidationError({"step": _("Unknown step %(step)s.") % {"step": step}})
    transition = NC_STEPS[step]
    allowed = can_promote(actor, nc.unit) if transition.who == "promoter" else can_run_nc(actor, nc)
    if not allowed:
        if transition.who == "promoter":
            deny(_("Only a quality officer promotes a non-conformity to a CAPA."))
        deny(_("Only the owner, a quality officer or an administrator takes the steps of this non-conformity."))
    if nc.status not in transition.sources:
        raise ValidationError(
            {
                "status": _("A non-conformity that is %(current)s cannot be taken this step (%(step)s).")
                % {"current": nc.get_status_display().lower(), "step": STEP_LABELS[step]}
            }
        )
    if transition.capa is True and not nc.capa:
        raise ValidationError(
            {"capa": _("Only a formal CAPA goes through this step; a quality officer may promote it first.")}
        )
    if transition.capa is False and nc.capa:
        raise ValidationError({"capa": _("This non-conformity is a formal CAPA already.")})
    reason = (reason or "").strip()
    now = timezone.now()
    errors: dict = {}
    previous_status = nc.status
    check = None
    if step == Step.CORRECT:
        correction = (correction or "").strip()
        if not correction:
            errors["correction"] = _("Say what was done at once to contain it.")
        else:
            nc.correction, nc.corrected_at = correction, now
        if cause_category is not None:
            nc.cause_category = cause_category
            nc._changed = {"cause_category"}
    elif step == Step.PROMOTE:
        nc.capa, nc.promoted_by, nc.promoted_at = True, actor, now
    elif step == Step.RECORD_ANALYSIS:
        if root_cause is not None:
            nc.root_cause = root_cause.strip()
        if analysis_method is not None:
            if analysis_method and analysis_method not in AnalysisMethod.values:
                errors["analysis_method"] = _("Unknown method %(method)s.") % {"method": analysis_method}
            else:
                nc.analysis_method = analysis_method
        if cause_category is not None:
            nc.cause_category = cause_category
            nc._changed = {"cause_category"}
        if not nc.root_cause:
            errors["root_cause"] = _("Record the root cause.")
    elif step == Step.PLAN:
        if not nc.root_cause.strip():
            errors["root_cause"] = _("Record the root cause before the action plan.")
        if not nc.analysis_method:
            errors["analysis_method"] = _("Record the method of the analysis (5 whys, fishbone or other).")
        if not nc.cause_category_id:
            errors["cause_category"] = _("Choose the cause category before the action plan.")
    elif step == Step.IMPLEMENT:
        errors.update(_plan_gate(_round_actions(nc)))
    elif step == Step.CLOSE:
        if not nc.capa:
            if nc.status != NcStatus.REGISTERED:
                errors["status"] = _("Only a registered non-conformity closes this way.")
            elif not nc.correction.strip():
                errors["correction"] = _("Record the correction before closing.")
        else:
            if nc.status != NcStatus.EFFECTIVENESS_CHECK:
                errors["status"] = _("A CAPA closes after its effectiveness check.")
            errors.update(_all_done_gate(list(_open_actions(nc))))
            current = EffectivenessCheck.objects.filter(nonconformity=nc, round=nc.round).first()
            if current is None or current.verdict != Verdict.EFFECTIVE:
                errors["checks"] = _("A CAPA closes only after its effectiveness check found the actions effective.")
        if not errors:
            nc.closed_at = now
    elif step == Step.CANCEL:
        if not reason:
            errors["reason"] = _("Say why the non-conformity is cancelled.")
        nc.cancel_reason = reason
    if errors:
        raise ValidationError(errors)
    if step == Step.VERIFY:
        check = _verify(
            actor,
            nc,
            due_date=due_date,
            verifier=verifier,
            kpi=kpi,
            expectation=expectation,
            expected_change=expected_change,
        )
    _check_category(nc)
    if transition.target is not None and transition.target != previous_status:
        nc.status = transition.target
        nc.stage_since = now
    save_validated(nc, actor=actor, reason=reason or system_note(transition.label))
    if step == Step.CLOSE:
        _count_in_quarter(
            nc.organisation_id, nc.closed_at, closed_count=1, time_to_close_total=nc.closed_at - nc.created_at
        )
    _notify_step(nc, step, actor=actor, reason=reason)
    if check is not None:
        nc._check = check
    return nc


def _notify_step(nc: NonConformity, step: str, *, actor, reason: str) -> None:
    if step == Step.PROMOTE:
        notify(
            recipients=[nc.owner],
            verb="nc_promoted",
            title=gettext_lazy("A formal CAPA now: %(title)s"),
            params={"title": nc.title},
            body=gettext_lazy("Reason: %(reason)s") if reason else None,
            body_params={"reason": reason},
            target=nc,
            exclude=[actor],
        )
    elif step in (Step.CLOSE, Step.CANCEL):
        recipients = [nc.owner, nc.reporter]
        notify(
            recipients=recipients,
            verb="nc_closed" if step == Step.CLOSE else "nc_cancelled",
            title=(
                gettext_lazy("Non-conformity closed: %(title)s")
                if step == Step.CLOSE
                else gettext_lazy("Non-conformity cancelled: %(title)s")
            ),
            params={"title": nc.title},
            body=gettext_lazy("Reason: %(reason)s") if reason else None,
            body_params={"reason": reason},
            target=nc,
            exclude=[actor],
        )
        notifications_resolve(target=nc, verbs=["nc_assigned", "capa_stuck"])


# --- actions -------------------------------------------------------------------------------------


@transaction.atomic
def nc_add_action(
    *,
    actor,
    nc: NonConformity,
    kind: str,
    title: str,
    owner: User,
    due_date: datetime.date,
    description: str = "",
) -> Action:
    """Add a corrective or preventive action to the CAPA's current round (in analysis or action plan): a
    core action with the non-conformity as its source, so it is in the owner's "my actions" and the
    overdue sweep escalates it."""
    nc = _lock(nc)
    if not can_run_nc(actor, nc):
        deny(_("Only the owner, a quality officer or an administrator plans the actions of this non-conformity."))
    if kind not in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE):
        raise ValidationError({"kind": _("An action of a CAPA is corrective or preventive.")})
    if not nc.capa:
        raise ValidationError({"capa": _("Only a formal CAPA has an action plan; a quality officer may promote it.")})
    if nc.status not in (NcStatus.ANALYSIS, NcStatus.ACTION_PLAN):
        raise ValidationError(
            {
                "status": _("Actions are planned in analysis or action plan; this one is %(status)s.")
                % {"status": nc.get_status_display().lower()}
            }
        )
    if owner is None:
        raise ValidationError({"owner": _("Every action needs an owner.")})
    if due_date is None:
        raise ValidationError({"due_date": _("Every action needs a due date.")})
    return action_create(
        actor=actor,
        unit=nc.unit,
        owner=owner,
        title=title,
        due_date=due_date,
        description=description,
        kind=kind,
        source=nc,
        check_permission=False,
    )


# --- effectiveness checks ------------------------------------------------------------------------


@transaction.atomic
def check_record(
    *,
    actor,
    check: EffectivenessCheck,
    verdict: str,
    evidence: str,
    checked_at: datetime.datetime | None = None,
) -> EffectivenessCheck:
    """The verifier (or a quality officer, never the owner) records the verdict with the evidence.
    Effective: the CAPA may close. Partly or not effective: the CAPA goes back to the action plan with
    a new round (the history says why), and the owner and the quality officers are told."""
    check = EffectivenessCheck.objects.select_for_update(of=("self",)).get(pk=check.pk)
    nc = _lock(check.nonconformity)
    check.nonconformity = nc
    if not can_record_check(actor, check):
        deny(_("Only the verifier or a quality officer, not the owner, records the effectiveness check."))
    errors = {}
    if check.verdict:
        raise ValidationError({"verdict": _("This check has its verdict already.")})
    if nc.status != NcStatus.EFFECTIVENESS_CHECK or check.round != nc.round:
        raise ValidationError({"status": _("This check is not the one the non-conformity is waiting for.")})
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose effective, partly effective or not effective.")
    evidence = (evidence or "").strip()
    if not evidence:
        errors["evidence"] = _("Give the evidence of the verdict.")
    now = timezone.now()
    checked_at = checked_at or now
    actions = _round_actions(nc)
    errors.update(_all_done_gate(actions))
    last = _last_completion(actions)
    if checked_at > now + datetime.timedelta(minutes=5):
        errors["checked_at"] = _("A check cannot be recorded in the future.")
    elif last is not None and checked_at < last:
        errors["checked_at"] = _("The check cannot be dated before the actions were done (%(date)s).") % {
            "date": formats.date_format(timezone.localtime(last), "SHORT_DATETIME_FORMAT")
        }
    if errors:
        raise ValidationError(errors)
    check.verdict, check.evidence, check.checked_at = verdict, evidence, checked_at
    save_validated(check, actor=actor, reason=system_note(Verdict(verdict).label))
    _count_in_quarter(
        nc.organisation_id, checked_at, checks_recorded=1, checks_effective=int(verdict == Verdict.EFFECTIVE)
    )
    notifications_resolve(target=nc, verbs=["nc_check_planned"])
    if verdict == Verdict.EFFECTIVE:
        notify(
            recipients=[nc.owner],
            verb="nc_check_effective",
            title=gettext_lazy("Effective: %(title)s can close"),
            params={"title": nc.title},
            target=nc,
            exclude=[actor],
        )
        return check
    nc.status, nc.stage_since = NcStatus.ACTION_PLAN, now
    nc.round += 1
    nc.round_started_at = now
    with in_stored_language():
        reason = _("%(verdict)s: back to the action plan (round %(round)s)") % {
            "verdict": Verdict(verdict).label,
            "round": nc.round,
        }
    save_validated(nc, actor=actor, reason=reason)
    quality_officers = RoleHolders([nc.unit], [Role.QUALITY_OFFICER]).nearest(nc.unit, Role.QUALITY_OFFICER)
    notify(
        recipients=[nc.owner, *quality_officers],
        verb="nc_check_failed",
        title=gettext_lazy("%(verdict)s: %(title)s is back in the action plan"),
        params={"verdict": Verdict(verdict).label, "title": nc.title},
        body=gettext_lazy("Evidence: %(evidence)s"),
        body_params={"evidence": evidence},
        target=nc,
        exclude=[actor],
    )
    return check


# The KPIs' verdict proposes the check's.
EFFECT_VERDICTS = {
    "reached": Verdict.EFFECTIVE,
    "partly": Verdict.PARTLY_EFFECTIVE,
    "not_reached": Verdict.NOT_EFFECTIVE,
}


def checks_propose_verdicts() -> int:
    """Propose each pending check's verdict from its measured effect (one update per verdict)."""
    proposed = 0
    for effect_verdict, verdict in EFFECT_VERDICTS.items():
        proposed += (
            EffectivenessCheck.objects.pending()
            .filter(proposed_verdict="", effect__verdict=effect_verdict)
            .update(proposed_verdict=verdict)
        )
    return proposed


# --- the CAPA overview's kept figures ------------------------------------------------------------


def quarter_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the quarter of ``moment`` in ``settings.TIME_ZONE`` (where the overview's
    quarters always were)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return datetime.date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)


def _count_in_quarter(organisation_id: int, moment: datetime.datetime, **increments) -> None:
    """Add ``increments`` to the organisation's figures of the quarter of ``moment``, in the caller's
    transaction: one UPDATE with ``F()`` (its row lock makes concurrent writers add up). A quarter's
    first figure makes the row with ``get_or_create`` first: of two that race to make it, the second's
    INSERT waits on the unique constraint for the first to commit, fails, and reads the first's row;
    both then add theirs."""
    quarter = quarter_of(moment)
    rows = CapaQuarter.objects.filter(organisation_id=organisation_id, quarter=quarter)
    changes = {field: F(field) + value for field, value in increments.items()}
    if not rows.update(**changes):
        CapaQuarter.objects.get_or_create(organisation_id=organisation_id, quarter=quarter)
        rows.update(**changes)


@transaction.atomic
def capa_figures_recount(*, organisation_ids=None) -> int:
    """Rebuild the kept figures (``CapaQuarter``) of the organisations ``organisation_ids`` (all when
    None) from the raw rows: the recorded checks per quarter of ``checked_at``, the closed
    non-conformities and their times to close per quarter of ``closed_at``. Idempotent (the rows are
    replaced); for operators (``manage.py recount_capa_figures``) and the benchmark's seeded rows.
    Returns the number of quarter rows written.

    On PostgreSQL the table is locked against writes first, so a check or close committed meanwhile is
    either in the raw rows read here or added to the new rows after this commits, never lost or twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(CapaQuarter._meta.db_table)} IN EXCLUSIVE MODE")
    zone = timezone.get_default_timezone()
    checks = EffectivenessCheck.objects.filter(checked_at__isnull=False)
    closed = NonConformity.objects.filter(status=NcStatus.CLOSED, closed_at__isnull=False)
    kept = CapaQuarter.objects.all()
    if organisation_ids is not None:
        organisation_ids = list(organisation_ids)
        checks = checks.filter(nonconformity__organisation_id__in=organisation_ids)
        closed = closed.filter(organisation_id__in=organisation_ids)
        kept = kept.filter(organisation_id__in=organisation_ids)
    rows: dict[tuple[int, datetime.date], CapaQuarter] = {}

    def row(organisation_id, quarter) -> CapaQuarter:
        key = (organisation_id, quarter.date())
        if key not in rows:
            rows[key] = CapaQuarter(organisation_id=organisation_id, quarter=key[1])
        return rows[key]

    for found in (
        checks.order_by()
        .values(organisation=F("nonconformity__organisation_id"), at=TruncQuarter("checked_at", tzinfo=zone))
        .annotate(recorded=Count("pk"), effective=Count("pk", filter=Q(verdict=Verdict.EFFECTIVE)))
    ):
        figures = row(found["organisation"], found["at"])
        figures.checks_recorded, figures.checks_effective = found["recorded"], found["effective"]
    for found in (
        closed.order_by()
        .values("organisation_id", at=TruncQuarter("closed_at", tzinfo=zone))
        .annotate(
            count=Count("pk"),
            total=Sum(ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())),
        )
    ):
        figures = row(found["organisation_id"], found["at"])
        figures.closed_count, figures.time_to_close_total = found["count"], found["total"]
    kept.delete()
    CapaQuarter.objects.bulk_create(rows.values())
    return len(rows)


# --- the cause-category catalogue ----------------------------------------------------------------


def cause_categories_for_new_organisation(*, organisation: OrganisationUnit, actor=None) -> None:
    """Give a new organisation the default cause categories (``register_organisation_defaults``)."""
    with in_stored_language():
        for code, name in DEFAULT_CAUSE_CATEGORIES:
            if not CauseCategory.objects.filter(organisation=organisation, code=code).exists():
                save_validated(CauseCategory(organisation=organisation, code=code, name=str(name)), actor=actor)


def can_manage_categories(user, organisation: OrganisationUnit) -> bool:
    return scope_for(user).has_role(organisation, *STEWARD_ROLES)


@transaction.atomic
def cause_category_add(*, actor, organisation: OrganisationUnit, code: str, name: str) -> CauseCategory:
    """Add a cause category to the organisation's catalogue (its quality officers and administrators)."""
    if not can_manage_categories(actor, organisation):
        deny(_("Only a quality officer of %(org)s changes its cause categories.") % {"org": organisation})
    if organisation.kind != UnitKind.ORGANISATION:
        raise ValidationError({"organisation": _("Cause categories belong to an organisation.")})
    return save_validated(CauseCategory(organisation=organisation, code=code, name=name), actor=actor)


@transaction.atomic
def cause_category_update(*, actor, category: CauseCategory, reason: str = "", **changes) -> CauseCategory:
    """Rename a cause category or take it out of use (``is_active``); its code stays."""
    category = CauseCategory.objects.select_for_update().select_related("organisation").get(pk=category.pk)
    if not can_manage_categories(actor, category.organisation):
        deny(_("Only a quality officer of %(org)s changes its cause categories.") % {"org": category.organisation})
    if apply_changes(category, changes, {"name", "is_active"}):
        save_validated(category, actor=actor, reason=reason)
    return category


# --- feedback escalations (registered with kpis in apps.py) --------------------------------------


def nc_from_feedback_escalation(*, actor, escalation) -> NonConformity:
    """The non-conformity of an escalated recurring-feedback proposal: minor, source feedback, in the
    escalation's unit, linked to it (the escalation links back to it)."""
    with in_stored_language():
        title = (_("Recurring customer feedback: %(escalation)s") % {"escalation": escalation})[:200]
    description = "\n\n".join(part for part in (escalation.reason, escalation.decision_note) if part)
    return nc_create(
        actor=actor,
        unit=escalation.unit,
        title=title,
        kind=NcKind.DEVIATION,
        source=NcSource.FEEDBACK,
        severity=Severity.MINOR,
        description=description,
        source_record=escalation,
    )


# --- recurrence: proposed CAPAs ------------------------------------------------------------------


def _decided_members():
    return CapaProposal.nonconformities.through.objects.filter(
        capaproposal__status__in=(ProposalStatus.ACCEPTED, ProposalStatus.DISMISSED)
    ).values("nonconformity_id")


def _recurrence_candidates(today: datetime.date):
    """The non-conformities that count towards recurrence on ``today``: with a cause category, not
    cancelled, registered in the last D days, and in no proposal decided on already."""
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=recurrence_days()), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    until = datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return (
        NonConformity.objects.filter(cause_category__isnull=False, created_at__gte=since, created_at__lt=until)
        .exclude(status=NcStatus.CANCELLED)
        .exclude(pk__in=_decided_members())
    )


def sweep_capa_recurrence(*, today: datetime.date) -> int:
    """Propose a CAPA on the latest of N (``CAPA_RECURRENCE_THRESHOLD``, 3) non-conformities of one cause
    category in one unit within D days (``CAPA_RECURRENCE_DAYS``, 90); the daily sweep. Returns how
    many proposals it made.

    **The cluster** is the non-conformities of one unit and cause category registered in the D days up
    to today, not cancelled, and not part of a proposal decided on already (accepted or dismissed: the
    quality officer has answered for those). **Once per cluster**: when a proposal of the unit and
    category is still open, new members join it (its latest non-conformity moves along) and nobody is
    told again; a dismissed or accepted cluster's non-conformities do not count again, so a new proposal
    needs N new ones. One grouped query finds the clusters; each is decided under the unit's row lock."""
    threshold = recurrence_threshold()
    clusters = list(
        _recurrence_candidates(today)
        .order_by()
        .values("unit_id", "cause_category_id")
        .annotate(count=Count("pk"), latest=Max("pk"))
        .filter(count__gte=threshold)
    )
    proposed = 0
    for cluster in clusters:
        if _propose(cluster["unit_id"], cluster["cause_category_id"], today=today, threshold=threshold):
            proposed += 1
    return proposed


@transaction.atomic
def _propose(unit_id: int, category_id: int, *, today: datetime.date, threshold: int) -> CapaProposal | None:
    unit = OrganisationUnit.objects.select_for_update().get(pk=unit_id)
    members = list(
        _recurrence_candidates(today)
        .filter(unit_id=unit_id, cause_category_id=category_id)
        .order_by("created_at", "pk")
        .select_related("cause_category")
    )
    if len(members) < threshold:
        return None
    latest = max(members, key=lambda nc: (nc.created_at, nc.pk))
    pending = (
        CapaProposal.objects.select_for_update()
        .filter(unit_id=unit_id, cause_category_id=category_id, status=ProposalStatus.PROPOSED)
        .first()
    )
    if pending is not None:
        pending.nonconformities.add(*members)
        if pending.nonconformity_id != latest.pk:
            pending.nonconformity = latest
            save_validated(pending)
        return None
    proposal = save_validated(CapaProposal(unit=unit, cause_category=latest.cause_category, nonconformity=latest))
    proposal.nonconformities.add(*members)
    quality_officers = RoleHolders([unit], [Role.QUALITY_OFFICER]).nearest(unit, Role.QUALITY_OFFICER)
    notify(
        recipients=quality_officers,
        verb="capa_proposed",
        title=gettext_lazy("Proposed CAPA: %(count)s non-conformities of %(category)s in %(unit)s"),
        params={"count": len(members), "category": latest.cause_category, "unit": unit},
        body=gettext_lazy("%(count)s non-conformities of one cause category within %(days)s days. Accept or dismiss."),
        body_params={"count": len(members), "days": recurrence_days()},
        target=latest,
    )
    return proposal


def _lock_proposal(actor, proposal: CapaProposal) -> CapaProposal:
    proposal = CapaProposal.objects.select_for_update(of=("self",)).select_related("unit").get(pk=proposal.pk)
    if not can_promote(actor, proposal.unit):
        deny(_("Only a quality officer decides on a proposed CAPA."))
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            _("This proposal was %(status)s already.") % {"status": proposal.get_status_display().lower()}
        )
    return proposal


@transaction.atomic
def capa_proposal_accept(*, actor, proposal: CapaProposal, reason: str = "") -> NonConformity:
    """Accept a proposed CAPA: the latest non-conformity of the cluster is promoted to a CAPA (when it
    is one already, it stays as it is). When it is closed or cancelled by now, a new major one (a CAPA)
    is registered in the unit with the cause category, linked to the proposal."""
    proposal = _lock_proposal(actor, proposal)
    latest = _lock(proposal.nonconformity)
    with in_stored_language():
        note = reason.strip() or _("Recurrence: a proposed CAPA accepted")
    if latest.is_open:
        if not latest.capa:
            latest = nc_step(actor=actor, nc=latest, step=Step.PROMOTE, reason=note)
        capa = latest
    else:
        with in_stored_language():
            title = (
                _("Recurring: %(category)s in %(unit)s") % {"category": proposal.cause_category, "unit": proposal.unit}
            )[:200]
        capa = nc_create(
            actor=actor,
            unit=proposal.unit,
            title=title,
            source=NcSource.INTERNAL,
            severity=Severity.MAJOR,
            description=note,
            cause_category=proposal.cause_category,
            source_record=proposal,
        )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason.strip()
    save_validated(proposal, actor=actor, reason=note)
    notifications_resolve(target=proposal.nonconformity, verbs=["capa_proposed"])
    return capa


@transaction.atomic
def capa_proposal_dismiss(*, actor, proposal: CapaProposal, reason: str) -> CapaProposal:
    """Dismiss a proposed CAPA, saying why; its non-conformities are not proposed again."""
    proposal = _lock_proposal(actor, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposed CAPA is dismissed.")})
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason
    save_validated(proposal, actor=actor, reason=reason)
    notifications_resolve(target=proposal.nonconformity, verbs=["capa_proposed"])
    return proposal


# --- the daily sweeps ----------------------------------------------------------------------------


def sweep_overdue_checks(*, today: datetime.date) -> int:
    """Escalate each pending effectiveness check past its date to the verifier and the quality
    officers, once a day. Proposes verdicts measured on KPIs first."""
    from qms.escalations import escalate

    checks_propose_verdicts()

    def notice(check: EffectivenessCheck, holders: RoleHolders) -> dict:
        nc = check.nonconformity
        return {
            "recipients": [check.verifier, *holders.nearest(nc.unit, Role.QUALITY_OFFICER)],
            "verb": "nc_check_overdue",
            "title": gettext_lazy("Effectiveness check overdue: %(title)s"),
            "params": {"title": nc.title},
            "body": gettext_lazy("The check by %(verifier)s was due on %(due)s."),
            "body_params": {"verifier": check.verifier, "due": check.due_date},
            "url": nc.get_absolute_url(),
        }

    return escalate(
        EffectivenessCheck.objects.pending()
        .filter(due_date__lt=today, nonconformity__status=NcStatus.EFFECTIVENESS_CHECK)
        .select_related("verifier", "nonconformity__unit"),
        reason="check_overdue",
        day=today,
        notice=notice,
        prepare=lambda checks: RoleHolders([check.nonconformity.unit for check in checks], [Role.QUALITY_OFFICER]),
    )


def stuck_capas(today: datetime.date):
    """The CAPAs in one working stage for longer than ``CAPA_STAGE_WORKING_DAYS`` working days of
    their organisation's service calendar: candidates by a calendar-day bound in the database (a
    working day is at least a calendar day), then the calendars (two queries for all organisations)."""
    days = stage_working_days()
    bound = datetime.datetime.combine(
        today - datetime.timedelta(days=days), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    candidates = list(
        NonConformity.objects.filter(capa=True, status__in=WORKING_STAGES, stage_since__lt=bound).values_list(
            "pk", "organisation_id", "stage_since"
        )
    )
    calendars = calendars_for({organisation_id for _pk, organisation_id, _since in candidates})
    return [
        pk
        for pk, organisation_id, since in candidates
        if calendars[organisation_id].working_days_after(timezone.localdate(since), days) < today
    ]


def sweep_stuck_capas(*, today: datetime.date) -> int:
    """Escalate each CAPA stuck in one stage to the owner's manager (or the nearest team lead) and the
    quality officers, once a day."""
    from qms.escalations import escalate

    def notice(nc: NonConformity, holders: RoleHolders) -> dict:
        owner = nc.owner
        managers = []
        if owner is not None and owner.manager_id:
            managers = [owner.manager]
        else:
            managers = holders.nearest(nc.unit, Role.TEAM_LEAD, exclude=owner)
        return {
            "recipients": [*managers, *holders.nearest(nc.unit, Role.QUALITY_OFFICER, exclude=owner)],
            "verb": "capa_stuck",
            "title": gettext_lazy("CAPA stuck in %(stage)s: %(title)s"),
            "params": {"stage": NcStatus(nc.status).label, "title": nc.title},
            "body": gettext_lazy("In this stage since %(since)s (more than %(days)s working days); owner: %(owner)s."),
            "body_params": {
                "since": timezone.localdate(nc.stage_since),
                "days": stage_working_days(),
                "owner": owner or "-",
            },
        }

    return escalate(
        NonConformity.objects.filter(pk__in=stuck_capas(today)).select_related("owner__manager", "unit"),
        reason="capa_stuck",
        day=today,
        notice=notice,
        prepare=lambda ncs: RoleHolders([nc.unit for nc in ncs], [Role.TEAM_LEAD, Role.QUALITY_OFFICER]),
    )


def sweep_effect_proposals(*, today: datetime.date) -> int:
    """Propose the verdicts of pending checks from their KPI effects measured (by ``kpi_effects_due``)."""
    return checks_propose_verdicts()


# --- erasure: open work a person hands over --------------------------------------------------------


def open_nonconformities(user):
    return NonConformity.objects.open().filter(owner=user)


@transaction.atomic
def reassign_nonconformities(*, actor, user, successor) -> int:
    """Hand the person's open non-conformities to a successor (an erasure)."""
    count = 0
    for nc in open_nonconformities(user).select_for_update(of=("self",)).select_related("unit"):
        validate_owner_for_unit(successor, nc.unit)
        nc.owner = successor
        with in_stored_language():
            reason = _("Handed over to %(person)s") % {"person": successor}
        save_validated(nc, actor=actor, reason=reason)
        count += 1
    return count
