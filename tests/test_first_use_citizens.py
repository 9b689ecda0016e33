"""Issue 7, citizens: the right form for the kind chosen, requirements the applicant really brings,
an honest anonymous receipt, a findable tracking page, a timeline with every milestone, and the
small things of a form on a phone (required marks, focus on the first error, decimal commas)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.importer import fields as importer_fields
from layanan.requests import lifecycle, notifications, receipt
from layanan.requests.models import Channel, Request, State
from layanan.requests.routing import entry_step
from layanan.standards.completeness import check_components
from layanan.standards.models import Requirement, Service, Step

NIK = "6109014507920003"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def service(code) -> Service:
    return Service.objects.filter(agency__code=code).order_by("position").first()


def apply_url(svc, jenis="") -> str:
    url = reverse("public_requests:apply", args=[svc.agency.code, svc.code])
    return f"{url}?jenis={jenis}" if jenis else url


def token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def person(**extra) -> dict:
    return {"applicant_type": "person", "name": "Yohanes Apai", "nik": NIK, "phone": "0852-5237-5907",
            "address": "Sekadau Hilir", "consent": "on", **extra}


def upload(name="bukti.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def user(username) -> User:
    return User.objects.get(username=username)


def act(request, username, action, **params) -> Request:
    return lifecycle.perform(Request.objects.get(pk=request.pk), user(username), action, **params)


# ---------------------------------------------------------------- (a) the kind the citizen chooses


def test_a_service_taking_two_kinds_asks_which_first(demo, client):
    svc = service("DINSOS-SEKADAU")
    page = client.get(apply_url(svc)).content.decode()
    assert "Apa yang ingin Anda sampaikan?" in page
    assert "?jenis=pengaduan" in page and "?jenis=permintaan-data" in page
    assert 'name="token"' not in page  # no form before the choice


def test_a_complaint_gets_the_complaint_form_requirements_and_receipt(demo, client):
    svc = service("DINSOS-SEKADAU")
    page = client.get(apply_url(svc, "pengaduan")).content.decode()
    assert "Sampaikan pengaduan" in page and "Anonim" in page and "Rahasia" in page
    assert "Tujuan penggunaan data" not in page
    assert "Surat Permohonan tertulis" not in page  # the request letter is asked of data requests only
    response = client.post(apply_url(svc, "pengaduan"), person(
        token=token(page), subject="Bantuan sosial tidak sampai", description="Sejak Maret belum diterima."))
    assert response.status_code == 302
    request = Request.objects.get(service=svc)
    assert request.kind == "complaint"
    receipt_page = client.get(response["Location"]).content.decode()
    assert "Pengaduan Anda sudah kami terima" in receipt_page and "Tanda terima pengaduan" in receipt_page
    assert "Surat Permohonan tertulis" not in receipt_page
    track = client.get(receipt.tracking_path(request)).content.decode()
    assert "Pengaduan Anda telah diterima" in track and "Permohonan Anda" not in track
    assert "Pengaduan diterima" in track


def test_a_data_request_of_the_same_service_asks_purpose_and_the_letter(demo, client):
    svc = service("DINSOS-SEKADAU")
    page = client.get(apply_url(svc, "permintaan-data")).content.decode()
    assert "Tujuan penggunaan data" in page and "Surat Permohonan tertulis" in page
    assert "Anonim" not in page
    letter = Requirement.objects.get(standard=svc.published_standard, label__startswith="Surat Permohonan")
    response = client.post(apply_url(svc, "permintaan-data"), {
        **person(subject="Data penerima PKH", description="Untuk skripsi.", purpose="Penelitian"),
        "token": token(page), f"doc_{letter.pk}": upload("surat.pdf")})
    assert response.status_code == 302
    request = Request.objects.get(service=svc)
    assert request.kind == "data_request"
    assert "Permohonan Anda sudah kami terima" in client.get(response["Location"]).content.decode()


def test_the_lifecycle_refuses_a_kind_the_standard_does_not_take(demo):
    bangli = service("DPMPTSP-BANGLI")
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.submit(standard=bangli.published_standard, channel=Channel.WEB, subject="x",
                         applicant={"applicant_name": "A"}, kind="data_request")


def test_the_entry_step_follows_the_track_of_the_kind():
    steps = [Step(position=1, text="Pemohon", role="applicant", track=""),
             Step(position=2, text="Petugas pengaduan mencatat", role="front_desk", track="Pengaduan"),
             Step(position=3, text="Petugas data mencatat", role="handler", track="Permintaan data"),
             Step(position=4, text="Kepala menandatangani", role="head", track="")]
    assert entry_step(steps, "web", "complaint").position == 2
    assert entry_step(steps, "counter", "data_request").position == 3
    # The channel tracks of seed 000 still choose by channel, whatever the kind.
    solok = [Step(position=1, text="a", role="front_desk", track="Datang langsung"),
             Step(position=2, text="b", role="operator", track="Media informasi elektronik")]
    assert entry_step(solok, "whatsapp", "consultation").position == 2
    assert entry_step(solok, "counter", "consultation").position == 1


# ---------------------------------------------------------------- (b) who provides a requirement


def test_office_requirements_are_neither_uploads_nor_receipt_lines(demo, client):
    svc = service("DISDUKCAPIL-PROBOLINGGO")
    page = client.get(apply_url(svc)).content.decode()
    assert "Rekapan Informasi" not in page and "ATK" not in page
    response = client.post(apply_url(svc), person(token=token(page), subject="Syarat pindah datang",
                                                  description="Apa saja syaratnya?", purpose="Pindah"))
    assert response.status_code == 302
    receipt_page = client.get(response["Location"]).content.decode()
    for label in ("ATK", "Komputer atau laptop", "Jaringan internet", "Rekapan Informasi"):
        assert label not in receipt_page


def test_the_importer_guesses_who_provides_a_requirement():
    assert importer_fields.requirement("ATK")["provided_by"] == "office"
    assert importer_fields.requirement("Jaringan internet")["provided_by"] == "office"
    assert importer_fields.requirement("Rekapan Informasi")["provided_by"] == "office"
    assert importer_fields.requirement("Menunjukkan KTP asli")["provided_by"] == "shown"
    assert importer_fields.requirement("Surat permohonan dari OPD")["provided_by"] == "applicant"


def test_the_admin_sets_who_provides_it_and_for_which_kind(demo, client_for):
    from layanan.standards import services as standard_services

    svc = service("DINSOS-SEKADAU")
    admin = client_for("dinsos.admin")
    draft = standard_services.new_version(svc.published_standard, user("dinsos.admin"))
    rows = list(draft.requirements.order_by("position"))
    data = {"r-TOTAL_FORMS": str(len(rows)), "r-INITIAL_FORMS": str(len(rows)),
            "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000"}
    for i, r in enumerate(rows):
        data.update({f"r-{i}-id": r.pk, f"r-{i}-label": r.label, f"r-{i}-kind": r.kind,
                     f"r-{i}-provided_by": r.provided_by, f"r-{i}-ORDER": i + 1, f"r-{i}-group": ""})
        if r.mandatory:
            data[f"r-{i}-mandatory"] = "on"
    data["r-0-provided_by"] = "shown"
    data["r-0-kinds"] = ["complaint"]
    page = admin.get(reverse("standards:requirements", args=[draft.pk])).content.decode()
    assert "Disediakan kantor" in page and "Hanya untuk jenis" in page
    response = admin.post(reverse("standards:requirements", args=[draft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    first = draft.requirements.order_by("position").first()
    assert first.provided_by == "shown" and first.kinds == ["complaint"]


def test_the_completeness_screen_warns_when_requirements_look_like_facilities(demo, client_for):
    std = service("DISDUKCAPIL-PROBOLINGGO").published_standard
    persyaratan = next(c for c in check_components(std) if c.key == "persyaratan")
    assert not persyaratan.specific and "ATK" in persyaratan.note
    page = client_for("dukcapil.admin").get(reverse("standards:detail", args=[std.pk])).content.decode()
    assert "tampak seperti sarana kantor" in page
    sekadau = service("DINSOS-SEKADAU").published_standard
    assert next(c for c in check_components(sekadau) if c.key == "persyaratan").specific


# ---------------------------------------------------------------- (c) the anonymous receipt


def test_an_anonymous_complaint_receipt_lists_no_identity_and_counts_the_evidence(demo, client):
    svc = service("DPMPTSP-BANGLI")
    page = client.get(apply_url(svc)).content.decode()
    response = client.post(apply_url(svc), {
        "anonymous": "on", "consent": "on", "token": token(page), "subject": "Pungutan di loket",
        "description": "Diminta uang tambahan.", "evidence": [upload("foto.pdf")]})
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert "KTP" not in text and "Alamat Pelapor" not in text
    assert re.search(r"Bukti dukung aduan <em>\(diterima\)</em>", text)


# ---------------------------------------------------------------- (d) finding the tracking page


def test_lacak_is_linked_from_home_agency_pages_and_the_footer(demo, client):
    lookup = reverse("public_requests:lookup")
    home = client.get("/").content.decode()
    assert f'href="{lookup}"' in home
    agency = client.get("/DINSOS-SEKADAU/").content.decode()
    assert agency.count(f'href="{lookup}"') >= 2  # the page and the footer
    standard_page = client.get("/DINSOS-SEKADAU/data-pengaduan/").content.decode()
    assert f'href="{lookup}"' in standard_page


def test_the_home_page_searches_every_agency(demo, client):
    page = client.get("/", {"q": "pengaduan"}).content.decode()
    assert "Hasil pencarian" in page
    assert "/DPMPTSP-BANGLI/pengaduan-masyarakat/" in page and "/DINSOS-SEKADAU/data-pengaduan/" in page
    nothing = client.get("/", {"q": "zzzqqq"}).content.decode()
    assert "Tidak ada layanan yang cocok" in nothing


def test_an_agency_code_in_lower_case_redirects_to_the_canonical_address(demo, client):
    response = client.get("/dinsos-sekadau/")
    assert response.status_code == 301 and response["Location"] == "/DINSOS-SEKADAU/"
    response = client.get("/dinsos-sekadau/data-pengaduan/ajukan/?jenis=pengaduan")
    assert response.status_code == 301
    assert response["Location"] == "/DINSOS-SEKADAU/data-pengaduan/ajukan/?jenis=pengaduan"
    assert client.get("/Dpmptsp-Bangli/pengaduan-masyarakat/").status_code == 301
    assert client.get("/tidak-ada-instansi/").status_code == 404  # no redirect to nowhere
    assert client.get("/" + "a" * 5000 + "/").status_code == 404
    assert client.get("/kelola/").status_code in {302, 200}  # the staff area is not an agency
    assert client.get("/lacak/").status_code == 200


# ---------------------------------------------------------------- (e) milestones on the public timeline


def walk_dinsos_to_the_end(request):
    act(request, "dinsos.petugas", "advance")
    act(request, "dinsos.tu", "advance")
    act(request, "dinsos.kadis", "dispose", note="Kasi rehsos: tindak lanjuti (internal)",
        to_user=user("dinsos.kasi"))
    act(request, "dinsos.kasi", "advance", note="Catatan internal verifikasi", public=False)
    act(request, "dinsos.kasi", "dispose", note="Proses", to_user=user("dinsos.data"))
    act(request, "dinsos.data", "advance")
    act(request, "dinsos.kabid", "advance")
    act(request, "dinsos.sekretaris", "advance")
    act(request, "dinsos.kadis", "advance")
    return act(request, "dinsos.tu", "advance", product_text="Data terlampir.")


def test_the_public_timeline_shows_every_milestone_with_its_date_and_no_internal_notes(demo, client):
    request, _created = lifecycle.submit(
        standard=service("DINSOS-SEKADAU").published_standard, channel=Channel.WEB, subject="Data PKH",
        applicant={"applicant_name": "Yohanes Apai", "applicant_phone": "+6285252375907"})
    done = walk_dinsos_to_the_end(request)
    assert done.state == State.RESOLVED
    lines = receipt.public_timeline(done)
    texts = [line.text for line in lines]
    assert texts[0].startswith("Permohonan diterima")
    assert any(t.startswith("Persyaratan diperiksa dan lengkap") for t in texts)
    assert any(t.startswith("Diteruskan kepada pejabat yang menangani") for t in texts)
    assert any("Diperiksa dan diparaf" in t for t in texts)
    assert any(t.startswith("Disahkan / ditandatangani") for t in texts)
    assert texts[-1] == "Hasil diserahkan"
    assert all(line.at for line in lines)
    page = client.get(receipt.tracking_path(done)).content.decode()
    assert "Kasi rehsos" not in page and "Catatan internal" not in page
    assert "Kepala Seksi" in page  # the role, as the standard names it
    assert str(user("dinsos.kasi")) not in page  # the Kasi acted only in internal events
    assert re.search(r'id="status">[^<]*<span class="when">\(pada \d', page)


# ---------------------------------------------------------------- (f) a form on a phone


def test_the_first_invalid_field_gets_the_focus_and_required_fields_are_marked(demo, client):
    svc = service("DPMPTSP-BANGLI")
    page = client.get(apply_url(svc)).content.decode()
    assert re.search(r'<label for="id_address">Alamat <span class="req" aria-hidden="true">\*</span>', page)
    assert 'aria-required="true"' in page
    response = client.post(apply_url(svc), {"applicant_type": "person", "token": token(page), "consent": "on",
                                            "subject": "Izin", "description": "Belum terbit"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("autofocus") == 1
    assert re.search(r'<input[^>]*name="name"[^>]*autofocus|<input[^>]*autofocus[^>]*name="name"', html)
    assert 'src="/static/layanan/layanan.js"' in html


def test_a_skip_link_and_office_hours_on_public_pages(demo, client):
    page = client.get("/DINSOS-SEKADAU/").content.decode()
    assert '<a class="skip-link" href="#isi">' in page and '<main id="isi"' in page
    assert "Jam layanan" in page and "Senin–Kamis 07:30–16:00 · Jumat 07:30–16:30" in page
    assert "Jam layanan" in client.get("/DINSOS-SEKADAU/data-pengaduan/").content.decode()


def test_the_profile_shows_the_default_office_hours_the_clock_uses(demo, client_for):
    page = client_for("dinsos.admin").get(reverse("agencies:profile")).content.decode()
    assert re.search(r'name="open_1"[^>]*value="07:30', page)
    assert re.search(r'name="close_5"[^>]*value="16:30', page)


def test_file_sizes_use_a_decimal_comma(demo):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from layanan.requests import intake

    big = SimpleUploadedFile("ktp.jpg", b"\xff\xd8\xff" + b"0" * int(10.1 * 1024 * 1024),
                             content_type="image/jpeg")
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        intake.check_upload(big)
    assert "10,1 MB" in caught.value.messages[0]


# ---------------------------------------------------------------- (g) the "No" column


def test_the_number_column_says_no_not_tidak_in_html_and_pdf(demo, client, settings, tmp_path):
    import io

    from pypdf import PdfReader

    html = client.get("/DINSOS-SEKADAU/data-pengaduan/").content.decode()
    assert '<th scope="col">No</th>' in html and '<th scope="col">Tidak</th>' not in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/DINSOS-SEKADAU/data-pengaduan/").content.decode()
    assert '<th scope="col">No.</th>' in english
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    response = client.get("/DINSOS-SEKADAU/data-pengaduan/standar.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response))).pages)
    assert re.search(r"\bNo\s+Komponen", text) and not re.search(r"Tidak\s+Komponen", text)


# ---------------------------------------------------------------- (h) the public address


def test_without_site_url_links_use_the_address_being_served(demo, client, settings):
    from layanan.requests.models import OutboxMessage

    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["layanan.example.go.id", "testserver"]
    svc = service("DPMPTSP-BANGLI")
    page = client.get(apply_url(svc), HTTP_HOST="layanan.example.go.id").content.decode()
    response = client.post(apply_url(svc), person(token=token(page), email="sari@example.id",
                                                  subject="Izin", description="Belum terbit"),
                           HTTP_HOST="layanan.example.go.id")
    assert response.status_code == 302
    receipt_page = client.get(response["Location"], HTTP_HOST="layanan.example.go.id").content.decode()
    assert "http://layanan.example.go.id/lacak/" in receipt_page and "127.0.0.1:8000" not in receipt_page
    mail = OutboxMessage.objects.get(template="received", channel="email")
    assert "http://layanan.example.go.id/lacak/" in notifications.render(mail)[1]  # as the worker sends it


def test_a_configured_site_url_wins(demo, client, settings):
    settings.SITE_URL = "https://layanan.example.go.id"
    request, _created = lifecycle.submit(standard=service("DPMPTSP-BANGLI").published_standard,
                                         channel=Channel.WEB, subject="x", applicant={"applicant_name": "A"})
    assert receipt.tracking_url(request).startswith("https://layanan.example.go.id/lacak/")


def test_production_without_site_url_warns_at_start(settings):
    from layanan.core.checks import site_url_check

    settings.DEV_MODE, settings.SITE_URL = False, ""
    assert [w.id for w in site_url_check(None)] == ["layanan.W002"]
    settings.SITE_URL = "https://layanan.example.go.id"
    assert site_url_check(None) == []
