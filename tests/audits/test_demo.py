"""The audits' demo data: a cycle that started last year, last year's audits through the whole flow
in both organisations, this year's under way; built through the services and idempotent."""

import dataclasses
import datetime

import pytest
from django.apps import apps
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from audits import demo
from audits.choices import AuditStatus, FindingKind
from audits.models import (
    Audit,
    AuditCalibration,
    AuditCycle,
    AuditScore,
    FieldworkItem,
    Finding,
    ManagementResponse,
)
from audits.services.model import cycle_for_year
from qms.choices import ActionKind, ActionStatus
from qms.demo import seed_core
from qms.models import Action, User

pytestmark = pytest.mark.django_db


def _seed():
    with override_settings(DEMO_MODE=True):
        context = seed_core()
        demo.seed(context)
    return context


def _audit_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_app_config("audits").get_models()}


@pytest.fixture
def seeded():
    return _seed()


def _check_plans_a_cycle_per_organisation_that_started_last_year(seeded):
    last_year = timezone.localdate().year - 1
    for code in ("NHS", "NHD"):
        cycle = cycle_for_year(organisation=seeded.units[code], year=last_year)
        assert cycle.first_year == last_year
        assert cycle.entries.count() == 9
        first_year = set(cycle.entries.filter(year=last_year).values_list("principle__code", flat=True))
        assert first_year == {"customer_focus", "steering_accountability", "operational_quality"}
    assert AuditCycle.objects.count() == 2


def _check_runs_last_years_audits_of_both_organisations_through_the_flow(seeded):
    last_year = timezone.localdate().year - 1
    audits = Audit.objects.filter(year=last_year).annotate(assessor_count=Count("assessor_links"))
    assert {a.organisation.code for a in audits} == {"NHS", "NHD"}
    assert {a.status for a in audits} == {AuditStatus.FINAL, AuditStatus.FOLLOW_UP}
    for audit in audits:
        assert 2 <= audit.assessor_count <= 3
        assert AuditScore.objects.filter(audit=audit).count() == audit.assessor_count * audit.principles.count()
        assert AuditCalibration.objects.filter(audit=audit).count() == audit.principles.count()
        assert ManagementResponse.objects.filter(audit=audit).exists()
        assert Finding.objects.filter(audit=audit).exists()
    assert audits.filter(evaluations__isnull=False).distinct().count() >= 3


def _check_calibrates_some_scores_away_from_the_median_with_a_reason(seeded):
    changed = [c for c in AuditCalibration.objects.all() if c.score != c.median]
    assert len(changed) >= 3
    assert all(c.reason.strip() for c in changed)
    # At least one is a real change (the median a whole level), not only a tie settled.
    assert any(c.median == int(c.median) for c in changed)


def _check_records_themes_that_recur_across_units(seeded):
    for code in ("NHS", "NHD"):
        units_per_theme = (
            Finding.objects.filter(audit__organisation__code=code)
            .exclude(kind=FindingKind.GOOD_EXAMPLE)
            .values("theme__name")
            .annotate(units=Count("audit__unit", distinct=True))
        )
        recurring = {row["theme__name"] for row in units_per_theme if row["units"] >= 2}
        assert "Effectmeting" in recurring, code
    assert Finding.objects.filter(kind=FindingKind.GOOD_EXAMPLE).count() >= 3
    assert {"Effectmeting", "Samenwerking in de keten", "KPI-set"} <= set(
        Finding.objects.values_list("theme__name", flat=True)
    )


def _check_gives_follow_up_actions_one_done_one_open_and_a_nonconformity(seeded):
    from incidents.models import NonConformity

    actions = Action.objects.filter(kind=ActionKind.AUDIT_FOLLOW_UP)
    assert actions.filter(status=ActionStatus.DONE).exists()
    assert actions.filter(status=ActionStatus.OPEN).exists()
    assert all(action.source_object_id for action in actions)
    assert NonConformity.objects.filter(source="audit").exists()


def test_it_has_this_years_audits_under_way(seeded):
    this_year = timezone.localdate().year
    audits = {a.status: a for a in Audit.objects.filter(year=this_year)}
    assert {AuditStatus.PLANNED, AuditStatus.FIELDWORK, AuditStatus.SCORING} <= set(audits)
    fieldwork = audits[AuditStatus.FIELDWORK]
    interviews = FieldworkItem.objects.filter(audit=fieldwork, interviewee__isnull=False)
    assert interviews.filter(confirmed_at__isnull=False).count() == 1
    assert FieldworkItem.objects.filter(audit=fieldwork, kind="document").exists()
    scoring = audits[AuditStatus.SCORING]
    scores = AuditScore.objects.filter(audit=scoring)
    assert 0 < scores.count() < scoring.principles.count() * scoring.assessors.count()
    # Blind scoring holds in the demo: each assessor sees only their own.
    for assessor in scoring.assessors.all():
        visible = AuditScore.objects.visible_to(assessor).filter(audit=scoring)
        assert set(visible.values_list("assessor_id", flat=True)) <= {assessor.pk}
    assert all(audit.planned_start <= audit.planned_end for audit in audits.values())


def _check_gives_every_audited_unit_assessors_from_outside_its_line(seeded):
    for audit in Audit.objects.select_related("unit"):
        for assessor in audit.assessors.all():
            paths = [m.unit.path for m in assessor.memberships.select_related("unit")]
            assert not any(path.startswith(audit.unit.path) or audit.unit.path.startswith(path) for path in paths)


def test_it_creates_nothing_new_when_it_runs_again(seeded):
    counts = _audit_counts()
    actions = Action.objects.count()
    _seed()
    assert _audit_counts() == counts
    assert Action.objects.count() == actions


def _check_plans_last_years_dates_in_last_year(seeded):
    last_year = timezone.localdate().year - 1
    for audit in Audit.objects.filter(year=last_year):
        assert audit.planned_start.year == last_year
        assert FieldworkItem.objects.filter(audit=audit, date__gt=datetime.date(last_year, 12, 31)).count() == 0
    assert User.objects.filter(username__startswith="toetser").count() == 8


def test_it_seeds_last_years_cycle_and_audits_through_the_whole_flow(seeded):
    _check_plans_a_cycle_per_organisation_that_started_last_year(seeded)
    _check_runs_last_years_audits_of_both_organisations_through_the_flow(seeded)
    _check_calibrates_some_scores_away_from_the_median_with_a_reason(seeded)
    _check_records_themes_that_recur_across_units(seeded)
    _check_gives_follow_up_actions_one_done_one_open_and_a_nonconformity(seeded)
    _check_gives_every_audited_unit_assessors_from_outside_its_line(seeded)
    _check_plans_last_years_dates_in_last_year(seeded)


def test_it_seeds_again_in_later_years(seeded):
    # make run seeds the same database every time it starts: in a new year last year's audits and this
    # year's are other ones, and the cycles must still plan them.
    for years_on in (1, 2, 3):
        later = dataclasses.replace(seeded, today=datetime.date(seeded.today.year + years_on, 6, 1))
        with override_settings(DEMO_MODE=True):
            demo.seed(later)
        this_year = later.today.year
        assert cycle_for_year(organisation=seeded.units["NHS"], year=this_year) is not None
        assert Audit.objects.filter(year=this_year - 1, status__in=[AuditStatus.FINAL, AuditStatus.FOLLOW_UP]).exists()
        assert Audit.objects.filter(year=this_year, status=AuditStatus.SCORING).exists()
