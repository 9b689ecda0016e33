"""Open311 GeoReport v2 (/open311/v2/…), the open standard civic apps speak.

- jurisdiction_id is the region's slug (e.g. kabupaten-bangli); one endpoint serves every region,
  so it is required.
- The services are the region's published complaint services; service_code is
  `<AGENCY>:<service>` (e.g. `DPMPTSP-BANGLI:pengaduan-masyarakat`).
- A service definition lists the web form's fields as attributes (who reports, consent, anonim /
  rahasia) and the standard's requirements as information (variable=false).
- POST requests needs an api_key (scope intake or desk) of the service's agency; it is validated
  by the web form itself (api/services.create_request), a location (lat/long or address_string)
  is required as the spec says. media_url is kept as a line of the description (we never fetch it).
- GET requests / requests/{id}: the deviation from the spec is that an api_key is required —
  requests carry personal data (UU 27/2022) and a tracking code alone must not reveal a status
  (the tracking page needs the secret). A key sees its own agency's requests, without the
  applicant's words unless it is a desk key. service_request_id is the tracking code; status
  is open/closed; status_notes the latest note of the public timeline; expected_datetime the due
  time; agency_responsible the agency.
- tokens/{token}: the Idempotency-Key a client sent with its POST (kept 7 days) → the request id,
  for a client that lost the answer (our services are realtime, so POST never returns a token).

Both formats follow the spec's examples (tests/data/open311/): XML without namespace, with the
declaration; JSON by the Spark convention. Errors are the spec's error list.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from layanan.agencies.models import Region
from layanan.requests.models import OPEN_STATES, Event, Request
from layanan.standards.models import Service, ServiceKind

from .auth import ApiError, Caller, limit_public
from .models import ApiKey

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30 00:00"
MAX_RESULTS = 1000
TOKEN_DAYS = 7
JSON_TYPE, XML_TYPE = "application/json; charset=utf-8", "text/xml; charset=utf-8"


# ---------------------------------------------------------------- rendering


def _to_xml(parent, key, value):
    if isinstance(value, list):
        container = ET.SubElement(parent, key)
        child = {
            "endpoints": "endpoint",
            "formats": "format",
            "attributes": "attribute",
            "values": "value",
            "keywords": "keyword",
        }.get(key, key.rstrip("s"))
        for item in value:
            _to_xml(container, child, item)
        return
    element = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _to_xml(element, k, v)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    """`data` is a list of records (or one dict for discovery/definition); JSON as is (Spark
    convention: the root element is dropped), XML with `root` and one `item` per record."""
    if fmt == "json":
        response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = JSON_TYPE
        return response
    top = ET.Element(root)
    if isinstance(data, dict):
        for key, value in data.items():
            _to_xml(top, key, value)
    else:
        for record in data:
            _to_xml(top, item, record)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=XML_TYPE)


def errors(status: int, message, message_en: str, fmt: str) -> HttpResponse:
    description = f"{message} / {message_en}" if str(message) != message_en else message_en
    return render(
        [{"code": status, "description": description}], fmt, root="errors", item="error", status=status
    )


def w3(value) -> str | None:
    """A datetime in the w3 format with its offset (the agency's zone is not needed: UTC is exact)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_w3(value: str):
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


# ---------------------------------------------------------------- plumbing


def open311(methods=("GET",)):
    """Format from the URL, errors in the spec's format, never a 500 for bad input."""

    def decorator(view):
        @csrf_exempt
        @never_cache
        @require_http_methods(list(methods))
        def wrapped(request, *args, fmt="json", **kwargs):
            with translation.override(translation.get_language_from_request(request)):
                try:
                    limit_public(request, group="open311")
                    return view(request, *args, fmt=fmt, **kwargs)
                except ApiError as exc:
                    return errors(exc.status, exc.message, exc.message_en, fmt)

        return wrapped

    return decorator


def jurisdiction(request) -> Region:
    slug = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    if not slug:
        raise ApiError(
            400,
            _("jurisdiction_id wajib diisi (slug daerah, mis. kabupaten-bangli)."),
            "jurisdiction_id was not provided (the region's slug, e.g. kabupaten-bangli).",
        )
    region = Region.objects.filter(slug=slug[:100]).first()
    if region is None:
        raise ApiError(404, _("jurisdiction_id tidak ditemukan."), "jurisdiction_id not found.")
    return region


def key_caller(request, region: Region, *, scope: str) -> Caller:
    raw = request.POST.get("api_key") or request.GET.get("api_key") or request.META.get("HTTP_X_API_KEY", "")
    key = ApiKey.find(raw)
    if key is None:
        raise ApiError(403, _("api_key tidak ada atau tidak sah."), "Missing or invalid api_key.")
    caller = Caller.for_key(key)
    if not caller.may(scope) or key.agency.region_id != region.pk:
        raise ApiError(
            403,
            _("api_key ini tidak berhak untuk permintaan ini."),
            "This api_key may not make this call in this jurisdiction.",
        )
    key.touch()
    return caller


def services_of(region: Region):
    return (
        Service.objects.filter(
            agency__region=region, published_standard__isnull=False, kind=ServiceKind.COMPLAINT
        )
        .select_related("agency", "published_standard")
        .order_by("agency__code", "position", "name")
    )


def split_code(service_code: str):
    agency, _sep, service = (service_code or "").partition(":")
    return agency, service


def service_for(region: Region, service_code: str) -> Service:
    agency, code = split_code(service_code)
    service = services_of(region).filter(agency__code=agency, code=code).first() if agency and code else None
    if service is None:
        raise ApiError(404, _("service_code tidak ditemukan."), "service_code not found.")
    return service


# ---------------------------------------------------------------- discovery and services


@open311()
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2").rstrip("/")
    return render(
        {
            "changeset": CHANGESET,
            "contact": _("Hubungi admin instansi yang layanannya Anda gunakan."),
            "key_service": _("Kunci API dibuat oleh admin instansi di /kelola/api/."),
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        fmt,
        root="discovery",
        item="endpoint",
    )


def service_record(service: Service) -> dict:
    return {
        "service_code": f"{service.agency.code}:{service.code}",
        "service_name": service.name,
        "description": service.published_standard.product or service.name,
        "metadata": True,
        "type": "realtime",
        "keywords": "pengaduan, aduan, laporan",
        "group": service.agency.name,
    }


@open311()
def services(request, fmt):
    region = jurisdiction(request)
    return render([service_record(s) for s in services_of(region)], fmt, root="services", item="service")


def attributes(service: Service) -> list[dict]:
    """The web form's fields a reporter fills, then the standard's requirements as information."""
    yes_no = [{"key": "ya", "name": _("Ya")}, {"key": "tidak", "name": _("Tidak")}]
    fields = [
        ("subject", "string", True, _("Judul pengaduan (bila kosong: awal uraian)"), []),
        ("nik", "string", False, _("NIK pelapor (16 angka) — wajib kecuali anonim"), []),
        ("applicant_address", "text", False, _("Alamat pelapor — wajib kecuali anonim"), []),
        (
            "consent",
            "singlevaluelist",
            True,
            _("Persetujuan penggunaan data pribadi untuk menangani pengaduan ini (UU 27/2022)"),
            yes_no,
        ),
        ("anonymous", "singlevaluelist", False, _("Anonim: tanpa identitas"), yes_no),
        (
            "confidential",
            "singlevaluelist",
            False,
            _("Rahasia: identitas hanya untuk petugas pengaduan"),
            yes_no,
        ),
    ]
    result = [
        {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": required,
            "datatype_description": None,
            "order": order,
            "description": str(description),
            "values": values,
        }
        for order, (code, datatype, required, description, values) in enumerate(fields, start=1)
    ]
    requirements = service.published_standard.requirements.order_by("position")
    for order, requirement in enumerate(requirements, start=len(fields) + 1):
        result.append(
            {
                "variable": False,
                "code": f"req_{requirement.pk}",
                "datatype": "text",
                "required": False,
                "datatype_description": _("Persyaratan menurut standar pelayanan"),
                "order": order,
                "description": requirement.label,
                "values": [],
            }
        )
    return result


@open311()
def service_definition(request, service_code, fmt):
    region = jurisdiction(request)
    service = service_for(region, service_code)
    definition = {"service_code": f"{service.agency.code}:{service.code}", "attributes": attributes(service)}
    for attribute in definition["attributes"]:
        if not attribute["values"]:
            attribute.pop("values")
    return render(definition, fmt, root="service_definition", item="attribute")


# ---------------------------------------------------------------- requests


def _attribute(post, code: str) -> str:
    return (post.get(f"attribute[{code}]") or "").strip()


def _float(value: str, name: str):
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ApiError(400, _("%(name)s bukan angka.") % {"name": name}, f"{name} is not a number.") from None
    if number != number or abs(number) == float("inf"):
        raise ApiError(400, _("%(name)s bukan angka.") % {"name": name}, f"{name} is not a number.")
    return number


def token_key(agency_id: int, token: str) -> str:
    return f"open311-token:{agency_id}:{hashlib.sha256(token.encode()).hexdigest()}"


@open311(methods=("GET", "POST"))
def requests_collection(request, fmt):
    if request.method == "POST":
        return create(request, fmt)
    return listing(request, fmt)


def create(request, fmt):
    from . import services as api_services

    post = request.POST
    region = jurisdiction(request)
    caller = key_caller(request, region, scope="intake")
    service = service_for(region, post.get("service_code", ""))
    if service.agency_id != caller.agency_id:
        raise ApiError(403, _("api_key ini milik instansi lain."), "This api_key belongs to another agency.")
    lat, lon = _float(post.get("lat", ""), "lat"), _float(post.get("long", ""), "long")
    address = (post.get("address_string") or post.get("address_id") or "").strip()
    if (lat is None or lon is None) and not address:
        raise ApiError(
            400,
            _("Sebutkan lokasi: lat dan long, atau address_string."),
            "A location is required: lat and long, or address_string.",
        )
    description = (post.get("description") or "").strip()
    if post.get("media_url"):
        description += "\n\n" + _("Media: %(url)s") % {"url": post["media_url"].strip()[:500]}
    name = " ".join(p for p in (post.get("first_name", "").strip(), post.get("last_name", "").strip()) if p)
    subject = _attribute(post, "subject") or description.split("\n", 1)[0][:120] or service.name
    payload = {
        "agency": service.agency.code,
        "service": service.code,
        "name": name,
        "nik": _attribute(post, "nik"),
        "phone": post.get("phone", ""),
        "email": post.get("email", ""),
        "address": _attribute(post, "applicant_address"),
        "subject": subject[:300],
        "description": description,
        "consent": _attribute(post, "consent") == "ya",
        "anonymous": _attribute(post, "anonymous") == "ya",
        "confidential": _attribute(post, "confidential") == "ya",
        "location_text": address[:500],
        "location_lat": lat if lat is not None and lon is not None else None,
        "location_lon": lon if lat is not None and lon is not None else None,
    }
    header = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    try:
        found, _created, _missing = api_services.create_request(caller, payload, header)
    except ApiError as exc:
        if exc.fields:
            details = "; ".join(f"{name}: {items[0]['message']}" for name, items in exc.fields.items())
            details_en = "; ".join(f"{name}: {items[0]['message_en']}" for name, items in exc.fields.items())
            raise ApiError(400, details, details_en) from None
        raise
    if header:
        cache.set(token_key(found.agency_id, header[:200]), found.tracking_code, TOKEN_DAYS * 86400)
    notice = _("Pengaduan diterima. Tenggat menurut standar pelayanan: %(duration)s.") % {
        "duration": found.standard.duration_text or "—"
    }
    return render(
        [{"service_request_id": found.tracking_code, "service_notice": notice, "account_id": None}],
        fmt,
        root="service_requests",
        item="request",
        status=201,
    )


def request_record(found: Request, desk: bool) -> dict:
    """One service request; `found` comes from `_requests_of` (its `status_note` annotation)."""
    confidential = found.confidential
    return {
        "service_request_id": found.tracking_code,
        "status": "open" if found.state in OPEN_STATES else "closed",
        "status_notes": found.status_note or None,
        "service_name": found.service.name,
        "service_code": f"{found.agency.code}:{found.service.code}",
        "description": found.description if desk else None,
        "agency_responsible": found.agency.name,
        "service_notice": found.standard.duration_text or None,
        "requested_datetime": w3(found.created_at),
        "updated_datetime": w3(found.closed_at or found.resolved_at or found.updated_at),
        "expected_datetime": w3(found.due_at),
        "address": None if confidential else (found.location_text or None),
        "address_id": None,
        "zipcode": None,
        "lat": None if confidential else found.location_lat,
        "long": None if confidential else found.location_lon,
        "media_url": None,
    }


def _requests_of(caller: Caller):
    """The caller's agency's requests, each with `status_note`: the latest note of its public timeline
    (one query for a whole list)."""
    latest_note = (
        Event.objects.filter(request=OuterRef("pk"), public=True)
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return (
        Request.objects.filter(agency_id=caller.agency_id)
        .select_related("agency", "service", "standard")
        .annotate(status_note=Subquery(latest_note))
    )


def _desk(caller: Caller) -> bool:
    return caller.may("desk") and caller.desk_user() is not None


def listing(request, fmt):
    region = jurisdiction(request)
    caller = key_caller(request, region, scope="read_public")
    qs = _requests_of(caller)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(tracking_code__in=ids[:MAX_RESULTS])
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            pairs = [split_code(c) for c in codes]
            services_ids = [
                s.pk
                for s in services_of(region).filter(agency_id=caller.agency_id)
                if (s.agency.code, s.code) in pairs
            ]
            qs = qs.filter(service_id__in=services_ids)
        end = parse_w3(request.GET["end_date"]) if request.GET.get("end_date") else timezone.now()
        start = (
            parse_w3(request.GET["start_date"]) if request.GET.get("start_date") else end - timedelta(days=90)
        )
        if start is None or end is None:
            raise ApiError(
                400,
                _("start_date/end_date harus format w3, mis. 2026-01-01T00:00:00Z."),
                "start_date/end_date must be w3 datetimes, e.g. 2026-01-01T00:00:00Z.",
            )
        if end - start > timedelta(days=90) or end < start:
            raise ApiError(
                400, _("Rentang tanggal paling lama 90 hari."), "The date range may span 90 days at most."
            )
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise ApiError(400, _("status hanya open atau closed."), "status must be open or closed.")
        if statuses == {"open"}:
            qs = qs.filter(state__in=sorted(OPEN_STATES))
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=sorted(OPEN_STATES))
    desk = _desk(caller)
    rows = [request_record(r, desk) for r in qs.order_by("-created_at", "-id")[:MAX_RESULTS]]
    return render(rows, fmt, root="service_requests", item="request")


@open311()
def request_detail(request, service_request_id, fmt):
    region = jurisdiction(request)
    caller = key_caller(request, region, scope="read_public")
    found = _requests_of(caller).filter(tracking_code=service_request_id[:60]).first()
    if found is None:
        raise ApiError(404, _("service_request_id tidak ditemukan."), "service_request_id not found.")
    return render([request_record(found, _desk(caller))], fmt, root="service_requests", item="request")


@open311()
def token(request, token, fmt):
    region = jurisdiction(request)
    caller = key_caller(request, region, scope="intake")
    code = cache.get(token_key(caller.agency_id, token[:200]))
    if not code or not Request.objects.filter(agency_id=caller.agency_id, tracking_code=code).exists():
        raise ApiError(404, _("token tidak ditemukan."), "token not found.")
    return render(
        [{"service_request_id": code, "token": token}], fmt, root="service_requests", item="request"
    )
