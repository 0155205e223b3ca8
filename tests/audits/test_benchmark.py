"""The audits benchmark is a measurement, not a test; this only shows that it measures what it says at a
tiny size: two organisations seeded (one year, several years), the selectors and the maturity report page
of each timed with their query counts (equal), the ratios printed, and that it cleans up."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audits.models import Audit, AuditCalibration, AuditScore, Finding, Principle
from qms.models import OrganisationUnit, User

pytestmark = pytest.mark.django_db


def run(**options):
    out = StringIO()
    call_command("benchmark_audits", stdout=out, **options)
    return out.getvalue()


def test_it_seeds_both_organisations_measures_the_report_and_cleans_up(settings):
    settings.DEBUG = False  # the production settings (the tests' own already have it off)
    text = run(units=3, years=2, assessors=2, principles=2, warmups=1, requests=2, yes=True)
    assert (
        "seeded one year: 3 units x 2 principles x 2 assessors x 1 year(s): 3 audits, 12 scores, 6 calibrated" in text
    )
    assert (
        "seeded 2 years: 3 units x 2 principles x 2 assessors x 2 year(s): 6 audits, 24 scores, 12 calibrated" in text
    )
    lines = [line for line in text.splitlines() if re.match(r"(selectors|maturity report page), ", line)]
    assert len(lines) == 4, text
    assert all(int(line.split()[-1]) > 0 for line in lines), text
    for selector in ("maturity_by_principle", "common_threads", "maturity_over_years", "unit_over_years"):
        assert re.search(rf"ratio 2 years / one year, {selector}: [\d.]+x; queries (\d+) / \1 \(equal\)", text), text
    ratios = re.findall(r"ratio 2 years / one year, (selectors|maturity report page): [\d.]+x.*\(equal\)", text)
    assert ratios == ["selectors", "maturity report page"], text
    assert not Audit.objects.exists() and not AuditScore.objects.exists() and not AuditCalibration.objects.exists()
    assert not Finding.objects.exists() and not Principle.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH-AUDIT").exists()
    assert not User.objects.filter(username__startswith="benchmark-audit").exists()


def test_it_refuses_to_write_to_the_configured_database_unless_told_to(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        run(units=1, years=1)
    assert not Audit.objects.exists()


def test_it_refuses_to_measure_under_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        run(units=1, years=1, yes=True)
