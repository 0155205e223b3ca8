"""management-reviews/ (SPEC 7 and 9): starting a review with its field errors, the commentary, the
meeting and finalise as steps (their gates 400s naming the field), the frozen pack, the PDF, scoping
(404 out of sight, read-only for a viewer, nothing for an outsider) and a fixed query count for the
list."""

import datetime

import pytest
from django.utils import timezone

from qms.models import Action
from reviews.choices import ReviewInput, ReviewStatus
from reviews.models import ManagementReview, ReviewDecision
from tests.factories.reviews import decision_with_action, finalised, make_ready, review_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/management-reviews/"
THIS_YEAR = timezone.localdate().year
IN_A_MONTH = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


@pytest.fixture
def review(cast):
    return review_of(cast.units.org_a, year=THIS_YEAR, actor=cast.qo_a)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- reading ---------------------------------------------------------------------------------------


def test_it_answers_the_spec_fields_and_the_parts_of_the_review(cast, api, review):
    decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
    make_ready(review, actor=cast.qo_a)
    body = api(cast.board_a).get(f"{URL}{review.pk}/").json()
    assert {"id", "organisation", "year", "status", "meeting_date"} <= set(body)
    assert body["organisation"]["id"] == cast.units.org_a.pk and body["year"] == THIS_YEAR
    assert body["status"] == ReviewStatus.PREPARATION and body["pack_as_of"] is None
    assert body["prepared_by"]["id"] == cast.qo_a.pk and body["finalised_by"] is None
    assert [section["input"] for section in body["sections"]] == ReviewInput.values
    assert all(section["commentary"] for section in body["sections"])
    assert body["attendees"][0]["user"]["id"] == cast.qo_a.pk
    (decision,) = body["decisions"]
    assert decision["input"] == ReviewInput.PREVIOUS_ACTIONS
    assert [action["id"] for action in decision["actions"]] == list(
        Action.objects.filter(owner=cast.risk_owner_a).values_list("pk", flat=True)
    )


def test_it_lists_the_reviews_of_the_organisations_the_caller_sees(cast, api, review):
    other = review_of(cast.units.org_b, year=THIS_YEAR, actor=cast.member_b)
    assert ids(api(cast.qo_a).get(URL)) == {review.pk}
    assert ids(api(cast.board_a).get(URL)) == {review.pk}
    assert ids(api(cast.viewer_a).get(URL)) == {review.pk}
    assert ids(api(cast.group_mgmt).get(URL)) == {review.pk, other.pk}
    assert ids(api(cast.member_b).get(URL)) == {other.pk}
    assert ids(api(cast.outsider).get(URL)) == set()
    assert ids(api(cast.team_lead_a).get(URL)) == set()  # a team does not see its organisation


def test_it_filters_by_organisation_year_and_status(cast, api, review):
    earlier = finalised(review_of(cast.units.org_a, year=THIS_YEAR - 1, actor=cast.qo_a), actor=cast.qo_a)
    client = api(cast.group_mgmt)
    other = review_of(cast.units.org_b, year=THIS_YEAR, actor=cast.member_b)
    assert ids(client.get(URL, {"organisation": cast.units.org_a.pk})) == {review.pk, earlier.pk}
    assert ids(client.get(URL, {"year": THIS_YEAR})) == {review.pk, other.pk}
    assert ids(client.get(URL, {"status": "finalised"})) == {earlier.pk}
    assert client.get(URL, {"year": "twenty"}).status_code == 400
    assert client.get(URL, {"status": "closed"}).status_code == 400
    assert list(api(cast.member_b).get(URL, {"organisation": cast.units.org_a.pk}).json()) == ["organisation"]


@pytest.mark.parametrize("suffix", ["", "pack/", "pdf/"])
def test_a_review_out_of_sight_is_a_404(cast, api, review, suffix):
    for person in (cast.member_b, cast.outsider, cast.team_lead_a):
        response = api(person).get(f"{URL}{review.pk}/{suffix}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("suffix", ["finalise/", "comment/", "attendees/", "decisions/"])
def test_a_step_on_a_review_out_of_sight_is_a_404(cast, api, review, suffix):
    make_ready(review, actor=cast.qo_a)
    body = {"input": ReviewInput.RISKS, "commentary": "x", "name": "Guest", "text": "Decided"}
    assert api(cast.member_b).post(f"{URL}{review.pk}/{suffix}", body, format="json").status_code == 404
    assert ManagementReview.objects.get(pk=review.pk).status == ReviewStatus.PREPARATION


def test_a_viewer_and_a_board_member_read_but_do_not_write(cast, api, review):
    for person in (cast.viewer_a, cast.board_a):
        client = api(person)
        assert client.get(f"{URL}{review.pk}/").status_code == 200
        assert client.get(f"{URL}{review.pk}/pack/").status_code == 200
        created = client.post(URL, {"organisation": cast.units.org_a.pk, "year": THIS_YEAR - 1}, format="json")
        assert created.status_code == 403
        assert client.patch(f"{URL}{review.pk}/", {"conclusion": "Mine"}, format="json").status_code == 403
        body = {"input": ReviewInput.RISKS, "commentary": "Mine"}
        assert client.post(f"{URL}{review.pk}/comment/", body, format="json").status_code == 403
        assert client.post(f"{URL}{review.pk}/attendees/", {"name": "Me"}, format="json").status_code == 403
        assert client.post(f"{URL}{review.pk}/finalise/", {}, format="json").status_code == 403
    review.refresh_from_db()
    assert review.conclusion == "" and not review.attendees.exists()
    assert ManagementReview.objects.count() == 1


def test_an_anonymous_caller_gets_nothing(api, review):
    assert api().get(URL).status_code in (401, 403)
    assert api().get(f"{URL}{review.pk}/pdf/").status_code in (401, 403)


# --- writing ---------------------------------------------------------------------------------------


def test_a_quality_officer_starts_and_changes_a_review(cast, api):
    client = api(cast.qo_a)
    response = client.post(
        URL, {"organisation": cast.units.org_a.pk, "year": THIS_YEAR, "meeting_date": "2026-01-20"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "preparation" and body["meeting_date"] == "2026-01-20" and len(body["sections"]) == 10
    response = client.patch(f"{URL}{body['id']}/", {"conclusion": "The QMS is effective."}, format="json")
    assert response.status_code == 200 and response.json()["conclusion"] == "The QMS is effective."
    # Sent back as read, the fixed fields change nothing; another value is a field error.
    same = client.patch(f"{URL}{body['id']}/", {"organisation": cast.units.org_a.pk, "year": THIS_YEAR}, format="json")
    assert same.status_code == 200
    moved = client.patch(f"{URL}{body['id']}/", {"organisation": cast.units.org_b.pk}, format="json")
    assert moved.status_code == 400 and list(moved.json()) == ["organisation"]
    moved = client.patch(f"{URL}{body['id']}/", {"year": THIS_YEAR - 1}, format="json")
    assert moved.status_code == 400 and list(moved.json()) == ["year"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": THIS_YEAR + 1}, "year"),
        ({"year": 1999}, "year"),
        ({"year": "next"}, "year"),
        ({"organisation": "bu_a1"}, "organisation"),
        ({"organisation": "org_b"}, "organisation"),  # out of sight
        ({"organisation": 10**30}, "organisation"),
        ({"meeting_date": "2026-02-30"}, "meeting_date"),
        ({"conclusion": "x" * 20_001}, "conclusion"),
    ],
)
def test_starting_a_review_answers_field_errors(cast, api, body, field):
    data = {"organisation": cast.units.org_a.pk, "year": THIS_YEAR, **body}
    if isinstance(data["organisation"], str):
        data["organisation"] = getattr(cast.units, data["organisation"]).pk
    response = api(cast.qo_a).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not ManagementReview.objects.exists()


def test_a_second_review_for_the_year_is_a_400_on_the_year(cast, api, review):
    response = api(cast.admin_a).post(URL, {"organisation": cast.units.org_a.pk, "year": THIS_YEAR}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["year"]
    assert ManagementReview.objects.count() == 1


def test_the_commentary_and_the_attendees(cast, api, review):
    client = api(cast.qo_a)
    response = client.post(
        f"{URL}{review.pk}/comment/", {"input": ReviewInput.AUDITS, "commentary": "Maturity rises."}, format="json"
    )
    assert response.status_code == 200, response.content
    sections = {section["input"]: section["commentary"] for section in response.json()["sections"]}
    assert sections[ReviewInput.AUDITS] == "Maturity rises."
    wrong = client.post(f"{URL}{review.pk}/comment/", {"input": "weather", "commentary": "x"}, format="json")
    assert wrong.status_code == 400 and list(wrong.json()) == ["input"]

    response = client.post(
        f"{URL}{review.pk}/attendees/", {"user": cast.board_a.pk, "function": "Chair"}, format="json"
    )
    assert response.status_code == 201, response.content
    response = client.post(f"{URL}{review.pk}/attendees/", {"name": "External auditor"}, format="json")
    assert [attendee["display"] for attendee in response.json()["attendees"]][1] == "External auditor"
    for body in ({}, {"name": " "}, {"user": cast.board_a.pk}, {"user": cast.member_b.pk}, {"user": "x"}):
        wrong = client.post(f"{URL}{review.pk}/attendees/", body, format="json")
        assert wrong.status_code == 400 and list(wrong.json()) == ["user"], body
    assert review.attendees.count() == 2


def test_a_decision_with_its_actions_all_or_nothing(cast, api, review):
    client = api(cast.qo_a)
    body = {
        "input": ReviewInput.RISKS,
        "text": "Reduce the very high risks this year.",
        "actions": [
            {"title": "Back-ups tested", "owner": cast.risk_owner_a.pk, "due_date": IN_A_MONTH},
            {"title": "Outside", "owner": cast.member_b.pk, "due_date": IN_A_MONTH},
        ],
    }
    wrong = client.post(f"{URL}{review.pk}/decisions/", body, format="json")
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["actions"]
    assert not ReviewDecision.objects.exists() and not Action.objects.exists()

    past = {**body, "actions": [{**body["actions"][0], "due_date": "2000-01-01"}]}
    wrong = client.post(f"{URL}{review.pk}/decisions/", past, format="json")
    assert wrong.status_code == 400 and "Action 1: The due date cannot be in the past." in wrong.json()["actions"]
    assert not ReviewDecision.objects.exists()

    body["actions"][1]["owner"] = cast.team_lead_a.pk
    response = client.post(f"{URL}{review.pk}/decisions/", body, format="json")
    assert response.status_code == 201, response.content
    (decision,) = response.json()["decisions"]
    assert decision["text"] == body["text"] and len(decision["actions"]) == 2
    assert set(Action.objects.values_list("owner", flat=True)) == {cast.risk_owner_a.pk, cast.team_lead_a.pk}

    without = client.post(
        f"{URL}{review.pk}/decisions/", {"input": ReviewInput.AUDITS, "text": "Noted."}, format="json"
    )
    assert without.status_code == 201 and len(without.json()["decisions"]) == 2


def test_finalise_is_a_step_that_names_what_is_missing_then_freezes_the_pack(cast, api, review):
    client = api(cast.qo_a)
    response = client.post(f"{URL}{review.pk}/finalise/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"attendees", "meeting_date", "sections"}
    make_ready(review, actor=cast.qo_a)
    response = client.post(f"{URL}{review.pk}/finalise/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "finalised" and body["finalised_by"]["id"] == cast.qo_a.pk
    assert body["pack_as_of"] and body["finalised_at"]
    stored = ManagementReview.objects.get(pk=review.pk).pack
    assert client.get(f"{URL}{review.pk}/pack/").json() == stored

    # Finalised: every write is a 400 on the status, and nothing changes.
    writes = [
        client.patch(f"{URL}{review.pk}/", {"conclusion": "Late"}, format="json"),
        client.post(f"{URL}{review.pk}/comment/", {"input": ReviewInput.RISKS, "commentary": "Late"}, format="json"),
        client.post(f"{URL}{review.pk}/attendees/", {"name": "Late"}, format="json"),
        client.post(f"{URL}{review.pk}/decisions/", {"input": ReviewInput.RISKS, "text": "Late"}, format="json"),
        client.post(f"{URL}{review.pk}/finalise/", {}, format="json"),
    ]
    assert [(write.status_code, list(write.json())) for write in writes] == [(400, ["status"])] * 5
    after = client.get(f"{URL}{review.pk}/").json()
    assert after["conclusion"] == "" and len(after["attendees"]) == 1 and after["decisions"] == []


def test_the_pack_of_a_review_in_preparation_is_assembled_now(cast, api, review):
    pack = api(cast.viewer_a).get(f"{URL}{review.pk}/pack/").json()
    assert pack["year"] == THIS_YEAR and pack["organisation_id"] == cast.units.org_a.pk
    assert [section["input"] for section in pack["sections"]] == ReviewInput.values


# --- the PDF ---------------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf(cast, api, review):
    finalised(review, actor=cast.qo_a)
    for accept in ({}, {"HTTP_ACCEPT": "application/pdf"}, {"HTTP_ACCEPT": "*/*"}):
        response = api(cast.board_a).get(f"{URL}{review.pk}/pdf/", **accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment;")


def test_an_error_of_the_pdf_is_json_even_to_a_client_asking_for_a_pdf(cast, api, review):
    response = api(cast.member_b).get(f"{URL}{review.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    response = api(cast.qo_a).get(f"{URL}{review.pk}/pdf/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 and response["Content-Type"] == "application/json"


def test_the_schema_says_the_pdf_answers_application_pdf():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/management-reviews/{id}/pdf/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["application/pdf"]
    assert list(operation["responses"]["404"]["content"]) == ["application/json"]
    finalise = schema["paths"]["/api/v1/management-reviews/{id}/finalise/"]
    assert list(finalise) == ["post"]


# --- cost ------------------------------------------------------------------------------------------


def test_the_list_costs_the_same_for_1_and_10_reviews(cast, api, count_queries):
    client = api(cast.qo_a)

    def prepare(year):
        review = review_of(cast.units.org_a, year=year, actor=cast.qo_a)
        decision_with_action(review, owner=cast.risk_owner_a, actor=cast.qo_a)
        make_ready(review, actor=cast.qo_a, attendee=cast.board_a)
        return review

    prepare(THIS_YEAR)
    client.get(URL)  # the process's first request reads the content types, cached afterwards
    one = count_queries(client, URL)
    for year in range(THIS_YEAR - 9, THIS_YEAR):
        prepare(year)
    assert ManagementReview.objects.count() == 10
    assert count_queries(client, f"{URL}?limit=50") == one
