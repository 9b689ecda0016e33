"""Read side of the privacy screens (nothing here writes)."""

from django.core.paginator import Paginator
from django.db.models import Count, Q

from layanan.core.tenancy import scoped
from layanan.requests.models import IdentityView, Kind, Request

from . import retention
from .models import DataSubjectRequest

PAGE_SIZE = 50


def page_of(queryset, number):
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def summary(agency, user) -> dict:
    """The home screen: the periods in force and what the retention job has done and will do."""
    requests = scoped(Request.objects, user, region_wide=False).filter(agency=agency)
    counts = requests.aggregate(anonymised=Count("pk", filter=Q(anonymised_at__isnull=False)))
    return {
        "periods": [
            (Kind.COMPLAINT.label, agency.retention_days_for(Kind.COMPLAINT),
             bool(agency.retention_days_complaint)),
            (Kind.INFORMATION.label + " / " + Kind.DATA_REQUEST.label,
             agency.retention_days_for(Kind.INFORMATION), bool(agency.retention_days_information)),
            (None, agency.retention_days, True),
        ],
        "anonymised": counts["anonymised"],
        "due_now": retention.due(agency).count(),
        "open_subject_requests": scoped(DataSubjectRequest.objects, user, region_wide=False)
        .filter(outcome=DataSubjectRequest.Outcome.PENDING).count(),
    }


def subject_requests(user):
    return scoped(DataSubjectRequest.objects.select_related("recorded_by", "handled_by"), user,
                  region_wide=False)


def identity_views(user, code: str = ""):
    views = scoped(IdentityView.objects.select_related("request", "viewer"), user, region_wide=False)
    if code:
        # Codes are stored in capitals: an exact match on the capitalised code uses the unique index
        # (iexact compares UPPER(code), which no index serves).
        views = views.filter(request__tracking_code=code.strip().upper())
    return views.order_by("-at", "-id")
