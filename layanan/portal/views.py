"""Public portal: region → agencies → services → the standard. No login."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from layanan.agencies.hours import office_hours_lines
from layanan.agencies.models import Region
from layanan.core.converters import canonical_agency_code
from layanan.standards.pdf import flowchart_svg, stored_standard_pdf
from layanan.standards.presentation import channel_links, component_sections

from . import queries

PUBLIC_CACHE = {"public": True, "max_age": 300}


@require_GET
@cache_control(**PUBLIC_CACHE)
def home(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "portal/home.html", {
        "regions": queries.regions_with_agencies(), "query": query,
        "found": queries.search_services(query) if query else None,
    })


@require_GET
@cache_control(**PUBLIC_CACHE)
def region(request, slug):
    region = get_object_or_404(Region, slug=slug)
    agencies = region.agencies.order_by("name")
    return render(request, "portal/region.html", {"region": region, "agencies": agencies})


@require_GET
@canonical_agency_code
@cache_control(**PUBLIC_CACHE)
def agency(request, code):
    agency = queries.agency_or_404(code)
    query = request.GET.get("q", "").strip()[:100]
    services = queries.published_services(agency, query)
    return render(request, "portal/agency.html", {
        "agency": agency, "services": services, "query": query,
        "channels": channel_links(agency.channels), "office_hours": office_hours_lines(agency),
    })


def _standard_context(code, service_code):
    std = queries.published_standard_or_404(code, service_code)
    agency = std.service.agency
    requirements, steps = list(std.requirements.all()), list(std.steps.all())
    return {
        "agency": agency, "service": std.service, "std": std,
        "sections": component_sections(std, requirements, steps),
        "agency_channels": channel_links(agency.channels), "office_hours": office_hours_lines(agency),
    }


@require_GET
@canonical_agency_code
@cache_control(**PUBLIC_CACHE)
def service(request, code, service_code):
    context = _standard_context(code, service_code)
    return render(request, "portal/service.html", context)


def _anonymous_rate(setting: str, default: str):
    """A django-ratelimit rate for anonymous visitors only (staff are not limited)."""
    def rate(group, request):
        if request.user.is_authenticated:
            return None
        return getattr(settings, setting, default)
    return rate


def _too_many(request):
    response = render(request, "portal/too_many.html", status=429)
    response["Retry-After"] = "60"
    patch_cache_control(response, no_store=True)
    return response


@require_GET
@canonical_agency_code
@ratelimit(key="ip", rate=_anonymous_rate("PORTAL_FLOWCHART_RATE", "120/m"), method="GET", block=False)
def flowchart(request, code, service_code):
    """The swim-lane SVG (embedded in every service page, so the limit is generous; cached)."""
    if getattr(request, "limited", False):
        return _too_many(request)
    std = queries.published_standard_or_404(code, service_code)
    response = HttpResponse(flowchart_svg(std), content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, **PUBLIC_CACHE)
    return response


@require_GET
@canonical_agency_code
@ratelimit(key="ip", rate=_anonymous_rate("PORTAL_PDF_RATE", "30/m"), method="GET", block=False)
def standard_pdf(request, code, service_code):
    """The A4 PDF, rendered once per published version and language, then served as a file."""
    if getattr(request, "limited", False):
        return _too_many(request)
    context = _standard_context(code, service_code)
    stored = stored_standard_pdf(context, translation.get_language() or settings.LANGUAGE_CODE)
    not_modified = get_conditional_response(request, etag=stored.etag, last_modified=int(stored.modified))
    if not_modified is None:
        filename = f"standar-{code}-{service_code}-v{context['std'].version}.pdf".lower()
        response = FileResponse(default_storage.open(stored.name, "rb"), content_type="application/pdf",
                                filename=filename)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = not_modified
    response["ETag"] = stored.etag
    response["Last-Modified"] = http_date(stored.modified)
    patch_cache_control(response, **PUBLIC_CACHE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
