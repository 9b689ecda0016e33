"""Staff hear of their work: a notice (the bell in the header), an e-mail, WhatsApp if they opted in.

A timeline event is read after its transaction committed (tasks.notify_staff, in the worker):

- a disposition or an assignment → the person it names (else whoever holds the step now);
- an escalation → the superior it names (else the holders of the escalation step);
- a step reached (advance, reopen) → who holds the new step; a step *before* the one it left
  is a return for revision;
- a new request → who holds its first step (the bell only, no e-mail); the applicant's message or
  documents → who holds the step (or the assignee);
- an SLA mark (at risk, breached) → the sweep's ladder; the sweep already e-mailed them, so only
  the notice and WhatsApp are added here.

Who holds a step is `access.holds_step` — never a role check of our own. The actor is never told
of their own action. An officer who chose the daily digest gets notices only, and once a day one
e-mail (and WhatsApp) listing what is new (send_digests). Each event is handled once
(NoticedEvent); `catch_up` handles events whose queued task was lost.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.accounts.models import User
from layanan.accounts.roles import DESK_ROLES, INTAKE_ROLES
from layanan.requests import access, notifications
from layanan.requests.models import OPEN_STATES, Event, Request
from layanan.standards.contacts import normalise_phone
from layanan.standards.models import StepAction

from .models import NoticedEvent, StaffNotice, StaffPreference

Kind = StaffNotice.Kind
STEP_ACTIONS = frozenset(StepAction.values)
NAMED = {
    "assign": Kind.ASSIGNED,
    "dispose": Kind.DISPOSED,
    "escalate": Kind.ESCALATED,
    "return_for_revision": Kind.RETURNED,
}  # the person the action names
NOTIFY_ACTIONS = (
    frozenset({"received", "reopen", "supply", "message", "object", "sla_at_risk", "sla_breached", *NAMED})
    | STEP_ACTIONS
)
MAX_RECIPIENTS = 20


def holders(request: Request) -> list[User]:
    """Active desk staff of the agency who hold the request's current step (access decides)."""
    if request.state not in OPEN_STATES or request.current_step_id is None:
        return []
    if request.assignee_id:
        return [u for u in User.objects.filter(pk=request.assignee_id, is_active=True)]
    staff = (
        User.objects.filter(agency_id=request.agency_id, is_active=True, positions__role__in=DESK_ROLES)
        .distinct()
        .order_by("id")
    )
    return access.step_holders(request, staff)[:MAX_RECIPIENTS]


def _named_user(request, event) -> User | None:
    pk = (event.data or {}).get("to_user")
    if not pk:
        return None
    return User.objects.filter(pk=pk, agency_id=request.agency_id, is_active=True).first()


def recipients(request: Request, event: Event) -> tuple[str, list]:
    """(notice kind, [(user, also e-mail?)]) for one event."""
    action = event.action
    if action in NAMED:  # a draft returned for revision goes to whoever sent it up
        named = _named_user(request, event)
        return NAMED[action], [(u, True) for u in ([named] if named else holders(request))]
    if action in {"sla_at_risk", "sla_breached"}:
        from layanan.requests.sweep import ladder

        status = action.removeprefix("sla_")
        return Kind.SLA, [(u, False) for _level, u in ladder(request, status)]
    if action == "received":
        # A new request in the inbox: the bell only (an e-mail to every front-desk officer for every
        # new request would drown the ones that name a person).
        return Kind.NEW, [(u, False) for u in holders(request)]
    if action in {"supply", "message", "object"}:
        if event.actor_kind != "applicant":
            return "", []
        return Kind.APPLICANT, [(u, True) for u in holders(request)]
    if action in STEP_ACTIONS or action == "reopen":
        back = event.from_step and event.to_step and event.to_step < event.from_step
        return (Kind.RETURNED if back else Kind.STEP), [(u, True) for u in holders(request)]
    return "", []


def notify(event_ids) -> int:
    written = 0
    for event_id in event_ids:
        written += _notify_one(event_id)
    return written


def _notify_one(event_id: int) -> int:
    with transaction.atomic():
        event = (
            Event.objects.select_related(
                "request", "request__agency", "request__service", "request__current_step"
            )
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return 0
        try:
            with transaction.atomic():
                NoticedEvent.objects.create(event=event)
        except IntegrityError:
            return 0  # handled before
        request = Request.objects.select_related("agency", "service", "current_step", "assignee").get(
            pk=event.request_id
        )
        kind, people = recipients(request, event)
        written = 0
        for user, by_email in people:
            if user.pk == event.actor_id:
                continue
            notice = StaffNotice.objects.create(user=user, request=request, event=event, kind=kind)
            written += 1
            _send(notice, by_email=by_email)
        return written


def _preference(user) -> StaffPreference | None:
    return StaffPreference.objects.filter(user=user).first()


def whatsapp_number_of(preference: StaffPreference | None) -> str:
    if preference is None or not preference.whatsapp_opt_in or not preference.whatsapp_number:
        return ""
    try:
        number = normalise_phone(preference.whatsapp_number)
    except ValueError:
        return ""
    return "".join(ch for ch in number if ch.isdigit())


def _send(notice: StaffNotice, *, by_email: bool = True) -> None:
    preference = _preference(notice.user)
    if preference is not None and preference.digest or notice.kind == Kind.NEW:
        return  # the daily digest lists it; a new request in the inbox rings the bell only
    request = notice.request
    notifications.staff_message(
        request,
        notice.user,
        "staff_work",
        f"staff:{notice.event_id or 'n' + str(notice.pk)}:{notice.user_id}",
        {"kind": notice.kind, "kind_label": notice.get_kind_display(), "note": _event_note(notice)},
        whatsapp_number=whatsapp_number_of(preference),
        email=by_email and bool(notice.user.email),
    )


def _event_note(notice) -> str:
    """A disposition's or return's instruction is for the officer; the applicant's words are not
    repeated in an e-mail (they are on the request page)."""
    event = notice.event
    if event is None or event.actor_kind != "staff":
        return ""
    return event.note[:500]


def call_task_opened(task) -> int:
    """A WhatsApp message did not arrive and the citizen has no e-mail: the intake staff call them."""
    request = task.request
    staff = (
        User.objects.filter(agency_id=request.agency_id, is_active=True, positions__role__in=INTAKE_ROLES)
        .distinct()
        .order_by("id")[:MAX_RECIPIENTS]
    )
    for user in staff:
        notice = StaffNotice.objects.create(user=user, request=request, kind=Kind.CALL)
        _send(notice)
    return len(staff)


# ---------------------------------------------------------------- the bell, the list


def unseen_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return StaffNotice.objects.filter(user=user, seen_at__isnull=True).count()


def recent(user, limit: int = 50):
    return list(
        StaffNotice.objects.filter(user=user)
        .select_related("request", "request__service")
        .order_by("-created_at", "-id")[:limit]
    )


def mark_seen(user, now=None) -> int:
    return StaffNotice.objects.filter(user=user, seen_at__isnull=True).update(seen_at=now or timezone.now())


# ---------------------------------------------------------------- the daily digest


def send_digests(now=None) -> int:
    """One digest per officer who chose it, once a day from 07:00 in the agency's time zone."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    sent = 0
    for preference in StaffPreference.objects.filter(digest=True, user__is_active=True).select_related(
        "user", "user__agency"
    ):
        user = preference.user
        zone = ZoneInfo(user.agency.timezone if user.agency_id else "Asia/Jakarta")
        local = now.astimezone(zone)
        if local.hour < 7:
            continue
        start_of_day = local.replace(hour=7, minute=0, second=0, microsecond=0)
        if preference.last_digest_at and preference.last_digest_at >= start_of_day:
            continue
        sent += _digest(preference, now, local.date())
    return sent


def _digest(preference, now, day) -> int:
    user = preference.user
    with transaction.atomic():
        notices = list(
            StaffNotice.objects.filter(user=user, digested_at__isnull=True)
            .select_related("request", "request__service")
            .order_by("created_at")[:200]
        )
        StaffPreference.objects.filter(pk=preference.pk).update(last_digest_at=now)
        if not notices:
            return 0
        StaffNotice.objects.filter(pk__in=[n.pk for n in notices]).update(digested_at=now)
        notifications.staff_message(
            None,
            user,
            "staff_digest",
            f"digest:{user.pk}:{day:%Y%m%d}",
            {
                "notices": notices,
                "agency": user.agency,
                "count": len(notices),
                "subject_line": _("%(n)d hal baru") % {"n": len(notices)},
            },
            whatsapp_number=whatsapp_number_of(preference),
            email=bool(user.email),
        )
    return 1


# ---------------------------------------------------------------- catching up


def catch_up(now=None, limit: int = 500) -> int:
    """Events of the last day whose notices were never written (their queued task was lost)."""
    now = now or timezone.now()
    return notify(_unnoticed(now, limit, until=now - timedelta(minutes=1)))


def notify_pending(now=None, batch: int = 500) -> int:
    """Every event of the last day not noticed yet, however recent (the queued wake, tasks.py)."""
    now = now or timezone.now()
    written = 0
    while ids := _unnoticed(now, batch):
        written += notify(ids)
        if len(ids) < batch:
            break
    return written


def _unnoticed(now, limit: int, until=None) -> list[int]:
    events = Event.objects.filter(at__gte=now - timedelta(days=1), action__in=sorted(NOTIFY_ACTIONS))
    if until is not None:
        events = events.filter(at__lte=until)
    done = NoticedEvent.objects.filter(at__gte=now - timedelta(days=2)).values("event_id")
    return list(events.exclude(pk__in=done).order_by("id").values_list("pk", flat=True)[:limit])
