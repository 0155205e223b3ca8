"""The management review pages: the list (filters, empty state, a fixed query count), preparing a review,
one review on one page (sections with figures and commentary, attendees, decisions with actions, the
meeting, finalise), its PDF and its history; for the quality officer who prepares it, the board, a viewer,
the quality officer of another organisation, an outsider and anonymous."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from qms.choices import ActionKind
from qms.models import Action
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection
from tests.factories.reviews import decision_with_action, finalised, make_ready, review_of

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def review(cast):
    return review_of(cast.units.org_a, actor=cast.qo_a)


def detail(review):
    return reverse("reviews:review_detail", args=[review.pk])


def url(name, *args):
    return reverse(f"reviews:{name}", args=args)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def comment_url(review, code=ReviewInput.CUSTOMER):
    return url("section_comment", review.pk, code)


# --- who sees what -----------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client, review):
    for path in (url("review_list"), detail(review), url("review_pdf", review.pk), url("review_add")):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    response = client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ReviewSection.objects.exclude(commentary="").exists()


@pytest.mark.parametrize("who", ["outsider", "member_b"])
def test_it_answers_404_to_whoever_does_not_see_the_organisation(cast, as_user, review, who):
    client = as_user(getattr(cast, who))
    for path in (detail(review), url("review_history", review.pk), url("review_pdf", review.pk)):
        assert client.get(path).status_code == 404
    response = client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "Mine now."})
    assert response.status_code == 404
    assert client.post(url("review_finalise", review.pk)).status_code == 404
    assert not ReviewSection.objects.exclude(commentary="").exists()
    listing = client.get(url("review_list"))
    assert listing.status_code == 200
    assert detail(review) not in listing.content.decode()


def test_a_viewer_reads_the_review_without_forms(cast, as_user, review):
    client = as_user(cast.viewer_a)
    response = client.get(detail(review))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="section-customer"' in content
    assert comment_url(review) not in content
    assert url("review_finalise", review.pk) not in content
    assert url("decision_add", review.pk) not in content
    assert url("attendee_add", review.pk) not in content
    # and a POST anyway is a 403, nothing changed
    response = client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "A viewer's view."})
    assert response.status_code == 403
    assert not ReviewSection.objects.exclude(commentary="").exists()


def test_the_board_reads_the_review_and_its_commentary(cast, as_user, review):
    ReviewSection.objects.filter(review=review, input=ReviewInput.RISKS).update(commentary="Two very high risks.")
    client = as_user(cast.board_a)
    response = client.get(detail(review))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Two very high risks." in content
    assert "Live figures, assembled now" in content
    assert "<textarea" not in content
    for code in ReviewInput.values:
        assert f'data-testid="section-{code}"' in content
    assert client.get(url("review_list")).content.decode().count(detail(review)) == 1


def test_the_main_navigation_links_to_the_reviews(cast, as_user):
    content = as_user(cast.board_a).get(reverse("qms:my_actions")).content.decode()
    assert f'href="{url("review_list")}"' in content
    assert "Management review" in content


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_an_empty_state_and_the_prepare_button_to_those_who_prepare(cast, as_user):
    content = as_user(cast.qo_a).get(url("review_list")).content.decode()
    assert 'data-testid="empty-state"' in content
    assert 'data-testid="prepare-review"' in content
    content = as_user(cast.board_a).get(url("review_list")).content.decode()
    assert 'data-testid="prepare-review"' not in content


def test_the_list_filters_by_year_and_status(cast, as_user):
    org = cast.units.org_a
    current = review_of(org, actor=cast.qo_a)
    earlier = finalised(review_of(org, actor=cast.qo_a, year=THIS_YEAR - 1), actor=cast.qo_a)
    client = as_user(cast.qo_a)
    content = client.get(url("review_list") + f"?year={THIS_YEAR - 1}").content.decode()
    assert detail(earlier) in content and detail(current) not in content
    content = client.get(url("review_list") + f"?status={ReviewStatus.PREPARATION}").content.decode()
    assert detail(current) in content and detail(earlier) not in content
    content = client.get(url("review_list") + f"?organisation={org.pk}").content.decode()
    assert detail(current) in content and detail(earlier) in content
    export = client.get(url("review_list") + f"?year={THIS_YEAR - 1}&export=csv")
    assert export.status_code == 200
    rows = export.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and org.name in rows[1] and "Finalised" in rows[1]


def test_the_list_costs_the_same_for_1_and_10_reviews(cast, as_user, count_queries):
    org = cast.units.org_a
    review_of(org, actor=cast.qo_a)
    client = as_user(cast.qo_a)
    path = url("review_list") + "?per_page=50"
    one = count_queries(client, path)
    for years_ago in range(1, 10):
        review = review_of(org, actor=cast.qo_a, year=THIS_YEAR - years_ago)
        if years_ago % 2:
            finalised(review, actor=cast.qo_a)
    assert ManagementReview.objects.count() == 10
    assert count_queries(client, path) == one


# --- preparing ---------------------------------------------------------------------------------


def test_a_quality_officer_prepares_a_review_for_this_year(cast, as_user):
    client = as_user(cast.qo_a)
    form = client.get(url("review_add"))
    assert form.status_code == 200
    content = form.content.decode()
    assert cast.units.org_a.name in content and cast.units.org_b.name not in content
    response = client.post(
        url("review_add"), {"organisation": cast.units.org_a.pk, "year": THIS_YEAR, "meeting_date": ""}
    )
    review = ManagementReview.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(review)
    assert (review.organisation, review.year, review.status) == (cast.units.org_a, THIS_YEAR, ReviewStatus.PREPARATION)
    assert review.sections.count() == len(ReviewInput.values)


def test_preparing_a_review_for_a_future_year_or_a_second_time_shows_the_error(cast, as_user, review):
    client = as_user(cast.qo_a)
    response = client.post(url("review_add"), {"organisation": cast.units.org_a.pk, "year": THIS_YEAR + 1})
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    response = client.post(url("review_add"), {"organisation": cast.units.org_a.pk, "year": THIS_YEAR})
    assert response.status_code == 200
    assert "already has a management review" in " ".join(response.context["form"].errors["year"])
    # an organisation the person does not prepare for is not among the choices
    response = client.post(url("review_add"), {"organisation": cast.units.org_b.pk, "year": THIS_YEAR - 1})
    assert response.status_code == 200 and response.context["form"].errors["organisation"]
    assert ManagementReview.objects.count() == 1


def test_the_board_does_not_prepare_reviews(cast, as_user):
    assert as_user(cast.board_a).get(url("review_add")).status_code == 403


# --- commentary, attendees, decisions, meeting -------------------------------------------------


def test_the_quality_officer_writes_the_commentary_of_a_section(cast, as_user, review):
    client = as_user(cast.qo_a)
    content = client.get(detail(review)).content.decode()
    assert comment_url(review) in content
    response = client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "Scores are up."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#section-{ReviewInput.CUSTOMER}")
    assert ReviewSection.objects.get(review=review, input=ReviewInput.CUSTOMER).commentary == "Scores are up."


def test_empty_commentary_re_renders_the_page_with_the_field_error(cast, as_user, review):
    client = as_user(cast.qo_a)
    response = client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Write the commentary on this input." in content
    assert 'data-testid="section-customer"' in content  # the whole page again
    # with htmx only the section's commentary comes back, with the same error
    response = client.post(
        comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Write the commentary on this input." in content
    assert 'id="commentary-customer"' in content and "<html" not in content
    response = client.post(
        comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "Fine."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert ReviewSection.objects.get(review=review, input=ReviewInput.CUSTOMER).commentary == "Fine."


def test_an_unknown_input_is_a_404(cast, as_user, review):
    assert as_user(cast.qo_a).post(url("section_comment", review.pk, "nope"), {}).status_code == 404


def test_the_quality_officer_adds_and_removes_attendees(cast, as_user, review):
    client = as_user(cast.qo_a)
    response = client.post(
        url("attendee_add", review.pk), {"attendee-user": cast.board_a.pk, "attendee-function": "Chair"}
    )
    assert response.status_code == 302
    response = client.post(url("attendee_add", review.pk), {"attendee-name": "Dr. Jansen (external auditor)"})
    assert response.status_code == 302
    assert sorted(str(attendee) for attendee in review.attendees.all()) == sorted(
        [str(cast.board_a), "Dr. Jansen (external auditor)"]
    )
    # neither a person nor a name; someone from another organisation
    response = client.post(url("attendee_add", review.pk), {"attendee-function": "Chair"})
    assert response.status_code == 200 and "Choose a person or give a name." in response.content.decode()
    response = client.post(url("attendee_add", review.pk), {"attendee-user": cast.member_b.pk})
    assert response.status_code == 200 and response.context["attendee_form"].errors["user"]
    guest = ReviewAttendee.objects.get(name__startswith="Dr.")
    response = client.post(url("attendee_remove", guest.pk))
    assert response.status_code == 302
    assert list(review.attendees.values_list("user", flat=True)) == [cast.board_a.pk]


def test_a_decision_is_recorded_with_its_actions_all_or_nothing(cast, as_user, review):
    client = as_user(cast.qo_a)
    due = timezone.localdate() + datetime.timedelta(days=60)
    base = {
        "decision-input": ReviewInput.RISKS,
        "decision-text": "Treat the very high risks before summer.",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "3",
    }
    # a row begun but not finished: the field errors, nothing saved
    response = client.post(url("decision_add", review.pk), {**base, "actions-0-title": "Plan the measures"})
    assert response.status_code == 200
    assert response.context["action_forms"].forms[0].errors["owner"]
    # an owner from another organisation: the service's message, nothing saved
    response = client.post(
        url("decision_add", review.pk),
        {
            **base,
            "actions-0-title": "Plan the measures",
            "actions-0-owner": cast.risk_owner_a.pk,
            "actions-0-due_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Action 1: The due date cannot be in the past." in response.content.decode()
    assert not ReviewDecision.objects.exists() and not Action.objects.exists()
    response = client.post(
        url("decision_add", review.pk),
        {
            **base,
            "actions-0-title": "Plan the measures",
            "actions-0-owner": cast.risk_owner_a.pk,
            "actions-0-due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    action = decision.actions.get()
    assert (action.kind, action.owner, action.due_date) == (ActionKind.REVIEW_DECISION, cast.risk_owner_a, due)
    content = client.get(detail(review)).content.decode()
    assert "Plan the measures" in content and f'id="decision-{decision.pk}"' in content
    response = client.post(url("decision_remove", decision.pk))
    assert response.status_code == 302
    assert not ReviewDecision.objects.exists()


def test_the_meeting_date_and_conclusion_are_saved(cast, as_user, review):
    client = as_user(cast.qo_a)
    day = timezone.localdate()
    response = client.post(
        url("review_meeting", review.pk),
        {"meeting-meeting_date": day.isoformat(), "meeting-conclusion": "The QMS is effective."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.meeting_date, review.conclusion) == (day, "The QMS is effective.")
    response = client.post(url("review_meeting", review.pk), {"meeting-meeting_date": "not a date"})
    assert response.status_code == 200 and response.context["meeting_form"].errors["meeting_date"]


# --- finalise ----------------------------------------------------------------------------------


def test_finalising_an_incomplete_review_is_refused_with_messages_and_nothing_changes(cast, as_user, review):
    client = as_user(cast.qo_a)
    response = client.post(url("review_finalise", review.pk))
    assert response.status_code == 302 and response["Location"] == detail(review)
    said = " ".join(texts(response))
    assert "Record who attended the meeting." in said
    assert "Give the date of the meeting." in said
    assert "Write the commentary of:" in said and str(ReviewInput.CUSTOMER.label) in said
    review.refresh_from_db()
    assert (review.status, review.pack, review.finalised_at) == (ReviewStatus.PREPARATION, None, None)
    # the page lists what is missing before the button; once all is there it says so
    content = client.get(detail(review)).content.decode()
    assert 'data-testid="finalise-missing"' in content and "Record who attended the meeting." in content
    make_ready(review, actor=cast.qo_a)
    content = client.get(detail(review)).content.decode()
    assert 'data-testid="finalise-missing"' not in content and 'data-testid="finalise-ready"' in content


def test_a_finalised_review_shows_as_of_and_no_forms_and_refuses_every_post(cast, as_user, review):
    make_ready(review, actor=cast.qo_a)
    decision = decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
    client = as_user(cast.qo_a)
    response = client.post(url("review_finalise", review.pk))
    assert response.status_code == 302
    assert "finalised" in " ".join(texts(response))
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED and review.pack is not None

    content = client.get(detail(review)).content.decode()
    assert 'data-testid="review-as-of"' in content and "As of " in content
    assert "Live figures" not in content
    assert "<textarea" not in content and '<form method="post" action="/reviews/' not in content
    assert url("review_finalise", review.pk) not in content

    pack, attendees = review.pack, review.attendees.count()
    for path, data in (
        (comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "Changed afterwards."}),
        (url("review_meeting", review.pk), {"meeting-conclusion": "Changed afterwards."}),
        (url("attendee_add", review.pk), {"attendee-name": "Late guest"}),
        (url("attendee_remove", review.attendees.first().pk), {}),
        (url("decision_remove", decision.pk), {}),
        (url("review_finalise", review.pk), {}),
    ):
        response = client.post(path, data)
        assert response.status_code == 302 and response["Location"] == detail(review)
        assert "This review is finalised: it no longer changes." in texts(response)
    response = client.post(
        comment_url(review),
        {f"s-{ReviewInput.CUSTOMER}-commentary": "Changed afterwards."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Redirect"] == detail(review)
    review.refresh_from_db()
    assert review.pack == pack and review.attendees.count() == attendees
    assert not ReviewSection.objects.filter(commentary="Changed afterwards.").exists()
    assert ReviewDecision.objects.filter(pk=decision.pk).exists()


# --- PDF and history ---------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_named_after_the_organisation_and_year(cast, as_user, review):
    finalised(review, actor=cast.qo_a)
    response = as_user(cast.board_a).get(url("review_pdf", review.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="management-review-organisation-a-{THIS_YEAR}.pdf"' in response["Content-Disposition"]


def test_the_history_lists_the_changes_of_the_review_and_its_parts(cast, as_user, review):
    client = as_user(cast.qo_a)
    client.post(comment_url(review), {f"s-{ReviewInput.CUSTOMER}-commentary": "Scores are up."})
    response = client.get(url("review_history", review.pk))
    assert response.status_code == 200
    assert str(ReviewInput.CUSTOMER.label) in response.content.decode()


def test_the_pdf_template_draws_the_charts_as_svg_from_the_frozen_pack(cast, review):
    from django.template.loader import render_to_string

    from reviews.pdf import review_pdf_context
    from tests.factories.risks import RiskFactory

    RiskFactory(
        title="Night-shift medication errors", unit=cast.units.bu_a1, owner=cast.risk_owner_a, likelihood=5, impact=5
    )
    finalised(review, actor=cast.qo_a)
    review.refresh_from_db()
    html = render_to_string("reviews/review_pdf.html", review_pdf_context(review))
    assert "<svg" in html and 'data-chart-kind="bar"' in html
    assert "Night-shift medication errors" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    # a risk registered after finalising is not in the frozen review (the page says the same)
    RiskFactory(title="Registered afterwards", unit=cast.units.bu_a1, owner=cast.risk_owner_a, likelihood=5, impact=5)
    assert "Registered afterwards" not in render_to_string("reviews/review_pdf.html", review_pdf_context(review))


def test_translate_msgid_shows_the_packs_msgids_in_the_readers_language():
    from django.utils import translation

    from reviews.templatetags.reviews import figure_value, translate_msgid

    with translation.override("nl"):
        assert translate_msgid("Very high") == "Zeer hoog"
        assert translate_msgid("Organisation A") == "Organisation A"  # a name stays a name
        assert translate_msgid(3) == 3 and translate_msgid(None) == ""
        assert figure_value(12.5, "%") == "12,5%"
        assert figure_value(None) == "–"
        assert figure_value("2026-03-01") == "1-3-2026"


def test_the_review_page_costs_the_same_for_1_and_5_decisions_and_attendees(cast, as_user, count_queries, review):
    decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
    make_ready(review, actor=cast.qo_a)
    client = as_user(cast.qo_a)
    one = count_queries(client, detail(review))
    for number in range(4):
        decision_with_action(
            review, owner=cast.team_lead_a, actor=cast.qo_a, input=ReviewInput.RISKS, title=f"Action {number}"
        )
        client_post = as_user(cast.qo_a).post(url("attendee_add", review.pk), {"attendee-name": f"Guest {number}"})
        assert client_post.status_code == 302
    assert ReviewDecision.objects.count() == 5 and review.attendees.count() == 5
    assert count_queries(client, detail(review)) == one
