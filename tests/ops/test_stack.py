"""The production stack as docker-compose.yml runs it (scripts/start-*.sh, DEBUG off, PostgreSQL, Redis,
gunicorn, a Celery worker and beat), natively: a person logs in, reads a page and an API list, creates
a risk, and its owner's notification e-mail is delivered by the worker."""

import json
import re

import pytest

from tests.ops.conftest import PASSWORD

pytestmark = pytest.mark.services

# Through the services, as an administrator would: an organisation (with its defaults), a quality officer
# who registers risks and a risk owner who gets the e-mail.
SETUP = f"""
import json
from qms.choices import Role, UnitKind
from qms.models import User
from qms.services.organisation import membership_create, unit_create, user_create

root = User.objects.create_superuser("root", "root@example.org", {PASSWORD!r})
organisation = unit_create(actor=root, name="Stack organisation", kind=UnitKind.ORGANISATION)
officer = user_create(actor=root, username="officer", password={PASSWORD!r}, email="officer@example.org")
owner = user_create(actor=root, username="owner", email="owner@example.org")
membership_create(actor=root, user=officer, unit=organisation, role=Role.QUALITY_OFFICER)
membership_create(actor=root, user=owner, unit=organisation, role=Role.RISK_OWNER)
print(json.dumps({{"organisation": organisation.pk, "owner": owner.pk}}))
"""


@pytest.fixture(scope="module")
def people(production_stack):
    output = production_stack.manage("shell", "-c", SETUP).stdout
    return json.loads(output.strip().splitlines()[-1])


def login(stack, username):
    page = stack.get("/login/")
    assert page.status == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = stack.post("/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert answer.status == 302, f"login failed ({answer.status}): {answer.text[:500]}"
    return answer


def test_it_serves_collected_static_files_through_whitenoise(production_stack):
    page = production_stack.get("/login/")
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    assert stylesheets, page.text[:1000]
    # The manifest's hashed names: only collected files have them.
    assert all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets), stylesheets
    assert production_stack.get(stylesheets[0]).status == 200


def test_the_stack_is_healthy_and_its_health_endpoint_says_only_ok(production_stack):
    # What the compose health check of the web service asks (tests/ops/test_health.py: the failing parts).
    answer = production_stack.get("/healthz", headers={"Accept": "text/html"})
    assert (answer.status, answer.json()) == (200, {"status": "ok"})
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])


def test_it_runs_with_debug_off(production_stack):
    answer = production_stack.get("/no-such-page/")
    assert answer.status in (302, 404)
    assert "Traceback" not in answer.text and "DEBUG = True" not in answer.text


def test_a_person_logs_in_reads_a_page_and_the_api_and_a_new_risk_mails_its_owner_through_the_worker(
    production_stack, people
):
    stack = production_stack
    login(stack, "officer")
    dashboard = stack.get("/")
    assert dashboard.status == 200
    assert "officer" in dashboard.text

    token = stack.post("/api/v1/auth/token/", json_body={"username": "officer", "password": PASSWORD})
    assert token.status == 201, token.text
    auth = {"Authorization": f"Token {token.json()['token']}", "Accept": "application/json"}
    risks = stack.get("/api/v1/risks/", headers=auth)
    assert risks.status == 200, risks.text
    assert risks.json()["count"] == 0

    created = stack.post(
        "/api/v1/risks/",
        headers=auth,
        json_body={
            "title": "Stack test risk",
            "category": "operational",
            "unit": people["organisation"],
            "owner": people["owner"],
            "likelihood": 2,
            "impact": 3,
        },
    )
    assert created.status == 201, created.text
    request_id = created.headers["X-Request-ID"]
    assert stack.get("/api/v1/risks/", headers=auth).json()["count"] == 1

    def delivered():
        for message in stack.mail_dir.glob("*.log") if stack.mail_dir.exists() else ():
            text = message.read_text()
            if "owner@example.org" in text and "Stack test risk" in text:
                return text
        return None

    stack.wait_for(delivered, timeout=60, what="the risk owner's e-mail, sent by the worker")
    # Sent by the worker, not inline by the web process: the worker ran the task for this request.
    stack.wait_for(
        lambda: any(
            entry.get("request_id") == request_id and entry.get("task") == "qms.tasks.send_notification_emails"
            for entry in json_lines(stack.logs["worker"].read_text())
        ),
        timeout=30,
        what=f"the worker's log line of the e-mail task with the request id {request_id}",
    )


def test_beat_runs_and_logs_as_json(production_stack):
    stack = production_stack
    stack.wait_for(
        lambda: any("beat" in entry["message"].lower() for entry in json_lines(stack.logs["beat"].read_text())),
        timeout=30,
        what="beat's start-up line",
    )
    assert stack.processes["beat"].poll() is None, stack.log_tail()


def json_lines(text: str) -> list[dict]:
    """The lines of a log that are JSON objects (gunicorn's own few start-up lines are not)."""
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return entries
