"""Which finished requests have outlived their agency's retention period, and anonymising them.

The periods are per agency and per kind (Agency.retention_days…): complaints
and information/data requests may differ from the rest. A request's period
counts from when it was finished (closed_at, else resolved_at), and never ends
inside the window in which it may still be reopened. The write itself is
requests.lifecycle.anonymise(), one request per transaction, so the desk is
never blocked for long.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from layanan.agencies.models import Agency
from layanan.requests import lifecycle
from layanan.requests.models import OPEN_STATES, GuestBookEntry, Kind, Request, State

log = logging.getLogger(__name__)

FINISHED = [s for s in State.values if s not in OPEN_STATES]
INFORMATION_KINDS = [Kind.INFORMATION, Kind.DATA_REQUEST]
BATCH = 200


def _days(days: int) -> int:
    # A request that may still be reopened keeps its applicant.
    return max(days, settings.REQUEST_REOPEN_DAYS)


def cutoffs(agency: Agency, now) -> dict[str, object]:
    """Finished before these instants → due: {"complaint": t, "information": t, "default": t}."""
    return {
        "complaint": now - timedelta(days=_days(agency.retention_days_for(Kind.COMPLAINT))),
        "information": now - timedelta(days=_days(agency.retention_days_for(Kind.INFORMATION))),
        "default": now - timedelta(days=_days(agency.retention_days)),
    }


def due(agency: Agency, now=None):
    """The agency's finished, not yet anonymised requests past their retention period."""
    now = now or timezone.now()
    limit = cutoffs(agency, now)
    return (Request.objects.filter(agency=agency, state__in=FINISHED, anonymised_at__isnull=True)
            .annotate(finished_at=Coalesce("closed_at", "resolved_at", "updated_at"))
            .filter(Q(kind=Kind.COMPLAINT, finished_at__lt=limit["complaint"])
                    | Q(kind__in=INFORMATION_KINDS, finished_at__lt=limit["information"])
                    | (~Q(kind__in=[Kind.COMPLAINT, *INFORMATION_KINDS])
                       & Q(finished_at__lt=limit["default"])))
            .order_by("finished_at", "pk"))


def stale_guests(agency: Agency, now=None):
    """Guest-book lines of visitors without a request, older than the general period, not yet blanked."""
    now = now or timezone.now()
    before = now - timedelta(days=_days(agency.retention_days))
    return (GuestBookEntry.objects.filter(agency=agency, request__isnull=True, time_in__lt=before)
            .exclude(name="", identity_number="", organisation=""))


@dataclass
class Report:
    anonymised: dict = field(default_factory=dict)  # agency code → requests anonymised (or due)
    guests: dict = field(default_factory=dict)  # agency code → guest-book lines blanked (or due)
    failed: int = 0

    @property
    def total(self) -> int:
        return sum(self.anonymised.values())


def run(*, now=None, dry_run: bool = False, agency: Agency | None = None, batch: int = BATCH) -> Report:
    """Anonymise every request past its period (or, with dry_run, count them)."""
    now = now or timezone.now()
    report = Report()
    agencies = [agency] if agency else Agency.objects.order_by("code")
    for current in agencies:
        selection = due(current, now)
        guests = stale_guests(current, now)
        if dry_run:
            report.anonymised[current.code] = selection.count()
            report.guests[current.code] = guests.count()
            continue
        done, skipped = 0, set()
        while True:
            ids = list(selection.exclude(pk__in=skipped).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            for pk in ids:
                try:
                    if lifecycle.anonymise(pk, now=now, reason="retention"):
                        done += 1
                    else:
                        skipped.add(pk)
                except lifecycle.LifecycleError:  # reopened meanwhile: its time has not come
                    skipped.add(pk)
                except Exception:  # one bad row must not stop the night's work
                    log.exception("anonymising request %s failed", pk)
                    skipped.add(pk)
                    report.failed += 1
        report.anonymised[current.code] = done
        report.guests[current.code] = guests.update(name="", identity_number="", organisation="")
        if done:
            log.info("retention: %s requests of %s anonymised", done, current.code)
    return report
