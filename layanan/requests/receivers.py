"""Signal receivers of the requests app (connected in RequestsConfig.ready)."""

from . import access


def staffing_changed(sender, instance, **kwargs):
    """A unit, a position or a staff member changed: who holds which step may have changed."""
    agency_id = getattr(instance, "agency_id", None)
    if agency_id is None and hasattr(instance, "user_id"):  # a Position
        agency_id = type(instance.user).objects.filter(pk=instance.user_id).values_list(
            "agency_id", flat=True).first()
    access.forget_structure(agency_id)


def holiday_changed(sender, instance, **kwargs):
    """A holiday added, moved or removed — on the calendar screen or in the Django admin —
    moves the deadlines of the agency's open requests (through the calendar_changed signal)."""
    from layanan.agencies.services import calendar_was_changed

    calendar_was_changed(instance.agency)
