"""Input at the edges (issue 15): a period in year 0 and texts of a megabyte are refused with a field
message in the forms and the API, never a server error, and nothing is saved. (The imports: see
test_imports.py.)"""

import pytest

from kpis.models import Feedback, KpiMeasurement
from tests.factories.kpis import KpiFactory, measure
from tests.kpis.conftest import month

MEGABYTE = "x" * 1_000_000
YEAR_0 = [("monthly", "0000-01"), ("quarterly", "0000-Q1")]


@pytest.fixture
def kpi_of(cast):
    def make(frequency):
        return KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, actor=cast.qo_a, frequency=frequency)

    return make


@pytest.mark.parametrize(("frequency", "period"), YEAR_0)
def test_a_period_in_year_0_is_a_field_error_in_the_form(cast, as_user, kpi_of, frequency, period):
    kpi = kpi_of(frequency)
    response = as_user(cast.qo_a).post(f"/kpis/{kpi.pk}/measurements/add/", {"period": period, "value": "4"})
    assert response.status_code == 200
    assert response.context["form"].errors["period"] == ["Give a period from 2000 to 2100."]
    assert not KpiMeasurement.objects.exists()


@pytest.mark.parametrize(("frequency", "period"), YEAR_0)
def test_a_period_in_year_0_is_a_400_in_the_api(cast, api, kpi_of, frequency, period):
    kpi = kpi_of(frequency)
    client = api(cast.qo_a)
    response = client.post("/api/v1/kpi-measurements/", {"kpi": kpi.pk, "period": period, "value": "4"})
    assert response.status_code == 400
    assert response.json()["period"] == ["Give a period from 2000 to 2100."]
    bulk = client.post("/api/v1/kpi-measurements/bulk/", {"period": period, "values": [{"kpi": kpi.pk, "value": 4}]})
    assert bulk.status_code == 400 and "period" in bulk.json()["values"]["0"]
    assert not KpiMeasurement.objects.exists()


def test_a_note_of_a_megabyte_is_a_field_error_in_the_form(cast, as_user, csat):
    client = as_user(cast.qo_a)
    response = client.post(f"/kpis/{csat.pk}/measurements/add/", {"period": month(1), "value": "4", "note": MEGABYTE})
    assert response.status_code == 200 and "at most 2000 characters" in response.context["form"].errors["note"][0]
    measurement = measure(csat, month(2), "4")
    response = client.post(
        f"/kpis/measurements/{measurement.pk}/correct/", {"value": "4.5", "reason": "Late", "note": MEGABYTE}
    )
    assert response.status_code == 200 and "note" in response.context["form"].errors
    measurement.refresh_from_db()
    assert KpiMeasurement.objects.count() == 1 and measurement.note == ""


def test_a_note_of_a_megabyte_is_a_400_with_the_field_in_the_api(cast, api, csat):
    client = api(cast.qo_a)
    response = client.post(
        "/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": "4", "note": MEGABYTE}
    )
    assert response.status_code == 400 and "note" in response.json()
    measurement = measure(csat, month(2), "4")
    correct = client.post(
        f"/api/v1/kpi-measurements/{measurement.pk}/correct/", {"value": "4.5", "reason": "Late", "note": MEGABYTE}
    )
    assert correct.status_code == 400 and "note" in correct.json()
    bulk = client.post(
        "/api/v1/kpi-measurements/bulk/",
        {"period": month(1), "values": [{"kpi": csat.pk, "value": 4, "note": MEGABYTE}]},
        format="json",
    )
    assert bulk.status_code == 400
    assert KpiMeasurement.objects.count() == 1


def test_a_note_at_the_limit_is_saved(cast, api, csat):
    response = api(cast.qo_a).post(
        "/api/v1/kpi-measurements/", {"kpi": csat.pk, "period": month(1), "value": "4", "note": "x" * 2000}
    )
    assert response.status_code == 201


def test_a_comment_of_a_megabyte_is_a_field_error_in_the_form_and_a_400_in_the_api(cast, as_user, api):
    data = {"unit": cast.units.team_a1a.pk, "channel": "email", "category": "service", "comment": MEGABYTE}
    response = as_user(cast.qo_a).post("/kpis/feedback/add/", data)
    assert response.status_code == 200 and "at most 5000 characters" in response.context["form"].errors["comment"][0]
    response = api(cast.qo_a).post("/api/v1/feedback/", data)
    assert response.status_code == 400 and "comment" in response.json()
    assert not Feedback.objects.exists()
