"""Notifications: resolving those about a settled item, and how the list shows them."""

from django.utils import timezone

from qms.models import Notification
from qms.services.notifications import notification_mark_read, notifications_resolve, notify


def ask(recipients, target, verb="approval_requested"):
    return notify(recipients=recipients, verb=verb, title="Waiting for your decision", target=target)


def test_it_resolves_the_unread_notifications_about_a_target_with_the_given_verbs(cast):
    unit, other = cast.units.bu_a1, cast.units.bu_b1
    asked = ask([cast.board_a, cast.group_mgmt], unit)
    (told,) = ask([cast.board_a], unit, verb="something_else")
    (elsewhere,) = ask([cast.board_a], other)

    assert notifications_resolve(target=unit, verbs=["approval_requested"]) == 2

    for notification in asked:
        notification.refresh_from_db()
        assert notification.resolved_at is not None and notification.read_at is not None
    told.refresh_from_db()
    elsewhere.refresh_from_db()
    assert told.resolved_at is None and told.read_at is None
    assert elsewhere.resolved_at is None and elsewhere.read_at is None


def test_it_leaves_notifications_already_read_as_they_were(cast):
    unit = cast.units.bu_a1
    (notification,) = ask([cast.board_a], unit)
    notification_mark_read(user=cast.board_a, notification=notification)
    read_at = Notification.objects.get(pk=notification.pk).read_at

    assert notifications_resolve(target=unit, verbs=["approval_requested"]) == 0
    notification.refresh_from_db()
    assert (notification.read_at, notification.resolved_at) == (read_at, None)


def test_a_request_made_after_resolving_stays_unread(cast):
    # The next round of approval asks again: resolve first, then notify.
    unit = cast.units.bu_a1
    ask([cast.board_a], unit)
    notifications_resolve(target=unit, verbs=["approval_requested"])
    (again,) = ask([cast.board_a], unit)
    assert Notification.objects.visible_to(cast.board_a).unread().get() == again


def test_resolved_notifications_leave_the_unread_count_and_read_as_done(cast, as_user):
    unit = cast.units.bu_a1
    ask([cast.board_a], unit)
    (open_one,) = ask([cast.board_a], cast.units.org_a, verb="other")
    notifications_resolve(target=unit, verbs=["approval_requested"])

    client = as_user(cast.board_a)
    page = client.get("/notifications/")
    assert page.context["unread_notification_count"] == 1
    content = page.content.decode()
    assert content.count('data-testid="notification-done"') == 1
    assert ">done</span>" in content
    cockpit = client.get("/")
    notifications = cockpit.context["tiles_by_key"]["notifications"].extra["notifications"]
    assert [n.pk for n in notifications] == [open_one.pk]


def test_it_resolves_nothing_for_a_target_nobody_was_told_about(cast):
    assert notifications_resolve(target=cast.units.team_a1a, verbs=["approval_requested"]) == 0
    assert not Notification.objects.filter(resolved_at__lte=timezone.now()).exists()
