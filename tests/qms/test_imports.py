"""The shared import pipeline (qms.imports): safe reading and all-or-nothing imports with a per-row report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from qms.choices import UnitKind
from qms.imports import ImportFileError, import_rows, read_table, template_csv
from qms.models import OrganisationUnit
from qms.services.organisation import unit_create

COLUMNS = {"name": "name", "naam": "name", "kind": "kind", "soort": "kind"}


def upload(content: bytes, name="units.csv"):
    return SimpleUploadedFile(name, content)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_csv_with_cr_only_line_endings():
    rows = read_table(upload(b"name,kind\rSales,team\rSupport,team\r"), columns=COLUMNS, required=["name"])
    assert [(row.line, row.text("name")) for row in rows] == [(2, "Sales"), (3, "Support")]


def test_it_reads_dutch_headers_and_semicolons_with_decimal_commas():
    rows = read_table(upload("naam;soort\nVerkoop;team\n€ 1,5;x\n".encode("cp1252")), columns=COLUMNS)
    assert [row.cells for row in rows] == [{"name": "Verkoop", "kind": "team"}, {"name": "€ 1,5", "kind": "x"}]


def test_it_leaves_empty_rows_out_and_keeps_the_file_line_numbers():
    rows = read_table(upload(b"\xef\xbb\xbfname,kind\n\n,\nSales,team\n"), columns=COLUMNS)
    assert [(row.line, row.text("name")) for row in rows] == [(4, "Sales")]


def test_it_reads_an_xlsx_workbook_with_numbers_and_dates_as_text():
    import datetime

    rows = read_table(
        upload(xlsx([["name", "kind"], [2.0, datetime.datetime(2026, 1, 1)]]), "units.xlsx"), columns=COLUMNS
    )
    assert (rows[0].text("name"), rows[0].text("kind")) == ("2", "2026-01-01")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "units.csv", "The file is empty."),
        (b"title,kind\nx,y\n", "units.csv", "missing: name"),
        (b"name\n", "units.pdf", "Upload a CSV or XLSX file."),
        (b"not a workbook", "units.xlsx", "not an Excel workbook"),
        (b"name\x00\n", "units.csv", "not a text (CSV) file"),
        (b'name\n"unclosed\nquote', "units.csv", None),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_message_on_the_file(content, name, message):
    try:
        rows = read_table(upload(content, name), columns=COLUMNS, required=["name"])
    except ImportFileError as error:
        assert message is None or message in " ".join(error.message_dict["file"])
    else:
        assert message is None and rows  # the csv module reads an unclosed quote to the end of the file


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(settings):
    settings.IMPORT_MAX_BYTES = 100

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read a file that is too large")

    with pytest.raises(ImportFileError, match="at most 100"):
        read_table(Unreadable("units.csv", b"name\n" + b"x\n" * 100), columns=COLUMNS)


@pytest.mark.parametrize("name", ["units.csv", "units.xlsx"])
def test_it_stops_at_the_row_limit(settings, name):
    settings.IMPORT_MAX_ROWS = 10
    rows = [["name"], *[[f"unit {n}"] for n in range(25)]]
    content = xlsx(rows) if name.endswith("xlsx") else "\n".join(row[0] for row in rows).encode()
    with pytest.raises(ImportFileError, match="At most 10 rows"):
        read_table(upload(content, name), columns=COLUMNS)
    assert len(read_table(upload(content, name), columns=COLUMNS, limit=25)) == 25


def test_template_csv_starts_with_a_bom_for_excel():
    assert template_csv(["name", "kind"], [["Sales", "team"]]) == "\ufeffname,kind\r\nSales,team\r\n".encode()


def import_units(cast, content: bytes):
    rows = read_table(upload(content), columns=COLUMNS, required=["name", "kind"])
    return import_rows(
        rows,
        import_row=lambda row: unit_create(
            actor=cast.superuser, name=row.text("name"), kind=row.text("kind"), parent=cast.units.org_a
        ),
        title=lambda row: row.text("name"),
    )


def test_it_imports_every_row_through_the_service(cast):
    result = import_units(cast, b"name,kind\nSales,business_unit\nSupport,business_unit\n")
    assert (result.ok, result.created, result.rows) == (True, 2, 2)
    assert set(OrganisationUnit.objects.filter(parent=cast.units.org_a).values_list("name", flat=True)) >= {
        "Sales",
        "Support",
    }


def test_it_imports_nothing_when_one_row_fails_and_reports_every_bad_row(cast):
    before = OrganisationUnit.objects.count()
    result = import_units(cast, b"name,kind\nSales,business_unit\nBad,planet\n,team\n")
    assert OrganisationUnit.objects.count() == before
    assert (result.created, result.objects) == (0, [])
    assert [(error.row, error.title, [column for column, _message in error.messages]) for error in result.errors] == [
        (3, "Bad", ["kind", "parent"]),  # an unknown kind, and so no kind that may sit below an organisation
        (4, "", ["name"]),
    ]


def test_a_refusal_by_role_is_reported_on_its_row(cast):
    rows = read_table(upload(b"name,kind\nSales,business_unit\n"), columns=COLUMNS)
    result = import_rows(
        rows,
        import_row=lambda row: unit_create(
            actor=cast.viewer_a, name=row.text("name"), kind=UnitKind.BUSINESS_UNIT, parent=cast.units.org_a
        ),
        title=lambda row: row.text("name"),
    )
    assert result.errors[0].row == 2 and "administrator" in result.errors[0].messages[0][1]


def test_a_long_cell_is_read_and_left_to_the_service_to_judge():
    rows = read_table(upload(b"name,kind\n" + b"x" * 300_000 + b",team\n"), columns=COLUMNS)
    assert len(rows[0].text("name")) == 300_000
