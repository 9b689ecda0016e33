"""/kelola/survei/: results, suggestions, follow-up, reports, kiosk, paper forms, settings and the
region's aggregates. Who may open what: survey/access.py; every object through core.tenancy."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from layanan.accounts.roles import REGION_WIDE
from layanan.agencies.models import Unit
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404, scoped
from layanan.standards.models import Service

from . import access, presentation, queries, services
from .forms import ConfigForm, FollowUpForm, KioskStartForm, PaperForm, ReportForm
from .ikm import lowest
from .models import FollowUp, KioskSession, SurveyReport
from .periods import KINDS, MONTH, QUARTER, SEMESTER, YEAR, last, parse
from .questionnaire import ELEMENTS, PROFILE, ordered
from .reports import logo_data_uri

readers = role_required(*access.READERS)
staff = role_required(*(access.READERS | access.COLLECTORS))
collectors = role_required(*access.COLLECTORS)
configurers = role_required(*access.CONFIGURERS)
region_readers = role_required(*REGION_WIDE)
PAGE_SIZE = 50
PERIOD_CHOICES = {MONTH: 12, QUARTER: 8, SEMESTER: 4, YEAR: 3}


def _agency(request):
    if request.user.agency is None:
        raise Http404
    return request.user.agency


def _today(agency):
    return services.local_date(agency, timezone.now())


def _period(request, agency):
    """The period asked for (?periode=2026-S1), else the agency's current survey period."""
    asked = request.GET.get("periode") or request.POST.get("periode")
    period = parse(asked) if asked else None
    if asked and period is None:
        messages.error(
            request, _("Periode “%(p)s” tidak dikenal; ditampilkan periode berjalan.") % {"p": asked[:20]}
        )
    return period or queries.current_period(agency, _today(agency))


def _period_options(today, selected):
    """The period picker: per kind, the recent periods up to `today`, `selected` marked."""
    groups = []
    labels = {MONTH: _("Bulan"), QUARTER: _("Triwulan"), SEMESTER: _("Semester"), YEAR: _("Tahun")}
    for kind in KINDS:
        groups.append(
            (
                labels[kind],
                [
                    (p.slug, p.label, p.slug == selected.slug)
                    for p in reversed(last(kind, today, PERIOD_CHOICES[kind]))
                ],
            )
        )
    return groups


def _base(request, agency, period):
    return {
        "agency": agency,
        "period": period,
        "period_options": _period_options(_today(agency), period),
        "reads": access.reads_results(request.user),
        "reads_agency": access.reads_agency(request.user),
        "collects": access.collects(request.user),
        "configures": access.configures(request.user),
    }


# ---------------------------------------------------------------- results


@staff
@require_GET
def home(request):
    agency = _agency(request)
    period = _period(request, agency)
    context = _base(request, agency, period)
    user = request.user
    if access.reads_results(user):
        units = access.readable_units(user)
        order = services.element_order(agency)
        summary = None
        if units is None:
            summary = queries.ikm_summary(agency_id=agency.pk, start=period.start, end=period.end)
            points = queries.trend(last(period.kind, period.end, 6), agency_id=agency.pk)
        else:
            points = []
        low = lowest(summary.nrr, 3, order) if summary else []
        context.update(
            {
                "summary": summary,
                "numbers": presentation.numbers(summary),
                "elements": presentation.element_lines(summary, order, low),
                "adequacy": presentation.adequacy_text(summary),
                "lowest": low,
                "units": queries.unit_rows(agency, period, units=units),
                "services": queries.service_rows(agency, period, units=units),
                "chart": presentation.trend_chart(points),
                "points": points,
                "follow_ups": list(queries.follow_ups(agency.pk, period=period.slug, units=units)),
                "follow_up_form": FollowUpForm(initial={"element": low[0] if low else "U1"})
                if access.records_follow_up(user, None)
                else None,
            }
        )
    return render(request, "survey/staff/home.html", context)


def _unit(request, pk):
    unit = get_scoped_or_404(Unit.objects.all(), request.user, region_wide=False, pk=pk)
    if not access.may_read_unit(request.user, unit.pk):
        raise Http404
    return unit


@readers
@require_GET
def unit_detail(request, pk):
    agency = _agency(request)
    unit = _unit(request, pk)
    period = _period(request, agency)
    order = services.element_order(agency)
    summary = queries.ikm_summary(agency_id=agency.pk, unit_id=unit.pk, start=period.start, end=period.end)
    low = lowest(summary.nrr, 3, order) if summary else []
    context = _base(request, agency, period)
    context.update(
        {
            "unit": unit,
            "summary": summary,
            "numbers": presentation.numbers(summary),
            "elements": presentation.element_lines(summary, order, low),
            "lowest": low,
            "adequacy": presentation.adequacy_text(summary),
            "services": queries.service_rows(agency, period, units=access.subtree(agency.pk, {unit.pk})),
            "follow_ups": list(queries.follow_ups(agency.pk, period=period.slug, unit_id=unit.pk)),
            "follow_up_form": FollowUpForm(initial={"element": low[0] if low else "U1"})
            if access.records_follow_up(request.user, unit.pk)
            else None,
        }
    )
    return render(request, "survey/staff/unit.html", context)


@readers
@require_POST
def follow_up_add(request):
    agency = _agency(request)
    period = _period(request, agency)
    unit = None
    if request.POST.get("unit"):
        try:
            unit = _unit(request, int(request.POST["unit"]))
        except ValueError:
            raise Http404 from None
    if not access.records_follow_up(request.user, unit.pk if unit else None):
        raise Http404
    form = FollowUpForm(request.POST)
    back = (
        redirect(f"{_unit_url(unit)}?periode={period.slug}#tindak-lanjut")
        if unit
        else redirect(f"{_home_url()}?periode={period.slug}#tindak-lanjut")
    )
    if not form.is_valid():
        messages.error(
            request,
            _("Rencana tindak lanjut belum disimpan: %(e)s")
            % {
                "e": " ".join(
                    f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                    for f, e in form.errors.items()
                )
            },
        )
        return back
    data = form.cleaned_data
    services.add_follow_up(
        agency,
        request.user,
        unit=unit,
        period=period.slug,
        element=data["element"],
        action=data["action"],
        owner=data["owner"],
        due_date=data["due_date"],
        status=data["status"],
        result=data["result"],
    )
    messages.success(request, _("Rencana tindak lanjut disimpan."))
    return back


def _home_url():
    from django.urls import reverse

    return reverse("survey:home")


def _unit_url(unit):
    from django.urls import reverse

    return reverse("survey:unit", args=[unit.pk])


@readers
@require_http_methods(["GET", "POST"])
def follow_up_edit(request, pk):
    agency = _agency(request)
    follow_up = get_scoped_or_404(
        FollowUp.objects.select_related("unit"), request.user, region_wide=False, pk=pk
    )
    if not access.records_follow_up(request.user, follow_up.unit_id):
        raise Http404
    form = FollowUpForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        services.update_follow_up(follow_up, request.user, **form.cleaned_data)
        messages.success(request, _("Tindak lanjut diperbarui."))
        target = _unit_url(follow_up.unit) if follow_up.unit else _home_url()
        return redirect(f"{target}?periode={follow_up.period}#tindak-lanjut")
    return render(
        request,
        "survey/staff/follow_up.html",
        {
            "agency": agency,
            "follow_up": follow_up,
            "form": form,
            "element": presentation.element_name(follow_up.element),
            "period": parse(follow_up.period),
        },
        status=form_status(request),
    )


@readers
@require_GET
def suggestions(request):
    agency = _agency(request)
    period = _period(request, agency)
    units = access.readable_units(request.user)
    order = services.element_order(agency)
    page = Paginator(queries.suggestions(agency.pk, period, units=units), PAGE_SIZE).get_page(
        request.GET.get("hal")
    )
    rows = [{"response": r, "scores": [(code, getattr(r, code.lower())) for code in order]} for r in page]
    context = _base(request, agency, period)
    context.update({"page": page, "rows": rows, "order": order})
    return render(request, "survey/staff/suggestions.html", context)


# ---------------------------------------------------------------- reports


@role_required(*access.READ_ALL)
@require_http_methods(["GET", "POST"])
def report_list(request):
    agency = _agency(request)
    period = _period(request, agency)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            services.request_report(
                agency, request.user, period=form.cleaned_data["period"].slug, fmt=form.cleaned_data["format"]
            )
            messages.success(request, _("Laporan sedang dibuat; muat ulang halaman ini sebentar lagi."))
            return redirect(f"{request.path}?periode={form.cleaned_data['period'].slug}")
        messages.error(request, _("Periode atau format laporan tidak dikenal."))
        return redirect(request.path)
    history = scoped(SurveyReport.objects.select_related("requested_by"), request.user, region_wide=False)
    page = Paginator(history.filter(agency=agency), PAGE_SIZE).get_page(request.GET.get("hal"))
    context = _base(request, agency, period)
    context.update({"page": page})
    return render(request, "survey/staff/reports.html", context)


@role_required(*access.READ_ALL)
@require_GET
def report_download(request, pk):
    report = get_scoped_or_404(SurveyReport.objects.all(), request.user, region_wide=False, pk=pk)
    if report.status != SurveyReport.Status.DONE or not report.file:
        raise Http404
    content_type = (
        "application/pdf"
        if report.format == SurveyReport.Format.PDF
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"skm-{report.agency.code.lower()}-{report.period.lower()}.{report.format}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- collecting: kiosk, paper


@collectors
@require_http_methods(["GET", "POST"])
def kiosk_start(request):
    agency = _agency(request)
    form = KioskStartForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.start_kiosk(
                request.user, form.cleaned_data["service"], label=form.cleaned_data["label"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            path = services.kiosk_path(session)
            if form.cleaned_data["sign_out"]:
                logout(request)  # the tablet is the citizens' now
            return redirect(path)
    active = scoped(
        KioskSession.objects.select_related("service", "started_by"), request.user, region_wide=False
    ).filter(agency=agency, ended_at__isnull=True, expires_at__gt=timezone.now())
    sessions = [{"session": s, "path": services.kiosk_path(s), "count": s.responses.count()} for s in active]
    return render(
        request,
        "survey/staff/kiosk.html",
        {"agency": agency, "form": form, "sessions": sessions},
        status=form_status(request),
    )


@collectors
@require_POST
def kiosk_end(request, pk):
    session = get_scoped_or_404(KioskSession.objects.all(), request.user, region_wide=False, pk=pk)
    services.end_kiosk(session, request.user)
    messages.success(request, _("Kios dihentikan."))
    return redirect("survey:kiosk")


@collectors
@require_GET
def paper_print(request):
    """The A4 questionnaire to print (the agency's logo, the nine questions, the profile)."""
    agency = _agency(request)
    service = None
    if request.GET.get("layanan"):
        try:
            service = get_scoped_or_404(
                Service.objects.all(), request.user, region_wide=False, pk=int(request.GET["layanan"])
            )
        except ValueError:
            raise Http404 from None
    return render(
        request,
        "survey/staff/paper.html",
        {
            "agency": agency,
            "service": service,
            "logo": logo_data_uri(agency),
            "elements": ordered(services.element_order(agency)),
            "profile": [(label, choices.choices) for _name, label, choices in PROFILE],
            "services": Service.objects.filter(agency=agency).order_by("position", "name"),
        },
    )


@collectors
@require_http_methods(["GET", "POST"])
def paper_entry(request):
    """Typing a stack of paper forms: one keystroke per answer, Enter saves, the next form is empty."""
    agency = _agency(request)
    order = services.element_order(agency)
    today = _today(agency)
    if request.method == "POST":
        form = PaperForm(request.POST, agency=agency, order=order)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _response, created = services.paper_answer(
                    request.user,
                    data["service"],
                    answered_on=data["answered_on"],
                    scores=form.scores(),
                    profile=form.profile_data(),
                    suggestion=data["suggestion"],
                    form_token=data["form_token"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    request.session["survey_paper_batch"] = request.session.get("survey_paper_batch", 0) + 1
                    messages.success(request, _("Kuesioner tersimpan."))
                else:
                    messages.info(request, _("Kuesioner ini sudah tersimpan sebelumnya (dikirim dua kali)."))
                return redirect(
                    f"{request.path}?layanan={data['service'].pk}&tanggal={data['answered_on']:%Y-%m-%d}"
                )
        elif "form_token" in form.errors:
            data = form.data.copy()
            data["form_token"] = services.new_form_token()
            errors = list(form.errors["form_token"])
            form = PaperForm(data, agency=agency, order=order)
            form.is_valid()
            form.add_error(None, errors)
    else:
        initial = {"answered_on": today}
        if request.GET.get("layanan", "").isdigit():
            initial["service"] = int(request.GET["layanan"])
        if request.GET.get("tanggal"):
            initial["answered_on"] = request.GET["tanggal"][:10]
        if request.GET.get("baru"):
            request.session["survey_paper_batch"] = 0
        form = PaperForm(initial=initial, agency=agency, order=order)
    if form.is_bound:
        form.focus_first_error()
    return render(
        request,
        "survey/staff/entry.html",
        {
            "agency": agency,
            "form": form,
            "first": order[0].lower(),
            "batch": request.session.get("survey_paper_batch", 0),
            "today_count": queries.paper_count(request.user, today),
            "legend": [(label, choices.choices) for _name, label, choices in PROFILE],
        },
        status=form_status(request),
    )


# ---------------------------------------------------------------- settings


@configurers
@require_http_methods(["GET", "POST"])
def settings_page(request):
    agency = _agency(request)
    config = services.config_of(agency)
    form = ConfigForm(
        request.POST or None,
        order=services.element_order(agency),
        initial={"period_kind": config.period_kind},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_config(
                agency, request.user, order=form.order(), period_kind=form.cleaned_data["period_kind"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Pengaturan survei disimpan."))
            return redirect("survey:settings")
    return render(
        request,
        "survey/staff/settings.html",
        {"agency": agency, "form": form, "elements": ordered(services.element_order(agency))},
        status=form_status(request),
    )


# ---------------------------------------------------------------- the region (overseer, auditor)


@region_readers
@require_GET
def region(request):
    """IKM of every agency of the region: aggregates only, never suggestions or answers."""
    user = request.user
    if not access.reads_region(user):
        raise Http404
    from layanan.agencies.models import Region

    region_obj = Region.objects.filter(pk=user.scope_region_id).first()
    if region_obj is None:
        raise Http404
    today = timezone.localdate()
    asked = request.GET.get("periode")
    period = parse(asked) if asked else None
    if period is None:
        period = last(SEMESTER, today, 1)[0]
    summary = queries.ikm_summary(region_id=region_obj.pk, start=period.start, end=period.end)
    order = list(ELEMENTS)
    low = lowest(summary.nrr, 3, order) if summary else []
    rows = queries.agency_rows(region_obj.pk, period)
    points = queries.trend(last(period.kind, period.end, 6), region_id=region_obj.pk)
    return render(
        request,
        "survey/staff/region.html",
        {
            "region": region_obj,
            "period": period,
            "period_options": _period_options(today, period),
            "summary": summary,
            "numbers": presentation.numbers(summary),
            "elements": presentation.element_lines(summary, order, low),
            "adequacy": presentation.adequacy_text(summary),
            "rows": rows,
            "chart": presentation.trend_chart(points),
            "points": points,
        },
    )
