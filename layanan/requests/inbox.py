"""The staff inbox: scopes (my tasks / my unit / the agency), filters, tab counts, keyset pages.

"Tugas saya" is exactly the requests whose current step the user holds
(requests.access.holds_step_q); the deadline filter is exactly the SLA status of
requests.clock.sla_status. Every lookup goes through core.tenancy with
`region_wide=False`: the desk is for the agency's own staff.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.accounts.models import User
from layanan.accounts.roles import AGENCY_WIDE, REGION_WIDE, Role
from layanan.agencies.queries import unit_subtree
from layanan.core.tenancy import scoped
from layanan.standards.models import Service

from . import access, clock
from .identity import HIDDEN, log_identity_views, row_applicant
from .labels import STATE_LABELS
from .models import OPEN_STATES, Channel, Request, SlaStatus, State

SCOPE_MINE, SCOPE_UNIT, SCOPE_AGENCY = "saya", "unit", "instansi"
PAGE_SIZE = 25  # a page a slow phone connection loads quickly

# Tab keys (the `status` GET parameter): open requests, every state, everything.
TAB_OPEN, TAB_ALL = "terbuka", "semua"
SLA_AT_RISK, SLA_BREACHED = "risiko", "lewat"
SLA_FILTERS = {SLA_AT_RISK: SlaStatus.AT_RISK, SLA_BREACHED: SlaStatus.BREACHED}
BADGES = {v: k for k, v in SLA_FILTERS.items()}
UNASSIGNED = "kosong"
# In State order: the open tab's filter is the condition of the index req_agency_open_due.
OPEN_LIST = [s for s in State.values if s in OPEN_STATES]
DONE_LIST = [s for s in State.values if s not in OPEN_STATES]
DONE_COUNTS_TTL = 300  # seconds: how stale the finished tabs' counts may be
OPEN_COUNTS_TTL = 30  # and the open ones (the rows themselves are always live)


def sla_badge(request, now) -> str:
    """'lewat', 'risiko' or '' — requests.clock.sla_status, as the inbox's filter keys."""
    return BADGES.get(clock.sla_status(request, now), "")


# ---------------------------------------------------------------- inbox


def scopes_for(user) -> list[tuple[str, str]]:
    """The inbox scopes `user` may open, with their tab labels."""
    roles = access.roles_of(user)
    scopes = [(SCOPE_MINE, _("Tugas saya"))]
    if access.unit_ids_of(user):
        scopes.append((SCOPE_UNIT, _("Unit saya")))
    if user.is_superuser or roles & AGENCY_WIDE:
        scopes.append((SCOPE_AGENCY, _("Seluruh instansi")))
    elif Role.UNIT_HEAD in roles:
        scopes.append((SCOPE_AGENCY, _("Unit saya dan di bawahnya")))
    return scopes


def scope_queryset(user, scope: str):
    qs = scoped(Request.objects.all(), user, region_wide=False)
    if scope == SCOPE_MINE:
        return qs.filter(access.holds_step_q(user))
    if scope == SCOPE_UNIT:
        return qs.filter(assigned_unit_id__in=access.unit_ids_of(user))
    if scope == SCOPE_AGENCY:
        if user.is_superuser or access.roles_of(user) & AGENCY_WIDE:
            return qs
        return qs.filter(assigned_unit_id__in=unit_subtree(access.unit_ids_of(user, {Role.UNIT_HEAD}),
                                                      user.agency_id))
    return qs.none()


@dataclass
class InboxFilters:
    tab: str = TAB_OPEN
    service: int | None = None
    channel: str = ""
    sla: str = ""
    assignee: str = ""          # a user id, or UNASSIGNED
    query: str = ""             # text search: subject, code, applicant name (where the viewer may see it)

    def apply(self, qs, now, *, with_tab: bool = True):
        if with_tab:
            if self.tab == TAB_OPEN:
                qs = qs.filter(state__in=OPEN_LIST)  # the condition of req_agency_open_due
            elif self.tab in State.values:
                qs = qs.filter(state=self.tab)
        if self.service:
            qs = qs.filter(service_id=self.service)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.sla in SLA_FILTERS:
            qs = qs.filter(clock.sla_status_q(SLA_FILTERS[self.sla], now))
        if self.assignee == UNASSIGNED:
            qs = qs.filter(assignee__isnull=True)
        elif self.assignee:
            qs = qs.filter(assignee_id=int(self.assignee))
        return qs


# Keyset cursor: (due_at, id) of the last row shown, as "<epoch µs>.<id>" or "-.<id>" (no due time).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_cursor(due_at, pk: int) -> str:
    if due_at is None:
        raw = f"-.{pk}"
    else:
        delta = due_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        raw = f"{micros}.{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str):
    """(due_at, id) or None for a missing or malformed cursor."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        due, pk = raw.split(".", 1)
        pk = int(pk)
        due_at = None if due == "-" else _EPOCH + timedelta(microseconds=int(due))
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    return due_at, pk


def _after(cursor) -> Q:
    due_at, pk = cursor
    if due_at is None:
        return Q(due_at__isnull=True, id__gt=pk)
    return Q(due_at__gt=due_at) | Q(due_at=due_at, id__gt=pk) | Q(due_at__isnull=True)


def keyset_page(qs, position, size: int, *, related=()) -> tuple[list, str | None]:
    """One page of `qs` in due order (no due time last, then id) after `position` (a decoded
    cursor, or None), and the cursor of the next page (None on the last). The inbox and the API
    list share it."""
    if position:
        qs = qs.filter(_after(position))
    rows = list(qs.select_related(*related).defer(*ROW_FIELDS_DEFERRED)
                .order_by(F("due_at").asc(nulls_last=True), "id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(rows[-1].due_at, rows[-1].pk) if more else None)


@dataclass
class InboxPage:
    rows: list
    next_cursor: str | None
    counts: dict
    tabs: list = field(default_factory=list)
    scope: str = SCOPE_MINE
    scopes: list = field(default_factory=list)


# Row labels looked up once per row: get_FOO_display() rebuilds the whole choices dict (and
# translates every label) on each call, twice per row.
CHANNEL_LABELS = dict(Channel.choices)
ROW_FIELDS_DEFERRED = ("applicant_nik", "applicant_address", "description", "product_text",
                       "reject_reason", "tracking_secret")


def state_counts(qs) -> dict:
    """{state: n, TAB_OPEN: n, TAB_ALL: n} for the tabs, from the cache when fresh enough.

    Counting is the costly part of a big agency's inbox (31,000 open and 400,000
    finished requests: ~10 ms and ~100 ms), so the open counts may be OPEN_COUNTS_TTL
    seconds stale and the finished ones DONE_COUNTS_TTL; the rows are always live.
    """
    try:
        key = "inbox-counts:" + hashlib.sha256(str(qs.query).encode()).hexdigest()
    except EmptyResultSet:
        key = None
    counts = {}
    for states, ttl, suffix in ((OPEN_LIST, OPEN_COUNTS_TTL, ":open"), (DONE_LIST, DONE_COUNTS_TTL, ":done")):
        part = cache.get(key + suffix) if key else None
        if part is None:
            part = qs.filter(state__in=states).aggregate(
                **{s: Count("id", filter=Q(state=s)) for s in states})
            if key:
                cache.set(key + suffix, part, ttl)
        counts.update(part)
    counts = {k: v or 0 for k, v in counts.items()}
    counts[TAB_OPEN] = sum(counts[s] for s in OPEN_STATES)
    counts[TAB_ALL] = sum(counts[s] for s in State.values)
    return counts


def inbox(user, *, scope: str = SCOPE_MINE, filters: InboxFilters | None = None, cursor: str = "",
          page_size: int = PAGE_SIZE, now=None) -> InboxPage:
    """One page of the inbox: a constant number of queries whatever the page.

    Sorted by due time (requests without one last), then id; the next page
    starts after the (due_at, id) of the last row (keyset, never OFFSET).
    """
    now = now or timezone.now()
    filters = filters or InboxFilters()
    scopes = scopes_for(user)
    if scope not in {key for key, _label in scopes}:
        scope = SCOPE_MINE
    base = filters.apply(scope_queryset(user, scope), now, with_tab=False)
    if filters.query:
        base = search(base, filters.query, user)
    counts = state_counts(base)
    qs = filters.apply(base, now)
    rows, next_cursor = keyset_page(qs, decode_cursor(cursor), page_size,
                                    related=("service", "current_step", "assignee", "assigned_unit"))
    revealed = []
    for row in rows:
        row.applicant_display = row_applicant(row, user)
        if row.confidential and row.applicant_display != str(HIDDEN):
            revealed.append(row)
        row.badge = sla_badge(row, now)
        row.channel_label = CHANNEL_LABELS.get(row.channel, row.channel)
        row.state_label = STATE_LABELS.get(row.state, row.state)
    log_identity_views(revealed, user)
    tabs = [(TAB_OPEN, _("Terbuka"), counts[TAB_OPEN])]
    tabs += [(value, label, counts[value]) for value, label in State.choices]
    tabs.append((TAB_ALL, _("Semua"), counts[TAB_ALL]))
    return InboxPage(rows=rows, next_cursor=next_cursor, counts=counts, tabs=tabs, scope=scope,
                     scopes=scopes)


# ---------------------------------------------------------------- text search

MAX_SEARCH_WORDS = 6


def _words(query: str) -> list[str]:
    return [w for w in query.split() if w][:MAX_SEARCH_WORDS]


def search(qs, query: str, user):
    """Requests whose subject, tracking code or applicant name match every word of `query`.

    The applicant's name is searched only where the viewer may see it (access.sees_identity_q):
    searching a confidential complainant's name must not reveal that the complaint exists. On
    PostgreSQL the subject is matched by full-text search with the 'simple' configuration (no
    stemming — Indonesian words are not English ones; every word a prefix), the code and the name
    by a case-insensitive substring; on SQLite everything by the substring (LIKE).
    """
    words = _words(query)
    if not words:
        return qs
    names = access.sees_identity_q(user)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        qs = qs.annotate(subject_search=SearchVector("subject", config="simple"))
        for word in words:
            term = re.sub(r"[^\w]", "", word)
            subject = Q(subject_search=SearchQuery(f"{term}:*", config="simple", search_type="raw")) \
                if term else Q(subject__icontains=word)
            qs = qs.filter(subject | Q(tracking_code__icontains=word)
                           | (Q(applicant_name__icontains=word) & names)
                           | (Q(organisation_name__icontains=word) & names))
        return qs
    for word in words:
        qs = qs.filter(Q(subject__icontains=word) | Q(tracking_code__icontains=word)
                       | (Q(applicant_name__icontains=word) & names)
                       | (Q(organisation_name__icontains=word) & names))
    return qs


# ---------------------------------------------------------------- XLSX export

EXPORT_LIMIT = 10000


def export_rows(user, *, scope: str = SCOPE_MINE, filters: InboxFilters | None = None, now=None):
    """The inbox as rows for a spreadsheet: the same scope and filters, in due order, at most
    EXPORT_LIMIT rows; the applicant as the inbox shows them (masked phone, confidential names
    hidden unless the viewer handles complaints — and then the view is logged), never the NIK."""
    now = now or timezone.now()
    filters = filters or InboxFilters()
    if scope not in {key for key, _label in scopes_for(user)}:
        scope = SCOPE_MINE
    qs = filters.apply(scope_queryset(user, scope), now)
    if filters.query:
        qs = search(qs, filters.query, user)
    rows = list(qs.select_related("service", "current_step", "assignee", "assigned_unit")
                .defer(*ROW_FIELDS_DEFERRED).order_by(F("due_at").asc(nulls_last=True), "id")[:EXPORT_LIMIT])
    revealed, out = [], []
    for row in rows:
        applicant = row_applicant(row, user)
        if row.confidential and applicant != str(HIDDEN):
            revealed.append(row)
        out.append([
            row.tracking_code, row.service.name, row.get_kind_display(), row.subject, applicant,
            CHANNEL_LABELS.get(row.channel, row.channel), STATE_LABELS.get(row.state, row.state),
            f"{row.current_step.position}. {row.current_step.actor}" if row.current_step else "",
            str(row.assignee or row.assigned_unit or ""),
            timezone.localtime(row.created_at).replace(tzinfo=None),
            timezone.localtime(row.due_at).replace(tzinfo=None) if row.due_at else None,
            {SLA_BREACHED: _("Melewati tenggat"), SLA_AT_RISK: _("Mendekati tenggat")}.get(
                sla_badge(row, now), ""),
        ])
    log_identity_views(revealed, user)
    return out


EXPORT_HEADER = [
    gettext_lazy("Kode lacak"), gettext_lazy("Layanan"), gettext_lazy("Jenis"), gettext_lazy("Perihal"),
    gettext_lazy("Pemohon"), gettext_lazy("Kanal"), gettext_lazy("Status"), gettext_lazy("Tahap"),
    gettext_lazy("Petugas / unit"), gettext_lazy("Diterima"), gettext_lazy("Tenggat"), gettext_lazy("SLA"),
]


def services_for(user):
    return scoped(Service.objects.only("id", "name", "agency_id"), user, region_wide=False) \
        .order_by("position", "name")


def staff_for(user):
    return scoped(User.objects.filter(is_active=True), user, region_wide=False) \
        .exclude(positions__role__in=sorted(REGION_WIDE)) \
        .only("id", "username", "full_name", "agency_id").order_by("full_name", "username")
