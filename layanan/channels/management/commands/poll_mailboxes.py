"""manage.py poll_mailboxes — read every active agency mailbox now (the worker does it every minute)."""

from django.core.management.base import BaseCommand

from layanan.channels import mail
from layanan.channels.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new e-mail from every active agency mailbox (IMAP) and process it."

    def add_arguments(self, parser):
        parser.add_argument("--agency", help="only this agency's mailbox (its code)")

    def handle(self, *args, agency=None, **options):
        boxes = Mailbox.objects.filter(active=True).select_related("agency")
        if agency:
            boxes = boxes.filter(agency__code=agency)
        for mailbox in boxes:
            stored = mail.poll(mailbox)
            processed = mail.process_pending(mailbox.pk)
            mailbox.refresh_from_db(fields=["last_error"])
            status = f"error: {mailbox.last_error}" if mailbox.last_error else "ok"
            self.stdout.write(f"{mailbox.agency.code}: {stored} new, {processed} processed ({status})")
