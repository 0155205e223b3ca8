"""The audit pages: the list (filters, "my audits to score", export, a fixed query count), planning an
audit, and one audit in tabs (status flow and steps, fieldwork, blind scoring, calibration, findings
with "start a non-conformity", management response, evaluation, follow-up, history); for the planner,
the assessors (from another unit), the unit's management, a viewer, an outsider and anonymous."""

import datetime

import pytest
from django.urls import reverse

from audits.choices import AuditStatus, FindingKind
from audits.models import (
    Audit,
    AuditCalibration,
    AuditEvaluation,
    AuditScore,
    FieldworkItem,
    Finding,
    ManagementResponse,
)
from audits.services import findings as finding_services
from incidents.models import NonConformity
from qms.choices import ActionKind, Role
from qms.models import Action
from tests.factories.audits import advance, audit_with_assessors, person, principles_of, responder, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(cast):
    """An audit of business unit A1, planned by qo_a, with two assessors from a sibling unit."""
    return audit_with_assessors(cast.units.org_a, cast.units.bu_a1, actor=cast.qo_a, principles=2)


def assessors_of(audit):
    lead = audit.lead_assessor
    other = audit.assessors.exclude(pk=lead.pk).get()
    return lead, other


def page(client, name, audit):
    return client.get(reverse(name, args=[audit.pk]))


def score_data(principle, score, rationale, **notes):
    prefix = f"p{principle.pk}"
    data = {f"{prefix}-score": score, f"{prefix}-rationale": rationale}
    data.update({f"{prefix}-{field}": value for field, value in notes.items()})
    return data


TABS = [
    "audits:audit_detail",
    "audits:audit_fieldwork",
    "audits:audit_scoring",
    "audits:audit_calibration",
    "audits:audit_findings",
    "audits:audit_response",
    "audits:audit_follow_up",
    "audits:audit_history",
]


# --- access --------------------------------------------------------------------------------------


def test_it_sends_anonymous_readers_to_the_login(client, audit):
    urls = [reverse("audits:index"), reverse("audits:audit_add")]
    urls += [reverse(name, args=[audit.pk]) for name in TABS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(reverse("audits:audit_step", args=[audit.pk, "start-fieldwork"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_hides_an_audit_from_an_outsider(cast, as_user, audit):
    client = as_user(cast.member_b)
    for name in TABS:
        assert page(client, name, audit).status_code == 404
    assert client.post(reverse("audits:audit_step", args=[audit.pk, "start-fieldwork"])).status_code == 404
    principle = audit.principles.first()
    response = client.post(reverse("audits:score_save", args=[audit.pk, principle.pk]), score_data(principle, 3, "x"))
    assert response.status_code == 404
    listing = client.get(reverse("audits:index"))
    assert listing.status_code == 200 and b"Business unit A1" not in listing.content
    assert b"Business unit A1" not in client.get(reverse("audits:audit_add")).content  # plans org B only
    assert as_user(cast.outsider).get(reverse("audits:audit_add")).status_code == 403


def test_a_viewer_sees_the_audit_but_no_buttons_and_cannot_act(cast, as_user, audit):
    client = as_user(cast.viewer_a)
    for name in TABS:
        assert page(client, name, audit).status_code == 200
    content = page(client, "audits:audit_detail", audit).content.decode()
    assert 'data-testid="audit-stepper"' in content
    assert "data-step=" not in content and 'data-testid="edit-audit"' not in content
    assert 'data-testid="score-form"' not in page(client, "audits:audit_scoring", audit).content.decode()
    response = client.post(reverse("audits:audit_step", args=[audit.pk, "start-fieldwork"]))
    assert response.status_code == 403
    principle = audit.principles.first()
    response = client.post(reverse("audits:score_save", args=[audit.pk, principle.pk]), score_data(principle, 3, "x"))
    assert response.status_code == 403
    assert client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code == 403
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNED and not AuditScore.objects.exists()


# --- the list ------------------------------------------------------------------------------------


def test_it_lists_filters_and_exports(cast, as_user, audit):
    lead, _other = assessors_of(audit)
    client = as_user(cast.qo_a)
    url = reverse("audits:index")
    content = client.get(url).content.decode()
    assert "Business unit A1" in content and str(lead) in content and 'data-saved-view="to_score"' in content
    assert 'data-testid="plan-audit"' in content
    export = client.get(url + "?export=csv")
    assert export.status_code == 200 and b"Business unit A1" in export.content and str(lead).encode() in export.content
    row = f'href="{audit.get_absolute_url()}"'
    assert row in content and row not in client.get(url + "?status=final").content.decode()
    for query in ("?status=nonsense", "?year=abc", "?unit=99999999999999999999", "?page=x", "?mine=maybe"):
        assert client.get(url + query).status_code in (200, 404)


def test_my_audits_to_score_shows_an_assessor_their_audits_in_scoring(cast, as_user, audit):
    lead, _other = assessors_of(audit)
    client = as_user(lead)
    url = reverse("audits:index")
    row = f'href="{audit.get_absolute_url()}"'
    content = client.get(url).content.decode()
    assert row in content and 'data-testid="plan-audit"' not in content
    to_score = url + "?mine=true&status=fieldwork&status=scoring"
    assert row not in client.get(to_score).content.decode()  # still planned
    advance(audit, AuditStatus.FIELDWORK)
    page_ = client.get(to_score).content.decode()
    assert row in page_ and 'data-saved-view="to_score"' in page_
    assert row not in as_user(cast.qo_a).get(to_score).content.decode()


def test_the_list_has_an_empty_state(cast, as_user):
    content = as_user(cast.qo_a).get(reverse("audits:index")).content.decode()
    assert 'data-testid="empty-state"' in content


def test_the_list_costs_the_same_for_1_and_20_audits(cast, as_user, count_queries):
    org = cast.units.org_a
    audit_with_assessors(org, cast.units.bu_a1, actor=cast.qo_a)
    client = as_user(cast.qo_a)
    url = reverse("audits:index") + "?per_page=50"
    one = count_queries(client, url)
    from tests.factories import UnitFactory

    for number in range(19):
        unit = UnitFactory(name=f"Audited {number}", kind="business_unit", parent=org)
        audit_with_assessors(org, unit, actor=cast.qo_a, assessors=3 if number % 2 else 2)
    assert Audit.objects.count() == 20
    assert count_queries(client, url) == one


# --- planning ------------------------------------------------------------------------------------


def test_a_quality_officer_plans_an_audit_with_eligible_assessors(cast, as_user):
    org, unit = cast.units.org_a, cast.units.bu_a1
    principles = principles_of(org, 2)
    home = person((Role.AUDITOR, cast.units.org_a), username="x")  # on the organisation: not eligible
    from tests.factories.audits import auditor, sibling_unit

    sibling = sibling_unit(org, name="Sibling")
    first, second = auditor(sibling, username="first_auditor"), auditor(sibling, username="second_auditor")
    client = as_user(cast.qo_a)
    url = reverse("audits:audit_add")
    assert 'data-testid="audit-unit-form"' in client.get(url).content.decode()
    form = client.get(url + f"?unit={unit.pk}&year=2026")
    assert form.status_code == 200
    choices = set(form.context["form"].fields["assessors"].queryset)
    assert {first, second} <= choices and home not in choices and cast.auditor_a not in choices
    # Too few assessors: a field error, nothing saved.
    data = {"unit": unit.pk, "year": 2026, "principles": [p.pk for p in principles], "assessors": [first.pk],
            "lead_assessor": first.pk}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors and not Audit.objects.exists()
    data["assessors"] = [first.pk, second.pk]
    response = client.post(url, data)
    audit = Audit.objects.get()
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()
    assert set(audit.assessors.all()) == {first, second} and audit.lead_assessor == first
    again = client.post(url, data)
    assert again.status_code == 200 and "already has an audit in 2026" in again.content.decode()
    # Edit while planned.
    edit = client.get(reverse("audits:audit_edit", args=[audit.pk]))
    assert edit.status_code == 200
    data = {"principles": [principles[0].pk], "assessors": [first.pk, second.pk], "lead_assessor": second.pk,
            "scope_note": "The back office"}  # fmt: skip
    hostile = {**data, "assessors": ["9" * 40], "principles": ["9" * 40]}
    assert client.post(reverse("audits:audit_edit", args=[audit.pk]), hostile).status_code == 200
    assert client.post(reverse("audits:audit_edit", args=[audit.pk]), data).status_code == 302
    audit.refresh_from_db()
    assert audit.lead_assessor == second and audit.scope_note == "The back office"


# --- the status flow -----------------------------------------------------------------------------


def test_the_lead_takes_steps_and_a_refused_step_is_a_message(cast, as_user, audit):
    lead, _other = assessors_of(audit)
    client = as_user(lead)
    content = page(client, "audits:audit_detail", audit).content.decode()
    assert 'data-step="start-fieldwork"' in content and 'data-state="current"' in content
    assert reverse("audits:audit_report", args=[audit.pk]) in content
    assert reverse("audits:audit_report_pdf", args=[audit.pk]) in content
    response = client.post(reverse("audits:audit_step", args=[audit.pk, "start-fieldwork"]), follow=True)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FIELDWORK and b"The fieldwork has started." in response.content
    client.post(reverse("audits:audit_step", args=[audit.pk, "start-scoring"]))
    response = client.post(reverse("audits:audit_step", args=[audit.pk, "start-calibration"]), follow=True)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SCORING
    assert response.status_code == 200 and b"alert-danger" in response.content
    assert client.post(reverse("audits:audit_step", args=[audit.pk, "no-such-step"])).status_code == 404


# --- fieldwork -----------------------------------------------------------------------------------


def test_an_assessor_logs_an_interview_and_the_interviewee_confirms_it(cast, as_user, audit):
    lead, _other = assessors_of(audit)
    advance(audit, AuditStatus.FIELDWORK)
    client = as_user(lead)
    url = reverse("audits:fieldwork_add", args=[audit.pk])
    response = client.post(url, {"kind": "interview", "date": "2026-03-02", "subject": "Complaints"})
    assert response.status_code == 200 and b"Say who was interviewed." in response.content
    response = client.post(
        url, {"kind": "interview", "date": "2026-03-02", "subject": "Complaints", "interviewee": cast.risk_owner_a.pk}
    )
    assert response.status_code == 302
    item = FieldworkItem.objects.get()
    interviewee = as_user(cast.risk_owner_a)
    content = page(interviewee, "audits:audit_fieldwork", audit).content.decode()
    assert 'data-testid="confirm-interview"' in content and 'data-testid="fieldwork-form"' not in content
    assert interviewee.post(reverse("audits:fieldwork_confirm", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.confirmed_by == cast.risk_owner_a
    assert as_user(lead).post(reverse("audits:fieldwork_confirm", args=[item.pk])).status_code == 403


# --- scoring and calibration ---------------------------------------------------------------------


def test_an_assessor_from_another_unit_opens_the_audit_and_scores(cast, as_user, audit):
    _lead, other = assessors_of(audit)
    advance(audit, AuditStatus.FIELDWORK)
    client = as_user(other)
    assert page(client, "audits:audit_detail", audit).status_code == 200
    scoring = page(client, "audits:audit_scoring", audit).content.decode()
    assert 'data-testid="score-form"' in scoring and "Customer focus" in scoring
    principle = audit.principles.order_by("position").first()
    url = reverse("audits:score_save", args=[audit.pk, principle.pk])
    # No rationale: the field's message, nothing saved.
    response = client.post(url, score_data(principle, 4, ""))
    assert response.status_code == 200 and response.context["rows"][0]["form"].errors.get("rationale")
    response = client.post(url, score_data(principle, 4, "Clear customer journeys", design_note="On paper"))
    assert response.status_code == 302
    score = AuditScore.objects.get()
    assert (score.assessor, score.score, score.design_note) == (other, 4, "On paper")
    assert "Clear customer journeys" in page(client, "audits:audit_scoring", audit).content.decode()


def test_scores_are_blind_until_calibration(cast, as_user, audit):
    lead, other = assessors_of(audit)
    first, second = list(audit.principles.order_by("position"))
    scored(
        audit,
        {lead: {first: (2, "Lead sees gaps in the handling"), second: 3},
         other: {first: (4, "Other sees strong journeys"), second: 3}},
    )  # fmt: skip
    client = as_user(other)
    for name in TABS:
        content = page(client, name, audit).content.decode()
        assert "Lead sees gaps" not in content, name
    assert "Other sees strong journeys" in page(client, "audits:audit_scoring", audit).content.decode()
    assert 'data-testid="calibration-blind"' in page(client, "audits:audit_calibration", audit).content.decode()
    # A planner does not see the scores either before calibration.
    for name in TABS:
        assert "Lead sees gaps" not in page(as_user(cast.qo_a), name, audit).content.decode()
    advance(audit, AuditStatus.CALIBRATION)
    content = page(as_user(other), "audits:audit_calibration", audit).content.decode()
    assert "Lead sees gaps" in content and "Other sees strong journeys" in content
    assert 'data-testid="calibration-form"' not in content  # only the lead calibrates


def test_a_calibration_off_the_median_without_a_reason_re_renders_with_the_field_message(cast, as_user, audit):
    lead, other = assessors_of(audit)
    first, second = list(audit.principles.order_by("position"))
    scored(audit, {lead: {first: 2, second: 3}, other: {first: 4, second: 3}})
    advance(audit, AuditStatus.CALIBRATION)
    client = as_user(lead)
    content = page(client, "audits:audit_calibration", audit).content.decode()
    assert 'data-testid="calibration-form"' in content and 'data-testid="spread"' in content
    url = reverse("audits:calibration_save", args=[audit.pk, first.pk])
    response = client.post(url, {f"c{first.pk}-score": 4, f"c{first.pk}-reason": ""})
    assert response.status_code == 200
    assert "differs from the assessors&#x27; median" in response.content.decode()
    assert not AuditCalibration.objects.exists()
    response = client.post(url, {f"c{first.pk}-score": 4, f"c{first.pk}-reason": "The journeys are measured"})
    assert response.status_code == 302
    assert AuditCalibration.objects.get().reason == "The journeys are measured"
    assert as_user(other).post(url, {f"c{first.pk}-score": 3}).status_code == 403
    history = page(client, "audits:audit_history", audit)
    assert history.status_code == 200 and b"The journeys are measured" in history.content


# --- findings, response, evaluation, follow-up ---------------------------------------------------


def test_an_assessor_records_a_finding_and_the_unit_starts_a_non_conformity(cast, as_user, audit):
    lead, _other = assessors_of(audit)
    advance(audit, AuditStatus.FIELDWORK)
    principle = audit.principles.order_by("position").first()
    client = as_user(lead)
    url = reverse("audits:finding_add", args=[audit.pk])
    response = client.post(url, {"kind": "finding", "principle": principle.pk, "theme": "", "title": "No effect"})
    assert response.status_code == 200 and response.context["finding_form"].errors.get("theme")
    data = {"kind": "finding", "principle": principle.pk, "theme": "Effect measurement", "title": "No effect"}
    assert client.post(url, data).status_code == 302
    finding = Finding.objects.get()
    assert finding.theme.name == "Effect measurement"
    content = page(client, "audits:audit_findings", audit).content.decode()
    assert '<option value="Effect measurement">' in content
    assert 'data-testid="start-nc"' not in content  # an assessor from elsewhere registers none in the unit
    viewer = as_user(cast.viewer_a)
    assert 'data-testid="start-nc"' not in page(viewer, "audits:audit_findings", audit).content.decode()
    assert viewer.post(reverse("audits:finding_start_nc", args=[finding.pk])).status_code == 403
    manager = as_user(cast.qo_a)
    assert 'data-testid="start-nc"' in page(manager, "audits:audit_findings", audit).content.decode()
    response = manager.post(reverse("audits:finding_start_nc", args=[finding.pk]))
    nc = NonConformity.objects.get()
    assert response.status_code == 302 and response["Location"] == nc.get_absolute_url()
    assert manager.post(reverse("audits:finding_start_nc", args=[finding.pk])).status_code == 302
    assert NonConformity.objects.count() == 1
    assert 'data-testid="finding-nc"' in page(manager, "audits:audit_findings", audit).content.decode()
    assert f'id="finding-{finding.pk}"' in page(manager, "audits:audit_detail", audit).content.decode()


def test_a_response_by_a_non_manager_is_refused_with_a_message(cast, as_user, audit):
    advance(audit, AuditStatus.MANAGEMENT_RESPONSE)
    url = reverse("audits:response_give", args=[audit.pk])
    data = {"recognition": "partly", "comments": "We see it differently."}
    response = as_user(cast.risk_owner_a).post(url, data)
    assert response.status_code == 200
    assert "Only the management of Business unit A1" in response.content.decode()
    assert not ManagementResponse.objects.exists()
    assert as_user(cast.viewer_a).post(url, data).status_code == 403
    manager = as_user(responder(cast.units.bu_a1))
    assert 'data-testid="response-form"' in page(manager, "audits:audit_response", audit).content.decode()
    assert manager.post(url, data).status_code == 302
    assert ManagementResponse.objects.get().comments == "We see it differently."


def test_auditees_rate_the_audit_and_the_page_shows_the_average(cast, as_user, audit):
    advance(audit, AuditStatus.DRAFT_REPORT)
    url = reverse("audits:evaluation_give", args=[audit.pk])
    first = as_user(cast.risk_owner_a)
    assert 'data-testid="evaluation-form"' in page(first, "audits:audit_response", audit).content.decode()
    assert first.post(url, {"mark": 7, "comment": "Well prepared"}).status_code == 302
    response = first.post(url, {"mark": 11})
    assert response.status_code == 200 and response.context["evaluation_form"].errors.get("mark")
    assert as_user(cast.auditor_a).post(url, {"mark": 9}).status_code == 302
    assert AuditEvaluation.objects.count() == 2
    content = page(as_user(cast.qo_a), "audits:audit_response", audit).content.decode()
    assert 'data-testid="average-mark"' in content and "8.0" in content
    lead, _other = assessors_of(audit)
    assert as_user(lead).post(url, {"mark": 10}).status_code == 403


def test_a_follow_up_action_is_a_core_action_of_the_audit(cast, as_user, audit):
    advance(audit, AuditStatus.DRAFT_REPORT)
    lead, _other = assessors_of(audit)
    principle = audit.principles.first()
    finding = finding_services.finding_create(
        actor=lead, audit=audit, kind=FindingKind.RECOMMENDATION, principle=principle, theme="Chain", title="Talk"
    )
    client = as_user(lead)
    url = reverse("audits:follow_up_add", args=[audit.pk])
    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = client.post(url, {"title": "", "owner": cast.risk_owner_a.pk, "due_date": due})
    assert response.status_code == 200 and response.context["follow_up_form"].errors.get("title")
    data = {"title": "Measure the effect", "owner": cast.risk_owner_a.pk, "due_date": due, "finding": finding.pk}
    assert client.post(url, data).status_code == 302
    action = Action.objects.get(kind=ActionKind.AUDIT_FOLLOW_UP)
    assert action.owner == cast.risk_owner_a and "Talk" in action.description
    content = page(as_user(cast.qo_a), "audits:audit_follow_up", audit).content.decode()
    assert "Measure the effect" in content and f'href="{action.get_absolute_url()}"' in content
    content = page(client, "audits:audit_follow_up", audit).content.decode()  # the lead, from another unit
    assert "Measure the effect" in content
    assert as_user(cast.viewer_a).post(url, data).status_code == 403


def test_the_tabs_cost_the_same_for_1_and_10_findings_and_log_lines(cast, as_user, count_queries, audit):
    from audits.services.audits import fieldwork_add

    lead, _other = assessors_of(audit)
    advance(audit, AuditStatus.FIELDWORK)
    principle = audit.principles.first()

    def add(number):
        finding_services.finding_create(
            actor=lead, audit=audit, kind=FindingKind.FINDING, principle=principle, theme=f"Theme {number % 3}",
            title=f"Finding {number}",
        )  # fmt: skip
        fieldwork_add(
            actor=lead, audit=audit, kind="interview", date=datetime.date(2026, 3, 2), subject=f"Talk {number}",
            interviewee=cast.risk_owner_a if number % 2 else None, interviewee_name="" if number % 2 else "Visitor",
        )  # fmt: skip

    add(0)
    client = as_user(cast.qo_a)
    names = ["audits:audit_detail", "audits:audit_fieldwork", "audits:audit_findings"]
    one = [count_queries(client, reverse(name, args=[audit.pk])) for name in names]
    for number in range(1, 10):
        add(number)
    assert [count_queries(client, reverse(name, args=[audit.pk])) for name in names] == one
