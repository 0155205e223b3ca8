"""The incident import: Dutch and English headers, the source's words, all or nothing with a report
per row, the breach answer required on every row, and the template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from incidents.models import Incident
from tests.incidents.conftest import ams

pytestmark = pytest.mark.django_db

IMPORT = reverse("incidents:incident_import")


def upload(text: str, name="incidents.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


DUTCH = (
    "eenheid;titel;impact;urgentie;vermoeden datalek;gemeld op;kanaal;categorie;melder\n"
    "Business unit A1;Aanmelden lukt niet;beperkt aantal personen;hapert;nee;2026-11-02 09:00;phone;application;Piet\n"
    "Business unit A1;Gegevens naar verkeerde school;instelling;stopt;ja;02-11-2026 10:00;mail;data_exchange;\n"
)


def test_it_imports_a_dutch_file_with_the_sources_words(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 12, 0))
    response = as_user(cast.qo_a).post(IMPORT, {"file": upload(DUTCH)})
    assert response.status_code == 302, response.content.decode()[:2000]
    first, second = Incident.objects.order_by("reported_at")
    assert (first.priority, first.reporter_name, first.channel) == (2, "Piet", "phone")
    assert first.reported_at == ams(2026, 11, 2, 9, 0)
    assert second.priority == 1 and second.data_breach_suspected is True
    assert second.restore_due == ams(2026, 11, 2, 14, 0)


def test_it_imports_an_english_workbook(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 12, 0))
    book = Workbook()
    sheet = book.active
    sheet.append(["unit", "title", "impact", "urgency", "breach suspected", "reported at"])
    sheet.append(["Business unit A1", "Mail slow", "one_person", "The process continues", "no", None])
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile("incidents.xlsx", buffer.getvalue())
    assert as_user(cast.qo_a).post(IMPORT, {"file": file}).status_code == 302
    assert Incident.objects.get().priority == 3


def test_it_imports_nothing_when_a_row_is_bad(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 12, 0))
    text = (
        "unit,title,impact,urgency,breach suspected,reported at\n"
        "Business unit A1,Fine row,unit,stops,no,2026-11-02 09:00\n"
        "Business unit A1,No answer,unit,stops,,2026-11-02 09:00\n"
        "Business unit A1,Odd impact,the world,stops,yes,2026-11-02 09:00\n"
        "Business unit B1,Not ours,unit,stops,no,2026-11-02 09:00\n"
        "Business unit A1,From the future,unit,stops,no,2027-01-01 09:00\n"
        "Business unit A1,Bad time,unit,stops,maybe,yesterday\n"
    )
    response = as_user(cast.qo_a).post(IMPORT, {"file": upload(text)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="import-report"' in page
    assert "Answer yes or no: does this concern information security or privacy?" in page
    assert "Unknown impact the world" in page
    assert "No unit Business unit B1 here." in page
    assert "The report time cannot be in the future." in page
    assert "is not a moment" in page and "Give yes or no, not maybe." in page
    for row in (3, 4, 5, 6, 7):
        assert f'data-row="{row}"' in page
    assert 'data-row="2"' not in page
    assert not Incident.objects.exists()


def test_it_refuses_a_file_without_the_breach_column(cast, as_user):
    text = "unit,title,impact,urgency\nBusiness unit A1,x,unit,stops\n"
    response = as_user(cast.qo_a).post(IMPORT, {"file": upload(text)})
    assert response.status_code == 200 and "missing: data_breach_suspected" in response.content.decode()
    assert not Incident.objects.exists()


def test_it_refuses_the_import_to_readers(cast, as_user):
    assert as_user(cast.viewer_a).get(IMPORT).status_code == 403
    assert as_user(cast.viewer_a).post(IMPORT, {"file": upload(DUTCH)}).status_code == 403
    assert not Incident.objects.exists()


def test_it_offers_a_template_that_imports(cast, as_user, clock):
    clock.set(ams(2026, 11, 2, 12, 0))
    client = as_user(cast.qo_a)
    assert "import-template" in client.get(IMPORT).content.decode()
    template = client.get(reverse("incidents:incident_import_template"))
    assert template.status_code == 200
    text = template.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("unit,title,description,impact,urgency,breach suspected")
    filled = text.replace("UNIT-CODE", "Business unit A1")
    assert client.post(IMPORT, {"file": upload(filled)}).status_code == 302
    assert Incident.objects.count() == 2
