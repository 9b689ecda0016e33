"""The periodic SLA sweep: mark at-risk and breached requests and tell people.

Escalation ladder on breach: the assignee (or the unit's staff for the step's
role), then the unit head, then the agency head. Staff reminders are queued
for office hours (not at midnight or on a Sunday) via the outbox's not_before.
A standard whose guarantee promises compensation on breach (seed 004) opens a
compensation task (lifecycle.mark_late, on the timeline).
"""

from django.db import transaction
from django.utils import timezone

from layanan.accounts.models import User
from layanan.accounts.roles import Role

from . import clock, lifecycle, notifications
from .models import OPEN_STATES, Request, SlaStatus


def sweep(now=None, batch: int = 500) -> dict:
    now = now or timezone.now()
    counts = {"at_risk": 0, "breached": 0}
    candidates = (Request.objects.filter(state__in=OPEN_STATES, at_risk_at__lte=now)
                  .exclude(sla_status=SlaStatus.BREACHED).values_list("pk", flat=True)[:batch])
    for pk in list(candidates):
        status = _sweep_one(pk, now)
        if status:
            counts[status] += 1
    return counts


def _sweep_one(pk, now):
    with transaction.atomic():
        request = (Request.objects.select_for_update(of=("self",))
                   .select_related("agency", "standard", "current_step", "assignee", "service")
                   .get(pk=pk))
        if request.state not in OPEN_STATES:
            return None
        status = lifecycle.mark_late(request, now)
        if status is None:
            return None
        send_at = clock.calendar_for(request.agency).next_open(now)
        for level, staff in ladder(request, status):
            notifications.sla_alert(request, staff, level, status, not_before=send_at)
        return status


def ladder(request, status):
    """Who hears about it: at risk → the people on the step; breached → also up the hierarchy."""
    people = []
    if request.assignee:
        people.append(("assignee", request.assignee))
    elif request.current_step:
        people += [("assignee", u) for u in _staff(request, request.current_step.role,
                                                      request.assigned_unit_id)]
    if status == SlaStatus.BREACHED:
        people += [("unit_head", u) for u in _staff(request, Role.UNIT_HEAD, request.assigned_unit_id)]
        people += [("head", u) for u in _staff(request, Role.HEAD, None)]
    seen, unique = set(), []
    for level, user in people:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append((level, user))
    return unique


def _staff(request, role, unit_id):
    users = User.objects.filter(agency_id=request.agency_id, is_active=True, positions__role=role)
    if unit_id:
        in_unit = users.filter(positions__unit_id=unit_id)
        if in_unit.exists():
            users = in_unit
    return list(users.distinct()[:5])
