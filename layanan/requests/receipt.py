"""What the applicant sees of a request: the receipt and the tracking page.

Only what is public: the status in one plain sentence, the public timeline
(never internal notes; no staff names on confidential complaints), the due
time, what is missing, the product. Never the applicant's NIK or phone.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from layanan.accounts.roles import Role
from layanan.standards.models import Requirement, StepAction
from layanan.standards.presentation import duration_text

from . import access
from .models import Attachment, Event, Request, State, TrackingLock

ROLE_LABELS = dict(Role.choices)
# Wrong phone digits for one code before the lookup by code + digits locks, and for how long.
LOOKUP_LOCK_AFTER = 5
LOOKUP_LOCK_FOR = timedelta(hours=1)

# One sentence per state; {actor} is the step's actor as the standard names it ("Kepala Seksi").
STATUS_SENTENCES = {
    State.RECEIVED: gettext_noop("Permohonan Anda telah diterima dan menunggu ditangani oleh {actor}."),
    State.IN_PROGRESS: gettext_noop("Permohonan Anda sedang diproses oleh {actor}."),
    State.WAITING_APPLICANT: gettext_noop(
        "Permohonan Anda menunggu kelengkapan dari Anda. Waktu penyelesaian "
        "dihentikan sementara sampai kelengkapan diterima petugas."),
    State.RESOLVED: gettext_noop("Permohonan Anda telah selesai. Hasilnya ada di bawah ini."),
    State.CLOSED: gettext_noop("Permohonan Anda telah selesai dan ditutup."),
    State.REJECTED: gettext_noop("Permohonan Anda tidak dapat dipenuhi (ditolak)."),
    State.WITHDRAWN: gettext_noop("Permohonan ini telah dicabut."),
}
# The same sentences for a complaint: "Pengaduan Anda", never "Permohonan Anda".
COMPLAINT_SENTENCES = {
    State.RECEIVED: gettext_noop("Pengaduan Anda telah diterima dan menunggu ditangani oleh {actor}."),
    State.IN_PROGRESS: gettext_noop("Pengaduan Anda sedang ditindaklanjuti oleh {actor}."),
    State.WAITING_APPLICANT: gettext_noop(
        "Pengaduan Anda menunggu keterangan atau bukti dari Anda. Waktu penyelesaian "
        "dihentikan sementara sampai kelengkapan diterima petugas."),
    State.RESOLVED: gettext_noop("Pengaduan Anda telah selesai ditindaklanjuti. Hasilnya ada di bawah ini."),
    State.CLOSED: gettext_noop("Pengaduan Anda telah selesai dan ditutup."),
    State.REJECTED: gettext_noop("Pengaduan Anda tidak dapat ditindaklanjuti (ditolak)."),
    State.WITHDRAWN: gettext_noop("Pengaduan ini telah dicabut."),
}
FINISHED_WITH_PRODUCT = {State.RESOLVED, State.CLOSED}
EVENT_TEXTS = {
    "received": gettext_noop("Permohonan diterima"),
    "escalate": gettext_noop("Diteruskan ke tingkat berikutnya"),
    "return_incomplete": gettext_noop("Dikembalikan kepada pemohon: persyaratan belum lengkap"),
    "resume": gettext_noop("Kelengkapan diterima, proses dilanjutkan"),
    "reject": gettext_noop("Permohonan ditolak"),
    "withdraw": gettext_noop("Permohonan dicabut"),
    "supply": gettext_noop("Pemohon mengirim kelengkapan, proses dilanjutkan"),
    "message": gettext_noop("Pesan dari pemohon"),
    "compensation_due": gettext_noop("Standar waktu terlewati: kompensasi wajib diberikan"),
    "complete_compensation": gettext_noop("Kompensasi telah diberikan"),
    "close": gettext_noop("Permohonan ditutup"),
    "reopen": gettext_noop("Permohonan dibuka kembali"),
    "note": gettext_noop("Keterangan dari petugas"),
    "extend": gettext_noop("Jangka waktu diperpanjang 7 hari kerja"),
    "object": gettext_noop("Pemohon mengajukan keberatan kepada atasan pejabat"),
    "answer_objection": gettext_noop("Keberatan ditanggapi atasan pejabat"),
    StepAction.SUBMIT: gettext_noop("Dokumen dari pemohon diterima"),
    StepAction.REGISTER: gettext_noop("Dicatat / diregistrasi"),
    StepAction.VERIFY: gettext_noop("Persyaratan diperiksa dan lengkap"),
    StepAction.DISPOSE: gettext_noop("Diteruskan kepada pejabat yang menangani"),
    StepAction.PROCESS: gettext_noop("Selesai diproses"),
    StepAction.CONSULT: gettext_noop("Konsultasi dilayani"),
    StepAction.INITIAL: gettext_noop("Diperiksa dan diparaf"),
    StepAction.APPROVE: gettext_noop("Disahkan / ditandatangani"),
    StepAction.DELIVER: gettext_noop("Hasil diserahkan"),
    StepAction.ANSWER: gettext_noop("Jawaban dikirim"),
}


# Internal events that are never milestones for the applicant (even when they move a step).
NOT_MILESTONES = {"assign", "note", "sla_at_risk", "sla_breached", "due_moved", "anonymised",
                  "return_for_revision", "dispose_note"}
NEXT_TEXTS = {
    StepAction.PROCESS: gettext_noop("sedang diproses oleh {actor}"),
    StepAction.VERIFY: gettext_noop("persyaratan diperiksa oleh {actor}"),
    StepAction.INITIAL: gettext_noop("diperiksa dan diparaf oleh {actor}"),
    StepAction.APPROVE: gettext_noop("menunggu pengesahan {actor}"),
    StepAction.DELIVER: gettext_noop("hasil disiapkan oleh {actor}"),
    StepAction.ANSWER: gettext_noop("jawaban disiapkan oleh {actor}"),
}


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    text: str
    who: str
    note: str


def find_by_link(code: str, secret: str) -> Request:
    """The request behind a tracking link, or 404 for a wrong code or secret alike."""
    request = (Request.objects.select_related("agency", "service", "standard", "current_step")
               .filter(tracking_code=code).first())
    if request is None or not hmac.compare_digest(secret.encode(), request.tracking_secret.encode()):
        raise Http404
    return request


def find_by_phone(code: str, last_digits: str, *, now=None) -> Request | None:
    """The request for a code and the last four digits of its applicant's phone; None when either
    is wrong, or when the code is locked after LOOKUP_LOCK_AFTER wrong digits (the receipt's
    link keeps working; staff see the lock on the request page)."""
    now = now or timezone.now()
    code, last_digits = code.strip().upper(), "".join(ch for ch in last_digits if ch.isdigit())
    request = Request.objects.filter(tracking_code=code).only("tracking_code", "tracking_secret",
                                                              "applicant_phone").first()
    phone = (request.applicant_phone if request else "") or ""
    # Compare even when there is no such request, so both failures take the same time.
    matches = hmac.compare_digest((phone[-4:] or "----").encode(), last_digits.encode())
    if request is None:
        return None
    lock = TrackingLock.objects.filter(request=request).first()
    if lock is not None and lock.locked_until and lock.locked_until > now:
        return None
    if len(last_digits) != 4 or len(phone) < 4 or not matches:
        _count_failure(request, now)
        return None
    if lock is not None and lock.failures:
        TrackingLock.objects.filter(pk=lock.pk).update(failures=0, locked_until=None)
    return request


def _count_failure(request: Request, now) -> None:
    lock, _created = TrackingLock.objects.get_or_create(request=request)
    TrackingLock.objects.filter(pk=lock.pk).update(failures=F("failures") + 1, last_failure_at=now)
    lock.refresh_from_db(fields=["failures"])
    if lock.failures % LOOKUP_LOCK_AFTER == 0:
        TrackingLock.objects.filter(pk=lock.pk).update(locked_until=now + LOOKUP_LOCK_FOR)


def tracking_path(request: Request) -> str:
    return reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret])


def tracking_url(request: Request, http_request=None) -> str:
    """The tracking link with the public address (SITE_URL, else the address being served)."""
    from layanan.core.site import site_url

    return site_url(http_request) + tracking_path(request)


def qr_svg(url: str) -> str:
    """The tracking link as an inline SVG QR code (no image request, prints sharp)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration for inline use
    label = escape(_("QR kode lacak"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def is_complaint(request: Request) -> bool:
    return request.kind == "complaint"


def status_sentence(request: Request) -> str:
    actor = request.current_step.actor if request.current_step else _("petugas")
    sentences = COMPLAINT_SENTENCES if is_complaint(request) else STATUS_SENTENCES
    return _(sentences[request.state]).format(actor=actor)


def checklist(request: Request) -> list[tuple[str, bool | None]]:
    """The requirements the applicant brings, each with True (received), False (missing) or None
    (to check): of the request's kind only, never what the office provides (ATK, a computer),
    what is only shown at the counter only when the officer ticked it there, and for an
    anonymous report nothing about identity."""
    from layanan.standards.requirement_rules import SHOWN, asked_of_applicant

    checks = dict(request.checks.values_list("requirement_id", "satisfied"))
    requirements = Requirement.objects.filter(standard_id=request.standard_id).order_by("position")
    asked = asked_of_applicant(requirements, request.kind, anonymous=request.applicant_type == "anonymous")
    return [(r.label, checks.get(r.pk)) for r in asked if r.provided_by != SHOWN or r.pk in checks]


def missing_now(request: Request) -> list[str]:
    """What the applicant still has to bring (the open pause), if the request waits on them."""
    if request.state != State.WAITING_APPLICANT:
        return []
    pause = request.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    return list(pause.missing) if pause else []


def _is_milestone(event) -> bool:
    """An internal event the applicant still cares about: it changed the state or the step."""
    if event.action in NOT_MILESTONES:
        return False
    return event.from_state != event.to_state or (event.from_step != event.to_step and event.to_step)


def public_timeline(request: Request) -> list[TimelineLine]:
    """Every change the applicant cares about, with its date, in plain Indonesian: the public
    events with their notes, and the internal ones that moved the request (a disposition, a
    paraf, a step done) as milestones without their notes or staff names. Who acted is named by
    role — the step's actor as the standard names it, else the role the officer acted in
    ("Kepala instansi"), "Pemohon" only when the applicant did it; staff names only on public
    events of a complaint that is not confidential. A line that moved the request says what
    happens next ("sedang diproses oleh Petugas data")."""
    steps = {pos: (actor, role, action) for pos, actor, role, action in
             request.standard.steps.values_list("position", "actor", "role", "action")}
    show_names = not request.confidential
    complaint = is_complaint(request)
    lines = []
    events = (Event.objects.filter(request_id=request.pk)
              .only("at", "action", "note", "from_step", "to_step", "from_state", "to_state", "public",
                    "actor_label", "actor_kind", "actor_role")
              .order_by("at", "id"))
    for event in events:
        if not event.public and not _is_milestone(event):
            continue
        if event.actor_kind == "applicant":
            who = _("Pemohon")
        elif event.actor_kind == "system":
            who = _("Sistem")
        else:
            step_actor, step_role, _action = steps.get(event.from_step, ("", "", ""))
            # The step's actor as the standard names it when the officer acted on that step,
            # else the role they acted in (a head closing the request, a disposition).
            role = step_actor if step_role == event.actor_role or not event.actor_role \
                else str(ROLE_LABELS.get(event.actor_role, ""))
            who = role
            if event.public and show_names and event.actor_label:
                who = f"{role} ({event.actor_label})" if role else event.actor_label
        if event.action == "received" and complaint:
            text = _("Pengaduan diterima")
        else:
            text = _(EVENT_TEXTS.get(event.action, gettext_noop("Diperbarui")))
        following = steps.get(event.to_step) if event.to_step != event.from_step else None
        if following and following[2] in NEXT_TEXTS and event.to_state not in {"", State.RESOLVED}:
            text = f"{text}; " + _(NEXT_TEXTS[following[2]]).format(actor=following[0])
        lines.append(TimelineLine(at=event.at, text=text, who=who, note=event.note if event.public else ""))
    return lines


def objection_context(request: Request) -> dict:
    """UU 14/2008: the objection lodged (with the superior's own 30-working-day clock), or until when
    the applicant may still lodge one; and the extension of the deadline, when there was one."""
    objection = request.objections.order_by("-lodged_at").first()
    may = access.may_object(request)
    return {"objection": objection, "may_object": may,
            "objection_until": access.objection_window_end(request) if may else None,
            "extended": bool(request.extended_days)}


def finished_at(request: Request):
    """When the request was answered or closed (the tracking page's banner says it with the date)."""
    if request.is_open:
        return None
    return request.closed_at or request.resolved_at


def product_files(request: Request):
    if request.state not in FINISHED_WITH_PRODUCT:
        return []
    return list(request.attachments.filter(purpose=Attachment.Purpose.PRODUCT)
                .only("pk", "filename", "size", "content_type"))


def product_file(request: Request, pk: int) -> Attachment:
    attachment = request.attachments.filter(pk=pk, purpose=Attachment.Purpose.PRODUCT).first()
    if attachment is None or request.state not in FINISHED_WITH_PRODUCT:
        raise Http404
    return attachment


def clock_note(request: Request) -> str:
    """Why there is no due time, when there is none."""
    if request.due_at or not request.is_open:
        return ""
    if request.state == State.WAITING_APPLICANT:
        return _("Waktu penyelesaian dihentikan sementara.")
    if request.clock_started_at is None and request.standard.clock_starts_at not in ("", "submitted"):
        return _("Waktu penyelesaian mulai dihitung sejak %(start)s.") % {
            "start": request.standard.clock_starts_at}
    return ""


def receipt_context(request: Request) -> dict:
    url = tracking_url(request)
    return {"req": request, "agency": request.agency, "tracking_url": url,
            "tracking_path": tracking_path(request), "qr": qr_svg(url), "checklist": checklist(request),
            "clock_note": clock_note(request), "missing": missing_now(request),
            "duration": duration_text(request.standard)}


def tracking_context(request: Request) -> dict:
    return {"req": request, "agency": request.agency, "status": status_sentence(request),
            "timeline": public_timeline(request), "missing": missing_now(request),
            "products": product_files(request), "clock_note": clock_note(request),
            "product_text": request.product_text if request.state in FINISHED_WITH_PRODUCT else "",
            "finished_at": finished_at(request), **objection_context(request),
            "tracking_path": tracking_path(request),
            "may_withdraw": any(a.name == "withdraw" for a in
                                access.applicant_actions(request, access.ApplicantActor(request.pk))),
            "survey": _survey_offer(request)}


def _survey_offer(request: Request):
    """The satisfaction survey of a delivered request (layanan/survey), None before delivery."""
    from layanan.survey.services import offer

    return offer(request)

