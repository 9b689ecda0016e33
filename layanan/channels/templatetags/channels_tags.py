from django import template

from layanan.channels import staff

register = template.Library()


@register.inclusion_tag("channels/_bell.html", takes_context=True)
def notice_bell(context):
    """The bell in the header: how many notices the signed-in officer has not seen."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"count": staff.unseen_count(user) if user is not None else 0}
