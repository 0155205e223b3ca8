"""A score of a derived area entered on the month's page or imported (issue 10): it counts where the
organisation has no mandatory-training data for the year, the derived score wins where it has, and the
page says which and why; the other areas are saved either way."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qms.models import Course, TrainingAssignment
from qms.periods import month_shift
from risks.models import AreaScore, MonthlyScore
from risks.services import scoring as services

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = month_shift(THIS_MONTH, -1)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90}


def label(month) -> str:
    return month.strftime("%Y-%m")


@pytest.fixture
def org(cast):
    services.areas_ensure_defaults(organisation=cast.units.org_a)
    return cast.units.org_a


@pytest.fixture
def trained(cast, org):
    course = Course.objects.create(organisation=org, title="Security awareness")
    TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=LAST_MONTH.year, completed_on=LAST_MONTH)
    return course


def scores_of(org, month) -> dict:
    monthly = MonthlyScore.objects.get(organisation=org, month=month)
    return dict(AreaScore.objects.filter(monthly=monthly).values_list("area__code", "score"))


def test_without_training_data_the_month_page_asks_for_the_training_score_and_keeps_it(cast, as_user, org):
    client = as_user(cast.qo_a)
    path = f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/"
    page = client.get(path)
    assert "area_training" in page.context["form"].fields
    response = client.post(path, {**{f"area_{code}": value for code, value in ALL_90.items()}, "area_training": "70"})
    assert response.status_code == 302
    assert scores_of(org, LAST_MONTH)["training"] == Decimal("70")
    assert MonthlyScore.objects.get(organisation=org, month=LAST_MONTH).total == Decimal("89.0")
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("so the delivered score 70.0 counts" in message for message in shown), shown


def test_with_training_data_the_month_page_derives_the_training_score(cast, as_user, org, trained):
    page = as_user(cast.qo_a).get(f"/risks/scores/{org.pk}/{label(LAST_MONTH)}/")
    assert "area_training" not in page.context["form"].fields


def import_file(rows) -> SimpleUploadedFile:
    text = "month,area,score\n" + "\n".join(f"{label(LAST_MONTH)},{code},{value}" for code, value in rows.items())
    return SimpleUploadedFile("scores.csv", text.encode("utf-8"), content_type="text/csv")


def test_an_imported_training_score_counts_where_there_is_no_training_data(cast, as_user, org):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/import/", {"file": import_file({**ALL_90, "training": 70})}
    )
    assert response.status_code == 302
    assert scores_of(org, LAST_MONTH)["training"] == Decimal("70")


def test_an_imported_training_score_gives_way_to_the_derived_one_and_the_rest_is_imported(cast, as_user, org, trained):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/import/", {"file": import_file({**ALL_90, "training": 70})}
    )
    assert response.status_code == 302
    assert scores_of(org, LAST_MONTH) == {**{code: Decimal(value) for code, value in ALL_90.items()}, "training": 100}
