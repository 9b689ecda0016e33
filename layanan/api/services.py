"""What the API does, in plain functions; the endpoints in api.py stay thin.

Nothing here decides who may see or do what: requests.access does (through the desk's own
read modules and requests.lifecycle). Creating a request runs the web form itself
(requests.forms.WebRequestForm), so the API and the form cannot disagree.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from layanan.core.tenancy import get_scoped_or_404
from layanan.requests import access, clock, desk, identity, intake, lifecycle, receipt
from layanan.requests import inbox as inbox_queries
from layanan.requests.forms import WebRequestForm
from layanan.requests.labels import STATE_LABELS
from layanan.requests.models import Attachment, Channel, Event, Request
from layanan.requests.page import desk_request_queryset

from .auth import ApiError, Caller, forbidden_scope, not_found

PAGE_SIZE, MAX_PAGE_SIZE = 25, 100
EVENTS_PAGE = 200
FIELD_NAMES = {"__all__": "_"}


# ---------------------------------------------------------------- errors


def form_errors(form_class, *args, **kwargs) -> dict:
    """{field: [{message, message_en}]} of a form that did not validate, in both languages (the
    form is validated again in English: every message the user sees has its English twin)."""
    indonesian = _errors_of(form_class(*args, **kwargs), "id")
    english = _errors_of(form_class(*args, **kwargs), "en")
    result = {}
    for name, messages in indonesian.items():
        twins = english.get(name, [])
        result[FIELD_NAMES.get(name, name)] = [
            {"message": m, "message_en": twins[i] if i < len(twins) else m} for i, m in enumerate(messages)
        ]
    return result


def _errors_of(form, language: str) -> dict:
    with translation.override(language):
        form.is_valid()
        return {name: [str(m) for m in errors] for name, errors in form.errors.items()}


def invalid(fields: dict) -> ApiError:
    return ApiError(
        400,
        _("Isian belum benar. Periksa kolom yang disebut."),
        "Some fields are not valid. Check the fields named.",
        code="invalid",
        fields=fields,
    )


# ---------------------------------------------------------------- create


def idempotency_key(caller: Caller, header: str, payload: dict) -> str | None:
    """The key lifecycle.submit stores: the client's Idempotency-Key, scoped to the caller and the
    body (a key reused with another body is another request; nobody gets another's request back)."""
    header = (header or "").strip()
    if not header:
        return None
    body = json.dumps(payload, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{caller.scope_label}\n{header[:200]}\n{body}".encode()).hexdigest()
    return f"api:{digest}"


def create_request(caller: Caller, payload: dict, header_key: str = "") -> tuple[Request, bool, list[str]]:
    """Validate with the web form and register through intake/lifecycle. Returns (request, created,
    missing documents). Documents come in a second call: a request whose standard demands them
    waits for the applicant (the clock paused) until they arrive."""
    if caller.kind == "key" and not caller.may("intake"):
        raise forbidden_scope()
    try:
        standard = intake.published_standard_or_404(payload["agency"], payload["service"])
    except Http404:
        raise ApiError(
            404,
            _("Layanan tidak ditemukan atau belum terbit."),
            "Service not found or not published.",
            code="not_found",
            fields={
                "service": [
                    {
                        "message": _("Layanan tidak ditemukan atau belum terbit."),
                        "message_en": "Service not found or not published.",
                    }
                ]
            },
        ) from None
    if caller.agency_id is not None and standard.service.agency_id != caller.agency_id:
        raise not_found()  # a key registers requests of its own agency only
    key = idempotency_key(caller, header_key, payload)
    if key:
        existing = Request.objects.filter(agency_id=standard.service.agency_id, idempotency_key=key).first()
        if existing is not None:
            return existing, False, receipt.missing_now(existing)
    requirements = list(standard.requirements.all())
    data = {k: v for k, v in payload.items() if k not in ("agency", "service") and v is not None}
    data = {k: ("1" if v is True else "" if v is False else v) for k, v in data.items()}
    form_kwargs = {
        "standard": standard,
        "requirements": requirements,
        "documents_later": True,
        "idempotency_key": key or "",
    }
    form = WebRequestForm(data, MultiValueDict(), **form_kwargs)
    if not form.is_valid():
        raise invalid(form_errors(WebRequestForm, data, MultiValueDict(), **form_kwargs))
    submission = form.submission()
    submission.channel = Channel.API
    submission.idempotency_key = key
    complaint = intake.is_complaint(standard.service)
    submission.missing = (
        [] if complaint else [r.label for r in intake.document_requirements(requirements) if r.mandatory]
    )
    try:
        request, created = intake.register(submission)
    except lifecycle.LifecycleError as exc:
        raise ApiError(400, " ".join(exc.messages), "The request could not be registered.") from None
    return request, created, receipt.missing_now(request)


# ---------------------------------------------------------------- finding requests


def for_applicant(code: str, secret: str) -> Request:
    """The request of a tracking code + secret (404 for either wrong, like the tracking page)."""
    if not secret or len(code) > 60 or len(secret) > 64:
        raise not_found()
    try:
        return receipt.find_by_link(code, secret)
    except Http404:
        raise not_found() from None


def for_caller(caller: Caller, code: str) -> Request:
    """A request of the caller's agency by tracking code; another agency's is a 404."""
    if len(code) > 60:
        raise not_found()
    user = caller.desk_user() if caller.may("desk") else None
    if user is not None:
        try:
            return get_scoped_or_404(desk_request_queryset(user), user, region_wide=False, tracking_code=code)
        except Http404:
            raise not_found() from None
    if caller.agency_id is None:
        raise not_found()
    found = (
        Request.objects.select_related("agency", "service", "standard", "current_step")
        .filter(agency_id=caller.agency_id, tracking_code=code)
        .first()
    )
    if found is None or (caller.actor and not access.api_key_sees(found, caller.actor)):
        raise not_found()
    return found


def desk_user_or_403(caller: Caller):
    if not caller.may("desk"):
        raise forbidden_scope()
    user = caller.desk_user()
    if user is None:
        raise ApiError(
            403,
            _("Pegawai yang diwakili kunci ini tidak lagi bertugas di meja layanan instansi."),
            "The staff member this key acts as no longer works at the agency's desk.",
            code="staff_user",
        )
    return user


# ---------------------------------------------------------------- views


def _named(obj) -> dict:
    return {"code": obj.code, "name": obj.name}


def _timeline(request) -> list[dict]:
    return [
        {"at": line.at, "text": str(line.text), "who": str(line.who), "note": line.note}
        for line in receipt.public_timeline(request)
    ]


def tracking_view(request: Request) -> dict:
    """The tracking page (receipt.tracking_context) as data."""
    context = receipt.tracking_context(request)
    return {
        "tracking_code": request.tracking_code,
        "agency": _named(request.agency),
        "service": _named(request.service),
        "state": request.state,
        "state_label": str(STATE_LABELS.get(request.state, request.state)),
        "status": str(context["status"]),
        "created_at": request.created_at,
        "due_at": request.due_at,
        "clock_note": str(context["clock_note"]),
        "missing": [str(m) for m in context["missing"]],
        "timeline": [
            {"at": t.at, "text": str(t.text), "who": str(t.who), "note": t.note} for t in context["timeline"]
        ],
        "product_text": context["product_text"],
        "products": [
            {
                "id": p.pk,
                "filename": intake.download_name(p.filename, p.content_type),
                "size": p.size,
                "content_type": p.content_type,
            }
            for p in context["products"]
        ],
        "actions": [a.name for a in access.applicant_actions(request, access.ApplicantActor(request.pk))],
    }


def _location(request) -> dict | None:
    if request.confidential or not (request.location_text or request.location_lat is not None):
        return None
    return {"text": request.location_text, "lat": request.location_lat, "lon": request.location_lon}


def public_view(request: Request, now=None) -> dict:
    """What a read_public / intake key sees: no personal data, no internal notes."""
    now = now or timezone.now()
    return {
        "tracking_code": request.tracking_code,
        "agency": _named(request.agency),
        "service": _named(request.service),
        "kind": request.kind,
        "channel": request.channel,
        "state": request.state,
        "state_label": str(STATE_LABELS.get(request.state, request.state)),
        "status": str(receipt.status_sentence(request)),
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "due_at": request.due_at,
        "closed_at": request.closed_at,
        "sla_status": clock.sla_status(request, now),
        "location": _location(request),
        "timeline": _timeline(request),
    }


def desk_view(request: Request, user, now=None) -> dict:
    """The whole request as `user` sees it on the desk (masking and identity logging included)."""
    view = public_view(request, now)
    applicant = identity.applicant_view(request, user)
    attachments = list(request.attachments.select_related("requirement").order_by("uploaded_at", "id"))
    lapor = getattr(request, "lapor", None)  # the LaporReport, if the request came from LAPOR!
    view.update(
        {
            "version": request.version,
            "subject": request.subject,
            "description": request.description,
            "location": (
                {"text": request.location_text, "lat": request.location_lat, "lon": request.location_lon}
                if (request.location_text or request.location_lat is not None)
                and access.sees_identity(request, user)
                else view["location"]
            ),
            "applicant": {
                "hidden": applicant.hidden,
                "masked": applicant.masked,
                "type": request.applicant_type,
                "name": applicant.name,
                "organisation": applicant.organisation or "",
                "nik": applicant.nik or "",
                "phone": applicant.phone or "",
                "email": applicant.email or "",
                "address": str(applicant.address or ""),
                "letter_number": applicant.letter_number or "",
                "letter_date": applicant.letter_date.isoformat() if applicant.letter_date else None,
                "letter_signatory": applicant.letter_signatory or "",
            },
            "product_text": request.product_text,
            "reject_reason": request.reject_reason,
            "current_step": (
                {
                    "position": request.current_step.position,
                    "actor": request.current_step.actor,
                    "action": request.current_step.action,
                }
                if request.current_step
                else None
            ),
            "assignee": {"id": request.assignee.pk, "name": str(request.assignee)}
            if request.assignee_id
            else None,
            "unit": (
                {"id": request.assigned_unit.pk, "name": request.assigned_unit.name}
                if request.assigned_unit_id
                else None
            ),
            "actions": [
                {
                    "name": a.name,
                    "label": str(a.label),
                    "needs_note": a.needs_note,
                    "needs_confirm": a.needs_confirm,
                }
                for a in lifecycle.available_actions(request, user)
            ],
            "attachments": [
                {
                    "id": a.pk,
                    "filename": intake.download_name(a.filename, a.content_type),
                    "purpose": a.purpose,
                    "size": a.size,
                    "content_type": a.content_type,
                    "uploaded_at": a.uploaded_at,
                    "may_download": access.may_download(request, a, user),
                }
                for a in attachments
            ],
            "lapor": _lapor(lapor),
        }
    )
    return view


def _lapor(report) -> dict | None:
    if report is None:
        return None
    return {
        "tracking_id": report.tracking_id,
        "status": report.status,
        "topic": report.topic,
        "followup_due_at": report.followup_due_at,
        "followup_written": bool(report.followup_written_at),
        "followup_copied": bool(report.followup_copied_at),
    }


def view_for(caller: Caller, request: Request) -> dict:
    user = caller.desk_user() if caller.may("desk") else None
    return desk_view(request, user) if user is not None else public_view(request)


# ---------------------------------------------------------------- list


def list_requests(
    caller: Caller,
    *,
    state: str = "",
    service: str = "",
    channel: str = "",
    sla: str = "",
    cursor: str = "",
    limit: int = PAGE_SIZE,
    now=None,
) -> tuple[list[dict], str | None]:
    """The caller's agency's requests, in due order, keyset-paged with the inbox's cursor."""
    now = now or timezone.now()
    user = caller.desk_user() if caller.may("desk") else None
    if caller.may("desk") and user is None:
        desk_user_or_403(caller)
    if caller.agency_id is None:
        raise forbidden_scope()
    if user is not None:
        qs = (
            inbox_queries.scope_queryset(user, inbox_queries.SCOPE_AGENCY)
            if any(key == inbox_queries.SCOPE_AGENCY for key, _label in inbox_queries.scopes_for(user))
            else inbox_queries.scope_queryset(user, inbox_queries.SCOPE_UNIT)
        )
    elif caller.actor is not None:
        qs = Request.objects.filter(access.api_key_sees_q(caller.actor))
    else:
        raise forbidden_scope()
    filters = inbox_queries.InboxFilters(
        tab=state or inbox_queries.TAB_ALL,
        channel=channel,
        sla={"at_risk": inbox_queries.SLA_AT_RISK, "breached": inbox_queries.SLA_BREACHED}.get(sla, ""),
    )
    qs = filters.apply(qs, now)
    if service:
        qs = qs.filter(service__code=service)
    position = inbox_queries.decode_cursor(cursor)
    if cursor and position is None:
        raise ApiError(
            400,
            _("Kursor tidak sah."),
            "Invalid cursor.",
            code="invalid",
            fields={"cursor": [{"message": _("Kursor tidak sah."), "message_en": "Invalid cursor."}]},
        )
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows, next_cursor = inbox_queries.keyset_page(qs, position, limit, related=("service",))
    result, revealed = [], []
    for row in rows:
        item = {
            "tracking_code": row.tracking_code,
            "service": _named(row.service),
            "kind": row.kind,
            "channel": row.channel,
            "state": row.state,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "due_at": row.due_at,
            "sla_status": clock.sla_status(row, now),
        }
        if user is not None:
            item["subject"] = row.subject
            item["applicant"] = identity.row_applicant(row, user)
            if row.confidential and item["applicant"] != str(identity.HIDDEN):
                revealed.append(row)
        result.append(item)
    if user is not None:
        identity.log_identity_views(revealed, user)
    return result, next_cursor


# ---------------------------------------------------------------- events


def encode_event_cursor(event_id: int) -> str:
    return f"e{event_id}"


def decode_event_cursor(value: str) -> int:
    if not value:
        return 0
    if not (value.startswith("e") and value[1:].isdigit() and len(value) < 20):
        raise ApiError(
            400,
            _("Kursor tidak sah."),
            "Invalid cursor.",
            code="invalid",
            fields={"since": [{"message": _("Kursor tidak sah."), "message_en": "Invalid cursor."}]},
        )
    return int(value[1:])


def events_since(caller: Caller, since: str = "", limit: int = EVENTS_PAGE) -> tuple[list[dict], str]:
    """Timeline events of the caller's agency after `since`, oldest first (for sync). Desk callers
    get internal ones too; other keys only the public timeline."""
    after = decode_event_cursor(since)
    if caller.agency_id is None:
        raise forbidden_scope()
    desk_user = caller.desk_user() if caller.may("desk") else None
    if caller.may("desk") and desk_user is None:
        desk_user_or_403(caller)
    qs = Event.objects.filter(request__agency_id=caller.agency_id, id__gt=after)
    if desk_user is None:
        qs = qs.filter(public=True)
    limit = max(1, min(limit, 500))
    events = list(
        qs.select_related(None)
        .order_by("id")
        .values(
            "id",
            "request__tracking_code",
            "at",
            "action",
            "from_state",
            "to_state",
            "public",
            "note",
            "actor_kind",
            "actor_role",
        )[:limit]
    )
    result = [
        {
            "id": e["id"],
            "tracking_code": e["request__tracking_code"],
            "at": e["at"],
            "action": e["action"],
            "from_state": e["from_state"],
            "to_state": e["to_state"],
            "public": e["public"],
            "note": e["note"],
            "actor_kind": e["actor_kind"],
            "actor_role": e["actor_role"],
        }
        for e in events
    ]
    return result, encode_event_cursor(events[-1]["id"] if events else after)


# ---------------------------------------------------------------- act


def perform(caller: Caller, request: Request, payload: dict) -> Request:
    """A desk action as the desk user, through the desk's own input handling and lifecycle.perform."""
    user = desk_user_or_403(caller)
    post = QueryDict(mutable=True)
    version = payload.get("expected_version")
    post["expected_version"] = str(request.version if version is None else version)
    post["note"] = payload.get("note") or ""
    if payload.get("public"):
        post["public"] = "1"
    if payload.get("confirmed"):
        post["confirm"] = "1"
    for name in ("to_user", "to_unit"):
        if payload.get(name):
            post[name] = str(payload[name])
    post.setlist("missing", [str(i) for i in payload.get("missing") or []])
    post["missing_other"] = "\n".join(payload.get("missing_other") or [])
    if payload.get("product_text"):
        post["product_text"] = payload["product_text"]
    try:
        return desk.perform_from_post(request, user, payload["action"], post)
    except lifecycle.Conflict as exc:
        raise ApiError(
            409,
            desk.error_message(exc),
            "Someone else changed the request first; read it again.",
            code="conflict",
        ) from None
    except ValidationError as exc:
        raise ApiError(
            400,
            desk.error_message(exc),
            "The action is not possible now (see the message).",
            code="not_allowed",
        ) from None


def applicant_message(request: Request, text: str) -> Request:
    try:
        return lifecycle.perform(
            request, access.ApplicantActor(request.pk, via="api"), "message", note=text, via="api"
        )
    except lifecycle.LifecycleError as exc:
        raise ApiError(
            409, desk.error_message(exc), "The request is not open for messages.", code="not_allowed"
        ) from None


def applicant_withdraw(request: Request, note: str) -> Request:
    try:
        return lifecycle.perform(
            request, access.ApplicantActor(request.pk, via="api"), "withdraw", note=note[:500], confirmed=True
        )
    except lifecycle.LifecycleError as exc:
        raise ApiError(
            409, desk.error_message(exc), "The request cannot be withdrawn now.", code="not_allowed"
        ) from None


def supply_documents(request: Request, files, note: str = "") -> Request:
    """The applicant sends the missing documents (requests.intake.supply_missing)."""
    try:
        return intake.supply_missing(request, files, note)
    except lifecycle.LifecycleError:
        raise ApiError(
            409,
            _("Permohonan ini tidak sedang menunggu kelengkapan."),
            "This request is not waiting for documents.",
            code="not_waiting",
        ) from None
    except ValidationError as exc:
        raise upload_error(exc) from None


def upload_error(exc: ValidationError) -> ApiError:
    messages = [str(m) for m in exc.messages]
    return ApiError(
        400,
        " ".join(messages),
        "The file was refused: PDF, JPEG, PNG or DOCX, at most 5 MB each, at most 10 files.",
        code="bad_file",
        fields={
            "files": [{"message": m, "message_en": "File refused (type, size or count)."} for m in messages]
        },
    )


def add_attachments(caller: Caller, request: Request, files) -> Request:
    """Desk: store checked files as evidence and note it on the timeline, in one transaction."""
    user = desk_user_or_403(caller)
    chosen = list(files)
    try:
        if not chosen:
            raise ValidationError(_("Pilih berkas yang akan dikirim."))
        intake.check_file_count(len(chosen))
        uploads = [intake.check_upload(f) for f in chosen]
    except ValidationError as exc:
        raise upload_error(exc) from None
    stored: list[str] = []
    try:
        with transaction.atomic():
            stored = intake.attach_files(request, uploads, user)
            names = ", ".join(u.display_name for u in uploads)
            done = lifecycle.perform(
                request,
                user,
                "note",
                public=False,
                note=_("Berkas ditambahkan melalui API: %(files)s.") % {"files": names},
            )
    except lifecycle.LifecycleError as exc:
        intake.remove_files(stored)
        raise ApiError(
            400, desk.error_message(exc), "The files could not be added.", code="not_allowed"
        ) from None
    except BaseException:
        intake.remove_files(stored)
        raise
    return done


def attachment_for_download(caller: Caller, request: Request, attachment_id: int) -> Attachment:
    user = desk_user_or_403(caller)
    item = (
        Attachment.objects.select_related("requirement").filter(request=request, pk=attachment_id).first()
        if 0 < attachment_id < 2**62
        else None
    )
    if item is None or not access.may_download(request, item, user):
        raise not_found()
    if request.confidential:
        identity.log_identity_views([request], user)
    return item
