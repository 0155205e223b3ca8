"""The non-conformity pages: the list (filters, saved views, export, fixed query count), the short form
(from every page, and from an incident or a problem with the link filled in), a non-conformity with its
stage bar, steps as forms, actions, checks and the PDCA trace, the CAPA overview and the cause-category
catalogue; for a quality officer, a viewer (reads only) and an outsider (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import NcSource, NcStatus, Severity, Verdict
from incidents.models import EffectivenessCheck, NonConformity
from incidents.services import nonconformities as services
from incidents.services import problems as problem_services
from qms.choices import ActionKind, ActionStatus
from qms.models import Action
from qms.services.actions import action_set_status
from tests.factories.incidents import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(cast):
    return services.cause_category_add(actor=cast.qo_a, organisation=cast.units.org_a, code="process", name="Process")


def register(cast, **fields):
    actor = fields.pop("actor", cast.qo_a)
    data = {"unit": cast.units.bu_a1, "title": "Wrong invoice sent", "kind": "error", "source": "internal"}
    data.update(fields)
    return services.nc_create(actor=actor, **data)


def capa_in_check(cast, category, *, title="Backups not tested"):
    """A major non-conformity through the services up to its effectiveness check (verifier: qo_a)."""
    nc = register(cast, title=title, severity=Severity.MAJOR, owner=cast.risk_owner_a)
    qo = cast.qo_a
    services.nc_step(actor=qo, nc=nc, step="analyse")
    services.nc_step(
        actor=qo, nc=nc, step="record-analysis", root_cause="No restore drill", analysis_method="five_whys",
        cause_category=category,
    )  # fmt: skip
    services.nc_step(actor=qo, nc=nc, step="plan")
    due = timezone.localdate() + datetime.timedelta(days=14)
    for kind in (ActionKind.CORRECTIVE, ActionKind.PREVENTIVE):
        services.nc_add_action(actor=qo, nc=nc, kind=kind, title=f"{kind} step", owner=cast.risk_owner_a, due_date=due)
    services.nc_step(actor=qo, nc=nc, step="implement")
    for action in Action.objects.for_source(nc):
        action_set_status(actor=cast.risk_owner_a, action=action, status=ActionStatus.DONE, note="done")
    services.nc_step(actor=qo, nc=nc, step="verify", due_date=timezone.localdate(), verifier=qo)
    nc.refresh_from_db()
    return nc


# --- the list ----------------------------------------------------------------------------------


def test_it_lists_filters_and_exports(cast, as_user):
    register(cast, title="Wrong invoice sent")
    register(cast, title="Door left open", severity=Severity.MAJOR)
    client = as_user(cast.qo_a)
    url = reverse("incidents:nc_list")
    page = client.get(url)
    assert page.status_code == 200
    assert b"Wrong invoice sent" in page.content and b'data-saved-view="capa"' in page.content
    capas = client.get(url + "?capa=true&status=registered").content
    assert b"Door left open" in capas and b"Wrong invoice sent" not in capas
    assert b"Door left open" not in client.get(url + "?severity=minor").content
    assert b"Door left open" not in client.get(url + "?overdue=true").content
    export = client.get(url + "?export=csv")
    assert export.status_code == 200 and b"Wrong invoice sent" in export.content
    assert client.get(url + "?export=xlsx").status_code == 200
    assert b"Wrong invoice sent" in as_user(cast.viewer_a).get(url).content
    outsider = as_user(cast.member_b).get(url)
    assert outsider.status_code == 200 and b"Wrong invoice sent" not in outsider.content


def test_the_list_answers_bad_filters_without_an_error(cast, as_user):
    client = as_user(cast.qo_a)
    for query in ("?status=nonsense", "?unit=99999999999999999999", "?owner=abc", "?overdue=maybe", "?page=x"):
        assert client.get(reverse("incidents:nc_list") + query).status_code in (200, 404)


def test_the_list_costs_the_same_for_1_and_50_rows(cast, as_user, count_queries, category):
    client = as_user(cast.qo_a)
    register(cast, title="One", cause_category=category)
    url = reverse("incidents:nc_list") + "?per_page=50"
    one = count_queries(client, url)
    for number in range(49):
        NonConformity.objects.create(
            organisation=cast.units.org_a, unit=cast.units.bu_a1, title=f"NC {number}", owner=cast.risk_owner_a,
            reporter=cast.qo_a, cause_category=category, stage_since=timezone.now(),
        )  # fmt: skip
    assert count_queries(client, url) == one


# --- registering ---------------------------------------------------------------------------------


def test_it_registers_one_from_an_incident_with_the_link(cast, as_user):
    incident = IncidentFactory(unit=cast.units.team_a1a, title="Mail server down")
    client = as_user(cast.team_lead_a)
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-testid="register-nc"' in detail and f"source=incident&amp;incident={incident.pk}" in detail
    form = client.get(reverse("incidents:nc_add") + f"?source=incident&incident={incident.pk}")
    assert form.status_code == 200 and b"Mail server down" in form.content
    assert form.context["form"].initial["incident"] == incident.pk
    response = client.post(
        reverse("incidents:nc_add"),
        {"unit": cast.units.team_a1a.pk, "title": "No failover", "kind": "deviation", "severity": "minor",
         "source": "incident", "incident": incident.pk},
    )  # fmt: skip
    assert response.status_code == 302
    nc = NonConformity.objects.get(title="No failover")
    assert nc.source == NcSource.INCIDENT and nc.source_object_id == incident.pk and nc.reporter == cast.team_lead_a
    assert f'href="{nc.get_absolute_url()}"' in client.get(incident.get_absolute_url()).content.decode()
    assert b"Mail server down" in client.get(nc.get_absolute_url()).content


def test_it_registers_one_from_a_problem(cast, as_user, coordinator):
    problem = problem_services.problem_create(actor=coordinator, unit=cast.units.bu_a1, title="Logins fail")
    client = as_user(cast.qo_a)
    assert b'data-testid="register-nc"' in client.get(problem.get_absolute_url()).content
    response = client.post(
        reverse("incidents:nc_add"),
        {"unit": cast.units.bu_a1.pk, "title": "Password policy", "kind": "deviation", "severity": "major",
         "source": "problem", "problem": problem.pk},
    )  # fmt: skip
    assert response.status_code == 302
    nc = NonConformity.objects.get(title="Password policy")
    assert nc.capa and nc.source_object_id == problem.pk
    assert f'href="{nc.get_absolute_url()}"' in client.get(problem.get_absolute_url()).content.decode()


def test_an_out_of_sight_source_is_a_field_error_not_a_500(cast, as_user):
    hidden = IncidentFactory(unit=cast.units.bu_b1, title="Secret incident")
    client = as_user(cast.qo_a)
    page = client.get(reverse("incidents:nc_add") + f"?source=incident&incident={hidden.pk}")
    assert page.status_code == 200 and b"Secret incident" not in page.content
    assert b"not one you can see" in page.content
    for value in ("abc", "99999999999999999999999", "-1"):
        assert client.get(reverse("incidents:nc_add") + f"?source=incident&incident={value}").status_code == 200
    response = client.post(
        reverse("incidents:nc_add"),
        {"unit": cast.units.bu_a1.pk, "title": "Linked away", "kind": "deviation", "severity": "minor",
         "source": "incident", "incident": hidden.pk},
    )  # fmt: skip
    assert response.status_code == 200 and b"The linked record is not one you can see." in response.content
    assert not NonConformity.objects.filter(title="Linked away").exists()


def test_bad_input_re_renders_with_messages(cast, as_user):
    client = as_user(cast.qo_a)
    url = reverse("incidents:nc_add")
    for data in (
        {},
        {"unit": cast.units.bu_b1.pk, "title": "x", "kind": "error", "severity": "minor", "source": "internal"},
        {"unit": "9" * 30, "title": "x" * 500, "kind": "<script>", "severity": "huge", "source": "nowhere"},
        {"unit": cast.units.bu_a1.pk, "title": "x", "kind": "error", "severity": "minor", "source": "incident",
         "incident": "9" * 30},
    ):  # fmt: skip
        page = client.post(url, data)
        assert page.status_code == 200 and b"is-invalid" in page.content
    assert not NonConformity.objects.exists()


def test_the_register_entry_is_in_the_person_menu(cast, as_user):
    page = as_user(cast.viewer_a).get(reverse("dashboard"))
    assert b'data-testid="menu-register-nc"' in page.content
    assert as_user(cast.viewer_a).get(reverse("incidents:nc_add")).status_code == 200


# --- one non-conformity --------------------------------------------------------------------------


def test_a_viewer_reads_but_gets_no_step_forms_and_cannot_post(cast, as_user):
    nc = register(cast, severity=Severity.MAJOR)
    client = as_user(cast.viewer_a)
    page = client.get(nc.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="stage-bar"' in page.content.decode()
    assert b"data-step=" not in page.content and b"nc_edit" not in page.content
    assert client.get(reverse("incidents:nc_trace", args=[nc.pk])).status_code == 200
    assert client.get(reverse("incidents:nc_history", args=[nc.pk])).status_code == 200
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "analyse"])).status_code == 403
    assert client.get(reverse("incidents:nc_edit", args=[nc.pk])).status_code == 403
    nc.refresh_from_db()
    assert nc.status == NcStatus.REGISTERED


def test_an_outsider_gets_404_everywhere(cast, as_user):
    nc = register(cast)
    client = as_user(cast.member_b)
    for name in ("nc_detail", "nc_trace", "nc_history", "nc_edit"):
        assert client.get(reverse(f"incidents:{name}", args=[nc.pk])).status_code == 404
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "cancel"]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("incidents:nc_add_action", args=[nc.pk]), {}).status_code == 404


def test_a_minor_one_closes_after_its_correction(cast, as_user):
    nc = register(cast, owner=cast.risk_owner_a)
    client = as_user(cast.risk_owner_a)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert 'data-stage="closed"' in page and 'data-stage="analysis"' not in page
    assert 'data-testid="step-correct"' in page and 'data-testid="step-promote"' not in page
    closing = client.post(reverse("incidents:nc_step", args=[nc.pk, "close"]), follow=True)
    assert closing.status_code == 200 and b"alert-danger" in closing.content
    empty = client.post(reverse("incidents:nc_step", args=[nc.pk, "correct"]), {"correction": ""})
    assert empty.status_code == 200 and b"is-invalid" in empty.content
    assert (
        client.post(reverse("incidents:nc_step", args=[nc.pk, "correct"]), {"correction": "Resent"}).status_code == 302
    )
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "close"])).status_code == 302
    nc.refresh_from_db()
    assert nc.status == NcStatus.CLOSED and nc.correction == "Resent"


def test_the_quality_officer_promotes_and_cancels_with_reasons(cast, as_user):
    nc = register(cast)
    client = as_user(cast.qo_a)
    assert b'data-testid="step-promote"' in client.get(nc.get_absolute_url()).content
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "promote"]), {"reason": ""}).status_code == 200
    assert (
        client.post(reverse("incidents:nc_step", args=[nc.pk, "promote"]), {"reason": "Third time"}).status_code == 302
    )
    nc.refresh_from_db()
    assert nc.capa
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "nonsense"])).status_code == 404
    assert client.post(reverse("incidents:nc_step", args=[nc.pk, "cancel"]), {"reason": "Duplicate"}).status_code == 302
    nc.refresh_from_db()
    assert nc.status == NcStatus.CANCELLED
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "Duplicate" in page and "data-step=" not in page


def test_the_journey_of_a_capa_through_the_forms(cast, as_user, category):
    qo = as_user(cast.qo_a)
    response = qo.post(
        reverse("incidents:nc_add"),
        {"unit": cast.units.bu_a1.pk, "title": "Backups not tested", "kind": "deviation", "severity": "major",
         "source": "internal", "owner": cast.risk_owner_a.pk},
    )  # fmt: skip
    assert response.status_code == 302
    nc = NonConformity.objects.get(title="Backups not tested")
    step = lambda name: reverse("incidents:nc_step", args=[nc.pk, name])  # noqa: E731
    assert qo.post(step("analyse")).status_code == 302
    bad = qo.post(step("record-analysis"), {"root_cause": "", "analysis_method": "guess", "cause_category": "x"})
    assert bad.status_code == 200 and bad.content.count(b"is-invalid") >= 3
    analysis = {"root_cause": "No restore drill", "analysis_method": "five_whys", "cause_category": category.pk}
    assert qo.post(step("record-analysis"), analysis).status_code == 302
    assert qo.post(step("plan")).status_code == 302
    # the plan gate: a corrective action alone is not enough
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    action = {"kind": "corrective", "title": "Test a restore", "owner": cast.risk_owner_a.pk, "due_date": due}
    assert qo.post(reverse("incidents:nc_add_action", args=[nc.pk]), action).status_code == 302
    refused = qo.post(step("implement"), follow=True)
    assert b"alert-danger" in refused.content and b"preventive" in refused.content.lower()
    bad_action = qo.post(reverse("incidents:nc_add_action", args=[nc.pk]), {"kind": "general", "title": ""})
    assert bad_action.status_code == 200 and b"is-invalid" in bad_action.content
    action.update(kind="preventive", title="Schedule restore drills")
    assert qo.post(reverse("incidents:nc_add_action", args=[nc.pk]), action).status_code == 302
    assert qo.post(step("implement")).status_code == 302
    verify = {"due_date": timezone.localdate().isoformat(), "verifier": cast.qo_a.pk}
    not_done = qo.post(step("verify"), verify)
    assert not_done.status_code == 200 and b"alert-danger" in not_done.content
    owner = as_user(cast.risk_owner_a)
    for each in Action.objects.for_source(nc):
        action_set_status(actor=cast.risk_owner_a, action=each, status=ActionStatus.DONE, note="done")
    self_check = owner.post(step("verify"), {**verify, "verifier": cast.risk_owner_a.pk})
    assert self_check.status_code == 200 and b"is-invalid" in self_check.content
    qo = as_user(cast.qo_a)  # one test client: logging in as another person switches it
    assert qo.post(step("verify"), verify).status_code == 302
    nc.refresh_from_db()
    assert nc.status == NcStatus.EFFECTIVENESS_CHECK
    closing = qo.post(step("close"), follow=True)
    assert b"alert-danger" in closing.content
    check = EffectivenessCheck.objects.get(nonconformity=nc)
    assert 'data-testid="check-form"' in qo.get(nc.get_absolute_url()).content.decode()
    owner = as_user(cast.risk_owner_a)
    assert 'data-testid="check-form"' not in owner.get(nc.get_absolute_url()).content.decode()
    assert owner.post(reverse("incidents:check_record", args=[check.pk]), {"verdict": "effective"}).status_code == 403
    qo = as_user(cast.qo_a)
    no_evidence = qo.post(reverse("incidents:check_record", args=[check.pk]), {"verdict": "effective", "evidence": ""})
    assert no_evidence.status_code == 200 and b"is-invalid" in no_evidence.content
    recorded = qo.post(
        reverse("incidents:check_record", args=[check.pk]), {"verdict": "effective", "evidence": "Restore in 20 min"}
    )
    assert recorded.status_code == 302
    assert qo.post(step("close")).status_code == 302
    nc.refresh_from_db()
    assert nc.status == NcStatus.CLOSED
    trace = qo.get(reverse("incidents:nc_trace", args=[nc.pk])).content.decode()
    assert 'data-testid="pdca-closed"' in trace and "No restore drill" in trace and "Schedule restore drills" in trace
    assert "Restore in 20 min" in qo.get(nc.get_absolute_url()).content.decode()


def test_a_failed_check_shows_the_second_round(cast, as_user, category):
    nc = capa_in_check(cast, category)
    check = EffectivenessCheck.objects.get(nonconformity=nc)
    client = as_user(cast.qo_a)
    response = client.post(
        reverse("incidents:check_record", args=[check.pk]), {"verdict": "not_effective", "evidence": "Still failing"}
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == NcStatus.ACTION_PLAN and nc.round == 2
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "Round 2" in page and 'data-testid="action-form"' in page and "data-check-verdict" not in page
    trace = client.get(reverse("incidents:nc_trace", args=[nc.pk])).content.decode()
    assert 'data-check-verdict="not_effective"' in trace and 'data-testid="pdca-closed"' not in trace


def test_the_edit_page_saves_through_the_service(cast, as_user):
    nc = register(cast, owner=cast.risk_owner_a)
    client = as_user(cast.risk_owner_a)
    url = reverse("incidents:nc_edit", args=[nc.pk])
    assert client.get(url).status_code == 200
    data = {"title": "Wrong invoice twice", "kind": "error", "severity": "major", "owner": cast.risk_owner_a.pk}
    assert client.post(url, {**data, "owner": "9" * 30}).status_code == 200
    assert client.post(url, data).status_code == 302
    nc.refresh_from_db()
    assert nc.title == "Wrong invoice twice" and nc.capa


# --- the overview --------------------------------------------------------------------------------


def test_the_overview_shows_hand_computed_figures(cast, as_user, category, clock):
    from tests.incidents.conftest import ams

    clock.set(ams(2026, 1, 5, 9, 0))
    closed = capa_in_check(cast, category, title="Closed effective")
    check = EffectivenessCheck.objects.get(nonconformity=closed)
    clock.set(ams(2026, 1, 15, 9, 0))
    services.check_record(actor=cast.qo_a, check=check, verdict=Verdict.EFFECTIVE, evidence="ok")
    services.nc_step(actor=cast.qo_a, nc=closed, step="close")
    failed = capa_in_check(cast, category, title="Failed once")
    services.check_record(
        actor=cast.qo_a, check=EffectivenessCheck.objects.get(nonconformity=failed), verdict="not_effective",
        evidence="no",
    )  # fmt: skip
    late = register(cast, title="Late action", severity=Severity.MAJOR, owner=cast.risk_owner_a)
    services.nc_step(actor=cast.qo_a, nc=late, step="analyse")
    services.nc_add_action(
        actor=cast.qo_a, nc=late, kind=ActionKind.CORRECTIVE, title="Late", owner=cast.risk_owner_a,
        due_date=datetime.date(2026, 1, 20),
    )  # fmt: skip
    register(cast, title="Minor open")
    register(cast, title="Other org", unit=cast.units.bu_b1, actor=cast.member_b)
    clock.set(ams(2026, 2, 1, 9, 0))
    client = as_user(cast.qo_a)
    page = client.get(reverse("incidents:capa_overview") + f"?organisation={cast.units.org_a.pk}")
    assert page.status_code == 200
    overview = page.context["overview"]
    # open: registered (minor open), analysis (late), action plan (failed): 3; closed after 10 days
    assert overview["open_total"] == 3
    counts = {row["status"]: row["count"] for row in overview["by_stage"]}
    assert counts == {"registered": 1, "analysis": 1, "action_plan": 1, "implementation": 0, "effectiveness_check": 0}
    assert overview["overdue_actions"] == 1
    assert [(q["label"], q["recorded"], q["effective"]) for q in overview["quarters"]] == [("2026-Q1", 2, 1)]
    assert float(overview["quarters"][0]["rate"]) == 50.0
    assert float(overview["mean_days_to_close"]) == 10.0
    content = page.content.decode()
    assert 'data-testid="stage-chart"' in content and 'data-testid="rate-chart"' in content
    assert "<script" not in content.split('data-testid="stage-chart"')[1].split("</svg>")[0]
    assert client.get(reverse("incidents:capa_overview") + "?organisation=abc").status_code == 404
    outsider = as_user(cast.member_b)
    assert outsider.get(reverse("incidents:capa_overview") + f"?organisation={cast.units.org_a.pk}").status_code == 404


def test_the_overview_costs_the_same_for_1_and_50_rows(cast, as_user, count_queries, category):
    client = as_user(cast.qo_a)
    url = reverse("incidents:capa_overview") + f"?organisation={cast.units.org_a.pk}"
    capa_in_check(cast, category)
    one = count_queries(client, url)
    for number in range(49):
        capa_in_check(cast, category, title=f"CAPA {number}") if number < 3 else register(cast, title=f"NC {number}")
    assert count_queries(client, url) == one


def test_the_overview_has_an_empty_state(cast, as_user):
    page = as_user(cast.team_lead_a).get(reverse("incidents:capa_overview"))
    assert page.status_code == 200 and b'data-testid="empty-state"' in page.content


# --- cause categories ----------------------------------------------------------------------------


def test_quality_officers_keep_the_cause_categories(cast, as_user, category):
    client = as_user(cast.qo_a)
    url = reverse("incidents:cause_categories")
    assert b"Process" in client.get(url).content
    assert client.post(url, {"organisation": cast.units.org_a.pk, "name": "Supplier"}).status_code == 302
    assert client.post(url, {"organisation": cast.units.org_a.pk, "name": "Supplier"}).status_code == 302
    names = list(cast.units.org_a.cause_categories.values_list("code", flat=True))
    assert sorted(names) == ["process", "supplier", "supplier-2"]
    assert client.post(url, {"category": category.pk, "name": "Process and procedure"}).status_code == 302
    assert client.post(url, {"category": category.pk, "deactivate": "1"}).status_code == 302
    category.refresh_from_db()
    assert category.name == "Process and procedure" and not category.is_active
    assert client.post(url, {"category": category.pk, "name": ""}, follow=True).status_code == 200
    assert client.post(url, {"category": "abc", "name": "x"}).status_code == 404
    outsider = as_user(cast.member_b)
    assert b"Process and procedure" not in outsider.get(url).content
    assert outsider.post(url, {"category": category.pk, "name": "Hacked"}).status_code == 404
    assert as_user(cast.viewer_a).post(url, {"organisation": cast.units.org_a.pk, "name": "x"}).status_code == 404
