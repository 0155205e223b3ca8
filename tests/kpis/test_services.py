"""The KPI rules, one by one, through the services: norms, status, periods, corrections, bulk and
defaults, missing measurements and the daily sweep."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kpis.choices import DEFAULT_KPIS, Direction, KpiStatus
from kpis.models import Kpi, KpiMeasurement
from kpis.selectors.kpis import chart_series, kpi_detail, kpi_tiles, missing_periods, next_period_to_measure
from kpis.services import kpis as services
from qms.choices import Role, UnitKind
from qms.escalations import escalations_run
from qms.models import EscalationLog, Notification, OrganisationUnit
from qms.periods import Frequency, periods_between
from qms.services.organisation import unit_create, unit_store_new
from tests.factories import MembershipFactory, UserFactory
from tests.factories.kpis import KpiFactory, lower_is_better, measure, series
from tests.kpis.conftest import backdate, due_month, month, quarter

TODAY = timezone.localdate


def define(cast, **overrides):
    data = {
        "actor": cast.qo_a,
        "org_unit": cast.units.org_a,
        "owner": cast.qo_a,
        "code": "uptime",
        "name": "Uptime",
        "category": "technical",
        "measure_unit": "%",
        "direction": Direction.HIGHER_IS_BETTER,
        "frequency": Frequency.MONTHLY,
        "target": Decimal("99.9"),
        "good_threshold": Decimal("99.9"),
        "acceptable_threshold": Decimal("99.5"),
    }
    data.update(overrides)
    return services.kpi_create(**data)


# --- definitions and norms ---


def test_it_defines_a_kpi_with_its_organisation_and_an_upper_case_code(cast):
    kpi = define(cast, org_unit=cast.units.team_a1a, owner=cast.team_lead_a)
    assert (kpi.code, kpi.organisation, kpi.org_unit) == ("UPTIME", cast.units.org_a, cast.units.team_a1a)
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="kpi_assigned").count() == 1


@pytest.mark.parametrize(
    ("direction", "target", "good", "acceptable", "field"),
    [
        (Direction.HIGHER_IS_BETTER, "99.9", "99.5", "99.7", "acceptable_threshold"),
        (Direction.HIGHER_IS_BETTER, "99.0", "99.5", "99.0", "target"),
        (Direction.LOWER_IS_BETTER, "1", "3", "1.5", "acceptable_threshold"),
        (Direction.LOWER_IS_BETTER, "2", "1.5", "3", "target"),
    ],
)
def test_it_refuses_norms_in_the_wrong_order_for_the_direction(cast, direction, target, good, acceptable, field):
    with pytest.raises(ValidationError) as error:
        define(
            cast,
            direction=direction,
            target=Decimal(target),
            good_threshold=Decimal(good),
            acceptable_threshold=Decimal(acceptable),
        )
    assert field in error.value.message_dict
    assert not Kpi.objects.exists()


@pytest.mark.parametrize(
    ("direction", "target", "good", "acceptable"),
    [
        (Direction.HIGHER_IS_BETTER, "99.9", "99.9", "99.5"),
        (Direction.HIGHER_IS_BETTER, "5", "5", "5"),  # no amber band: allowed
        (Direction.LOWER_IS_BETTER, "1", "1.5", "3"),
    ],
)
def test_it_accepts_norms_in_the_order_of_the_direction(cast, direction, target, good, acceptable):
    kpi = define(
        cast,
        direction=direction,
        target=Decimal(target),
        good_threshold=Decimal(good),
        acceptable_threshold=Decimal(acceptable),
    )
    assert kpi.pk


@pytest.mark.parametrize(
    ("direction", "target", "good", "acceptable"),
    [
        (Direction.HIGHER_IS_BETTER, "25", "30", "10"),  # a pNPS of 28 would be amber, short of a target of 25
        (Direction.LOWER_IS_BETTER, "2", "1.5", "3"),
    ],
)
def test_it_refuses_a_target_outside_the_good_band_on_create_and_on_change(cast, direction, target, good, acceptable):
    norms = {"direction": direction, "good_threshold": Decimal(good), "acceptable_threshold": Decimal(acceptable)}
    with pytest.raises(ValidationError) as error:
        define(cast, target=Decimal(target), **norms)
    assert list(error.value.message_dict) == ["target"]
    kpi = define(cast, target=Decimal(good), **norms)
    with pytest.raises(ValidationError) as error:
        services.kpi_update(actor=cast.qo_a, kpi=kpi, target=Decimal(target))
    assert list(error.value.message_dict) == ["target"]
    kpi.refresh_from_db()
    assert kpi.target == Decimal(good)


def test_it_keeps_codes_unique_within_an_organisation_only(cast):
    define(cast)
    with pytest.raises(ValidationError) as error:
        define(cast, code="UPTIME", org_unit=cast.units.bu_a1)
    assert "already has a KPI with this code" in str(error.value)
    other = define(cast, actor=cast.member_b, owner=cast.member_b, org_unit=cast.units.org_b)
    assert other.code == "UPTIME"


@pytest.mark.parametrize("who", ["viewer_a", "risk_owner_a", "team_lead_a", "member_b", "outsider"])
def test_it_lets_only_administrators_and_quality_officers_define_kpis(cast, who):
    with pytest.raises(PermissionDenied):
        define(cast, actor=getattr(cast, who))


def test_it_refuses_an_owner_from_another_organisation(cast):
    with pytest.raises(ValidationError) as error:
        define(cast, owner=cast.member_b)
    assert "owner" in error.value.message_dict


# --- status from the norms ---


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("5", KpiStatus.GREEN),
        ("4.2", KpiStatus.GREEN),  # on the good threshold: green
        ("4.1999", KpiStatus.AMBER),
        ("3.8", KpiStatus.AMBER),  # on the good-enough threshold: amber
        ("3.7999", KpiStatus.RED),
        ("1", KpiStatus.RED),
    ],
)
def test_it_colours_a_measurement_where_higher_is_better(cast, csat, value, status):
    measurement = services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value=value)
    assert measurement.status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0", KpiStatus.GREEN),
        ("1.5", KpiStatus.GREEN),
        ("1.5001", KpiStatus.AMBER),
        ("3", KpiStatus.AMBER),
        ("3.0001", KpiStatus.RED),
        ("12", KpiStatus.RED),
    ],
)
def test_it_colours_a_measurement_where_lower_is_better(cast, value, status):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, **lower_is_better())
    measurement = services.measurement_record(actor=cast.qo_a, kpi=churn, period=month(1), value=value)
    assert measurement.status == status


def test_it_re_derives_the_statuses_when_the_norms_change(cast, csat):
    measurement = measure(csat, month(1), "4.0")
    assert measurement.status == KpiStatus.AMBER
    services.kpi_update(
        actor=cast.qo_a, kpi=csat, good_threshold=Decimal("4.0"), target=Decimal("4.5"), reason="New SLA"
    )
    measurement.refresh_from_db()
    assert measurement.status == KpiStatus.GREEN
    assert measurement.history.first().history_change_reason == "New SLA"


def test_it_fixes_the_frequency_once_there_are_measurements(cast, csat):
    measure(csat, month(1), "4.0")
    with pytest.raises(ValidationError) as error:
        services.kpi_update(actor=cast.qo_a, kpi=csat, frequency=Frequency.QUARTERLY)
    assert "frequency" in error.value.message_dict


# --- periods ---


@pytest.mark.parametrize(
    ("frequency", "period", "stored"),
    [(Frequency.MONTHLY, "2025-03", "2025-03"), (Frequency.QUARTERLY, "2025-q2", "2025-Q2")],
)
def test_it_accepts_a_period_of_the_kpis_frequency(cast, frequency, period, stored):
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency=frequency)
    measurement = services.measurement_record(actor=cast.qo_a, kpi=kpi, period=period, value="4")
    assert measurement.period == stored
    assert measurement.period_start == datetime.date(2025, 3 if frequency == Frequency.MONTHLY else 4, 1)


@pytest.mark.parametrize(
    ("frequency", "period", "message"),
    [
        (Frequency.MONTHLY, "2025-Q1", "This KPI is measured monthly: give the period as YYYY-MM"),
        (Frequency.QUARTERLY, "2025-01", "This KPI is measured quarterly: give the period as YYYY-Qn"),
        (Frequency.MONTHLY, "2025-13", "Give the period as YYYY-MM"),
        (Frequency.MONTHLY, "March", "Give the period as YYYY-MM"),
        (Frequency.QUARTERLY, "2025-Q5", "Give the period as YYYY-Qn"),
    ],
)
def test_it_refuses_a_period_that_does_not_match_the_frequency(cast, frequency, period, message):
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency=frequency)
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=kpi, period=period, value="4")
    assert message in error.value.message_dict["period"][0]
    assert not KpiMeasurement.objects.exists()


def test_it_refuses_a_period_that_has_not_started(cast, csat):
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(-1), value="4")
    assert "has not started" in error.value.message_dict["period"][0]
    assert services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(0), value="4").pk


@pytest.mark.parametrize("value", ["abc", "", "4,5,6", "NaN", True])
def test_it_refuses_a_value_that_is_not_a_number(cast, csat, value):
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value=value)
    assert "value" in error.value.message_dict
    assert not KpiMeasurement.objects.exists()


def test_it_reads_a_dutch_decimal_comma(cast, csat):
    assert services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4,3").value == Decimal("4.3")


# --- one value per period; corrections ---


def test_it_refuses_a_second_measurement_for_the_same_period_and_points_to_the_correction(cast, csat):
    services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4.0")
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4.6")
    assert "has a measurement for" in error.value.message_dict["period"][0]
    assert "correct it" in error.value.message_dict["period"][0]
    assert list(KpiMeasurement.objects.values_list("value", flat=True)) == [Decimal("4.0")]


def test_the_duplicate_error_writes_the_value_as_the_reader_does(cast, csat):
    services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4.5")
    for language, written in (("nl", "(4,5)"), ("en", "(4.5)")):
        with translation.override(language), pytest.raises(ValidationError) as error:
            services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4.6")
        assert written in error.value.message_dict["period"][0]


def test_the_period_format_is_translated_with_the_message(cast, csat):
    # The codes go through the catalogue (JJJJ-MM in Dutch, like the help texts), not pasted in.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period="March", value="4")
    assert error.value.message_dict["period"] == ["Give the period as YYYY-MM, e.g. 2026-01."]
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period="March", value="4")
    assert error.value.message_dict["period"][0].startswith("Geef de periode als ")


def test_it_corrects_a_measurement_with_a_reason_and_keeps_the_old_value_in_the_history(cast, csat):
    measurement = services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="3.5")
    corrected = services.measurement_correct(
        actor=cast.admin_a, measurement=measurement, value="4.4", reason="Survey export was incomplete"
    )
    assert (corrected.value, corrected.status) == (Decimal("4.4"), KpiStatus.GREEN)
    history = list(corrected.history.order_by("history_date", "history_id"))
    assert [(row.value, row.status) for row in history] == [
        (Decimal("3.5"), KpiStatus.RED),
        (Decimal("4.4"), KpiStatus.GREEN),
    ]
    assert (history[-1].history_user, history[-1].history_change_reason) == (
        cast.admin_a,
        "Survey export was incomplete",
    )


def test_it_needs_a_reason_to_correct(cast, csat):
    measurement = measure(csat, month(1), "3.5")
    with pytest.raises(ValidationError) as error:
        services.measurement_correct(actor=cast.qo_a, measurement=measurement, value="4.4", reason=" ")
    assert "reason" in error.value.message_dict
    measurement.refresh_from_db()
    assert measurement.value == Decimal("3.5")


@pytest.mark.parametrize("who", ["viewer_a", "auditor_a", "member_b", "outsider"])
def test_it_lets_no_reader_or_stranger_record_or_correct(cast, csat, who):
    measurement = measure(csat, month(2), "3.5")
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=getattr(cast, who), kpi=csat, period=month(1), value="4")
    with pytest.raises(PermissionDenied):
        services.measurement_correct(actor=getattr(cast, who), measurement=measurement, value="4", reason="x")


def test_it_lets_the_kpi_owner_and_contributors_of_the_unit_record(cast):
    kpi = KpiFactory(org_unit=cast.units.team_a1a, owner=cast.team_lead_a, actor=cast.qo_a)
    services.measurement_record(actor=cast.team_lead_a, kpi=kpi, period=month(1), value="4")
    services.measurement_record(actor=cast.risk_owner_a, kpi=kpi, period=month(2), value="4")
    assert kpi.measurements.count() == 2


def test_it_refuses_measurements_of_an_inactive_kpi(cast, csat):
    services.kpi_update(actor=cast.qo_a, kpi=csat, is_active=False)
    with pytest.raises(ValidationError) as error:
        services.measurement_record(actor=cast.qo_a, kpi=csat, period=month(1), value="4")
    assert "kpi" in error.value.message_dict


# --- many at once: all or nothing ---


def rows(*items):
    return [services.MeasurementRow(kpi=kpi, period=period, value=value) for kpi, period, value in items]


def test_it_records_many_kpis_for_one_period_at_once(cast, csat):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="CHURN", **lower_is_better())
    saved = services.measurements_record_many(
        actor=cast.qo_a, rows=rows((csat, month(1), "4.3"), (churn, month(1), "2"))
    )
    assert [(m.kpi.code, m.status) for m in saved] == [("CSAT", KpiStatus.GREEN), ("CHURN", KpiStatus.AMBER)]


def test_it_records_none_when_one_row_is_wrong_and_reports_each_bad_row(cast, csat):
    churn = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="CHURN", **lower_is_better())
    measure(churn, month(2), "2")
    with pytest.raises(services.RowsInvalid) as error:
        services.measurements_record_many(
            actor=cast.qo_a,
            rows=rows(
                (csat, month(1), "4.3"),
                (churn, month(1), "lots"),
                (churn, month(2), "1"),
                (csat, "2025-Q1", "4"),
                (csat, month(1), "4.4"),
            ),
        )
    assert set(error.value.rows) == {1, 2, 3, 4}
    assert "value" in error.value.rows[1]
    assert "correct it" in error.value.rows[2]["period"][0]
    assert "monthly" in error.value.rows[3]["period"][0]
    assert "Row 1 has a value for this KPI and period too" in error.value.rows[4]["period"][0]
    assert error.value.messages[0].startswith("Row 2: ")
    assert KpiMeasurement.objects.count() == 1  # only the one made before


def test_it_refuses_the_whole_batch_when_one_kpi_may_not_be_measured_by_the_actor(cast, csat):
    other = KpiFactory(org_unit=cast.units.org_b, owner=cast.member_b, actor=cast.member_b)
    with pytest.raises(PermissionDenied):
        services.measurements_record_many(actor=cast.qo_a, rows=rows((csat, month(1), "4"), (other, month(1), "4")))
    assert not KpiMeasurement.objects.exists()


# --- the default set ---


def test_it_gives_an_organisation_the_default_kpi_set_once(cast):
    created = services.kpi_defaults_create(actor=cast.qo_a, organisation=cast.units.org_a)
    codes = {kpi.code: kpi for kpi in created}
    assert set(codes) == {"UPTIME", "DEFECTS", "ENPS", "WORKLOAD", "PNPS", "CSAT", "CHURN"}
    uptime = codes["UPTIME"]
    assert (uptime.target, uptime.measure_unit, uptime.direction) == (Decimal("99.9"), "%", Direction.HIGHER_IS_BETTER)
    assert codes["CHURN"].direction == codes["DEFECTS"].direction == Direction.LOWER_IS_BETTER
    assert codes["ENPS"].frequency == Frequency.QUARTERLY
    assert {kpi.category for kpi in created} == {"technical", "organisational", "customer"}
    assert services.kpi_defaults_create(actor=cast.qo_a, organisation=cast.units.org_a) == []
    assert Kpi.objects.filter(organisation=cast.units.org_a).count() == 7


def test_default_kpis_read_in_the_readers_language_until_they_are_renamed(cast):
    with translation.override("nl"):
        created = {
            kpi.code: kpi for kpi in services.kpi_defaults_create(actor=cast.qo_a, organisation=cast.units.org_a)
        }
    churn, defects = created["CHURN"], created["DEFECTS"]
    assert churn.name != "Churn"  # stored in the language it was created in (Dutch)
    with translation.override("en"):
        assert (churn.display_name, str(churn)) == ("Churn", "CHURN · Churn")
        assert defects.display_measure_unit == "bugs/release"
        assert defects.display_description.startswith("Bugs found per release")
    with translation.override("nl"):
        assert churn.display_name == churn.name
    services.kpi_update(actor=cast.qo_a, kpi=churn, name="Opzeggers")
    churn.refresh_from_db()
    with translation.override("en"):
        assert churn.display_name == "Opzeggers"  # renamed: shown as named
    custom = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="MINE", name="Churn")
    with translation.override("nl"):
        assert custom.display_name == "Churn"  # not a default code


DEFAULT_CODES = {"UPTIME", "DEFECTS", "ENPS", "WORKLOAD", "PNPS", "CSAT", "CHURN"}


def test_a_new_organisation_gets_the_default_set_as_it_is_created_owned_by_its_creator(cast):
    MembershipFactory(user=cast.group_mgmt, unit=cast.units.group, role=Role.ADMINISTRATOR)
    organisation = unit_create(actor=cast.group_mgmt, name="Org C", kind=UnitKind.ORGANISATION, parent=cast.units.group)
    kpis = Kpi.objects.filter(organisation=organisation)
    assert set(kpis.values_list("code", flat=True)) == DEFAULT_CODES
    assert {kpi.owner for kpi in kpis} == {cast.group_mgmt}
    assert set(kpis.values_list("org_unit", flat=True)) == {organisation.pk}
    # The quality officer adds nothing more with the explicit action: the set is there.
    assert services.kpi_defaults_create(actor=cast.group_mgmt, organisation=organisation) == []


def test_units_below_an_organisation_get_no_default_set(cast):
    unit_create(actor=cast.admin_a, name="BU A2", kind=UnitKind.BUSINESS_UNIT, parent=cast.units.org_a)
    assert not Kpi.objects.exists()


def test_an_organisation_made_by_a_system_administrator_outside_it_waits_for_its_quality_officer(cast):
    organisation = unit_create(actor=cast.superuser, name="Org C", kind=UnitKind.ORGANISATION, parent=cast.units.group)
    assert not Kpi.objects.filter(organisation=organisation).exists()  # nobody there may own a KPI yet
    officer = UserFactory(username="qo_c")
    MembershipFactory(user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
    created = services.kpi_defaults_create(actor=officer, organisation=organisation)
    assert {kpi.code for kpi in created} == DEFAULT_CODES and {kpi.owner for kpi in created} == {officer}


def test_loaded_organisations_get_no_default_set(cast):
    organisation = unit_store_new(OrganisationUnit(name="Loaded", kind=UnitKind.ORGANISATION, parent=cast.units.group))
    assert services.kpi_defaults_for_new_organisation(organisation=organisation, actor=None) == []
    assert not Kpi.objects.exists()


def test_no_default_kpi_is_green_short_of_its_target():
    """A value that reaches the target is green, and no green value falls short of it: in the default
    set the target is the threshold for good."""
    for code, _name, _description, _category, _unit, _direction, _frequency, target, good, _ok in DEFAULT_KPIS:
        assert target == good, code


def test_it_gives_the_default_set_to_organisations_only_and_by_their_officers(cast):
    with pytest.raises(ValidationError):
        services.kpi_defaults_create(actor=cast.qo_a, organisation=cast.units.bu_a1)
    with pytest.raises(PermissionDenied):
        services.kpi_defaults_create(actor=cast.viewer_a, organisation=cast.units.org_a)


# --- missing periods and the sweep ---


def test_it_lists_the_due_periods_without_a_measurement(cast, csat):
    measure(csat, month(8), "4")
    measure(csat, month(6), "4")
    due = due_month()
    missing = [str(period) for period in missing_periods(csat, {month(8), month(6)})]
    assert month(7) in missing and month(5) in missing and due in missing
    assert month(8) not in missing and month(6) not in missing
    assert month(0) not in missing  # the running month is not due yet
    assert kpi_detail(csat)["missing"] == missing_periods(csat, {month(8), month(6)})


def test_it_counts_missing_periods_on_the_overview_tiles(cast, csat):
    quarterly = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency=Frequency.QUARTERLY)
    series(csat, month(8), ["4"] * 9)
    measure(quarterly, quarter(4), "4")
    tiles = {tile.kpi.pk: tile for tile in kpi_tiles(Kpi.objects.all())}
    expected_csat = len(missing_periods(csat, {month(n) for n in range(9)}))
    assert tiles[csat.pk].missing == expected_csat
    assert tiles[quarterly.pk].missing == len(missing_periods(quarterly, {quarter(4)})) >= 2
    assert tiles[csat.pk].latest.period == month(0)


def test_it_expects_nothing_of_a_new_kpi_before_its_first_period_is_due(cast, csat):
    assert missing_periods(csat, set()) == []


def test_the_sweep_escalates_a_missing_measurement_to_the_kpi_owner_once_a_day(cast):
    late = backdate(KpiFactory(org_unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.qo_a, code="LATE"))
    on_time = backdate(KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, code="ONTIME"))
    measure(on_time, due_month(), "4.5")
    new = KpiFactory(org_unit=cast.units.org_a, owner=cast.admin_a, actor=cast.qo_a, code="NEW")  # not due yet
    inactive = backdate(KpiFactory(org_unit=cast.units.org_a, owner=cast.admin_a, actor=cast.qo_a, is_active=False))
    Notification.objects.all().delete()

    assert escalations_run(today=TODAY())["kpi_measurements_missing"] == 1
    assert escalations_run(today=TODAY())["kpi_measurements_missing"] == 0
    notifications = Notification.objects.filter(verb="kpi_measurement_missing")
    assert [(n.recipient, n.target) for n in notifications] == [(cast.risk_owner_a, late)]
    assert due_month() in notifications.get().title
    assert escalations_run(today=TODAY() + datetime.timedelta(days=1))["kpi_measurements_missing"] >= 1
    assert not EscalationLog.objects.filter(
        day=TODAY(), target_object_id__in=[on_time.pk, new.pk, inactive.pk]
    ).exists()


# --- what a new measurement is for, and the chart's axis ---


def test_it_suggests_the_latest_unmeasured_due_period_or_else_the_current_one(cast, csat):
    backdate(csat)
    due = csat.period(due_month())
    measured = {str(due.shift(-1))}
    assert next_period_to_measure(csat, measured) == due
    # Every due period is measured: the one after the last due one (the current one).
    after_due = next_period_to_measure(csat, {str(period) for period in periods_between(due.shift(-30), due)})
    assert after_due == due.shift(1)
    everything = {str(period) for period in periods_between(due.shift(-30), csat.period(month(0)))}
    assert next_period_to_measure(csat, everything) is None


def test_the_chart_axis_has_every_period_with_gaps_for_the_missing_ones(cast, csat):
    measurements = [measure(csat, month(5), "4"), measure(csat, month(3), "4.4")]
    series_ = chart_series(csat, measurements)
    labels = [str(period) for period, _measurement in series_]
    assert labels[:3] == [month(5), month(4), month(3)] and labels[-1] == due_month()
    assert [measurement for _period, measurement in series_][:3] == [measurements[0], None, measurements[1]]
