"""Helpers for tests of the reviews app. Everything goes through the services, so the helpers keep to
the rules the tests check.

- ``preparer(org)``: a new quality officer of ``org`` (who may prepare its review).
- ``review_of(org, year=..., actor=...)``: a review in preparation (by a new quality officer unless
  ``actor`` is given); ``year`` defaults to the current one.
- ``make_ready(review)``: what finalising needs: a meeting date, an attendee (the preparer), commentary
  on every section.
- ``finalised(review)``: made ready and finalised.
- ``decision_with_action(review, owner=...)``: a decision on the first input with one action.
"""

import datetime
import itertools

from django.utils import timezone

from qms.choices import Role
from reviews.choices import ReviewInput
from reviews.models import ManagementReview, ReviewDecision
from reviews.services import reviews as services
from tests.factories import MembershipFactory, UserFactory

_numbers = itertools.count(1)


def preparer(org):
    user = UserFactory(username=f"review_qo{next(_numbers)}")
    MembershipFactory(user=user, unit=org, role=Role.QUALITY_OFFICER)
    return user


def _actor(review: ManagementReview, actor=None):
    return actor or review.prepared_by or preparer(review.organisation)


def review_of(org, *, year: int | None = None, actor=None, meeting_date: datetime.date | None = None):
    return services.review_create(
        actor=actor or preparer(org),
        organisation=org,
        year=year or timezone.localdate().year,
        meeting_date=meeting_date,
    )


def make_ready(review: ManagementReview, *, actor=None, attendee=None) -> ManagementReview:
    actor = _actor(review, actor)
    if review.meeting_date is None:
        review = services.review_update(actor=actor, review=review, meeting_date=timezone.localdate())
    if not review.attendees.exists():
        services.attendee_add(actor=actor, review=review, user=attendee or actor, function="Quality officer")
    for code in ReviewInput.values:
        if not review.sections.filter(input=code).exclude(commentary="").exists():
            services.section_comment(actor=actor, review=review, input=code, commentary=f"Commentary on {code}.")
    return review


def finalised(review: ManagementReview, *, actor=None) -> ManagementReview:
    actor = _actor(review, actor)
    make_ready(review, actor=actor)
    return services.review_finalise(actor=actor, review=review)


def decision_with_action(
    review: ManagementReview, *, owner, actor=None, input: str = ReviewInput.PREVIOUS_ACTIONS, title="Follow up"
) -> ReviewDecision:  # noqa: A002
    return services.decision_add(
        actor=_actor(review, actor),
        review=review,
        input=input,
        text="We decide to follow up.",
        actions=[{"title": title, "owner": owner, "due_date": timezone.localdate() + datetime.timedelta(days=30)}],
    )
