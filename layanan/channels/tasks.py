"""Background work of the channels (Huey): WhatsApp events, the mailboxes, staff notices.

Only this module and ChannelsConfig.ready() know the worker: the webhook view and the mail
poller store rows and send `signals.inbound_stored`; timeline events reach staff.py through
the post_save receiver below, after their transaction commits.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

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
    """A timeline event was written: after its transaction commits, staff hear of it (worker)."""
    if created and instance.action in staff.NOTIFY_ACTIONS:
        transaction.on_commit(lambda: _queue_notice(instance.pk), robust=True)


def _queue_notice(event_id: int) -> None:
    """With Redis, one queued wake reads every event not yet noticed when it starts — this one was
    committed before, so it is among them; the flag lapses after a minute should a wake be lost
    (channels_every_minute catches up in any case). Without Redis, each event is its own task."""
    if not settings.REDIS_URL:
        notify_staff([event_id])
    elif cache.add(NOTICE_PENDING, 1, timeout=60):
        notify_staff_pending()
