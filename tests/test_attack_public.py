"""Hostile values in every public form and query parameter: never a 500, control characters a 400,
HTML escaped wherever a page echoes it. Run on SQLite and on PostgreSQL (where NUL used to be a 500).

Also the staff note of a desk action (NUL there was a 500 on PostgreSQL too).
"""

import itertools
import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from layanan.core import input_guard
from layanan.requests import intake, lifecycle
from layanan.requests.forms import WebRequestForm
from layanan.requests.kinds import SLUGS
from layanan.requests.models import Request, State
from layanan.standards.models import Service

from .conftest import login
from .test_intake_web import PDF, png_bytes

SCRIPT = "<script>alert(1)</script>"
HOSTILE = {
    "nul": "a\x00b",
    "control": "a\x1b[31m\x07b",
    "del": "a\x7fb",
    "long": "x" * 100_000,
    "rtl": "abc\u202etxt.exe",
    "html": SCRIPT,
    "sql": "' OR 1=1 --",
    "emoji": "🙏🏽",
}
CONTROL = {"nul", "control", "del"}
REFUSAL = "Masukan berisi karakter yang tidak diizinkan."
_ips = itertools.count(1)


def fresh_ip() -> str:
    """Each request from its own address, so the rate limits do not hide what the view does."""
    n = next(_ips)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def check(response, kind: str, allowed: set[int]):
    assert response.status_code != 500
    body = response.content.decode() if not getattr(response, "streaming", False) else ""
    if kind in CONTROL:
        assert response.status_code == 400, response.status_code
        assert REFUSAL in body
        return
    assert response.status_code in allowed, (response.status_code, body[:500])
    if response.get("Content-Type", "").startswith("text/html"):
        assert SCRIPT not in body


values = pytest.mark.parametrize("kind", list(HOSTILE))


# ---------------------------------------------------------------- portal and API


@values
def test_portal_search_query(demo, client, kind):
    response = client.get(reverse("portal:agency", args=["DINSOS-SEKADAU"]), {"q": HOSTILE[kind]})
    check(response, kind, {200})
    if kind == "html":
        assert "&lt;script&gt;" in response.content.decode()  # echoed, escaped (within the 100 kept)


@values
@pytest.mark.parametrize("where", ["region", "agency", "service", "flowchart", "pdf", "track", "receipt"])
def test_hostile_path_segments(demo, client, kind, where):
    value = quote(HOSTILE[kind], safe="")
    url = {"region": f"/daerah/{value}/", "agency": f"/{value}/", "service": f"/DINSOS-SEKADAU/{value}/",
           "flowchart": f"/DINSOS-SEKADAU/{value}/alur.svg", "pdf": f"/DINSOS-SEKADAU/{value}/standar.pdf",
           "track": f"/lacak/{value}/{value}/",
           "receipt": f"/lacak/DINSOS-SEKADAU-1/{value}/tanda-terima/"}[where]
    check(client.get(url, REMOTE_ADDR=fresh_ip()), kind, {404})


@values
def test_query_parameters_of_region_and_service_pages(demo, client, kind):
    service = Service.objects.filter(agency__code="DINSOS-SEKADAU").first()
    for url in [reverse("portal:region", args=[demo["DINSOS-SEKADAU"].region.slug]),
                reverse("portal:service", args=["DINSOS-SEKADAU", service.code]), reverse("portal:home")]:
        check(client.get(url, {"q": HOSTILE[kind], "lang": HOSTILE[kind]}), kind, {200})


@values
def test_api_agency_parameter(demo, client, kind):
    response = client.get("/api/v1/standards", {"agency": HOSTILE[kind]})
    assert response.status_code != 500
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    if kind in CONTROL:
        assert response.status_code == 400 and body["error"]["message"] == REFUSAL
    else:
        assert response.status_code in {400, 404}


# ---------------------------------------------------------------- tracking


@values
def test_lookup_post(demo, client, kind):
    for data in ({"code": HOSTILE[kind], "digits": "1234"},
                 {"code": "DINSOS-SEKADAU-1", "digits": HOSTILE[kind]}):
        check(client.post(reverse("public_requests:lookup"), data, REMOTE_ADDR=fresh_ip()), kind, {404})


def waiting_request() -> Request:
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    request, _ = lifecycle.submit(standard=service.published_standard, channel="counter", subject="Data PKH",
                                  applicant={"applicant_name": "Warga"}, missing=["Foto copy KTP/SIM"])
    assert request.state == State.WAITING_APPLICANT
    return request


@values
def test_supply_form_note(demo, client, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = waiting_request()
    url = reverse("public_requests:supply", args=[request.tracking_code, request.tracking_secret])
    pdf = SimpleUploadedFile("ktp.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"files": pdf, "note": HOSTILE[kind]}, REMOTE_ADDR=fresh_ip())
    check(response, kind, {302})
    request.refresh_from_db()
    assert request.state == (State.WAITING_APPLICANT if kind in CONTROL else State.IN_PROGRESS)
    if kind == "html":
        page = client.get(reverse("public_requests:track", args=[request.tracking_code,
                                                                 request.tracking_secret])).content.decode()
        assert SCRIPT not in page


@values
def test_withdraw_form_note(demo, client, kind):
    try:
        reverse("public_requests:withdraw", args=["x", "y"])
    except NoReverseMatch:
        pytest.skip("the tracking page has no withdraw form")
    request = waiting_request()
    url = reverse("public_requests:withdraw", args=[request.tracking_code, request.tracking_secret])
    response = client.post(url, {"note": HOSTILE[kind], "confirm": "1"}, REMOTE_ADDR=fresh_ip())
    check(response, kind, {302, 400})
    request.refresh_from_db()
    assert (request.state == State.WAITING_APPLICANT) == (kind in CONTROL)


@values
def test_supply_form_file_name(demo, client, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = waiting_request()
    url = reverse("public_requests:supply", args=[request.tracking_code, request.tracking_secret])
    pdf = SimpleUploadedFile(HOSTILE[kind][:200] + ".pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"files": pdf}, REMOTE_ADDR=fresh_ip())
    assert response.status_code == 302  # a file name is display text: cleaned, never refused
    attachment = request.attachments.get()
    assert not input_guard.has_forbidden(attachment.filename) and "\u202e" not in attachment.filename
    assert attachment.filename.endswith(".pdf")


# ---------------------------------------------------------------- the web form


def web_post(client, svc: Service, field: str, value, **data):
    standard = svc.published_standard
    form = WebRequestForm(standard=standard, requirements=standard.requirements.all())
    payload = {"applicant_type": "person", "name": "Ni Made Sari", "nik": "5106014507920003",
               "phone": "0812-3866-945", "email": "sari@example.id", "address": "Jl. Merdeka 1",
               "consent": "on", "subject": "Perihal", "description": "Uraian.",
               "token": intake.new_form_token(form.token_scope()), **data}
    payload[field] = value
    url = reverse("public_requests:apply", args=[svc.agency.code, svc.code])
    if len(standard.accepted_kinds) > 1:  # seed 001 takes two kinds: the form of the service's own
        url += f"?jenis={SLUGS[svc.kind]}"
    return client.post(url, payload, REMOTE_ADDR=fresh_ip())


COMPLAINT_FIELDS = ["applicant_type", "name", "nik", "phone", "email", "address", "subject", "description",
                    "anonymous", "confidential", "consent", "token"]


@values
@pytest.mark.parametrize("field", COMPLAINT_FIELDS)
def test_web_complaint_form_fields(demo, client, kind, field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    check(web_post(client, svc, field, HOSTILE[kind]), kind, {302, 400})


@values
@pytest.mark.parametrize("field", ["organisation_name", "letter_number", "letter_date", "letter_signatory"])
def test_web_organisation_form_fields(demo, client, kind, field):
    svc = Service.objects.get(agency__code="ORGANISASI-KEDIRI", code="tpp")
    organisation = {"applicant_type": "organisation", "organisation_name": "Dinas Kesehatan",
                    "letter_number": "061/1/2026", "letter_date": "2026-03-02", "letter_signatory": "Kepala"}
    check(web_post(client, svc, field, HOSTILE[kind], **organisation), kind, {302, 400})


@values
@pytest.mark.parametrize("field", ["purpose", "obtain", "receive"])
def test_web_information_request_fields(demo, client, kind, field, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    svc = Service.objects.get(agency__code="DINSOS-SEKADAU", code="data-pengaduan")
    [document] = svc.published_standard.requirements.filter(kind="document")
    upload = SimpleUploadedFile("ktp.png", png_bytes(), content_type="image/png")
    check(web_post(client, svc, field, HOSTILE[kind], **{f"doc_{document.pk}": upload}), kind, {302, 400})


@values
def test_web_form_upload_file_name(demo, client, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    [document] = svc.published_standard.requirements.filter(kind="document")
    upload = SimpleUploadedFile(HOSTILE[kind][:200] + ".pdf", PDF, content_type="application/pdf")
    response = web_post(client, svc, f"doc_{document.pk}", upload)
    assert response.status_code == 302
    attachment = Request.objects.get(service=svc).attachments.get()
    assert not input_guard.has_forbidden(attachment.filename) and attachment.filename.endswith(".pdf")


@values
@pytest.mark.parametrize("field", ["username", "password"])
def test_staff_login_form(demo, client, kind, field):
    data = {"username": "dinsos.admin", "password": "salah-sekali", field: HOSTILE[kind]}
    check(client.post(reverse("accounts:login"), data, REMOTE_ADDR=fresh_ip()), kind, {200, 400, 403, 429})


@values
def test_password_link_path(demo, client, kind):
    value = quote(HOSTILE[kind][:1000], safe="")
    check(client.get(f"/akun/atur-ulang/{value}/{value}/", REMOTE_ADDR=fresh_ip()), kind, {302, 400, 404})


# ---------------------------------------------------------------- the guard itself


def test_nul_in_a_session_cookie_is_dropped_not_a_500(demo, client):
    response = client.get(reverse("portal:home"), HTTP_COOKIE="sessionid=abc\x00def; csrftoken=x")
    assert response.status_code == 200


def test_form_field_names_are_checked_too(demo, client):
    response = client.post(reverse("public_requests:lookup"), {"code\x00": "x"}, REMOTE_ADDR=fresh_ip())
    assert response.status_code == 400


def test_tab_newline_and_carriage_return_stay_allowed(demo, client):
    response = client.post(reverse("public_requests:lookup"), {"code": "A\tB\r\nC", "digits": "1234"},
                           REMOTE_ADDR=fresh_ip())
    assert response.status_code == 404


def test_english_visitors_get_the_message_in_english_first_too(demo, client):
    response = client.get("/lacak/%00/x/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert input_guard.MESSAGE_EN in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_post_to_an_address_without_a_page_is_not_read(demo, client, monkeypatch):
    """Only a page that exists gets its body parsed (then checked before CSRF or the view read
    it): a flood of large uploads to made-up addresses costs a 404, not a multipart parse."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http.multipartparser import MultiPartParser

    parsed = []
    real_parse = MultiPartParser.parse
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: parsed.append(1) or real_parse(self))
    upload = SimpleUploadedFile("besar.pdf", b"%PDF-1.4 " + b"x" * 200_000, content_type="application/pdf")
    response = client.post("/tidak/ada/halaman/di/sini/", {"berkas": upload, "catatan": "a\x00b"},
                           REMOTE_ADDR=fresh_ip())
    assert response.status_code == 404 and parsed == []
    response = client.post(reverse("public_requests:lookup"), {"code\x00": "x"}, REMOTE_ADDR=fresh_ip())
    assert response.status_code == 400 and parsed == [1]  # a real page: read once, refused


def test_the_largest_inspected_body_is_the_web_forms_limit():
    assert input_guard.MAX_INSPECTED_BODY == intake.MAX_POST_BYTES


# ---------------------------------------------------------------- the staff note (desk)


@values
def test_desk_action_note(demo, kind):
    service = Service.objects.filter(agency__code="DINSOS-SEKADAU").order_by("position").first()
    request, _ = lifecycle.submit(standard=service.published_standard, channel="counter", subject="Data",
                                  applicant={"applicant_name": "Warga"})
    response = login("dinsos.petugas").post(reverse("desk:act", args=[request.pk, "advance"]),
                                            {"expected_version": request.version, "note": HOSTILE[kind]})
    check(response, kind, {302, 400})
    request.refresh_from_db()
    if kind in CONTROL:
        assert request.version == 1 and request.events.count() == 1
    elif kind == "html":
        page = login("dinsos.petugas").get(reverse("desk:request", args=[request.pk])).content.decode()
        assert SCRIPT not in page
