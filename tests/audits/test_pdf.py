"""The audit report as a PDF (WeasyPrint, qms.pdf): a real PDF with the report's text, A4 with page
numbers, the radar chart as SVG, the vendored font, nothing fetched from the network, 404 out of sight."""

import io
import socket

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audits.choices import AuditStatus, FindingKind
from audits.models import Finding, Theme
from qms import pdf
from tests.factories.audits import advance, audit_with_assessors, calibrated, principles_of, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(cast):
    org = cast.units.org_a
    audit = audit_with_assessors(org, cast.units.bu_a1, principles=3)
    principles = principles_of(org, 3)
    lead, other = list(audit.assessors.order_by("pk"))
    audit = scored(audit, {lead: dict.fromkeys(principles, 3), other: dict(zip(principles, [2, 3, 4], strict=True))})
    audit = advance(audit, AuditStatus.CALIBRATION)
    audit = calibrated(audit, dict(zip(principles, [2, 3, 4], strict=True)))
    audit = advance(audit, AuditStatus.DRAFT_REPORT)
    theme = Theme.objects.create(organisation=org, name="Documentation")
    Finding.objects.create(
        audit=audit,
        kind=FindingKind.FINDING,
        principle=principles[0],
        theme=theme,
        title="Procedures out of date",
        # What someone typed: escaped in the PDF's HTML, so never an image WeasyPrint would fetch.
        text='<img src="http://example.org/tracker.png"> see <a href="http://example.org">here</a>',
    )
    return audit


def pdf_url(audit):
    return reverse("audits:audit_report_pdf", args=[audit.pk])


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during PDF rendering: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_it_renders_the_audit_report_as_a_pdf_with_its_text(audit, as_user, cast, no_network):
    response = as_user(cast.qo_a).get(pdf_url(audit))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="audit-business-unit-a1-2026.pdf"' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF")
    text = text_of(content)
    assert "Business unit A1" in text and "2026" in text
    assert "Procedures out of date" in text and "Page 1 of" in text
    assert '<img src="http://example.org/tracker.png">' in text  # shown as text, not fetched
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert [round(float(side)) for side in page.mediabox.upper_right] == [595, 842]  # A4 in points


def test_it_draws_the_radar_chart_as_svg_and_reads_only_static_files(audit, as_user, cast, monkeypatch, no_network):
    fetched = []
    allowed = pdf._allowed_path

    def spy(url):
        fetched.append(url)
        return allowed(url)

    monkeypatch.setattr(pdf, "_allowed_path", spy)
    captured = {}
    render = pdf.render_pdf

    def keep_context(template, context, request=None):
        captured.update(context)
        return render(template, context, request)

    monkeypatch.setattr("audits.views.reports.render_pdf", keep_context)
    content = as_user(cast.qo_a).get(pdf_url(audit)).content
    assert content.startswith(b"%PDF")
    radar = captured["radar_svg"]
    assert len(radar["axes"]) == 3 and [series.get("bold", False) for series in radar["series"]] == [False, False, True]
    # The font, from the vendored copy, and nothing else.
    assert fetched and all(url.startswith("file://") and "/static/vendor/dejavu/DejaVuSans" in url for url in fetched)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in name for name in fonts)


def test_the_fetcher_refuses_the_network_and_files_outside_the_static_directories(settings):
    fetcher = pdf.url_fetcher()
    for url in ("http://example.org/a.png", "https://example.org/a.css", "file:///etc/passwd", "data:,x"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    font = pdf.static_file_url("vendor/dejavu/DejaVuSans.ttf")
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    escape = font.replace("vendor/dejavu/DejaVuSans.ttf", "../manage.py")
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(escape)


def test_it_shows_an_assessor_only_their_own_scores_in_the_pdf_before_calibration(cast, as_user):
    org = cast.units.org_a
    audit = audit_with_assessors(org, cast.units.bu_a1, principles=1)
    (principle,) = principles_of(org, 1)
    lead, other = list(audit.assessors.order_by("pk"))
    audit = scored(audit, {lead: {principle: (1, "Lead's reasons")}, other: {principle: (5, "Other's reasons")}})
    text = text_of(as_user(other).get(pdf_url(audit)).content)
    assert str(other) in text and str(lead) not in text.split("Scores per principle")[1]


def test_it_hides_the_pdf_out_of_sight(audit, as_user, cast):
    for person in (cast.outsider, cast.member_b):
        assert as_user(person).get(pdf_url(audit)).status_code == 404
