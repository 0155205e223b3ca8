"""Reads of the non-conformities part: a CAPA's actions per round, the cause-category catalogue, the
PDCA trace of one non-conformity and the CAPA overview."""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from incidents.choices import OPEN_NC_STATUSES, NcStatus
from incidents.models import CapaQuarter, CauseCategory, EffectivenessCheck, NonConformity
from qms.choices import OPEN_ACTION_STATUSES
from qms.models import Action


def all_nc_actions(nc: NonConformity):
    """Every action of the non-conformity, of every round, oldest first."""
    return Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(NonConformity), source_object_id=nc.pk
    ).order_by("created_at", "pk")


def round_actions(nc: NonConformity):
    """The actions of the current round: created since the round started (every one in round 1)."""
    actions = all_nc_actions(nc)
    if nc.round_started_at is not None:
        actions = actions.filter(created_at__gte=nc.round_started_at)
    return actions


def nc_actions(nc: NonConformity, round: int | None = None):  # noqa: A002 (the contract's name)
    """The actions of one round: the current one by default, or round ``round``. A round's actions are
    those created after the previous round's check was planned (all of that round's actions were added
    before it) and before its own was: a check is planned only once the round's actions are done and
    no action is added after the plan, so the checks' creation times divide the rounds."""
    if round is None or round == nc.round:
        return round_actions(nc)
    bounds = dict(
        EffectivenessCheck.objects.filter(nonconformity=nc, round__in=(round - 1, round)).values_list(
            "round", "created_at"
        )
    )
    actions = all_nc_actions(nc)
    if round - 1 in bounds:
        actions = actions.filter(created_at__gt=bounds[round - 1])
    if round in bounds:
        actions = actions.filter(created_at__lt=bounds[round])
    return actions


def actions_by_round(nc: NonConformity) -> dict[int, list[Action]]:
    """Every action of the non-conformity by its round (two queries: the actions, the checks' times)."""
    actions = list(all_nc_actions(nc).select_related("owner"))
    bounds = list(
        EffectivenessCheck.objects.filter(nonconformity=nc).order_by("round").values_list("round", "created_at")
    )
    rounds: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        number = 1
        for check_round, planned_at in bounds:
            if action.created_at > planned_at:
                number = check_round + 1
        rounds[number].append(action)
    return dict(sorted(rounds.items()))


def cause_categories_for(organisation, *, active_only: bool = True):
    """The organisation's cause categories (created with the organisation: ``unit_create``)."""
    organisation_id = getattr(organisation, "pk", organisation)
    categories = CauseCategory.objects.filter(organisation_id=organisation_id)
    return categories.active() if active_only else categories


def source_record(nc: NonConformity, user):
    """The record the non-conformity came from, when there is one and ``user`` may see it; else None."""
    if nc.source_content_type_id is None or nc.source_object_id is None:
        return None
    model = ContentType.objects.get_for_id(nc.source_content_type_id).model_class()
    if model is None:
        return None
    manager = model.objects
    queryset = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.none()
    return queryset.filter(pk=nc.source_object_id).first()


def visible_sources(ncs, user) -> set[tuple[int, int]]:
    """The (content type id, id) of the source records of ``ncs`` that ``user`` may see: one query per
    kind of source record among them (a page of the API list holds a handful of kinds at most)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for nc in ncs:
        if nc.source_content_type_id is not None and nc.source_object_id is not None:
            by_type[nc.source_content_type_id].add(nc.source_object_id)
    visible = set()
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not hasattr(model.objects, "visible_to"):
            continue
        for pk in model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True):
            visible.add((content_type_id, pk))
    return visible


def nc_trace(nc: NonConformity, user) -> dict:
    """The PDCA trace of one non-conformity, for one screen: the signal (the source record, if the
    reader sees it), the analysis, the actions per round with their status, the checks with their
    verdicts, and the effect measured on a KPI."""
    checks = list(
        EffectivenessCheck.objects.filter(nonconformity=nc)
        .select_related("verifier", "kpi", "effect")
        .order_by("round", "pk")
    )
    rounds = actions_by_round(nc)
    effect = next((check.effect for check in reversed(checks) if check.effect_id), None)
    return {
        "signal": {
            "source": nc.get_source_display(),
            "record": source_record(nc, user),
            "reported_at": nc.created_at,
            "reporter": nc.reporter,
            "correction": nc.correction,
        },
        "analysis": {
            "root_cause": nc.root_cause,
            "method": nc.get_analysis_method_display() if nc.analysis_method else "",
            "cause_category": nc.cause_category,
        },
        "rounds": [
            {
                "round": number,
                "actions": actions,
                "check": next((check for check in checks if check.round == number), None),
            }
            for number, actions in (rounds or {1: []}).items()
        ],
        "checks": checks,
        "effect": effect,
        "closed": nc.status == NcStatus.CLOSED,
        "closed_at": nc.closed_at,
    }


def overdue_filter(today: datetime.date | None = None) -> Q:
    """Open non-conformities with an open action of the current round past its due date, or with the
    current round's check pending past its date (the list's ``overdue`` filter): two EXISTS subqueries
    on indexed columns, no join that repeats rows."""
    today = today or timezone.localdate()
    late_actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(NonConformity),
        source_object_id=OuterRef("pk"),
        status__in=OPEN_ACTION_STATUSES,
        due_date__lt=today,
    )
    late_checks = EffectivenessCheck.objects.filter(
        nonconformity=OuterRef("pk"), round=OuterRef("round"), verdict="", due_date__lt=today
    )
    current_round = Q(Exists(late_actions), round_started_at__isnull=True) | Q(
        Exists(late_actions.filter(created_at__gte=OuterRef("round_started_at")))
    )
    return Q(status__in=OPEN_NC_STATUSES) & (current_round | Q(Exists(late_checks)))


def capa_overview(queryset, organisation, today: datetime.date | None = None) -> dict:
    """The CAPA overview of ``organisation``: open by stage and overdue actions (of the open ones) counted
    from ``queryset`` (the organisation's non-conformities the reader sees: all of them, since the
    overview is for those who see the organisation as a unit), the effectiveness rate per quarter
    (checks effective / checks recorded) and the mean days to close from the figures kept per quarter
    (``CapaQuarter``: a row a quarter, however long the history). A fixed number of queries, whatever
    the number of rows."""
    today = today or timezone.localdate()
    by_stage = dict(
        queryset.filter(status__in=OPEN_NC_STATUSES).order_by().values_list("status").annotate(n=Count("pk"))
    )
    open_by_stage = [(status, NcStatus(status).label, by_stage.get(status, 0)) for status in OPEN_NC_STATUSES]
    overdue_actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(NonConformity),
        source_object_id__in=queryset.filter(status__in=OPEN_NC_STATUSES).order_by().values("pk"),
        status__in=OPEN_ACTION_STATUSES,
        due_date__lt=today,
    ).count()
    quarters = list(CapaQuarter.objects.filter(organisation=organisation).order_by("quarter"))
    rate = [
        {
            "quarter": row.label,
            "recorded": row.checks_recorded,
            "effective": row.checks_effective,
            "rate": round(100 * row.checks_effective / row.checks_recorded, 1),
        }
        for row in quarters
        if row.checks_recorded
    ]
    closed = sum(row.closed_count for row in quarters)
    mean = sum((row.time_to_close_total for row in quarters), datetime.timedelta()) / closed if closed else None
    return {
        "open_by_stage": open_by_stage,
        "open_total": sum(count for _status, _label, count in open_by_stage),
        "overdue_actions": overdue_actions,
        "effectiveness": rate,
        "mean_days_to_close": round(mean.total_seconds() / 86400, 1) if mean is not None else None,
    }
