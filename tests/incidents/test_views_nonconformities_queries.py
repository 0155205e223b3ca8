"""Query counts of the CAPA overview (issue 12 item 9): a fixed number of queries whatever the number of
non-conformities, actions, checks and quarters of the organisation. The rows are written directly (as
the benchmark seeds them) so that the 50 cover every stage, both action kinds, done and overdue actions,
checks with each verdict over several quarters and closed ones with their closing time; the overview's
kept figures are then recounted from them (as the benchmark does)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import NcStatus, Severity, Verdict
from incidents.models import EffectivenessCheck, NonConformity
from incidents.services import nonconformities as services
from qms.choices import ActionKind, ActionStatus
from qms.models import Action

pytestmark = pytest.mark.django_db

STAGES = [
    NcStatus.REGISTERED,
    NcStatus.ANALYSIS,
    NcStatus.ACTION_PLAN,
    NcStatus.IMPLEMENTATION,
    NcStatus.EFFECTIVENESS_CHECK,
    NcStatus.CLOSED,
]
VERDICTS = [Verdict.EFFECTIVE, Verdict.PARTLY_EFFECTIVE, Verdict.NOT_EFFECTIVE]


@pytest.fixture
def category(cast):
    return services.cause_category_add(actor=cast.qo_a, organisation=cast.units.org_a, code="process", name="Process")


def make_capa(cast, category, number):
    """A CAPA in one of the stages, with a corrective and a preventive action and, past the plan, a check
    recorded in a quarter of the last two years (the closed ones closed)."""
    now = timezone.now()
    created = now - datetime.timedelta(days=20 + 14 * number)
    stage = STAGES[number % len(STAGES)]
    nc = NonConformity.objects.create(
        organisation=cast.units.org_a, unit=cast.units.bu_a1, title=f"CAPA {number}", owner=cast.risk_owner_a,
        reporter=cast.qo_a, cause_category=category, severity=Severity.MAJOR, capa=True, status=stage,
        stage_since=created,
        closed_at=now - datetime.timedelta(days=number) if stage == NcStatus.CLOSED else None,
    )  # fmt: skip
    NonConformity.objects.filter(pk=nc.pk).update(created_at=created)
    overdue = number % 3 == 0
    for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE):
        done = stage in (NcStatus.EFFECTIVENESS_CHECK, NcStatus.CLOSED)
        Action.objects.create(
            title=f"{kind} {number}", kind=kind, unit=cast.units.bu_a1, owner=cast.risk_owner_a,
            due_date=timezone.localdate() + datetime.timedelta(days=-5 if overdue else 20),
            status=ActionStatus.DONE if done else ActionStatus.OPEN, completed_at=now if done else None,
            source=nc,
        )  # fmt: skip
    if stage in (NcStatus.EFFECTIVENESS_CHECK, NcStatus.CLOSED) or number % 4 == 0:
        verdict = Verdict.EFFECTIVE if stage == NcStatus.CLOSED else VERDICTS[number % 3]
        EffectivenessCheck.objects.create(
            nonconformity=nc, round=1, due_date=timezone.localdate(), verifier=cast.qo_a, verdict=verdict,
            evidence="measured", checked_at=now - datetime.timedelta(days=15 * number),
        )  # fmt: skip
    return nc


def test_it_costs_the_overview_the_same_queries_for_1_and_50_non_conformities(cast, as_user, count_queries, category):
    client = as_user(cast.qo_a)
    url = reverse("incidents:capa_overview") + f"?organisation={cast.units.org_a.pk}"
    make_capa(cast, category, 0)
    services.capa_figures_recount()
    one = count_queries(client, url)
    for number in range(1, 50):
        make_capa(cast, category, number)
    services.capa_figures_recount()
    page = client.get(url)
    overview = page.context["overview"]
    # The 50 are what the count is about: open in every stage, overdue actions, checks over several
    # quarters and closed ones.
    assert overview["open_total"] > 0 and overview["overdue_actions"] > 0
    assert len(overview["quarters"]) > 4 and overview["mean_days_to_close"] is not None
    assert count_queries(client, url) == one


def test_it_costs_the_list_the_same_queries_for_1_and_50_non_conformities(cast, as_user, count_queries, category):
    client = as_user(cast.qo_a)
    url = reverse("incidents:nc_list") + "?per_page=50"
    make_capa(cast, category, 0)
    one = count_queries(client, url)
    for number in range(1, 50):
        make_capa(cast, category, number)
    assert count_queries(client, url) == one
