"""The one module that changes a request.

Every action: lock the row, ask `access` whether this actor may do it now (inside
the lock, on the row as it is), apply the change, append an Event, write the
outbox messages, recompute the clock — all in one transaction. Two clicks or two
workers racing on the same request: the row lock serialises them and the version
check turns the loser's stale action into a clear Conflict instead of a double
transition.

Every action has an actor: a staff user, the applicant (`access.ApplicantActor`,
from the tracking link) or the system (`access.SYSTEM`). Reads, labels and
channel routing live elsewhere (access, labels, routing, inbox, page).
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.accounts.models import Position, User
from layanan.accounts.roles import AGENCY_WIDE_STEP_ROLES, Role
from layanan.core import rows
from layanan.standards.models import Step, StepAction

from . import access, clock, labels, notifications
from .models import (
    OPEN_STATES,
    Attachment,
    Channel,
    CompensationTask,
    Draft,
    Event,
    Objection,
    Pause,
    Request,
    RequirementCheck,
    SlaStatus,
    State,
)
from .routing import entry_step


class LifecycleError(ValidationError):
    """An action that the request's state, step or the actor's role does not allow."""


class Conflict(LifecycleError):
    """Someone else changed the request first."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    needs_note: bool = False
    needs_confirm: bool = False


# ---------------------------------------------------------------- intake

# Tracking codes: the agency's code and the year stay readable; the rest is random
# (no 0/O, 1/I/L), so codes cannot be enumerated: DINSOS-SEKADAU-2026-K7QX-M3PA.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code(agency, year: int) -> str:
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
    return f"{agency.code}-{year}-{random_part[:4]}-{random_part[4:]}"


def submit(*, standard, channel: str, subject: str, applicant: dict, description: str = "",
           actor=None, idempotency_key: str | None = None, checks: dict | None = None,
           missing: list[str] | None = None, now=None, kind: str | None = None,
           then=None) -> tuple[Request, bool]:
    """Register a request on `standard`. Returns (request, created).

    `actor` is the officer registering it (counter), or None when the applicant
    submits it themselves (web form, WhatsApp, API): then the applicant is the actor.
    `missing` lists requirements the officer at the counter found missing: the
    request is registered, then waits for the applicant with the clock paused.
    `then(request)` runs in the same transaction (intake.register stores the uploads there):
    if it fails, no request was registered either.

    A retry with the same idempotency key returns the first request unchanged. It is not
    looked up first: the unique key refuses the second INSERT, the transaction is rolled back
    and the first request is read then — the common case (a new submission) costs no query
    for it. The transaction is the only one (no savepoint) unless the caller holds one.
    """
    service = standard.service
    agency = service.agency
    if actor is not None and not access.may_register(actor, agency):
        raise LifecycleError(_("Hanya petugas instansi ini yang dapat mendaftarkan permohonan."))
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = _create(standard, channel, subject, applicant, description, actor,
                              idempotency_key, checks or {}, now, kind=kind)
            if missing:
                by = actor if actor is not None else access.ApplicantActor(request.pk, via=channel)
                _wait_for_applicant(request, by, now, missing,
                                    _("Persyaratan belum lengkap saat pendaftaran."))
                request.version += 1
                request.save()
            if then is not None:
                then(request)
    except IntegrityError:
        # A retry, or a concurrent twin that won the race: hand back the first request.
        if idempotency_key:
            existing = Request.objects.filter(agency=agency, idempotency_key=idempotency_key).first()
            if existing:
                return existing, False
        raise
    return request, True


def _create(standard, channel, subject, applicant, description, actor, key, checks, now, kind=None):
    service = standard.service
    agency = service.agency
    # The kind the applicant chose among those the standard takes (seed 001: data or complaint).
    if kind and kind not in standard.accepted_kinds:
        raise LifecycleError(_("Layanan ini tidak menerima jenis permohonan tersebut."))
    kind = kind or service.kind
    # In order; no query when the standard came with its steps (requests/published.py).
    steps = sorted(standard.steps.all(), key=lambda step: step.position)
    first = entry_step(steps, channel, kind)
    request = Request(
        agency=agency, service=service, standard=standard, kind=kind, channel=channel,
        subject=subject[:300], description=description, idempotency_key=key,
        tracking_code=new_tracking_code(agency, timezone.localtime(now).year),
        state=State.RECEIVED, current_step=first, assigned_unit_id=first.unit_id if first else None,
        **applicant,
    )
    if not any(step.starts_clock for step in steps):
        request.clock_started_at = now
    elif first and first.starts_clock:
        request.clock_started_at = now
    clock.recompute(request, pauses=[])  # before the INSERT: one write, not INSERT + UPDATE
    # The request, its subject keys (privacy index), checks, first event and receipt go out
    # without waiting for each other: one round trip to PostgreSQL for them all (core/rows.batched).
    # The request's key is drawn ahead (rows.reserve_key: None on SQLite, where it waits for it).
    request.pk = rows.reserve_key(Request)
    with rows.batched():
        rows.insert([request], keyed=request.pk is not None)
        _save_checks(request, checks)
        by = actor if actor is not None else access.ApplicantActor(request.pk, via=channel)
        _event(request, by, "received", now, from_state="", to_state=State.RECEIVED,
               to_step=first.position if first else None,
               note=_("Permohonan diterima melalui %(channel)s.") % {"channel": Channel(channel).label})
        notifications.request_received(request)
    return request


def _save_checks(request, checks: dict):
    rows.insert([RequirementCheck(request=request, requirement_id=req_id, satisfied=bool(ok))
                 for req_id, ok in checks.items()], wait=False)


# ---------------------------------------------------------------- actions


def available_actions(request: Request, actor) -> list[Action]:
    """What `actor` may do to `request` now (access decides; the desk shows only these)."""
    return [Action(a.name, labels.action_label(a.name, request.current_step), a.needs_note, a.needs_confirm)
            for a in access.allowed_actions(request, actor, escalation_target=_has_escalation_target)]


def perform(request: Request, actor, action: str, *, expected_version: int | None = None,
            note: str = "", public: bool = True, confirmed: bool = False, now=None, **params) -> Request:
    """Apply `action` to `request` as `actor`. Raises LifecycleError / Conflict."""
    handler = HANDLERS.get(action)
    if handler is None:
        raise LifecycleError(_("Tindakan tidak dikenal."))
    try:
        access.actor_kind(actor)
    except TypeError:
        raise LifecycleError(_("Tindakan tanpa pelaku tidak diizinkan.")) from None
    now = now or timezone.now()
    with transaction.atomic():
        locked = (Request.objects.select_for_update(of=("self",))
                  .select_related("standard", "current_step", "agency", "service")
                  .get(pk=request.pk))
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(_("Permohonan ini baru saja diubah oleh petugas lain. "
                             "Muat ulang halaman untuk melihat keadaan terbaru."))
        allowed = {a.name: a for a in access.allowed_actions(locked, actor,
                                                             escalation_target=_has_escalation_target)}
        if action not in allowed:
            raise LifecycleError(_("Tindakan ini tidak dapat Anda lakukan pada tahap ini."))
        if allowed[action].needs_confirm and not confirmed:
            raise LifecycleError(_("Centang konfirmasi terlebih dahulu."))
        locked._acting_role = _acting_role(locked, actor)  # before the step moves
        handler(locked, actor, now, note=note.strip(), public=public, **params)
        locked.version += 1
        locked.save()
    return locked


def _advance(request, actor, now, *, note, public, product_text="", draft_text="", draft_attachment=None,
             **_ignored):
    step = request.current_step
    data = {"via": request.channel} if step.action == StepAction.ANSWER else {}
    # The draft answer or letter that goes up the paraf chain: written before the first paraf
    # (and again after a return for revision); each paraf/sign-off names the version it approved.
    writes_draft = draft_text.strip() or draft_attachment is not None
    if writes_draft and step.action not in DRAFT_LEVELS | FINAL_ACTIONS:
        data["draft"] = _write_draft(request, actor, now, step, draft_text, draft_attachment).number
    elif step.action in DRAFT_LEVELS:
        current = request.drafts.order_by("-number").first()
        if current is not None:
            data["draft"] = current.number
            if step.action == StepAction.APPROVE:
                current.signed_at, current.signed_by = now, actor
                current.save(update_fields=["signed_at", "signed_by"])
    if step.action in FINAL_ACTIONS:
        signed = request.drafts.filter(signed_at__isnull=False).order_by("-number").first()
        if signed is not None:
            # The version the head signed is the one delivered, never a later edit.
            request.product_text = signed.text or product_text.strip()
            if signed.attachment_id:
                Attachment.objects.filter(pk=signed.attachment_id).update(purpose=Attachment.Purpose.PRODUCT)
            data["draft"] = signed.number
        elif product_text.strip():
            request.product_text = product_text.strip()
    target = _next_position(step)
    # Seed 004: the answer goes back through the medium the question came by.
    _move(request, actor, now, step.action, target, note=note, public=public, data=data or None)


DRAFT_LEVELS = {StepAction.INITIAL, StepAction.APPROVE}
FINAL_ACTIONS = {StepAction.DELIVER, StepAction.ANSWER}
KIP_KINDS = {"information", "data_request"}  # UU 14/2008: extension and objection
EXTENSION_WORKING_DAYS = 7
OBJECTION_WORKING_DAYS = 30


def _write_draft(request, actor, now, step, text, attachment):
    number = (request.drafts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    writer = actor if access.is_staff_actor(actor) else None
    return Draft.objects.create(request=request, number=number, text=text.strip()[:20000],
                                attachment=attachment, written_by=writer, written_at=now,
                                step_position=step.position)


def _return_for_revision(request, actor, now, *, note, public, **_ignored):
    """Send the draft back one level (Kabid → Kasi) with a note: to the step and the person that
    sent it up. The draft stays on record; the level below writes the next version."""
    if not note:
        raise LifecycleError(_("Tuliskan apa yang perlu diperbaiki."))
    step = request.current_step
    if step is None or step.action not in DRAFT_LEVELS:
        raise LifecycleError(_("Hanya langkah paraf atau pengesahan yang dapat mengembalikan draf."))
    came = (Event.objects.filter(request=request, to_step=step.position).exclude(from_step=step.position)
            .exclude(from_step__isnull=True).exclude(action="return_for_revision")
            .order_by("-at", "-id").first())
    if came is None:
        raise LifecycleError(_("Tidak ada tingkat sebelumnya untuk menerima perbaikan."))
    current = request.drafts.order_by("-number").first()
    _move(request, actor, now, "return_for_revision", came.from_step, note=note, public=False,
          data={"draft": current.number if current else None, "to_user": came.actor_id})
    if came.actor_id and access.is_desk_staff(request, came.actor):
        request.assignee = came.actor


def _extend(request, actor, now, *, note, public, **_ignored):
    """UU 14/2008 art. 22(8): the official extends the deadline of an information request once, by
    7 working days of the agency's calendar, with a reason the applicant is told."""
    if not note:
        raise LifecycleError(_("Tuliskan alasan perpanjangan; alasan ini disampaikan kepada pemohon."))
    if request.kind not in KIP_KINDS or request.extended_days:
        raise LifecycleError(_("Jangka waktu permohonan ini tidak dapat diperpanjang lagi."))
    before = request.due_at
    request.extended_days = EXTENSION_WORKING_DAYS
    clock.recompute(request)
    _event(request, actor, "extend", now, note=note, public=True,
           data={"days": EXTENSION_WORKING_DAYS, "from": before.isoformat() if before else None,
                 "to": request.due_at.isoformat() if request.due_at else None})


def _object(request, actor, now, *, note, public, **_ignored):
    """Keberatan (UU 14/2008 art. 35–36): the applicant objects to the answer or the refusal, to the
    official's superior, within 30 working days; the superior answers within 30 working days."""
    if not note:
        raise LifecycleError(_("Tuliskan alasan keberatan Anda."))
    due = clock.working_days_after(request.agency, now, OBJECTION_WORKING_DAYS)
    Objection.objects.create(request=request, lodged_at=now, reason=note[:5000], due_at=due)
    _event(request, actor, "object", now, note=note[:5000], public=True,
           data={"due": due.isoformat() if due else None})


def _answer_objection(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Tuliskan tanggapan atas keberatan."))
    updated = Objection.objects.filter(request=request, answered_at__isnull=True) \
        .update(answered_at=now, answer=note[:10000], answered_by=actor)
    if not updated:
        raise LifecycleError(_("Tidak ada keberatan yang menunggu tanggapan."))
    _event(request, actor, "answer_objection", now, note=note, public=True)


def _escalate(request, actor, now, *, note, public, **_ignored):
    """Cannot resolve: to the step the procedure names (seed 000), else up the hierarchy."""
    if not note:
        raise LifecycleError(_("Tuliskan mengapa belum dapat diselesaikan."))
    step = request.current_step
    if step.on_cannot_resolve:
        _move(request, actor, now, "escalate", step.on_cannot_resolve, note=note, public=public)
        return
    superior = _superior_of(request, actor)
    if superior is None:
        raise LifecycleError(_("Tidak ada atasan yang dapat menerima eskalasi."))
    request.assignee = superior
    _event(request, actor, "escalate", now, from_step=step.position, to_step=step.position,
           note=note, public=public, data={"to_user": superior.pk})


def _has_escalation_target(request, user) -> bool:
    return _superior_of(request, user) is not None


def _superior_of(request, actor):
    """The unit head nearest above the request's unit, or the agency head above a unit head;
    nobody above the agency head."""
    if access.is_staff_actor(actor) and actor.has_role(Role.HEAD):
        return None
    staff = User.objects.filter(agency_id=request.agency_id, is_active=True).exclude(pk=actor.pk)
    if not actor.has_role(*AGENCY_WIDE_STEP_ROLES, Role.UNIT_HEAD) and request.assigned_unit_id:
        chain = access.structure(request.agency_id).chain(request.assigned_unit_id)
        heads = {}
        for position in (Position.objects.filter(role=Role.UNIT_HEAD, unit_id__in=chain, user__in=staff)
                         .select_related("user").order_by("user_id")):
            heads.setdefault(position.unit_id, position.user)
        for unit_id in chain:
            if unit_id in heads:
                return heads[unit_id]
    return staff.filter(positions__role=Role.HEAD).first()


def _dispose(request, actor, now, *, note, public, to_user=None, to_unit=None, **_ignored):
    """Disposisi: pass the request on with an instruction to a unit or a person.

    On a disposition step of the procedure it also moves to the next step;
    elsewhere a head hands the current step to someone below.
    """
    if to_user is None and to_unit is None:
        raise LifecycleError(_("Pilih unit atau pegawai tujuan disposisi."))
    for target in (to_user, to_unit):
        if target is not None and getattr(target, "agency_id", None) != request.agency_id:
            raise LifecycleError(_("Tujuan disposisi harus dari instansi yang sama."))
    if to_user is not None and not access.is_desk_staff(request, to_user):
        raise LifecycleError(_("Pegawai tujuan tidak menangani permohonan."))
    step = request.current_step
    data = {"to_user": getattr(to_user, "pk", None), "to_unit": getattr(to_unit, "pk", None)}
    if step.action == StepAction.DISPOSE:
        _move(request, actor, now, "dispose", _next_position(step), note=note, public=False, data=data)
    else:
        _event(request, actor, "dispose", now, from_step=step.position, to_step=step.position,
               note=note, public=False, data=data)
    request.assignee = to_user
    if to_unit is None:  # a person: the request follows them into their unit
        position = to_user.positions.exclude(unit=None).first()
        to_unit = position.unit if position else None
    if to_unit is not None:
        request.assigned_unit = to_unit


def _return_incomplete(request, actor, now, *, note, public, missing=(), **_ignored):
    missing = [m for m in missing if m] or ([note] if note else [])
    if not missing:
        raise LifecycleError(_("Sebutkan persyaratan yang belum lengkap."))
    _wait_for_applicant(request, actor, now, missing, note)


def _wait_for_applicant(request, actor, now, missing, note=""):
    """Stop the clock and tell the applicant exactly what is missing."""
    Pause.objects.create(request=request, started_at=now, missing=list(missing))
    step = request.current_step
    _event(request, actor, "return_incomplete", now, from_state=request.state,
           to_state=State.WAITING_APPLICANT, from_step=step.position if step else None,
           to_step=step.position if step else None, note=note, public=True,
           data={"missing": list(missing)})
    request.state = State.WAITING_APPLICANT
    clock.recompute(request)
    notifications.documents_missing(request, missing)


def _resume(request, actor, now, *, note, public, action="resume", **_ignored):
    """The wait on the applicant is over (staff received the documents, or the applicant sent them)."""
    request.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    _event(request, actor, action, now, from_state=request.state, to_state=State.IN_PROGRESS,
           note=note or _("Kelengkapan diterima; proses dilanjutkan."), public=True)
    request.state = State.IN_PROGRESS
    clock.recompute(request)
    clock.relax_sla_status(request, now)


def _supply(request, actor, now, *, note, public, **_ignored):
    """The applicant sent the missing documents through the tracking link: the clock runs again."""
    _resume(request, actor, now, note=note, public=True, action="supply")


def _reject(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Alasan penolakan wajib diisi."))
    _finish(request, actor, now, "reject", State.REJECTED, note)
    request.reject_reason = note
    notifications.request_finished(request, "rejected")


def _withdraw(request, actor, now, *, note, public, **_ignored):
    """Withdrawn: by the applicant themselves (tracking link), or closed by an authorised
    officer at the applicant's request, with the reason on the public timeline."""
    if isinstance(actor, access.ApplicantActor):
        _finish(request, actor, now, "withdraw", State.WITHDRAWN,
                note or _("Dicabut oleh pemohon melalui tautan lacak."))
        return
    if not note:
        raise LifecycleError(_("Tuliskan alasan: kapan dan bagaimana pemohon meminta pencabutan."))
    _finish(request, actor, now, "withdraw", State.WITHDRAWN,
            _("Ditutup atas permintaan pemohon: %(reason)s") % {"reason": note},
            data={"on_behalf_of_applicant": True})
    notifications.request_finished(request, "withdrawn")


def _close(request, actor, now, *, note, public, **_ignored):
    _finish(request, actor, now, "close", State.CLOSED, note)


def _reopen(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Tuliskan alasan membuka kembali."))
    if not _within_reopen_window(request, now):
        raise LifecycleError(_("Batas waktu membuka kembali permohonan ini sudah lewat."))
    last = request.standard.steps.order_by("-position").first()
    _event(request, actor, "reopen", now, from_state=request.state, to_state=State.IN_PROGRESS,
           to_step=last.position if last else None, note=note, public=True)
    request.state, request.current_step = State.IN_PROGRESS, last
    request.resolved_at = request.closed_at = None


def _assign(request, actor, now, *, note, public, to_user=None, **_ignored):
    if to_user is None or not access.is_desk_staff(request, to_user):
        raise LifecycleError(_("Pilih pegawai dari instansi ini yang menangani permohonan."))
    request.assignee = to_user
    _event(request, actor, "assign", now, note=note, public=False, data={"to_user": to_user.pk})


def _note(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Catatan kosong."))
    _event(request, actor, "note", now, note=note, public=public)


def _message(request, actor, now, *, note, public, via="", **_ignored):
    """The applicant writes to the agency on an open request (WhatsApp, e-mail reply, API): a line on
    the timeline, visible to the applicant and the staff; the clock does not change."""
    if not note:
        raise LifecycleError(_("Pesan kosong."))
    _event(request, actor, "message", now, note=note[:5000], public=True,
           data={"via": via} if via else None)


def _complete_compensation(request, actor, now, *, note, public, **_ignored):
    """Seed 004: the product was delivered to the applicant's home because the standard was missed."""
    updated = CompensationTask.objects.filter(request=request, done_at__isnull=True) \
        .update(done_at=now, note=note[:5000])
    if not updated:
        raise LifecycleError(_("Tugas kompensasi sudah selesai sebelumnya."))
    _event(request, actor, "complete_compensation", now, note=note, public=True)


HANDLERS = {
    "advance": _advance, "escalate": _escalate, "dispose": _dispose,
    "return_incomplete": _return_incomplete, "resume": _resume, "supply": _supply, "reject": _reject,
    "withdraw": _withdraw, "close": _close, "reopen": _reopen, "assign": _assign, "note": _note,
    "complete_compensation": _complete_compensation, "message": _message,
    "return_for_revision": _return_for_revision, "extend": _extend, "object": _object,
    "answer_objection": _answer_objection,
}


# ---------------------------------------------------------------- helpers


def _move(request, actor, now, action, target_position, *, note="", public=True, data=None):
    """Leave the current step for `target_position` (None or 0 → resolved)."""
    step = request.current_step
    target = None
    if target_position:
        target = request.standard.steps.filter(position=target_position).first()
    from_state = request.state
    if target is None:
        request.state = State.RESOLVED
        request.resolved_at = now
    else:
        request.state = State.IN_PROGRESS
        request.assigned_unit = target.unit or request.assigned_unit
        request.assignee = None
        if target.starts_clock and request.clock_started_at is None:
            request.clock_started_at = now
    request.current_step = target
    _event(request, actor, action, now, from_state=from_state, to_state=request.state,
           from_step=step.position if step else None, to_step=target.position if target else None,
           note=note, public=public, data=data or {})
    clock.recompute(request)
    if request.state == State.RESOLVED:
        notifications.request_resolved(request)


def _finish(request, actor, now, action, state, note, data=None):
    _event(request, actor, action, now, from_state=request.state, to_state=state,
           from_step=request.current_step.position if request.current_step else None,
           note=note, public=True, data=data)
    request.state = state
    request.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    request.closed_at = now
    request.current_step = None


def _next_position(step: Step) -> int | None:
    if step.on_done is not None:
        return step.on_done or None  # 0 means "end"
    nxt = Step.objects.filter(standard_id=step.standard_id, position__gt=step.position) \
        .order_by("position").values_list("position", flat=True).first()
    return nxt


def _within_reopen_window(request, now) -> bool:
    finished = request.closed_at or request.resolved_at
    window = timedelta(days=settings.REQUEST_REOPEN_DAYS)
    return finished is not None and now - finished <= window


def _acting_role(request, actor) -> str:
    """The role the actor acted in, for the timeline ("Kepala Dinas", "Pemohon", "Sistem")."""
    kind = access.actor_kind(actor)
    if kind != "staff":
        return kind
    step = request.current_step
    roles = access.roles_of(actor)
    if step is not None and step.role in roles:
        return step.role
    for role in (Role.HEAD, Role.SECRETARY, Role.UNIT_HEAD, Role.AGENCY_ADMIN, Role.OPERATOR,
                 Role.FRONT_DESK, Role.HANDLER):
        if role in roles:
            return role
    return ""


def _event(request, actor, action, now, *, from_state="", to_state="", from_step=None,
           to_step=None, note="", public=True, data=None):
    staff = access.is_staff_actor(actor)
    [event] = rows.insert([Event(
        request=request, at=now, actor=actor if staff else None,
        actor_label=str(actor) if staff else "", actor_kind=access.actor_kind(actor),
        actor_role=getattr(request, "_acting_role", None) or _acting_role(request, actor),
        action=action,
        from_state=from_state or "", to_state=to_state or "",
        from_step=from_step, to_step=to_step, note=note, public=public, data=data or {},
    )], wait=False)  # inside submit()'s batch its pk comes at the batch's end; elsewhere at once
    return event


# ---------------------------------------------------------------- the system's changes


def mark_late(request, now) -> str | None:
    """Mark a locked request at risk or breached when the clock says so (the sweep's part).

    Returns the new status, or None when nothing got worse; lifting a mark is
    relax_sla_status's job, when a deadline moves. A breach of a standard that
    promises compensation (seed 004) opens the compensation task, on the timeline.
    """
    status = clock.sla_status(request, now)
    if status == SlaStatus.ON_TIME or status == request.sla_status:
        return None
    request.sla_status = status
    request.save(update_fields=["sla_status", "updated_at"])
    _event(request, access.SYSTEM, f"sla_{status}", now, public=False,
           note=_("Melewati tenggat") if status == SlaStatus.BREACHED else _("Mendekati tenggat"))
    promise = request.standard.compensation_on_breach
    if status == SlaStatus.BREACHED and promise:
        _task, created = CompensationTask.objects.get_or_create(request=request,
                                                                defaults={"promise": promise})
        if created:
            _event(request, access.SYSTEM, "compensation_due", now, public=True, note=promise)
    return status


def recompute_open_requests(agency_id: int, now=None) -> int:
    """After a calendar change: move the deadlines of the agency's open requests.

    Each request is locked on its own, briefly, so the desk is never blocked for
    long; a moved due time leaves an internal note on the timeline.
    """
    clock.forget_calendar(agency_id)
    now = now or timezone.now()
    ids = Request.objects.filter(agency_id=agency_id, state__in=OPEN_STATES,
                                 clock_started_at__isnull=False).values_list("pk", flat=True)
    return sum(_move_deadline(pk, now) for pk in list(ids))


def _move_deadline(pk, now) -> bool:
    with transaction.atomic():
        request = (Request.objects.select_for_update(of=("self",))
                   .select_related("agency", "standard").get(pk=pk))
        if request.state not in OPEN_STATES:
            return False
        before = request.due_at
        clock.recompute(request)
        if request.due_at == before:
            return False
        clock.relax_sla_status(request, now)
        request.save(update_fields=["due_at", "at_risk_at", "sla_status", "updated_at"])
        _event(request, access.SYSTEM, "due_moved", now, public=False,
               note=_("Tenggat disesuaikan karena kalender kerja instansi berubah."),
               data={"from": before.isoformat() if before else None,
                     "to": request.due_at.isoformat() if request.due_at else None})
        return True


# ---------------------------------------------------------------- personal data

# Events without a staff actor that the system itself writes (fixed texts, no applicant's words).
SYSTEM_EVENTS = {"received", "return_incomplete", "due_moved", "sla_at_risk", "sla_breached", "anonymised"}
ANONYMISE_REASONS = {
    "retention": gettext_lazy("Data pribadi pemohon dihapus karena masa simpannya berakhir."),
    "erasure": gettext_lazy("Data pribadi pemohon dihapus atas permintaan pemohon."),
}


def anonymise(request_pk: int, *, actor=None, now=None, reason: str = "retention") -> bool:
    """Remove the applicant's personal data from a finished request (UU 27/2022).

    Blanks the identity fields and the applicant's own words (the description,
    notes the applicant wrote), takes identifying strings out of the subject,
    staff notes and the answer, deletes every file of the request (after the
    commit) and the undelivered messages, blanks the sent ones' recipient and
    text, and the linked guest-book line. What the statistics need stays:
    service, kind, channel, unit, state, dates, SLA status, the timeline's
    actions. Returns False when the request is gone or already anonymised;
    an open request raises LifecycleError (the agency still has a duty to it).
    `actor` is the staff member handling an erasure request; None is the system
    (the retention job).
    """
    from layanan.privacy.redact import identity_terms, redact, redact_data

    from . import access
    from .models import (
        OPEN_STATES,
        CompensationTask,
        Event,
        GuestBookEntry,
        OutboxMessage,
        Request,
        RequirementCheck,
        new_secret,
    )

    now = now or timezone.now()
    actor = actor or access.SYSTEM
    with transaction.atomic():
        request = Request.objects.select_for_update(of=("self",)).filter(pk=request_pk).first()
        if request is None or request.anonymised_at is not None:
            return False
        if request.state in OPEN_STATES:
            raise LifecycleError(_("Permohonan %(code)s masih berjalan: data pemohon baru dapat dihapus "
                                   "setelah permohonan selesai, ditolak atau dicabut.")
                                 % {"code": request.tracking_code})
        attachments = list(request.attachments.all())
        guests = list(GuestBookEntry.objects.filter(request=request))
        terms = identity_terms(
            name=request.applicant_name, nik=request.applicant_nik, phone=request.applicant_phone,
            email=request.applicant_email, address=request.applicant_address,
            others=[request.letter_signatory, *(a.filename for a in attachments),
                    *(g.name for g in guests), *(g.identity_number for g in guests)])

        files = [a.file.name for a in attachments if a.file.name]
        request.attachments.all().delete()
        events = list(Event.objects.filter(request=request))
        for event in events:
            kind = getattr(event, "actor_kind", "")
            written_by_applicant = kind == "applicant" or (
                event.actor_id is None and kind != "system" and event.action not in SYSTEM_EVENTS)
            if written_by_applicant and event.note:
                event.note = _("Catatan pemohon dihapus (data pribadi).")
            else:
                event.note = redact(event.note, terms)
            event.actor_label = redact(event.actor_label, terms)
            event.data = redact_data(event.data, terms)
        Event.objects.bulk_update(events, ["note", "actor_label", "data"], batch_size=200)
        unsent = OutboxMessage.objects.filter(request=request, sent_at__isnull=True).delete()[0]
        sent = OutboxMessage.objects.filter(request=request).update(recipient="", subject="", body="")
        GuestBookEntry.objects.filter(request=request).update(name="", identity_number="", organisation="")
        for check in RequirementCheck.objects.filter(request=request).exclude(note=""):
            check.note = redact(check.note, terms)
            check.save(update_fields=["note"])
        for task in CompensationTask.objects.filter(request=request).exclude(note=""):
            task.note = redact(task.note, terms)
            task.save(update_fields=["note"])
        # The applicant's objection is their own words; the drafts and the superior's answer are staff's.
        for objection in Objection.objects.filter(request=request):
            objection.reason = _("Catatan pemohon dihapus (data pribadi).")
            objection.answer = redact(objection.answer, terms)
            objection.save(update_fields=["reason", "answer"])
        for draft in Draft.objects.filter(request=request).exclude(text=""):
            draft.text = redact(draft.text, terms)
            draft.save(update_fields=["text"])

        request.applicant_name = request.applicant_nik = request.applicant_phone = ""
        request.applicant_email = request.applicant_address = request.letter_signatory = ""
        request.description = ""
        request.subject = redact(request.subject, terms)[:300]
        request.product_text = redact(request.product_text, terms)
        request.reject_reason = redact(request.reject_reason, terms)
        request.tracking_secret = new_secret()  # links in old e-mails and receipts stop working
        request.anonymised_at = now
        request.version += 1
        request.save()
        _event(request, actor, "anonymised", now, public=False,
               note=str(ANONYMISE_REASONS.get(reason, ANONYMISE_REASONS["retention"])),
               data={"reason": reason, "files_removed": len(attachments), "messages_removed": unsent,
                     "messages_blanked": sent})
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _delete_files(names) -> None:
    """Delete a request's stored files (after the commit that removed their rows), then its folder."""
    import logging
    import os

    from django.core.files.storage import default_storage

    folders = set()
    for name in names:
        try:
            default_storage.delete(name)
            folders.add(os.path.dirname(name))
        except OSError:  # pragma: no cover - logged; the row is gone, the file is an orphan
            logging.getLogger(__name__).exception("Could not delete %s while anonymising", name)
    for folder in folders:
        try:
            os.rmdir(default_storage.path(folder))
        except (OSError, NotImplementedError, ValueError):
            pass  # not empty, not a local folder, or already gone
