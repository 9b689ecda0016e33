from django.dispatch import Signal

# Sent (after commit) when notifications.py has written an outbox message that is due
# now. tasks.py's receiver, connected in RequestsConfig.ready(), wakes the worker;
# notifications.py itself never imports the worker.
outbox_written = Signal()  # kwargs: message_id
