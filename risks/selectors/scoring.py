"""Reads of the monthly risk score that need shaping: an organisation's trend, the latest totals and
their change, the group comparison, an investigation's follow-up."""

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from qms.models import TrainingAssignment
from qms.periods import month_shift, previous_month
from risks.models import AreaScore, MonthlyScore, ScoreArea
from risks.models.scoring import is_drop


def investigation_follow_up(investigation, months: int = 6) -> dict:
    """The area's scores in the months after the drop, and whether (and when) it recovered to the
    score before the drop."""
    scores = list(
        AreaScore.objects.filter(area=investigation.area, monthly__month__gt=investigation.month)
        .select_related("monthly")
        .order_by("monthly__month")[:months]
    )
    recovered_in = next(
        (score.monthly.month for score in scores if not is_drop(score.score, investigation.previous_score)), None
    )
    return {
        "scores": [(score.monthly.month, score.score) for score in scores],
        "recovered": recovered_in is not None,
        "recovered_in": recovered_in,
    }


def total_change(latest: MonthlyScore | None, previous: MonthlyScore | None):
    """The change of the total from ``previous`` to ``latest``: only when ``previous`` is the month just
    before and both are complete (have a total); else None."""
    if latest is None or previous is None or latest.total is None or previous.total is None:
        return None
    if previous.month != month_shift(latest.month, -1):
        return None
    return latest.total - previous.total


def score_trend(organisation, months: int = 24) -> dict:
    """An organisation's ``months`` calendar months up to its latest month with scores (three queries):
    per month its ``MonthlyScore`` or None (a month nobody entered shows as a gap, not skipped), each
    area's scores and contributions (None where there is none), the latest complete month and its
    change from the month before (``total_change``)."""
    latest = MonthlyScore.objects.filter(organisation=organisation).order_by("-month").values_list("month", flat=True)
    end = latest.first()
    calendar = [month_shift(end, index - months + 1) for index in range(months)] if end else []
    stored = {
        monthly.month: monthly for monthly in MonthlyScore.objects.filter(organisation=organisation, month__in=calendar)
    }
    monthly = [stored.get(month) for month in calendar]
    # Before the first month with scores there is nothing to show: the trend starts there.
    while monthly and monthly[0] is None:
        calendar, monthly = calendar[1:], monthly[1:]
    areas = list(ScoreArea.objects.filter(organisation=organisation).order_by("position", "id"))
    by_month_area = {
        (score.monthly_id, score.area_id): score
        for score in AreaScore.objects.filter(monthly__in=[month for month in monthly if month])
    }

    def cell(month, area, attribute):
        score = by_month_area.get((month.pk, area.pk)) if month else None
        return getattr(score, attribute) if score else None

    complete = [month for month in monthly if month and month.total is not None]
    latest_complete = complete[-1] if complete else None
    return {
        "calendar": calendar,
        "months": monthly,
        "areas": areas,
        "series": {area.code: [cell(month, area, "score") for month in monthly] for area in areas},
        "contributions": {area.code: [cell(month, area, "contribution") for month in monthly] for area in areas},
        "latest": latest_complete,
        "change": total_change(latest_complete, complete[-2] if len(complete) > 1 else None),
    }


def training_years(organisation) -> set[int]:
    """The years in which the organisation has mandatory courses with people assigned: the training
    area's score can only be derived in those years (one query)."""
    return set(
        TrainingAssignment.objects.filter(course__organisation=organisation, course__is_mandatory=True)
        .values_list("year", flat=True)
        .distinct()
    )


def latest_totals(organisation_ids) -> dict[int, dict]:
    """Per organisation its latest complete month (one with a total), and the change from the month
    before when that month is complete too (one query, whatever the number of organisations)."""
    rows = (
        MonthlyScore.objects.filter(organisation_id__in=organisation_ids, total__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("organisation_id")], order_by=F("month").desc()))
        .filter(rank__lte=2)
        .order_by("organisation_id", "-month")
    )
    result: dict[int, dict] = {}
    for monthly in rows:
        entry = result.get(monthly.organisation_id)
        if entry is None:
            result[monthly.organisation_id] = {"latest": monthly, "previous": None, "change": None}
        elif monthly.month == month_shift(entry["latest"].month, -1):
            entry["previous"] = monthly
            entry["change"] = total_change(entry["latest"], monthly)
    return result


def group_comparison(organisations, months: int = 12) -> dict:
    """The organisations side by side over the last ``months`` months up to the latest month any of
    them has a total for (two queries): their totals per month and their latest figures."""
    organisations = list(organisations)
    ids = [organisation.pk for organisation in organisations]
    latest = latest_totals(ids)
    end = max((entry["latest"].month for entry in latest.values()), default=previous_month())
    calendar = [month_shift(end, index - months + 1) for index in range(months)]
    totals = {
        (monthly.organisation_id, monthly.month): monthly
        for monthly in MonthlyScore.objects.filter(organisation_id__in=ids, month__in=calendar)
    }
    return {
        "months": calendar,
        "organisations": [
            {
                "organisation": organisation,
                "latest": latest.get(organisation.pk),
                "series": [totals.get((organisation.pk, month)) for month in calendar],
            }
            for organisation in organisations
        ],
    }
