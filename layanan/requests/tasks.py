"""Background tasks (Huey). Run a worker with: manage.py run_huey"""

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from . import clock, lifecycle, outbox, sweep


@HUEY.on_shutdown()
def close_database_connections():
    """A stopping worker thread hands its database connection back."""
    connections.close_all()


@db_task(retries=3, retry_delay=30)
def send_outbox():
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
    """notifications.py wrote a message that is due now (after commit): wake the worker."""
    send_outbox()
