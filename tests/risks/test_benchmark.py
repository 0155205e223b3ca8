"""The register benchmark is a measurement, not a test; this only shows that it measures what it says:
the risks it seeded, served by a real gunicorn with the production settings, and that it cleans up."""

import re
from io import StringIO

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command

from qms.models import Action, OrganisationUnit
from risks.models import MonthlyScore, Risk

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_register_benchmark_serves_the_seeded_risks_through_gunicorn_and_cleans_up(settings):
    # The server has the production settings: the officer's password must be hashed as it expects.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    out = StringIO()
    call_command("benchmark_register", risks=30, workers=1, clients=1, seconds=1, requests=2, yes=True, stdout=out)
    text = out.getvalue()
    assert re.search(r"seeded 30 risks with \d+ measures", text), text
    requests = [
        line for line in text.splitlines() if line.startswith(("GET ", "filtered", "detail", "register", "heat"))
    ]
    assert len(requests) == 7, text
    # Every page answered 200 (the seeded officer sees the risks; no redirect to the login page).
    assert all(re.search(r"\s200\s", line) for line in requests), text
    assert re.search(r"throughput .*: \d+ requests/s, 0 failed", text), text
    assert re.search(r"peak RSS of a worker: [1-9]\d* MB", text), text
    assert not Risk.objects.exists()
    assert not Action.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH-RISK").exists()


def test_the_register_benchmark_refuses_to_run_on_a_real_database_without_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        call_command("benchmark_register", risks=1)


@pytest.mark.parametrize("command", ["benchmark_register", "benchmark_scoring"])
def test_the_risk_benchmarks_refuse_to_measure_under_debug(settings, command):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        call_command(command, yes=True)
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH").exists()


def test_the_scoring_benchmark_runs_the_job_and_cleans_up():
    out = StringIO()
    call_command("benchmark_scoring", "--organisations", "3", "--yes", stdout=out)
    assert "closed 3 month(s)" in out.getvalue()
    assert not MonthlyScore.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH-SCORE").exists()


def test_the_scoring_benchmark_refuses_to_run_on_a_real_database_without_yes(settings):
    with pytest.raises(CommandError, match="--yes"):
        call_command("benchmark_scoring", organisations=1)
