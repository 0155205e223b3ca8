"""The OpenAPI schema says what the API answers (fields that can be null or blank, every error answer, plain
arrays where no page is answered), and the API takes the query parameters the schema documents, no others."""

import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from qms.api.filters import query_params_allowed
from tests.factories import ActionFactory
from tests.factories.risks import RiskFactory


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def property_of(schema, component, name):
    return schema["components"]["schemas"][component]["properties"][name]


def enum_values(schema, prop) -> set:
    """Every value an enum property allows, through its $refs."""
    refs = [item["$ref"] for item in prop.get("oneOf", prop.get("allOf", []))]
    values = set(prop.get("enum", []))
    for ref in refs:
        values |= set(schema["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("enum", []))
    return values


@pytest.mark.parametrize(
    ("component", "field"),
    [("Action", "created_by"), ("FeedbackEscalation", "decided_by"), ("IntendedEffect", "follow_up")],
)
def test_it_documents_related_records_answered_as_null_as_nullable(schema, component, field):
    assert property_of(schema, component, field)["nullable"] is True


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Risk", "residual_level"),
        ("Risk", "approved_level"),
        ("RiskApproval", "decision"),
        ("IntendedEffect", "verdict"),
        ("Feedback", "flag_reason"),
    ],
)
def test_it_documents_choices_answered_as_blank_with_the_blank_value(schema, component, field):
    assert "" in enum_values(schema, property_of(schema, component, field))


def test_a_record_created_by_the_system_answers_null_where_the_schema_allows_it(cast, api, schema):
    action = ActionFactory(unit=cast.units.org_a, owner=cast.qo_a, created_by=None)
    body = api(cast.qo_a).get(f"/api/v1/actions/{action.pk}/").json()
    assert body["created_by"] is None
    assert property_of(schema, "Action", "created_by").get("nullable")


def test_every_operation_documents_its_error_answers(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "406", "429"}
            if operation.get("security", [{}]) != [{}] and operation.get("security") != []:
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if method in ("post", "put", "patch"):
                expected.add("415")
            if not expected <= set(operation["responses"]):
                missing.append(f"{method.upper()} {path}: {sorted(expected - set(operation['responses']))}")
    assert missing == []
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert schema["components"]["schemas"]["ValidationError"]["type"] == "object"


def test_the_token_request_documents_no_401_as_it_needs_no_credentials(schema):
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in responses and "400" in responses and "429" in responses


def test_a_custom_action_answering_a_list_is_documented_as_a_plain_array(schema):
    for path in ("/api/v1/kpis/defaults/", "/api/v1/kpi-measurements/bulk/", "/api/v1/score-areas/replace/"):
        operation = schema["paths"][path]["post"]
        body = next(iter(operation["responses"].values()))["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
        assert not [p for p in operation.get("parameters", []) if p["in"] == "query"], path


def operations_with_views():
    """(path, method, view) of every operation, the view set up as for a request."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _regex, method, callback in generator.endpoints:
        yield path, method.lower(), generator.create_view(callback, method)


def test_the_api_takes_exactly_the_query_parameters_its_schema_documents(schema):
    different = []
    for path, method, view in operations_with_views():
        if not hasattr(view, "action"):
            continue  # the token view is not a viewset and reads no query parameters
        operation = schema["paths"][path.replace("{pk}", "{id}")][method]
        documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        taken = query_params_allowed(view) - {"format"}
        if documented != taken:
            different.append(f"{method.upper()} {path}: documented {sorted(documented)}, taken {sorted(taken)}")
    assert different == []


def test_an_unknown_query_parameter_is_a_400_naming_it(cast, api):
    response = api(cast.qo_a).get("/api/v1/risks/", {"foo": "1", "level": "high"})
    assert response.status_code == 400
    assert list(response.json()) == ["foo"]
    assert "Unknown query parameter" in response.json()["foo"][0]


def test_an_unknown_query_parameter_on_a_record_is_a_400(cast, api):
    action = ActionFactory(unit=cast.units.org_a, owner=cast.qo_a)
    response = api(cast.qo_a).get(f"/api/v1/actions/{action.pk}/", {"ordering": "title"})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_ordering_by_a_field_that_cannot_be_ordered_by_is_a_400(cast, api):
    response = api(cast.qo_a).get("/api/v1/risks/", {"ordering": "likelihood"})
    assert response.status_code == 400
    assert "likelihood" in response.json()["ordering"][0]


def test_ordering_by_documented_fields_still_orders(cast, api):
    for title in ("B", "A"):
        RiskFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a, actor=cast.superuser, title=title)
    response = api(cast.qo_a).get("/api/v1/risks/", {"ordering": "-level,title", "limit": 10, "offset": 0})
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_a_yes_no_filter_with_another_value_is_a_400(cast, api):
    response = api(cast.admin_a).get("/api/v1/units/", {"is_active": "h"})
    assert response.status_code == 400
    assert list(response.json()) == ["is_active"]
    assert api(cast.admin_a).get("/api/v1/units/", {"is_active": "true"}).status_code == 200


def test_the_year_of_courses_is_taken_by_a_single_course_too(cast, api):
    created = api(cast.qo_a).post(
        "/api/v1/courses/", {"organisation": cast.units.org_a.pk, "title": "Privacy"}, format="json"
    )
    assert created.status_code == 201, created.json()
    year = timezone.localdate().year
    response = api(cast.qo_a).get(f"/api/v1/courses/{created.json()['id']}/", {"year": year})
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_a_path_under_the_api_that_does_not_exist_answers_json_404(cast, method):
    # A browser's session, with the CSRF check on: a 404 all the same, not Django's HTML CSRF page.
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.qo_a)
    response = getattr(client, method)("/api/v1/actions/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["detail"]


def test_an_empty_choice_filter_is_a_400_in_the_api_but_no_filter_on_the_pages(cast, api, login):
    response = api(cast.qo_a).get("/api/v1/risks/", {"awaiting": "", "level": "high"})
    assert response.status_code == 400
    assert list(response.json()) == ["awaiting"]
    assert login(cast.qo_a).get("/risks/register/", {"awaiting": "", "level": ""}).status_code == 200


def test_a_path_with_a_newline_answers_json_404(cast, api):
    response = api(cast.qo_a).get("/api/v1/data-breaches/1%0A2/assess/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
