"""Agency set-up that more than one screen or command needs."""

import holidays as holidays_lib
from django.db import transaction

from .models import Holiday
from .signals import calendar_changed


def calendar_was_changed(agency) -> None:
    """Tell the rest of the system, once the change is committed."""
    transaction.on_commit(lambda: calendar_changed.send(sender=type(agency), agency_id=agency.pk))


@transaction.atomic
def seed_holidays(agency, years) -> int:
    """Copy national holidays and cuti bersama for `years` into the agency's calendar.

    Days already in the calendar are left alone: an admin may have moved or
    reopened them. Returns the number of days added.
    """
    calendar = holidays_lib.Indonesia(years=years, categories=("government", "public"), language="id")
    public = holidays_lib.Indonesia(years=years, language="id")
    existing = set(agency.holidays.values_list("date", flat=True))
    new = [
        Holiday(
            agency=agency,
            date=day,
            name=name[:200],
            kind=Holiday.Kind.NATIONAL if day in public else Holiday.Kind.COLLECTIVE_LEAVE,
        )
        for day, name in sorted(calendar.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    if new:
        calendar_was_changed(agency)
    return len(new)
