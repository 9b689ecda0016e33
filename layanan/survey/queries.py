"""Read side of the survey: the index per service / unit / agency / region and period, computed
from sums and counts aggregated in SQL over the day totals (rollups.py: one query per scope and
period, a few thousand rows for a region × year), with the sample size.

`ikm_summary()` is the stable entry point for other apps (dashboards, the reports issue):

    from layanan.survey.queries import ikm_summary
    summary = ikm_summary(agency_id=7, start=date(2026, 1, 1), end=date(2026, 6, 30))

A unit includes the units below it (a bidang includes its seksi): a response belongs to the unit
its service had when it was answered. Dates are the agency's local dates, both ends included.
Population (for the Krejcie–Morgan minimum) = the scope's requests delivered in the period:
state resolved or closed, resolved (else closed) on a local date in [start, end].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from . import ikm
from .ikm import CODES
from .models import DailyTotal, DeliveredRequest, FollowUp, SurveyResponse
from .periods import MONTH, Period, period_of
from .questionnaire import PROFILE

_AGGREGATES = {
    "n": Sum("respondents"),
    **{f"s_{c}": Sum(f"s{i}") for i, c in enumerate(CODES, start=1)},
    **{f"c_{c}": Sum(f"c{i}") for i, c in enumerate(CODES, start=1)},
}


@dataclass(frozen=True)
class IkmSummary:
    """The survey result of one scope and period (exact Fractions; float() them to chart)."""

    respondents: int
    nrr: dict  # "U1".."U9" -> Fraction (1–4)
    ikm: Fraction  # mean of the nine NRR (1–4), unrounded
    converted: Fraction  # ikm × 25, unrounded
    category: str  # "A".."D" (on `converted` rounded to two decimals)
    category_label: str  # "Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik" (translated)
    population: int  # requests delivered in the period
    minimum_sample: int  # Krejcie–Morgan for `population`
    adequate: bool  # respondents >= minimum_sample
    converted_rounded: Decimal = Decimal("0")  # two decimals, as printed
    answers: dict = field(default_factory=dict)  # "U1".. -> answers to that element
    sums: dict = field(default_factory=dict)  # "U1".. -> sum of the scores


# ---------------------------------------------------------------- scope


def _unit_ids(unit_id: int) -> list[int]:
    from layanan.agencies.models import Unit

    from .access import subtree

    agency_id = Unit.objects.filter(pk=unit_id).values_list("agency_id", flat=True).first()
    if agency_id is None:
        return []
    return sorted(subtree(agency_id, {unit_id}))


def response_filter(*, region_id=None, agency_id=None, unit_id=None, service_id=None, unit_ids=None) -> Q:
    q = Q()
    if region_id is not None:
        q &= Q(region_id=region_id)
    if agency_id is not None:
        q &= Q(agency_id=agency_id)
    if unit_id is not None:
        q &= Q(unit_id__in=_unit_ids(unit_id))
    if unit_ids is not None:
        q &= Q(unit_id__in=sorted(unit_ids))
    if service_id is not None:
        q &= Q(service_id=service_id)
    return q


def _parts(row) -> tuple[dict, dict, int]:
    sums = {c: row[f"s_{c}"] or 0 for c in CODES}
    answers = {c: row[f"c_{c}"] or 0 for c in CODES}
    return sums, answers, row["n"] or 0


def totals(q: Q, start: date, end: date) -> tuple[dict, dict, int]:
    """(sums, answers, respondents) of the scope `q` in [start, end]: one query over the day totals."""
    row = DailyTotal.objects.filter(q, day__gte=start, day__lte=end).aggregate(**_AGGREGATES)
    return _parts(row)


def totals_by(q: Q, start: date, end: date, key: str) -> dict:
    """{key value: (sums, answers, respondents)} grouped by `key` ("unit_id", "service_id"…)."""
    rows = (
        DailyTotal.objects.filter(q, day__gte=start, day__lte=end)
        .order_by()
        .values(key)
        .annotate(**_AGGREGATES)
    )
    return {row[key]: _parts(row) for row in rows}


def totals_by_month(q: Q, start: date, end: date) -> dict:
    """{first day of month: (sums, answers, respondents)}."""
    rows = (
        DailyTotal.objects.filter(q, day__gte=start, day__lte=end)
        .annotate(month=TruncMonth("day"))
        .order_by()
        .values("month")
        .annotate(**_AGGREGATES)
    )
    result = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        result[month] = _parts(row)
    return result


def population(
    *, region_id=None, agency_id=None, unit_id=None, service_id=None, start: date, end: date
) -> int:
    """Requests of the scope delivered (resolved or closed) on a local day in [start, end]."""
    q = response_filter(region_id=region_id, agency_id=agency_id, unit_id=unit_id, service_id=service_id)
    return DeliveredRequest.objects.filter(q, day__gte=start, day__lte=end).count()


def summarise(parts: tuple[dict, dict, int], *, population_count: int = 0) -> IkmSummary | None:
    """An IkmSummary from (sums, answers, respondents) and the period's population."""
    sums, answers, respondents = parts
    result = ikm.compute(sums, answers, respondents)
    if result is None:
        return None
    minimum = ikm.minimum_sample(population_count)
    return IkmSummary(
        respondents=result.respondents,
        nrr=result.nrr,
        ikm=result.ikm,
        converted=result.converted,
        category=result.category,
        category_label=_(result.category_label),
        population=population_count,
        minimum_sample=minimum,
        adequate=result.respondents >= minimum,
        converted_rounded=result.converted_rounded,
        answers=result.answers,
        sums=result.sums,
    )


def ikm_summary(
    *, region_id=None, agency_id=None, unit_id=None, service_id=None, start: date, end: date
) -> IkmSummary | None:
    """The IKM of a scope (any combination of region / agency / unit / service; none = everything)
    between two local dates, both included; None when no element can be computed (no answers)."""
    scope = {"region_id": region_id, "agency_id": agency_id, "unit_id": unit_id, "service_id": service_id}
    parts = totals(response_filter(**scope), start, end)
    if parts[2] == 0:
        return None
    return summarise(parts, population_count=population(**scope, start=start, end=end))


def ikm_summaries_by_agency(agency_ids, *, start: date, end: date) -> dict:
    """{agency id: what ikm_summary(agency_id=…, start, end) answers} for the agencies with answers,
    in two grouped queries (the region dashboard's table)."""
    ids = sorted(agency_ids)
    grouped = totals_by(Q(agency_id__in=ids), start, end, "agency_id")
    populations = dict(
        DeliveredRequest.objects.filter(agency_id__in=ids, day__gte=start, day__lte=end)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    return {
        pk: summarise(parts, population_count=populations.get(pk, 0))
        for pk, parts in grouped.items()
        if parts[2]
    }


# ---------------------------------------------------------------- tables of a period


@dataclass
class Row:
    """One line of a results table: a unit, a service or an agency."""

    key: object
    name: str
    summary: IkmSummary | None
    respondents: int
    lowest: list = field(default_factory=list)
    depth: int = 0
    code: str = ""


def unit_rows(agency, period: Period, *, units: set | None = None) -> list[Row]:
    """Every unit with answers in its subtree, in tree order, its three lowest elements flagged."""
    from layanan.agencies.models import Unit

    from .services import element_order

    direct = totals_by(Q(agency_id=agency.pk), period.start, period.end, "unit_id")
    all_units = list(
        Unit.objects.filter(agency=agency).order_by("name").values_list("id", "name", "parent_id")
    )
    parents = {pk: parent for pk, _name, parent in all_units}
    rolled: dict[int, list] = {}
    for unit_id, parts in direct.items():
        seen = set()
        current = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            rolled.setdefault(current, []).append(parts)
            current = parents.get(current)
    order = element_order(agency)
    children: dict = {}
    for pk, name, parent in all_units:
        children.setdefault(parent, []).append((pk, name))
    rows: list[Row] = []

    def walk(parent, depth):
        for pk, name in children.get(parent, []):
            if pk in rolled and (units is None or pk in units):
                summary = summarise(ikm.merge(*rolled[pk]))
                rows.append(
                    Row(
                        key=pk,
                        name=name,
                        summary=summary,
                        depth=depth,
                        respondents=sum(p[2] for p in rolled[pk]),
                        lowest=ikm.lowest(summary.nrr, 3, order) if summary else [],
                    )
                )
            walk(pk, depth + 1)

    walk(None, 0)
    if units is None and None in direct:
        summary = summarise(direct[None])
        rows.append(
            Row(
                key=None,
                name=_("(layanan tanpa unit)"),
                summary=summary,
                respondents=direct[None][2],
                lowest=ikm.lowest(summary.nrr, 3, order) if summary else [],
            )
        )
    return rows


def service_rows(agency, period: Period, *, units: set | None = None) -> list[Row]:
    from layanan.standards.models import Service

    q = Q(agency_id=agency.pk) & (Q() if units is None else Q(unit_id__in=sorted(units)))
    grouped = totals_by(q, period.start, period.end, "service_id")
    names = dict(Service.objects.filter(pk__in=list(grouped)).values_list("id", "name"))
    rows = [
        Row(key=pk, name=names.get(pk, "?"), summary=summarise(parts), respondents=parts[2])
        for pk, parts in grouped.items()
    ]
    return sorted(rows, key=lambda r: r.name)


def agency_rows(region_id: int, period: Period) -> list[Row]:
    """Each agency of a region with its IKM and adequacy (the overseer's table)."""
    from layanan.agencies.models import Agency

    grouped = totals_by(Q(region_id=region_id), period.start, period.end, "agency_id")
    agencies = list(Agency.objects.filter(region_id=region_id).order_by("name"))
    # Every agency's population in one grouped query (what population(agency_id=…) counts for each).
    populations = dict(
        DeliveredRequest.objects.filter(
            agency_id__in=[a.pk for a in agencies], day__gte=period.start, day__lte=period.end
        )
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    rows = []
    for agency in agencies:
        parts = grouped.get(agency.pk)
        summary = None
        if parts:
            summary = summarise(parts, population_count=populations.get(agency.pk, 0))
        rows.append(
            Row(
                key=agency.pk,
                name=agency.name,
                summary=summary,
                code=agency.code,
                respondents=parts[2] if parts else 0,
            )
        )
    return rows


@dataclass
class TrendPoint:
    period: Period
    summary: IkmSummary | None
    respondents: int


def trend(periods: list[Period], **scope) -> list[TrendPoint]:
    """The IKM of each period (consecutive, oldest first) from one query grouped by month."""
    if not periods:
        return []
    by_month = totals_by_month(response_filter(**scope), periods[0].start, periods[-1].end)
    points = []
    for period in periods:
        parts = [by_month[m.start] for m in period.months() if m.start in by_month]
        merged = ikm.merge(*parts)
        points.append(TrendPoint(period=period, summary=summarise(merged), respondents=merged[2]))
    return points


# ---------------------------------------------------------------- answers, suggestions, profile


def responses(agency_id: int, period: Period, *, units: set | None = None):
    """The period's responses of an agency, as staff may see them (never the request)."""
    q = Q(agency_id=agency_id) & (Q() if units is None else Q(unit_id__in=sorted(units)))
    return (
        SurveyResponse.objects.filter(q, answered_on__gte=period.start, answered_on__lte=period.end)
        .select_related("service", "unit")
        .defer("request", "form_token", "kiosk", "entered_by")
        .order_by("answered_at", "id")
    )


def suggestions(agency_id: int, period: Period, *, units: set | None = None):
    return responses(agency_id, period, units=units).exclude(suggestion="").order_by("-answered_at", "-id")


def profile_tables(agency_id: int, period: Period, *, units: set | None = None) -> list[dict]:
    """Respondents per sex, age band, education and occupation (counts and shares)."""
    base = SurveyResponse.objects.filter(
        agency_id=agency_id, answered_on__gte=period.start, answered_on__lte=period.end
    )
    if units is not None:
        base = base.filter(unit_id__in=sorted(units))
    tables = []
    for name, label, choices in PROFILE:
        counts = dict(base.order_by().values_list(name).annotate(n=Count("id")))
        total = sum(counts.values())
        rows = [(choice_label, counts.get(value, 0)) for value, choice_label in choices.choices]
        if counts.get(None):
            rows.append((_("tidak diisi"), counts[None]))
        tables.append(
            {
                "field": name,
                "label": label,
                "total": total,
                "rows": [(text, n, Fraction(n, total) if total else Fraction(0)) for text, n in rows],
            }
        )
    return tables


def follow_ups(agency_id: int, *, period: str | None = None, unit_id=None, units: set | None = None):
    q = Q(agency_id=agency_id)
    if period:
        q &= Q(period=period)
    if unit_id is not None:
        q &= Q(unit_id=unit_id)
    if units is not None:
        q &= Q(unit_id__in=sorted(units))
    return FollowUp.objects.filter(q).select_related("unit")


def paper_count(user, day: date) -> int:
    """Paper forms `user` typed in on `day` (their running count)."""
    return SurveyResponse.objects.filter(
        entered_by=user, channel="paper", answered_on__isnull=False, created_at__date=day
    ).count()


def current_period(agency, today: date) -> Period:
    from .services import config_of

    return period_of(config_of(agency).period_kind, today)


__all__ = ["IkmSummary", "ikm_summary", "MONTH"]
