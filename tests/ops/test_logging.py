"""Logs an operator can use: JSON lines in production with the request id (also in the response and in
the tasks a request starts), the user's id and nothing else personal; readable text with DEBUG."""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from qms.celery import REQUEST_ID_HEADER, app, carry_request_id
from qms.logging import JsonFormatter, RequestContextFilter, request_id_var

BASE_DIR = Path(__file__).resolve().parents[2]
NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


@pytest.fixture
def log_lines():
    """Every log record of the test, formatted as in production (the console handler's filter and JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_it_answers_every_request_with_a_request_id(client, db):
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/login/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_it_keeps_a_well_formed_request_id_from_the_proxy_in_front(client, db):
    assert client.get("/login/", HTTP_X_REQUEST_ID="edge-4f2a9c1e-77")["X-Request-ID"] == "edge-4f2a9c1e-77"


@pytest.mark.parametrize("header", ["short", "two words here", 'x"}\n{"level": "CRITICAL"', "x" * 200])
def test_it_replaces_a_request_id_that_is_not_well_formed(client, db, header):
    request_id = client.get("/login/", HTTP_X_REQUEST_ID=header)["X-Request-ID"]
    assert request_id != header and len(request_id) == 32


def test_a_requests_log_lines_are_json_with_its_request_id_and_the_users_id_only(cast, login, log_lines):
    client = login(cast.qo_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]

    lines = [line for line in log_lines() if line["request_id"] == request_id]
    # Django's warning about the 404, and the access line of the request.
    assert {line["logger"] for line in lines} >= {"django.request", "qms.request"}
    access = next(line for line in lines if line["logger"] == "qms.request")
    assert access | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "qms.request",
        "message": "GET /no-such-page/ 404",
        "request_id": request_id,
        "user_id": cast.qo_a.pk,
        "method": "GET",
        "path": "/no-such-page/",
        "status": 404,
        "duration_ms": None,
    }
    everything = json.dumps(log_lines())
    assert cast.qo_a.username not in everything and cast.qo_a.email not in everything


def test_it_leaves_the_query_string_out_of_the_access_line(client, db, log_lines):
    client.get("/login/?next=/risks/%3Fq%3Dsecret-search")
    assert not [line for line in log_lines() if "secret-search" in json.dumps(line)]


# Transactional: the e-mail task is enqueued when the request's transaction commits, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_task_started_by_a_request_logs_the_requests_id(cast, api, log_lines):
    response = api(cast.qo_a).post(
        "/api/v1/actions/",
        {"title": "Fix it", "unit": cast.units.bu_a1.pk, "owner": cast.risk_owner_a.pk, "due_date": NEXT_WEEK},
        HTTP_X_REQUEST_ID="request-from-test-1",
    )
    assert response.status_code == 201, response.json()
    task_lines = [line for line in log_lines() if line.get("task") == "qms.tasks.send_notification_emails"]
    assert task_lines and {line["request_id"] for line in task_lines} == {"request-from-test-1"}


def test_the_request_id_travels_in_the_task_message_headers():
    headers = {}
    token = request_id_var.set("request-in-the-web-1")
    try:
        carry_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {REQUEST_ID_HEADER: "request-in-the-web-1"}


def test_the_worker_takes_the_request_id_from_the_message(log_lines):
    @app.task(name="tests.ops.log_something")
    def log_something():
        logging.getLogger("tests.ops").warning("inside the task")

    # A task run as a worker runs it: the message's headers become the task's request.
    log_something.apply(headers={REQUEST_ID_HEADER: "request-in-the-web-2"})
    inside = [line for line in log_lines() if line["message"] == "inside the task"]
    assert [line["request_id"] for line in inside] == ["request-in-the-web-2"]
    assert request_id_var.get() == ""  # reset after the task


def test_it_logs_an_exception_as_one_json_line_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("qms", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed" and "ValueError: boom" in entry["exception"]


@pytest.mark.parametrize(("debug", "expected"), [("1", "text"), ("0", "json")])
def test_it_logs_text_with_debug_and_json_without(tmp_path, debug, expected):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "qms.settings",
        "DEBUG": debug,
        "SECRET_KEY": "x" * 60,
        "ALLOW_LOCAL_CACHE": "1",
        "QMS_VAR_DIR": str(tmp_path),
    }
    code = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
