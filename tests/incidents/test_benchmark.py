"""The incident benchmark is a measurement, not a test; this only shows that it measures what it says:
the incidents and risks it seeded, served by a real gunicorn with the production settings, the SLA
report and watch in-process (the watch rolled back), and that it cleans up."""

import re
from io import StringIO

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command

from incidents.models import Incident
from qms.models import Notification, OrganisationUnit, User
from risks.models import Risk

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_incident_benchmark_serves_the_seeded_incidents_through_gunicorn_and_cleans_up(settings):
    # The server has the production settings: the officers' passwords must be hashed as it expects.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    out = StringIO()
    call_command("benchmark_incidents", incidents=300, open=60, risks=20, workers=1, requests=2, yes=True, stdout=out)
    text = out.getvalue()
    assert "seeded 300 incidents (60 open)" in text, text
    assert "seeded 20 risks" in text, text
    assert re.search(r"sla_report, a year \(\d{4}\): [\d.]+ s best", text), text
    assert re.search(r"sla_watch over 60 open, every open incident unclaimed: .* escalated [1-9]", text), text
    assert re.search(r"calendar\.add\(42\.5 h\): [\d.]+ µs per call", text), text
    assert len(re.findall(r"ratio .*: [\d.]+x", text)) == 2, text
    # Every page answered 200 (the seeded officers see their data; no redirect to the login page).
    requests = [line for line in text.splitlines() if line.startswith(("/", "GET ", "incident list", "SLA report"))]
    assert len(requests) == 10, text  # 4 of the pairs, 4 single requests, 2 report pages
    assert all(re.search(r"\s200\s", line) for line in requests), text
    assert not Incident.objects.exists()
    assert not Risk.objects.exists()
    assert not Notification.objects.exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH").exists()
    assert not User.objects.filter(username__startswith="benchmark-").exists()


def test_the_incident_benchmark_refuses_to_run_on_a_real_database_without_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        call_command("benchmark_incidents", incidents=1)


@pytest.mark.parametrize("command", ["benchmark_incidents", "benchmark_calendar"])
def test_the_incident_benchmarks_refuse_to_measure_under_debug(settings, command):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        call_command(command, yes=True) if command == "benchmark_incidents" else call_command(command)
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH").exists()
