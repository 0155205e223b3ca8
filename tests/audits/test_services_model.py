"""The maturity model's services: the defaults a new organisation starts with, the three-year cycle's
rules (every active principle planned exactly once, within the cycle, of the organisation; no overlap),
and who may change the model."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from audits import defaults
from audits.choices import ControlKind
from audits.models import AuditCycle, CyclePrinciple, MaturityLevel, Principle, PrincipleControl, PrincipleQuestion
from audits.services import model as services
from qms.choices import UnitKind
from qms.services.organisation import unit_create

pytestmark = pytest.mark.django_db

CODES = [
    "customer_focus",
    "leadership",
    "craftsmanship",
    "process_approach",
    "continuous_improvement",
    "governance",
    "operational_quality",
    "steering_accountability",
    "supplier_relations",
]


def _new_organisation(cast, name="Organisation N"):
    return unit_create(actor=cast.superuser, name=name, kind=UnitKind.ORGANISATION, parent=cast.units.group)


def _plan(org, years):
    """{year: [ids]} from {year: [codes]}."""
    ids = dict(Principle.objects.filter(organisation=org).values_list("code", "pk"))
    return {year: [ids[code] for code in codes] for year, codes in years.items()}


def _state(org):
    return (
        list(AuditCycle.objects.filter(organisation=org).values_list("pk", "first_year")),
        sorted(CyclePrinciple.objects.filter(cycle__organisation=org).values_list("principle__code", "year")),
    )


@pytest.fixture
def org(cast):
    return _new_organisation(cast)


# --- defaults --------------------------------------------------------------------------------------


def test_it_gives_a_new_organisation_the_five_levels_and_nine_principles(org):
    levels = list(MaturityLevel.objects.filter(organisation=org).order_by("level"))
    assert [(level.level, level.name, level.name_en) for level in levels] == [
        (1, "Ad hoc", "Ad hoc"),
        (2, "Initieel", "Initial"),
        (3, "Reproduceren", "Reproducible"),
        (4, "Sturen", "Managed"),
        (5, "Optimaliseren", "Optimising"),
    ]
    assert all(level.description and level.description_en for level in levels)
    principles = list(Principle.objects.filter(organisation=org).order_by("position"))
    assert [p.code for p in principles] == CODES
    for principle in principles:
        assert principle.name and principle.name_en and principle.name != principle.name_en
        assert principle.definition and principle.definition_en
        assert "UWV" not in principle.definition
        hard = principle.controls.filter(kind=ControlKind.HARD)
        soft = principle.controls.filter(kind=ControlKind.SOFT)
        assert 2 <= hard.count() <= 4 and 2 <= soft.count() <= 3
        assert 3 <= principle.questions.count() <= 4
        assert all(c.text and c.text_en for c in principle.controls.all())
        assert all(q.text and q.text_en for q in principle.questions.all())


def test_it_plans_the_default_cycle_from_this_year(org):
    year = timezone.localdate().year
    cycle = services.cycle_for_year(organisation=org, year=year)
    assert cycle.first_year == year
    by_year = {}
    for code, planned in CyclePrinciple.objects.filter(cycle=cycle).values_list("principle__code", "year"):
        by_year.setdefault(planned, set()).add(code)
    assert by_year[year] == {"customer_focus", "steering_accountability", "operational_quality"}
    assert len(by_year[year + 1]) == len(by_year[year + 2]) == 3
    assert set().union(*by_year.values()) == set(CODES)
    assert services.cycle_for_year(organisation=org, year=year + 2) == cycle
    assert services.cycle_for_year(organisation=org, year=year + 3) is None


def test_it_shows_the_english_texts_to_english_readers(org):
    from django.utils import translation

    principle = Principle.objects.get(organisation=org, code="steering_accountability")
    with translation.override("en"):
        assert str(principle) == "Steering and accountability"
    with translation.override("nl"):
        assert str(principle) == "Sturen en verantwoorden"


def test_it_adds_defaults_idempotently_and_keeps_what_the_organisation_changed(cast, org):
    principle = Principle.objects.get(organisation=org, code="leadership")
    services.principle_update(actor=cast.superuser, principle=principle, name="Goed leiderschap")
    Principle.objects.filter(organisation=org, code="supplier_relations").delete()
    before = _state(org)
    services.model_defaults_for_new_organisation(organisation=org)
    call_command("ensure_audit_defaults", stdout=io.StringIO())
    assert Principle.objects.filter(organisation=org).count() == 9
    assert Principle.objects.get(organisation=org, code="leadership").name == "Goed leiderschap"
    assert MaturityLevel.objects.filter(organisation=org).count() == 5
    assert PrincipleQuestion.objects.filter(principle__organisation=org).count() == sum(
        len(p.questions) for p in defaults.PRINCIPLES
    )
    assert _state(org) == before  # the existing cycle is left alone


def test_it_gives_organisations_made_before_the_app_their_defaults(cast):
    # The cast's organisations are made without unit_create, as data loaded before the app existed.
    assert not Principle.objects.filter(organisation=cast.units.org_b).exists()
    call_command("ensure_audit_defaults", stdout=io.StringIO())
    assert Principle.objects.filter(organisation=cast.units.org_b).count() == 9
    assert AuditCycle.objects.filter(organisation=cast.units.org_b).count() == 1
    assert not Principle.objects.filter(organisation=cast.units.bu_b1).exists()


# --- the cycle -------------------------------------------------------------------------------------

YEAR = 2030
GOOD = {
    YEAR: ["customer_focus", "steering_accountability", "operational_quality"],
    YEAR + 1: ["leadership", "craftsmanship", "process_approach"],
    YEAR + 2: ["continuous_improvement", "governance", "supplier_relations"],
}


def test_it_saves_a_cycle_that_plans_every_principle_once(cast, org):
    cycle = services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    assert cycle.last_year == YEAR + 2
    assert CyclePrinciple.objects.filter(cycle=cycle).count() == 9
    assert set(CyclePrinciple.objects.filter(cycle=cycle, year=YEAR + 1).values_list("principle__code", flat=True)) == {
        "leadership",
        "craftsmanship",
        "process_approach",
    }


def test_it_replaces_a_cycles_plan(cast, org):
    cycle = services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    moved = {**GOOD, YEAR: GOOD[YEAR][:2], YEAR + 2: [*GOOD[YEAR + 2], "operational_quality"]}
    services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, moved), cycle=cycle)
    assert CyclePrinciple.objects.get(cycle=cycle, principle__code="operational_quality").year == YEAR + 2
    assert CyclePrinciple.objects.filter(cycle=cycle).count() == 9


@pytest.mark.parametrize(
    "change, message",
    [
        ("left_out", "missing: Mutually beneficial supplier relationships"),
        ("twice", "planned more than once"),
        ("outside", "lies outside the cycle"),
        ("foreign", "is not an active principle"),
        ("inactive", "is not an active principle"),
    ],
)
def test_it_refuses_a_plan_that_breaks_the_rules_and_saves_nothing(cast, org, change, message):
    plan = _plan(org, GOOD)
    if change == "left_out":
        plan[YEAR + 2] = plan[YEAR + 2][:-1]
    elif change == "twice":
        plan[YEAR + 1].append(plan[YEAR][0])
    elif change == "outside":
        plan[YEAR + 3] = [plan[YEAR + 2].pop()]
    elif change == "foreign":
        other = _new_organisation(cast, "Organisation O")
        plan[YEAR].append(Principle.objects.filter(organisation=other).first().pk)
    elif change == "inactive":
        extra = services.principle_create(actor=cast.superuser, organisation=org, code="extra", name="Extra")
        services.principle_update(actor=cast.superuser, principle=extra, is_active=False)
        plan[YEAR].append(extra.pk)
    before = _state(org)
    with pytest.raises(ValidationError) as error:
        services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=plan)
    assert "plan" in error.value.message_dict
    assert any(message in text for text in error.value.message_dict["plan"])
    assert _state(org) == before


def test_it_refuses_a_replacement_that_breaks_the_rules_and_keeps_the_old_plan(cast, org):
    cycle = services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    before = _state(org)
    bad = {**GOOD, YEAR: GOOD[YEAR][:2]}
    with pytest.raises(ValidationError):
        services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, bad), cycle=cycle)
    assert _state(org) == before


def test_it_counts_a_new_active_principle_as_one_to_plan(cast, org):
    services.principle_create(actor=cast.superuser, organisation=org, code="basic", name="Basic kwaliteitsmanagement")
    with pytest.raises(ValidationError) as error:
        services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    assert "Basic kwaliteitsmanagement" in " ".join(error.value.message_dict["plan"])


@pytest.mark.parametrize("first_year", [YEAR - 2, YEAR, YEAR + 2])
def test_it_refuses_a_cycle_overlapping_another(cast, org, first_year):
    services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    before = _state(org)
    shifted = {first_year + index: codes for index, codes in enumerate(GOOD.values())}
    with pytest.raises(ValidationError) as error:
        services.cycle_save(actor=cast.superuser, organisation=org, first_year=first_year, plan=_plan(org, shifted))
    assert "first_year" in error.value.message_dict
    assert _state(org) == before


def test_it_allows_the_next_cycle_right_after_the_last(cast, org):
    services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR, plan=_plan(org, GOOD))
    shifted = {YEAR + 3 + index: codes for index, codes in enumerate(GOOD.values())}
    services.cycle_save(actor=cast.superuser, organisation=org, first_year=YEAR + 3, plan=_plan(org, shifted))
    assert services.cycle_for_year(organisation=org, year=YEAR + 3).first_year == YEAR + 3
    assert services.cycle_for_year(organisation=org, year=YEAR + 2).first_year == YEAR


def test_it_moves_a_cycle_to_another_first_year(cast, org):
    cycle = AuditCycle.objects.get(organisation=org)
    first = cycle.first_year - 1
    shifted = {first + index: codes for index, codes in enumerate(GOOD.values())}
    services.cycle_save(actor=cast.superuser, organisation=org, first_year=first, plan=_plan(org, shifted), cycle=cycle)
    assert AuditCycle.objects.get(organisation=org).first_year == first


def test_it_lets_only_the_organisations_quality_officers_manage_the_model(cast):
    org_a = cast.units.org_a
    services.model_defaults_for_new_organisation(organisation=org_a)
    assert services.can_manage_model(cast.qo_a, org_a)
    assert services.can_manage_model(cast.admin_a, org_a)
    for user in (cast.board_a, cast.auditor_a, cast.member_b, cast.outsider):
        assert not services.can_manage_model(user, org_a)
    plan = _plan(org_a, GOOD)
    with pytest.raises(PermissionDenied):
        services.cycle_save(actor=cast.member_b, organisation=org_a, first_year=YEAR, plan=plan)
    level = MaturityLevel.objects.get(organisation=org_a, level=4)
    with pytest.raises(PermissionDenied):
        services.level_update(actor=cast.auditor_a, level=level, name="Managen")
    services.level_update(actor=cast.qo_a, level=level, name_en="Managing")
    level.refresh_from_db()
    assert level.name_en == "Managing"
    services.cycle_save(actor=cast.qo_a, organisation=org_a, first_year=YEAR, plan=plan)


# --- principles ------------------------------------------------------------------------------------


def test_it_adds_a_principle_at_the_end_and_refuses_a_duplicate_code(cast, org):
    principle = services.principle_create(
        actor=cast.superuser, organisation=org, code="basic", name="Basic kwaliteitsmanagement", name_en="Basic QM"
    )
    assert principle.position == 10
    with pytest.raises(ValidationError) as error:
        services.principle_create(actor=cast.superuser, organisation=org, code="basic", name="Nog eens")
    assert "code" in error.value.message_dict


def test_it_replaces_a_principles_texts_in_order_or_not_at_all(cast, org):
    principle = Principle.objects.get(organisation=org, code="governance")
    services.principle_set_texts(
        actor=cast.superuser,
        principle=principle,
        controls=[
            {"kind": "hard", "text": "Mandaatregeling", "text_en": "Mandate rules"},
            {"kind": "soft", "text": "Aanspreekcultuur", "text_en": ""},
            {"kind": "hard", "text": "RACI-matrix", "text_en": "RACI matrix"},
        ],
        questions=[{"text": "Wie beslist?", "text_en": "Who decides?"}],
    )
    hard = list(principle.controls.filter(kind=ControlKind.HARD).order_by("position").values_list("text", flat=True))
    assert hard == ["Mandaatregeling", "RACI-matrix"]
    assert list(principle.questions.values_list("text", flat=True)) == ["Wie beslist?"]
    before = list(PrincipleControl.objects.filter(principle=principle).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as error:
        services.principle_set_texts(
            actor=cast.superuser,
            principle=principle,
            controls=[{"kind": "hard", "text": "Goed"}, {"kind": "medium", "text": "Fout"}],
            questions=[],
        )
    assert "controls" in error.value.message_dict
    assert list(PrincipleControl.objects.filter(principle=principle).values_list("pk", flat=True)) == before
    assert principle.questions.count() == 1
