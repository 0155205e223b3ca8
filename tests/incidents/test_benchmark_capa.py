"""The CAPA benchmark is a measurement, not a test; this only shows that it measures what it says: two
organisations' non-conformities with their actions and checks, the overview selector in-process, the
list, overview and API pages of each served by a real gunicorn with the production settings, the ratios
printed, and that it cleans up."""

import re
from io import StringIO

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command

from incidents.models import CauseCategory, EffectivenessCheck, NonConformity
from qms.models import Action, OrganisationUnit, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_capa_benchmark_serves_both_organisations_through_gunicorn_and_cleans_up(settings):
    # The server has the production settings: the officers' passwords must be hashed as it expects.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    out = StringIO()
    call_command("benchmark_capa", small=40, large=400, workers=1, requests=2, yes=True, stdout=out)
    text = out.getvalue()
    assert re.search(r"seeded small: 40 non-conformities \(\d+ CAPAs, \d+ actions, \d+ checks\)", text), text
    assert re.search(r"seeded large: 400 non-conformities \([1-9]\d* CAPAs, [1-9]\d* actions, [1-9]\d* checks\)", text)
    # The large organisation's overview has data: open ones, overdue actions, quarters, a mean time to close.
    overview = re.search(
        r"capa_overview, large \(400\): .*\((\d+) open, (\d+) overdue actions, (\d+) quarters, ([\d.]+)", text
    )
    assert overview and all(int(float(value)) > 0 for value in overview.groups()), text
    assert len(re.findall(r"ratio large/small, .*: [\d.]+x", text)) == 3, text
    # Every page answered 200 for each organisation's officer (no redirect to the login page).
    requests = [line for line in text.splitlines() if re.match(r"(non-conformity list|CAPA overview|GET )", line)]
    assert len(requests) == 6, text
    assert all(re.search(r"\s200\s", line) for line in requests), text
    assert not NonConformity.objects.exists()
    assert not Action.objects.exists()
    assert not EffectivenessCheck.objects.exists()
    assert not CauseCategory.objects.filter(organisation__code__startswith="BENCH").exists()
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH").exists()
    assert not User.objects.filter(username__startswith="benchmark-").exists()


def test_the_capa_benchmark_refuses_to_run_on_a_real_database_without_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        call_command("benchmark_capa", small=1, large=1)


def test_the_capa_benchmark_refuses_to_measure_under_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on"):
        call_command("benchmark_capa", yes=True)
    assert not OrganisationUnit.objects.filter(code__startswith="BENCH").exists()
