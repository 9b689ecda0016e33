"""Monthly figures of each agency, stored once a month has ended (the daily/monthly rollup).

A complete month is made only of immutable facts (arrivals, Resolution rows, withdrawals), so
its figures are computed once — by the nightly task or by the first page that needs them —
and then read from `MonthlyStat`. The running month is computed live (and cached briefly).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from . import periods, queries
from .models import MonthlyStat

FIELDS = [
    "received",
    "finished",
    "rejected",
    "withdrawn",
    "with_promise",
    "met",
    "breached",
    "median_days",
    "p90_days",
    "complaints_received",
    "complaints_finished",
    "complaints_met",
    "complaints_with_promise",
    "channels",
]
LIVE_SECONDS = 300


def today(agency) -> date:
    return timezone.now().astimezone(ZoneInfo(agency.timezone)).date()


def _rows(agency, month: periods.Period, figures: dict) -> list[MonthlyStat]:
    return [
        MonthlyStat(agency=agency, month=month.start, service_id=key, **{f: values[f] for f in FIELDS})
        for key, values in figures.items()
    ]


def live(agency, month: periods.Period) -> dict:
    key = f"reports:month:{agency.pk}:{month.slug}"
    found = cache.get(key)
    if found is None:
        found = {k: _rows(agency, month, {k: v})[0] for k, v in queries.month_figures(agency, month).items()}
        cache.set(key, found, LIVE_SECONDS)
    return found


def store_month(agency, month: periods.Period, *, replace: bool = False) -> int:
    """Compute and store one complete month (no-op when stored, unless `replace`)."""
    if replace:
        MonthlyStat.objects.filter(agency=agency, month=month.start).delete()
    elif MonthlyStat.objects.filter(agency=agency, month=month.start, service__isnull=True).exists():
        return 0
    rows = _rows(agency, month, queries.month_figures(agency, month))
    MonthlyStat.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def months(agency, wanted: list[periods.Period]) -> dict:
    """{month start: {None: MonthlyStat (agency), service id: MonthlyStat}} for each wanted month; ended
    months from the store (computed when missing), the running one live, future ones empty."""
    now_day = today(agency)
    ended = [m for m in wanted if m.end <= now_day]
    stored: dict = {}
    for stat in MonthlyStat.objects.filter(agency=agency, month__in=[m.start for m in ended]):
        stored.setdefault(stat.month, {})[stat.service_id] = stat
    out = {}
    for month in wanted:
        if month.end <= now_day:
            if month.start not in stored or None not in stored[month.start]:
                store_month(agency, month)
                stored[month.start] = {
                    s.service_id: s for s in MonthlyStat.objects.filter(agency=agency, month=month.start)
                }
            out[month.start] = stored[month.start]
        elif month.start <= now_day:
            out[month.start] = live(agency, month)
        else:
            out[month.start] = {}
    return out


def last_months(agency, n: int = 12, *, include_current: bool = True) -> list[periods.Period]:
    current = periods.containing("month", today(agency))
    out, month = [], current if include_current else periods.previous("month", today(agency))
    for _i in range(n):
        out.append(month)
        month = periods.previous("month", month.start)
    return list(reversed(out))


def store_ended(now=None) -> int:
    """The nightly job: store every ended month of the last year that is missing, for every agency."""
    from layanan.agencies.models import Agency

    n = 0
    for agency in Agency.objects.all():
        for month in last_months(agency, 12, include_current=False):
            n += store_month(agency, month)
    return n
