"""Who sees which figures, and the selection a page computes them over.

* The agency head, the secretary and the agency admin: the whole agency.
* A unit head: the units they head and every unit below them.
* The region's overseer and auditor: every agency of their region, as numbers only — no
  subjects, no notes, no tracking codes (DESIGN §1: never citizens' personal data).
* Everyone else: 404 (core.decorators.role_required).

Agencies and units are looked up through core.tenancy, like every staff lookup.

"The unit of a request" in every report is the unit responsible for its service
(Service.unit), or — for a service that names no unit — the unit the request is assigned to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from layanan.accounts.roles import AGENCY_WIDE, REGION_WIDE, Role
from layanan.agencies.models import Agency, Region, Unit
from layanan.agencies.queries import unit_subtree
from layanan.core.tenancy import scoped
from layanan.requests import access
from layanan.standards.models import Service

from .periods import Period

AGENCY_ROLES = tuple(AGENCY_WIDE)  # head, secretary, agency admin
DASHBOARD_ROLES = (*AGENCY_WIDE, Role.UNIT_HEAD)  # the agency / unit dashboard
REGION_ROLES = tuple(REGION_WIDE)  # overseer, auditor


@dataclass
class Scope:
    level: str  # "agency", "unit" or "region"
    region: Region
    agencies: list[Agency]
    units: frozenset | None = None  # a unit head's subtree (None: no restriction)
    personal: bool = False  # lists naming requests (subjects, notes): agency staff only
    roots: tuple = ()  # the units a unit head heads (the top of `units`)

    @property
    def agency(self) -> Agency | None:
        return self.agencies[0] if self.level != "region" else None

    @property
    def agency_ids(self) -> list[int]:
        return [a.pk for a in self.agencies]

    @property
    def tz(self) -> str:
        """The scope's timezone: the agency's, or the one most of the region's agencies use."""
        if not self.agencies:
            return "Asia/Jakarta"
        return Counter(a.timezone for a in self.agencies).most_common(1)[0][0]


def agency_scope(user) -> Scope:
    """The agency (or unit subtree) dashboard of `user`; Http404 when they have none."""
    if user.agency_id is None:
        raise Http404
    agency = (
        scoped(Agency.objects.select_related("region"), user, region_wide=False)
        .filter(pk=user.agency_id)
        .first()
    )
    if agency is None:
        raise Http404
    roles = access.roles_of(user)
    if user.is_superuser or roles & AGENCY_WIDE:
        return Scope("agency", agency.region, [agency], None, personal=True)
    if Role.UNIT_HEAD in roles:
        heads = access.unit_ids_of(user, {Role.UNIT_HEAD})
        return Scope(
            "unit",
            agency.region,
            [agency],
            frozenset(unit_subtree(heads, agency.pk)),
            personal=True,
            roots=tuple(sorted(heads)),
        )
    raise Http404


def region_scope(user) -> Scope:
    region_id = user.scope_region_id
    if not region_id or not (user.is_superuser or user.has_role(*REGION_ROLES)):
        raise Http404
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise Http404
    agencies = list(scoped(Agency.objects.filter(region=region), user).order_by("name"))
    return Scope("region", region, agencies, None, personal=False)


# ---------------------------------------------------------------- the selection of a page


@dataclass
class Selection:
    """A scope narrowed by the page's filters, over a period."""

    scope: Scope
    period: Period
    unit: Unit | None = None
    service: Service | None = None
    channel: str = ""
    agency: Agency | None = None  # the region view narrowed to one agency
    service_ids: tuple | None = None  # a report of some services only (its standards' schedule)
    request_id: int | None = None  # an evaluation after one case
    _services: list | None = field(default=None, repr=False)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # one scan, several sections
    use_cache: bool = False  # the dashboards share their scans through the cache (queries._cached)

    @property
    def agency_ids(self) -> list[int]:
        return [self.agency.pk] if self.agency else self.scope.agency_ids

    @property
    def tz(self) -> str:
        return self.agency.timezone if self.agency else self.scope.tz

    @property
    def bounds(self):
        return self.period.bounds(self.tz)

    @property
    def units(self) -> frozenset | None:
        """The reporting units the figures are restricted to (None: all)."""
        chosen = None
        if self.unit is not None:
            chosen = frozenset(unit_subtree({self.unit.pk}, self.unit.agency_id))
        if self.scope.units is None:
            return chosen
        return self.scope.units if chosen is None else chosen & self.scope.units

    def services(self) -> list[tuple[int, int | None]]:
        """(id, unit id) of every service of the selected agencies."""
        if self._services is None:
            self._services = list(
                Service.objects.filter(agency_id__in=self.agency_ids).values_list("id", "unit_id")
            )
        return self._services

    def request_q(self, prefix: str = "") -> Q:
        """The selection (without the period) as a filter over requests.Request (`prefix`: from a model
        that points at the request, e.g. "request__")."""

        def q(**lookups):
            return Q(**{prefix + k: v for k, v in lookups.items()})

        out = q(agency_id__in=self.agency_ids)
        if self.request_id is not None:
            out &= q(pk=self.request_id)
        if self.service is not None:
            out &= q(service_id=self.service.pk)
        if self.service_ids is not None:
            out &= q(service_id__in=list(self.service_ids))
        if self.channel:
            out &= q(channel=self.channel)
        units = self.units
        if units is not None:
            owned = [pk for pk, unit in self.services() if unit in units]
            unowned = [pk for pk, unit in self.services() if unit is None]
            out &= q(service_id__in=owned) | q(service_id__in=unowned, assigned_unit_id__in=sorted(units))
        return out

    def resolution_q(self) -> Q:
        """The selection (without the period) as a filter over reports.Resolution."""
        q = Q(agency_id__in=self.agency_ids)
        if self.request_id is not None:
            q &= Q(request_id=self.request_id)
        if self.service is not None:
            q &= Q(service_id=self.service.pk)
        if self.service_ids is not None:
            q &= Q(service_id__in=list(self.service_ids))
        if self.channel:
            q &= Q(channel=self.channel)
        units = self.units
        if units is not None:
            q &= Q(unit_id__in=sorted(units))
        return q

    def signature(self) -> str:
        """Everything that decides the figures, as a short cache key."""
        import hashlib

        parts = [
            self.agency_ids,
            sorted(self.units) if self.units is not None else None,
            self.service.pk if self.service else None,
            list(self.service_ids or []),
            self.channel,
            self.request_id,
            self.period.start.isoformat(),
            self.period.end.isoformat(),
            self.tz,
            self.period.bucket(),
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
