"""/kelola/api/: API keys of the agency (agency admin only)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from layanan.accounts.roles import MANAGE_AGENCY
from layanan.core.decorators import role_required

from . import keys
from .models import ApiKey

admin_required = role_required(*MANAGE_AGENCY)


def _page(request, form, *, new_key="", status=200):
    return render(
        request,
        "api/keys.html",
        {
            "agency": request.user.agency,
            "keys": keys.keys_of(request.user),
            "form": form,
            "new_key": new_key,
            "services": keys.complaint_services(request.user),
        },
        status=status,
    )


@never_cache
@admin_required
def index(request):
    if request.method == "POST":
        form = keys.KeyForm(request.POST, admin=request.user)
        if form.is_valid():
            data = form.cleaned_data
            _key, raw = ApiKey.issue(
                agency=request.user.agency,
                name=data["name"],
                scope=data["scope"],
                staff_user=data["staff_user"],
                created_by=request.user,
            )
            # Shown once, in this answer only (never stored, never redirected through a URL).
            return _page(request, keys.KeyForm(admin=request.user), new_key=raw)
        return _page(request, form, status=400)
    return _page(request, keys.KeyForm(admin=request.user))


@admin_required
@require_POST
def revoke(request, pk):
    key = get_object_or_404(keys.keys_of(request.user), pk=pk)
    key.revoke()
    messages.success(request, _("Kunci %(name)s dicabut.") % {"name": key.name})
    return redirect("api_staff:index")


@admin_required
@require_POST
def service_options(request):
    chosen = set()
    for value in request.POST.getlist("location_required"):
        if value.isdigit():
            chosen.add(int(value))
    keys.set_location_required(request.user, chosen)
    messages.success(request, _("Pengaturan layanan disimpan."))
    return redirect("api_staff:index")
