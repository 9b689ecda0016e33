"""{% reports_link user %}: the console's card for the reports a user may open (or nothing)."""

from django import template

register = template.Library()


@register.inclusion_tag("reports/_console_card.html")
def reports_link(user):
    from layanan.reports.views import reports_home_url

    region = user.has_role("overseer", "auditor")
    return {
        "url": reports_home_url(user),
        "region": region and not user.has_role("head", "secretary", "agency_admin", "unit_head"),
    }
