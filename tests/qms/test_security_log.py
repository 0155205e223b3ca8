"""The security log in the application (issue 15, finding 10 and deliverable 6): who reads which events,
the filters and the export, and out-of-scope probing logged without flooding the table."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.choices import SecurityEventKind
from qms.models import SecurityEvent
from tests.factories import ActionFactory

LOG = reverse("qms:security_log")


def event(kind=SecurityEventKind.LOGIN, *, user=None, username="", ip="192.0.2.1", detail="", days_ago=0):
    created = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.username if user else ""),
        ip_address=ip,
        detail=detail,
    )
    if days_ago:
        SecurityEvent.objects.filter(pk=created.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return created


def shown(response) -> set[str]:
    """The events of the fixtures on the page (the test client's own logins have no detail)."""
    return {record.detail for record in response.context["table"].data if record.detail}


@pytest.fixture
def events(cast):
    return {
        "a_person": event(user=cast.viewer_a, detail="a-person"),
        "a_below": event(user=cast.team_lead_a, detail="a-below"),
        "a_failed": event(SecurityEventKind.LOGIN_FAILED, username="risk_owner_a", detail="a-failed"),
        "b_person": event(user=cast.member_b, detail="b-person"),
        "unknown": event(SecurityEventKind.LOGIN_FAILED, username="nobody", detail="unknown"),
    }


@pytest.mark.django_db
def test_an_administrator_reads_the_events_of_their_organisations_people_and_no_others(as_user, cast, events):
    response = as_user(cast.admin_a).get(LOG)
    assert response.status_code == 200
    assert shown(response) == {"a-person", "a-below", "a-failed"}


@pytest.mark.django_db
def test_a_quality_officer_reads_their_organisations_log(as_user, cast, events):
    assert shown(as_user(cast.qo_a).get(LOG)) == {"a-person", "a-below", "a-failed"}
    assert shown(as_user(cast.member_b).get(LOG)) == {"b-person"}


@pytest.mark.django_db
def test_a_superuser_reads_every_event(as_user, cast, events):
    assert shown(as_user(cast.superuser).get(LOG)) == {"a-person", "a-below", "a-failed", "b-person", "unknown"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["viewer_a", "board_a", "risk_owner_a", "team_lead_a", "outsider"])
def test_people_without_an_administrator_or_quality_role_have_no_security_log(as_user, cast, events, who):
    assert as_user(getattr(cast, who)).get(LOG).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, events):
    response = client.get(LOG)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_it_filters_by_event_person_address_and_date(as_user, cast, events):
    event(SecurityEventKind.EXPORT, user=cast.qo_a, ip="10.1.2.3", detail="export-old", days_ago=10)
    client = as_user(cast.admin_a)
    assert shown(client.get(LOG, {"kind": SecurityEventKind.LOGIN_FAILED})) == {"a-failed"}
    assert shown(client.get(LOG, {"person": "team_lead"})) == {"a-below"}
    assert shown(client.get(LOG, {"ip_address": "10.1."})) == {"export-old"}
    ten_days_ago = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert shown(client.get(LOG, {"before": ten_days_ago})) == {"export-old"}
    assert "export-old" not in shown(client.get(LOG, {"after": timezone.localdate().isoformat()}))


@pytest.mark.django_db
def test_it_exports_the_filtered_log_and_the_export_is_itself_logged(as_user, cast, events):
    response = as_user(cast.admin_a).get(LOG, {"export": "csv", "kind": SecurityEventKind.LOGIN_FAILED})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "a-failed" in text and "a-person" not in text and "b-person" not in text
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORT, user=cast.admin_a).exists()
    assert as_user(cast.admin_a).get(LOG, {"export": "xlsx"}).status_code == 200


@pytest.mark.django_db
def test_the_log_is_paginated_with_the_same_number_of_queries_for_1_and_50_events(as_user, cast, count_queries):
    client = as_user(cast.admin_a)
    event(user=cast.viewer_a)
    one = count_queries(client, LOG)
    for _n in range(49):
        event(user=cast.viewer_a)
    assert count_queries(client, LOG) == one
    assert len(client.get(LOG).context["table"].page.object_list) == 25


@pytest.mark.django_db
def test_the_page_says_how_long_events_are_kept(as_user, cast, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "security_events": 400}
    assert "400 days" in as_user(cast.admin_a).get(LOG).content.decode()


# --- out-of-scope probing ---------------------------------------------------------------------------


def denials():
    return SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED)


@pytest.mark.django_db
def test_a_page_of_a_record_out_of_sight_is_a_404_and_a_denial_in_the_log(as_user, cast):
    action = ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    response = as_user(cast.outsider).get(reverse("qms:action_detail", args=[action.pk]))
    assert response.status_code == 404
    logged = denials().get()
    assert logged.user == cast.outsider
    assert logged.detail == f"out of sight: qms.action pk={action.pk}"


@pytest.mark.django_db
def test_an_api_object_out_of_sight_is_a_404_and_a_denial_in_the_log(api, cast):
    action = ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    response = api(cast.admin_a).get(f"/api/v1/actions/{action.pk}/")
    assert response.status_code == 404
    assert denials().get().user == cast.admin_a


@pytest.mark.django_db
def test_an_id_that_does_not_exist_answers_the_same_404_and_logs_nothing(api, as_user, cast):
    action = ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    missing = action.pk + 1000
    client = api(cast.admin_a)
    elsewhere, nowhere = client.get(f"/api/v1/actions/{action.pk}/"), client.get(f"/api/v1/actions/{missing}/")
    assert (elsewhere.status_code, elsewhere.json()) == (nowhere.status_code, nowhere.json())
    denials().delete()
    page = as_user(cast.admin_a)
    assert page.get(reverse("qms:action_detail", args=[missing])).status_code == 404
    assert client.get(f"/api/v1/actions/{missing}/").status_code == 404
    assert not denials().exists()


@pytest.mark.django_db
def test_a_record_in_sight_logs_no_denial(api, cast):
    action = ActionFactory(unit=cast.units.bu_a1, owner=cast.risk_owner_a)
    assert api(cast.admin_a).get(f"/api/v1/actions/{action.pk}/").status_code == 200
    assert not denials().exists()


@pytest.mark.django_db
def test_a_crawler_probing_a_thousand_ids_leaves_a_handful_of_lines(api, as_user, cast):
    first = ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    for _n in range(9):
        ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    client = api(cast.outsider)
    for pk in range(first.pk, first.pk + 1000):
        assert client.get(f"/api/v1/actions/{pk}/").status_code == 404
    page = as_user(cast.outsider)
    for pk in range(first.pk, first.pk + 10):
        assert page.get(reverse("qms:action_detail", args=[pk])).status_code == 404
    # At most one line a minute per person: the first probe is on record, the rest is not.
    assert denials().filter(user=cast.outsider).count() == 1


@pytest.mark.django_db
def test_the_probe_limit_is_per_person(api, cast):
    action = ActionFactory(unit=cast.units.org_b, owner=cast.member_b)
    for person in (cast.outsider, cast.admin_a, cast.outsider, cast.admin_a):
        api(person).get(f"/api/v1/actions/{action.pk}/")
    assert denials().count() == 2


# --- responsible disclosure -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_security_txt_names_the_disclosure_policy(client, settings):
    text = client.get("/.well-known/security.txt").content.decode()
    assert f"Policy: {settings.SITE_URL}{reverse('responsible_disclosure')}" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("en", "Responsible disclosure"), ("nl", "<h1")])
def test_the_disclosure_page_is_open_to_everyone_in_dutch_and_english(client, settings, language, heading):
    settings.SECURITY_CONTACT = "mailto:security@example.org"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    response = client.get(reverse("responsible_disclosure"))
    assert response.status_code == 200
    text = response.content.decode()
    assert heading in text
    assert 'href="mailto:security@example.org"' in text
    assert f'lang="{language}"' in text
