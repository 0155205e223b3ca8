"""The management review's cockpit tile: the board reads the last finalised review of its organisation
(with the date its pack is as of) and the one being prepared; nothing of another organisation; a viewer
has no such tile."""

import pytest

from qms.cockpit import cockpit_for
from tests.factories.reviews import finalised, make_ready, review_of

pytestmark = pytest.mark.django_db


def review_tile(user):
    user = type(user).objects.get(pk=user.pk)
    return {tile.key: tile for tile in cockpit_for(user)}.get("management_review")


def test_the_board_sees_the_last_finalised_review_and_the_one_in_preparation(cast):
    last = finalised(make_ready(review_of(cast.units.org_a, year=2025)))
    current = review_of(cast.units.org_a, year=2026)
    review_of(cast.units.org_b, year=2025)
    tile = review_tile(cast.board_a)
    assert [row.url for row in tile.rows] == [current.get_absolute_url(), last.get_absolute_url()]
    assert [str(row.value) for row in tile.rows][0] == "in preparation"
    assert str(tile.rows[1].value).startswith("finalised, as of")
    assert tile.severity == "success"


def test_a_board_without_reviews_reads_that_there_is_none_and_a_viewer_has_no_tile(cast):
    tile = review_tile(cast.board_a)
    assert tile.is_empty and str(tile.empty) == "No management review yet."
    assert review_tile(cast.viewer_a) is None
