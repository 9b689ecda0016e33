"""/kelola/lapor/: the agency's SP4N-LAPOR! reports — search by Tracking ID, register one at the
desk, import a CSV/XLSX list, write the follow-up once and copy it out (thin views over services)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from layanan.accounts.roles import DESK_ROLES
from layanan.core.decorators import role_required
from layanan.core.tenancy import get_scoped_or_404

from . import services
from .models import LaporReport, LaporStatus, LaporType

desk_required = role_required(*DESK_ROLES)


class RegisterForm(forms.Form):
    tracking_id = forms.CharField(label=gettext_lazy("Tracking ID LAPOR!"), max_length=40)
    topic = forms.CharField(label=gettext_lazy("Topik / judul"), max_length=300, required=False)
    content = forms.CharField(label=gettext_lazy("Isi laporan"), max_length=10000, widget=forms.Textarea)
    report_type = forms.ChoiceField(label=gettext_lazy("Jenis"), choices=LaporType.choices)
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonim (identitas pelapor tidak dicatat)"), required=False
    )
    confidential = forms.BooleanField(
        label=gettext_lazy("Rahasia (identitas hanya untuk petugas pengaduan)"), required=False
    )
    reporter_name = forms.CharField(label=gettext_lazy("Nama pelapor"), max_length=200, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("Telepon pelapor"), max_length=40, required=False)
    reporter_email = forms.EmailField(label=gettext_lazy("E-mail pelapor"), required=False)
    location_text = forms.CharField(label=gettext_lazy("Lokasi kejadian"), max_length=500, required=False)
    forwarded_at = forms.DateTimeField(
        label=gettext_lazy("Diteruskan ke instansi pada"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _report_or_404(request, pk):
    return get_scoped_or_404(
        LaporReport.objects.select_related("request", "agency"), request.user, region_wide=False, pk=pk
    )


@never_cache
@desk_required
def index(request):
    query = request.GET.get("q", "")[:40]
    form = RegisterForm()
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            try:
                report, created = services.register(
                    request.user.agency,
                    services.ReportData(
                        **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
                    ),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    (_("Laporan %(id)s dicatat.") if created else _("Laporan %(id)s sudah ada; diperbarui."))
                    % {"id": report.tracking_id},
                )
                return redirect("lapor:report", report.pk)
    reports = list(services.search(request.user.agency, query)[:200])
    for report in reports:
        report.clock = services.clock_state(report)
    return render(
        request,
        "lapor/index.html",
        {"reports": reports, "q": query, "form": form, "agency": request.user.agency},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@desk_required
@require_POST
def import_file(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Pilih berkas CSV atau XLSX."))
        return redirect("lapor:index")
    try:
        result = services.import_reports(
            request.user.agency, upload.name, upload.read(services.MAX_IMPORT_BYTES + 1), request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lapor:index")
    messages.success(
        request,
        _("Impor: %(new)d laporan baru, %(old)d diperbarui, %(bad)d baris gagal.")
        % {"new": len(result.created), "old": len(result.updated), "bad": len(result.errors)},
    )
    for number, message in result.errors[:20]:
        messages.error(request, _("Baris %(n)d: %(message)s") % {"n": number, "message": message})
    return redirect("lapor:index")


@never_cache
@desk_required
def report(request, pk):
    found = _report_or_404(request, pk)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "followup":
                services.write_followup(found, request.POST.get("text", ""), request.user)
            elif action == "copied":
                services.mark_copied(found, request.user)
            elif action == "status":
                services.set_status(found, request.POST.get("status", ""), request.user)
            else:
                raise services.LaporError(_("Tindakan tidak dikenal."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("lapor:report", found.pk)
    return render(
        request,
        "lapor/report.html",
        {
            "report": found,
            "req": found.request,
            "agency": found.agency,
            "clock": services.clock_state(found),
            "lapor_text": services.followup_for_lapor(found),
            "statuses": LaporStatus.choices,
            "may_handle": services.may_handle(found, request.user),
        },
    )
