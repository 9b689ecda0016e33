"""Background work of the channels (Huey): WhatsApp events, the mailboxes, staff notices.

Only this module and ChannelsConfig.ready() know the worker: the webhook view and the mail
poller store rows and send `signals.inbound_stored`; timeline events reach staff.py through
the post_save receiver below, after their transaction commits.
"""

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from layanan.core import wakes

from . import delivery, dialogue, inbound, mail, staff


@db_task(retries=2, retry_delay=10)
def process_whatsapp_contact(account_id: int, digest: str):
    return inbound.process_contact(account_id, digest)


@db_task(retries=2, retry_delay=10)
def process_whatsapp_statuses():
    return delivery.process_statuses()


@db_task(retries=2, retry_delay=10)
def process_emails(mailbox_id: int):
    return mail.process_pending(mailbox_id)


@db_periodic_task(crontab(minute="*"))
def channels_every_minute():
    """Catch up on anything whose task was lost (queue down, worker killed), poll the mailboxes."""
    for account_id, digest in inbound.pending_contacts():
        inbound.process_contact(account_id, digest)
    delivery.process_statuses()
    mail.poll_all()
    staff.catch_up()


@db_periodic_task(crontab(minute="*/5"))
def expire_dialogues():
    return dialogue.expire_idle()


@db_periodic_task(crontab(minute="30", hour="3"))
def forget_idle_contacts():
    return dialogue.forget_idle()


@db_periodic_task(crontab(minute="0", hour="*"))
def staff_digests():
    """Each officer who chose the digest gets it once a day, at the first hour of the agency's office
    day (staff.send_digests decides who is due)."""
    return staff.send_digests()


@db_task(retries=2, retry_delay=30)
def notify_staff(event_ids: list[int]):
    return staff.notify(event_ids)


# Set while a wake of the staff notices is queued and has not started (only with Redis: a cache
# every process shares). Under a rush a hundred events a second need one task, not one each —
# as the outbox's wake (requests/tasks.py).
NOTICE_PENDING = "staff-notice-wake-pending"


@db_task(retries=2, retry_delay=30)
def notify_staff_pending():
    # Before reading what is pending: an event committed from now on queues a wake anew.
    cache.delete(NOTICE_PENDING)
    return staff.notify_pending()


def inbound_stored_receiver(sender, kind: str, keys, **kwargs):
    """The webhook / poller stored rows (after commit): queue their processing."""
    if kind == "whatsapp":
        for account_id, digest in keys:
            if digest:
                process_whatsapp_contact(account_id, digest)
            else:
                process_whatsapp_statuses()
    elif kind == "email":
        for mailbox_id in keys:
            process_emails(mailbox_id)


def event_saved_receiver(sender, instance, created, **kwargs):
    """A timeline event was written: after its transaction commits, staff hear of it (worker).

    With Redis one queued task reads every event not yet noticed when it starts (core/wakes.py:
    this one was committed before, so it is among them; channels_every_minute catches up should a
    wake be lost). Without Redis each event is its own task."""
    if created and instance.action in staff.NOTIFY_ACTIONS:
        wakes.after_commit(NOTICE_PENDING, notify_staff_pending, each=lambda: notify_staff([instance.pk]))
