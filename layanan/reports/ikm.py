"""The survey's IKM (Permenpan RB 14/2017), one clearly separated part of every report.

The survey app (layanan/survey) answers `queries.ikm_summary(*, region_id, agency_id,
unit_id, service_id, start, end) -> IkmSummary | None` with respondents, nrr, ikm, converted,
category, category_label, population, minimum_sample and adequate. Until that app is
installed every report says "Belum ada survei"; nothing else depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from . import periods
from .metrics import fmt_num

NO_SURVEY = "Belum ada survei"


def _summary_function():
    if not apps.is_installed("layanan.survey"):
        return None
    try:
        from layanan.survey.queries import ikm_summary
    except ImportError:
        return None
    return ikm_summary


def available() -> bool:
    return _summary_function() is not None


@dataclass(frozen=True)
class Ikm:
    """What a report prints of an IkmSummary (None fields: not measured)."""

    respondents: int
    converted: float | None
    category: str
    category_label: str
    minimum_sample: int | None
    adequate: bool | None
    nrr: tuple = ()

    @property
    def text(self) -> str:
        if self.converted is None:
            return NO_SURVEY
        return f"{fmt_num(self.converted, 2)} ({self.category} — {self.category_label})"


def summary(
    period: periods.Period, *, region_id=None, agency_id=None, unit_id=None, service_id=None
) -> Ikm | None:
    """The IKM of the scope over the period (local dates), or None without a survey or answers."""
    function = _summary_function()
    if function is None:
        return None
    found = function(
        region_id=region_id,
        agency_id=agency_id,
        unit_id=unit_id,
        service_id=service_id,
        start=period.start,
        end=period.last_day,
    )  # the survey takes both days included
    return _ikm(found)


def summaries_by_agency(period: periods.Period, agency_ids) -> dict:
    """{agency id: Ikm} over the period for the agencies with answers (one query, not one per agency)."""
    if not available():
        return {}
    from layanan.survey.queries import ikm_summaries_by_agency

    found = ikm_summaries_by_agency(agency_ids, start=period.start, end=period.last_day)
    return {pk: row for pk, row in ((pk, _ikm(f)) for pk, f in found.items()) if row is not None}


def _ikm(found) -> Ikm | None:
    if found is None or not getattr(found, "respondents", 0):
        return None
    nrr = getattr(found, "nrr", ()) or ()
    if isinstance(nrr, dict):
        nrr = tuple(sorted(nrr.items()))
    return Ikm(
        respondents=int(found.respondents),
        converted=None if found.converted is None else float(found.converted),
        category=str(getattr(found, "category", "") or ""),
        category_label=str(getattr(found, "category_label", "") or ""),
        minimum_sample=getattr(found, "minimum_sample", None),
        adequate=getattr(found, "adequate", None),
        nrr=tuple(nrr),
    )


def for_selection(sel) -> Ikm | None:
    return summary(sel.period, **_keys(sel))


def _keys(sel) -> dict:
    keys = {}
    if sel.agency is not None or sel.scope.level != "region":
        keys["agency_id"] = sel.agency.pk if sel.agency else sel.scope.agency.pk
    else:
        keys["region_id"] = sel.scope.region.pk
    if sel.unit is not None:
        keys["unit_id"] = sel.unit.pk
    elif sel.scope.roots:
        keys["unit_id"] = sel.scope.roots[0]  # a unit head: the unit they head
    if sel.service is not None:
        keys["service_id"] = sel.service.pk
    return keys


def trend(sel, months: int = 12) -> list[tuple[str, Ikm | None]]:
    """The IKM of each month of the selection's period (at most `months`, the latest)."""
    if not available():
        return []
    out = []
    for month in periods.months_between(sel.period.start, sel.period.end)[-months:]:
        out.append((month.label, summary(month, **_keys(sel))))
    return out
