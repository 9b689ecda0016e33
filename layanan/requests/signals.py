from django.dispatch import Signal

# Sent when notifications.py has written an outbox message that is due now, in the
# transaction that wrote it (its pk may come only when the submission's batch ends: read it
# after commit). tasks.py's receiver, connected in RequestsConfig.ready(), wakes the worker
# after commit; notifications.py itself never imports the worker.
outbox_written = Signal()  # kwargs: message
