"""An applicant asks to see or erase their personal data (UU 27/2022): an action with a record; and the
agency admin reads the log of who opened a confidential complainant's identity."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from layanan.privacy.models import DataSubjectRequest
from layanan.requests import access, lifecycle
from layanan.requests.models import Event, IdentityView, Request
from layanan.standards.models import Service

from .conftest import login

NIK = "5106024107850003"
NAME = "Ni Made Sukerti"
PHONE = "+6281337001122"
EMAIL = "made.sukerti@example.id"


def submit(code, *, nik=NIK, **extra):
    services = Service.objects.filter(agency__code=code, published_standard__isnull=False)
    service = services.order_by("position")[0]
    applicant = {"applicant_name": NAME, "applicant_nik": nik, "applicant_phone": PHONE,
                 "applicant_email": EMAIL, "applicant_address": "Br. Kawan, Bangli", **extra}
    request, _created = lifecycle.submit(standard=service.published_standard, channel="web",
                                         subject="Izin usaha", applicant=applicant)
    return request


def finish(request):
    return lifecycle.perform(request, access.ApplicantActor(request.pk), "withdraw", confirmed=True,
                             now=timezone.now() - timedelta(days=1))


def record(client, kind, identifier, **extra):
    return client.post(reverse("privacy:subjects"), {"kind": kind, "identifier": identifier, **extra})


def test_admin_records_an_access_request_by_nik_and_hands_over_a_copy(demo):
    mine = [finish(submit("DPMPTSP-BANGLI")), submit("DPMPTSP-BANGLI")]
    other_person = submit("DPMPTSP-BANGLI", nik="5106020101800001", applicant_phone="+6281200000001",
                          applicant_email="lain@example.id")
    elsewhere = submit("DPMN-SOLOK")  # same person, another agency: not this agency's data
    admin = login("bangli.admin")

    response = record(admin, "access", "5106 0241 0785 0003", note="Datang ke loket dengan KTP")
    assert response.status_code == 302
    dsr = DataSubjectRequest.objects.get()
    # The record keeps a keyed hash and a masked hint, never the NIK.
    stored = json.dumps([str(v) for v in DataSubjectRequest.objects.values().get().values()])
    assert NIK not in stored and dsr.subject_hint.endswith("0003")
    assert dsr.outcome == "pending" and dsr.recorded_by.username == "bangli.admin"

    page = admin.get(response["Location"]).content.decode()
    for request in mine:
        assert request.tracking_code in page
    assert other_person.tracking_code not in page and elsewhere.tracking_code not in page
    assert NIK not in page  # the list shows codes, not the data

    copy = admin.get(reverse("privacy:subject_export", args=[dsr.pk]))
    assert copy.status_code == 200 and "no-store" in copy.get("Cache-Control", "")
    html = copy.content.decode()
    assert NIK in html and PHONE in html and EMAIL in html
    download = admin.get(reverse("privacy:subject_export", args=[dsr.pk]) + "?format=json")
    assert download["Content-Disposition"].startswith("attachment")
    data = json.loads(download.content)
    assert [r["tracking_code"] for r in data["requests"]] == [r.tracking_code for r in mine]
    assert data["requests"][0]["applicant"]["nik"] == NIK
    dsr.refresh_from_db()
    assert dsr.outcome == "provided" and dsr.handled_by.username == "bangli.admin" and dsr.handled_at
    assert dsr.result["requests"] == [r.tracking_code for r in mine]


def test_the_same_person_is_found_by_phone_or_e_mail(demo):
    request = submit("DPMPTSP-BANGLI")
    admin = login("bangli.admin")
    for typed in ("0813-3700-1122", "MADE.SUKERTI@example.id"):
        response = record(admin, "access", typed)
        assert request.tracking_code in admin.get(response["Location"]).content.decode(), typed


def test_erasure_anonymises_finished_requests_and_refuses_open_ones_with_a_reason(demo, client):
    finished = finish(submit("DPMPTSP-BANGLI"))
    still_open = submit("DPMPTSP-BANGLI")
    admin = login("bangli.admin")
    dsr_url = record(admin, "erasure", NIK)["Location"]
    dsr = DataSubjectRequest.objects.get()
    erase_url = reverse("privacy:subject_erase", args=[dsr.pk])

    # Without the confirmation nothing happens.
    admin.post(erase_url, {})
    finished.refresh_from_db()
    assert finished.anonymised_at is None and finished.applicant_nik == NIK

    response = admin.post(erase_url, {"confirm": "on"}, follow=True)
    text = response.content.decode()
    assert f"Data pribadi dihapus dari 1 permohonan: {finished.tracking_code}" in text
    assert f"masih berjalan tidak dihapus: {still_open.tracking_code}" in text
    finished.refresh_from_db()
    still_open.refresh_from_db()
    assert finished.anonymised_at and finished.applicant_nik == "" and finished.applicant_name == ""
    assert still_open.anonymised_at is None and still_open.applicant_nik == NIK
    marker = Event.objects.get(request=finished, action="anonymised")
    assert marker.actor.username == "bangli.admin" and marker.data["reason"] == "erasure"
    dsr.refresh_from_db()
    assert dsr.outcome == "partly_erased"
    assert dsr.result == {"erased": [finished.tracking_code], "open": [still_open.tracking_code]}
    assert finished.tracking_code not in admin.get(dsr_url).content.decode().split("<h2>")[2]

    # Once the open one is finished, the same record erases the rest.
    finish(still_open)
    admin.post(erase_url, {"confirm": "on"})
    dsr.refresh_from_db()
    still_open.refresh_from_db()
    assert dsr.outcome == "erased" and still_open.anonymised_at is not None
    assert sorted(dsr.result["erased"]) == sorted([finished.tracking_code, still_open.tracking_code])


def test_an_identifier_that_is_neither_nik_phone_nor_e_mail_is_refused_in_indonesian(demo):
    admin = login("bangli.admin")
    for bad in ("Budi", "12345", "a\x00b", ""):
        response = record(admin, "erasure", bad)
        assert response.status_code == 400, repr(bad)
    assert "Masukkan NIK (16 angka), nomor telepon atau alamat e-mail pemohon." in \
        record(admin, "erasure", "Budi").content.decode()
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert record(admin, "access", NIK, requested_at=tomorrow).status_code == 400
    assert not DataSubjectRequest.objects.exists()


def test_linking_a_person_to_a_confidential_complaint_is_logged_as_a_view_of_the_identity(demo):
    request = submit("DPMPTSP-BANGLI", confidential=True)
    admin = login("bangli.admin")
    dsr_url = record(admin, "access", NIK)["Location"]
    views = IdentityView.objects.filter(request=request, viewer__username="bangli.admin")
    assert views.count() == 0
    assert request.tracking_code in admin.get(dsr_url).content.decode()  # this person made that complaint
    assert views.count() == 1
    admin.get(dsr_url.rstrip("/") + "/data/")  # the copy shows the identity itself
    assert views.count() == 2


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("username, home, create, export", [
    ("bangli.admin", 200, 302, 200),
    ("bangli.kadis", 200, 404, 404),  # the head reads the records, does not act
    ("bangli.petugas", 404, 404, 404),
    ("solok.admin", 200, 302, 404),  # its own screens; another agency's record is a 404
    ("kediri.overseer", 404, 404, 404),
])
def test_who_may_use_the_privacy_screens(demo, username, home, create, export):
    from layanan.accounts.models import User

    dsr = DataSubjectRequest.objects.create(
        agency=demo["DPMPTSP-BANGLI"], kind="access", subject_kind="nik", subject_ref="x" * 64,
        subject_hint="••••0003", requested_at=timezone.now())
    assert User.objects.filter(username=username).exists()
    client = login(username)
    assert client.get(reverse("privacy:home")).status_code == home
    assert client.get(reverse("privacy:identity_log")).status_code == home
    assert record(client, "access", NIK).status_code == create
    assert client.get(reverse("privacy:subject_export", args=[dsr.pk])).status_code == export
    assert client.post(reverse("privacy:subject_erase", args=[dsr.pk]), {"confirm": "on"}).status_code in \
        ({302} if export == 200 else {404})
    detail = client.get(reverse("privacy:subject", args=[dsr.pk])).status_code
    assert detail == (200 if username in {"bangli.admin", "bangli.kadis"} else 404)


def test_console_home_links_the_privacy_screen_for_the_agency_admin(demo):
    assert reverse("privacy:home") in login("bangli.admin").get(reverse("console:home")).content.decode()


# ---------------------------------------------------------------- the identity-view log


def test_admin_reads_who_opened_a_confidential_identity_newest_first_and_filters_by_code(demo):
    confidential = submit("DPMPTSP-BANGLI", confidential=True)
    other = submit("DPMPTSP-BANGLI", confidential=True, applicant_nik="")
    handler = login("bangli.petugas")
    for request in (confidential, other, confidential):
        assert handler.get(reverse("desk:request", args=[request.pk])).status_code == 200
    views = list(IdentityView.objects.filter(request__agency__code="DPMPTSP-BANGLI").order_by("-at", "-id"))
    assert len(views) >= 3

    admin = login("bangli.admin")
    page = admin.get(reverse("privacy:identity_log")).content.decode()
    assert "bangli.petugas" in page and confidential.tracking_code in page and other.tracking_code in page
    assert page.index(confidential.tracking_code) < page.index(other.tracking_code)  # newest first
    assert NAME not in page and NIK not in page  # the log names the viewer, never the complainant

    filtered = admin.get(reverse("privacy:identity_log"), {"kode": other.tracking_code}).content.decode()
    assert other.tracking_code in filtered and confidential.tracking_code not in filtered
    # As the officer types it from a letter: lower case, spaces around (matched on the unique index).
    typed = admin.get(reverse("privacy:identity_log"),
                      {"kode": f" {other.tracking_code.lower()} "}).content.decode()
    assert other.tracking_code in typed and confidential.tracking_code not in typed
    # Another agency's admin sees none of it.
    assert confidential.tracking_code not in login("solok.admin").get(reverse("privacy:identity_log")) \
        .content.decode()
    # Hostile filters are harmless.
    for value in ("\x00", "<script>", "x" * 5000):
        response = admin.get(reverse("privacy:identity_log"), {"kode": value, "hal": "zz"})
        assert response.status_code in {200, 400}


def test_privacy_home_shows_the_periods_in_force_and_what_is_due(demo):
    agency = demo["DPMPTSP-BANGLI"]
    agency.retention_days_complaint = 400
    agency.save()
    page = login("bangli.admin").get(reverse("privacy:home")).content.decode()
    assert "400 hari" in page and "1825 hari" in page
    assert Request.objects.filter(agency=agency, anonymised_at__isnull=False).count() == 0
