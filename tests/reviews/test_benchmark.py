"""The review benchmark is a measurement, not a test; this only shows that it measures what it says at a
tiny size: two organisations seeded (a small and a large one), the pack and each of its sections timed
with their query counts (equal for both), the PDF timed, the ratios printed, and that it cleans up."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from incidents.models import Incident, NonConformity
from kpis.models import Feedback, Kpi
from qms.models import Action, OrganisationUnit, User
from reviews.choices import ReviewInput
from reviews.models import ManagementReview
from risks.models import Risk

pytestmark = pytest.mark.django_db


def run(**options):
    out = StringIO()
    call_command("benchmark_reviews", stdout=out, **options)
    return out.getvalue()


def test_it_seeds_both_organisations_times_the_pack_and_the_pdf_and_cleans_up(settings):
    settings.DEBUG = False  # the production settings (the tests' own already have it off)
    text = run(risks=40, incidents=1000, nonconformities=40, scale_down=10, warmups=0, requests=1, yes=True)
    assert "seeded small: 4 risks, 100 incidents, 4 non-conformities" in text, text
    assert "seeded large: 40 risks, 1,000 incidents, 40 non-conformities" in text, text
    for name in ["assemble_pack", *ReviewInput.values]:
        assert re.search(rf"ratio large / small, {name}: [\d.]+x; queries (\d+) / \1 \(equal\)", text), text
    assert re.search(r"ratio large / small, review_pdf \(pack \+ render\): [\d.]+x; queries (\d+) / \1", text), text
    assert re.search(r"the pack at the large size: [\d.]+ s median", text), text
    assert re.search(r"the PDF at the large size: [\d.]+ s median", text), text
    assert "NOT EQUAL" not in text, text
    assert not Incident.objects.exists() and not NonConformity.objects.exists() and not Risk.objects.exists()
    assert not Kpi.objects.exists() and not Feedback.objects.exists() and not Action.objects.exists()
    assert not ManagementReview.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH-REV").exists()
    assert not User.objects.filter(username__startswith="benchmark-review").exists()


def test_it_refuses_to_write_to_the_configured_database_unless_told_to(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        run(risks=1, incidents=1, nonconformities=1)
    assert not Risk.objects.exists()


def test_it_refuses_to_measure_under_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        run(risks=1, incidents=1, nonconformities=1, yes=True)
