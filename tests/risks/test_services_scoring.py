"""The monthly weighted risk score, rule by rule (SPEC 3, issue 4)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qms.calendar import calendar_for
from qms.choices import UnitKind
from qms.models import Course, Notification, TrainingAssignment
from qms.periods import month_shift, parse_month
from qms.services.base import system_note
from qms.services.organisation import unit_create
from risks.choices import InvestigationStatus, MonthStatus
from risks.models import AreaScore, Investigation, MonthlyScore, ScoreArea
from risks.models.scoring import TRAINING_FORMULA, is_drop
from risks.services import scoring as services

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = month_shift(THIS_MONTH, -1)
TWO_AGO = month_shift(THIS_MONTH, -2)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90}


@pytest.fixture
def org(cast):
    services.areas_ensure_defaults(organisation=cast.units.org_a)
    ScoreArea.objects.filter(organisation=cast.units.org_a, code="security").update(owner=cast.risk_owner_a)
    return cast.units.org_a


def enter(cast, org, month, **scores):
    return services.scores_enter(actor=cast.qo_a, organisation=org, month=month, scores={**ALL_90, **scores})


def test_a_new_organisation_gets_the_six_default_areas(org):
    areas = {area.code: area.weight for area in ScoreArea.objects.filter(organisation=org)}
    assert areas == {
        "legal": 25,
        "security": 25,
        "sustainability": 15,
        "training": 5,
        "supplier": 5,
        "financial": 25,
    }


def test_an_organisation_created_through_unit_create_starts_with_the_default_areas(cast):
    organisation = unit_create(actor=cast.superuser, name="Organisation C", kind=UnitKind.ORGANISATION)
    assert set(ScoreArea.objects.filter(organisation=organisation).values_list("code", flat=True)) == {
        "legal",
        "security",
        "sustainability",
        "training",
        "supplier",
        "financial",
    }
    team = unit_create(actor=cast.superuser, name="Team C", kind=UnitKind.TEAM, parent=organisation)
    assert not ScoreArea.objects.filter(organisation=team).exists()


def test_entering_scores_creates_no_areas(cast):
    # An organisation loaded without its defaults (as the test factories do) has no areas to score.
    with pytest.raises(ValidationError) as error:
        services.scores_enter(actor=cast.qo_a, organisation=cast.units.org_a, month=LAST_MONTH, scores=ALL_90)
    assert "areas" in error.value.message_dict
    assert not ScoreArea.objects.exists()
    assert not MonthlyScore.objects.exists()


@pytest.mark.parametrize(
    ("score", "before", "drop"),
    [("80.0", "80.1", True), ("80.1", "80.1", False), ("90", "80", False), ("80", None, False)],
)
def test_a_drop_is_a_lower_score_than_the_month_before(score, before, drop):
    assert is_drop(Decimal(score), Decimal(before) if before else None) is drop
    if before:
        assert Investigation(score=Decimal(score), previous_score=Decimal(before)).is_drop is drop


def test_weights_must_add_up_to_exactly_100(cast, org):
    areas = [{"code": a.code, "name": a.name, "weight": a.weight} for a in ScoreArea.objects.filter(organisation=org)]
    areas[0]["weight"] = Decimal("24.5")
    with pytest.raises(ValidationError) as error:
        services.areas_set(actor=cast.qo_a, organisation=org, areas=areas)
    assert "weight" in error.value.message_dict
    assert ScoreArea.objects.get(organisation=org, code=areas[0]["code"]).weight == 25


def test_a_new_set_of_weights_is_one_edit(cast, org):
    areas = [{"code": a.code, "name": a.name, "weight": a.weight} for a in ScoreArea.objects.filter(organisation=org)]
    areas[0]["weight"] -= 5
    areas[1]["weight"] += 5
    services.areas_set(actor=cast.qo_a, organisation=org, areas=areas)
    assert ScoreArea.objects.get(organisation=org, code=areas[1]["code"]).weight == 30


def test_a_viewer_cannot_set_areas_or_enter_scores(cast, org):
    with pytest.raises(PermissionDenied):
        services.areas_set(actor=cast.viewer_a, organisation=org, areas=[{"code": "x", "weight": 100}])
    with pytest.raises(PermissionDenied):
        services.scores_enter(actor=cast.viewer_a, organisation=org, month=LAST_MONTH, scores=ALL_90)


def test_a_month_with_a_missing_area_has_no_total_and_names_the_area(cast, org):
    # The training area is derived; without training assignments it has no score yet.
    monthly = enter(cast, org, LAST_MONTH, legal=80, security=95.5, sustainability=70, supplier=100, financial=90)
    assert monthly.total is None
    assert [area.code for area in services.missing_areas(monthly)] == ["training"]


def test_the_training_area_is_derived_from_completion(cast, org):
    course = Course.objects.create(organisation=org, title="Security awareness")
    for index, user in enumerate([cast.qo_a, cast.board_a, cast.viewer_a, cast.risk_owner_a]):
        TrainingAssignment.objects.create(
            course=course,
            user=user,
            year=LAST_MONTH.year,
            completed_on=LAST_MONTH if index < 3 else None,
        )
    monthly = enter(cast, org, LAST_MONTH, legal=80, security=95.5, sustainability=70, supplier=100, financial=90)
    training = AreaScore.objects.get(monthly=monthly, area__code="training")
    assert training.score == Decimal("75.0")
    # 80*.25 + 95.5*.25 + 70*.15 + 75*.05 + 100*.05 + 90*.25 = 85.625
    assert monthly.total == Decimal("85.6")


@pytest.mark.parametrize("value", [-1, 100.5, "abc", 50.25])
def test_a_score_outside_0_to_100_or_with_two_decimals_is_refused(cast, org, value):
    with pytest.raises(ValidationError) as error:
        enter(cast, org, LAST_MONTH, legal=value)
    assert "legal" in error.value.message_dict
    assert not AreaScore.objects.exists()


def test_an_unknown_area_is_refused(cast, org):
    with pytest.raises(ValidationError) as error:
        enter(cast, org, LAST_MONTH, marketing=50)
    assert "areas" in error.value.message_dict


@pytest.mark.parametrize("month", ["2026-13", "26-01", "january", ""])
def test_a_malformed_month_is_refused(cast, org, month):
    with pytest.raises(ValidationError) as error:
        enter(cast, org, month)
    assert "month" in error.value.message_dict


def test_a_month_in_the_future_is_refused(cast, org):
    with pytest.raises(ValidationError) as error:
        enter(cast, org, month_shift(THIS_MONTH, 1))
    assert "month" in error.value.message_dict


def drop_setup(cast, org):
    enter(cast, org, TWO_AGO, security=90)
    services.monthly_run(month=TWO_AGO)
    enter(cast, org, LAST_MONTH, security=80)


def test_the_monthly_job_opens_one_investigation_per_drop_for_the_area_owner(cast, org):
    drop_setup(cast, org)
    result = services.monthly_run(month=LAST_MONTH)
    assert result == {"closed": 1, "investigations": 1}
    investigation = Investigation.objects.get()
    assert (investigation.area.code, investigation.owner, investigation.previous_score, investigation.score) == (
        "security",
        cast.risk_owner_a,
        Decimal("90.0"),
        Decimal("80.0"),
    )
    # Two working weeks on the organisation's calendar (public holidays and its closed days skipped).
    assert investigation.due_date == calendar_for(org).working_days_after(timezone.localdate(), 10)
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="investigation_opened").exists()
    assert MonthlyScore.objects.get(organisation=org, month=LAST_MONTH).status == MonthStatus.CLOSED


def test_running_the_monthly_job_twice_changes_nothing(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    history = MonthlyScore.history.count()
    assert services.monthly_run(month=LAST_MONTH) == {"closed": 0, "investigations": 0}
    assert Investigation.objects.count() == 1
    assert MonthlyScore.history.count() == history


def test_an_area_without_owner_is_investigated_by_the_quality_officer(cast, org):
    enter(cast, org, TWO_AGO, legal=90)
    services.monthly_run(month=TWO_AGO)
    enter(cast, org, LAST_MONTH, legal=50)
    services.monthly_run(month=LAST_MONTH)
    assert Investigation.objects.get().owner == cast.qo_a


def test_a_closed_month_cannot_be_entered_again(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    with pytest.raises(ValidationError) as error:
        enter(cast, org, LAST_MONTH, security=85)
    assert "month" in error.value.message_dict


def test_a_correction_needs_a_reason_and_compares_again(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    with pytest.raises(ValidationError) as error:
        services.scores_correct(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 70}, reason="")
    assert "reason" in error.value.message_dict
    monthly = services.scores_correct(
        actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 70}, reason="Typo in the group's file"
    )
    assert AreaScore.objects.get(monthly=monthly, area__code="legal").score == 70
    assert set(Investigation.objects.values_list("area__code", flat=True)) == {"security", "legal"}
    assert AreaScore.history.filter(history_change_reason="Typo in the group's file").exists()


def areas_with(org, **weights):
    """The organisation's areas as ``areas_set`` takes them, with other ``weights`` ({code: weight}, or
    None to leave an area out: it is deactivated)."""
    return [
        {"code": a.code, "name": a.name, "weight": weights.get(a.code, a.weight), "source": a.source}
        for a in ScoreArea.objects.filter(organisation=org, is_active=True)
        if weights.get(a.code, a.weight) is not None
    ]


def test_weights_are_kept_with_a_closed_month(cast, org):
    enter(cast, org, LAST_MONTH, legal=50)
    services.monthly_run(month=LAST_MONTH)
    # Training has no score (no training data): the month closes incomplete, and is completed later.
    assert MonthlyScore.objects.get().total is None
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    services.scores_correct(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"training": 90}, reason="x")
    monthly = MonthlyScore.objects.get()
    assert monthly.total == Decimal("80.0")  # 50*.25 + 90*.75
    services.areas_set(actor=cast.qo_a, organisation=org, areas=areas_with(org, legal=45, financial=5))
    assert set(AreaScore.objects.values_list("weight", flat=True)) <= {25, 15, 5}
    monthly.refresh_from_db()
    assert monthly.total == Decimal("80.0")
    # A correction of the closed month still counts with its own weights.
    services.scores_correct(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 60}, reason="y")
    monthly.refresh_from_db()
    assert monthly.total == Decimal("82.5")  # 60*.25 + 90*.75


def test_an_open_month_follows_the_current_weights_and_closing_freezes_them(cast, org):
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    monthly = enter(cast, org, LAST_MONTH, legal=50, training=90)
    assert monthly.total == Decimal("80.0")  # 50*.25 + 90*.75
    services.areas_set(actor=cast.qo_a, organisation=org, areas=areas_with(org, legal=45, financial=5))
    monthly.refresh_from_db()
    assert monthly.total == Decimal("72.0")  # 50*.45 + 90*.55: what the month page shows
    assert AreaScore.objects.get(area__code="legal").weight == 45
    services.monthly_run(month=LAST_MONTH)
    monthly.refresh_from_db()
    assert (monthly.status, monthly.total) == (MonthStatus.CLOSED, Decimal("72.0"))
    services.areas_set(actor=cast.qo_a, organisation=org, areas=areas_with(org, legal=25, financial=25))
    monthly.refresh_from_db()
    assert monthly.total == Decimal("72.0")
    assert AreaScore.objects.get(area__code="legal").weight == 45


def test_the_job_closes_with_the_weights_of_today_whatever_the_month_was_entered_with(cast, org):
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    enter(cast, org, LAST_MONTH, legal=50, training=90)
    # Weights changed behind the services' back (e.g. an admin edit): the job still closes with today's.
    ScoreArea.objects.filter(organisation=org, code="legal").update(weight=45)
    ScoreArea.objects.filter(organisation=org, code="financial").update(weight=5)
    services.monthly_run(month=LAST_MONTH)
    assert MonthlyScore.objects.get().total == Decimal("72.0")
    assert AreaScore.objects.get(area__code="legal").weight == 45


def test_a_deactivated_area_does_not_count_in_an_open_month_and_closed_months_keep_it(cast, org):
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    enter(cast, org, TWO_AGO, supplier=10, training=90)
    services.monthly_run(month=TWO_AGO)
    enter(cast, org, LAST_MONTH, supplier=10, training=90)
    services.areas_set(actor=cast.qo_a, organisation=org, areas=areas_with(org, supplier=None, legal=30))
    open_month = MonthlyScore.objects.get(month=LAST_MONTH)
    assert open_month.total == Decimal("90.0")  # the weights add up to 100 without supplier
    assert AreaScore.objects.get(monthly=open_month, area__code="supplier").weight == 0
    services.monthly_run(month=LAST_MONTH)
    open_month.refresh_from_db()
    assert open_month.total == Decimal("90.0")
    closed_before = MonthlyScore.objects.get(month=TWO_AGO)
    assert closed_before.total == Decimal("86.0")  # 10*.05 + 90*.95, as it closed
    assert AreaScore.objects.get(monthly=closed_before, area__code="supplier").weight == 5


def test_an_incomplete_closed_month_is_completed_through_a_correction(cast, org):
    # Nobody entered the month: the job closes it, incomplete, for every organisation with areas.
    services.monthly_run(month=LAST_MONTH)
    monthly = MonthlyScore.objects.get(organisation=org)
    assert (monthly.status, monthly.total) == (MonthStatus.CLOSED, None)
    ScoreArea.objects.filter(organisation=org, code="training").update(source="manual")
    services.scores_correct(
        actor=cast.qo_a,
        organisation=org,
        month=LAST_MONTH,
        scores={**ALL_90, "training": 80},
        reason="The group's file came late",
    )
    monthly.refresh_from_db()
    assert monthly.total == Decimal("89.5")  # 90*.95 + 80*.05
    weights = dict(AreaScore.objects.filter(monthly=monthly).values_list("area__code", "weight"))
    assert weights == {"legal": 25, "security": 25, "sustainability": 15, "training": 5, "supplier": 5, "financial": 25}


@pytest.mark.parametrize("shift", [0, 1])
def test_the_job_refuses_a_month_that_is_not_over(cast, org, shift):
    from django.core.management import CommandError, call_command

    month = month_shift(THIS_MONTH, shift)
    enter(cast, org, THIS_MONTH)
    with pytest.raises(ValidationError) as error:
        services.monthly_run(month=month)
    assert "is not over yet" in error.value.message_dict["month"][0]
    with pytest.raises(CommandError, match="is not over yet"):
        call_command("run_monthly_scoring", "--month", month.strftime("%Y-%m"))
    assert MonthlyScore.objects.get().status == MonthStatus.OPEN


@pytest.mark.parametrize("month", ["0001-01", "1999-12", "2101-01", "9999-12"])
def test_a_month_outside_2000_to_2100_is_refused(cast, org, month):
    with pytest.raises(ValidationError) as error:
        parse_month(month)
    assert error.value.message_dict["month"] == ["Give a month from 2000-01 to 2100-12."]


def test_a_correction_keeps_the_stored_training_score_unless_asked_to_compute_it_again(cast, org):
    course = Course.objects.create(organisation=org, title="Security awareness")
    first = TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=LAST_MONTH.year)
    TrainingAssignment.objects.create(course=course, user=cast.board_a, year=LAST_MONTH.year, completed_on=LAST_MONTH)
    enter(cast, org, LAST_MONTH)
    services.monthly_run(month=LAST_MONTH)
    training = AreaScore.objects.get(area__code="training")
    assert training.score == 50
    first.completed_on = LAST_MONTH
    first.save()
    services.scores_correct(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"legal": 80}, reason="x")
    training.refresh_from_db()
    assert training.score == 50
    services.scores_correct(
        actor=cast.qo_a,
        organisation=org,
        month=LAST_MONTH,
        scores={},
        reason="Late completions",
        recompute_derived=True,
    )
    training.refresh_from_db()
    assert training.score == 100


def test_an_investigation_closes_only_with_steps_and_a_cause_by_its_owner(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    investigation = Investigation.objects.get()
    with pytest.raises(ValidationError) as error:
        services.investigation_close(actor=cast.risk_owner_a, investigation=investigation, cause="Patch backlog")
    assert "steps" in error.value.message_dict
    services.investigation_add_step(
        actor=cast.risk_owner_a,
        investigation=investigation,
        title="Clear the patch backlog",
        owner=cast.risk_owner_a,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    with pytest.raises(ValidationError) as error:
        services.investigation_close(actor=cast.risk_owner_a, investigation=investigation, cause=" ")
    assert "cause" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.investigation_close(actor=cast.qo_a, investigation=investigation, cause="Patch backlog")
    closed = services.investigation_close(actor=cast.risk_owner_a, investigation=investigation, cause="Patch backlog")
    assert closed.status == InvestigationStatus.CLOSED


def test_overdue_investigations_are_escalated_once_a_day(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    later = timezone.localdate() + datetime.timedelta(days=20)
    assert services.sweep_investigations(today=later) == 1
    assert services.sweep_investigations(today=later) == 0


def test_the_command_runs_the_job(cast, org):
    from django.core.management import call_command

    drop_setup(cast, org)
    call_command("run_monthly_scoring", "--month", LAST_MONTH.strftime("%Y-%m"))
    assert Investigation.objects.count() == 1


def test_the_celery_task_runs_the_job(cast, org):
    from risks.tasks import run_monthly_scoring

    drop_setup(cast, org)
    assert run_monthly_scoring.apply(args=[LAST_MONTH.strftime("%Y-%m")]).result == {"closed": 1, "investigations": 1}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_monthly_runs_open_each_investigation_once(cast, org, row_locks):
    import threading

    from django.db import connections

    drop_setup(cast, org)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.monthly_run(month=LAST_MONTH))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(result["investigations"] for result in results) == [0, 1]
    assert Investigation.objects.count() == 1


def test_a_completion_counts_for_twelve_months(cast, org):
    course = Course.objects.create(organisation=org, title="Privacy basics")
    january = THIS_MONTH.replace(month=1)
    TrainingAssignment.objects.create(
        course=course,
        user=cast.qo_a,
        year=january.year - 1,
        completed_on=january.replace(year=january.year - 1, month=6),
    )
    TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=january.year)
    TrainingAssignment.objects.create(course=course, user=cast.board_a, year=january.year)
    assert services.training_scores([org.pk], january) == {org.pk: Decimal("50.0")}


def test_the_follow_up_shows_whether_the_score_recovered(cast, org):
    from risks.selectors.scoring import investigation_follow_up

    three_ago = month_shift(THIS_MONTH, -3)
    enter(cast, org, three_ago, security=90)
    services.monthly_run(month=three_ago)
    enter(cast, org, TWO_AGO, security=70)
    services.monthly_run(month=TWO_AGO)
    investigation = Investigation.objects.get()
    assert investigation_follow_up(investigation)["recovered"] is False
    enter(cast, org, LAST_MONTH, security=92)
    follow_up = investigation_follow_up(investigation)
    assert (follow_up["recovered"], follow_up["recovered_in"]) == (True, LAST_MONTH)


def test_the_benchmark_command_runs_the_job_and_cleans_up(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("benchmark_scoring", "--organisations", "3", "--yes", stdout=out)
    assert "closed 3 month(s)" in out.getvalue()
    assert not MonthlyScore.objects.exists()


# --- corrections and their investigations ------------------------------------------------------


def dropped(cast, org):
    drop_setup(cast, org)
    services.monthly_run(month=LAST_MONTH)
    return Investigation.objects.get()


def correct(cast, org, month, reason="Typo in the group's file", **scores):
    return services.scores_correct(actor=cast.qo_a, organisation=org, month=month, scores=scores, reason=reason)


def test_a_correction_that_changes_the_drop_updates_the_investigation(cast, org):
    investigation = dropped(cast, org)
    correct(cast, org, LAST_MONTH, security=70)
    investigation.refresh_from_db()
    assert (investigation.previous_score, investigation.score, investigation.status) == (90, 70, "open")
    change = investigation.history.first()
    assert (change.score, change.history_change_reason) == (
        70,
        f"Correctie van {LAST_MONTH:%Y-%m}: Typo in the group's file",
    )
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="investigation_updated").exists()


def test_a_correction_of_the_month_before_updates_the_investigation(cast, org):
    investigation = dropped(cast, org)
    correct(cast, org, TWO_AGO, security=95)
    investigation.refresh_from_db()
    assert (investigation.previous_score, investigation.score) == (95, 80)


def test_a_correction_that_removes_the_drop_withdraws_the_investigation(cast, org):
    investigation = dropped(cast, org)
    correct(cast, org, LAST_MONTH, security=95, reason="It was 95")
    investigation.refresh_from_db()
    assert (investigation.status, investigation.previous_score, investigation.score) == ("withdrawn", 90, 95)
    assert investigation.withdrawn_reason == f"Correctie van {LAST_MONTH:%Y-%m}: It was 95"
    notification = Notification.objects.get(recipient=cast.risk_owner_a, verb="investigation_withdrawn")
    # The owner reads Dutch (the default): "onderzoek ingetrokken".
    assert "onderzoek ingetrokken" in notification.title and "It was 95" in notification.body
    # Withdrawn is not open: no steps, no closing, no escalation.
    with pytest.raises(ValidationError):
        services.investigation_add_step(
            actor=cast.risk_owner_a,
            investigation=investigation,
            title="Look",
            owner=cast.risk_owner_a,
            due_date=timezone.localdate(),
        )
    assert services.sweep_investigations(today=timezone.localdate() + datetime.timedelta(days=30)) == 0


def test_a_correction_of_the_month_before_that_removes_the_drop_withdraws_it(cast, org):
    investigation = dropped(cast, org)
    correct(cast, org, TWO_AGO, security=80)
    investigation.refresh_from_db()
    assert (investigation.status, investigation.previous_score) == ("withdrawn", 80)


def test_a_drop_that_comes_back_reopens_the_withdrawn_investigation(cast, org):
    investigation = dropped(cast, org)
    correct(cast, org, LAST_MONTH, security=95)
    correct(cast, org, LAST_MONTH, security=85, reason="It was 85 after all")
    investigation.refresh_from_db()
    assert (investigation.status, investigation.score, investigation.withdrawn_reason) == ("open", 85, "")
    assert Investigation.objects.count() == 1


def test_a_closed_investigation_stays_closed_and_records_the_new_figures(cast, org):
    investigation = dropped(cast, org)
    services.investigation_add_step(
        actor=cast.risk_owner_a,
        investigation=investigation,
        title="Patch",
        owner=cast.risk_owner_a,
        due_date=timezone.localdate(),
    )
    services.investigation_close(actor=cast.risk_owner_a, investigation=investigation, cause="Backlog")
    correct(cast, org, LAST_MONTH, security=95)
    investigation.refresh_from_db()
    assert (investigation.status, investigation.score) == ("closed", 95)
    assert investigation.history.first().history_change_reason.startswith("Correctie van")


def test_a_drop_that_a_correction_makes_opens_an_investigation(cast, org):
    enter(cast, org, TWO_AGO)
    services.monthly_run(month=TWO_AGO)
    enter(cast, org, LAST_MONTH)
    services.monthly_run(month=LAST_MONTH)
    assert not Investigation.objects.exists()
    correct(cast, org, LAST_MONTH, security=60)
    investigation = Investigation.objects.get()
    assert (investigation.area.code, investigation.previous_score, investigation.score) == ("security", 90, 60)


# --- reassigning an investigation --------------------------------------------------------------


def test_a_quality_officer_gives_an_investigation_to_another_owner(cast, org):
    investigation = dropped(cast, org)
    services.investigation_reassign(
        actor=cast.qo_a, investigation=investigation, owner=cast.board_a, reason="Board owns security now"
    )
    investigation.refresh_from_db()
    assert investigation.owner == cast.board_a
    assert investigation.history.first().history_change_reason == "Board owns security now"
    assert Notification.objects.filter(recipient=cast.board_a, verb="investigation_assigned").exists()
    assert Notification.objects.filter(recipient=cast.risk_owner_a, verb="investigation_reassigned").exists()
    # The new owner closes it, the old one no longer may.
    with pytest.raises(PermissionDenied):
        services.investigation_close(actor=cast.risk_owner_a, investigation=investigation, cause="x")


def test_only_the_owner_or_a_quality_officer_reassigns_and_only_to_someone_of_the_organisation(cast, org):
    investigation = dropped(cast, org)
    with pytest.raises(PermissionDenied):
        services.investigation_reassign(actor=cast.viewer_a, investigation=investigation, owner=cast.board_a)
    with pytest.raises(ValidationError) as error:
        services.investigation_reassign(actor=cast.qo_a, investigation=investigation, owner=cast.member_b)
    assert "owner" in error.value.message_dict
    correct(cast, org, LAST_MONTH, security=95)
    with pytest.raises(ValidationError):
        services.investigation_reassign(actor=cast.qo_a, investigation=investigation, owner=cast.board_a)
    investigation.refresh_from_db()
    assert investigation.owner == cast.risk_owner_a


# --- display -----------------------------------------------------------------------------------


def test_a_contribution_rounds_half_up_like_the_total(cast, org):
    area = ScoreArea.objects.get(organisation=org, code="legal")
    assert AreaScore(area=area, score=Decimal("85.0"), weight=Decimal("25")).contribution == Decimal("21.3")


def test_default_area_names_and_the_formula_follow_the_language_unless_renamed(cast, units):
    from django.utils import translation

    with translation.override("nl"):
        services.areas_ensure_defaults(organisation=units.org_b)
    training = ScoreArea.objects.get(organisation=units.org_b, code="training")
    legal = ScoreArea.objects.get(organisation=units.org_b, code="legal")
    assert training.name == "Training en bewustwording"
    assert (str(training), str(legal)) == ("Training & awareness", "Legal")
    assert str(training.description_display) == str(TRAINING_FORMULA)
    with translation.override("nl"):
        assert str(training) == "Training en bewustwording"
    legal.name = "Wet- en regelgeving"
    assert str(legal) == "Wet- en regelgeving"


# --- a delivered score of a derived area (issue 10) ----------------------------------------------


def test_a_delivered_training_score_counts_where_there_is_no_training_data(cast, org):
    monthly = enter(cast, org, LAST_MONTH, training=80)
    training = AreaScore.objects.get(monthly=monthly, area__code="training")
    assert training.score == Decimal("80")
    # 90 * .95 + 80 * .05 = 89.5
    assert monthly.total == Decimal("89.5")
    assert monthly.notices == [
        f"Training & awareness: Organisation A has no mandatory-training data for {LAST_MONTH.year}, so the "
        "delivered score 80.0 counts."
    ]
    assert training.history.latest().history_change_reason == (
        stored("Delivered: no mandatory-training data for %(year)s to derive it from", year=LAST_MONTH.year)
    )


def test_the_derived_training_score_wins_over_a_delivered_one_and_the_others_are_stored(cast, org):
    course = Course.objects.create(organisation=org, title="Security awareness")
    TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=LAST_MONTH.year, completed_on=LAST_MONTH)
    TrainingAssignment.objects.create(course=course, user=cast.board_a, year=LAST_MONTH.year)
    monthly = enter(cast, org, LAST_MONTH, legal=70, training=100)
    scores = dict(AreaScore.objects.filter(monthly=monthly).values_list("area__code", "score"))
    assert scores == {**{code: Decimal(value) for code, value in ALL_90.items()}, "legal": 70, "training": 50}
    assert monthly.notices == [
        f"Training & awareness: the score is derived from the mandatory-training data of {LAST_MONTH.year}, so it "
        "is 50.0 and the delivered score 100.0 is not used."
    ]


def test_a_bad_delivered_training_score_is_still_refused(cast, org):
    with pytest.raises(ValidationError) as error:
        enter(cast, org, LAST_MONTH, training=120)
    assert "training" in error.value.message_dict
    assert not AreaScore.objects.exists()


# --- the training area follows the training (issue 10) ------------------------------------------


def test_completing_a_course_changes_the_open_months_but_not_the_closed_ones(
    cast, org, django_capture_on_commit_callbacks
):
    from qms.services.training import training_complete

    # Last year's November (closed) and December (still open): whatever month it is now.
    november = datetime.date(THIS_MONTH.year - 1, 11, 1)
    december = datetime.date(THIS_MONTH.year - 1, 12, 1)
    course = Course.objects.create(organisation=org, title="Security awareness")
    todo = TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=november.year)
    TrainingAssignment.objects.create(course=course, user=cast.board_a, year=november.year)
    for month in (november, december):
        assert enter(cast, org, month).total == Decimal("85.5")  # 90 * .95 + 0 * .05
    services.monthly_run(month=november)

    with django_capture_on_commit_callbacks(execute=True):
        training_complete(actor=cast.qo_a, assignment=todo, completed_on=datetime.date(november.year, 10, 1))

    open_month = MonthlyScore.objects.get(organisation=org, month=december)
    training = AreaScore.objects.get(monthly=open_month, area__code="training")
    assert (training.score, open_month.total) == (Decimal("50.0"), Decimal("88.0"))
    assert training.history.latest().history_change_reason == stored("The mandatory training changed")
    assert training.history.latest().history_user == cast.qo_a
    closed = MonthlyScore.objects.get(organisation=org, month=november)
    assert closed.status == MonthStatus.CLOSED
    assert AreaScore.objects.get(monthly=closed, area__code="training").score == Decimal("0.0")
    assert closed.total == Decimal("85.5")


def test_a_delivered_training_score_gives_way_once_there_is_training_data(
    cast, org, django_capture_on_commit_callbacks
):
    from qms.services.training import training_assign

    monthly = enter(cast, org, LAST_MONTH, training=80)
    course = Course.objects.create(organisation=org, title="Security awareness")
    with django_capture_on_commit_callbacks(execute=True):
        training_assign(actor=cast.qo_a, course=course, year=LAST_MONTH.year, users=[cast.board_a])
    monthly.refresh_from_db()
    assert AreaScore.objects.get(monthly=monthly, area__code="training").score == Decimal("0.0")
    assert monthly.total == Decimal("85.5")


def stored(message, **params) -> str:
    """A note as the system stores it: in the organisation's language (Dutch), whatever the test reads."""
    return system_note(gettext_lazy(message), **params)
