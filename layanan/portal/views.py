"""Public portal: region → agencies → services → the standard. No login."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from layanan.agencies.models import Region
from layanan.standards.flowchart import render_swimlane_svg
from layanan.standards.interchange import step_dict
from layanan.standards.pdf import render_standard_pdf
from layanan.standards.presentation import channel_links, component_sections

from . import queries

PUBLIC_CACHE = {"public": True, "max_age": 300}


@require_GET
@cache_control(**PUBLIC_CACHE)
def home(request):
    return render(request, "portal/home.html", {"regions": queries.regions_with_agencies()})


@require_GET
@cache_control(**PUBLIC_CACHE)
def region(request, slug):
    region = get_object_or_404(Region, slug=slug)
    agencies = region.agencies.order_by("name")
    return render(request, "portal/region.html", {"region": region, "agencies": agencies})


@require_GET
@cache_control(**PUBLIC_CACHE)
def agency(request, code):
    agency = queries.agency_or_404(code)
    query = request.GET.get("q", "").strip()[:100]
    services = queries.published_services(agency, query)
    return render(request, "portal/agency.html", {
        "agency": agency, "services": services, "query": query,
        "channels": channel_links(agency.channels),
    })


def _standard_context(code, service_code):
    std = queries.published_standard_or_404(code, service_code)
    agency = std.service.agency
    requirements, steps = list(std.requirements.all()), list(std.steps.all())
    return {
        "agency": agency, "service": std.service, "std": std,
        "sections": component_sections(std, requirements, steps),
        "agency_channels": channel_links(agency.channels),
    }


@require_GET
@cache_control(**PUBLIC_CACHE)
def service(request, code, service_code):
    context = _standard_context(code, service_code)
    return render(request, "portal/service.html", context)


@require_GET
@cache_control(**PUBLIC_CACHE)
def flowchart(request, code, service_code):
    std = queries.published_standard_or_404(code, service_code)
    svg = render_swimlane_svg([step_dict(s) for s in std.steps.all()], title=std.service.name)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@require_GET
@cache_control(**PUBLIC_CACHE)
def standard_pdf(request, code, service_code):
    context = _standard_context(code, service_code)
    pdf = render_standard_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"standar-{code}-{service_code}-v{context['std'].version}.pdf".lower()
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
