"""principles/ (SPEC 9): the fields with the controls and questions nested, read by everyone of the
organisation (an assessor from another unit too), 404 for other organisations, added and changed by
quality officers only, the code and organisation fixed, bad input as field errors, and a fixed query
count for 1 and 20 rows."""

import pytest

from audits.choices import ControlKind
from audits.models import Principle, PrincipleControl, PrincipleQuestion
from tests.factories.audits import auditor, principles_of, sibling_unit

pytestmark = pytest.mark.django_db
URL = "/api/v1/principles/"


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_it_answers_the_spec_fields_with_controls_and_questions(cast, api):
    (principle,) = principles_of(cast.units.org_a, 1)
    PrincipleControl.objects.create(principle=principle, kind=ControlKind.HARD, text="Klantpanel", text_en="Panel")
    PrincipleQuestion.objects.create(principle=principle, text="Hoe?", text_en="How?")
    response = api(cast.viewer_a).get(f"{URL}{principle.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {"id", "organisation", "code", "name", "definition", "name_en", "is_active", "position"} <= set(body)
    assert body["organisation"]["id"] == cast.units.org_a.pk
    assert body["controls"][0]["kind"] == "hard" and body["controls"][0]["text_en"] == "Panel"
    assert body["questions"][0]["text"] == "Hoe?"


def test_it_lets_everyone_of_the_organisation_read_and_hides_other_organisations(cast, api):
    principles = principles_of(cast.units.org_a, 2)
    other = principles_of(cast.units.org_b, 1)[0]
    wanted = {principle.pk for principle in principles}
    for user in (cast.qo_a, cast.viewer_a, cast.team_lead_a, auditor(sibling_unit(cast.units.org_a))):
        assert wanted <= ids(api(user).get(URL)), user
        assert other.pk not in ids(api(user).get(URL))
    assert api(cast.member_b).get(f"{URL}{principles[0].pk}/").status_code == 404
    assert api(cast.outsider).get(URL).json()["count"] == 0
    assert api().get(URL).status_code in (401, 403)


def test_a_quality_officer_adds_and_changes_a_principle(cast, api):
    client = api(cast.qo_a)
    body = {"organisation": cast.units.org_a.pk, "code": "innovatie", "name": "Innovatie", "name_en": "Innovation"}
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["code"] == "innovatie" and created["is_active"] is True
    response = client.patch(f"{URL}{created['id']}/", {"definition": "Nieuw", "is_active": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["definition"] == "Nieuw" and response.json()["is_active"] is False
    assert client.get(URL, {"is_active": "false"}).json()["count"] == 1
    response = client.patch(f"{URL}{created['id']}/", {"code": "other"}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    response = client.put(f"{URL}{created['id']}/", {**body, "name": "Vernieuwing"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Vernieuwing"


def test_a_viewer_and_an_assessor_read_only(cast, api):
    (principle,) = principles_of(cast.units.org_a, 1)
    body = {"organisation": cast.units.org_a.pk, "code": "x", "name": "X"}
    assessor = auditor(sibling_unit(cast.units.org_a))
    assert api(cast.viewer_a).post(URL, body, format="json").status_code == 403
    # The assessor does not see the organisation as a unit: it is no choice of theirs.
    response = api(assessor).post(URL, body, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    for user in (cast.viewer_a, assessor):
        assert api(user).patch(f"{URL}{principle.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert not Principle.objects.filter(code="x").exists()
    assert Principle.objects.get(pk=principle.pk).name != "Y"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"organisation": None}, "organisation"),
        ({"code": ""}, "code"),
        ({"code": "no spaces"}, "code"),
        ({"name": ""}, "name"),
        ({"position": -1}, "position"),
        ({"is_active": "maybe"}, "is_active"),
    ],
)
def test_it_answers_bad_input_with_a_field_error(cast, api, data, field):
    body = {"organisation": cast.units.org_a.pk, "code": "nieuw", "name": "Nieuw", **data}
    response = api(cast.qo_a).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Principle.objects.filter(code="nieuw").exists()


def test_it_refuses_a_duplicate_code_and_another_organisation(cast, api):
    (principle,) = principles_of(cast.units.org_a, 1)
    response = api(cast.qo_a).post(
        URL, {"organisation": cast.units.org_a.pk, "code": principle.code, "name": "Twee"}, format="json"
    )
    assert response.status_code == 400, response.content
    response = api(cast.member_b).post(
        URL, {"organisation": cast.units.org_a.pk, "code": "ander", "name": "Ander"}, format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()


def test_it_filters(cast, api):
    principles_of(cast.units.org_a, 2)
    principles_of(cast.units.org_b, 1)
    client = api(cast.group_mgmt)
    assert client.get(URL, {"organisation": cast.units.org_a.pk}).json()["count"] == 2
    assert client.get(URL, {"organisation": cast.units.org_b.pk, "is_active": "true"}).json()["count"] == 1
    assert client.get(URL, {"q": "Customer"}).json()["count"] == 2
    assert api(cast.qo_a).get(URL, {"organisation": cast.units.org_b.pk}).status_code == 400


def test_the_list_costs_the_same_for_1_and_20_rows(cast, api, count_queries):
    client = api(cast.qo_a)

    def add(count):
        for principle in principles_of(cast.units.org_a, count):
            if not principle.controls.exists():
                PrincipleControl.objects.create(principle=principle, kind=ControlKind.SOFT, text="t")
                PrincipleQuestion.objects.create(principle=principle, text="q")

    add(1)
    client.get(URL)
    one = count_queries(client, URL)
    add(20)
    assert count_queries(client, URL) == one
