"""The WhatsApp webhook (public, signed) and the channel screens under /kelola/kanal/.

Thin views: the webhook verifies and stores (whatsapp.py) and answers at once — processing is
the worker's (inbound.py). Staff screens fetch every object through core.tenancy; secrets are
write-only (forms.SecretsForm) and never rendered.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from layanan.accounts.roles import DESK_ROLES, INTAKE_ROLES, Role
from layanan.core.decorators import form_status, role_required
from layanan.core.input_guard import cleans_its_own_input
from layanan.core.tenancy import get_scoped_or_404, scoped
from layanan.requests.models import OutboxMessage

from . import mail, staff, whatsapp
from .forms import ClassifyForm, MailboxForm, PreferenceForm, WhatsAppAccountForm
from .models import CallTask, InboundEmail, Mailbox, StaffPreference, WhatsAppAccount, WhatsAppEvent
from .signals import inbound_stored

admin_required = role_required(Role.AGENCY_ADMIN)
intake_required = role_required(*INTAKE_ROLES, Role.AGENCY_ADMIN)
desk_required = role_required(*DESK_ROLES)


# ---------------------------------------------------------------- the webhook


@csrf_exempt
@cleans_its_own_input  # control characters are stripped by whatsapp.parse_events, never a 400
@never_cache
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request, agency_code):
    account = (
        WhatsAppAccount.objects.select_related("agency").filter(agency__code=agency_code, active=True).first()
    )
    if account is None:
        raise Http404
    if request.method == "GET":
        params = request.GET
        if whatsapp.verify_token_ok(account, params.get("hub.mode", ""), params.get("hub.verify_token", "")):
            return HttpResponse(params.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    body = request.body
    if not whatsapp.signature_ok(account.app_secret, body, request.headers.get("X-Hub-Signature-256")):
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    try:
        events = whatsapp.parse_events(account, body)
    except whatsapp.BadPayload:
        return HttpResponseBadRequest("not a WhatsApp notification", content_type="text/plain")
    stored = whatsapp.store_events(events)
    if stored:
        keys = {
            (account.pk, e.contact_digest if e.kind == WhatsAppEvent.Kind.MESSAGE else "") for e in stored
        }
        transaction.on_commit(
            lambda: inbound_stored.send(sender=WhatsAppEvent, kind="whatsapp", keys=sorted(keys)), robust=True
        )
    return HttpResponse("OK", content_type="text/plain")


# ---------------------------------------------------------------- the agency admin: configuration


def _agency(request):
    if request.user.agency_id is None:
        raise Http404
    return request.user.agency


@admin_required
def home(request):
    agency = _agency(request)
    account = scoped(WhatsAppAccount.objects.all(), request.user, region_wide=False).first()
    mailbox = scoped(Mailbox.objects.all(), request.user, region_wide=False).first()
    wa_form = WhatsAppAccountForm(instance=account)
    mail_form = MailboxForm(instance=mailbox, agency=agency)
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "whatsapp":
            wa_form = WhatsAppAccountForm(request.POST, instance=account or WhatsAppAccount(agency=agency))
            if wa_form.is_valid():
                wa_form.save()
                messages.success(request, _("Pengaturan WhatsApp disimpan."))
                return redirect("channels:home")
        elif which == "mailbox":
            mail_form = MailboxForm(request.POST, instance=mailbox or Mailbox(agency=agency), agency=agency)
            if mail_form.is_valid():
                mail_form.save()
                messages.success(request, _("Pengaturan kotak surat disimpan."))
                return redirect("channels:home")
        status = form_status(request)
    sent = (
        scoped(
            OutboxMessage.objects.filter(channel=OutboxMessage.Channel.WHATSAPP),
            request.user,
            region_wide=False,
        )
        .select_related("request")
        .order_by("-id")[:30]
    )
    return render(
        request,
        "channels/home.html",
        {
            "agency": agency,
            "account": account,
            "mailbox": mailbox,
            "wa_form": wa_form,
            "mail_form": mail_form,
            "webhook_url": request.build_absolute_uri(
                reverse("channels_public:whatsapp", args=[agency.code])
            ),
            "sent": sent,
            "triage_count": _triage(request).count(),
        },
        status=status,
    )


# ---------------------------------------------------------------- the front desk: triage, calls


def _triage(request):
    return scoped(
        InboundEmail.objects.filter(state=InboundEmail.State.TRIAGE), request.user, region_wide=False
    )


@intake_required
def triage(request):
    rows = list(_triage(request).order_by("received_at")[:100])
    held = list(
        scoped(
            InboundEmail.objects.filter(state__in=[InboundEmail.State.LIMITED]),
            request.user,
            region_wide=False,
        ).order_by("-received_at")[:20]
    )
    return render(request, "channels/triage.html", {"rows": rows, "held": held})


@intake_required
def triage_item(request, pk):
    row = get_scoped_or_404(
        InboundEmail.objects.select_related("mailbox"),
        request.user,
        region_wide=False,
        pk=pk,
        state=InboundEmail.State.TRIAGE,
    )
    agency = _agency(request)
    form = ClassifyForm(request.POST or None, agency=agency)
    if request.method == "POST":
        try:
            if request.POST.get("dismiss"):
                mail.dismiss(row, request.user)
                messages.success(request, _("E-mail diabaikan."))
                return redirect("channels:triage")
            if form.is_valid():
                created = mail.classify(row, form.cleaned_data["service"], request.user)
                messages.success(request, _("Permohonan %(code)s dibuat.") % {"code": created.tracking_code})
                return redirect("desk:request", created.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    message = mail.parse(row) if row.raw else None
    uploads, refused = mail.attachments(message) if message is not None else ([], [])
    return render(
        request,
        "channels/triage_item.html",
        {
            "row": row,
            "form": form,
            "text": mail.body_text(message) if message is not None else "",
            "files": [u.display_name for u in uploads],
            "refused": refused,
        },
        status=form_status(request) if request.method == "POST" else 200,
    )


@intake_required
def calls(request):
    tasks = list(
        scoped(
            CallTask.objects.select_related("request", "request__service"), request.user, region_wide=False
        ).order_by("done_at", "-created_at")[:100]
    )
    return render(request, "channels/calls.html", {"tasks": tasks})


@intake_required
@require_POST
def call_done(request, pk):
    task = get_scoped_or_404(CallTask.objects.all(), request.user, region_wide=False, pk=pk)
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), request.user
        task.note = request.POST.get("note", "").strip()[:2000]
        task.save(update_fields=["done_at", "done_by", "note"])
        messages.success(request, _("Tugas menelepon ditandai selesai."))
    return redirect("channels:calls")


# ---------------------------------------------------------------- every officer: notices, preferences


@desk_required
def notices(request):
    preference = StaffPreference.objects.filter(user=request.user).first() or StaffPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Pengaturan pemberitahuan disimpan."))
        return redirect("channels:notices")
    rows = staff.recent(request.user)
    unseen = {n.pk for n in rows if n.seen_at is None}
    staff.mark_seen(request.user)
    return render(
        request,
        "channels/notices.html",
        {"rows": rows, "unseen": unseen, "form": form},
        status=form_status(request) if request.method == "POST" else 200,
    )
