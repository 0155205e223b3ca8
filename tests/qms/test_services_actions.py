import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.choices import ActionStatus
from qms.models import Action, Notification
from qms.services.actions import action_create, action_set_status, action_update
from tests.factories import ActionFactory, UserFactory

NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)


def create(cast, **overrides):
    data = {
        "actor": cast.qo_a,
        "unit": cast.units.bu_a1,
        "owner": cast.risk_owner_a,
        "title": "Tighten access reviews",
        "due_date": NEXT_WEEK,
    }
    data.update(overrides)
    return action_create(**data)


def test_it_creates_an_action_and_tells_its_owner(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        action = create(cast)
    assert action.status == ActionStatus.OPEN
    assert action.created_by == cast.qo_a
    notification = Notification.objects.get(recipient=cast.risk_owner_a)
    assert "Tighten access reviews" in notification.title
    assert notification.url == action.get_absolute_url()
    assert [message.to for message in mail.outbox] == [[cast.risk_owner_a.email]]


def test_it_writes_the_notification_in_the_owners_language(cast):
    cast.risk_owner_a.language = "en"
    cast.risk_owner_a.save()
    create(cast)
    assert Notification.objects.get(recipient=cast.risk_owner_a).title.startswith("New action for you")
    cast.team_lead_a.language = "nl"
    cast.team_lead_a.save()
    create(cast, owner=cast.team_lead_a, unit=cast.units.team_a1a)
    assert Notification.objects.get(recipient=cast.team_lead_a).title.startswith("Nieuwe actie voor u")


def test_it_sends_no_mail_when_the_transaction_rolls_back(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(cast)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_it_does_not_notify_people_who_assign_themselves(cast):
    create(cast, owner=cast.qo_a, actor=cast.qo_a)
    assert not Notification.objects.exists()


def test_it_refuses_an_owner_outside_the_organisation(cast):
    with pytest.raises(ValidationError) as error:
        create(cast, owner=cast.member_b)
    assert "owner" in error.value.message_dict
    assert not Action.objects.exists()


def test_it_refuses_an_owner_who_is_not_active(cast):
    cast.risk_owner_a.is_active = False
    cast.risk_owner_a.save()
    with pytest.raises(ValidationError):
        create(cast)


def test_it_refuses_a_due_date_in_the_past(cast):
    with pytest.raises(ValidationError) as error:
        create(cast, due_date=timezone.localdate() - datetime.timedelta(days=1))
    assert "due_date" in error.value.message_dict


@pytest.mark.parametrize("actor", ["viewer_a", "auditor_a", "member_b", "outsider"])
def test_it_refuses_actions_from_people_who_may_not_contribute_there(cast, actor):
    with pytest.raises(PermissionDenied):
        create(cast, actor=getattr(cast, actor))


def test_it_lets_the_owner_finish_their_action(cast):
    action = create(cast)
    action = action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.DONE, note="Done it")
    assert action.status == ActionStatus.DONE
    assert action.completed_at is not None
    assert action.completion_note == "Done it"
    assert Notification.objects.filter(recipient=cast.qo_a, verb="action_status").exists()


def test_it_refuses_a_status_change_from_a_bystander(cast):
    action = create(cast)
    with pytest.raises(PermissionDenied):
        action_set_status(actor=cast.viewer_a, action=action, status=ActionStatus.DONE)


def test_it_refuses_a_transition_that_is_not_in_the_table(cast):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, status=ActionStatus.CANCELLED)
    with pytest.raises(ValidationError) as error:
        action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.DONE)
    assert "status" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_it_needs_a_reason_to_cancel(cast):
    action = create(cast)
    with pytest.raises(ValidationError) as error:
        action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.CANCELLED)
    assert "note" in error.value.message_dict


def test_it_clears_the_completion_time_when_reopened(cast):
    action = create(cast)
    action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.DONE)
    action = action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.OPEN)
    assert action.completed_at is None


def test_it_tells_a_new_owner(cast):
    action = create(cast)
    action_update(actor=cast.qo_a, action=action, owner=cast.team_lead_a)
    assert Notification.objects.filter(recipient=cast.team_lead_a, verb="action_assigned").exists()


def test_it_refuses_edits_from_the_owner_who_did_not_create_it(cast):
    action = create(cast)
    with pytest.raises(PermissionDenied):
        action_update(actor=cast.risk_owner_a, action=action, title="Something else")


def test_it_keeps_every_change_in_the_history(cast):
    action = create(cast)
    action_update(actor=cast.qo_a, action=action, title="Renamed")
    action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.IN_PROGRESS)
    history = list(action.history.order_by("history_date"))
    assert [record.history_user for record in history] == [cast.qo_a, cast.qo_a, cast.risk_owner_a]
    assert [record.title for record in history] == ["Tighten access reviews", "Renamed", "Renamed"]


def test_it_skips_inactive_recipients(cast):
    inactive = UserFactory(is_active=False)
    from qms.services.notifications import notify

    assert notify(recipients=[inactive], verb="x", title="Hello") == []


def test_numbers_in_notifications_follow_the_recipients_language(cast):
    from decimal import Decimal

    from django.utils.translation import gettext_lazy

    from qms.models import Notification
    from qms.services.notifications import notify

    cast.qo_a.language = "nl"
    cast.qo_a.save()
    cast.board_a.language = "en"
    cast.board_a.save()
    notify(
        recipients=[cast.qo_a, cast.board_a],
        verb="test",
        title=gettext_lazy("%(value)s is not a number."),
        params={"value": Decimal("88.4")},
    )
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {"qo_a": "88,4 is geen getal.", "board_a": "88.4 is not a number."}
