"""Background tasks (Huey). Run a worker with: manage.py run_huey"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import outbox, sweep


@db_task(retries=3, retry_delay=30)
def send_outbox():
    return outbox.send_pending()


@db_periodic_task(crontab(minute="*"))
def send_outbox_periodically():
    return outbox.send_pending()


@db_periodic_task(crontab(minute="*/5"))
def sla_sweep():
    return sweep.sweep()
