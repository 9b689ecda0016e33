"""Read-side queries of the public portal: published standards only."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from layanan.agencies.models import Agency, Region
from layanan.standards.models import Requirement, Service, ServiceStandard, Step

Published = ServiceStandard.Status.PUBLISHED


def regions_with_agencies():
    return Region.objects.prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.annotate(
            published_count=Count("services", filter=Q(services__published_standard__isnull=False))
        ))
    )


def agency_or_404(code: str) -> Agency:
    try:
        return Agency.objects.select_related("region").get(code=code)
    except Agency.DoesNotExist:
        raise Http404 from None


def published_services(agency: Agency, query: str = ""):
    services = (
        Service.objects.filter(agency=agency, published_standard__isnull=False)
        .select_related("published_standard")
        .only("code", "name", "kind", "position", "published_standard__duration_text",
              "published_standard__duration_min", "published_standard__duration_max",
              "published_standard__duration_unit", "published_standard__cost_amount",
              "published_standard__version")
        .order_by("position", "name")
    )
    for word in query.split()[:8]:
        services = services.filter(
            Q(name__icontains=word) | Q(published_standard__product__icontains=word)
        )
    return services


def search_services(query: str, limit: int = 30):
    """Published services of every agency whose name or product matches every word (the home
    page's search box)."""
    words = query.split()[:8]
    if not words:
        return []
    services = (Service.objects.filter(published_standard__isnull=False)
                .select_related("agency", "published_standard")
                .only("code", "name", "kind", "agency__code", "agency__name",
                      "published_standard__duration_text", "published_standard__cost_amount")
                .order_by("agency__name", "position", "name"))
    for word in words:
        services = services.filter(Q(name__icontains=word) | Q(published_standard__product__icontains=word)
                                   | Q(agency__name__icontains=word))
    return list(services[:limit])


def published_standard_or_404(agency: Agency | str, service_code: str) -> ServiceStandard:
    """`agency` is an Agency or its code (a code saves a query: the agency comes with the join)."""
    where = {"service__agency__code": agency} if isinstance(agency, str) else {"service__agency": agency}
    try:
        return (
            ServiceStandard.objects.select_related("service", "service__agency", "service__agency__region")
            .prefetch_related(
                Prefetch("requirements", queryset=Requirement.objects.order_by("position")),
                Prefetch("steps", queryset=Step.objects.select_related("unit").order_by("position")),
            )
            .get(**where, service__code=service_code, status=Published)
        )
    except ServiceStandard.DoesNotExist:
        raise Http404 from None


def published_standards_for_api(agency_code: str | None = None):
    qs = (
        ServiceStandard.objects.filter(status=Published)
        .select_related("service", "service__agency")
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("position")),
            Prefetch("steps", queryset=Step.objects.select_related("unit").order_by("position")),
        )
        .order_by("service__agency__code", "service__position", "service__code")
    )
    if agency_code:
        qs = qs.filter(service__agency__code=agency_code)
    return qs
