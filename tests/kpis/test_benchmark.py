"""The benchmark command (a measurement, not a test): it runs end to end on a tiny data set, prints its
figures, keeps its own organisation apart, and removes it with --cleanup."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis.models import Kpi, KpiMeasurement
from qms.models import OrganisationUnit


def run(*args):
    out = StringIO()
    call_command("benchmark_kpis", *args, stdout=out)
    return out.getvalue()


def test_it_seeds_times_the_overview_and_the_api_and_prints_the_figures(db, settings):
    settings.DEBUG = False  # the production settings (the tests' own already have it off)
    output = run("--kpis", "2", "--years", "1", "--warmups", "1", "--requests", "2", "--yes")
    assert "seeded 2 KPIs x 12 monthly measurements (24 rows)" in output
    assert "Django test Client, in-process" in output and "DEBUG=False" in output
    for path in ["/kpis/", "/api/v1/kpi-measurements/?limit=50", "/api/v1/kpi-measurements/?kpi="]:
        line = next(line for line in output.splitlines() if f"GET {path}" in line)
        assert "median" in line and "p95" in line and "queries/request" in line
        assert int(line.split("ms")[-1].split("queries")[0]) > 0
    assert Kpi.objects.count() == 2 and KpiMeasurement.objects.count() == 24
    assert set(Kpi.objects.values_list("organisation__code", flat=True)) == {"BENCH-KPI-ORG"}

    assert "benchmark data removed (2 KPI(s)" in run("--cleanup", "--yes")
    assert not Kpi.objects.exists() and not KpiMeasurement.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH-KPI").exists()


def test_it_refuses_to_write_to_the_configured_database_unless_told_to(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        run("--kpis", "1", "--years", "1", "--requests", "1")
    assert not Kpi.objects.exists()


def test_it_refuses_to_measure_under_debug(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        run("--kpis", "1", "--years", "1", "--requests", "1", "--yes")
    assert not Kpi.objects.exists()
