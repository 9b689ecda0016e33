"""Read side of the desk: the staff inbox, the request page, the printable sheets.

Nothing here changes a request (that is requests.lifecycle). Every lookup goes
through core.tenancy with `region_wide=False`: the desk is for the agency's own
staff; region-wide roles (overseer, auditor) never see citizens' personal data.

Personal data rules (DESIGN §3, UU 27/2022 PDP) live in one place,
`applicant_view()`:

- NIK, phone, e-mail and address are masked unless the viewer *handles* the
  request (`handles()`): its assignee, a holder of the current step's role in
  the step's unit (or in the request's unit when the step names none), or the
  agency's head / agency admin.
- A *confidential* complaint's identity is visible ONLY to the complaint
  handler (`is_complaint_handler()`): its assignee or a user holding the role
  `front_desk` or `operator` in the request's agency (the complaint officer and
  the IT operator who take complaints in, seed 003). Everyone else, the head
  included, sees "Dirahasiakan". Every time the identity is shown (request
  page, inbox row, printable sheet, identity attachment) an IdentityView row is
  written.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.accounts.models import User
from layanan.accounts.roles import Role
from layanan.agencies.models import Unit
from layanan.agencies.queries import unit_subtree
from layanan.core.crypto import mask
from layanan.core.tenancy import scoped
from layanan.standards.models import APPLICANT, EXTERNAL, Service, StepAction

from . import lifecycle
from .models import (
    OPEN_STATES,
    Attachment,
    Channel,
    CompensationTask,
    Event,
    IdentityView,
    Kind,
    Request,
    RequirementCheck,
    SlaStatus,
    State,
)

# Roles that work at the desk (region-wide roles do not).
DESK_ROLES = (Role.FRONT_DESK, Role.OPERATOR, Role.HANDLER, Role.UNIT_HEAD, Role.SECRETARY,
              Role.HEAD, Role.AGENCY_ADMIN)
AGENCY_WIDE = {Role.HEAD, Role.SECRETARY, Role.AGENCY_ADMIN}
SEE_ALL_PERSONAL_DATA = {Role.HEAD, Role.AGENCY_ADMIN}
COMPLAINT_HANDLERS = {Role.FRONT_DESK, Role.OPERATOR}
RECORDERS = lifecycle.RECORDERS

SCOPE_MINE, SCOPE_UNIT, SCOPE_AGENCY = "saya", "unit", "instansi"
PAGE_SIZE = 25  # a page a slow phone connection loads quickly
HIDDEN = gettext_lazy("Dirahasiakan")

# Tab keys (the `status` GET parameter): open requests, every state, everything.
TAB_OPEN, TAB_ALL = "terbuka", "semua"
SLA_AT_RISK, SLA_BREACHED = "risiko", "lewat"
UNASSIGNED = "kosong"
# In State order: the open tab's filter is the condition of the index req_agency_open_due.
OPEN_LIST = [s for s in State.values if s in OPEN_STATES]
DONE_LIST = [s for s in State.values if s not in OPEN_STATES]
DONE_COUNTS_TTL = 300  # seconds: how stale the finished tabs' counts may be
OPEN_COUNTS_TTL = 30  # and the open ones (the rows themselves are always live)


# ---------------------------------------------------------------- who is who


def positions_of(user) -> list[tuple[str, int | None]]:
    """(role, unit_id) of every position of `user`; also primes user.roles (one query)."""
    cached = getattr(user, "_positions_cache", None)
    if cached is None:
        cached = list(user.positions.values_list("role", "unit_id")) if user.is_authenticated else []
        user._positions_cache = cached
        user._roles_cache = {role for role, _unit in cached}
    return cached


def unit_ids_of(user, roles=None) -> set[int]:
    return {unit for role, unit in positions_of(user) if unit and (roles is None or role in roles)}


def _same_agency(request, user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.agency_id == request.agency_id)


def handles(request, user) -> bool:
    """Whether `user` handles `request` and may see its personal data whole."""
    if not _same_agency(request, user):
        return False
    if request.assignee_id and request.assignee_id == user.pk:
        return True
    positions = positions_of(user)
    if any(role in SEE_ALL_PERSONAL_DATA for role, _unit in positions):
        return True
    step = request.current_step
    if step is None or not request.is_open:
        return False
    unit_id = step.unit_id or request.assigned_unit_id
    if step.role in {APPLICANT, EXTERNAL}:
        return any(role in RECORDERS and (unit_id is None or unit == unit_id) for role, unit in positions)
    return any(role == step.role and (unit_id is None or unit == unit_id) for role, unit in positions)


def is_complaint_handler(request, user) -> bool:
    """The only people who may see a confidential complainant's identity.

    The rule is deliberately short and explicit: the request's assignee, or a
    user holding the role `front_desk` (petugas pengaduan) or `operator`
    (operator IT) in the request's agency. Nobody else — not the head, not
    the agency admin, not a superuser browsing the desk.
    """
    if not (user.is_authenticated and user.agency_id == request.agency_id):
        return False
    if request.assignee_id and request.assignee_id == user.pk:
        return True
    return any(role in COMPLAINT_HANDLERS for role, _unit in positions_of(user))


def is_identity_hidden(request) -> bool:
    return request.confidential


def log_identity_views(requests, user) -> None:
    """One IdentityView per confidential request whose identity `user` was just shown."""
    rows = [IdentityView(request=r, viewer=user) for r in requests if r.confidential]
    if rows:
        IdentityView.objects.bulk_create(rows)


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return mask(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"


@dataclass
class ApplicantView:
    """What the viewer may see of the applicant; the template prints it as is."""

    name: str
    organisation: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    letter_number: str = ""
    letter_date: object = None
    letter_signatory: str = ""
    type_label: str = ""
    hidden: bool = False       # confidential, and the viewer is not the complaint handler
    masked: bool = False       # personal data masked (the viewer does not handle it)
    confidential: bool = False


def applicant_view(request, user, *, log: bool = True) -> ApplicantView:
    """The applicant block as `user` may see it (writes IdentityView when it reveals one)."""
    if request.confidential and not is_complaint_handler(request, user):
        return ApplicantView(name=str(HIDDEN), hidden=True, confidential=True,
                             type_label=request.get_applicant_type_display())
    whole = handles(request, user) or request.confidential  # a confidential one: handler only here
    view = ApplicantView(
        name=request.applicant_name or (request.organisation_name if request.applicant_type ==
                                        "organisation" else "") or str(_("Anonim")),
        organisation=request.organisation_name,
        nik=request.applicant_nik if whole else mask(request.applicant_nik),
        phone=request.applicant_phone if whole else mask(request.applicant_phone),
        email=request.applicant_email if whole else mask_email(request.applicant_email),
        address=request.applicant_address if whole else (
            _("(disembunyikan)") if request.applicant_address else ""),
        letter_number=request.letter_number, letter_date=request.letter_date,
        letter_signatory=request.letter_signatory,
        type_label=request.get_applicant_type_display(), masked=not whole,
        confidential=request.confidential,
    )
    if log and request.confidential:
        log_identity_views([request], user)
    return view


def row_applicant(request, user, is_handler_of_complaints: bool) -> str:
    """The applicant cell of an inbox row: a name, never NIK; phone masked."""
    if request.confidential and not (is_handler_of_complaints or request.assignee_id == user.pk):
        return str(HIDDEN)
    if request.applicant_type == "anonymous":
        return str(_("Anonim"))
    name = request.applicant_name or request.organisation_name
    phone = mask(request.applicant_phone)
    return f"{name} · {phone}" if phone else name


# ---------------------------------------------------------------- SLA badge


def sla_badge(request, now) -> str:
    """'lewat', 'risiko' or '' — the same rule as the inbox filters below."""
    if request.sla_status == SlaStatus.BREACHED:
        return SLA_BREACHED
    if request.state in OPEN_STATES and request.due_at and request.due_at <= now:
        return SLA_BREACHED
    if request.state in OPEN_STATES and request.at_risk_at and request.at_risk_at <= now:
        return SLA_AT_RISK
    return ""


def _sla_q(kind: str, now) -> Q:
    open_ = Q(state__in=list(OPEN_STATES))
    if kind == SLA_BREACHED:
        return Q(sla_status=SlaStatus.BREACHED) | (open_ & Q(due_at__lte=now))
    if kind == SLA_AT_RISK:
        return (open_ & Q(at_risk_at__lte=now) & (Q(due_at__gt=now) | Q(due_at__isnull=True))
                & ~Q(sla_status=SlaStatus.BREACHED))
    return Q()


# ---------------------------------------------------------------- inbox


def scopes_for(user) -> list[tuple[str, str]]:
    """The inbox scopes `user` may open, with their tab labels."""
    positions = positions_of(user)
    roles = {role for role, _unit in positions}
    scopes = [(SCOPE_MINE, _("Tugas saya"))]
    if unit_ids_of(user):
        scopes.append((SCOPE_UNIT, _("Unit saya")))
    if user.is_superuser or roles & AGENCY_WIDE:
        scopes.append((SCOPE_AGENCY, _("Seluruh instansi")))
    elif Role.UNIT_HEAD in roles:
        scopes.append((SCOPE_AGENCY, _("Unit saya dan di bawahnya")))
    return scopes


def _mine_q(user) -> Q:
    """Assigned to me, or unassigned on a step I may act on (the rule of lifecycle._may_act_on_step)."""
    positions = positions_of(user)
    by_role: dict[str, set] = {}
    for role, unit in positions:
        by_role.setdefault(role, set()).add(unit)
    steps = Q(pk__in=[])
    for role, units in by_role.items():
        if role in {Role.HEAD, Role.SECRETARY}:
            steps |= Q(current_step__role=role)
        else:
            steps |= Q(current_step__role=role) & (
                Q(current_step__unit__isnull=True) | Q(current_step__unit_id__in=[u for u in units if u]))
    if by_role.keys() & RECORDERS:
        # Steps of the applicant or an outside party, awaited by the unit holding the request.
        steps |= Q(current_step__role__in=[APPLICANT, EXTERNAL],
                   assigned_unit_id__in=unit_ids_of(user))
    return Q(assignee=user) | (Q(assignee__isnull=True) & steps)


def scope_queryset(user, scope: str):
    qs = scoped(Request.objects.all(), user, region_wide=False)
    if scope == SCOPE_MINE:
        return qs.filter(_mine_q(user))
    if scope == SCOPE_UNIT:
        return qs.filter(assigned_unit_id__in=unit_ids_of(user))
    if scope == SCOPE_AGENCY:
        roles = {role for role, _unit in positions_of(user)}
        if user.is_superuser or roles & AGENCY_WIDE:
            return qs
        return qs.filter(assigned_unit_id__in=unit_subtree(unit_ids_of(user, {Role.UNIT_HEAD}),
                                                      user.agency_id))
    return qs.none()


@dataclass
class InboxFilters:
    tab: str = TAB_OPEN
    service: int | None = None
    channel: str = ""
    sla: str = ""
    assignee: str = ""          # a user id, or UNASSIGNED

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
        if self.sla:
            qs = qs.filter(_sla_q(self.sla, now))
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
    counts = state_counts(base)
    qs = filters.apply(base, now)
    position = decode_cursor(cursor)
    if position:
        qs = qs.filter(_after(position))
    rows = list(
        qs.select_related("service", "current_step", "assignee", "assigned_unit")
        .defer(*ROW_FIELDS_DEFERRED)
        .order_by(F("due_at").asc(nulls_last=True), "id")[: page_size + 1]
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    complaint_handler = any(role in COMPLAINT_HANDLERS for role, _unit in positions_of(user))
    revealed = []
    for row in rows:
        row.applicant_display = row_applicant(row, user, complaint_handler)
        if row.confidential and row.applicant_display != str(HIDDEN):
            revealed.append(row)
        row.badge = sla_badge(row, now)
        row.channel_label = CHANNEL_LABELS.get(row.channel, row.channel)
        row.state_label = STATE_LABELS.get(row.state, row.state)
    log_identity_views(revealed, user)
    next_cursor = encode_cursor(rows[-1].due_at, rows[-1].pk) if more else None
    tabs = [(TAB_OPEN, _("Terbuka"), counts[TAB_OPEN])]
    tabs += [(value, label, counts[value]) for value, label in State.choices]
    tabs.append((TAB_ALL, _("Semua"), counts[TAB_ALL]))
    return InboxPage(rows=rows, next_cursor=next_cursor, counts=counts, tabs=tabs, scope=scope,
                     scopes=scopes)


def services_for(user):
    return scoped(Service.objects.only("id", "name", "agency_id"), user, region_wide=False) \
        .order_by("position", "name")


def staff_for(user):
    return scoped(User.objects.filter(is_active=True), user, region_wide=False) \
        .exclude(positions__role__in=[Role.OVERSEER, Role.AUDITOR]) \
        .only("id", "username", "full_name", "agency_id").order_by("full_name", "username")


# ---------------------------------------------------------------- request page


@dataclass
class ActionForm:
    """One small POST form of the request page (only actions the engine allows)."""

    name: str
    label: str
    needs_note: bool
    note_label: str
    show_units: bool = False
    show_staff: bool = False
    show_requirements: bool = False
    show_product: bool = False
    show_public: bool = False
    danger: bool = False


NOTE_LABELS = {
    "dispose": gettext_lazy("Isi / instruksi disposisi"),
    "assign": gettext_lazy("Catatan penugasan"),
    "return_incomplete": gettext_lazy("Pesan untuk pemohon"),
    "escalate": gettext_lazy("Mengapa belum dapat diselesaikan"),
    "reject": gettext_lazy("Alasan penolakan"),
    "withdraw": gettext_lazy("Keterangan pencabutan"),
    "reopen": gettext_lazy("Alasan membuka kembali"),
    "note": gettext_lazy("Catatan"),
}
# Actions whose event the engine always makes public or always internal: no toggle.
NO_PUBLIC_TOGGLE = {"dispose", "assign", "return_incomplete", "resume", "reject", "withdraw",
                    "close", "reopen"}


def is_final_product_step(step, steps) -> bool:
    """A deliver/answer step after which the request is resolved (the product is written here)."""
    if step is None or step.action not in {StepAction.DELIVER, StepAction.ANSWER}:
        return False
    if step.on_done is not None:
        return step.on_done == 0
    return not any(s.position > step.position for s in steps)


def action_forms(request, user, steps) -> list[ActionForm]:
    final = is_final_product_step(request.current_step, steps)
    forms = []
    for action in lifecycle.available_actions(request, user):
        forms.append(ActionForm(
            name=action.name, label=action.label,
            needs_note=action.needs_note or action.name == "dispose",
            note_label=str(NOTE_LABELS.get(action.name, _("Catatan (opsional)"))),
            show_units=action.name == "dispose",
            show_staff=action.name in {"dispose", "assign"},
            show_requirements=action.name == "return_incomplete",
            show_product=action.name == "advance" and final,
            show_public=action.name not in NO_PUBLIC_TOGGLE,
            danger=action.name in {"reject", "withdraw"},
        ))
    return forms


EVENT_LABELS = {
    **{value: label for value, label in StepAction.choices},
    "submit": gettext_lazy("Permohonan diterima"),
    "received": gettext_lazy("Permohonan diterima"),
    "dispose": gettext_lazy("Disposisi"),
    "escalate": gettext_lazy("Diteruskan (belum dapat diselesaikan)"),
    "return_incomplete": gettext_lazy("Dikembalikan ke pemohon (tidak lengkap)"),
    "resume": gettext_lazy("Kelengkapan diterima"),
    "reject": gettext_lazy("Ditolak"),
    "withdraw": gettext_lazy("Dicabut"),
    "close": gettext_lazy("Ditutup"),
    "reopen": gettext_lazy("Dibuka kembali"),
    "assign": gettext_lazy("Ditugaskan"),
    "note": gettext_lazy("Catatan"),
}
STATE_LABELS = dict(State.choices)


@dataclass
class TimelineItem:
    event: Event
    from_step: object
    to_step: object
    to_user: object = None
    to_unit: object = None

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.event.action, self.event.action))

    @property
    def from_state_label(self) -> str:
        return str(STATE_LABELS.get(self.event.from_state, self.event.from_state))

    @property
    def to_state_label(self) -> str:
        return str(STATE_LABELS.get(self.event.to_state, self.event.to_state))


def timeline(request, steps, people: dict, units: dict) -> list[TimelineItem]:
    by_position = {s.position: s for s in steps}
    items = []
    for event in request.events.all().order_by("at", "id"):
        data = event.data or {}
        items.append(TimelineItem(
            event=event, from_step=by_position.get(event.from_step), to_step=by_position.get(event.to_step),
            to_user=people.get(data.get("to_user")), to_unit=units.get(data.get("to_unit")),
        ))
    return items


def _staff_with_titles(user):
    people = list(staff_for(user).prefetch_related("positions"))
    for person in people:
        titles = [p.title for p in person.positions.all()]
        person.label = f"{person} — {', '.join(titles)}" if titles else str(person)
    return people


def request_page(request, user, *, now=None) -> dict:
    """Everything the request page shows, in a constant number of queries."""
    now = now or timezone.now()
    steps = list(request.standard.steps.select_related("unit").order_by("position"))
    for step in steps:
        step.is_current = request.current_step_id == step.pk
    people = _staff_with_titles(user)
    units = list(scoped(Unit.objects.all(), user, region_wide=False).order_by("name"))
    checks = {c.requirement_id: c for c in RequirementCheck.objects.filter(request=request)}
    requirements = list(request.standard.requirements.order_by("position"))
    for req in requirements:
        check = checks.get(req.pk)
        req.check = check
        req.satisfied = bool(check and check.satisfied)
    applicant = applicant_view(request, user)
    attachments = list(request.attachments.select_related("requirement").order_by("uploaded_at", "id"))
    for att in attachments:
        att.allowed = may_download(request, att, user)
    return {
        "req": request,
        "agency": request.agency,
        "applicant": applicant,
        "badge": sla_badge(request, now),
        "steps": steps,
        "requirements": requirements,
        "attachments": attachments,
        "timeline": timeline(request, steps, {p.pk: p for p in people}, {u.pk: u for u in units}),
        "actions": action_forms(request, user, steps),
        "people": people,
        "units": units,
        "compensation": CompensationTask.objects.filter(request=request).first(),
        "may_complete_compensation": may_complete_compensation(request, user),
        "is_consultation": request.kind == Kind.CONSULTATION,
    }


def may_download(request, attachment, user) -> bool:
    """Staff of the agency may open attachments; identity documents (a KTP copy)
    only those who handle the request, and of a confidential complaint only the
    complaint handler."""
    if not _same_agency(request, user):
        return False
    if request.confidential:
        return is_complaint_handler(request, user)
    if attachment.requirement_id and attachment.requirement.kind == "identity":
        return handles(request, user)
    return True


def may_complete_compensation(request, user) -> bool:
    roles = {role for role, _unit in positions_of(user)}
    return _same_agency(request, user) and bool(roles & (RECORDERS | lifecycle.SUPERVISORS))


def desk_request_queryset(user):
    return scoped(Request.objects.select_related(
        "agency", "agency__region", "service", "standard", "current_step", "current_step__unit",
        "assignee", "assigned_unit"), user, region_wide=False)


def attachment_for(request, attachment_pk: int):
    return Attachment.objects.select_related("requirement").filter(request=request, pk=attachment_pk).first()


# ---------------------------------------------------------------- printable sheets


def agency_head(agency):
    """(user, position title) of the agency's head, or (None, '')."""
    from layanan.accounts.models import Position

    pos = (Position.objects.filter(user__agency=agency, user__is_active=True, role=Role.HEAD)
           .select_related("user").order_by("id").first())
    return (pos.user, pos.title) if pos else (None, "")


def disposition_sheet(request, user) -> dict:
    events = list(request.events.filter(action="dispose").order_by("at", "id"))
    user_ids = {e.data.get("to_user") for e in events if e.data.get("to_user")}
    unit_ids = {e.data.get("to_unit") for e in events if e.data.get("to_unit")}
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids, agency=request.agency)}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids, agency=request.agency)}
    dispositions = [TimelineItem(event=e, from_step=None, to_step=None,
                                 to_user=people.get(e.data.get("to_user")),
                                 to_unit=units.get(e.data.get("to_unit"))) for e in events]
    applicant = applicant_view(request, user)
    return {
        "req": request, "agency": request.agency, "applicant": applicant,
        "sender": applicant.organisation or applicant.name,
        "dispositions": dispositions,
        "blank_rows": range(max(0, 4 - len(dispositions))),
        "nature": "rahasia" if request.confidential else "biasa",
    }


CONSULT_ACTIONS = {"consult", "escalate", "note", "answer", "process"}


def consultation_sheet(request, user) -> dict:
    events = list(request.events.order_by("at", "id"))
    notes = [e for e in events if e.action in CONSULT_ACTIONS and e.note]
    acknowledged = next((e for e in reversed(events) if e.action == "approve"), None)
    head, title = agency_head(request.agency)
    result = request.product_text or (acknowledged.note if acknowledged and acknowledged.note else "")
    if not result and notes:
        result = notes[-1].note
    return {
        "req": request, "agency": request.agency, "applicant": applicant_view(request, user),
        "notes": notes, "result": result, "acknowledged": acknowledged,
        "head": head, "head_title": title or _("Kepala Dinas"),
    }
