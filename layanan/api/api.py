"""/api/v1: the JSON API (django-ninja). The OpenAPI 3.1 document is generated from the pydantic
schemas (api/schemas.py) and served at /api/v1/openapi.json; /api/v1/docs is Swagger UI from the
django-ninja package's own static files (no CDN; no inline script, so the site's CSP holds).

Three kinds of caller (api/auth.py): an agency's API key (X-Api-Key), a desk staff session in
the browser (with CSRF), the public. docs/api.md has curl examples.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import File, Form, Header, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile

from layanan.portal.queries import published_standards_for_api
from layanan.requests import intake
from layanan.requests import receipt as receipts
from layanan.standards.interchange import to_interchange

from . import services
from .auth import KEY, PUBLIC, SESSION, ApiError, forbidden_scope, limit_public
from .schemas import (
    ActionIn,
    Done,
    ErrorOut,
    EventPage,
    MessageIn,
    RequestCreated,
    RequestIn,
    RequestOut,
    RequestPage,
    StandardsOut,
    TrackingOut,
    WithdrawIn,
)

api = NinjaAPI(
    title="Layanan API",
    version="1",
    urls_namespace="api",
    docs_url="docs",
    openapi_url="openapi.json",
    description=(
        "Published service standards (the standard interchange JSON, docs/interchange.md) and the "
        "requests run on them. Public calls need no key; integrations of an agency send `X-Api-Key` "
        "(scopes read_public < intake < desk); desk staff may call from the browser with their session "
        'and the CSRF token. Errors: `{"error": {"message", "message_en", "code", "fields"}}`. '
        "See docs/api.md."
    ),
)

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
}
ANYONE = [KEY, SESSION, PUBLIC]
INTEGRATION = [KEY, SESSION]
SECRET_HEADER = "X-Tracking-Secret"


# ---------------------------------------------------------------- errors as JSON, never a 500 for input


def error_response(status, message, message_en, *, code="invalid", fields=None, headers=None):
    body = {"error": {"message": str(message), "message_en": message_en, "code": code}}
    if fields:
        body["error"]["fields"] = fields
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    patch_cache_control(response, no_store=True)
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(
        exc.status, exc.message, exc.message_en, code=exc.code, fields=exc.fields, headers=exc.headers
    )


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        name = ".".join(location[2:] or location[1:] or location) or "_"
        fields.setdefault(name, []).append(
            {
                "message": _("Nilai tidak sah: %(detail)s") % {"detail": error.get("msg", "")},
                "message_en": f"Invalid value: {error.get('msg', '')}",
            }
        )
    return error_response(
        400,
        _("Isian belum benar. Periksa kolom yang disebut."),
        "Some fields are not valid. Check the fields named.",
        fields=fields,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        401,
        _("Kunci API tidak sah, sudah dicabut, atau tidak dikirim (header X-Api-Key)."),
        "Missing, invalid or revoked API key (header X-Api-Key).",
        code="unauthenticated",
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, _("Tidak ditemukan."), "Not found.", code="not_found")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 403:  # ninja's CSRF refusal for a session call
        return error_response(
            403, _("Token CSRF tidak ada atau salah."), "CSRF token missing or incorrect.", code="csrf"
        )
    return error_response(exc.status_code, str(exc), str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, _("Kiriman terlalu besar."), "Request body too large.", code="too_large")


# ---------------------------------------------------------------- standards (public, unchanged)


@api.get(
    "/standards",
    response={200: StandardsOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="listStandards",
    summary="Published standards, optionally of one agency",
    tags=["standards"],
)
def standards(
    request,
    agency: str = Query(
        "", description="Agency code, e.g. DINSOS-SEKADAU (letters, digits, '-'; at most 40)"
    ),
):
    code = agency.strip()
    if code and (len(code) > 40 or not code.replace("-", "").isalnum()):
        return error_response(400, _("Kode instansi tidak sah."), "Invalid agency code.")
    base_url = request.build_absolute_uri("/").rstrip("/")
    items = [to_interchange(std, base_url=base_url) for std in published_standards_for_api(code)]
    if code and not items:
        from layanan.agencies.models import Agency

        if not Agency.objects.filter(code=code).exists():
            return error_response(404, _("Instansi tidak ditemukan."), "Agency not found.", code="not_found")
    response = JsonResponse({"services": items}, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=300)
    return response


# ---------------------------------------------------------------- requests: create (public or key)


@api.post(
    "/requests",
    response={200: RequestCreated, 201: RequestCreated, **ERRORS},
    auth=ANYONE,
    operation_id="createRequest",
    tags=["requests"],
    summary="Submit a request or complaint (the web form's rules)",
    openapi_extra={"security": [{"KeyAuth": []}, {"DeskSession": []}, {}]},  # a key is optional here
)
def create_request(
    request,
    payload: RequestIn,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        max_length=200,
        description="Retries with the same key and body get the same request back",
    ),
):
    caller = request.auth
    if caller.kind == "public":
        limit_public(request, group="api-create", rate=getattr(settings, "API_PUBLIC_CREATE_RATE", "30/h"))
    found, created, missing = services.create_request(caller, payload.dict(), idempotency_key)
    return Status(
        201 if created else 200,
        {
            "tracking_code": found.tracking_code,
            "secret": found.tracking_secret,
            "tracking_url": receipts.tracking_url(found),
            "state": found.state,
            "missing": missing,
            "created": created,
        },
    )


# ---------------------------------------------------------------- the applicant (code + secret)


def _applicant_request(request, code, secret):
    limit_public(request, group="api-track")
    return services.for_applicant(code, secret)


def _done(done) -> dict:
    """The body of `Done`: the request after an action."""
    return {"tracking_code": done.tracking_code, "state": done.state, "version": done.version}


@api.get(
    "/track/{code}",
    response={200: TrackingOut, **ERRORS},
    auth=None,
    operation_id="trackRequest",
    tags=["applicant"],
    summary="What the tracking page shows (code + secret)",
)
def track(request, code: str, secret: str = Header(..., alias=SECRET_HEADER, max_length=64)):
    return services.tracking_view(_applicant_request(request, code, secret))


@api.post(
    "/track/{code}/messages",
    response={201: Done, **ERRORS},
    auth=None,
    operation_id="applicantMessage",
    tags=["applicant"],
    summary="The applicant writes to the agency",
)
def applicant_message(
    request, code: str, payload: MessageIn, secret: str = Header(..., alias=SECRET_HEADER, max_length=64)
):
    done = services.applicant_message(_applicant_request(request, code, secret), payload.text)
    return Status(201, _done(done))


@api.post(
    "/track/{code}/documents",
    response={201: Done, **ERRORS},
    auth=None,
    operation_id="applicantDocuments",
    tags=["applicant"],
    summary="The applicant sends the missing documents (PDF, JPEG, PNG, DOCX; 5 MB each)",
)
def applicant_documents(
    request,
    code: str,
    files: list[UploadedFile] = File(...),  # noqa: B008
    note: str = Form("", max_length=500),
    secret: str = Header(..., alias=SECRET_HEADER, max_length=64),
):
    done = services.supply_documents(_applicant_request(request, code, secret), files, note)
    return Status(201, _done(done))


@api.post(
    "/track/{code}/withdraw",
    response={200: Done, **ERRORS},
    auth=None,
    operation_id="applicantWithdraw",
    tags=["applicant"],
    summary="The applicant withdraws the request",
)
def applicant_withdraw(
    request, code: str, payload: WithdrawIn, secret: str = Header(..., alias=SECRET_HEADER, max_length=64)
):
    done = services.applicant_withdraw(_applicant_request(request, code, secret), payload.note)
    return Status(200, _done(done))


@api.get(
    "/track/{code}/files/{file_id}",
    response={200: None, **ERRORS},
    auth=None,
    operation_id="applicantProductFile",
    tags=["applicant"],
    summary="Download a product file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def applicant_file(
    request, code: str, file_id: int, secret: str = Header(..., alias=SECRET_HEADER, max_length=64)
):
    found = _applicant_request(request, code, secret)
    if not 0 < file_id < 2**62:
        raise Http404
    attachment = receipts.product_file(found, file_id)
    return _file_response(attachment)


def _file_response(attachment):
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=intake.download_name(attachment.filename, attachment.content_type),
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- integrations (key or desk session)


def _caller(request, scope="read_public"):
    caller = request.auth
    if not caller.may(scope):
        raise forbidden_scope()
    return caller


@api.get(
    "/requests",
    response={200: RequestPage, **ERRORS},
    auth=INTEGRATION,
    operation_id="listRequests",
    tags=["requests"],
    summary="The agency's requests in due order (cursor pages)",
)
def list_requests(
    request,
    state: str = Query(
        "",
        pattern=r"^(|terbuka|semua|received|in_progress|waiting_applicant|"
        r"resolved|closed|rejected|withdrawn)$",
        description="a state, 'terbuka' (open) or 'semua' (all, the default)",
    ),
    service: str = Query("", max_length=100, description="a service code"),
    channel: str = Query("", max_length=20),
    sla: str = Query("", pattern=r"^(|at_risk|breached)$"),
    cursor: str = Query("", max_length=100),
    limit: int = Query(25, ge=1, le=100),
):
    caller = _caller(request)
    rows, next_cursor = services.list_requests(
        caller, state=state, service=service, channel=channel, sla=sla, cursor=cursor, limit=limit
    )
    return {"results": rows, "next_cursor": next_cursor}


@api.get(
    "/requests/{code}",
    response={200: RequestOut, **ERRORS},
    auth=INTEGRATION,
    operation_id="getRequest",
    tags=["requests"],
    summary="One request, as the key's role may see it",
)
def get_request(request, code: str):
    caller = _caller(request)
    found = services.for_caller(caller, code)
    return services.view_for(caller, found)


@api.post(
    "/requests/{code}/actions",
    response={200: Done, **ERRORS},
    auth=INTEGRATION,
    operation_id="performAction",
    tags=["desk"],
    summary="A lifecycle action as the desk key's staff user (the desk's rules)",
)
def perform_action(request, code: str, payload: ActionIn):
    caller = _caller(request, "desk")
    done = services.perform(caller, services.for_caller(caller, code), payload.dict())
    return _done(done)


@api.post(
    "/requests/{code}/attachments",
    response={201: Done, **ERRORS},
    auth=INTEGRATION,
    operation_id="addAttachments",
    tags=["desk"],
    summary="Add files (evidence) to a request",
)
def add_attachments(request, code: str, files: list[UploadedFile] = File(...)):  # noqa: B008
    caller = _caller(request, "desk")
    done = services.add_attachments(caller, services.for_caller(caller, code), files)
    return Status(201, _done(done))


@api.get(
    "/requests/{code}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    auth=INTEGRATION,
    operation_id="downloadAttachment",
    tags=["desk"],
    summary="Download a file the staff user may open",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request, code: str, attachment_id: int):
    caller = _caller(request, "desk")
    found = services.for_caller(caller, code)
    return _file_response(services.attachment_for_download(caller, found, attachment_id))


@api.get(
    "/events",
    response={200: EventPage, **ERRORS},
    auth=INTEGRATION,
    operation_id="listEvents",
    tags=["requests"],
    summary="Timeline events after a cursor, oldest first (sync)",
)
def events(
    request,
    since: str = Query("", max_length=20, description="next_cursor of the previous call"),
    limit: int = Query(200, ge=1, le=500),
):
    caller = _caller(request)
    rows, next_cursor = services.events_since(caller, since, limit)
    return {"events": rows, "next_cursor": next_cursor}
