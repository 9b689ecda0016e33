"""Working calendars and the SLA clock (pure Python: stdlib datetime and zoneinfo only).

Kept free of Django so that the lifecycle engine, the periodic sweep, the importer and the
property tests can all compute the same deadlines from plain values.
"""

from .clock import Deadline, Pause, compute_deadline
from .working_calendar import DEFAULT_OFFICE_HOURS, OfficeHours, WorkingCalendar

__all__ = ["DEFAULT_OFFICE_HOURS", "Deadline", "OfficeHours", "Pause", "WorkingCalendar", "compute_deadline"]
