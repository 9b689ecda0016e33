"""Agency set-up that more than one screen or command needs."""

import holidays as holidays_lib
from django.db import transaction

from .models import Holiday


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
    return len(new)
