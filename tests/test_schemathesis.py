"""The API keeps to its OpenAPI schema: schemathesis generates requests for every operation of the schema
(valid and invalid ones), sends them in-process to the WSGI application on the demo data and runs every
check on every answer: no server error, a status code, content type, headers and body the schema
documents, no authentication ignored, invalid data refused, and so on.

As a quality officer (who may write most things), a viewer (who may read) and an outsider (who sees
nothing), each with an API token. A bounded number of examples per operation, the same ones every run
(``derandomize``), so that the whole costs about a minute per role. The writes happen inside the test's
transaction, rolled back afterwards."""

import os
import time
from pathlib import Path

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from qms.models import User
from qms.services.security import token_create
from tests.test_api_hostile_input import demo  # noqa: F401 - the demo data, seeded for the test

# Hypothesis's caches under var/ (ignored by git), not in a .hypothesis folder in the checkout.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(__file__).resolve().parents[1] / "var" / "hypothesis"))

# Examples per operation and generation mode (valid data, invalid data).
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # Data the schema allows can still break a rule of the domain (an id of a record that does not
            # exist or is out of sight, a date in the past, a weight that does not add up): a 400 with the
            # field's message is the right answer to those.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
        }
    }
)


@pytest.fixture
def in_process():
    """The WSGI application in the test's transaction: Django closes a connection in a transaction at the
    end of a request (Django's own test client stops that the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def token_for(username: str) -> str:
    _token, raw = token_create(user=User.objects.get(username=username), name="schemathesis")
    return raw


def run_operation(operation, mode, headers, app) -> str | None:
    """The failures schemathesis finds for one operation in one generation mode, or None."""
    failure = None

    @hypothesis_settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        call_headers = dict(headers)
        if operation.method.upper() == "DELETE" and operation.path == "/api/v1/auth/token/":
            # Revoking the token in use would end the run: this request revokes a token of its own.
            call_headers["Authorization"] = "Token " + token_for(USER_OF[headers["Authorization"]])
        case.call_and_validate(headers=call_headers, app=app)

    try:
        check()
    except Unsatisfiable:
        pass  # nothing in the operation to make invalid (no parameters, no body)
    except (Exception, BaseExceptionGroup) as error:  # every failure is collected and reported together
        failure = f"{operation.method.upper()} {operation.path} ({mode.value}): {error}"
    return failure


USER_OF: dict[str, str] = {}


def schemathesis_run(username: str, app) -> None:
    """Every operation of the schema, both generation modes, as ``username`` with an API token."""
    token = token_for(username)
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
    USER_OF[headers["Authorization"]] = username
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=CONFIG, headers=headers)
    started, failures, operations = time.monotonic(), [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in EXAMPLES:
            failures.append(run_operation(operation, mode, headers, app))
    failures = [failure for failure in failures if failure]
    assert operations > 80
    print(f"schemathesis as {username}: {operations} operations in {time.monotonic() - started:.0f} s")
    assert failures == [], "\n\n".join(failures)


# One role per file, so that the three run side by side (the suite runs with --dist loadfile): the
# viewer's and the outsider's are in test_schemathesis_viewer.py and test_schemathesis_outsider.py.
def test_a_quality_officer_gets_only_answers_the_schema_documents(demo, in_process):  # noqa: F811
    schemathesis_run("kwaliteit", in_process)
