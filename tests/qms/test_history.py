"""The History tabs of pages that show several records (a month's scores, an organisation's areas, its
matrix and categories, a unit's or a person's roles, an objective's key results): who changed what,
when, from which value to which, only for those who see the page, and values pointing at records out of
the reader's sight shown as "(not visible)"."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis.services import objectives as kpi_services
from qms.demo import seed_core
from qms.history import Change, history_entries
from qms.models import Membership, User
from qms.periods import month_shift
from qms.services import training as training_services
from qms.services.organisation import membership_create, membership_delete, user_update
from risks.models import RiskCategory
from risks.services import register as register_services
from risks.services import scoring as risk_services
from tests.factories import UserFactory
from tests.factories.kpis import KpiFactory

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = month_shift(THIS_MONTH, -1)
ALL_90 = {"legal": 90, "security": 90, "sustainability": 90, "supplier": 90, "financial": 90, "training": 90}


def entry_with(response, record):
    """The newest entry of ``record`` on the page (as the reader sees it)."""
    entries = [entry for entry in response.context["entries"] if entry.record == record]
    assert entries, [entry.record for entry in response.context["entries"]]
    return entries[0]


def assert_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/"), path


# --- a month's scores -----------------------------------------------------------------------------


@pytest.fixture
def corrected_month(cast):
    """Last month of organisation A: entered at 90 everywhere, security lowered to 80 while open, then
    closed and corrected to 85 with a reason."""
    org = cast.units.org_a
    risk_services.areas_ensure_defaults(organisation=org, actor=cast.qo_a)
    risk_services.areas_set(
        actor=cast.qo_a,
        organisation=org,
        areas=[
            {"code": area.code, "name": area.name, "weight": area.weight, "source": "manual", "is_active": True}
            for area in org.score_areas.all()
        ],
    )
    risk_services.scores_enter(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores=ALL_90)
    risk_services.scores_enter(actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"security": 80})
    risk_services.monthly_run(month=LAST_MONTH)
    risk_services.scores_correct(
        actor=cast.qo_a, organisation=org, month=LAST_MONTH, scores={"security": 85}, reason="Typo in the file"
    )
    return f"/risks/scores/{org.pk}/{LAST_MONTH:%Y-%m}/history/"


def test_it_sends_anonymous_visitors_from_the_history_tabs_to_the_login_page(cast, client, corrected_month):
    org = cast.units.org_a
    for path in [
        corrected_month,
        f"/risks/scores/{org.pk}/areas/history/",
        f"/risks/matrix/{org.pk}/history/",
    ]:
        assert_login_page(client, path)


@pytest.mark.parametrize("user", ["member_b", "outsider"])
def test_it_answers_404_for_the_history_tabs_of_another_organisation(cast, as_user, corrected_month, user):
    client = as_user(getattr(cast, user))
    org = cast.units.org_a
    for path in [
        corrected_month,
        f"/risks/scores/{org.pk}/areas/history/",
        f"/risks/matrix/{org.pk}/history/",
    ]:
        assert client.get(path).status_code == 404, path


def test_it_shows_who_corrected_which_area_score_from_what_to_what_and_why(cast, as_user, corrected_month):
    response = as_user(cast.viewer_a).get(corrected_month)
    assert response.status_code == 200 and response.context["tab"] == "history"
    correction = entry_with(response, "Score of Security")
    assert correction.user == cast.qo_a and correction.reason == "Typo in the file"
    assert Change("score", "80.0", "85.0") in correction.changes
    earlier = [entry for entry in response.context["entries"] if entry.record == "Score of Security"]
    assert any(Change("score", "90.0", "80.0") in entry.changes for entry in earlier)
    closed = [entry for entry in response.context["entries"] if entry.reason == "monthly job: month closed"]
    assert any(Change("status", "Open", "Closed") in entry.changes for entry in closed)
    content = response.content.decode()
    assert 'data-testid="history"' in content and "Typo in the file" in content
    assert "Score of Security" in content


def test_the_month_page_links_to_its_history_tab(cast, as_user, corrected_month):
    content = as_user(cast.viewer_a).get(corrected_month.removesuffix("history/")).content.decode()
    assert f'href="{corrected_month}"' in content and 'data-testid="history-tab"' in content


# --- an organisation's areas ---------------------------------------------------------------------


def test_it_shows_who_reweighted_and_gave_which_area_to_whom(cast, as_user):
    org = cast.units.org_a
    risk_services.areas_ensure_defaults(organisation=org, actor=cast.qo_a)
    areas = [
        {
            "code": area.code,
            "name": area.name,
            "weight": {"legal": Decimal(20), "security": Decimal(30)}.get(area.code, area.weight),
            "owner": cast.risk_owner_a if area.code == "security" else None,
            "source": area.source,
            "is_active": True,
        }
        for area in org.score_areas.all()
    ]
    risk_services.areas_set(actor=cast.admin_a, organisation=org, areas=areas)
    path = f"/risks/scores/{org.pk}/areas/history/"
    response = as_user(cast.viewer_a).get(path)
    assert response.status_code == 200
    legal = entry_with(response, "Area Legal")
    assert legal.user == cast.admin_a and Change("weight (%)", "25.00", "20.00") in legal.changes
    security = entry_with(response, "Area Security")
    assert Change("owner", "—", str(cast.risk_owner_a)) in security.changes
    page = as_user(cast.viewer_a).get(f"/risks/scores/{org.pk}/areas/").content.decode()
    assert f'href="{path}"' in page


# --- an organisation's matrix and categories ---------------------------------------------------------


def test_it_shows_who_changed_the_matrix_and_the_categories(cast, as_user):
    org = cast.units.org_a
    client = as_user(cast.qo_a)
    form = client.get(f"/risks/matrix/{org.pk}/").context["matrix_form"]
    data = {name: form[name].value() for name in form.fields} | {"layout": "", "likelihood_3_label": "Sometimes"}
    assert client.post(f"/risks/matrix/{org.pk}/", data).status_code == 302
    category = register_services.category_create(actor=cast.qo_a, organisation=org, code="climate", name="Climate")
    register_services.category_rename(actor=cast.admin_a, category=category, organisation=org, name="Climate change")
    RiskCategory.objects.create(organisation=cast.units.org_b, code="b-only", name="Only in B")

    # A business unit's people read their organisation's matrix, and its history.
    response = as_user(cast.risk_owner_a).get(f"/risks/matrix/{org.pk}/history/")
    assert response.status_code == 200
    matrix = entry_with(response, "Risk matrix")
    assert matrix.user == cast.qo_a
    assert any(change.field == "likelihood steps" and "3. Sometimes" in change.new for change in matrix.changes)
    renamed = entry_with(response, "Category Climate change")
    assert renamed.user == cast.admin_a and Change("name", "Climate", "Climate change") in renamed.changes
    assert "Only in B" not in response.content.decode()
    assert f'href="/risks/matrix/{org.pk}/history/"' in client.get(f"/risks/matrix/{org.pk}/").content.decode()


# --- the roles of a unit and of a person ---------------------------------------------------------------


def test_it_shows_who_gave_and_removed_which_role_in_a_unit(cast, as_user, client):
    membership = membership_create(actor=cast.admin_a, user=cast.viewer_a, unit=cast.units.bu_a1, role="auditor")
    membership_delete(actor=cast.admin_a, membership=membership)
    path = f"/units/{cast.units.bu_a1.pk}/history/"
    assert_login_page(client, path)
    response = as_user(cast.qo_a).get(path)
    assert response.status_code == 200
    record = f"Auditor: {cast.viewer_a}"
    kinds = [(entry.kind, entry.user) for entry in response.context["entries"] if entry.record == record]
    assert kinds == [("Role removed", cast.admin_a), ("Role given", cast.admin_a)]
    assert "Role removed" in response.content.decode()
    assert as_user(cast.member_b).get(path).status_code == 404


def test_it_names_who_lost_their_only_role_in_the_units_history(cast, as_user):
    # Once the role is gone the person is out of the reader's sight, but the unit's history names them.
    newcomer = membership_create(actor=cast.admin_a, user=cast.outsider, unit=cast.units.bu_a1, role="auditor")
    membership_delete(actor=cast.admin_a, membership=newcomer)
    assert not User.objects.visible_to(cast.qo_a).filter(pk=cast.outsider.pk).exists()
    response = as_user(cast.qo_a).get(f"/units/{cast.units.bu_a1.pk}/history/")
    assert entry_with(response, f"Auditor: {cast.outsider}").kind == "Role removed"


def test_it_reads_a_units_history_in_the_same_number_of_queries_for_few_and_many_roles(cast, as_user):
    client = as_user(cast.admin_a)
    path = f"/units/{cast.units.team_a1a.pk}/history/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    def give(count):
        return [
            membership_create(actor=cast.admin_a, user=UserFactory(), unit=cast.units.team_a1a, role="viewer")
            for _ in range(count)
        ]

    membership_delete(actor=cast.admin_a, membership=give(2)[0])
    one = queries()
    membership_delete(actor=cast.admin_a, membership=give(20)[0])
    assert queries() == one


def test_it_shows_a_persons_roles_only_in_the_units_the_reader_sees(cast, as_user, client):
    person = cast.viewer_a
    given = membership_create(actor=cast.superuser, user=person, unit=cast.units.bu_b1, role="auditor")
    membership_delete(actor=cast.superuser, membership=given)
    membership_create(actor=cast.admin_a, user=person, unit=cast.units.bu_a1, role="risk_owner")
    path = f"/people/{person.pk}/history/"
    assert_login_page(client, path)

    records = {entry.record for entry in as_user(cast.qo_a).get(path).context["entries"]}
    assert "Risk owner in Business unit A1" in records
    assert not any("Business unit B1" in record for record in records)

    records = {entry.record for entry in as_user(cast.superuser).get(path).context["entries"]}
    assert {"Auditor in Business unit B1", "Risk owner in Business unit A1"} <= records
    assert as_user(cast.member_b).get(f"/people/{cast.qo_a.pk}/history/").status_code == 404


# --- an objective's key results --------------------------------------------------------------------------


def test_it_shows_the_key_results_changes_in_the_objectives_history(cast, as_user, client):
    kpi = KpiFactory(org_unit=cast.units.org_a, owner=cast.qo_a, code="CSAT", name="CSAT", actor=cast.qo_a)
    objective = kpi_services.objective_create(actor=cast.qo_a, unit=cast.units.org_a, title="Happy", period="2026")
    key_result = kpi_services.key_result_create(
        actor=cast.qo_a, objective=objective, kpi=kpi, baseline=Decimal(4), target=Decimal(5)
    )
    kpi_services.key_result_update(actor=cast.admin_a, key_result=key_result, baseline=Decimal(3))
    kpi_services.key_result_delete(actor=cast.admin_a, key_result=key_result)
    path = f"/kpis/objectives/{objective.pk}/history/"
    assert_login_page(client, path)
    assert as_user(cast.member_b).get(path).status_code == 404

    response = as_user(cast.viewer_a).get(path)
    assert response.status_code == 200
    record = f"Key result {kpi}"
    entries = [entry for entry in response.context["entries"] if entry.record == record]
    assert [entry.kind for entry in entries] == ["Deleted", "Changed", "Created"]
    assert entries[1].changes == [Change("baseline", "4", "3")] and entries[1].user == cast.admin_a
    assert any(entry.record == "" for entry in response.context["entries"])  # the objective's own


# --- a course's assignments ---------------------------------------------------------------------------------


def test_it_shows_a_courses_assignments_given_completed_and_taken_back(cast, as_user, client):
    year = timezone.localdate().year
    course = training_services.course_create(actor=cast.qo_a, organisation=cast.units.org_a, title="Awareness")
    people = [cast.viewer_a, cast.board_a, cast.risk_owner_a]
    viewer, board, _owner = training_services.training_assign(
        actor=cast.qo_a, course=course, year=year, users=people
    ).created
    training_services.training_unassign(actor=cast.admin_a, assignment=board)
    training_services.training_complete(actor=cast.qo_a, assignment=viewer, completed_on=timezone.localdate())
    path = f"/training/courses/{course.pk}/history/"
    assert_login_page(client, path)
    assert as_user(cast.member_b).get(path).status_code == 404

    response = as_user(cast.qo_a).get(path)
    assert response.status_code == 200
    taken_back = entry_with(response, f"{cast.board_a}, {year}")
    assert (taken_back.kind, taken_back.user) == ("Deleted", cast.admin_a)
    completed = entry_with(response, f"{cast.viewer_a}, {year}")
    assert [change.field for change in completed.changes] == ["completed on"] and completed.changes[0].old == "—"

    # The risk owner sees the course through their own training only: the others' stay out of sight.
    records = {entry.record for entry in as_user(cast.risk_owner_a).get(path).context["entries"]}
    assert records == {"", f"{cast.risk_owner_a}, {year}"}


# --- values pointing at records out of the reader's sight -------------------------------------------------


def test_it_names_no_related_record_the_reader_cannot_see(cast, as_user):
    # The viewer of A gets a manager who works in organisation B only.
    user_update(actor=cast.superuser, user=cast.viewer_a, manager=cast.member_b)
    entries = history_entries(cast.viewer_a, reader=cast.qo_a)
    assert Change("manager", "—", "(not visible)") in entries[0].changes
    content = as_user(cast.qo_a).get(f"/people/{cast.viewer_a.pk}/history/").content.decode()
    assert "(not visible)" in content and str(cast.member_b) not in content

    # Who sees the manager reads the name.
    entries = history_entries(cast.viewer_a, reader=cast.superuser)
    assert Change("manager", "—", str(cast.member_b)) in entries[0].changes
    user_update(actor=cast.superuser, user=cast.viewer_a, manager=cast.qo_a)
    entries = history_entries(cast.viewer_a, reader=cast.qo_a)
    assert Change("manager", "(not visible)", str(cast.qo_a)) in entries[0].changes


# --- the demo ----------------------------------------------------------------------------------------------


def test_the_demo_gives_managers_through_the_audit_trail(db, settings):
    settings.DEMO_MODE = True
    context = seed_core()
    manager = context.people["kwaliteit"]
    for username in ("risico", "medewerker"):
        person = User.objects.get(username=username)
        assert person.manager == manager
        record = person.history.order_by("-history_date").first()
        assert record.manager_id == manager.pk and record.history_user == context.people["beheerder"]
    assert Membership.objects.exists()
