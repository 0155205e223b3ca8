"""Pages of the model part: the maturity model (levels and principles), a principle's pages, the
three-year cycle and the themes; and the audits sub-navigation."""

import pytest
from django.urls import reverse

from audits.choices import ControlKind
from audits.models import (
    AuditCycle,
    CyclePrinciple,
    MaturityLevel,
    Principle,
    PrincipleControl,
    PrincipleQuestion,
    Theme,
)
from tests.factories.audits import principles_of

pytestmark = pytest.mark.django_db

LEVELS = [
    (1, "Ad hoc", "Ad hoc"),
    (2, "Initieel", "Initial"),
    (3, "Reproduceren", "Reproducible"),
    (4, "Sturen", "Managed"),
    (5, "Optimaliseren", "Optimising"),
]


def levels_of(org):
    return [
        MaturityLevel.objects.create(organisation=org, level=level, name=name, name_en=name_en)
        for level, name, name_en in LEVELS
    ]


def model_url(org=None):
    url = reverse("audits:model")
    return f"{url}?organisation={org.pk}" if org is not None else url


def cycle_url(org):
    return f"{reverse('audits:cycle')}?organisation={org.pk}"


# --- who reads the model ---------------------------------------------------------------------------


def test_it_requires_a_login(client, cast):
    for url in (model_url(), reverse("audits:cycle"), reverse("audits:themes")):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_it_shows_levels_and_principles_in_the_readers_language(as_user, login, cast):
    org = cast.units.org_a
    levels_of(org)
    principle = principles_of(org, 1)[0]
    principle.definition, principle.definition_en = "Gericht op de klant.", "Focused on the customer."
    principle.save()
    PrincipleControl.objects.create(principle=principle, kind=ControlKind.HARD, text="Klantpanel", text_en="Panel")
    PrincipleQuestion.objects.create(principle=principle, text="Kent u uw klant?", text_en="Do you know them?")

    content = as_user(cast.viewer_a).get(model_url(org)).content.decode()
    assert "Customer focus" in content and "Focused on the customer." in content
    assert "Panel" in content and "Do you know them?" in content and "Optimising" in content

    # A reader of the Dutch interface (the default) reads the Dutch texts.
    content = login(cast.board_a).get(model_url(org)).content.decode()
    assert "Klantgerichtheid" in content and "Klantpanel" in content and "Optimaliseren" in content


def test_it_lets_the_people_of_a_team_read_their_organisations_model(as_user, cast):
    principles_of(cast.units.org_a, 2)
    response = as_user(cast.team_lead_a).get(model_url())
    assert response.status_code == 200
    assert response.context["organisation"] == cast.units.org_a
    assert "Steering and accountability" in response.content.decode()


def test_it_answers_404_for_an_organisation_out_of_reach(as_user, cast):
    principles_of(cast.units.org_a, 1)
    client = as_user(cast.member_b)
    assert client.get(model_url(cast.units.org_a)).status_code == 404
    assert client.get(f"{reverse('audits:model')}?organisation=abc").status_code == 404
    principle = Principle.objects.get(organisation=cast.units.org_a)
    assert client.get(reverse("audits:principle_detail", args=[principle.pk])).status_code == 404
    assert client.get(cycle_url(cast.units.org_a)).status_code == 404


def test_it_shows_an_outsider_an_empty_page(as_user, cast):
    principles_of(cast.units.org_a, 1)
    for url in (model_url(), reverse("audits:cycle"), reverse("audits:themes")):
        response = as_user(cast.outsider).get(url)
        assert response.status_code == 200
        assert 'data-testid="empty-state"' in response.content.decode()
        assert "Customer focus" not in response.content.decode()


# --- who changes it --------------------------------------------------------------------------------


def test_it_offers_the_changes_to_quality_officers_only(as_user, cast):
    org = cast.units.org_a
    level = levels_of(org)[0]
    principle = principles_of(org, 1)[0]
    assert 'data-testid="add-principle"' in as_user(cast.qo_a).get(model_url(org)).content.decode()

    viewer = as_user(cast.viewer_a)
    assert 'data-testid="add-principle"' not in viewer.get(model_url(org)).content.decode()
    assert viewer.get(reverse("audits:level_edit", args=[level.pk])).status_code == 403
    assert viewer.get(reverse("audits:principle_edit", args=[principle.pk])).status_code == 403
    assert viewer.get(reverse("audits:principle_texts", args=[principle.pk])).status_code == 403
    add = f"{reverse('audits:principle_add')}?organisation={org.pk}"
    assert viewer.post(add, {"code": "x", "name": "X", "position": 1}).status_code == 403
    assert not Principle.objects.filter(code="x").exists()
    # A quality officer of another organisation does not even see it.
    assert as_user(cast.member_b).get(reverse("audits:level_edit", args=[level.pk])).status_code == 404


def test_it_changes_a_level(as_user, cast):
    org = cast.units.org_a
    level = levels_of(org)[2]
    response = as_user(cast.qo_a).post(
        reverse("audits:level_edit", args=[level.pk]),
        {
            "name": "Reproduceerbaar",
            "name_en": "Repeatable",
            "description": "Werkt zo elke keer.",
            "description_en": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == model_url(org)
    level.refresh_from_db()
    assert (level.name, level.name_en, level.description) == ("Reproduceerbaar", "Repeatable", "Werkt zo elke keer.")


def test_it_adds_a_principle_and_refuses_a_code_taken(as_user, cast):
    org = cast.units.org_a
    client = as_user(cast.qo_a)
    add = f"{reverse('audits:principle_add')}?organisation={org.pk}"
    data = {"code": "ketensamenwerking", "name": "Ketensamenwerking", "name_en": "Chain cooperation", "position": 10}
    response = client.post(add, data)
    assert response.status_code == 302
    principle = Principle.objects.get(organisation=org, code="ketensamenwerking")
    assert response["Location"] == reverse("audits:principle_detail", args=[principle.pk])

    response = client.post(add, {**data, "name": "Anders"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Principle.objects.filter(organisation=org).count() == 1


def test_it_edits_a_principle_in_both_languages(as_user, cast):
    principle = principles_of(cast.units.org_a, 1)[0]
    response = as_user(cast.qo_a).post(
        reverse("audits:principle_edit", args=[principle.pk]),
        {
            "name": "Klantfocus",
            "name_en": "Client focus",
            "definition": "De klant centraal.",
            "definition_en": "The client first.",
            "position": 3,
            "is_active": "",
        },
    )
    assert response.status_code == 302
    principle.refresh_from_db()
    assert (principle.name, principle.name_en, principle.definition_en) == (
        "Klantfocus",
        "Client focus",
        "The client first.",
    )
    assert principle.is_active is False
    assert principle.code == "klantgerichtheid"


def test_it_sets_controls_and_questions_one_per_line(as_user, cast):
    principle = principles_of(cast.units.org_a, 1)[0]
    url = reverse("audits:principle_texts", args=[principle.pk])
    client = as_user(cast.qo_a)
    response = client.post(
        url,
        {
            "hard_controls": "Klantpanel\n\nKlachtenprocedure\n",
            "hard_controls_en": "Customer panel\n\nComplaints procedure",
            "soft_controls": "Klantgerichte houding",
            "soft_controls_en": "",
            "questions": "Kent u uw klanten?\nHoe meet u tevredenheid?\nWie klaagt er?",
            "questions_en": "Do you know your customers?\n\nWho complains?",
        },
    )
    assert response.status_code == 302
    controls = list(PrincipleControl.objects.filter(principle=principle).order_by("kind", "position", "id"))
    assert [(c.kind, c.text, c.text_en) for c in controls] == [
        ("hard", "Klantpanel", "Customer panel"),
        ("hard", "Klachtenprocedure", "Complaints procedure"),
        ("soft", "Klantgerichte houding", ""),
    ]
    questions = list(PrincipleQuestion.objects.filter(principle=principle).order_by("position", "id"))
    assert [(q.text, q.text_en) for q in questions] == [
        ("Kent u uw klanten?", "Do you know your customers?"),
        ("Hoe meet u tevredenheid?", ""),
        ("Wie klaagt er?", "Who complains?"),
    ]
    # The form shows them again, one per line.
    initial = client.get(url).context["form"].initial
    assert initial["hard_controls"] == "Klantpanel\nKlachtenprocedure"
    assert initial["questions_en"] == "Do you know your customers?\n\nWho complains?"

    # An English line without its Dutch one: a field message, nothing changed.
    response = client.post(url, {"questions": "Een vraag", "questions_en": "A question\nAnother"})
    assert response.status_code == 200
    assert "questions_en" in response.context["form"].errors
    assert PrincipleQuestion.objects.filter(principle=principle).count() == 3


def test_it_shows_a_principles_history(as_user, cast):
    principle = principles_of(cast.units.org_a, 1)[0]
    response = as_user(cast.viewer_a).get(reverse("audits:principle_history", args=[principle.pk]))
    assert response.status_code == 200
    assert 'data-testid="history-tab"' in response.content.decode()


# --- the cycle -------------------------------------------------------------------------------------


def plan_data(principles, years, first_year=2027):
    data = {"first_year": first_year}
    for principle, offset in zip(principles, years, strict=True):
        if offset is not None:
            data[f"principle_{principle.pk}"] = offset
    return data


def test_it_saves_a_cycle_from_the_grid(as_user, cast):
    org = cast.units.org_a
    principles = principles_of(org, 4)
    client = as_user(cast.qo_a)
    page = client.get(cycle_url(org))
    assert 'data-testid="cycle-grid"' in page.content.decode()

    response = client.post(cycle_url(org), plan_data(principles, [0, 0, 1, 2]))
    assert response.status_code == 302
    cycle = AuditCycle.objects.get(organisation=org)
    assert cycle.first_year == 2027
    planned = dict(CyclePrinciple.objects.filter(cycle=cycle).values_list("principle_id", "year"))
    assert planned == {principles[0].pk: 2027, principles[1].pk: 2027, principles[2].pk: 2028, principles[3].pk: 2029}
    content = client.get(cycle_url(org)).content.decode()
    assert 'data-testid="cycles"' in content and "2027-2029" in content

    # The plan of an existing cycle, changed.
    edit = f"{cycle_url(org)}&cycle={cycle.pk}"
    assert client.get(edit).context["form"].initial[f"principle_{principles[3].pk}"] == "2"
    response = client.post(edit, {**plan_data(principles, [2, 0, 1, 1]), "cycle": cycle.pk})
    assert response.status_code == 302
    assert CyclePrinciple.objects.get(cycle=cycle, principle=principles[0]).year == 2029
    assert AuditCycle.objects.filter(organisation=org).count() == 1


def test_it_refuses_a_cycle_that_leaves_a_principle_out_and_saves_nothing(as_user, cast):
    org = cast.units.org_a
    principles = principles_of(org, 3)
    response = as_user(cast.qo_a).post(cycle_url(org), plan_data(principles, [0, None, 2]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["plan"]
    content = response.content.decode()
    assert 'data-testid="plan-errors"' in content
    assert f'data-principle="{principles[1].pk}" class="table-danger" data-missing' in content
    assert not AuditCycle.objects.exists()
    assert not CyclePrinciple.objects.exists()


def test_it_shows_the_cycles_without_a_form_to_a_viewer(as_user, cast):
    org = cast.units.org_a
    principles = principles_of(org, 3)
    client = as_user(cast.viewer_a)
    response = client.get(cycle_url(org))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'data-testid="cycle-form"' not in response.content.decode()
    assert client.post(cycle_url(org), plan_data(principles, [0, 1, 2])).status_code == 403
    assert not AuditCycle.objects.exists()


# --- themes and navigation -------------------------------------------------------------------------


def test_it_lists_the_organisations_themes(as_user, cast):
    Theme.objects.create(organisation=cast.units.org_a, name="Effectmeting")
    Theme.objects.create(organisation=cast.units.org_b, name="Ketensamenwerking")
    content = as_user(cast.viewer_a).get(reverse("audits:themes")).content.decode()
    assert "Effectmeting" in content and "Ketensamenwerking" not in content


def test_it_shows_the_audits_sub_navigation(as_user, cast):
    content = as_user(cast.viewer_a).get(model_url()).content.decode()
    assert 'data-testid="audit-subnav"' in content
    for name in ("audits:good_examples", "audits:model", "audits:cycle"):
        assert f'href="{reverse(name)}"' in content


def test_it_tells_the_navigation_who_manages_a_model(as_user, cast):
    assert as_user(cast.qo_a).get(model_url()).context["manages_audit_model"] is True
    assert as_user(cast.viewer_a).get(model_url()).context["manages_audit_model"] is False


def test_it_reads_the_model_and_the_cycles_in_a_constant_number_of_queries(as_user, cast, count_queries):
    org = cast.units.org_a
    levels_of(org)
    client = as_user(cast.qo_a)
    first = principles_of(org, 1)[0]
    PrincipleControl.objects.create(principle=first, kind=ControlKind.SOFT, text="Houding")
    client.post(cycle_url(org), plan_data([first], [0], first_year=2024))
    client.get(model_url(org))  # warm the content types and the session
    counts = [count_queries(client, model_url(org)), count_queries(client, cycle_url(org))]

    principles = principles_of(org, 9)
    for principle in principles[1:]:
        PrincipleControl.objects.create(principle=principle, kind=ControlKind.HARD, text="Procedure")
        PrincipleQuestion.objects.create(principle=principle, text="Vraag?")
    client.post(cycle_url(org), plan_data(principles, [index % 3 for index in range(9)], first_year=2027))
    assert AuditCycle.objects.filter(organisation=org).count() == 2
    assert [count_queries(client, model_url(org)), count_queries(client, cycle_url(org))] == counts


def test_it_shows_the_history_of_the_model_and_of_the_cycles(as_user, cast):
    org = cast.units.org_a
    level = levels_of(org)[0]
    principles = principles_of(org, 3)
    client = as_user(cast.qo_a)
    client.post(reverse("audits:level_edit", args=[level.pk]), {"name": "Ad hoc", "name_en": "Improvised"})
    client.post(reverse("audits:principle_texts", args=[principles[0].pk]), {"questions": "Kent u uw klanten?"})
    client.post(cycle_url(org), plan_data(principles, [0, 1, 2]))

    reader = as_user(cast.team_lead_a)
    response = reader.get(f"{reverse('audits:model_history')}?organisation={org.pk}")
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="history"' in content
    assert "Level 1" in content and "Improvised" in content
    assert "Question of Customer focus" in content and "Kent u uw klanten?" in content

    content = reader.get(f"{reverse('audits:cycle_history')}?organisation={org.pk}").content.decode()
    assert "Cycle 2027-2029" in content and "Principle planned in 2029" in content
    assert as_user(cast.member_b).get(f"{reverse('audits:cycle_history')}?organisation={org.pk}").status_code == 404
