"""The request page of the desk: the request, the applicant as the viewer may see it, the
procedure, the timeline, and one small form per action the viewer may take now.

What the viewer may do comes from lifecycle.available_actions (which asks requests.access);
nothing here changes a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.agencies.models import Unit
from layanan.core.tenancy import scoped
from layanan.standards.models import StepAction

from . import access, lifecycle
from .identity import applicant_view
from .inbox import SLA_AT_RISK, SLA_BREACHED, sla_badge, staff_for
from .labels import CONFIRM_LABELS, EVENT_LABELS, NOTE_LABELS, STATE_LABELS
from .models import Attachment, Event, Kind, Request, RequirementCheck, TrackingLock


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
    confirm_label: str = ""
    show_draft: bool = False        # write the draft answer / letter that goes up the paraf chain
    signed_draft: object = None     # at delivery: the signed version, delivered as it is
    primary: bool = False           # the procedure's next step: the one main button of the page


# Actions whose event the engine always makes public or always internal: no toggle.
NO_PUBLIC_TOGGLE = {"dispose", "assign", "return_incomplete", "resume", "reject", "withdraw",
                    "close", "reopen", "complete_compensation"}
# Shown in their own block of the page (the compensation task), not among the step's actions.
OWN_BLOCK = {"complete_compensation"}
# The one main action of the page, in this order of preference; everything else goes behind
# "Tindakan lain". Destructive actions ask for a confirmation tick (reject: here, at the desk).
PRIMARY_ORDER = ("advance", "dispose", "resume", "answer_objection", "close")
DANGER = {"reject", "withdraw"}
DESK_CONFIRM = {"reject"}
DRAFT_LEVELS = {StepAction.INITIAL, StepAction.APPROVE}
FINAL_ACTIONS = {StepAction.DELIVER, StepAction.ANSWER}


def next_step(step, steps):
    """The step `advance` leads to (on_done, else the next in order), or None at the end."""
    if step is None:
        return None
    if step.on_done is not None:
        return next((s for s in steps if s.position == step.on_done), None) if step.on_done else None
    return next((s for s in steps if s.position > step.position), None)


def writes_draft(step, steps) -> bool:
    """The step before a paraf / sign-off writes the draft that goes up."""
    following = next_step(step, steps)
    return (step is not None and step.action not in DRAFT_LEVELS | FINAL_ACTIONS
            and following is not None and following.action in DRAFT_LEVELS)


def is_final_product_step(step, steps) -> bool:
    """A deliver/answer step after which the request is resolved (the product is written here)."""
    if step is None or step.action not in {StepAction.DELIVER, StepAction.ANSWER}:
        return False
    if step.on_done is not None:
        return step.on_done == 0
    return not any(s.position > step.position for s in steps)


def action_forms(request, actions, steps, *, signed=None) -> list[ActionForm]:
    """One form per action of `actions` (lifecycle.available_actions for the viewer)."""
    final = is_final_product_step(request.current_step, steps)
    drafting = writes_draft(request.current_step, steps)
    forms = []
    for action in actions:
        if action.name in OWN_BLOCK:
            continue
        confirm = action.needs_confirm or action.name in DESK_CONFIRM
        forms.append(ActionForm(
            name=action.name, label=action.label,
            needs_note=action.needs_note or action.name == "dispose",
            note_label=str(NOTE_LABELS.get(action.name, _("Catatan (opsional)"))),
            show_units=action.name == "dispose",
            show_staff=action.name in {"dispose", "assign"},
            show_requirements=action.name == "return_incomplete",
            show_product=action.name == "advance" and final and signed is None,
            show_public=action.name not in NO_PUBLIC_TOGGLE,
            danger=action.name in DANGER,
            confirm_label=str(CONFIRM_LABELS.get(action.name, "")) if confirm else "",
            show_draft=action.name == "advance" and drafting,
            signed_draft=signed if action.name == "advance" and final else None,
        ))
    names = [f.name for f in forms]
    main = next((name for name in PRIMARY_ORDER if name in names), None)
    for form in forms:
        form.primary = form.name == main
    return forms


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
        att.allowed = access.may_download(request, att, user)
    actions = lifecycle.available_actions(request, user)
    badge = sla_badge(request, now)
    drafts = list(request.drafts.select_related("attachment", "written_by", "signed_by").order_by("number"))
    signed = next((d for d in reversed(drafts) if d.signed_at), None)
    forms = action_forms(request, actions, steps, signed=signed)
    objection = request.objections.select_related("answered_by").order_by("-lodged_at").first()
    return {
        "req": request,
        "agency": request.agency,
        "applicant": applicant,
        "badge": badge,
        "sla_line": sla_line(request, badge),
        "steps": steps,
        "requirements": requirements,
        "attachments": attachments,
        "timeline": timeline(request, steps, {p.pk: p for p in people}, {u.pk: u for u in units}),
        "actions": forms,
        "primary_action": next((f for f in forms if f.primary), None),
        "other_actions": [f for f in forms if not f.primary],
        "drafts": drafts,
        "current_draft": drafts[-1] if drafts else None,
        "signed_draft": signed,
        "at_draft_level": bool(request.current_step and request.current_step.action in DRAFT_LEVELS),
        "objection": objection,
        "people": people,
        "units": units,
        "compensation": access.compensation_of(request),
        "may_complete_compensation": any(a.name == "complete_compensation" for a in actions),
        "tracking_lock": TrackingLock.objects.filter(request=request, failures__gt=0).first(),
        "is_consultation": request.kind == Kind.CONSULTATION,
    }


def sla_line(request, badge: str) -> str:
    """One line under the due time, from the one SLA status (requests.clock.sla_status)."""
    if request.is_open:
        if badge == SLA_BREACHED:
            return _("Melewati tenggat")
        if badge == SLA_AT_RISK and request.at_risk_at:
            local = timezone.localtime(request.at_risk_at, ZoneInfo(request.agency.timezone))
            return _("Mendekati tenggat sejak %(when)s") % {
                "when": f"{local:%d/%m/%Y %H:%M} {request.agency.timezone_abbr}"}
        return ""
    if request.due_at is None:
        return ""
    return _("Selesai melewati tenggat") if badge == SLA_BREACHED else _("Selesai dalam tenggat")


def desk_request_queryset(user):
    return scoped(Request.objects.select_related(
        "agency", "agency__region", "service", "standard", "current_step", "current_step__unit",
        "assignee", "assigned_unit"), user, region_wide=False)


def attachment_for(request, attachment_pk: int):
    return Attachment.objects.select_related("requirement").filter(request=request, pk=attachment_pk).first()
