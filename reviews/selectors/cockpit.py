"""The management review's tile of the cockpit (registered in ``ReviewsConfig.ready``): the board, the
quality officers and group management see the last finalised review of their organisations and the one
being prepared, in one query whatever the number of reviews."""

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from qms.cockpit import Tile, TileRow, list_url
from reviews.choices import ReviewStatus
from reviews.models import ManagementReview

# The tile lists the newest reviews of the person's organisations, at most this many.
TILE_ROWS = 4


def review_tile(user, scope) -> Tile:
    """The newest reviews the person sees: finalised ones with the date their pack is as of, the ones in
    preparation as such (one query)."""
    reviews = list(
        ManagementReview.objects.visible_to(user)
        .select_related("organisation")
        .only("pk", "year", "status", "pack_as_of", "organisation__name")
        .order_by("-year", "organisation__name")[:TILE_ROWS]
    )
    rows = []
    for review in reviews:
        if review.status == ReviewStatus.FINALISED:
            as_of = formats.date_format(review.pack_as_of, "SHORT_DATE_FORMAT")
            note = _("finalised, as of %(date)s") % {"date": as_of}
            severity = "success"
        else:
            note, severity = _("in preparation"), "warning"
        rows.append(TileRow(f"{review.organisation.name} {review.year}", note, review.get_absolute_url(), severity))
    last = next((review for review in reviews if review.status == ReviewStatus.FINALISED), None)
    return Tile(
        rows=rows,
        severity="success" if last else "secondary",
        url=list_url("reviews:review_list"),
        empty=_("No management review yet."),
    )
