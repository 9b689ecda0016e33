from django.dispatch import Signal

# Sent (after commit) when an agency's working calendar changes: a holiday added,
# moved or removed, or office hours edited. Open requests' deadlines depend on it.
calendar_changed = Signal()  # kwargs: agency_id
