"""Background tasks (Huey). Run a worker with: manage.py run_huey"""

from django.core.cache import cache
from django.db import connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from layanan.core import wakes

from . import clock, lifecycle, outbox, sweep


@HUEY.on_shutdown()
def close_database_connections():
    """A stopping worker thread hands its database connection back."""
    connections.close_all()


# Set while a wake of the worker is queued and has not started (only with Redis: a cache every
# process shares). Under a rush a hundred messages a second need one wake, not a hundred.
WAKE_PENDING = "outbox-wake-pending"


@db_task(retries=3, retry_delay=30)
def send_outbox():
    # Before reading what is due: a message committed from now on wakes the worker anew.
    cache.delete(WAKE_PENDING)
    return outbox.send_pending()


@db_periodic_task(crontab(minute="*"))
def send_outbox_periodically():
    return outbox.send_pending()


@db_periodic_task(crontab(minute="*/5"))
def sla_sweep():
    return sweep.sweep()


@db_task(retries=3, retry_delay=30)
def recompute_deadlines(agency_id: int):
    return lifecycle.recompute_open_requests(agency_id)


def calendar_changed_receiver(sender, agency_id, **kwargs):
    clock.forget_calendar(agency_id)  # at once, in every process: new deadlines use the new calendar
    recompute_deadlines(agency_id)


def outbox_written_receiver(sender, **kwargs):
    """notifications.py wrote a message that is due now: wake the worker after commit — with Redis
    only when no wake is queued and not started yet (core/wakes.py: that one reads what is due
    when it starts, after this message was committed). A queue that is down is no error page; the
    minutely run sends the message in any case."""
    wakes.after_commit(WAKE_PENDING, send_outbox)
