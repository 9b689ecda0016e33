"""Who may see and act on a request — the one place that answers it.

The inbox ("Tugas saya"), the request page, the lifecycle engine and the API all
ask this module, so they cannot disagree. Three kinds of actor exist:

- a **staff member** (a `User` with positions in the agency's units);
- the **applicant** (`ApplicantActor`), who proved it by the tracking link's secret;
- the **system** (`SYSTEM`): the SLA sweep, the calendar, the retention job.

There is no "no actor": every action names one and passes its guards.

The central rule is *who holds the current step* (`holds_step`). A step names a
role and optionally a unit. It is held by:

1. the request's assignee, when it has one (a disposition or an assignment
   named a person) — and then only by them;
2. otherwise by the holders of the step's role *where the step is done*: the
   step's unit, or — for a step without a unit — the unit the request was
   disposed to (Dinsos: "Kepala Seksi" of the bidang the Kadis chose). A holder
   counts when their unit is that unit or lies below it. When nobody in that
   subtree holds the role, any holder of the role in the agency does (a request
   never gets stuck). Steps of the head and the secretary are held by them
   wherever the request is. Steps of the applicant or an outside party are
   *recorded* by the recorder roles with the same unit rule.

`holds_step` answers for one request in Python; `holds_step_q` is the same rule
as a queryset filter for the inbox. Both are built from the same `StepScope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q

from layanan.accounts.roles import (
    AGENCY_WIDE,
    AGENCY_WIDE_STEP_ROLES,
    COMPLAINT_HANDLERS,
    DESK_ROLES,
    INTAKE_ROLES,
    RECORDERS,
    SEE_ALL_PERSONAL_DATA,
    SUPERVISORS,
    WITHDRAW_DEFAULT,
    Role,
)
from layanan.standards.models import APPLICANT, EXTERNAL, StepAction

from .models import OPEN_STATES, CompensationTask, State

OUTSIDE_ROLES = frozenset({APPLICANT, EXTERNAL})
ALL = None  # a StepScope entry meaning "in any unit"
# Steps that approve a draft and may send it back one level.
REVISION_LEVELS = frozenset({StepAction.INITIAL, StepAction.APPROVE})
# UU 14/2008 (information and data requests): one extension; an objection to the superior.
KIP_KINDS = frozenset({"information", "data_request"})
OBJECTION_AFTER = frozenset({State.RESOLVED, State.CLOSED, State.REJECTED})


# ---------------------------------------------------------------- actors


@dataclass(frozen=True)
class ApplicantActor:
    """The applicant, authenticated by the tracking link (code + secret) of one request."""

    request_id: int
    via: str = "tracking_link"
    is_authenticated = False
    pk = None

    def __str__(self):
        return "Pemohon"


@dataclass(frozen=True)
class SystemActor:
    """The platform itself: the SLA sweep, calendar changes, the retention job."""

    job: str = "system"
    is_authenticated = False
    pk = None

    def __str__(self):
        return "Sistem"


SYSTEM = SystemActor()


def is_staff_actor(actor) -> bool:
    return getattr(actor, "is_authenticated", False) is True and hasattr(actor, "positions")


def actor_kind(actor) -> str:
    if isinstance(actor, ApplicantActor):
        return "applicant"
    if isinstance(actor, SystemActor):
        return "system"
    if is_staff_actor(actor):
        return "staff"
    raise TypeError("Every action needs an actor: a staff user, ApplicantActor or SYSTEM.")


# ---------------------------------------------------------------- the agency's structure


def _structure_key(agency_id: int) -> str:
    return f"access:structure:{agency_id}"


@dataclass(frozen=True)
class Structure:
    """An agency's unit tree and who holds which role where (cached; small)."""

    parents: dict            # unit id -> parent unit id (or None)
    held: dict               # role -> set of unit ids where an active user holds it
    recorder_units: frozenset

    def chain(self, unit_id) -> list:
        """The unit and every unit above it, nearest first."""
        chain = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            unit_id = self.parents.get(unit_id)
        return chain

    def ancestors(self, unit_id) -> set:
        """The unit and every unit above it."""
        return set(self.chain(unit_id))

    def lacking(self, units_held) -> set:
        """Units in whose subtree nobody holds the role (held in `units_held`)."""
        covered = set()
        for unit in units_held:
            covered |= self.ancestors(unit)
        return set(self.parents) - covered


def structure(agency_id: int) -> Structure:
    key = _structure_key(agency_id)
    found = cache.get(key)
    if found is None:
        from layanan.accounts.models import Position
        from layanan.agencies.models import Unit

        parents = dict(Unit.objects.filter(agency_id=agency_id).values_list("id", "parent_id"))
        held: dict[str, set] = {}
        for role, unit in (Position.objects.filter(user__agency_id=agency_id, user__is_active=True,
                                                   unit__isnull=False).values_list("role", "unit_id")):
            held.setdefault(role, set()).add(unit)
        recorders = set()
        for role in RECORDERS:
            recorders |= held.get(role, set())
        found = Structure(parents=parents, held=held, recorder_units=frozenset(recorders))
        cache.set(key, found, 300)
    return found


def forget_structure(agency_id) -> None:
    """Called when units, positions or staff change (receivers in RequestsConfig.ready)."""
    if agency_id:
        cache.delete(_structure_key(agency_id))


# ---------------------------------------------------------------- a staff member's reach


def positions_of(user) -> list[tuple[str, int | None]]:
    """(role, unit_id) of every position of `user`; also primes user.roles (one query)."""
    cached = getattr(user, "_positions_cache", None)
    if cached is None:
        cached = list(user.positions.values_list("role", "unit_id")) if is_staff_actor(user) else []
        user._positions_cache = cached
        user._roles_cache = {role for role, _unit in cached}
    return cached


def roles_of(user) -> set[str]:
    return {role for role, _unit in positions_of(user)}


def unit_ids_of(user, roles=None) -> set[int]:
    return {unit for role, unit in positions_of(user) if unit and (roles is None or role in roles)}


@dataclass
class StepScope:
    """For each role the user holds: the units where they hold its steps (ALL = any)."""

    roles: dict = field(default_factory=dict)
    recording: object = False  # False: no recorder role; ALL; or a set of unit ids


def _reach(struct: Structure, own_units: set, anywhere: bool, held_units) -> object:
    if anywhere:
        return ALL
    reach = set()
    for unit in own_units:
        reach |= struct.ancestors(unit)
    return reach | struct.lacking(held_units)


def step_scope(user) -> StepScope:
    cached = getattr(user, "_step_scope_cache", None)
    if cached is not None:
        return cached
    scope = StepScope()
    if is_staff_actor(user) and user.agency_id:
        struct = structure(user.agency_id)
        by_role: dict[str, set] = {}
        for role, unit in positions_of(user):
            by_role.setdefault(role, set()).add(unit)
        for role, units in by_role.items():
            if role not in DESK_ROLES:
                continue
            anywhere = role in AGENCY_WIDE_STEP_ROLES or None in units
            scope.roles[role] = _reach(struct, units - {None}, anywhere, struct.held.get(role, set()))
        recorder_units = set().union(*[by_role[r] for r in by_role if r in RECORDERS]) \
            if by_role.keys() & RECORDERS else None
        if recorder_units is not None:
            scope.recording = _reach(struct, recorder_units - {None}, None in recorder_units,
                                     struct.recorder_units)
    user._step_scope_cache = scope
    return scope


def _in(reach, unit_id) -> bool:
    return reach is ALL or unit_id is None or unit_id in reach


def _unit_q(reach) -> Q:
    """The step's unit — or, for a step without one, the request's unit — lies in `reach`."""
    if reach is ALL:
        return Q()
    ids = sorted(reach)
    return (Q(current_step__unit__isnull=False, current_step__unit_id__in=ids)
            | Q(current_step__unit__isnull=True, assigned_unit__isnull=True)
            | Q(current_step__unit__isnull=True, assigned_unit_id__in=ids))


# ---------------------------------------------------------------- is this my step?


def same_agency(request, user) -> bool:
    return is_staff_actor(user) and user.agency_id is not None and user.agency_id == request.agency_id


def holds_step(request, user) -> bool:
    """Whether `user` holds the request's current step (see the module docstring)."""
    if not is_desk_staff(request, user) or request.state not in OPEN_STATES or not request.current_step_id:
        return False
    if request.assignee_id:
        return request.assignee_id == user.pk
    step = request.current_step
    scope = step_scope(user)
    where = step.unit_id or request.assigned_unit_id
    if step.role in OUTSIDE_ROLES:
        return scope.recording is not False and _in(scope.recording, where)
    reach = scope.roles.get(step.role, False)
    return reach is not False and _in(reach, where)


def step_holders(request, users) -> list:
    """Who of `users` holds the request's current step (holds_step for each), reading all their
    posts in one query instead of one per person."""
    from layanan.accounts.models import Position

    users = list(users)
    posts: dict[int, list] = {user.pk: [] for user in users}
    rows = Position.objects.filter(user__in=users).values_list("user_id", "role", "unit_id")
    for user_id, role, unit in rows:
        posts[user_id].append((role, unit))
    for user in users:
        user._positions_cache = posts[user.pk]
        user._roles_cache = {role for role, _unit in posts[user.pk]}
    return [user for user in users if holds_step(request, user)]


def holds_step_q(user) -> Q:
    """holds_step() as a filter over Request (the inbox's "Tugas saya")."""
    if not (is_staff_actor(user) and user.agency_id and roles_of(user) & DESK_ROLES):
        return Q(pk__in=[])
    scope = step_scope(user)
    by_step = Q(pk__in=[])
    for role, reach in scope.roles.items():
        by_step |= Q(current_step__role=role) & _unit_q(reach)
    if scope.recording is not False:
        by_step |= Q(current_step__role__in=sorted(OUTSIDE_ROLES)) & _unit_q(scope.recording)
    return (Q(agency_id=user.agency_id, state__in=sorted(OPEN_STATES), current_step__isnull=False)
            & (Q(assignee=user) | (Q(assignee__isnull=True) & by_step)))


def supervises(request, user) -> bool:
    """The leadership of the agency, or a unit head of the unit the request is in (or above it)."""
    if not same_agency(request, user):
        return False
    roles = roles_of(user)
    if roles & {Role.HEAD, Role.SECRETARY}:
        return True
    if Role.UNIT_HEAD not in roles or request.assigned_unit_id is None:
        return False
    above = structure(request.agency_id).ancestors(request.assigned_unit_id)
    return bool(unit_ids_of(user, {Role.UNIT_HEAD}) & above)


def may_withdraw(request, user) -> bool:
    """Close as withdrawn at the applicant's request: the roles the standard names, else the
    agency head and the unit head holding the request."""
    if not same_agency(request, user):
        return False
    allowed = set(getattr(request.standard, "withdraw_roles", None) or WITHDRAW_DEFAULT)
    mine = roles_of(user) & allowed
    if mine & AGENCY_WIDE:
        return True  # the head, the secretary, the admin: any request of the agency
    # Any other allowed role: only for the request it holds or supervises.
    return bool(mine) and (supervises(request, user) or holds_step(request, user))


def may_register(user, agency) -> bool:
    """Register a request for the applicant (counter, phone, letter, an import): the agency's staff."""
    return is_staff_actor(user) and user.agency_id is not None and user.agency_id == agency.pk


def is_desk_staff(request, user) -> bool:
    """Staff of the request's agency in a desk role (region-wide roles never work requests)."""
    return same_agency(request, user) and bool(roles_of(user) & DESK_ROLES)


# ---------------------------------------------------------------- what may this actor do now?


@dataclass(frozen=True)
class Allowed:
    name: str
    needs_note: bool = False
    needs_confirm: bool = False


def staff_actions(request, user, *, escalation_target=None) -> list[Allowed]:
    """What staff member `user` may do to `request` now. `escalation_target(request, user)` says
    whether escalation has somewhere to go (the lifecycle passes its own lookup)."""
    if not is_desk_staff(request, user):
        return []
    state, step = request.state, request.current_step
    holds = holds_step(request, user)
    actions: list[Allowed] = []
    if state in OPEN_STATES and state != State.WAITING_APPLICANT and step is not None:
        dispose_step = step.action == StepAction.DISPOSE and step.role not in OUTSIDE_ROLES
        if holds:
            actions.append(Allowed("dispose" if dispose_step else "advance"))
            if step.role not in OUTSIDE_ROLES and (
                    step.on_cannot_resolve or escalation_target is None or escalation_target(request, user)):
                actions.append(Allowed("escalate", needs_note=True))
            if step.on_incomplete:
                actions.append(Allowed("return_incomplete", needs_note=True))
            if step.can_reject:
                actions.append(Allowed("reject", needs_note=True))
            if step.action in REVISION_LEVELS:  # paraf / sign-off: send the draft back one level
                actions.append(Allowed("return_for_revision", needs_note=True))
        if not dispose_step and supervises(request, user):
            # A head may always pass a request down with an instruction (disposisi).
            actions.append(Allowed("dispose"))
    roles = roles_of(user)
    if state == State.WAITING_APPLICANT and (holds or supervises(request, user) or roles & INTAKE_ROLES):
        actions.append(Allowed("resume"))
    if state in OPEN_STATES and Role.AGENCY_ADMIN in roles:
        actions.append(Allowed("assign"))
    if state in OPEN_STATES and may_withdraw(request, user):
        actions.append(Allowed("withdraw", needs_note=True, needs_confirm=True))
    if state == State.RESOLVED and (supervises(request, user) or roles & (RECORDERS | SUPERVISORS)):
        actions.append(Allowed("close"))
    if state in {State.RESOLVED, State.CLOSED} and (supervises(request, user) or roles & INTAKE_ROLES):
        actions.append(Allowed("reopen", needs_note=True))
    if may_complete_compensation(request, user):
        actions.append(Allowed("complete_compensation"))
    if may_extend(request, user, holds):
        actions.append(Allowed("extend", needs_note=True))
    if may_answer_objection(request, user):
        actions.append(Allowed("answer_objection", needs_note=True))
    actions.append(Allowed("note", needs_note=True))
    return actions


def applicant_actions(request, actor: ApplicantActor) -> list[Allowed]:
    """The applicant of this very request (tracking link, the WhatsApp number or e-mail thread it
    came from, an API read with code + secret): write a message, send what is missing, withdraw."""
    if actor.request_id != request.pk:
        return []
    actions = []
    if request.state in OPEN_STATES:
        actions.append(Allowed("message", needs_note=True))
    if request.state == State.WAITING_APPLICANT:
        actions.append(Allowed("supply"))
    if request.state in OPEN_STATES:
        actions.append(Allowed("withdraw", needs_confirm=True))
    if may_object(request):
        actions.append(Allowed("object", needs_note=True))
    return actions


def allowed_actions(request, actor, **kwargs) -> list[Allowed]:
    kind = actor_kind(actor)
    if kind == "applicant":
        return applicant_actions(request, actor)
    if kind == "system":
        return []  # the system's changes are lifecycle functions of their own, not desk actions
    return staff_actions(request, actor, **kwargs)


# ---------------------------------------------------------------- personal data


def is_complaint_handler(request, user) -> bool:
    """The only people who may see a confidential complainant's identity: the request's
    assignee, or the complaint officer / IT operator of the agency. Not the head, not the admin."""
    if not same_agency(request, user):
        return False
    if request.assignee_id and request.assignee_id == user.pk:
        return True
    return bool(roles_of(user) & COMPLAINT_HANDLERS)


def sees_personal_data(request, user) -> bool:
    """NIK, phone, e-mail and address whole (else masked): who holds the step, the head, the admin."""
    if not same_agency(request, user):
        return False
    if request.confidential:
        return is_complaint_handler(request, user)
    return bool(roles_of(user) & SEE_ALL_PERSONAL_DATA) or holds_step(request, user)


def sees_identity(request, user) -> bool:
    """Whether the applicant's name is shown at all (a confidential complaint hides it)."""
    if not same_agency(request, user):
        return False
    return not request.confidential or is_complaint_handler(request, user)


def may_download(request, attachment, user) -> bool:
    """Staff of the agency open attachments; identity documents (a KTP copy) only those who see
    the personal data; anything of a confidential complaint only the complaint handler."""
    if not is_desk_staff(request, user):
        return False
    if request.confidential:
        return is_complaint_handler(request, user)
    if attachment.requirement_id and attachment.requirement.kind == "identity":
        return sees_personal_data(request, user)
    return True


def compensation_of(request):
    """The request's compensation task, or None — looked up once per request object (the request
    page and the actions it offers both need it)."""
    if not hasattr(request, "_compensation"):
        request._compensation = CompensationTask.objects.filter(request_id=request.pk).first()
    return request._compensation


def may_complete_compensation(request, user) -> bool:
    task = compensation_of(request)
    if task is None or task.done_at is not None:
        return False
    return same_agency(request, user) and bool(roles_of(user) & (RECORDERS | SUPERVISORS))


# ---------------------------------------------------------------- API keys (layanan.api)

# A key of one agency, scoped: read_public < intake < desk (each includes the one before).
API_SCOPES = ("read_public", "intake", "desk")


@dataclass(frozen=True)
class ApiKeyActor:
    """An integration calling the API with a key of one agency (layanan.api.models.ApiKey).

    It never acts on a request by itself: a desk key acts as the named staff user chosen when
    the key was created (`api_key_staff`), so every desk action passes that user's guards
    here and in the lifecycle; an intake key submits requests as the applicant would.
    """

    key_id: int
    agency_id: int
    scope: str
    staff_user_id: int | None = None
    is_authenticated = False
    pk = None

    def __str__(self):
        return "API"


def api_key_may(actor: ApiKeyActor, scope: str) -> bool:
    """Whether the key's scope includes `scope` (desk ⊇ intake ⊇ read_public)."""
    if actor.scope not in API_SCOPES or scope not in API_SCOPES:
        return False
    return API_SCOPES.index(actor.scope) >= API_SCOPES.index(scope)


def api_key_sees(request, actor: ApiKeyActor) -> bool:
    """A key sees requests of its own agency only (others are 404, like staff of another agency)."""
    return request.agency_id == actor.agency_id


def api_key_sees_q(actor: ApiKeyActor) -> Q:
    """api_key_sees() as a filter over Request (the API's request list)."""
    return Q(agency_id=actor.agency_id)


def api_key_staff(actor: ApiKeyActor, user):
    """The staff user a desk key acts as — only while that user is active desk staff of the key's
    agency (a user who moved or left makes the key's desk calls fail, never widens them)."""
    if not api_key_may(actor, "desk") or user is None or user.pk != actor.staff_user_id:
        return None
    if not (is_staff_actor(user) and user.is_active and user.agency_id == actor.agency_id
            and roles_of(user) & DESK_ROLES):
        return None
    return user


def may_hold_api_desk_key(user, agency_id) -> bool:
    """Who a desk key may be created for: an active desk staff member of that agency."""
    return (is_staff_actor(user) and user.is_active and user.agency_id == agency_id
            and bool(roles_of(user) & DESK_ROLES))


# ---------------------------------------------------------------- UU 14/2008: extension and objection


def may_extend(request, user, holds=None) -> bool:
    """The official extends an open information request's deadline once (holder of the step or a
    supervisor of the request)."""
    if request.kind not in KIP_KINDS or request.state not in OPEN_STATES or request.extended_days:
        return False
    if request.due_at is None or not is_desk_staff(request, user):
        return False
    holds = holds_step(request, user) if holds is None else holds
    return holds or supervises(request, user)


def objection_window_end(request):
    """Until when the applicant may object: 30 working days after the answer or the refusal."""
    from .clock import working_days_after

    finished = request.resolved_at or request.closed_at
    if request.kind not in KIP_KINDS or request.state not in OBJECTION_AFTER or finished is None:
        return None
    return working_days_after(request.agency, finished, 30)


def may_object(request, now=None) -> bool:
    from django.utils import timezone

    from .models import Objection

    end = objection_window_end(request)
    if end is None or (now or timezone.now()) > end:
        return False
    return not Objection.objects.filter(request_id=request.pk).exists()


def open_objection(request):
    from .models import Objection

    return Objection.objects.filter(request_id=request.pk, answered_at__isnull=True).first()


def may_answer_objection(request, user) -> bool:
    """The official's superior answers an objection: the agency head (or the secretary)."""
    if not same_agency(request, user) or not roles_of(user) & AGENCY_WIDE_STEP_ROLES:
        return False
    return open_objection(request) is not None


def sees_identity_q(user) -> Q:
    """sees_identity() as a filter over Request: which requests' applicant names `user` may search."""
    if not is_staff_actor(user) or not user.agency_id:
        return Q(pk__in=[])
    if roles_of(user) & COMPLAINT_HANDLERS:
        return Q(agency_id=user.agency_id)
    return Q(agency_id=user.agency_id) & (Q(confidential=False) | Q(assignee_id=user.pk))
