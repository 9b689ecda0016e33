"""Office hours as people read them: "Senin–Kamis 07:30–16:00 · Jumat 07:30–16:30"."""

from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_OFFICE_HOURS

DAY_NAMES = {1: _("Senin"), 2: _("Selasa"), 3: _("Rabu"), 4: _("Kamis"), 5: _("Jumat"), 6: _("Sabtu"),
             7: _("Minggu")}


def office_hours_lines(agency) -> list[str]:
    """Consecutive days with the same hours grouped; the defaults when the agency set none
    (the same hours the SLA clock counts with)."""
    raw = agency.office_hours or DEFAULT_OFFICE_HOURS
    days = []
    for key in sorted(raw, key=lambda k: int(k)):
        span = raw[key]
        if span and len(span) == 2:
            days.append((int(key), f"{span[0]}–{span[1]}"))
    lines, start = [], 0
    for index in range(1, len(days) + 1):
        if index == len(days) or days[index][1] != days[start][1] or days[index][0] != days[index - 1][0] + 1:
            first, last = days[start][0], days[index - 1][0]
            label = str(DAY_NAMES[first]) if first == last else f"{DAY_NAMES[first]}–{DAY_NAMES[last]}"
            lines.append(f"{label} {days[start][1]}")
            start = index
    return lines
