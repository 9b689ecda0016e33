"""Who may open which survey screen — the survey's one place for it (docs/survey.md "Access").

- The agency's leadership and its admin (head, secretary, agency admin) read everything of their
  agency: results per unit and service, suggestions with their scores, reports, follow-up plans.
- A unit head reads the same for their own units (and the units below them) and records their
  units' follow-up.
- The counter (front desk, operator, handler, unit head, agency admin: accounts.roles.COUNTER_ROLES)
  starts the kiosk, prints the paper questionnaire and types paper forms in.
- The agency admin sets the questionnaire (element order, survey period).
- Region-wide roles (overseer, auditor) see the IKM aggregates of the region's agencies only:
  never a suggestion text, never the answers sheet (free text and a profile row can identify a
  person in a small unit).
- The Django admin is for platform operators; it never shows which request an answer came from.
"""

from __future__ import annotations

from layanan.accounts.roles import COUNTER_ROLES, REGION_WIDE, Role
from layanan.requests.access import roles_of, structure, unit_ids_of

READ_ALL = frozenset({Role.HEAD, Role.SECRETARY, Role.AGENCY_ADMIN})
READ_UNITS = frozenset({Role.UNIT_HEAD})
READERS = READ_ALL | READ_UNITS
COLLECTORS = frozenset(COUNTER_ROLES)
CONFIGURERS = frozenset({Role.AGENCY_ADMIN})
REGION_READERS = frozenset(REGION_WIDE)


def _roles(user) -> set:
    if not getattr(user, "is_authenticated", False):
        return set()
    return roles_of(user)


def reads_agency(user) -> bool:
    """Reads the whole agency's results, suggestions and reports."""
    return bool(user.agency_id) and bool(_roles(user) & READ_ALL)


def reads_results(user) -> bool:
    return bool(user.agency_id) and bool(_roles(user) & READERS)


def collects(user) -> bool:
    return bool(user.agency_id) and bool(_roles(user) & COLLECTORS)


def configures(user) -> bool:
    return bool(user.agency_id) and bool(_roles(user) & CONFIGURERS)


def reads_region(user) -> bool:
    return bool(_roles(user) & REGION_READERS) and user.scope_region_id is not None


def readable_units(user) -> set[int] | None:
    """The units whose results `user` may read: None = all of the agency; else a unit head's units
    with every unit below them."""
    if reads_agency(user):
        return None
    own = unit_ids_of(user, {Role.UNIT_HEAD})
    if not own or not user.agency_id:
        return set()
    return subtree(user.agency_id, own)


def subtree(agency_id: int, unit_ids) -> set[int]:
    """`unit_ids` and every unit below them."""
    parents = structure(agency_id).parents
    wanted = set(unit_ids)
    found = set()
    for unit in parents:
        seen = set()
        current = unit
        while current is not None and current not in seen:
            if current in wanted:
                found.add(unit)
                break
            seen.add(current)
            current = parents.get(current)
    return found


def may_read_unit(user, unit_id: int | None) -> bool:
    units = readable_units(user)
    return units is None or (unit_id is not None and unit_id in units)


def records_follow_up(user, unit_id: int | None) -> bool:
    """The head, secretary and admin for any unit (or the whole agency); a unit head for theirs."""
    if reads_agency(user):
        return True
    return unit_id is not None and may_read_unit(user, unit_id)
