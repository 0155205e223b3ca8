"""The maturity reports: per organisation and year (the mean calibrated maturity per principle over
the audited units, rounded half up to a whole level as the source reports it, with exact mean, min, max,
number of units and the distribution of levels), the common threads (themes recurring in two or more
units), year-on-year per principle and per unit over years. Each costs a constant number of queries,
whatever the number of units, assessors and years (``benchmark_audits``)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def level_half_up(mean: Decimal) -> int:
    """A mean rounded to a whole level half up (2.5 -> 3), as the source reports it."""
    return int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PrincipleMaturity:
    principle_id: int
    principle: object  # the Principle
    average: Decimal  # exact mean of the units' calibrated scores
    level: int  # average rounded half up
    min: int
    max: int
    units: int
    distribution: dict[int, int]  # level -> number of units


def maturity_by_principle(*, organisation, year: int) -> list[PrincipleMaturity]:
    """One entry per principle with calibrated scores in the organisation's audits of ``year``, in the
    principles' order. Callers check the organisation is visible first."""
    raise NotImplementedError
