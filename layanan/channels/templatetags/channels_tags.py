from django import template

from layanan.channels import staff

register = template.Library()


@register.inclusion_tag("channels/_bell.html", takes_context=True)
def notice_bell(context):
    """The bell in the header: how many notices the signed-in officer has not seen."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"count": staff.unseen_count(user) if user is not None else 0}


@register.inclusion_tag("channels/_request_messages.html")
def request_messages(req):
    """On the desk's request page: what the applicant was sent, on which channel, and whether it arrived
    (WhatsApp delivery statuses), and open call tasks. Recipients are not shown (personal data)."""
    from layanan.requests.models import OutboxMessage

    messages = list(
        OutboxMessage.objects.filter(request_id=req.pk)
        .exclude(template__startswith="staff")
        .only(
            "created_at", "channel", "template", "sent_at", "failed_at", "delivery_status", "delivery_error"
        )
        .order_by("id")[:50]
    )
    calls = list(req.call_tasks.filter(done_at__isnull=True)) if req.pk else []
    return {"messages": messages, "calls": calls}
