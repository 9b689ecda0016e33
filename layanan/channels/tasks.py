"""Background work of the channels (Huey): WhatsApp events, the mailboxes, staff notices.

Only this module and ChannelsConfig.ready() know the worker: the webhook view and the mail
poller store rows and send `signals.inbound_stored`; timeline events reach staff.py through
the post_save receiver below, after their transaction commits.
"""

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
    notify_staff([event_id])
