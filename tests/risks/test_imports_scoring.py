"""The score import (``risks.imports.scoring`` on the shared pipeline ``qms.imports``) through its page:
a file of one organisation's months, one ``scores_enter`` call per month, all or nothing, every
problem reported on its row, and the pipeline's limits and file formats."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from qms.models import Course, TrainingAssignment
from qms.periods import month_shift
from risks.imports import scoring as imports
from risks.models import AreaScore, MonthlyScore
from risks.services import scoring as services

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = month_shift(THIS_MONTH, -1)
TWO_AGO = month_shift(THIS_MONTH, -2)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90}


def label(month) -> str:
    return month.strftime("%Y-%m")


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def org(cast):
    """Organisation A with the default areas."""
    services.areas_ensure_defaults(organisation=cast.units.org_a)
    return cast.units.org_a


@pytest.fixture
def trained(cast, org):
    """Everyone who must follow the course completed it: the derived training area scores 100."""
    course = Course.objects.create(organisation=org, title="Security awareness")
    TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=LAST_MONTH.year, completed_on=TWO_AGO)
    return course


@pytest.fixture
def closed(cast, org, trained):
    """Last month entered and closed by the monthly job."""
    services.scores_enter(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores=ALL_90)
    services.monthly_run(month=LAST_MONTH)
    return MonthlyScore.objects.get(organisation=org, month=LAST_MONTH)


def test_it_imports_a_csv_of_month_scores(cast, as_user, org, trained):
    rows = [f"{label(LAST_MONTH)};{code};{value};gold;silver" for code, value in ALL_90.items()]
    text = "month;area;score;vasp;visp\n" + "\n".join(rows).replace(";90;", ";90,5;", 1)
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    assert response.status_code == 302 and response["Location"] == f"/risks/scores/{org.pk}/"
    monthly = MonthlyScore.objects.get(organisation=org, month=LAST_MONTH)
    assert AreaScore.objects.get(monthly=monthly, area__code="legal").score == Decimal("90.5")
    assert (monthly.vasp_level, monthly.visp_level, monthly.total) == ("gold", "silver", Decimal("90.6"))


def test_an_import_with_one_bad_row_imports_nothing_and_reports_the_row(cast, as_user, org):
    text = (
        "month,area,score\n"
        f"{label(TWO_AGO)},legal,80\n"
        f"{label(TWO_AGO)},security,120\n"
        f"{label(LAST_MONTH)},legal,85\n"
        f"{label(LAST_MONTH)},marketing,50\n"
    )
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    assert response.status_code == 200
    report = {error.row: error.messages for error in response.context["result"].errors}
    assert report == {3: [("score", "Give a number from 0 to 100.")], 5: [("area", "Unknown area marketing.")]}
    html = response.content.decode()
    assert 'data-testid="import-report"' in html and 'data-row="3"' in html and 'data-row="5"' in html
    assert not MonthlyScore.objects.exists() and not AreaScore.objects.exists()


def test_an_import_refuses_a_closed_month_and_a_month_twice(cast, as_user, org, closed):
    text = (
        f"month,area,score\n{label(LAST_MONTH)},legal,80\n{label(THIS_MONTH)},legal,80\n{label(THIS_MONTH)},legal,81\n"
    )
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    report = {error.row: error.messages for error in response.context["result"].errors}
    assert report[2][0][0] == "month" and "is closed" in report[2][0][1]
    assert report[4] == [("area", "Row 3 has a score for this area and month already.")]
    assert not MonthlyScore.objects.filter(month=THIS_MONTH).exists()


def test_it_imports_an_xlsx_file(cast, as_user, org):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["month", "area", "score"])
    sheet.append([datetime.datetime.combine(LAST_MONTH, datetime.time()), "legal", 77.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("scores.xlsx", buffer.getvalue())
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": file})
    assert response.status_code == 302
    assert AreaScore.objects.get(area__code="legal", monthly__month=LAST_MONTH).score == Decimal("77.5")


def test_an_import_without_the_columns_says_which_are_missing(cast, as_user, org):
    response = as_user(cast.qo_a).post(
        f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", "month,score\n2026-01,50\n")}
    )
    assert response.context["form"].errors["file"] == ["The first row must name the columns; missing: area."]


def test_the_import_template_names_the_columns_and_the_areas_scored_by_hand(cast, as_user, org):
    response = as_user(cast.viewer_a).get(f"/risks/scores/{org.pk}/import/template.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["month", "area", "score", "vasp", "visp"]
    assert [row[1] for row in rows[1:]] == ["legal", "security", "sustainability", "supplier", "financial"]


def test_the_rows_of_a_month_are_entered_together(cast, as_user, org, monkeypatch):
    calls = []

    def scores_enter(**kwargs):
        calls.append((kwargs["month"], sorted(kwargs["scores"])))
        return services.scores_enter(**kwargs)

    monkeypatch.setattr(imports, "scores_enter", scores_enter)
    text = "month,area,score,vasp\n" + "".join(
        f"{label(month)},{code},80,{'gold' if code == 'legal' else ''}\n"
        for month in (TWO_AGO, LAST_MONTH)
        for code in ("legal", "security", "supplier")
    )
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    assert response.status_code == 302
    assert calls == [(TWO_AGO, ["legal", "security", "supplier"]), (LAST_MONTH, ["legal", "security", "supplier"])]
    assert set(MonthlyScore.objects.values_list("month", "vasp_level")) == {(TWO_AGO, "gold"), (LAST_MONTH, "gold")}
    assert AreaScore.objects.count() == 6


def test_two_levels_for_one_month_are_reported_on_the_later_row(cast, as_user, org):
    text = f"month,area,score,visp\n{label(LAST_MONTH)},legal,80,gold\n{label(LAST_MONTH)},security,80,silver\n"
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    report = {error.row: error.messages for error in response.context["result"].errors}
    assert report == {3: [("visp", "Row 2 gives another level for this month.")]}
    assert not MonthlyScore.objects.exists()


def test_a_refused_month_is_reported_on_every_row_of_it(cast, as_user, org, closed):
    text = f"month,area,score\n{label(LAST_MONTH)},legal,80\n{label(LAST_MONTH)},security,80\n"
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    errors = response.context["result"].errors
    assert [error.row for error in errors] == [2, 3]
    assert all(error.messages[0][0] == "month" and "is closed" in error.messages[0][1] for error in errors)


# --- hostile and odd files (issue 15) -----------------------------------------------------------


def test_it_imports_a_csv_with_cr_only_line_endings(cast, as_user, org):
    # Old Excel for Mac ends lines with CR only.
    text = f"month,area,score\r{label(LAST_MONTH)},legal,70\r{label(LAST_MONTH)},security,71\r"
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": upload("scores.csv", text)})
    assert response.status_code == 302
    assert set(AreaScore.objects.values_list("area__code", "score")) == {("legal", 70), ("security", 71)}


@pytest.mark.parametrize("name", ["scores.csv", "scores.xlsx"])
def test_it_refuses_a_file_over_the_row_limit_and_saves_nothing(cast, as_user, org, settings, name):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["month", "area", "score"], *[[label(LAST_MONTH), code, "80"] for code in list(ALL_90)[:4]]]
    if name.endswith(".xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        file = SimpleUploadedFile(name, buffer.getvalue())
    else:
        file = upload(name, "\n".join(",".join(row) for row in rows))
    response = as_user(cast.qo_a).post(f"/risks/scores/{org.pk}/import/", {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["At most 3 rows can be imported at once."]
    assert not MonthlyScore.objects.exists() and not AreaScore.objects.exists()
