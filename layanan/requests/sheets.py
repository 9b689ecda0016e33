"""The printable sheets of a request: the lembar disposisi and the lembar konsultasi."""

from __future__ import annotations

from django.utils.translation import gettext as _

from layanan.accounts.models import Position, User
from layanan.accounts.roles import Role
from layanan.agencies.models import Unit

from .identity import applicant_view
from .page import TimelineItem


def agency_head(agency):
    """(user, position title) of the agency's head, or (None, '')."""
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
