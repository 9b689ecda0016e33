"""Issue 7, officers: a request page that guides (one next step, the rest behind "Tindakan lain",
destructive actions confirmed), a draft that goes up the paraf chain and can be sent back one
level, and the UU 14/2008 extension and objection with their own clocks."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from layanan.accounts.models import User
from layanan.requests import access, clock, lifecycle, receipt
from layanan.requests.models import Attachment, Channel, Event, Objection, Request, State
from layanan.standards.models import Service

from .conftest import login

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def user(username) -> User:
    return User.objects.get(username=username)


def fresh(request) -> Request:
    return Request.objects.get(pk=request.pk)


def act(request, username, action, **params) -> Request:
    return lifecycle.perform(fresh(request), user(username), action, **params)


def submit(code, **kw) -> Request:
    service = Service.objects.filter(agency__code=code).order_by("position").first()
    request, _created = lifecycle.submit(
        standard=service.published_standard, channel=Channel.WEB, subject="Data penerima PKH",
        applicant={"applicant_name": "Yohanes Apai", "applicant_phone": "+6285252375907"}, **kw)
    return request


def page(username, request) -> str:
    return login(username).get(reverse("desk:request", args=[request.pk])).content.decode()


def post(username, request, action, **data):
    client = login(username)
    data.setdefault("expected_version", fresh(request).version)
    return client.post(reverse("desk:act", args=[request.pk, action]), data)


def to_the_handler(request) -> Request:
    """Seed 001 up to "Petugas data … memproses" (step 9), the step before the first paraf."""
    act(request, "dinsos.petugas", "advance")
    act(request, "dinsos.tu", "advance")
    act(request, "dinsos.kadis", "dispose", note="Tindak lanjuti", to_user=user("dinsos.kasi"))
    act(request, "dinsos.kasi", "advance")
    return act(request, "dinsos.kasi", "dispose", note="Proses", to_user=user("dinsos.data"))


# ---------------------------------------------------------------- (a) the page guides


def primary_and_more(html: str):
    section = html[html.index('id="h-actions"'):]
    more = section.index('<details class="desk-more"') if "desk-more" in section else len(section)
    return section[:more], section[more:]


def test_the_next_step_is_the_one_main_action_and_the_rest_is_behind_tindakan_lain(demo):
    request = submit("DINSOS-SEKADAU")
    act(request, "dinsos.petugas", "advance")
    act(request, "dinsos.tu", "advance")
    act(request, "dinsos.kadis", "dispose", note="Tindak lanjuti", to_user=user("dinsos.kasi"))
    main, more = primary_and_more(page("dinsos.kasi", request))
    assert main.count("<form") == 1 and "Persyaratan lengkap, lanjut" in main and "desk-primary" in main
    assert "Tindakan lain" in more
    assert "Tolak" in more and "Kembalikan ke pemohon" in more and "Tolak" not in main
    assert re.search(r'name="confirm" value="1" required> Saya memastikan permohonan ini ditolak', more)


def test_reject_needs_the_confirmation_tick(demo):
    request = submit("DINSOS-SEKADAU")
    act(request, "dinsos.petugas", "advance")
    act(request, "dinsos.tu", "advance")
    act(request, "dinsos.kadis", "dispose", note="Tindak lanjuti", to_user=user("dinsos.kasi"))
    response = post("dinsos.kasi", request, "reject", note="Bukan data Dinsos")
    assert response.status_code == 400 and "Centang konfirmasi" in response.content.decode()
    assert fresh(request).state == State.IN_PROGRESS
    response = post("dinsos.kasi", request, "reject", note="Bukan data Dinsos", confirm="1")
    assert response.status_code == 302 and fresh(request).state == State.REJECTED


# ---------------------------------------------------------------- (b) the draft up the paraf chain


def test_a_draft_goes_up_is_sent_back_one_level_and_the_signed_version_is_delivered(demo, client):
    request = to_the_handler(submit("DINSOS-SEKADAU"))
    handler_page = page("dinsos.data", request)
    assert "Draf jawaban / surat untuk diparaf" in primary_and_more(handler_page)[0]
    letter = SimpleUploadedFile("surat-v1.pdf", PDF, content_type="application/pdf")
    client_data = login("dinsos.data")
    response = client_data.post(reverse("desk:act", args=[request.pk, "advance"]), {
        "expected_version": fresh(request).version, "draft_text": "Jawaban versi satu", "draft_file": letter})
    assert response.status_code == 302
    request = fresh(request)
    assert request.current_step.position == 10 and request.drafts.get().number == 1

    kabid = page("dinsos.kabid", request)
    assert "Draf untuk diparaf / disahkan" in kabid and "Jawaban versi satu" in kabid
    main, more = primary_and_more(kabid)
    assert "Paraf" in main and "Kembalikan untuk perbaikan" in more
    response = post("dinsos.kabid", request, "return_for_revision", note="Tambahkan rincian per desa")
    assert response.status_code == 302
    request = fresh(request)
    assert request.current_step.position == 9 and request.assignee == user("dinsos.data")
    back = page("dinsos.data", request)
    assert "Tambahkan rincian per desa" in back and "Jawaban versi satu" in back  # prefilled to revise
    assert "Tambahkan rincian per desa" not in client.get(receipt.tracking_path(request)).content.decode()

    act(request, "dinsos.data", "advance", draft_text="Jawaban versi dua, per desa")
    act(request, "dinsos.kabid", "advance")
    # The Sekretaris sends it back too: to the Kabid, who sent it up.
    act(request, "dinsos.sekretaris", "return_for_revision", note="Nomor surat belum ada")
    request = fresh(request)
    assert request.current_step.position == 10 and request.assignee == user("dinsos.kabid")
    act(request, "dinsos.kabid", "advance")
    act(request, "dinsos.sekretaris", "advance")
    act(request, "dinsos.kadis", "advance")
    signed = fresh(request).drafts.get(signed_at__isnull=False)
    assert signed.number == 2 and signed.signed_by == user("dinsos.kadis")
    assert "versi 2 yang sudah disahkan" in page("dinsos.tu", request)
    done = act(request, "dinsos.tu", "advance", product_text="Teks lain yang tidak disahkan")
    assert done.state == State.RESOLVED and done.product_text == "Jawaban versi dua, per desa"
    paraf = Event.objects.filter(request=done, action="initial").order_by("at", "id")
    assert [e.data.get("draft") for e in paraf] == [2, 2, 2]  # v1 was sent back, never initialled
    track = client.get(receipt.tracking_path(done)).content.decode()
    assert "Jawaban versi dua, per desa" in track


def test_the_signed_draft_file_is_the_delivered_product(demo, client):
    request = to_the_handler(submit("DINSOS-SEKADAU"))
    login("dinsos.data").post(reverse("desk:act", args=[request.pk, "advance"]), {
        "expected_version": fresh(request).version, "draft_text": "Surat jawaban",
        "draft_file": SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf")})
    for username in ("dinsos.kabid", "dinsos.sekretaris", "dinsos.kadis", "dinsos.tu"):
        act(request, username, "advance")
    done = fresh(request)
    product = done.attachments.get(purpose=Attachment.Purpose.PRODUCT)
    assert product.filename == "surat.pdf"
    assert "surat.pdf" in client.get(receipt.tracking_path(done)).content.decode()


def test_only_paraf_and_sign_off_steps_may_return_for_revision(demo):
    request = to_the_handler(submit("DINSOS-SEKADAU"))
    names = [a.name for a in lifecycle.available_actions(fresh(request), user("dinsos.data"))]
    assert "return_for_revision" not in names
    with pytest.raises(lifecycle.LifecycleError):
        act(request, "dinsos.data", "return_for_revision", note="x")
    act(request, "dinsos.data", "advance", draft_text="v1")
    with pytest.raises(lifecycle.LifecycleError):  # a note is required
        act(request, "dinsos.kabid", "return_for_revision", note="")


# ---------------------------------------------------------------- UU 14/2008


def test_the_official_extends_an_information_request_once_by_seven_working_days(demo, client):
    request = submit("DINSOS-SEKADAU")
    act(request, "dinsos.petugas", "advance")
    before = fresh(request).due_at
    assert "extend" in [a.name for a in lifecycle.available_actions(fresh(request), user("dinsos.tu"))]
    response = post("dinsos.tu", request, "extend", note="Data harus dihimpun dari 5 kecamatan")
    assert response.status_code == 302
    request = fresh(request)
    expected = clock.working_days_after(request.agency, before - timedelta(seconds=1), 7)
    assert request.due_at == expected and request.due_at > before and request.extended_days == 7
    event = Event.objects.get(request=request, action="extend")
    assert event.public and event.data["days"] == 7
    track = client.get(receipt.tracking_path(request)).content.decode()
    assert "Jangka waktu diperpanjang 7 hari kerja" in track and "5 kecamatan" in track
    assert "diperpanjang 7 hari kerja" in track
    assert "extend" not in [a.name for a in lifecycle.available_actions(request, user("dinsos.tu"))]
    with pytest.raises(lifecycle.LifecycleError):
        act(request, "dinsos.tu", "extend", note="lagi")


def test_a_complaint_cannot_be_extended(demo):
    request = submit("DPMPTSP-BANGLI")
    assert not any(a.name == "extend" for a in lifecycle.available_actions(request, user("bangli.kadis")))


def answered_information_request():
    request = submit("DISDUKCAPIL-PROBOLINGGO")
    act(request, "dukcapil.petugas", "advance")
    act(request, "dukcapil.petugas", "advance")
    return act(request, "dukcapil.petugas", "advance", product_text="Syaratnya KTP dan KK.")


def test_the_applicant_objects_and_the_superior_answers_on_a_clock_of_its_own(demo, client):
    request = answered_information_request()
    track_url = receipt.tracking_path(request)
    html = client.get(track_url).content.decode()
    assert "Ajukan keberatan" in html and "30 hari kerja" in html
    response = client.post(reverse("public_requests:objection", args=[request.tracking_code,
                                                                      request.tracking_secret]),
                           {"reason": "Jawaban tidak lengkap: syarat untuk anak tidak disebut."})
    assert response.status_code == 302
    objection = Objection.objects.get(request=request)
    assert objection.due_at == clock.working_days_after(request.agency, objection.lodged_at, 30)
    html = client.get(track_url).content.decode()
    assert "Atasan pejabat wajib menanggapi paling lambat" in html
    assert "Pemohon mengajukan keberatan" in html
    desk = page("dukcapil.kadis", request)
    assert "Keberatan pemohon" in desk and "Tenggat tanggapan atasan" in desk
    assert "Tanggapi keberatan" in desk
    assert not any(a.name == "answer_objection"
                   for a in lifecycle.available_actions(fresh(request), user("dukcapil.petugas")))
    response = post("dukcapil.kadis", request, "answer_objection", note="Syarat untuk anak: akta lahir.")
    assert response.status_code == 302
    html = client.get(track_url).content.decode()
    assert "Tanggapan atasan" in html and "akta lahir" in html and "Komisi Informasi" in html
    # One objection per request.
    assert not access.may_object(fresh(request))


def test_no_objection_after_thirty_working_days_or_for_a_complaint(demo, client):
    request = answered_information_request()
    late = timezone.now() + timedelta(days=60)
    assert not access.may_object(fresh(request), now=late)
    assert access.may_object(fresh(request))
    complaint = submit("DPMPTSP-BANGLI")
    assert not access.may_object(complaint)
    response = client.post(reverse("public_requests:objection", args=[complaint.tracking_code,
                                                                      complaint.tracking_secret]),
                           {"reason": "x"})
    assert response.status_code == 400 and not Objection.objects.filter(request=complaint).exists()
