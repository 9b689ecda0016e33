"""The citizen's view: /lacak/<code>/<secret>/ and /lacak/ (code + last four phone digits)."""

import zlib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.requests import lifecycle
from layanan.requests.models import Attachment, Channel, Request, State
from layanan.standards.models import Service

from .conftest import login as login_as

NIK = "6109011203850001"
PHONE = "+6285252375907"


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def staff(username) -> User:
    return User.objects.get(username=username)


def submit(agency_code, *, confidential=False, missing=None, **applicant) -> Request:
    service = Service.objects.filter(agency__code=agency_code).order_by("position").first()
    request, _created = lifecycle.submit(
        standard=service.published_standard, channel=Channel.WEB, subject="Data penerima bantuan",
        missing=missing,
        applicant={"applicant_name": "Yohanes Apai", "applicant_nik": NIK, "applicant_phone": PHONE,
                   "confidential": confidential, **applicant})
    return request


def track_url(request, secret=None) -> str:
    return reverse("public_requests:track", args=[request.tracking_code, secret or request.tracking_secret])


def test_the_link_shows_status_timeline_and_due_time_without_personal_data(demo, client):
    request = submit("DINSOS-SEKADAU")
    response = client.get(track_url(request))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Permohonan Anda telah diterima dan menunggu ditangani oleh Petugas Pelayanan." in page
    assert "Permohonan diterima" in page and "Target selesai" in page and "WIB" in page
    assert NIK not in page and "52375907" not in page and "Yohanes Apai" not in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert 'name="robots" content="noindex"' in page


def test_due_time_is_shown_in_the_agencys_own_timezone(demo, client):
    request = submit("DPMPTSP-BANGLI")
    page = client.get(track_url(request)).content.decode()
    assert "WITA" in page
    local = request.due_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert local.strftime("%H:%M") in page


def test_wrong_secret_or_unknown_code_is_404(demo, client):
    request = submit("DINSOS-SEKADAU")
    assert client.get(track_url(request, secret="x" * 16)).status_code == 404
    assert client.get(track_url(request, secret=request.tracking_secret[:-1])).status_code == 404
    unknown = reverse("public_requests:track", args=["DINSOS-SEKADAU-2026-999999", request.tracking_secret])
    assert client.get(unknown).status_code == 404
    receipt = reverse("public_requests:receipt", args=[request.tracking_code, "nope"])
    assert client.get(receipt).status_code == 404


def test_status_follows_the_procedure_in_plain_indonesian(demo, client):
    request = submit("DINSOS-SEKADAU")
    lifecycle.perform(request, staff("dinsos.petugas"), "advance", note="Formulir sudah lengkap.")
    page = client.get(track_url(request)).content.decode()
    assert "Permohonan Anda sedang diproses oleh Petugas administrasi." in page
    assert "Formulir sudah lengkap." in page


def test_timeline_hides_internal_notes(demo, client):
    request = submit("DINSOS-SEKADAU")
    kasi = staff("dinsos.kasi")
    lifecycle.perform(request, kasi, "note", note="Catatan internal: cek ulang ke desa.", public=False)
    lifecycle.perform(request, kasi, "note", note="Data sedang dikumpulkan dari desa.", public=True)
    page = client.get(track_url(request)).content.decode()
    assert "Data sedang dikumpulkan dari desa." in page
    assert "Catatan internal" not in page


def test_confidential_complaint_shows_no_staff_names(demo, client):
    officer = staff("bangli.operator")  # web complaints enter on the online track
    open_one, secret_one = submit("DPMPTSP-BANGLI"), submit("DPMPTSP-BANGLI", confidential=True)
    for request in (open_one, secret_one):
        lifecycle.perform(request, officer, "advance", note="Diteruskan ke tim pengaduan.")
    assert officer.full_name in client.get(track_url(open_one)).content.decode()
    page = client.get(track_url(secret_one)).content.decode()
    assert officer.full_name not in page
    assert "Operator IT" in page  # the role the standard names, not the person


def test_waiting_applicant_names_what_is_missing(demo, client):
    request = submit("DINSOS-SEKADAU", missing=["Foto copy KTP", "Surat permohonan"])
    page = client.get(track_url(request)).content.decode()
    assert "menunggu kelengkapan dari Anda" in page
    assert "Foto copy KTP" in page and "Surat permohonan" in page
    assert "Target selesai" not in page


def test_product_text_and_files_when_resolved_served_only_with_the_secret(demo, client):
    request = submit("DISDUKCAPIL-PROBOLINGGO")
    officer = staff("dukcapil.petugas")
    attachment = Attachment(request=request, purpose=Attachment.Purpose.PRODUCT, filename="jawaban.pdf",
                            content_type="application/pdf", size=9)
    attachment.file.save("x", ContentFile(b"%PDF-1.4\n"), save=True)
    file_url = reverse("public_requests:product_file",
                       args=[request.tracking_code, request.tracking_secret, attachment.pk])
    assert client.get(file_url).status_code == 404  # not before it is delivered
    for _step in range(3):
        request = lifecycle.perform(request, officer, "advance",
                                    product_text="Akta dapat diurus di kelurahan tanpa biaya.")
    assert request.state == State.RESOLVED
    page = client.get(track_url(request)).content.decode()
    assert "Permohonan Anda telah selesai." in page
    assert "Akta dapat diurus di kelurahan tanpa biaya." in page and "jawaban.pdf" in page
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert "attachment" in response["Content-Disposition"]
    wrong = reverse("public_requests:product_file", args=[request.tracking_code, "salah", attachment.pk])
    assert client.get(wrong).status_code == 404
    evidence = Attachment.objects.create(request=request, purpose=Attachment.Purpose.EVIDENCE,
                                         filename="ktp.jpg", content_type="image/jpeg", size=1, file="x")
    own_evidence = reverse("public_requests:product_file",
                           args=[request.tracking_code, request.tracking_secret, evidence.pk])
    assert client.get(own_evidence).status_code == 404  # only products are served to the public


def lookup(client, code, digits, ip="127.0.0.1"):
    return client.post(reverse("public_requests:lookup"), {"code": code, "digits": digits}, REMOTE_ADDR=ip)


def test_code_and_last_four_digits_open_the_tracking_page(demo, client):
    request = submit("DINSOS-SEKADAU")
    assert client.get(reverse("public_requests:lookup")).status_code == 200
    response = lookup(client, request.tracking_code.lower(), "5907")
    assert response.status_code == 302 and response["Location"] == track_url(request)


def test_wrong_digits_and_unknown_code_get_the_same_answer(demo, client):
    request = submit("DINSOS-SEKADAU")
    anonymous = submit("DPMPTSP-BANGLI", applicant_type="anonymous", applicant_phone="")
    answers = [lookup(client, request.tracking_code, "0000"),
               lookup(client, "DINSOS-SEKADAU-2026-999999", "5907"),
               lookup(client, anonymous.tracking_code, "----"),
               lookup(client, request.tracking_code, "")]
    message = "Kode lacak atau empat angka terakhir nomor telepon tidak cocok."
    for response in answers:
        assert response.status_code == 404
        assert message in response.content.decode()


def test_lookups_are_rate_limited_per_ip(demo, client):
    request = submit("DINSOS-SEKADAU")
    for _attempt in range(10):
        assert lookup(client, request.tracking_code, "1111").status_code == 404
    response = lookup(client, request.tracking_code, "5907")  # even the right digits now wait
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert response["Retry-After"]
    other = submit("DINSOS-SEKADAU")
    other_ip = client.post(reverse("public_requests:lookup"),
                           {"code": other.tracking_code, "digits": "5907"}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def test_wrong_digits_lock_the_code_not_the_ip(demo, client):
    """Citizens behind one carrier NAT share an IP: the lock is per tracking code. After five
    wrong digits for one code, even the right ones fail for an hour (from any IP); the link on
    the receipt still works, other codes still work, and staff see the lock."""
    request, other = submit("DINSOS-SEKADAU"), submit("DINSOS-SEKADAU")
    for attempt in range(5):
        assert lookup(client, request.tracking_code, "1111", ip=f"10.1.0.{attempt}").status_code == 404
    assert lookup(client, request.tracking_code, "5907", ip="10.2.0.1").status_code == 404
    assert lookup(client, other.tracking_code, "5907", ip="10.2.0.2").status_code == 302
    assert client.get(track_url(request)).status_code == 200
    page = login_as("dinsos.kadis").get(reverse("desk:request", args=[request.pk])).content.decode()
    assert "5 percobaan salah" in page and "Dikunci sampai" in page


def test_hourly_limit_holds_across_minutes(demo, client, monkeypatch):
    import django_ratelimit.core as core

    request = submit("DINSOS-SEKADAU")
    # Start just after this IP's hourly window opened, then never ten tries in one minute.
    hour_edge = zlib.crc32(b"127.0.0.1") % 3600
    clock = {"now": 1_800_000_000 - 1_800_000_000 % 3600 + hour_edge + 1}
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: clock["now"]))
    statuses = []
    for attempt in range(55):
        clock["now"] += 61 if attempt % 9 == 8 else 0
        statuses.append(lookup(client, request.tracking_code, "1111").status_code)
    assert statuses[:50] == [404] * 50 and set(statuses[50:]) == {429}


def test_tracking_page_queries_do_not_grow_with_the_timeline(demo, client, django_assert_max_num_queries):
    request = submit("DINSOS-SEKADAU")
    for number in range(30):
        lifecycle.perform(request, staff("dinsos.kadis"), "note", note=f"Catatan {number}",
                          public=number % 2 == 0)
    with django_assert_max_num_queries(4):
        page = client.get(track_url(request)).content.decode()
    assert "Catatan 28" in page and "Catatan 29" not in page


def test_the_applicant_sends_what_was_missing_through_the_tracking_link(demo, client, settings, tmp_path):
    """Waiting on the applicant → they upload the document → the clock runs again."""
    settings.MEDIA_ROOT = tmp_path
    svc = Service.objects.get(agency__code="DINSOS-SEKADAU")
    r, _ = lifecycle.submit(standard=svc.published_standard, channel="counter", subject="Data PKH",
                         applicant={"applicant_name": "Warga"}, missing=["Foto copy KTP/SIM"])
    assert r.state == State.WAITING_APPLICANT and r.due_at is None
    track_url = reverse("public_requests:track", args=[r.tracking_code, r.tracking_secret])
    assert "Kirim kelengkapan" in client.get(track_url).content.decode()
    supply_url = reverse("public_requests:supply", args=[r.tracking_code, r.tracking_secret])

    fake = client.post(supply_url, {"files": SimpleUploadedFile("ktp.pdf", b"MZ\x90 not a pdf")})
    assert fake.status_code == 400 and "bukan PDF" in fake.content.decode()

    pdf = SimpleUploadedFile("ktp.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(supply_url, {"files": pdf, "note": "KTP suami"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == State.IN_PROGRESS and r.due_at is not None
    assert r.attachments.filter(purpose=Attachment.Purpose.REQUIREMENT).count() == 1
    resumed = r.events.get(action="supply")
    assert resumed.public and "ktp.pdf" in resumed.note and resumed.actor_kind == "applicant"
    again = client.post(supply_url, {"files": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n")})
    assert again.status_code == 400  # no longer waiting


def test_supplying_needs_the_secret(demo, client):
    svc = Service.objects.get(agency__code="DINSOS-SEKADAU")
    r, _ = lifecycle.submit(standard=svc.published_standard, channel="counter", subject="Data",
                         applicant={"applicant_name": "Warga"}, missing=["Formulir"])
    url = reverse("public_requests:supply", args=[r.tracking_code, "salah"])
    assert client.post(url).status_code == 404
