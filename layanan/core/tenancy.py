"""The one place where staff queries are scoped to the user's tenant.

Every view that shows staff an object goes through `scoped()` or
`get_scoped_or_404()`. An object of another agency is reported as 404 (not
403) so that staff cannot even learn that it exists.

Scope rules:
- agency staff see their own agency;
- region-wide roles (overseer, auditor) see every agency of their region,
  read-only except for what their role allows (enactment);
- superusers see everything (operators of the platform, via Django admin).
"""

from django.db.models import Model, QuerySet
from django.http import Http404

from layanan.accounts.roles import REGION_WIDE

# How each tenant-owned model reaches its agency.
AGENCY_PATHS: dict[str, str] = {
    "agencies.agency": "",
    "agencies.unit": "agency",
    "agencies.holiday": "agency",
    "accounts.user": "agency",
    "accounts.position": "user__agency",
    "standards.service": "agency",
    "standards.servicestandard": "service__agency",
    "standards.requirement": "standard__service__agency",
    "standards.step": "standard__service__agency",
    "requests.request": "agency",
    "requests.event": "request__agency",
    "requests.attachment": "request__agency",
    "requests.requirementcheck": "request__agency",
    "requests.guestbookentry": "agency",
    "requests.compensationtask": "request__agency",
    "requests.outboxmessage": "request__agency",
    "requests.pause": "request__agency",
    "requests.identityview": "request__agency",
    "requests.trackinglock": "request__agency",
    "importer.importsession": "agency",
    "privacy.datasubjectrequest": "agency",
    "privacy.subjectkey": "agency",
    "reports.resolution": "agency",
    "reports.monthlystat": "agency",
    "reports.standardscore": "agency",
    "reports.evaluationreport": "agency",
    "reports.withdrawal": "agency",
    "survey.surveyconfig": "agency",
    "survey.surveyresponse": "agency",
    "survey.kiosksession": "agency",
    "survey.followup": "agency",
    "survey.surveyreport": "agency",
    "survey.dailytotal": "agency",
    "survey.deliveredrequest": "agency",
    "api.apikey": "agency",
    "api.serviceoptions": "service__agency",
    "lapor.laporreport": "agency",
    "lapor.laporsettings": "agency",
    "channels.whatsappaccount": "agency",
    "channels.whatsappcontact": "account__agency",
    "channels.whatsappevent": "account__agency",
    "channels.dialoguefile": "contact__account__agency",
    "channels.mailbox": "agency",
    "channels.inboundemail": "mailbox__agency",
    "channels.calltask": "request__agency",
    "channels.staffpreference": "user__agency",
    "channels.staffnotice": "user__agency",
    "channels.noticedevent": "event__request__agency",
}


def _path(model: type[Model]) -> str:
    key = model._meta.label_lower
    try:
        return AGENCY_PATHS[key]
    except KeyError:  # a new model must declare its tenant path here
        raise LookupError(f"{key} has no tenant path in core.tenancy.AGENCY_PATHS") from None


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def scoped(queryset: QuerySet, user, *, region_wide: bool = True) -> QuerySet:
    """Restrict `queryset` to what `user` may see.

    `region_wide=False` ignores region-wide roles: used for writes that only
    the agency's own staff may make.
    """
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    path = _path(queryset.model)
    if region_wide and user.has_role(*REGION_WIDE) and user.scope_region_id:
        return queryset.filter(**{_join(path, "region_id"): user.scope_region_id})
    if user.agency_id:
        return queryset.filter(**{_join(path, "id"): user.agency_id})
    return queryset.none()


def get_scoped_or_404(queryset: QuerySet, user, *, region_wide: bool = True, **lookup):
    try:
        return scoped(queryset, user, region_wide=region_wide).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
