"""The library of good examples: every good example of the audits one sees, searchable and filtered,
with export."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.choices import AuditStatus, FindingKind
from audits.models import Audit, AuditAssessor, Finding, Theme
from qms.choices import UnitKind
from tests.factories import UnitFactory
from tests.factories.audits import auditor, principles_of, sibling_unit

pytestmark = pytest.mark.django_db

URL = reverse("audits:good_examples")


def audit_of(unit, year=2026, assessors=()):
    """An audit written directly (the library only reads): ``assessors`` linked, the first the lead."""
    organisation = unit.parent if unit.parent.kind == UnitKind.ORGANISATION else unit.parent.parent
    assessors = list(assessors) or [auditor(sibling_unit(organisation))]
    audit = Audit.objects.create(
        organisation=organisation,
        unit=unit,
        year=year,
        lead_assessor=assessors[0],
        status=AuditStatus.FINAL,
        status_changed_at=timezone.now(),
    )
    for person in assessors:
        AuditAssessor.objects.create(audit=audit, user=person)
    return audit


def finding(audit, title, *, kind=FindingKind.GOOD_EXAMPLE, principle=None, theme="Effectmeting", text=""):
    principle = principle or principles_of(audit.organisation, 1)[0]
    theme, _ = Theme.objects.get_or_create(organisation=audit.organisation, name=theme)
    return Finding.objects.create(audit=audit, kind=kind, principle=principle, theme=theme, title=title, text=text)


def titles(response):
    return [row.title for row in response.context["table"].data]


def test_it_requires_a_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_lists_only_good_examples_of_the_audits_one_sees(as_user, cast):
    audit_a = audit_of(cast.units.bu_a1)
    audit_b = audit_of(cast.units.bu_b1)
    finding(audit_a, "Klantpanel per district")
    finding(audit_a, "Geen effectmeting", kind=FindingKind.FINDING)
    finding(audit_b, "Ketenoverleg elke maand")

    response = as_user(cast.viewer_a).get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Klantpanel per district"]
    assert titles(as_user(cast.member_b).get(URL)) == ["Ketenoverleg elke maand"]

    response = as_user(cast.outsider).get(URL)
    assert response.status_code == 200
    assert titles(response) == []
    assert 'data-testid="empty-state"' in response.content.decode()


def test_it_shows_an_assessor_the_audits_they_assess_and_nothing_else_of_that_unit(as_user, cast):
    org = cast.units.org_a
    bu_a2 = UnitFactory(name="Business unit A2", kind=UnitKind.BUSINESS_UNIT, parent=org)
    bu_a3 = UnitFactory(name="Business unit A3", kind=UnitKind.BUSINESS_UNIT, parent=org)
    assessor = auditor(bu_a2)
    assessed = audit_of(cast.units.bu_a1, assessors=[assessor, auditor(bu_a2)])
    other_year = audit_of(cast.units.bu_a1, year=2025)
    elsewhere = audit_of(bu_a3)
    own = audit_of(bu_a2)
    finding(assessed, "Assessed example")
    finding(other_year, "Earlier example of A1")
    finding(elsewhere, "Example of A3")
    finding(own, "Example of my own unit")

    assert sorted(titles(as_user(assessor).get(URL))) == ["Assessed example", "Example of my own unit"]


def test_it_searches_the_title_and_text_and_filters(as_user, cast):
    org = cast.units.org_a
    principle, other_principle = principles_of(org, 2)
    bu_a2 = UnitFactory(name="Business unit A2", kind=UnitKind.BUSINESS_UNIT, parent=org)
    audit_2025 = audit_of(cast.units.bu_a1, year=2025)
    audit_2026 = audit_of(bu_a2, year=2026)
    first = finding(audit_2025, "Klantpanel", text="Elk kwartaal een panel met burgers.", principle=principle)
    second = finding(audit_2026, "Dashboard", theme="Sturing", principle=other_principle)
    third = finding(audit_2026, "Teamoverleg", text="Verbeteringen op het whiteboard.", principle=principle)
    client = as_user(cast.qo_a)

    assert titles(client.get(URL, {"q": "burgers"})) == ["Klantpanel"]
    assert titles(client.get(URL, {"q": "WHITEBOARD"})) == ["Teamoverleg"]
    assert sorted(titles(client.get(URL, {"principle": principle.pk}))) == ["Klantpanel", "Teamoverleg"]
    assert titles(client.get(URL, {"theme": second.theme_id})) == ["Dashboard"]
    assert titles(client.get(URL, {"year": 2025})) == ["Klantpanel"]
    assert sorted(titles(client.get(URL, {"unit": bu_a2.pk}))) == ["Dashboard", "Teamoverleg"]
    assert len(titles(client.get(URL, {"organisation": org.pk}))) == 3
    assert titles(client.get(URL, {"organisation": cast.units.org_b.pk})) == []  # not a choice: nothing
    content = client.get(URL, {"year": 2025}).content.decode()
    assert "Business unit A1" in content and "Customer focus" in content and first.theme.name in content
    assert third.pk != first.pk


def test_it_exports_the_good_examples_as_csv(as_user, cast):
    finding(audit_of(cast.units.bu_a1), "Klantpanel", text="Met burgers.")
    response = as_user(cast.qo_a).get(URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig")
    assert "Klantpanel" in content and "Met burgers." in content and "Business unit A1" in content


def test_it_reads_the_list_in_a_constant_number_of_queries(as_user, cast, count_queries):
    org = cast.units.org_a
    principle = principles_of(org, 1)[0]
    client = as_user(cast.qo_a)
    audits = [audit_of(cast.units.bu_a1, year=2000 + index) for index in range(5)]
    finding(audits[0], "Example 0", principle=principle)
    client.get(URL)  # warm the content types and the session
    one = count_queries(client, URL)
    for index in range(1, 50):
        finding(audits[index % 5], f"Example {index}", principle=principle, theme=f"Theme {index % 7}")
    assert count_queries(client, URL) == one
