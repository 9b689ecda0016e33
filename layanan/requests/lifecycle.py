"""The one module that changes a request's state.

Every action: lock the row, check the state, the step and the actor's role,
apply the change, append an Event, write the outbox messages, recompute the
clock — all in one transaction. Two clicks or two workers racing on the same
request: the row lock serialises them and the version check turns the loser's
stale action into a clear Conflict instead of a double transition.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.accounts.models import Position, User
from layanan.accounts.roles import Role
from layanan.agencies.queries import unit_subtree
from layanan.standards.models import APPLICANT, EXTERNAL, Step, StepAction

from . import clock, notifications
from .models import (
    OPEN_STATES,
    Event,
    Pause,
    Request,
    RequestSequence,
    RequirementCheck,
    SlaStatus,
    State,
)

# Staff who may record a step done by the applicant or an outside party
# (a letter arrived from the Sekda, the OPD sent its draft…).
RECORDERS = {Role.FRONT_DESK, Role.OPERATOR, Role.HANDLER, Role.UNIT_HEAD, Role.AGENCY_ADMIN}
SUPERVISORS = {Role.UNIT_HEAD, Role.SECRETARY, Role.HEAD}


class LifecycleError(ValidationError):
    """An action that the request's state, step or the actor's role does not allow."""


class Conflict(LifecycleError):
    """Someone else changed the request first."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    needs_note: bool = False


ACTION_LABELS = {
    "advance": gettext_lazy("Selesai, lanjut"),
    "escalate": gettext_lazy("Tidak dapat diselesaikan, teruskan"),
    "return_incomplete": gettext_lazy("Kembalikan ke pemohon (tidak lengkap)"),
    "resume": gettext_lazy("Kelengkapan diterima, lanjutkan"),
    "dispose": gettext_lazy("Disposisi"),
    "assign": gettext_lazy("Tugaskan"),
    "reject": gettext_lazy("Tolak"),
    "withdraw": gettext_lazy("Cabut permohonan"),
    "close": gettext_lazy("Tutup"),
    "reopen": gettext_lazy("Buka kembali"),
    "note": gettext_lazy("Catatan"),
}
STEP_ACTION_LABELS = {
    StepAction.REGISTER: gettext_lazy("Catat / registrasi selesai"),
    StepAction.VERIFY: gettext_lazy("Persyaratan lengkap, lanjut"),
    StepAction.PROCESS: gettext_lazy("Selesai diproses, lanjut"),
    StepAction.CONSULT: gettext_lazy("Konsultasi selesai"),
    StepAction.INITIAL: gettext_lazy("Paraf"),
    StepAction.APPROVE: gettext_lazy("Sahkan / tanda tangani"),
    StepAction.DELIVER: gettext_lazy("Serahkan hasil"),
    StepAction.ANSWER: gettext_lazy("Kirim jawaban"),
    StepAction.SUBMIT: gettext_lazy("Dokumen dari pemohon diterima"),
}


# ---------------------------------------------------------------- intake


def next_tracking_code(agency, year: int) -> str:
    """DINSOS-SEKADAU-2026-000123: readable, per agency and year, gap-free.

    One UPDATE … RETURNING (it takes the row lock itself); the row is created the first time.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {RequestSequence._meta.db_table} SET last = last + 1 "  # noqa: S608
                       "WHERE agency_id = %s AND year = %s RETURNING last", [agency.pk, year])
        row = cursor.fetchone()
    if row is None:
        seq, _created = RequestSequence.objects.select_for_update().get_or_create(agency=agency, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        row = (seq.last,)
    return f"{agency.code}-{year}-{row[0]:06d}"


def submit(*, standard, channel: str, subject: str, applicant: dict, description: str = "",
           actor=None, idempotency_key: str | None = None, checks: dict | None = None,
           missing: list[str] | None = None, now=None) -> tuple[Request, bool]:
    """Register a request on `standard`. Returns (request, created).

    `missing` lists requirements the officer at the counter found missing: the
    request is registered, then waits for the applicant with the clock paused.
    A retry with the same idempotency key returns the first request unchanged.
    """
    service = standard.service
    agency = service.agency
    if idempotency_key:
        existing = Request.objects.filter(agency=agency, idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = _create(standard, channel, subject, applicant, description, actor,
                              idempotency_key, checks or {}, now)
            if missing:
                _wait_for_applicant(request, actor, now, missing,
                                    _("Persyaratan belum lengkap saat pendaftaran."))
                request.version += 1
                request.save()
    except IntegrityError:
        # A concurrent retry with the same key won the race: hand back its request.
        if idempotency_key:
            existing = Request.objects.filter(agency=agency, idempotency_key=idempotency_key).first()
            if existing:
                return existing, False
        raise
    return request, True


def _create(standard, channel, subject, applicant, description, actor, key, checks, now):
    service = standard.service
    agency = service.agency
    steps = list(standard.steps.order_by("position"))
    first = entry_step(steps, channel)
    request = Request(
        agency=agency, service=service, standard=standard, kind=service.kind, channel=channel,
        subject=subject[:300], description=description, idempotency_key=key,
        tracking_code=next_tracking_code(agency, timezone.localtime(now).year),
        state=State.RECEIVED, current_step=first, assigned_unit_id=first.unit_id if first else None,
        **applicant,
    )
    if not any(step.starts_clock for step in steps):
        request.clock_started_at = now
    elif first and first.starts_clock:
        request.clock_started_at = now
    clock.recompute(request, pauses=[])  # before the INSERT: one write, not INSERT + UPDATE
    request.save()
    _save_checks(request, checks)
    _event(request, actor, "received", now, from_state="", to_state=State.RECEIVED,
           to_step=first.position if first else None,
           note=_("Permohonan diterima melalui %(channel)s.") % {"channel": request.get_channel_display()})
    notifications.request_received(request)
    return request


# Words in a procedure's track names (seed 000: "Datang langsung" / "Media informasi
# elektronik"; seed 003: "Pengaduan Manual" / "Pengaduan Online") and the channels
# that take each path.
IN_PERSON_WORDS = ("langsung", "manual", "loket", "tatap muka")
IN_PERSON_CHANNELS = {"counter", "letter", "suggestion_box"}


def _track_fits(track: str, channel: str) -> bool:
    if not track:
        return True
    in_person_track = any(word in track.lower() for word in IN_PERSON_WORDS)
    return in_person_track == (channel in IN_PERSON_CHANNELS)


def entry_step(steps, channel: str):
    """Where a new request starts: the first step the agency itself acts on, on the
    procedure's track for this channel. Steps of the applicant and of outside
    parties before it (the OPD's letter, the Sekda forwarding it) have happened."""
    on_track = [s for s in steps if _track_fits(s.track, channel)] or steps
    for step in on_track:
        if step.role not in {APPLICANT, EXTERNAL}:
            return step
    return on_track[-1] if on_track else None


def _save_checks(request, checks: dict):
    RequirementCheck.objects.bulk_create(
        RequirementCheck(request=request, requirement_id=req_id, satisfied=bool(ok))
        for req_id, ok in checks.items()
    )


# ---------------------------------------------------------------- actions


def available_actions(request: Request, user) -> list[Action]:
    """What `user` may do to `request` now (the desk shows only these)."""
    step = request.current_step
    actions = []
    if request.state in OPEN_STATES and request.state != State.WAITING_APPLICANT and step:
        dispose_step = step.action == StepAction.DISPOSE and step.role not in {APPLICANT, EXTERNAL}
        if _may_act_on_step(request, user, step):
            if dispose_step:
                actions.append(Action("dispose", str(ACTION_LABELS["dispose"])))
            else:
                actions.append(Action("advance", str(STEP_ACTION_LABELS.get(step.action,
                                                                             ACTION_LABELS["advance"]))))
            if step.role not in {APPLICANT, EXTERNAL}:
                actions.append(Action("escalate", str(ACTION_LABELS["escalate"]), needs_note=True))
            if step.on_incomplete:
                actions.append(Action("return_incomplete", str(ACTION_LABELS["return_incomplete"]),
                                      needs_note=True))
            if step.can_reject:
                actions.append(Action("reject", str(ACTION_LABELS["reject"]), needs_note=True))
        if not dispose_step and _is_staff_of(request, user, SUPERVISORS):
            # A head may always pass a request down with an instruction (disposisi).
            actions.append(Action("dispose", str(ACTION_LABELS["dispose"])))
    if request.state == State.WAITING_APPLICANT and _is_staff_of(request, user, RECORDERS | SUPERVISORS):
        actions.append(Action("resume", str(ACTION_LABELS["resume"])))
    if request.state in OPEN_STATES and _is_staff_of(request, user, {Role.AGENCY_ADMIN}):
        actions.append(Action("assign", str(ACTION_LABELS["assign"])))
    if request.state in OPEN_STATES and _is_staff_of(request, user, RECORDERS):
        actions.append(Action("withdraw", str(ACTION_LABELS["withdraw"]), needs_note=True))
    if request.state == State.RESOLVED and _is_staff_of(request, user, RECORDERS | SUPERVISORS):
        actions.append(Action("close", str(ACTION_LABELS["close"])))
    if request.state in {State.RESOLVED, State.CLOSED} and _within_reopen_window(request) \
            and _is_staff_of(request, user, SUPERVISORS | RECORDERS):
        actions.append(Action("reopen", str(ACTION_LABELS["reopen"]), needs_note=True))
    if _is_staff_of(request, user, set(Role.values)):
        actions.append(Action("note", str(ACTION_LABELS["note"]), needs_note=True))
    return actions


def perform(request: Request, actor, action: str, *, expected_version: int | None = None,
            note: str = "", public: bool = True, now=None, **params) -> Request:
    """Apply `action` to `request` as `actor`. Raises LifecycleError / Conflict."""
    handler = HANDLERS.get(action)
    if handler is None:
        raise LifecycleError(_("Tindakan tidak dikenal."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = (Request.objects.select_for_update(of=("self",))
                  .select_related("standard", "current_step", "agency", "service")
                  .get(pk=request.pk))
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(_("Permohonan ini baru saja diubah oleh petugas lain. "
                             "Muat ulang halaman untuk melihat keadaan terbaru."))
        if action not in {a.name for a in available_actions(locked, actor)} and actor is not None:
            raise LifecycleError(_("Tindakan ini tidak dapat Anda lakukan pada tahap ini."))
        handler(locked, actor, now, note=note.strip(), public=public, **params)
        locked.version += 1
        locked.save()
    return locked


def _advance(request, actor, now, *, note, public, product_text="", **_ignored):
    step = request.current_step
    if step.action in {StepAction.DELIVER, StepAction.ANSWER} and product_text.strip():
        request.product_text = product_text.strip()
    target = _next_position(step)
    # Seed 004: the answer goes back through the medium the question came by.
    data = {"via": request.channel} if step.action == StepAction.ANSWER else None
    _move(request, actor, now, step.action, target, note=note, public=public, data=data)


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


def _superior_of(request, actor):
    """The unit head over the request's unit, or the agency head above a unit head."""
    staff = User.objects.filter(agency_id=request.agency_id, is_active=True) \
        .exclude(pk=getattr(actor, "pk", None))
    if actor is None or not actor.has_role(Role.UNIT_HEAD, Role.SECRETARY, Role.HEAD):
        unit = request.assigned_unit
        while unit is not None:
            head = staff.filter(positions__role=Role.UNIT_HEAD, positions__unit=unit).first()
            if head:
                return head
            unit = unit.parent
    if actor is not None and actor.has_role(Role.HEAD):
        return None
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


def _resume(request, actor, now, *, note, public, **_ignored):
    request.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    _event(request, actor, "resume", now, from_state=request.state, to_state=State.IN_PROGRESS,
           note=note or _("Kelengkapan diterima; proses dilanjutkan."), public=True)
    request.state = State.IN_PROGRESS
    clock.recompute(request)
    clock.relax_sla_status(request, now)


def _reject(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Alasan penolakan wajib diisi."))
    _finish(request, actor, now, "reject", State.REJECTED, note)
    request.reject_reason = note


def _withdraw(request, actor, now, *, note, public, **_ignored):
    _finish(request, actor, now, "withdraw", State.WITHDRAWN, note or _("Dicabut oleh pemohon."))


def _close(request, actor, now, *, note, public, **_ignored):
    _finish(request, actor, now, "close", State.CLOSED, note)


def _reopen(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Tuliskan alasan membuka kembali."))
    last = request.standard.steps.order_by("-position").first()
    _event(request, actor, "reopen", now, from_state=request.state, to_state=State.IN_PROGRESS,
           to_step=last.position if last else None, note=note, public=True)
    request.state, request.current_step = State.IN_PROGRESS, last
    request.resolved_at = request.closed_at = None


def _assign(request, actor, now, *, note, public, to_user=None, **_ignored):
    if to_user is None or to_user.agency_id != request.agency_id:
        raise LifecycleError(_("Pilih pegawai dari instansi ini."))
    request.assignee = to_user
    _event(request, actor, "assign", now, note=note, public=False, data={"to_user": to_user.pk})


def _note(request, actor, now, *, note, public, **_ignored):
    if not note:
        raise LifecycleError(_("Catatan kosong."))
    _event(request, actor, "note", now, note=note, public=public)


HANDLERS = {
    "advance": _advance, "escalate": _escalate, "dispose": _dispose,
    "return_incomplete": _return_incomplete, "resume": _resume, "reject": _reject,
    "withdraw": _withdraw, "close": _close, "reopen": _reopen, "assign": _assign, "note": _note,
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


def _finish(request, actor, now, action, state, note):
    _event(request, actor, action, now, from_state=request.state, to_state=state,
           from_step=request.current_step.position if request.current_step else None,
           note=note, public=True)
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


def _within_reopen_window(request) -> bool:
    finished = request.closed_at or request.resolved_at
    window = timedelta(days=settings.REQUEST_REOPEN_DAYS)
    return finished is not None and timezone.now() - finished <= window


def _is_staff_of(request, user, roles) -> bool:
    if user is None:
        return True
    return user.is_authenticated and user.agency_id == request.agency_id and user.has_role(*roles)


def _may_act_on_step(request, user, step) -> bool:
    """The step's role (in its unit, if it names one), the assignee, or a recorder for outside steps."""
    if user is None:
        return True
    if not (user.is_authenticated and user.agency_id == request.agency_id):
        return False
    if request.assignee_id == user.pk:
        return True
    if step.role in {APPLICANT, EXTERNAL}:
        return user.has_role(*RECORDERS)
    if step.unit_id:
        return user.positions.filter(role=step.role, unit_id=step.unit_id).exists() \
            or (step.role in {Role.HEAD, Role.SECRETARY} and user.has_role(step.role))
    if not user.has_role(step.role):
        return False
    # A step without a unit is done in the unit the request was disposed to
    # (Dinsos: "Kepala Seksi" of the bidang the Kadis chose), when it has one.
    units = unit_subtree([request.assigned_unit_id], request.agency_id) if request.assigned_unit_id \
        else set()
    if units and Position.objects.filter(role=step.role, unit_id__in=units).exists():
        return user.positions.filter(role=step.role, unit_id__in=units).exists()
    return True


def _event(request, actor, action, now, *, from_state="", to_state="", from_step=None,
           to_step=None, note="", public=True, data=None):
    return Event.objects.create(
        request=request, at=now, actor=actor, actor_label=str(actor) if actor else "",
        action=action, from_state=from_state or "", to_state=to_state or "",
        from_step=from_step, to_step=to_step, note=note, public=public, data=data or {},
    )


# ---------------------------------------------------------------- the clock's changes


def mark_late(request, now) -> str | None:
    """Mark a locked request at risk or breached when the clock says so (the sweep's part).

    Returns the new status, or None when nothing got worse; lifting a mark is
    relax_sla_status's job, when a deadline moves.
    """
    status = clock.sla_status_at(request, now)
    if status == SlaStatus.ON_TIME or status == request.sla_status:
        return None
    request.sla_status = status
    request.save(update_fields=["sla_status", "updated_at"])
    _event(request, None, f"sla_{status}", now, public=False,
           note=_("Melewati tenggat") if status == SlaStatus.BREACHED else _("Mendekati tenggat"))
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
        before = request.due_at
        clock.recompute(request)
        if request.due_at == before:
            return False
        clock.relax_sla_status(request, now)
        request.save(update_fields=["due_at", "at_risk_at", "sla_status", "updated_at"])
        _event(request, None, "due_moved", now, public=False,
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
