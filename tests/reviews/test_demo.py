"""The demo's management reviews: per organisation last year's finalised (pack frozen, attendees,
decisions with actions some done and one overdue) and this year's in preparation; seeding again changes
nothing."""

from django.core.management import call_command
from django.utils import timezone

from qms.choices import ActionKind, ActionStatus
from qms.models import Action
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection


def seed():
    call_command("seed_demo", verbosity=0, quiet_logins=True)


def test_it_makes_a_finalised_review_last_year_and_one_in_preparation_this_year(db):
    seed()
    today = timezone.localdate()
    for code in ("NHS", "NHD"):
        last = ManagementReview.objects.get(organisation__code=code, year=today.year - 1)
        assert last.status == ReviewStatus.FINALISED
        assert last.pack["organisation"] == last.organisation.name
        assert last.pack["year"] == today.year - 1
        assert [section["input"] for section in last.pack["sections"]] == ReviewInput.values
        assert last.pack_as_of is not None and last.finalised_by is not None
        assert last.meeting_date <= today
        assert (last.meeting_date.year, last.meeting_date.month) in ((today.year, 1), (today.year - 1, 12))
        attendees = list(last.attendees.all())
        assert len(attendees) == 3
        assert {attendee.user.username for attendee in attendees if attendee.user} == (
            {"bestuur", "kwaliteit"} if code == "NHS" else {"bestuur-b", "kwaliteit-b"}
        )
        assert any(attendee.user is None and attendee.name for attendee in attendees)  # the guest
        assert not last.sections.filter(commentary="").exists()
        assert last.sections.count() == len(ReviewInput.values)
        actions = Action.objects.filter(pk__in=[a.pk for d in last.decisions.all() for a in d.actions.all()])
        assert last.decisions.count() >= 3
        assert actions.filter(status=ActionStatus.DONE).exists()
        assert actions.overdue().count() == 1
        assert actions.exclude(status=ActionStatus.DONE).exists()

        current = ManagementReview.objects.get(organisation__code=code, year=today.year)
        assert current.status == ReviewStatus.PREPARATION
        assert current.pack is None
        commented = current.sections.exclude(commentary="")
        assert 0 < commented.count() < len(ReviewInput.values)
        assert not current.decisions.exists()


def test_seeding_the_demo_twice_changes_no_review(db):
    seed()

    def state():
        return (
            list(ManagementReview.objects.order_by("pk").values_list("pk", "status", "pack_as_of")),
            ReviewSection.objects.exclude(commentary="").count(),
            ReviewAttendee.objects.count(),
            ReviewDecision.objects.count(),
            Action.objects.filter(kind=ActionKind.REVIEW_DECISION).count(),
        )

    before = state()
    assert before[4] > 0
    packs = {review.pk: review.pack for review in ManagementReview.objects.all()}
    seed()
    assert state() == before
    assert {review.pk: review.pack for review in ManagementReview.objects.all()} == packs
