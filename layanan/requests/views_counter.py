"""The front desk (loket): buku tamu, checklist, applicant and channel on one screen."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from layanan.accounts.roles import COUNTER_ROLES
from layanan.core import xlsx
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404

from . import guestbook as guestbook_queries
from . import intake, receipt
from .forms import CounterForm
from .models import GuestBookEntry, Request


def _agency_of(user):
    if user.agency_id is None:
        raise Http404  # the counter belongs to an agency; platform superusers have none
    return user.agency


def _counter_url(service_pk=None, **params) -> str:
    query = urlencode({k: v for k, v in {"layanan": service_pk, **params}.items() if v})
    return reverse("desk:counter") + (f"?{query}" if query else "")


@never_cache
@role_required(*COUNTER_ROLES)
@require_http_methods(["GET", "POST"])
def counter(request):
    agency = _agency_of(request.user)
    with timezone.override(agency.timezone):
        standard = intake.counter_standard(agency, request.POST.get("layanan") or request.GET.get("layanan"))
        form_kwargs = {"agency": agency, "standard": standard,
                       "requirements": standard.requirements.all() if standard else ()}
        if request.method == "POST":
            register = request.POST.get("action") != "guest"
            form = CounterForm(request.POST, register=register, **form_kwargs)
            if form.is_valid():
                if register:
                    registered, _created = intake.register(form.submission(request.user), actor=request.user)
                    return redirect("desk:counter_receipt", registered.pk)
                if intake.record_guest(form.guest(request.user), form.idempotency_key):
                    messages.success(request, _("Tamu dicatat di buku tamu."))
                return redirect(_counter_url(standard.service_id if standard else None))
        else:
            form = CounterForm(**form_kwargs)
            form.initial["token"] = intake.new_form_token(form.token_scope())
        service_pk = standard.service_id if standard else None
        guests, older = intake.todays_guests(agency, before=request.GET.get("tamu_sebelum", ""))
        return render(request, "requests/counter/counter.html", {
            "agency": agency, "standard": standard, "form": form, "guests": guests,
            "older_guests_url": _counter_url(service_pk, tamu_sebelum=older) if older else "",
            "service_groups": intake.published_service_groups(agency, service_pk),
        }, status=form_status(request))


@never_cache
@role_required(*COUNTER_ROLES)
@require_GET
def guestbook(request):
    """The buku tamu over a date range: on screen, printable (?cetak=1) and as XLSX (?format=xlsx)."""
    agency = _agency_of(request.user)
    span = guestbook_queries.read_range(agency, request.GET)
    rows = guestbook_queries.entries(agency, span)
    if request.GET.get("format") == "xlsx":
        return xlsx.response([str(h) for h in guestbook_queries.HEADER],
                             guestbook_queries.export_rows(agency, rows),
                             filename=f"buku-tamu-{span.start:%Y%m%d}-{span.end:%Y%m%d}.xlsx",
                             title=_("Buku tamu"))
    return render(request, "requests/counter/guestbook.html", {
        "agency": agency, "span": span, "rows": rows, "printing": request.GET.get("cetak") == "1",
        "query": request.GET.urlencode(), "limit": guestbook_queries.LIMIT,
    })


@role_required(*COUNTER_ROLES)
@require_POST
def guest_out(request, pk):
    entry = get_scoped_or_404(GuestBookEntry.objects.all(), request.user, region_wide=False, pk=pk)
    intake.sign_out_guest(entry)
    return redirect(_counter_url(request.POST.get("layanan")))


@never_cache
@role_required(*COUNTER_ROLES)
@require_GET
def counter_receipt(request, pk):
    registered = get_scoped_or_404(
        Request.objects.select_related("agency", "service", "standard", "current_step"), request.user,
        region_wide=False, pk=pk)
    context = receipt.receipt_context(registered)
    context["next_url"] = _counter_url(registered.service_id)
    return render(request, "requests/counter/receipt.html", context)
