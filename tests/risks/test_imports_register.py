"""The risk import (``risks.imports.register`` on the shared pipeline ``qms.imports``) through its page:
every row through ``risk_create``, all or nothing, every problem of every row reported, and the
pipeline's limits and file formats."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from qms.choices import Role
from qms.models import OrganisationUnit
from risks.choices import RiskLevel
from risks.models import Risk
from tests.factories import MembershipFactory
from tests.factories.risks import category

IN_HALF_A_YEAR = timezone.localdate() + datetime.timedelta(days=180)


@pytest.fixture
def coded_units(cast):
    OrganisationUnit.objects.filter(pk=cast.units.bu_a1.pk).update(code="A1")
    OrganisationUnit.objects.filter(pk=cast.units.bu_b1.pk).update(code="B1")
    # The tests run without migrations: the default categories are made here.
    for code in ("security", "corruption", "operational"):
        category(code)


def upload(rows, name="risks.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


HEADER = ["title", "description", "category", "unit", "owner", "likelihood", "impact", "next_review"]


def test_it_imports_every_row_of_a_valid_file(cast, as_user, coded_units):
    file = upload(
        [
            HEADER,
            ["Fire", "", "security", "A1", "risk_owner_a", "2", "5", ""],
            ["Fraud", "", "corruption", "a1", "qo_a", "3", "3", IN_HALF_A_YEAR.isoformat()],
        ]
    )
    response = as_user(cast.qo_a).post("/risks/import/", {"file": file}, follow=True)
    assert "2 risks imported." in response.content.decode()
    fraud = Risk.objects.get(title="Fraud")
    assert (fraud.level, fraud.owner, fraud.next_review) == (RiskLevel.MEDIUM, cast.qo_a, IN_HALF_A_YEAR)
    assert Risk.objects.count() == 2


def test_it_imports_nothing_when_one_row_is_invalid_and_reports_each_row(cast, as_user, coded_units):
    file = upload(
        [
            HEADER,
            ["Fire", "", "security", "A1", "risk_owner_a", "2", "5", ""],
            ["Bad scale", "", "security", "A1", "risk_owner_a", "9", "5", ""],
            ["Other org", "", "security", "B1", "risk_owner_a", "2", "2", ""],
            ["Unknowns", "", "nonsense", "NOPE", "nobody", "x", "2", "31-01-2030"],
            ["Outsider owner", "", "security", "A1", "member_b", "1", "1", ""],
        ]
    )
    response = as_user(cast.qo_a).post("/risks/import/", {"file": file})
    assert response.status_code == 200
    assert not Risk.objects.exists()
    result = response.context["result"]
    assert result.created == 0 and result.rows == 5
    report = {error.row: dict(error.messages) for error in result.errors}
    assert set(report) == {3, 4, 5, 6}
    assert "Choose a value from 1 to 5" in report[3]["likelihood"]
    assert report[4]["unit"] == "No unit with code B1."  # organisation B is out of sight
    assert set(report[5]) == {"unit", "owner", "likelihood", "next_review"}
    assert report[5]["owner"] == "No person with username nobody."
    assert report[6]["owner"] == "No person with username member_b."
    content = response.content.decode()
    assert 'data-testid="import-report"' in content and 'data-row="4"' in content


def test_it_reports_a_row_in_a_unit_where_the_importer_may_not_register(cast, as_user, coded_units):
    # A viewer of organisation A who leads team A1a: sees business unit A1, registers only in the team.
    MembershipFactory(user=cast.viewer_a, unit=cast.units.team_a1a, role=Role.TEAM_LEAD)
    OrganisationUnit.objects.filter(pk=cast.units.team_a1a.pk).update(code="A1A")
    file = upload(
        [
            HEADER,
            ["Team risk", "", "security", "A1A", "team_lead_a", "1", "1", ""],
            ["Too high", "", "security", "A1", "team_lead_a", "1", "1", ""],
        ]
    )
    response = as_user(cast.viewer_a).post("/risks/import/", {"file": file})
    [error] = response.context["result"].errors
    assert error.row == 3 and error.messages == [("unit", "You cannot register risks in Business unit A1.")]
    assert not Risk.objects.exists()


def test_it_imports_an_xlsx_file(cast, as_user, coded_units):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Flood", None, "operational", "A1", "risk_owner_a", 4, 4, IN_HALF_A_YEAR])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("risks.xlsx", buffer.getvalue())
    response = as_user(cast.qo_a).post("/risks/import/", {"file": file})
    assert response.status_code == 302
    flood = Risk.objects.get(title="Flood")
    assert (flood.level, flood.next_review) == (RiskLevel.VERY_HIGH, IN_HALF_A_YEAR)


def test_it_refuses_a_file_without_the_required_columns(cast, as_user):
    response = as_user(cast.qo_a).post("/risks/import/", {"file": upload([["name"], ["x"]])})
    assert response.status_code == 200
    assert "missing: title, category, unit, owner, likelihood, impact" in str(response.context["form"].errors)


def test_it_offers_a_template_to_import_from(cast, as_user):
    response = as_user(cast.qo_a).get("/risks/import/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["title", "description", "category", "unit"]


# --- every problem of a row at once -----------------------------------------------------------


def test_the_import_reports_every_problem_of_a_row_at_once(cast, as_user, coded_units):
    file = upload([HEADER, ["Many problems", "", "security", "A1", "nobody", "9", "5", "31-01-2030"]])
    response = as_user(cast.qo_a).post("/risks/import/", {"file": file})
    [error] = response.context["result"].errors
    report = dict(error.messages)
    assert set(report) == {"owner", "likelihood", "next_review"}
    assert report["likelihood"] == "Choose a value from 1 to 5 (the organisation's matrix)."
    assert report["owner"] == "No person with username nobody."
    assert report["next_review"] == "Give the date as YYYY-MM-DD."


def test_the_import_reports_a_next_review_beyond_a_year(cast, as_user, coded_units):
    file = upload([HEADER, ["Late", "", "security", "A1", "risk_owner_a", "2", "2", "2035-01-01"]])
    [error] = as_user(cast.qo_a).post("/risks/import/", {"file": file}).context["result"].errors
    assert [column for column, _message in error.messages] == ["next_review"]


# --- hostile and odd files (issue 15) -----------------------------------------------------------


def test_it_imports_a_csv_with_cr_only_line_endings(cast, as_user, coded_units):
    # Old Excel for Mac ends lines with CR only.
    lines = [
        "title,category,unit,owner,likelihood,impact",
        "Fire,security,A1,risk_owner_a,2,5",
        "Flood,operational,A1,qo_a,1,1",
    ]
    content = "\r".join(lines).encode() + b"\r"
    response = as_user(cast.qo_a).post("/risks/import/", {"file": SimpleUploadedFile("risks.csv", content)})
    assert response.status_code == 302
    assert set(Risk.objects.values_list("title", flat=True)) == {"Fire", "Flood"}


@pytest.mark.parametrize("name", ["risks.csv", "risks.xlsx"])
def test_it_refuses_a_file_over_the_row_limit_and_saves_nothing(cast, as_user, coded_units, settings, name):
    settings.IMPORT_MAX_ROWS = 3
    rows = [HEADER, *[[f"Risk {n}", "", "security", "A1", "risk_owner_a", "2", "2", ""] for n in range(4)]]
    if name.endswith(".xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        file = SimpleUploadedFile(name, buffer.getvalue())
    else:
        file = upload(rows, name)
    response = as_user(cast.qo_a).post("/risks/import/", {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["At most 3 rows can be imported at once."]
    assert not Risk.objects.exists()


def test_it_refuses_a_file_over_the_size_limit_or_of_another_kind(cast, as_user, coded_units, settings):
    settings.IMPORT_MAX_BYTES = 150
    client = as_user(cast.qo_a)
    rows = [HEADER, *[[f"Risk {n}", "", "security", "A1", "risk_owner_a", "2", "2", ""] for n in range(4)]]
    response = client.post("/risks/import/", {"file": upload(rows)})
    assert "at most 150" in response.context["form"].errors["file"][0]
    response = client.post("/risks/import/", {"file": upload(rows[:2], "risks.pdf")})
    assert response.context["form"].errors["file"] == ["Upload a CSV or XLSX file."]
    assert not Risk.objects.exists()


def test_the_page_promises_the_pipeline_limits(cast, as_user, settings):
    settings.IMPORT_MAX_ROWS = 1234
    content = as_user(cast.qo_a).get("/risks/import/").content.decode()
    assert "At most 1234 rows" in content
