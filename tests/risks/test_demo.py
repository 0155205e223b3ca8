from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from qms.demo import seed_core
from risks import demo
from risks.models import Investigation, MonthlyScore, Risk, RiskApproval


def test_the_demo_has_about_forty_risks_in_every_state(db):
    demo.seed(seed_core())
    statuses = Counter(Risk.objects.values_list("status", flat=True))
    assert Risk.objects.count() == 40
    assert {"draft", "awaiting_approval", "approved", "accepted", "rejected", "changes_requested"} <= set(statuses)
    pending = Counter(RiskApproval.objects.pending().values_list("body", flat=True))
    assert pending["group"] == 1
    assert pending["board"] >= 3
    assert Risk.objects.with_overdue_measures().exists()
    assert Risk.objects.review_overdue().exists()
    assert Risk.objects.without_plan().exists()
    assert set(Risk.objects.values_list("organisation__code", flat=True)) == {"NHS", "NHD"}


def test_the_demo_has_24_closed_months_of_scores_and_investigations_in_every_state(db):
    demo.seed(seed_core())
    for code in ("NHS", "NHD"):
        months = MonthlyScore.objects.filter(organisation__code=code)
        assert months.count() == 24
        assert not months.filter(total__isnull=True).exists()
        assert not months.exclude(status="closed").exists()
    latest = MonthlyScore.objects.filter(organisation__code="NHS").order_by("-month").first()
    assert (latest.vasp_level, latest.visp_level) == ("gold", "platinum")
    assert set(Investigation.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert Investigation.objects.filter(status="open", due_date__lt=timezone.localdate()).exists()


def test_seeding_the_demo_twice_adds_no_risks(db):
    call_command("seed_demo", verbosity=0)
    counts = (Risk.objects.count(), RiskApproval.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Risk.objects.count(), RiskApproval.objects.count()) == counts
