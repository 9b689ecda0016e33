"""The desk: staff inbox, request page, actions, attachments, printable sheets.

Thin views: reads come from requests.inbox / page / sheets, input handling
from requests.desk, who may do what from requests.access, and every change
goes through requests.lifecycle.perform().
Every object is fetched through core.tenancy (staff of another agency: 404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layanan.accounts.roles import DESK_ROLES
from layanan.core import xlsx
from layanan.core.decorators import role_required
from layanan.core.tenancy import get_scoped_or_404

from . import access, desk, identity, intake, lifecycle, page, sheets
from . import inbox as inbox_queries

desk_required = role_required(*DESK_ROLES)


def _request_or_404(request, pk):
    return get_scoped_or_404(page.desk_request_queryset(request.user), request.user,
                             region_wide=False, pk=pk)


def _inbox_scope_and_filters(request):
    form = desk.InboxFilterForm(request.GET, user=request.user)
    return form, form.filters(), request.GET.get("lingkup", inbox_queries.SCOPE_MINE)


@desk_required
def inbox_export(request):
    """The inbox as it is filtered, as an XLSX file (personal data as the inbox shows it: masked)."""
    _form, filters, scope = _inbox_scope_and_filters(request)
    rows = inbox_queries.export_rows(request.user, scope=scope, filters=filters)
    return xlsx.response([str(h) for h in inbox_queries.EXPORT_HEADER], rows,
                         filename=f"permohonan-{timezone.localdate():%Y%m%d}.xlsx",
                         title=_("Permohonan"))


@desk_required
def inbox(request):
    form = desk.InboxFilterForm(request.GET, user=request.user)
    filters = form.filters()
    found = inbox_queries.inbox(request.user, scope=request.GET.get("lingkup", inbox_queries.SCOPE_MINE),
                                filters=filters, cursor=request.GET.get("setelah", ""))
    return render(request, "requests/desk/inbox.html", {
        "page": found, "form": form, "filters": filters, "agency": request.user.agency,
        "tzname": request.user.agency.timezone if request.user.agency_id else None,
        "deep": bool(request.GET.get("setelah")),
    })


def _render_request(request, obj, *, error="", status=200):
    context = page.request_page(obj, request.user)
    context["error"] = error
    return render(request, "requests/desk/request.html", context, status=status)


@desk_required
def request_detail(request, pk):
    return _render_request(request, _request_or_404(request, pk))


@desk_required
@require_POST
def act(request, pk, action):
    obj = _request_or_404(request, pk)
    try:
        done = desk.perform_from_post(obj, request.user, action, request.POST, request.FILES)
    except lifecycle.Conflict as exc:
        return _render_request(request, obj, error=desk.error_message(exc), status=409)
    except ValidationError as exc:  # LifecycleError, DeskInputError
        return _render_request(request, obj, error=desk.error_message(exc), status=400)
    messages.success(request, _("Tersimpan: %(code)s — %(state)s.") % {
        "code": done.tracking_code, "state": done.get_state_display()})
    return redirect("desk:request", pk=done.pk)


@desk_required
def attachment(request, pk, attachment_pk):
    obj = _request_or_404(request, pk)
    item = page.attachment_for(obj, attachment_pk)
    if item is None or not access.may_download(obj, item, request.user):
        raise Http404
    if obj.confidential:
        identity.log_identity_views([obj], request.user)
    response = FileResponse(item.file.open("rb"), as_attachment=True,
                            filename=intake.download_name(item.filename, item.content_type),
                            content_type=item.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@desk_required
def disposition_sheet(request, pk):
    obj = _request_or_404(request, pk)
    return render(request, "requests/desk/disposition_sheet.html",
                  sheets.disposition_sheet(obj, request.user))


@desk_required
def consultation_sheet(request, pk):
    obj = _request_or_404(request, pk)
    return render(request, "requests/desk/consultation_sheet.html",
                  sheets.consultation_sheet(obj, request.user))


@desk_required
@require_POST
def compensation_done(request, pk):
    """Seed 004: the product was delivered home after a breach — an action like any other."""
    obj = _request_or_404(request, pk)
    task = access.compensation_of(obj)
    if task is None:
        raise Http404
    if task.done_at is not None:  # a double click changes nothing
        messages.info(request, _("Tugas kompensasi sudah selesai sebelumnya."))
        return redirect("desk:request", pk=obj.pk)
    try:
        lifecycle.perform(obj, request.user, "complete_compensation",
                          note=request.POST.get("note", "")[:5000])
    except ValidationError as exc:
        return _render_request(request, obj, error=desk.error_message(exc), status=400)
    messages.success(request, _("Tugas kompensasi ditandai selesai."))
    return redirect("desk:request", pk=obj.pk)
