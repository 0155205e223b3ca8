"""Bad input never breaks the API: every endpoint of the schema, on the demo data, fed values of the
wrong type, out of range, malformed or absurdly large, in its body and its query string, answers with
a 4xx (a JSON body naming what is wrong) and never with a 500.

And an outsider gets no record from any of them.

The endpoints come from the OpenAPI schema, so an endpoint added later is covered without touching
these tests; a record's endpoints are tried on a record the caller sees."""

import json
import re

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from qms.models import User

# Values that are wrong for nearly every field, each in its own way.
HOSTILE_VALUES = [
    None,
    "",
    "not-a-number-or-date",
    10**30,
    -(10**30),
    -1,
    1.5,
    True,
    "2026-02-30",
    "9999-99",
    "x" * 20_000,
    "\x00",
    [],
    [{"id": "x"}],
    {"id": 10**30},
]
HOSTILE_QUERY_VALUES = ["abc", str(10**30), "-1", "2026-02-30", "1,2,abc", "\x00", "true'--"]
RAW_BODIES = ["{not json", "[]", '"a string"', "null", "1e999999"]
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    call_command("seed_demo", verbosity=0)


def endpoints():
    """(path template, method, request field names, query parameter names) of every operation."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch"}:
                continue
            fields = []
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = content.get("schema", {}).get("$ref", "")
            if ref:
                fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            yield path, method, fields, query


def first_id(client, list_path, cache):
    """The id of a record the caller sees, from the list endpoint above a detail path."""
    if list_path not in cache:
        response = client.get(list_path, {"limit": 1})
        results = response.json().get("results", []) if response.status_code == 200 else []
        cache[list_path] = results[0]["id"] if results and "id" in results[0] else None
    return cache[list_path]


def concrete(client, template, cache):
    """The template with its parameters filled in, or None when the caller sees no such record."""
    match = PATH_PARAMETER.search(template)
    if match is None:
        return template
    record_id = first_id(client, template[: match.start()], cache)
    return None if record_id is None else template[: match.start()] + str(record_id) + template[match.end() :]


# One wrong field in an otherwise valid body gets past field validation to the serializer's and the
# services' own checks.
ONE_WRONG_VALUES = [None, "", "abc", 10**30, -1, "2026-02-30", [], {"id": 10**30}]


def as_input(value):
    """A value as the API shows it, as the API takes it: a related record's brief object as its id."""
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    if isinstance(value, list):
        return [as_input(item) for item in value]
    return value


def valid_body(client, template, path, fields, cache):
    """A record the caller sees, as input for ``path``: the record itself for its own endpoints, the
    first of the list for a new one. Custom actions (submit, decide...) get none."""
    if not fields:
        return {}
    match = PATH_PARAMETER.search(template)
    if match is None:
        source = path
        if source not in cache:
            response = client.get(source, {"limit": 1})
            results = response.json().get("results", []) if response.status_code == 200 else []
            cache[source] = results[0] if results else {}
        shown = cache[source]
    elif template.endswith(PATH_PARAMETER.findall(template)[-1] + "/"):
        response = client.get(path)
        shown = response.json() if response.status_code == 200 else {}
    else:
        return {}
    return {name: as_input(shown[name]) for name in fields if name in shown}


def bodies(fields, valid):
    """(what is wrong, body) pairs."""
    yield "an empty body", {}
    yield "a record as shown", valid
    for value in HOSTILE_VALUES:
        yield f"every field {value!r:.40}", dict.fromkeys(fields, value)
    for field in fields:
        for value in ONE_WRONG_VALUES:
            yield f"{field}={value!r:.40}", {**valid, field: value}


def check(client, method, path, label, **kwargs):
    """What is wrong with the answer, or None: a server error, or a 400 without JSON saying why."""
    response = getattr(client, method)(path, **kwargs)
    where = f"{method.upper()} {path} with {label}"
    if response.status_code >= 500:
        return f"{where}: {response.status_code}"
    if response.status_code == 400 and not (
        response.get("Content-Type", "").startswith("application/json") and response.json()
    ):
        return f"{where}: a 400 without a JSON error"
    return None


def test_no_endpoint_answers_bad_input_with_a_server_error(demo):
    failures, tried = [], 0
    # The administrator of the group may make nearly every write (not a board member's decisions, an
    # investigation owner's steps or effects: those stop at their role, after the fields are read).
    for username in ("beheerder",):
        # Collect server errors as answers (the test client would raise the first one instead).
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        client.force_authenticate(User.objects.get(username=username))
        ids, shown = {}, {}
        for template, method, fields, query in endpoints():
            path = concrete(client, template, ids)
            if path is None:
                continue
            if method == "get":
                for name in query:
                    for value in HOSTILE_QUERY_VALUES:
                        tried += 1
                        failures.append(check(client, "get", path, f"?{name}={value!r:.40}", data={name: value}))
                continue
            for label, body in bodies(fields, valid_body(client, template, path, fields, shown)):
                tried += 1
                failures.append(check(client, method, path, label, data=body, format="json"))
            for raw in RAW_BODIES:
                tried += 1
                failures.append(check(client, method, path, f"body {raw!r}", data=raw, content_type="application/json"))
    failures = [failure for failure in failures if failure]
    assert tried > 1000
    assert failures == [], json.dumps(failures[:40], indent=1)


def demo_organisation_year() -> dict:
    from django.utils import timezone

    from qms.choices import UnitKind
    from qms.models import OrganisationUnit

    organisation = OrganisationUnit.objects.filter(kind=UnitKind.ORGANISATION).order_by("pk").first()
    return {"organisation": organisation.pk, "year": timezone.localdate().year - 1}


# Reports whose query names the record they are about (required parameters): the demo's organisation.
REPORTS = {"/api/v1/audits/maturity/": demo_organisation_year}


def test_an_outsider_gets_no_record_from_any_endpoint(demo):
    """Someone with no role anywhere lists nothing (but themselves among the people) and gets 404 for
    every record of the demo, whatever the method."""
    administrator, outsider = (APIClient(HTTP_ACCEPT_LANGUAGE="en") for _ in range(2))
    administrator.force_authenticate(User.objects.get(username="beheerder"))
    person = User.objects.get(username="buitenstaander")
    outsider.force_authenticate(person)
    failures, records, ids = [], 0, {}
    for template, method, _fields, _query in endpoints():
        if template.startswith("/api/v1/auth/"):
            continue
        if PATH_PARAMETER.search(template):
            path = concrete(administrator, template, ids)  # a record the administrator sees
            if path is None:
                continue
            records += 1
            response = getattr(outsider, method)(path, {}, format="json")
            if response.status_code != 404:
                failures.append(f"{method.upper()} {path}: {response.status_code}")
        elif template in REPORTS:
            # A report of a record named in its query (an organisation): out of sight, so a 404.
            response = outsider.get(template, REPORTS[template]())
            if response.status_code != 404:
                failures.append(f"GET {template}: {response.status_code}")
        elif method == "get":
            response = outsider.get(template)
            body = response.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            seen = [row for row in rows if not (template == "/api/v1/users/" and row.get("id") == person.pk)]
            if response.status_code != 200 or seen:
                failures.append(f"GET {template}: {response.status_code}, {len(seen)} rows")
    assert records > 20
    assert failures == [], "\n".join(failures)


def test_no_endpoint_answers_a_browser_asking_for_html_with_a_server_error_or_html(demo, monkeypatch):
    """``Accept: text/html`` on every operation: with production's renderers the answer is JSON (406, or
    what was asked); with the browsable API of development (related objects as {id, url, display} broke its
    forms: a 500) the page renders."""
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
    from rest_framework.views import APIView

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_authenticate(User.objects.get(username="beheerder"))
    operations, ids = [], {}
    for template, method, _fields, _query in endpoints():
        path = concrete(client, template, ids)
        if path is not None:
            operations.append((method, path))
    assert len(operations) > 40
    failures = []
    for renderers in ([JSONRenderer], [JSONRenderer, BrowsableAPIRenderer]):
        # Views read DEFAULT_RENDERER_CLASSES once, at import: production's are JSON only (qms/settings.py).
        monkeypatch.setattr(APIView, "renderer_classes", renderers)
        for method, path in operations:
            kwargs = {} if method == "get" else {"data": {}, "format": "json"}
            response = getattr(client, method)(path, HTTP_ACCEPT="text/html", **kwargs)
            content_type = response.get("Content-Type", "")
            where = f"{method.upper()} {path} ({len(renderers)} renderers)"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif len(renderers) == 1 and response.content and not content_type.startswith("application/json"):
                failures.append(f"{where}: {content_type}")
    assert failures == [], "\n".join(failures)
