"""/kelola/privasi/: retention, data subject requests and the identity-view log.

The agency admin acts; the agency head may read. Everyone else gets a 404
(core.decorators.role_required), and every object comes through core.tenancy.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from layanan.accounts.roles import Role
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404
from layanan.requests import identity
from layanan.requests.lifecycle import LifecycleError

from . import forms, queries, services
from .models import DataSubjectRequest

# Who handles personal data requests, and who may read the records.
PRIVACY_ADMIN = (Role.AGENCY_ADMIN,)
PRIVACY_READERS = (Role.AGENCY_ADMIN, Role.HEAD)

admin_required = role_required(*PRIVACY_ADMIN)
reader_required = role_required(*PRIVACY_READERS)


def _agency(request):
    if request.user.agency is None:
        raise Http404
    return request.user.agency


def _is_admin(user) -> bool:
    return user.has_role(*PRIVACY_ADMIN)


@reader_required
def home(request):
    agency = _agency(request)
    return render(request, "privacy/home.html", {
        "agency": agency, "is_admin": _is_admin(request.user), **queries.summary(agency, request.user)})


@reader_required
def subjects(request):
    agency = _agency(request)
    is_admin = _is_admin(request.user)
    if request.method == "POST" and not is_admin:
        raise Http404
    with timezone.override(agency.timezone):
        form = forms.SubjectRequestForm(request.POST or None) if is_admin else None
        if form is not None and request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            dsr = services.record(agency, request.user, kind=data["kind"], identifier=data["identifier"],
                                  requested_at=data["requested_at"], note=data["note"])
            messages.success(request, _("Permintaan dicatat."))
            return redirect("privacy:subject", pk=dsr.pk)
    page = queries.page_of(queries.subject_requests(request.user), request.GET.get("hal"))
    return render(request, "privacy/subjects.html", {"agency": agency, "form": form, "page": page},
                  status=form_status(request))


def _dsr(request, pk):
    return get_scoped_or_404(DataSubjectRequest.objects.select_related("agency"), request.user,
                             region_wide=False, pk=pk)


@reader_required
def subject_detail(request, pk):
    dsr = _dsr(request, pk)
    is_admin = _is_admin(request.user)
    found = list(services.matches(dsr, request.user))
    identity.log_identity_views(found, request.user)  # a confidential complainant linked to a person
    return render(request, "privacy/subject.html", {
        "agency": dsr.agency, "dsr": dsr, "requests": found,
        "is_admin": is_admin, "may_erase": is_admin and services.may_erase(dsr),
        "erase_form": forms.EraseForm(),
    })


@admin_required
@never_cache
def subject_export(request, pk):
    """The subject's data in clear: an HTML page to print, or ?format=json to hand over as a file."""
    dsr = _dsr(request, pk)
    data = services.export(dsr, request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="data-pribadi-{dsr.pk}.json"'
        return response
    return render(request, "privacy/export.html", {"agency": dsr.agency, "dsr": dsr, "data": data})


@admin_required
@require_POST
def subject_erase(request, pk):
    dsr = _dsr(request, pk)
    form = forms.EraseForm(request.POST)
    if not services.may_erase(dsr):
        messages.error(request, _("Permintaan ini tidak dapat (lagi) dihapus."))
        return redirect("privacy:subject", pk=dsr.pk)
    if not form.is_valid():
        messages.error(request, _("Centang konfirmasi untuk menghapus data pribadi."))
        return redirect("privacy:subject", pk=dsr.pk)
    try:
        result = services.erase(dsr, request.user)
    except LifecycleError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("privacy:subject", pk=dsr.pk)
    if result["erased"]:
        messages.success(request, _("Data pribadi dihapus dari %(n)d permohonan: %(codes)s.")
                         % {"n": len(result["erased"]), "codes": ", ".join(result["erased"])})
    if result["open"]:
        messages.warning(request, _(
            "Permohonan yang masih berjalan tidak dihapus: %(codes)s. Instansi masih wajib menyelesaikannya; "
            "hapus lagi dari halaman ini setelah permohonan itu selesai.")
            % {"codes": ", ".join(result["open"])})
    if not result["erased"] and not result["open"]:
        messages.info(request, _("Tidak ada data pribadi atas identitas ini yang masih tersimpan."))
    return redirect("privacy:subject", pk=dsr.pk)


@reader_required
def identity_log(request):
    agency = _agency(request)
    code = "".join(ch for ch in request.GET.get("kode", "")[:60] if ch.isprintable()).strip()
    page = queries.page_of(queries.identity_views(request.user, code), request.GET.get("hal"))
    return render(request, "privacy/identity_log.html", {"agency": agency, "page": page, "code": code})
