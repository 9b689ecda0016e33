"""{% survey_link request %}: the absolute survey link of a delivered request (notification
e-mails: templates/notifications/resolved.txt)."""

from django import template

from layanan.survey.services import survey_link as _survey_link

register = template.Library()


@register.simple_tag
def survey_link(request) -> str:
    if request is None or not getattr(request, "pk", None):
        return ""
    return _survey_link(request)
