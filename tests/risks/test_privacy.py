"""What the risks app adds to personal data (issue 15, deliverable 9): a person's risks, approvals,
reviews, score areas and investigations in their download; an erasure refused while they own open risks,
open investigations or score areas, and handed to a successor in the same step, with history."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qms.periods import month_shift
from qms.services.base import system_note
from qms.services.privacy import user_erase
from risks.choices import InvestigationStatus, RiskStatus
from risks.models import Investigation, Risk, ScoreArea
from risks.services import scoring
from risks.services.register import risk_close
from tests.factories.risks import RiskFactory

DOWNLOAD = reverse("qms:personal_data")
LAST_MONTH = month_shift(timezone.localdate().replace(day=1), -1)
TWO_AGO = month_shift(LAST_MONTH, -1)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90}


@pytest.fixture
def org(cast):
    """Organisation A's default areas, the security area owned by the risk owner."""
    scoring.areas_ensure_defaults(organisation=cast.units.org_a)
    ScoreArea.objects.filter(organisation=cast.units.org_a, code="security").update(owner=cast.risk_owner_a)
    return cast.units.org_a


def security_drop(cast, org) -> Investigation:
    """The security score drops last month: the monthly job opens an investigation for the area's owner."""
    for month, security in ((TWO_AGO, 90), (LAST_MONTH, 80)):
        scoring.scores_enter(actor=cast.qo_a, organisation=org, month=month, scores={**ALL_90, "security": security})
        scoring.monthly_run(month=month)
    return Investigation.objects.get(area__code="security")


# --- download -----------------------------------------------------------------------------------------


def test_the_download_holds_the_persons_risks_areas_and_investigations(as_user, cast, org):
    person = cast.risk_owner_a
    mine = RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a, title="Data centre flood")
    RiskFactory(unit=cast.units.bu_a1, owner=cast.qo_a, actor=cast.qo_a, title="Not mine")
    investigation = security_drop(cast, org)
    data = json.loads(as_user(person).get(DOWNLOAD).content)
    risks = data["risks"]
    assert [row["id"] for row in risks["risks"]] == [mine.pk]
    assert [row["code"] for row in risks["score_areas_owned"]] == ["security"]
    assert [row["id"] for row in risks["investigations"]] == [investigation.pk]
    assert "Not mine" not in json.dumps(risks)


# --- erasure --------------------------------------------------------------------------------------------


def test_erasing_the_owner_of_an_open_risk_is_refused_naming_it(cast):
    person = cast.risk_owner_a
    RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    closed = RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    risk_close(actor=cast.qo_a, risk=closed, reason="No longer applies")
    with pytest.raises(ValidationError) as refused:
        user_erase(actor=cast.admin_a, user=person)
    assert "1 open risk(s) they own" in str(refused.value.message_dict["successor"])
    person.refresh_from_db()
    assert person.username == "risk_owner_a" and person.is_active


def test_a_successor_takes_the_open_risks_over_with_history(cast):
    person = cast.risk_owner_a
    risk = RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    closed = RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    risk_close(actor=cast.qo_a, risk=closed, reason="No longer applies")
    user_erase(actor=cast.admin_a, user=person, successor=cast.qo_a)
    risk.refresh_from_db()
    assert (risk.owner, risk.status) == (cast.qo_a, RiskStatus.DRAFT)
    last = Risk.history.filter(id=risk.pk).latest()
    assert (last.owner_id, last.history_user, last.history_change_reason) == (
        cast.qo_a.pk,
        cast.admin_a,
        system_note(gettext_lazy("Owner erased")),
    )
    # A closed risk keeps its owner, under the pseudonym.
    assert Risk.objects.get(pk=closed.pk).owner_id == person.pk
    assert Risk.objects.get(pk=closed.pk).status == RiskStatus.CLOSED
    person.refresh_from_db()
    assert person.username == f"erased-{person.pk}"


def test_erasing_the_owner_of_an_investigation_and_an_area_is_refused_naming_both(cast, org):
    security_drop(cast, org)
    with pytest.raises(ValidationError) as refused:
        user_erase(actor=cast.admin_a, user=cast.risk_owner_a)
    message = str(refused.value.message_dict["successor"])
    assert "1 open investigation(s)" in message and "owner of 1 score area(s)" in message


def test_a_successor_takes_the_investigation_and_the_area_over(cast, org):
    person = cast.risk_owner_a
    investigation = security_drop(cast, org)
    weights = dict(ScoreArea.objects.filter(organisation=org).values_list("code", "weight"))
    user_erase(actor=cast.admin_a, user=person, successor=cast.qo_a)
    investigation.refresh_from_db()
    assert (investigation.owner, investigation.status) == (cast.qo_a, InvestigationStatus.OPEN)
    assert Investigation.history.filter(id=investigation.pk).latest().history_user == cast.admin_a
    area = ScoreArea.objects.get(organisation=org, code="security")
    assert area.owner == cast.qo_a
    assert ScoreArea.history.filter(id=area.pk).latest().history_user == cast.admin_a
    # Only the owner changed: the other areas, the weights and the order stay as they were.
    assert dict(ScoreArea.objects.filter(organisation=org).values_list("code", "weight")) == weights
    assert sum(weights.values()) == Decimal(100)
    assert not ScoreArea.objects.filter(organisation=org).exclude(code="security").exclude(owner=None).exists()
    assert person.score_areas.count() == 0


def test_a_successor_outside_the_organisation_leaves_the_risks_work_as_it_was(cast, org):
    person = cast.risk_owner_a
    risk = RiskFactory(unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    with pytest.raises(ValidationError):
        user_erase(actor=cast.superuser, user=person, successor=cast.member_b)
    assert Risk.objects.get(pk=risk.pk).owner == person
    assert ScoreArea.objects.get(organisation=org, code="security").owner == person
