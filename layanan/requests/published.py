"""The published standard behind a service's web form, kept per process (issue 13).

A published version does not change: requests keep the version they started under, and a
change is a new version. Finding it (the standard with its service and agency, the
requirements, the procedure's steps and the service's options) cost three queries and most of
the ORM work of a submission, on every GET and POST of the form. Every process now keeps the
versions it served and checks one small shared value per use: the publish generation in the
shared cache (Redis in production, so every app server sees it).

Any save or delete of a region, agency, unit, service, standard, requirement, step or service
options — on an admin screen, in the Django admin, by the importer — renews the generation (at
once and again after commit, so no process can keep what a transaction was about to change),
and every process loads anew on its next use. The kept agency carries its working calendar
(clock.carry_calendar: the submission's due time needs no calendar check), so a calendar change
renews the generation too. Bulk `QuerySet.update()`s of those tables must call
`changed()` themselves. Receivers are connected in RequestsConfig.ready().

The cached instances are shared by every request a process serves: read them, never change them.
Two things are derived from them and kept on them, living and dying with the kept version: the
agency's calendar (above) and the web form's per-standard fields (`WebRequestForm`, copied for
each form, never handed out themselves).
"""

from django.db import transaction
from django.db.models import F, Prefetch

from layanan.core import generation as shared_generation
from layanan.standards.models import Requirement, ServiceStandard, Step

from . import clock

GENERATION_KEY = "published-standards-generation"
MAX_KEPT = 2000  # services per process; past it the process starts afresh (a bound, not an LRU)

# Per process: {(agency code, service code): (generation, standard)}.
_LOCAL: dict[tuple[str, str], tuple[str, ServiceStandard]] = {}


def generation() -> str:
    """The current publish generation (core/generation.py)."""
    return shared_generation.current(GENERATION_KEY)


def changed() -> None:
    """Something a published standard is made of changed: every process loads anew (now, and
    after the commit that makes the change visible)."""
    _renew()
    transaction.on_commit(_renew, robust=True)


def _renew() -> None:
    shared_generation.renew(GENERATION_KEY)
    _LOCAL.clear()


def published_standard(agency_code: str, service_code: str) -> ServiceStandard | None:
    """The service's published standard with its service, agency, options, requirements and
    steps (in order); None when the agency has no such published service."""
    current = generation()
    key = (agency_code, service_code)
    kept = _LOCAL.get(key)
    if kept is not None and kept[0] == current:
        return kept[1]
    standard = _load(agency_code, service_code)
    if standard is not None:  # unknown addresses are not kept: nobody can fill the memory
        if len(_LOCAL) >= MAX_KEPT:
            _LOCAL.clear()
        _LOCAL[key] = (current, standard)
    return standard


def _load(agency_code: str, service_code: str) -> ServiceStandard | None:
    standard = (ServiceStandard.objects
            .select_related("service", "service__agency", "service__api_options")
            .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.order_by("position")),
                              Prefetch("steps", queryset=Step.objects.order_by("position")))
            .filter(service__agency__code=agency_code, service__code=service_code,
                    service__published_standard=F("pk"))
            .first())
    if standard is not None:
        # The deadline of a submission needs the agency's calendar: kept with the standard (a
        # calendar change renews both, calendar_changed below), it costs the POST no check.
        clock.carry_calendar(standard.service.agency)
    return standard


def part_changed(sender, **kwargs):
    """Receiver: a part of some published standard was saved or deleted."""
    changed()


def calendar_changed(sender, **kwargs):
    """Receiver (after the commit of an agency's calendar change): the kept standards carry
    their agency's calendar (clock.carry_calendar), so they are loaded anew."""
    _renew()
