"""The management review as a PDF (``qms.pdf.render_pdf``: vendored font, no network, A4, page numbers),
for the board: the frozen pack of a finalised review, the live figures of one in preparation. One
function for the page's PDF (``reviews.views.reviews.ReviewPdfView``) and the API's
(``GET management-reviews/{id}/pdf/``), so both hand out the same document."""

from django.utils import timezone

from qms.pdf import render_pdf
from reviews.selectors.document import review_document
from reviews.selectors.pack import pack_for

TEMPLATE = "reviews/review_pdf.html"


def review_pdf_context(review, pack: dict | None = None) -> dict:
    """What the template reads: ``review``, ``pack``, ``generated_at`` (now, local time) and the review
    as one document (``reviews.selectors.document.review_document``: ``sections`` each with its figures,
    tables, chart, commentary and decisions, ``attendees``, ``decisions``, ``as_of``)."""
    pack = pack_for(review) if pack is None else pack
    return {
        "review": review,
        "pack": pack,
        "generated_at": timezone.localtime(),
        **review_document(review, pack),
    }


def review_pdf(review, request=None) -> bytes:
    """The review's PDF (``%PDF-`` bytes)."""
    return render_pdf(TEMPLATE, review_pdf_context(review), request)
