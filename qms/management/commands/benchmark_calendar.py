"""How long the service calendar takes (SPEC 5.1: cheap, cost by days spanned, never by minutes).

    python manage.py benchmark_calendar [--calls 10000]

Pure computation on a loaded calendar (default week, a closed day of its own, the public holidays):
``add(start, 42.5 h)`` and ``between`` over the same span, from random starts over 2026-2027 (changes of
clock and holidays included), and once for a year of service time. Prints the mean per call; asserts
nothing.
"""

import datetime
import random
import time
import zoneinfo

from django.core.management.base import BaseCommand

from qms import benchmark
from qms.calendar import Calendar


class Command(BaseCommand):
    help = "Time the service calendar's add and between (microseconds per call)."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=10_000)

    def handle(self, *args, calls, **options):
        benchmark.require_production_settings(yes=True)  # measure as in production; it writes nothing
        zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
        calendar = Calendar(closed={datetime.date(2026, 5, 15), datetime.date(2027, 5, 7)})
        rng = random.Random(1)
        first = datetime.datetime(2026, 1, 1, tzinfo=zone)
        starts = [first + datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(calls)]
        calendar.add(starts[0], datetime.timedelta(hours=1))  # the holidays of the years, computed once
        for label, duration in (("42.5 h", datetime.timedelta(hours=42.5)), ("a year", datetime.timedelta(hours=2210))):
            began = time.perf_counter()
            ends = [calendar.add(start, duration) for start in starts]
            added = (time.perf_counter() - began) / calls * 1e6
            began = time.perf_counter()
            for start, end in zip(starts, ends, strict=True):
                calendar.between(start, end)
            between = (time.perf_counter() - began) / calls * 1e6
            self.stdout.write(
                f"calendar add({label}): {added:.1f} µs/call; between over the same span: {between:.1f} µs/call "
                f"(mean of {calls} calls)"
            )
