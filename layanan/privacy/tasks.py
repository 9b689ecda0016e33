"""Background tasks of the privacy app (djhuey imports every installed app's `tasks`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import retention


# Huey's clock is UTC: 19:30 UTC is 02:30 WIB, 03:30 WITA, 04:30 WIT — the quietest hour everywhere.
@db_periodic_task(crontab(hour="19", minute="30"))
@lock_task("privacy-retention")
def anonymise_expired():
    """Anonymise finished requests whose retention period has ended (UU 27/2022)."""
    return retention.run().total
