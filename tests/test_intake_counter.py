"""The front desk: buku tamu, checklist, channel and applicant on one screen → a printable receipt."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from layanan.requests.models import Channel, GuestBookEntry, Pause, Request, State
from layanan.standards.models import Requirement, Service

COUNTER = reverse("desk:counter")
NIK = "6109011203850001"  # Sekadau (61 09 01), a man born 12 March 1985


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def counter_page(client, service=None):
    response = client.get(COUNTER, {"layanan": service.pk} if service else {})
    assert response.status_code == 200
    return response.content.decode()


def ticks(service, *, skip=()):
    return {f"req_{r.pk}": "on" for r in Requirement.objects.filter(standard=service.published_standard)
            if r.label not in skip}


@pytest.fixture
def dinsos(demo):
    return Service.objects.get(agency__code="DINSOS-SEKADAU")


@pytest.fixture
def desk(client_for):
    return client_for("dinsos.petugas")


def data_request(client, service, **extra):
    page = counter_page(client, service)
    data = {"layanan": service.pk, "token": token_of(page), "channel": "counter", "applicant_type": "person",
            "name": "Yohanes Apai", "nik": NIK, "phone": "0852 5237 5900",
            "address": "Desa Sungai Ayak, Belitang Hilir", "subject": "Data penerima bantuan sosial 2025",
            "consent": "on", "action": "register", **extra}
    return client.post(COUNTER, data)


def test_counter_screen_lists_services_grouped_and_the_checklist_of_the_chosen_one(demo, client_for):
    client = client_for("kediri.petugas")
    page = counter_page(client)
    assert page.count("<optgroup") >= 2 and "Konsultasi" in page
    assert 'name="req_' not in page  # no service chosen yet
    svc = Service.objects.get(agency__code="ORGANISASI-KEDIRI", position=5)
    page = counter_page(client, svc)
    for requirement in Requirement.objects.filter(standard=svc.published_standard):
        assert f'name="req_{requirement.pk}"' in page
    for channel in ("counter", "phone", "letter", "suggestion_box", "whatsapp", "email", "social_media"):
        assert f'value="{channel}"' in page


def test_a_single_service_agency_has_it_chosen_already(dinsos, desk):
    assert 'name="req_' in counter_page(desk)


def test_missing_requirement_registers_as_waiting_for_the_applicant(dinsos, desk):
    phone_number = Requirement.objects.get(standard=dinsos.published_standard, kind="other")
    response = data_request(desk, dinsos, **ticks(dinsos, skip={phone_number.label}))
    assert response.status_code == 302
    request = Request.objects.get(service=dinsos)
    assert response["Location"] == reverse("desk:counter_receipt", args=[request.pk])
    assert (request.channel, request.state) == (Channel.COUNTER, State.WAITING_APPLICANT)
    assert Pause.objects.get(request=request, ended_at__isnull=True).missing == [phone_number.label]
    assert not request.checks.get(requirement=phone_number).satisfied
    assert request.checks.filter(satisfied=True).count() == 4
    # The buku tamu line is linked to the request; the NIK there is encrypted too.
    entry = GuestBookEntry.objects.get(agency=dinsos.agency)
    assert (entry.request, entry.name, entry.identity_number) == (request, "Yohanes Apai", NIK)
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity_number FROM requests_guestbookentry WHERE id = %s", [entry.pk])
        assert NIK not in cursor.fetchone()[0]

    receipt = desk.get(response["Location"]).content.decode()
    assert request.tracking_code in receipt and "<svg" in receipt
    assert "Belum lengkap" in receipt and phone_number.label in receipt
    assert "WIB" in receipt
    # The tracking page names what is missing.
    track = desk.get(reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret]))
    assert "Yang perlu Anda lengkapi" in track.content.decode()
    assert phone_number.label in track.content.decode()


def test_complete_checklist_starts_the_clock(dinsos, desk):
    assert data_request(desk, dinsos, **ticks(dinsos)).status_code == 302
    request = Request.objects.get(service=dinsos)
    assert request.state == State.RECEIVED and request.due_at is not None
    assert not request.pauses.exists()


def test_double_click_on_daftarkan_registers_once(dinsos, desk):
    page = counter_page(desk, dinsos)
    data = {"layanan": dinsos.pk, "token": token_of(page), "channel": "counter", "name": "Yohanes",
            "nik": NIK, "subject": "Data", "action": "register", **ticks(dinsos)}
    first, second = desk.post(COUNTER, data), desk.post(COUNTER, data)
    assert first["Location"] == second["Location"]
    assert Request.objects.filter(service=dinsos).count() == 1
    assert GuestBookEntry.objects.filter(agency=dinsos.agency).count() == 1


def test_phone_call_complaint_is_registered_with_its_channel_and_no_guest_line(demo, client_for):
    bangli = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    client = client_for("bangli.petugas")
    page = counter_page(client, bangli)
    response = client.post(COUNTER, {
        "layanan": bangli.pk, "token": token_of(page), "channel": "phone", "applicant_type": "person",
        "name": "I Ketut Budi", "phone": "0813 3700 1122", "subject": "Petugas tidak ramah",
        "action": "register", **ticks(bangli)})
    assert response.status_code == 302
    request = Request.objects.get(service=bangli)
    assert (request.channel, request.applicant_phone, request.applicant_nik) == (
        Channel.PHONE, "+6281337001122", "")
    assert not GuestBookEntry.objects.filter(agency=bangli.agency).exists()


def test_suggestion_box_slip_may_be_anonymous(demo, client_for):
    bangli = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    client = client_for("bangli.petugas")
    page = counter_page(client, bangli)
    response = client.post(COUNTER, {
        "layanan": bangli.pk, "token": token_of(page), "channel": "suggestion_box",
        "applicant_type": "anonymous", "name": "dibuang", "subject": "Antrean terlalu lama",
        "action": "register"})
    assert response.status_code == 302
    request = Request.objects.get(service=bangli)
    assert request.applicant_type == "anonymous" and request.applicant_name == ""


def test_letter_channel_needs_the_letter_fields(demo, client_for):
    svc = Service.objects.get(agency__code="ORGANISASI-KEDIRI", position=5)
    client = client_for("kediri.petugas")
    page = counter_page(client, svc)
    data = {"layanan": svc.pk, "token": token_of(page), "channel": "letter", "applicant_type": "organisation",
            "organisation_name": "BKPSDM Kabupaten Kediri", "subject": "Perubahan nomenklatur",
            "action": "register", **ticks(svc)}
    response = client.post(COUNTER, data)
    assert response.status_code == 400
    assert "Isi nomor surat." in response.content.decode()
    assert not Request.objects.filter(service=svc).exists()
    data.update(letter_number="800/77/418.60/2026", letter_date="2026-03-02",
                letter_signatory="Kepala BKPSDM")
    assert client.post(COUNTER, data).status_code == 302
    request = Request.objects.get(service=svc)
    assert (request.channel, request.letter_number) == (Channel.LETTER, "800/77/418.60/2026")


def test_bad_nik_at_the_counter_is_400_in_indonesian(dinsos, desk):
    response = data_request(desk, dinsos, nik="6109013203850001")
    assert response.status_code == 400
    assert "Tanggal lahir pada NIK" in response.content.decode()
    assert not Request.objects.filter(service=dinsos).exists()
    assert not GuestBookEntry.objects.exists()


def test_nik_is_optional_for_a_consultation(demo, client_for):
    solok = Service.objects.get(agency__code="DPMN-SOLOK")
    client = client_for("solok.petugas")
    page = counter_page(client, solok)
    response = client.post(COUNTER, {"layanan": solok.pk, "token": token_of(page), "channel": "counter",
                                     "name": "Wali Nagari Koto Baru", "subject": "Konsultasi APB Nagari",
                                     "action": "register", **ticks(solok)})
    assert response.status_code == 302


def test_guest_only_then_keluar(dinsos, desk):
    page = counter_page(desk, dinsos)
    data = {"token": token_of(page), "name": "Pak Lurah", "organisation_name": "", "address": "Sekadau Hilir",
            "subject": "Silaturahmi", "action": "guest", "layanan": dinsos.pk}
    assert desk.post(COUNTER, data).status_code == 302
    assert desk.post(COUNTER, data).status_code == 302  # a second click
    entry = GuestBookEntry.objects.get(agency=dinsos.agency)
    assert (entry.name, entry.purpose, entry.request, entry.time_out) == (
        "Pak Lurah", "Silaturahmi", None, None)
    assert not Request.objects.exists()
    page = counter_page(desk, dinsos)
    assert "Pak Lurah" in page and reverse("desk:guest_out", args=[entry.pk]) in page
    assert desk.post(reverse("desk:guest_out", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.time_out is not None


def test_guest_book_lists_today_newest_first_in_pages(dinsos, desk):
    user = desk.get(COUNTER).wsgi_request.user
    now = timezone.now()
    GuestBookEntry.objects.bulk_create(
        GuestBookEntry(agency=dinsos.agency, name=f"Tamu {i:02d}", purpose="Info", recorded_by=user,
                       time_in=now - timedelta(minutes=i)) for i in range(25))
    GuestBookEntry.objects.create(agency=dinsos.agency, name="Tamu kemarin", purpose="Info",
                                  time_in=now - timedelta(days=2))
    page = counter_page(desk, dinsos)
    assert "Tamu 00" in page and "Tamu 19" in page and "Tamu 20" not in page
    older = re.search(r'href="([^"]*tamu_sebelum=[^"#]+)', page).group(1).replace("&amp;", "&")
    page2 = desk.get(older).content.decode()
    assert "Tamu 20" in page2 and "Tamu 24" in page2 and "Tamu 19" not in page2
    assert "Tamu kemarin" not in page + page2
    assert "tamu_sebelum" not in page2.split("Buku tamu hari ini")[1]


def test_only_desk_roles_of_the_agency_use_the_counter(dinsos, client_for, client):
    assert client.get(COUNTER).status_code == 302  # to the login page
    assert client_for("dinsos.kadis").get(COUNTER).status_code == 404  # head: not a desk role
    assert client_for("kediri.overseer").get(COUNTER).status_code == 404
    for username in ("dinsos.petugas", "dinsos.kasi", "dinsos.data", "dinsos.admin"):
        assert client_for(username).get(COUNTER).status_code == 200


def test_other_agency_gets_404_for_guest_lines_and_receipts(dinsos, desk, client_for):
    data_request(desk, dinsos, **ticks(dinsos))
    request = Request.objects.get(service=dinsos)
    entry = GuestBookEntry.objects.get(agency=dinsos.agency)
    stranger = client_for("bangli.petugas")
    assert stranger.get(reverse("desk:counter_receipt", args=[request.pk])).status_code == 404
    assert stranger.post(reverse("desk:guest_out", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.time_out is None
    # …and a service of another agency cannot be picked at this desk.
    bangli = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    assert 'name="req_' not in counter_page(client_for("kediri.petugas"), bangli)


def test_confidential_complainant_is_not_named_in_the_guest_book(demo, client_for):
    bangli = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    client = client_for("bangli.petugas")
    page = counter_page(client, bangli)
    response = client.post(COUNTER, {
        "layanan": bangli.pk, "token": token_of(page), "channel": "counter", "applicant_type": "person",
        "name": "I Made Rahasia", "nik": "5106011203850001", "subject": "Pungutan liar di loket izin",
        "confidential": "on", "action": "register", **ticks(bangli)})
    assert response.status_code == 302
    request = Request.objects.get(service=bangli)
    assert request.confidential and request.applicant_name == "I Made Rahasia"
    entry = GuestBookEntry.objects.get(agency=bangli.agency)
    assert (entry.name, entry.identity_number, entry.purpose) == ("(pelapor rahasia)", "", "Pengaduan")
    assert "I Made Rahasia" not in counter_page(client, bangli)
