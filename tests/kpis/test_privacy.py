"""What the KPI app adds to personal data and retention (issue 15, deliverables 8 and 9): a person's KPIs,
measurements, objectives and feedback in their download; an erasure refused while they own KPIs,
objectives or open feedback, and handed to a successor in the same step; old comments of closed
feedback emptied, with their history."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kpis.models import Feedback, Kpi, Objective
from kpis.services.feedback import feedback_receive
from kpis.services.kpis import measurement_record
from kpis.services.objectives import objective_create
from qms.choices import ActionStatus
from qms.models import Action
from qms.services.actions import action_set_status
from qms.services.base import system_note
from qms.services.privacy import user_erase
from qms.services.retention import retention_run
from tests.factories.kpis import KpiFactory
from tests.kpis.conftest import month

DOWNLOAD = reverse("qms:personal_data")


def receive(cast, **fields):
    """Feedback for team A1a. The default score, 1, is flagged: the feedback is assigned to the team's
    lead with an open follow-up action."""
    data = {"actor": cast.qo_a, "unit": cast.units.team_a1a, "score": 1, "comment": "Nobody called back"}
    return feedback_receive(**(data | fields))


# --- download -----------------------------------------------------------------------------------------


def test_the_download_holds_the_persons_kpis_measurements_objectives_and_feedback(as_user, cast):
    person = cast.risk_owner_a
    kpi = KpiFactory(org_unit=cast.units.bu_a1, owner=person, code="UPTIME", name="Uptime", actor=cast.qo_a)
    KpiFactory(org_unit=cast.units.bu_a1, owner=cast.qo_a, code="OTHER", name="Not mine", actor=cast.qo_a)
    measurement_record(actor=person, kpi=kpi, period=month(1), value="4.4", note="Measured by me")
    objective_create(actor=cast.qo_a, unit=cast.units.bu_a1, title="Fewer outages", period="2026", owner=person)
    registered = feedback_receive(actor=person, unit=cast.units.bu_a1, score=4, comment="Customer text")
    data = json.loads(as_user(person).get(DOWNLOAD).content)
    kpis = data["kpis"]
    assert [row["code"] for row in kpis["kpis_owned"]] == ["UPTIME"]
    assert [row["note"] for row in kpis["measurements_entered"]] == ["Measured by me"]
    assert [row["title"] for row in kpis["objectives_owned"]] == ["Fewer outages"]
    assert [row["id"] for row in kpis["feedback"]] == [registered.pk]
    # The customer's words are the customer's data, not the person's.
    assert "Customer text" not in json.dumps(kpis)


# --- erasure --------------------------------------------------------------------------------------------


def test_erasing_the_owner_of_a_kpi_or_objective_is_refused_naming_that_work(cast):
    person = cast.risk_owner_a
    KpiFactory(org_unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    objective_create(actor=cast.qo_a, unit=cast.units.bu_a1, title="Fewer outages", period="2026", owner=person)
    with pytest.raises(ValidationError) as refused:
        user_erase(actor=cast.admin_a, user=person)
    message = str(refused.value.message_dict["successor"])
    assert "1 KPI(s) they own" in message and "1 objective(s) they own" in message
    person.refresh_from_db()
    assert person.username == "risk_owner_a" and person.is_active


def test_a_successor_takes_over_the_kpis_and_current_objectives_with_history(cast):
    person = cast.risk_owner_a
    kpi = KpiFactory(org_unit=cast.units.bu_a1, owner=person, actor=cast.qo_a)
    retired = KpiFactory(org_unit=cast.units.bu_a1, owner=person, actor=cast.qo_a, is_active=False)
    objective = objective_create(
        actor=cast.qo_a, unit=cast.units.bu_a1, title="Fewer outages", period="2026", owner=person
    )
    past = objective_create(actor=cast.qo_a, unit=cast.units.bu_a1, title="Last year", period="2025", owner=person)
    Objective.objects.filter(pk=past.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=30))
    user_erase(actor=cast.admin_a, user=person, successor=cast.qo_a)
    assert Kpi.objects.get(pk=kpi.pk).owner == cast.qo_a
    assert Objective.objects.get(pk=objective.pk).owner == cast.qo_a
    # What is over keeps its owner, under the pseudonym.
    assert Kpi.objects.get(pk=retired.pk).owner_id == person.pk
    assert Objective.objects.get(pk=past.pk).owner_id == person.pk
    last = Kpi.history.filter(id=kpi.pk).latest()
    assert (last.owner_id, last.history_user) == (cast.qo_a.pk, cast.admin_a)
    assert last.history_change_reason == system_note(gettext_lazy("Owner erased"))
    assert Objective.history.filter(id=objective.pk).latest().history_user == cast.admin_a
    person.refresh_from_db()
    assert person.username == f"erased-{person.pk}"


def test_erasing_a_person_with_open_feedback_is_refused_then_hands_it_over(cast):
    person = cast.team_lead_a
    feedback = receive(cast)
    assert feedback.assigned_to == person
    with pytest.raises(ValidationError) as refused:
        user_erase(actor=cast.admin_a, user=person)
    assert "1 open feedback item(s) assigned to them" in str(refused.value.message_dict["successor"])
    user_erase(actor=cast.admin_a, user=person, successor=cast.qo_a)
    feedback.refresh_from_db()
    assert feedback.assigned_to == cast.qo_a
    assert Action.objects.get(pk=feedback.follow_up_id).owner == cast.qo_a
    last = Feedback.history.filter(id=feedback.pk).latest()
    assert (last.assigned_to_id, last.history_user) == (cast.qo_a.pk, cast.admin_a)


def test_feedback_whose_follow_up_is_done_is_no_open_work(cast):
    person = cast.team_lead_a
    feedback = receive(cast)
    action_set_status(actor=person, action=feedback.follow_up, status=ActionStatus.DONE, note="Called back")
    user_erase(actor=cast.admin_a, user=person)
    assert Feedback.objects.get(pk=feedback.pk).assigned_to_id == person.pk


# --- retention -----------------------------------------------------------------------------------------


@pytest.fixture
def periods(settings):
    settings.RETENTION_DAYS = {"closed_feedback_comments": 730}


def received_days_ago(feedback, days):
    Feedback.objects.filter(pk=feedback.pk).update(received_at=timezone.now() - datetime.timedelta(days=days))
    return feedback


def test_old_comments_of_closed_feedback_are_emptied_with_their_history(cast, periods):
    old_closed = received_days_ago(receive(cast, comment="Rude on the phone"), 800)
    action_set_status(actor=cast.team_lead_a, action=old_closed.follow_up, status=ActionStatus.DONE, note="Apologised")
    old_unflagged = received_days_ago(receive(cast, score=5, comment="Great"), 800)
    old_open = received_days_ago(receive(cast, comment="Still waiting"), 800)
    fresh = received_days_ago(receive(cast, score=4, comment="Fine"), 30)
    run = retention_run()
    assert run.results["closed_feedback_comments"] == 2
    for item in (old_closed, old_unflagged):
        item.refresh_from_db()
        assert item.comment == "" and item.score is not None
        assert set(Feedback.history.filter(id=item.pk).values_list("comment", flat=True)) == {""}
    # The follow-up's description was a copy of the comment: it goes too.
    follow_up = Action.objects.get(pk=old_closed.follow_up_id)
    assert follow_up.description == ""
    assert "Rude on the phone" not in set(Action.history.filter(id=follow_up.pk).values_list("description", flat=True))
    assert Feedback.objects.get(pk=old_open.pk).comment == "Still waiting"
    assert Feedback.objects.get(pk=fresh.pk).comment == "Fine"
    assert retention_run().results["closed_feedback_comments"] == 0
