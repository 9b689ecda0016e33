"""What the header's navigation offers a signed-in user: only the screens their roles may open,
from the same role groups the views check (layanan/accounts/roles.py), so no link leads to a 404."""

from django import template

from layanan.accounts.roles import COUNTER_ROLES, DESK_ROLES

register = template.Library()


def staff_links(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {}
    superuser = user.is_superuser
    in_agency = bool(user.agency_id)
    return {
        "inbox": in_agency and (superuser or user.has_role(*DESK_ROLES)),
        "counter": in_agency and (superuser or user.has_role(*COUNTER_ROLES)),
    }


@register.simple_tag
def nav_links(user):
    return staff_links(user)
