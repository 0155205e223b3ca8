"""The monthly risk score through the API: the same rules and errors as the services."""

import pytest
from django.utils import timezone

from qms.periods import month_shift
from risks.models import Investigation, MonthlyScore, ScoreArea
from risks.services import scoring

THIS_MONTH = timezone.localdate().replace(day=1)
LAST = month_shift(THIS_MONTH, -1)
TWO_AGO = month_shift(THIS_MONTH, -2)


def payload(org, month, **overrides):
    scores = {"legal": 90, "security": 90, "sustainability": 80, "supplier": 70, "financial": 95, **overrides}
    return {
        "organisation": org.pk,
        "month": month.strftime("%Y-%m"),
        "areas": [{"area": code, "score": value} for code, value in scores.items()],
        "vasp_level": "gold",
        "visp_level": "platinum",
    }


@pytest.fixture
def org(cast):
    scoring.areas_ensure_defaults(organisation=cast.units.org_a)
    ScoreArea.objects.filter(organisation=cast.units.org_a, code="training").update(source="manual")
    return cast.units.org_a


def test_it_enters_a_month_and_derives_the_total(cast, api, org):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", payload(org, LAST, training=100), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    # 90*.25 + 90*.25 + 80*.15 + 100*.05 + 70*.05 + 95*.25 = 89.25 -> 89.3 (half up)
    assert (body["total"], body["month"], body["missing_areas"], body["vasp_level"]) == (
        "89.3",
        LAST.strftime("%Y-%m"),
        [],
        "gold",
    )


def test_an_incomplete_month_names_the_missing_area(cast, api, org):
    body = api(cast.qo_a).post("/api/v1/risk-scores/", payload(org, LAST), format="json").json()
    assert (body["total"], body["missing_areas"]) == (None, ["training"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "next month"}, "month"),
        ({"areas": [{"area": "legal", "score": 101}]}, "areas"),
        ({"areas": [{"area": "marketing", "score": 50}]}, "areas"),
        ({"vasp_level": "diamond"}, "vasp_level"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_changes_nothing(cast, api, org, change, field):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", {**payload(org, LAST), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not MonthlyScore.objects.exists()


def test_a_future_month_is_refused(cast, api, org):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", payload(org, month_shift(THIS_MONTH, 1)), format="json")
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_closed_month_needs_the_correction_path(cast, api, org):
    client = api(cast.qo_a)
    monthly_id = client.post("/api/v1/risk-scores/", payload(org, LAST, training=100), format="json").json()["id"]
    scoring.monthly_run(month=LAST)
    assert client.post("/api/v1/risk-scores/", payload(org, LAST, training=100), format="json").status_code == 400
    no_reason = client.post(
        f"/api/v1/risk-scores/{monthly_id}/correct/",
        {"areas": [{"area": "legal", "score": 85}], "reason": ""},
        format="json",
    )
    assert no_reason.status_code == 400
    fixed = client.post(
        f"/api/v1/risk-scores/{monthly_id}/correct/",
        {"areas": [{"area": "legal", "score": 85}], "reason": "Wrong file"},
        format="json",
    )
    assert fixed.status_code == 200
    assert fixed.json()["total"] == "88.0"  # legal 90 -> 85 costs 1.25


def test_a_drop_posted_through_the_api_opens_one_investigation(cast, api, org):
    client = api(cast.qo_a)
    client.post("/api/v1/risk-scores/", payload(org, TWO_AGO, training=100), format="json")
    scoring.monthly_run(month=TWO_AGO)
    client.post("/api/v1/risk-scores/", payload(org, LAST, training=100, security=70), format="json")
    scoring.monthly_run(month=LAST)
    scoring.monthly_run(month=LAST)
    results = client.get("/api/v1/investigations/").json()["results"]
    assert [(row["area"], row["previous_score"], row["score"]) for row in results] == [("security", "90.0", "70.0")]
    investigation = Investigation.objects.get()
    owner = api(investigation.owner)
    step = owner.post(
        f"/api/v1/investigations/{investigation.pk}/steps/",
        {"title": "Patch the servers", "owner": investigation.owner.pk, "due_date": str(timezone.localdate())},
        format="json",
    )
    assert step.status_code == 201, step.json()
    assert (
        owner.post(f"/api/v1/investigations/{investigation.pk}/close/", {"cause": ""}, format="json").status_code == 400
    )
    closed = owner.post(f"/api/v1/investigations/{investigation.pk}/close/", {"cause": "Backlog"}, format="json")
    assert closed.json()["status"] == "closed"


def test_areas_are_replaced_as_one_set_that_adds_up_to_100(cast, api, org):
    client = api(cast.qo_a)
    areas = [{"code": "legal", "name": "Legal", "weight": 60}, {"code": "security", "name": "Security", "weight": 30}]
    response = client.post("/api/v1/score-areas/replace/", {"organisation": org.pk, "areas": areas}, format="json")
    assert response.status_code == 400
    assert "weight" in response.json()
    areas[1]["weight"] = 40
    response = client.post("/api/v1/score-areas/replace/", {"organisation": org.pk, "areas": areas}, format="json")
    assert response.status_code == 200
    assert set(ScoreArea.objects.filter(organisation=org, is_active=True).values_list("code", flat=True)) == {
        "legal",
        "security",
    }


@pytest.mark.parametrize("who", ["viewer_a", "board_a"])
def test_readers_cannot_write_scores(cast, api, org, who):
    response = api(getattr(cast, who)).post("/api/v1/risk-scores/", payload(org, LAST), format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_another_organisation_sees_nothing(cast, api, org, who):
    scoring.scores_enter(actor=cast.qo_a, organisation=org, month=LAST, scores={"legal": 50})
    client = api(getattr(cast, who))
    assert client.get("/api/v1/risk-scores/").json()["count"] == 0
    assert client.get("/api/v1/score-areas/").json()["count"] == 0
    monthly = MonthlyScore.objects.get()
    assert client.get(f"/api/v1/risk-scores/{monthly.pk}/").status_code == 404
    response = client.post("/api/v1/risk-scores/", payload(org, TWO_AGO), format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()


def test_anonymous_gets_nothing(api):
    assert api().get("/api/v1/risk-scores/").status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/risk-scores/", "/api/v1/investigations/", "/api/v1/score-areas/"])
def test_list_query_count_does_not_grow_with_rows(cast, api, org, path, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(cast.qo_a)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    # Every month both areas drop a point: one more month and two more investigations each time.
    months = [month_shift(LAST, -n) for n in range(12)][::-1]

    def add(month, index):
        scoring.scores_enter(
            actor=cast.qo_a, organisation=org, month=month, scores={"legal": 90 - index, "security": 90 - index}
        )
        scoring.monthly_run(month=month)

    add(months[0], 0)
    add(months[1], 1)
    few = count()
    for index, month in enumerate(months[2:], start=2):
        add(month, index)
    assert count() == few


def test_an_area_owner_below_the_organisation_works_on_their_investigation_but_sees_no_scores(cast, api, org):
    ScoreArea.objects.filter(organisation=org, code="security").update(owner=cast.risk_owner_a)
    officer = api(cast.qo_a)
    officer.post("/api/v1/risk-scores/", payload(org, TWO_AGO, training=100), format="json")
    scoring.monthly_run(month=TWO_AGO)
    officer.post("/api/v1/risk-scores/", payload(org, LAST, training=100, security=70), format="json")
    scoring.monthly_run(month=LAST)
    investigation = Investigation.objects.get()
    assert investigation.owner == cast.risk_owner_a
    owner = api(cast.risk_owner_a)
    assert [row["id"] for row in owner.get("/api/v1/investigations/").json()["results"]] == [investigation.pk]
    assert owner.get(f"/api/v1/investigations/{investigation.pk}/").status_code == 200
    assert owner.get("/api/v1/risk-scores/").json()["count"] == 0
    step = {"title": "Patch", "owner": cast.risk_owner_a.pk, "due_date": str(timezone.localdate())}
    assert owner.post(f"/api/v1/investigations/{investigation.pk}/steps/", step, format="json").status_code == 201
    # Another business unit's people still see nothing of it.
    assert api(cast.member_b).get(f"/api/v1/investigations/{investigation.pk}/").status_code == 404


@pytest.mark.parametrize(
    "areas",
    [
        [{"area": "legal", "score": 90}, {"area": "legal", "score": 50}],
        [],
    ],
)
def test_duplicate_or_no_areas_are_a_400_and_change_nothing(cast, api, org, areas):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", {**payload(org, LAST), "areas": areas}, format="json")
    assert response.status_code == 400
    assert "areas" in response.json()
    assert not MonthlyScore.objects.exists()


def test_a_duplicate_area_names_the_area(cast, api, org):
    areas = [{"area": "legal", "score": 90}, {"area": "security", "score": 90}, {"area": "legal", "score": 50}]
    response = api(cast.qo_a).post("/api/v1/risk-scores/", {**payload(org, LAST), "areas": areas}, format="json")
    assert response.json()["areas"] == ["Give each area once; more than one score for: legal."]


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_outside_2000_to_2100_is_a_400(cast, api, org, month):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", {**payload(org, LAST), "month": month}, format="json")
    assert response.status_code == 400
    assert response.json()["month"] == ["Give a month from 2000-01 to 2100-12."]
    assert api(cast.qo_a).get("/api/v1/risk-scores/", {"month": month}).status_code == 400


def test_an_incomplete_closed_month_is_completed_through_correct(cast, api, org):
    scoring.monthly_run(month=LAST)
    monthly = MonthlyScore.objects.get(organisation=org)
    client = api(cast.qo_a)
    response = client.post(
        f"/api/v1/risk-scores/{monthly.pk}/correct/",
        {"areas": payload(org, LAST, training=100)["areas"], "reason": "The group's file came late"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["total"], response.json()["missing_areas"]) == ("89.3", [])
    duplicate = client.post(
        f"/api/v1/risk-scores/{monthly.pk}/correct/",
        {"areas": [{"area": "legal", "score": 1}, {"area": "legal", "score": 2}], "reason": "x"},
        format="json",
    )
    assert duplicate.status_code == 400 and "areas" in duplicate.json()


def test_the_total_follows_changed_weights_while_the_month_is_open(cast, api, org):
    client = api(cast.qo_a)
    monthly_id = client.post("/api/v1/risk-scores/", payload(org, LAST, training=100), format="json").json()["id"]
    areas = [
        {"code": a.code, "name": a.name, "weight": str(a.weight), "source": a.source}
        for a in ScoreArea.objects.filter(organisation=org)
    ]
    for area in areas:
        area["weight"] = {"legal": "20", "financial": "30"}.get(area["code"], area["weight"])
    assert (
        client.post("/api/v1/score-areas/replace/", {"organisation": org.pk, "areas": areas}, format="json").status_code
        == 200
    )
    # 90*.20 + 90*.25 + 80*.15 + 100*.05 + 70*.05 + 95*.30 = 89.5
    assert client.get(f"/api/v1/risk-scores/{monthly_id}/").json()["total"] == "89.5"
    scoring.monthly_run(month=LAST)
    assert client.get(f"/api/v1/risk-scores/{monthly_id}/").json()["total"] == "89.5"


def test_a_correction_that_removes_the_drop_shows_the_investigation_withdrawn(cast, api, org):
    client = api(cast.qo_a)
    client.post("/api/v1/risk-scores/", payload(org, TWO_AGO, training=100), format="json")
    scoring.monthly_run(month=TWO_AGO)
    monthly_id = client.post("/api/v1/risk-scores/", payload(org, LAST, training=100, security=70), format="json")
    scoring.monthly_run(month=LAST)
    client.post(
        f"/api/v1/risk-scores/{monthly_id.json()['id']}/correct/",
        {"areas": [{"area": "security", "score": 90}], "reason": "Wrong file"},
        format="json",
    )
    [row] = client.get("/api/v1/investigations/").json()["results"]
    assert (row["status"], row["score"], row["withdrawn_reason"]) == (
        "withdrawn",
        "90.0",
        f"Correctie van {LAST:%Y-%m}: Wrong file",
    )


@pytest.fixture
def investigation(cast, api, org):
    ScoreArea.objects.filter(organisation=org, code="security").update(owner=cast.risk_owner_a)
    client = api(cast.qo_a)
    client.post("/api/v1/risk-scores/", payload(org, TWO_AGO, training=100), format="json")
    scoring.monthly_run(month=TWO_AGO)
    client.post("/api/v1/risk-scores/", payload(org, LAST, training=100, security=70), format="json")
    scoring.monthly_run(month=LAST)
    return Investigation.objects.get()


def test_a_quality_officer_reassigns_an_investigation(cast, api, investigation):
    response = api(cast.qo_a).post(
        f"/api/v1/investigations/{investigation.pk}/reassign/",
        {"owner": cast.board_a.pk, "reason": "Board's area now"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["owner"]["id"] == cast.board_a.pk
    stranger = api(cast.qo_a).post(
        f"/api/v1/investigations/{investigation.pk}/reassign/", {"owner": cast.member_b.pk}, format="json"
    )
    assert stranger.status_code == 400 and "owner" in stranger.json()


def test_reassigning_is_refused_to_readers_others_and_anonymous(cast, api, investigation):
    path = f"/api/v1/investigations/{investigation.pk}/reassign/"
    body = {"owner": cast.board_a.pk}
    assert api().post(path, body, format="json").status_code in (401, 403)
    assert api(cast.viewer_a).post(path, body, format="json").status_code == 403
    assert api(cast.member_b).post(path, body, format="json").status_code == 404
    investigation.refresh_from_db()
    assert investigation.owner == cast.risk_owner_a


# --- a delivered score of a derived area (issue 10) ----------------------------------------------


@pytest.fixture
def derived_org(cast):
    """Organisation A with the default areas as they come: training derived from the training data."""
    scoring.areas_ensure_defaults(organisation=cast.units.org_a)
    return cast.units.org_a


def stored_scores(org, month) -> dict:
    return {
        score.area.code: f"{score.score:.1f}"
        for score in MonthlyScore.objects.get(organisation=org, month=month).area_scores.select_related("area")
    }


def test_a_delivered_training_score_counts_where_there_is_no_training_data(cast, api, derived_org):
    response = api(cast.qo_a).post("/api/v1/risk-scores/", payload(derived_org, LAST, training=60), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert stored_scores(derived_org, LAST) == {
        "legal": "90.0",
        "security": "90.0",
        "sustainability": "80.0",
        "supplier": "70.0",
        "financial": "95.0",
        "training": "60.0",
    }
    # 90*.25 + 90*.25 + 80*.15 + 60*.05 + 70*.05 + 95*.25 = 87.25 -> 87.3
    assert (body["total"], body["missing_areas"]) == ("87.3", [])
    assert body["notices"] == [
        f"Training & awareness: Organisation A has no mandatory-training data for {LAST.year}, so the delivered "
        "score 60.0 counts."
    ]


def test_the_derived_training_score_wins_and_the_answer_says_so(cast, api, derived_org):
    from qms.models import Course, TrainingAssignment

    course = Course.objects.create(organisation=derived_org, title="Security awareness")
    TrainingAssignment.objects.create(course=course, user=cast.qo_a, year=LAST.year, completed_on=LAST)
    response = api(cast.qo_a).post("/api/v1/risk-scores/", payload(derived_org, LAST, training=60), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    scores = stored_scores(derived_org, LAST)
    assert scores["training"] == "100.0" and len(scores) == 6
    assert body["notices"] == [
        f"Training & awareness: the score is derived from the mandatory-training data of {LAST.year}, so it is "
        "100.0 and the delivered score 60.0 is not used."
    ]
    # A plain read has no notices: they belong to the answer of a write.
    assert api(cast.qo_a).get(f"/api/v1/risk-scores/{body['id']}/").json()["notices"] == []


def test_a_correction_answers_with_its_notices_too(cast, api, derived_org):
    client = api(cast.qo_a)
    monthly_id = client.post("/api/v1/risk-scores/", payload(derived_org, LAST), format="json").json()["id"]
    scoring.monthly_run(month=LAST)
    response = client.post(
        f"/api/v1/risk-scores/{monthly_id}/correct/",
        {"areas": [{"area": "training", "score": 75}], "reason": "Delivered late"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert stored_scores(derived_org, LAST)["training"] == "75.0"
    assert response.json()["total"] == "88.0"  # 90*.25 + 90*.25 + 80*.15 + 75*.05 + 70*.05 + 95*.25
    assert len(response.json()["notices"]) == 1


def test_the_schema_documents_the_notices_as_read_only(api, cast):
    schema = api(cast.qo_a).get("/api/schema/?format=json").json()
    notices = schema["components"]["schemas"]["MonthlyScore"]["properties"]["notices"]
    assert notices["readOnly"] is True and notices["type"] == "array"
