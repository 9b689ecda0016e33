"""Citizen pages: the web form per service, the receipt, the tracking page. No login."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from layanan.core.converters import canonical_agency_code
from layanan.core.decorators import form_status
from layanan.standards.presentation import cost_text, duration_text

from . import access, intake, kinds, lifecycle, receipt
from .forms import WebRequestForm

LOOKUP_RATES = ("10/m", "50/h")


@never_cache
@require_http_methods(["GET", "POST"])
@canonical_agency_code
def apply(request, code, service_code):
    standard = intake.published_standard_or_404(code, service_code)
    kind = kinds.chosen(standard, request.GET.get("jenis", ""))
    if kind is None:  # the standard takes several kinds: the citizen says which first
        return render(request, "requests/public/apply_kind.html", {
            "agency": standard.service.agency, "service": standard.service, "std": standard,
            "choices": kinds.choices(standard)})
    form_kwargs = {"standard": standard, "requirements": standard.requirements.all(), "kind": kind}
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > intake.MAX_POST_BYTES:
            refusal = _("Kiriman terlalu besar. Paling banyak 10 berkas: PDF/DOCX paling besar 5 MB, "
                        "foto paling besar 10 MB.")
            return _apply_page(request, standard, _fresh_form(form_kwargs), status=413, refusal=refusal)
        form = WebRequestForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            submitted, _created = intake.register(form.submission())
            return redirect("public_requests:receipt", submitted.tracking_code, submitted.tracking_secret)
    else:
        form = _fresh_form(form_kwargs)
    return _apply_page(request, standard, form, status=form_status(request))


def _fresh_form(form_kwargs):
    form = WebRequestForm(**form_kwargs)
    form.initial["token"] = intake.new_form_token(form.token_scope())
    return form


def _apply_page(request, standard, form, *, status, refusal=""):
    several = len(standard.accepted_kinds) > 1
    return render(request, "requests/public/apply.html", {
        "agency": standard.service.agency, "service": standard.service, "std": standard, "form": form,
        "duration": duration_text(standard), "cost": cost_text(standard), "refusal": refusal,
        "kind_label": kinds.CHOICE_TEXT[form.kind][0] if several else "", "several_kinds": several,
    }, status=status)


@never_cache
@require_GET
def receipt_page(request, code, secret):
    found = receipt.find_by_link(code, secret)
    return render(request, "requests/public/receipt.html", receipt.receipt_context(found))


@never_cache
@require_GET
def track(request, code, secret):
    found = receipt.find_by_link(code, secret)
    return render(request, "requests/public/track.html", receipt.tracking_context(found))


@never_cache
@require_http_methods(["POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def supply(request, code, secret):
    """The applicant uploads the missing documents from the tracking page.

    Whether the request still waits on the applicant is decided by the lifecycle inside the
    row lock (a request withdrawn a moment ago refuses), never here."""
    found = receipt.find_by_link(code, secret)
    if getattr(request, "limited", False):
        return render(request, "requests/public/too_many.html", status=429)
    if int(request.META.get("CONTENT_LENGTH") or 0) > intake.MAX_POST_BYTES:
        error = _("Kiriman terlalu besar. Paling banyak 10 berkas: PDF/DOCX paling besar 5 MB, "
                  "foto paling besar 10 MB.")
    else:
        try:
            intake.supply_missing(found, request.FILES.getlist("files"), request.POST.get("note", ""))
            return redirect(receipt.tracking_path(found) + "#status")
        except lifecycle.LifecycleError:
            error = _("Permohonan ini tidak sedang menunggu kelengkapan.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    found.refresh_from_db()
    context = {**receipt.tracking_context(found), "supply_error": error}
    return render(request, "requests/public/track.html", context, status=400)


@never_cache
@require_http_methods(["POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def withdraw(request, code, secret):
    """The applicant withdraws their own request from the tracking page (the link's secret proves it)."""
    found = receipt.find_by_link(code, secret)
    if getattr(request, "limited", False):
        return render(request, "requests/public/too_many.html", status=429)
    try:
        lifecycle.perform(found, access.ApplicantActor(found.pk), "withdraw",
                          note=request.POST.get("note", "")[:500],
                          confirmed=request.POST.get("confirm") == "1")
    except lifecycle.LifecycleError as exc:
        found.refresh_from_db()
        context = {**receipt.tracking_context(found), "withdraw_error": " ".join(exc.messages)}
        return render(request, "requests/public/track.html", context, status=400)
    return redirect(receipt.tracking_path(found) + "#status")


@never_cache
@require_http_methods(["POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def objection(request, code, secret):
    """Keberatan (UU 14/2008): the applicant objects to the answer or the refusal of an information
    request from the tracking page; the lifecycle checks the 30-working-day window in the row lock."""
    found = receipt.find_by_link(code, secret)
    if getattr(request, "limited", False):
        return render(request, "requests/public/too_many.html", status=429)
    try:
        lifecycle.perform(found, access.ApplicantActor(found.pk), "object",
                          note=request.POST.get("reason", "")[:5000])
    except lifecycle.LifecycleError as exc:
        found.refresh_from_db()
        context = {**receipt.tracking_context(found), "objection_error": " ".join(exc.messages)}
        return render(request, "requests/public/track.html", context, status=400)
    return redirect(receipt.tracking_path(found) + "#keberatan")


@never_cache
@require_GET
def product_file(request, code, secret, pk):
    attachment = receipt.product_file(receipt.find_by_link(code, secret), pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=intake.download_name(attachment.filename, attachment.content_type),
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=LOOKUP_RATES[0], method="POST", block=False)
@ratelimit(key="ip", rate=LOOKUP_RATES[1], method="POST", block=False)
def lookup(request):
    """Code + last four digits of the phone → the tracking page. One answer for every failure."""
    if getattr(request, "limited", False):
        response = render(request, "requests/public/too_many.html", status=429)
        response["Retry-After"] = "60"
        return response
    code = request.POST.get("code", "")[:60]
    digits = request.POST.get("digits", "")[:10]
    not_found = False
    if request.method == "POST":
        found = receipt.find_by_phone(code, digits)
        if found is not None:
            return redirect(receipt.tracking_path(found))
        not_found = True
    return render(request, "requests/public/lookup.html",
                  {"code": code, "not_found": not_found}, status=404 if not_found else 200)
