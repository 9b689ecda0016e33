"""E-mail the agency head that a report is ready: a link to it, never the file.

The message goes through the outbox like every notification (requests.notifications), with
no request attached; the worker sends it after the commit.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from layanan.accounts.models import User
from layanan.accounts.roles import Role
from layanan.requests import notifications
from layanan.requests.models import OutboxMessage


def heads_of(agency) -> list[User]:
    return list(
        User.objects.filter(agency=agency, is_active=True, positions__role=Role.HEAD)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def report_ready(report) -> list[OutboxMessage]:
    written = []
    link = settings.SITE_URL.rstrip("/") + reverse("reports:report", args=[report.pk])
    stamp = f"{report.generated_at:%Y%m%d%H%M%S}" if report.generated_at else "0"
    for head in heads_of(report.agency):
        context = {
            "report": report,
            "head": head,
            "link": link,
            "label": report.figures.get("period", {}).get("label", ""),
            "agency": report.agency,
        }
        subject = render_to_string("reports/email/report_ready.subject.txt", context).strip()
        body = render_to_string("reports/email/report_ready.txt", context)
        message = notifications.queue(
            request=None, channel=OutboxMessage.Channel.EMAIL, recipient=head.email,
            template="report_ready", subject=subject[:300], body=body,
            dedupe_key=f"report:{report.pk}:{stamp}:{head.pk}"[:200],
        )
        if message is not None:  # None: this head was told about this report before
            written.append(message)
    return written
