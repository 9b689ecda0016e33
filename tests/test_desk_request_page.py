"""The desk's request page: personal data, actions, the procedure run through the views, sheets."""

import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone, translation

from layanan.accounts.models import User
from layanan.agencies.models import Unit
from layanan.requests import lifecycle
from layanan.requests.models import Attachment, CompensationTask, Event, IdentityView, Request, State
from layanan.standards.models import Service

from .conftest import login

NIK = "6109012345670001"
PHONE = "+6281234567890"
ADDRESS = "Jl. Merdeka No. 7, Sekadau"


def new_request(agency_code: str, service_code: str | None = None, *, subject="Permintaan data PKH",
                channel="counter", actor=None, description="", **applicant):
    services = Service.objects.filter(agency__code=agency_code, published_standard__isnull=False)
    service = services.get(code=service_code) if service_code else services.order_by("position").first()
    data = {"applicant_name": "Budi Santoso", "applicant_phone": PHONE,
            "applicant_email": "budi.santoso@example.id", "applicant_nik": NIK,
            "applicant_address": ADDRESS}
    data.update(applicant)
    request, created = lifecycle.submit(standard=service.published_standard, channel=channel,
                                        subject=subject, applicant=data, actor=actor,
                                        description=description)
    assert created
    return request


def user(username):
    return User.objects.get(username=username)


def page(client, req):
    response = client.get(reverse("desk:request", args=[req.pk]))
    assert response.status_code == 200
    return response.content.decode()


def post(client, req, action, *, version=None, **data):
    req.refresh_from_db()
    payload = {"expected_version": req.version if version is None else version, **data}
    return client.post(reverse("desk:act", args=[req.pk, action]), payload)


def shown_actions(html: str) -> set[str]:
    return set(re.findall(r'/tindakan/([a-z_]+)/"', html))


# ---------------------------------------------------------------- personal data


def test_personal_data_is_masked_unless_the_viewer_handles_the_request(demo):
    req = new_request("DINSOS-SEKADAU")  # step 4: petugas pelayanan (front_desk, Layanan Data dan Pengaduan)
    for username in ("dinsos.petugas", "dinsos.kadis", "dinsos.admin"):
        html = page(login(username), req)
        assert NIK in html and PHONE in html and ADDRESS in html, username
    for username in ("dinsos.kabid", "dinsos.tu", "dinsos.sekretaris", "dinsos.data"):
        html = page(login(username), req)
        assert "Budi Santoso" in html, username
        assert NIK not in html and PHONE not in html and ADDRESS not in html, username
        assert "0001" in html and "7890" in html  # masked: the last four digits only
    # The assignee handles it, whatever the step.
    Request.objects.filter(pk=req.pk).update(assignee=user("dinsos.tu"))
    assert NIK in page(login("dinsos.tu"), req)


def test_inbox_never_shows_the_nik_and_masks_the_phone(demo):
    new_request("DINSOS-SEKADAU")
    html = login("dinsos.kadis").get(reverse("desk:inbox") + "?lingkup=instansi").content.decode()
    assert "Budi Santoso" in html
    assert NIK not in html and PHONE not in html and "7890" in html


def test_confidential_complaint_is_visible_only_to_the_complaint_handler_and_every_view_is_logged(demo):
    req = new_request("DPMPTSP-BANGLI", subject="Pungutan liar di loket", applicant_name="Ketut Rahasia",
                      confidential=True, channel="web")
    for username in ("bangli.kadis", "bangli.admin", "bangli.kabid", "bangli.tim", "bangli.sekretaris"):
        client = login(username)
        html = page(client, req)
        assert "Ketut Rahasia" not in html and NIK not in html and "7890" not in html, username
        assert "Dirahasiakan" in html
        inbox = client.get(reverse("desk:inbox") + "?lingkup=instansi").content.decode()
        assert "Ketut Rahasia" not in inbox
    assert IdentityView.objects.filter(request=req).count() == 0

    handler = login("bangli.petugas")  # petugas pengaduan (front_desk)
    for n in (1, 2):
        html = page(handler, req)
        assert "Ketut Rahasia" in html and NIK in html
        assert IdentityView.objects.filter(request=req, viewer__username="bangli.petugas").count() == n
    assert "Ketut Rahasia" in page(login("bangli.operator"), req)  # operator IT takes online complaints
    assert IdentityView.objects.filter(request=req, viewer__username="bangli.operator").count() == 1
    # A web complaint lands in the IT operator's tasks; the inbox row shows (and logs) the name.
    inbox = login("bangli.operator").get(reverse("desk:inbox") + "?lingkup=saya").content.decode()
    assert "Ketut Rahasia" in inbox
    assert IdentityView.objects.filter(request=req, viewer__username="bangli.operator").count() == 2
    # The printable sheet is a view too; the head sees it without the identity.
    sheet = login("bangli.kadis").get(reverse("desk:disposition_sheet", args=[req.pk])).content.decode()
    assert "Ketut Rahasia" not in sheet and "☒ Rahasia" in sheet
    handler.get(reverse("desk:disposition_sheet", args=[req.pk]))
    assert IdentityView.objects.filter(request=req).count() == 5


# ---------------------------------------------------------------- actions


@pytest.mark.parametrize("agency,usernames", [
    ("DINSOS-SEKADAU", ["dinsos.petugas", "dinsos.tu", "dinsos.kadis", "dinsos.kasi", "dinsos.data",
                        "dinsos.admin", "dinsos.sekretaris"]),
    ("DPMN-SOLOK", ["solok.petugas", "solok.kabid", "solok.kadis", "solok.staf", "solok.sekdis"]),
])
def test_the_page_shows_exactly_the_actions_the_engine_allows(demo, agency, usernames):
    req = new_request(agency)
    for username in usernames:
        html = page(login(username), req)
        expected = {a.name for a in lifecycle.available_actions(req, user(username))}
        assert shown_actions(html) == expected, username
        assert 'name="expected_version" value="1"' in html


def test_the_dinsos_13_step_letter_chain_through_the_desk(demo):
    """Seed 001: counter → admin registers → Kadis disposes → Kasi verifies (returns, resumes)
    → Kasi disposes → data officer → Kabid and Sekretaris initial → Kadis signs → admin hands over."""
    req = new_request("DINSOS-SEKADAU", actor=user("dinsos.petugas"))
    kasi, data_officer = user("dinsos.kasi"), user("dinsos.data")
    seksi = Unit.objects.get(agency=req.agency, name__startswith="Seksi Rehabilitasi Sosial Penyandang")

    def step(r):
        r.refresh_from_db()
        return r.current_step.position if r.current_step else None

    assert step(req) == 4
    assert post(login("dinsos.petugas"), req, "advance", note="Formulir lengkap").status_code == 302
    assert step(req) == 5
    assert post(login("dinsos.tu"), req, "advance").status_code == 302
    assert step(req) == 6
    response = post(login("dinsos.kadis"), req, "dispose", to_user=kasi.pk, to_unit=seksi.pk,
                    note="Mohon diverifikasi dan ditindaklanjuti")
    assert response.status_code == 302
    assert step(req) == 7 and req.assignee == kasi and req.assigned_unit == seksi

    kasi_client = login("dinsos.kasi")
    html = page(kasi_client, req)
    assert {"advance", "return_incomplete", "reject"} <= shown_actions(html)
    requirement = req.standard.requirements.order_by("position").first()
    response = post(kasi_client, req, "return_incomplete", missing=[requirement.pk],
                    missing_other="Surat kuasa bermeterai", note="Mohon dilengkapi")
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == State.WAITING_APPLICANT
    event = req.events.get(action="return_incomplete")
    assert event.data["missing"] == [requirement.label, "Surat kuasa bermeterai"]
    assert "resume" in shown_actions(page(login("dinsos.petugas"), req))
    assert post(login("dinsos.petugas"), req, "resume").status_code == 302
    req.refresh_from_db()
    assert req.state == State.IN_PROGRESS and step(req) == 7

    assert post(kasi_client, req, "advance", note="Memenuhi syarat").status_code == 302
    assert step(req) == 8
    response = post(kasi_client, req, "dispose", to_user=data_officer.pk, note="Siapkan datanya")
    assert response.status_code == 302
    assert step(req) == 9 and req.assignee == data_officer
    assert post(login("dinsos.data"), req, "advance", note="Data disiapkan", public="1").status_code == 302
    assert step(req) == 10
    assert post(login("dinsos.kabid"), req, "advance").status_code == 302  # paraf
    assert post(login("dinsos.sekretaris"), req, "advance").status_code == 302  # paraf
    assert post(login("dinsos.kadis"), req, "advance").status_code == 302  # tanda tangan
    assert step(req) == 13
    html = page(login("dinsos.tu"), req)
    assert 'name="product_text"' in html
    response = post(login("dinsos.tu"), req, "advance", product_text="Data PKH Kecamatan Sekadau Hilir 2025")
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == State.RESOLVED and req.product_text.startswith("Data PKH")

    actions = list(req.events.order_by("at", "id").values_list("action", flat=True))
    assert actions[1:] == ["process", "register", "dispose", "return_incomplete", "resume", "verify",
                       "dispose", "process", "initial", "initial", "approve", "deliver"]
    html = page(login("dinsos.kadis"), req)
    assert "Mohon diverifikasi dan ditindaklanjuti" in html and "internal" in html

    sheet = login("dinsos.kadis").get(reverse("desk:disposition_sheet", args=[req.pk]))
    assert sheet.status_code == 200
    text = sheet.content.decode()
    assert "LEMBAR DISPOSISI" in text and req.tracking_code in text
    assert "Mohon diverifikasi dan ditindaklanjuti" in text and "Siapkan datanya" in text
    assert str(kasi) in text and str(data_officer) in text and seksi.name in text
    assert "PEMERINTAH KABUPATEN SEKADAU" in text


def test_escalation_and_the_heads_acknowledgement_on_the_consultation_sheet(demo):
    """Seed 000: staff → bidang → Sekdis (cannot resolve), then the Kadis acknowledges the result."""
    req = new_request("DPMN-SOLOK", subject="Penyusunan Perdes APB Nagari", actor=user("solok.petugas"))
    assert req.current_step.position == 2
    response = post(login("solok.petugas"), req, "escalate")  # the engine wants a reason
    assert response.status_code == 400
    assert "Tuliskan mengapa" in response.content.decode()
    assert post(login("solok.petugas"), req, "escalate", note="Perlu kajian bidang").status_code == 302
    req.refresh_from_db()
    assert req.current_step.position == 3
    assert post(login("solok.kabid"), req, "escalate", note="Butuh keputusan pimpinan").status_code == 302
    req.refresh_from_db()
    assert req.current_step.position == 4
    assert post(login("solok.sekdis"), req, "advance", note="Disarankan memakai format Permendagri 20/2018",
                public="1").status_code == 302
    assert post(login("solok.kadis"), req, "advance", note="Hasil konsultasi disetujui").status_code == 302
    req.refresh_from_db()
    assert req.state == State.RESOLVED

    response = login("solok.staf").get(reverse("desk:consultation_sheet", args=[req.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "LEMBAR KONSULTASI" in text and "Penyusunan Perdes APB Nagari" in text
    assert "Perlu kajian bidang" in text and "Butuh keputusan pimpinan" in text
    assert "Mengetahui" in text and "Kepala Dinas" in text and "Syahrial Datuak Rajo Lelo" in text
    assert "NIP." in text
    approve = req.events.get(action="approve")
    with translation.override("id"):
        shown = date_format(timezone.localtime(approve.at, ZoneInfo("Asia/Jakarta")), "d F Y")
    assert shown in text
    assert "Disahkan di Layanan oleh" in text


def test_a_stale_version_is_a_409_conflict_with_a_clear_message(demo):
    req = new_request("DINSOS-SEKADAU")
    client = login("dinsos.petugas")
    stale = req.version
    assert post(client, req, "note", note="Pemohon menelepon").status_code == 302
    response = post(client, req, "advance", version=stale)
    assert response.status_code == 409
    assert "Permohonan ini baru saja diubah oleh petugas lain" in response.content.decode()
    req.refresh_from_db()
    assert req.current_step.position == 4


def test_bad_action_input_is_a_400_never_a_500(demo):
    req = new_request("DINSOS-SEKADAU")
    petugas = login("dinsos.petugas")
    assert post(petugas, req, "dispose", note="x").status_code == 400  # not this step's action
    assert post(petugas, req, "nonsense").status_code == 400
    response = petugas.post(reverse("desk:act", args=[req.pk, "advance"]), {})  # no version
    assert response.status_code == 400
    assert "Muat ulang" in response.content.decode()
    assert post(petugas, req, "advance").status_code == 302
    assert post(login("dinsos.tu"), req, "advance").status_code == 302
    kadis = login("dinsos.kadis")
    foreign = User.objects.filter(agency__code="DPMN-SOLOK").first()
    response = post(kadis, req, "dispose", to_user=foreign.pk, note="x")
    assert response.status_code == 400 and "tidak ditemukan" in response.content.decode()
    assert post(kadis, req, "dispose", to_user="abc", note="x").status_code == 400
    assert post(kadis, req, "dispose", note="").status_code == 400
    assert kadis.get(reverse("desk:act", args=[req.pk, "advance"])).status_code == 405
    req.refresh_from_db()
    assert req.current_step.position == 6


# ---------------------------------------------------------------- attachments


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(req, *, requirement=None, name="surat.pdf"):
    att = Attachment(request=req, purpose=Attachment.Purpose.REQUIREMENT, requirement=requirement,
                     filename=name, content_type="application/pdf", size=9)
    att.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    att.save()
    return att


def test_attachments_are_served_as_downloads_to_staff_of_the_agency_only(demo, media):
    req = new_request("DINSOS-SEKADAU")
    letter = attach(req)
    identity = attach(req, requirement=req.standard.requirements.get(kind="identity"), name="ktp.pdf")
    url = reverse("desk:attachment", args=[req.pk, letter.pk])
    response = login("dinsos.kabid").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    # A KTP copy: only those who handle the request.
    ktp = reverse("desk:attachment", args=[req.pk, identity.pk])
    assert login("dinsos.kabid").get(ktp).status_code == 404
    assert login("dinsos.petugas").get(ktp).status_code == 200
    # Another agency: 404, for the file and for a mismatched request/attachment pair.
    assert login("solok.admin").get(url).status_code == 404
    other = new_request("DINSOS-SEKADAU")
    mismatched = reverse("desk:attachment", args=[other.pk, letter.pk])
    assert login("dinsos.kadis").get(mismatched).status_code == 404


# ---------------------------------------------------------------- compensation


def test_compensation_task_is_marked_done_from_the_request_page(demo):
    req = new_request("DISDUKCAPIL-PROBOLINGGO", subject="Syarat KIA")
    task = CompensationTask.objects.create(request=req, promise="Produk diantar ke rumah pemohon")
    client = login("dukcapil.petugas")
    html = page(client, req)
    done_url = reverse("desk:compensation_done", args=[req.pk])
    assert "Produk diantar ke rumah pemohon" in html and done_url in html
    response = client.post(done_url, {"note": "Diantar 12/3"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at and task.note == "Diantar 12/3"
    assert client.post(reverse("desk:compensation_done", args=[req.pk]), {"note": "lagi"}).status_code == 302
    task.refresh_from_db()
    assert task.note == "Diantar 12/3"


# ---------------------------------------------------------------- tenancy matrix


def desk_urls(req, attachment) -> list[tuple[str, str]]:
    urls = [("get", reverse("desk:request", args=[req.pk])),
            ("get", reverse("desk:attachment", args=[req.pk, attachment.pk])),
            ("get", reverse("desk:disposition_sheet", args=[req.pk])),
            ("get", reverse("desk:consultation_sheet", args=[req.pk])),
            ("post", reverse("desk:compensation_done", args=[req.pk]))]
    urls += [("post", reverse("desk:act", args=[req.pk, name])) for name in lifecycle.HANDLERS]
    return urls


AGENCIES = ["DPMN-SOLOK", "DINSOS-SEKADAU", "ORGANISASI-KEDIRI", "DPMPTSP-BANGLI", "DISDUKCAPIL-PROBOLINGGO"]


def test_staff_of_one_agency_get_404_for_every_desk_url_of_a_request_of_another(demo, media):
    requests = {}
    for code in AGENCIES:
        req = new_request(code)
        CompensationTask.objects.create(request=req, promise="x")
        requests[code] = (req, attach(req))
    for own, other in itertools.permutations(AGENCIES, 2):
        req, att = requests[other]
        urls = desk_urls(req, att)
        for person in User.objects.filter(agency__code=own, is_active=True):
            client = login(person.username)
            for method, url in urls:
                response = getattr(client, method)(url, {"expected_version": req.version, "note": "x"})
                assert response.status_code == 404, (person.username, method, url)
    # Nothing changed hands: each request still carries only the event of its intake.
    assert all(r.events.count() == 1 for r, _att in requests.values())
    assert Event.objects.filter(request__in=[r for r, _att in requests.values()]).count() == len(AGENCIES)
    assert not CompensationTask.objects.filter(done_at__isnull=False).exists()


def test_the_desk_matrix_touches_pages_that_exist_for_their_own_staff(demo, media):
    req = new_request("DINSOS-SEKADAU")
    att = attach(req)
    client = login("dinsos.kadis")
    for method, url in desk_urls(req, att):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_region_wide_roles_do_not_use_the_desk(demo):
    req = new_request("ORGANISASI-KEDIRI")
    client = login("kediri.overseer")
    assert client.get(reverse("desk:inbox")).status_code == 404
    assert client.get(reverse("desk:request", args=[req.pk])).status_code == 404
