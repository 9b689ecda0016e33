"""/kelola/laporan/…: dashboards, evaluation reports, compliance; /<AGENCY>/data-terbuka/: open data.

Thin views: the scope (scope.py) says what the viewer may see, forms parse the filters (bad
input → 400 with the reason in Indonesian), dashboard.py / services.py / compliance.py compute.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from layanan.accounts.roles import Role
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404, scoped
from layanan.portal.queries import agency_or_404

from . import compliance, dashboard, opendata, services
from . import scope as scopes
from .forms import FilterForm, GenerateForm, RecommendationsForm, ThresholdForm
from .models import EvaluationReport, RegionSetting

FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("pdf", "application/pdf"),
}


def _wants_region(user) -> bool:
    return not user.is_superuser and not user.has_role(*scopes.DASHBOARD_ROLES)


@role_required(*scopes.DASHBOARD_ROLES, *scopes.REGION_ROLES)
def agency_dashboard(request):
    if _wants_region(request.user):
        return redirect("reports:region")
    scope = scopes.agency_scope(request.user)
    form = FilterForm(request.GET, scope=scope)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "scope": scope}, status=400)
    dash = dashboard.build(form.selection(), timezone.now())
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "dash": dash,
            "s": dash.sections,
            "report_query": form.query(),
            "can_report": True,
        },
    )


@role_required(*scopes.REGION_ROLES)
def region_dashboard(request):
    scope = scopes.region_scope(request.user)
    form = FilterForm(request.GET, scope=scope)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "scope": scope}, status=400)
    dash = dashboard.build(form.selection(), timezone.now())
    return render(
        request, "reports/dashboard.html", {"form": form, "scope": scope, "dash": dash, "s": dash.sections}
    )


# ---------------------------------------------------------------- evaluation reports


def _reports_for(user):
    """The reports a viewer may open: the agency's for the leadership, their units' for a unit head."""
    qs = scoped(EvaluationReport.objects.select_related("agency", "unit", "request"), user, region_wide=False)
    scope = scopes.agency_scope(user)
    if scope.units is not None:
        qs = qs.filter(unit_id__in=scope.units)
    return qs, scope


@role_required(*scopes.DASHBOARD_ROLES)
def report_list(request):
    reports, scope = _reports_for(request.user)
    form = GenerateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_role(*scopes.AGENCY_ROLES) and not request.user.is_superuser:
            raise Http404
        if form.is_valid():
            period = form.cleaned_data["period"]
            agency = scope.agency
            report = services.ensure(
                agency,
                form.cleaned_data["jenis"],
                period,
                services=services.scheduled_services(agency, form.cleaned_data["jenis"], period) or None,
                user=request.user,
            )
            messages.success(request, _("Laporan %(label)s dibuat.") % {"label": period.label})
            return redirect("reports:report", pk=report.pk)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports.order_by("-period_start", "kind", "-id")[:200],
            "form": form,
            "scope": scope,
            "can_generate": request.user.is_superuser or request.user.has_role(*scopes.AGENCY_ROLES),
        },
        status=form_status(request),
    )


@role_required(*scopes.DASHBOARD_ROLES)
def report_detail(request, pk):
    reports, _scope = _reports_for(request.user)
    report = get_scoped_or_404(reports, request.user, region_wide=False, pk=pk)
    form = RecommendationsForm(request.POST or None, instance=report)
    may_sign = services.may_finalise(request.user, report)
    if request.method == "POST":
        if report.is_final or not may_sign:
            raise Http404
        if form.is_valid():
            try:
                if "sahkan" in request.POST:
                    services.finalise(report, request.user, form.cleaned_data["recommendations"])
                    messages.success(request, _("Laporan disahkan."))
                else:
                    services.save_recommendations(report, request.user, form.cleaned_data["recommendations"])
                    messages.success(request, _("Rekomendasi disimpan."))
                return redirect("reports:report", pk=report.pk)
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    form.add_error(None, message)
    from .exports import pdf_context, scope_line, status_line

    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": form,
            "may_sign": may_sign and not report.is_final,
            "fig": report.figures,
            "status": status_line(report),
            "scope_text": scope_line(report),
            "view": pdf_context(report) if report.figures else None,
        },
        status=form_status(request),
    )


def _file_response(report, fmt):
    ext, content_type = FORMATS[fmt]
    field = getattr(report, ext)
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        content_type=content_type,
        filename=field.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*scopes.DASHBOARD_ROLES)
def report_file(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    reports, _scope = _reports_for(request.user)
    report = get_scoped_or_404(reports, request.user, region_wide=False, pk=pk)
    return _file_response(report, fmt)


@role_required(*scopes.DASHBOARD_ROLES)
@require_GET
def report_for_filters(request):
    """The dashboard's "download the report of this period": made now (or reused) and served."""
    scope = scopes.agency_scope(request.user)
    form = FilterForm(request.GET, scope=scope)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        return render(request, "reports/bad_filter.html", {"message": _("Format tidak dikenal.")}, status=400)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "scope": scope}, status=400)
    sel = form.selection()
    unit = sel.unit
    if unit is None and scope.roots:
        unit = scope.agency.units.filter(pk=scope.roots[0]).first() if len(scope.roots) == 1 else None
        if unit is None:
            return render(
                request, "reports/bad_filter.html", {"message": _("Pilih unit terlebih dahulu.")}, status=400
            )
    report = services.ensure(
        scope.agency,
        services.kind_of(sel.period),
        sel.period,
        unit=unit,
        service=sel.service,
        channel=sel.channel,
        user=request.user,
    )
    return _file_response(report, fmt)


# ---------------------------------------------------------------- compliance (region)


@role_required(*scopes.REGION_ROLES)
def compliance_table(request):
    scope = scopes.region_scope(request.user)
    rows, setting = compliance.table(scope)
    return render(
        request,
        "reports/compliance.html",
        {
            "rows": rows,
            "setting": setting,
            "scope": scope,
            "can_edit": request.user.is_superuser or request.user.has_role(Role.OVERSEER),
        },
    )


@role_required(Role.OVERSEER)
def thresholds(request):
    scope = scopes.region_scope(request.user)
    setting = compliance.setting_for(scope.region)
    form = ThresholdForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        saved: RegionSetting = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("Ambang zona disimpan."))
        return redirect("reports:compliance")
    return render(
        request, "reports/thresholds.html", {"form": form, "scope": scope}, status=form_status(request)
    )


# ---------------------------------------------------------------- open data (public)

OPEN_CACHE = {"public": True, "max_age": 600}


@require_GET
@cache_control(**OPEN_CACHE)
def open_data(request, code):
    agency = agency_or_404(code)
    data = opendata.figures(agency)
    return render(request, "reports/open_data.html", {"agency": agency, "data": data})


@require_GET
@cache_control(**OPEN_CACHE)
def open_data_csv(request, code, name):
    agency = agency_or_404(code)
    if name not in opendata.CSV_FILES:
        raise Http404
    content = opendata.csv_file(agency, name)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.code.lower()}-{name}.csv"'
    return response


def reports_home_url(user) -> str | None:
    """Where the console links a user's reports (None: no reports for them)."""
    if user.is_superuser or user.has_role(*scopes.DASHBOARD_ROLES):
        return reverse("reports:dashboard")
    if user.has_role(*scopes.REGION_ROLES):
        return reverse("reports:region")
    return None
