"""Issue 7 in a real browser: the journeys of a first use on the seed agencies — a citizen on a
390 px phone, the front desk, the chain up to sign-off with a return for revision, the agency
admin and the region's overseer — each asserting what the person sees, with axe-core checking the
public pages and the request page for serious or critical accessibility violations."""

import os

import pytest

from layanan.demo.loader import DEMO_PASSWORD
from layanan.requests import lifecycle
from layanan.requests.models import Request, State
from layanan.standards import services as standard_services
from layanan.standards.models import Service, ServiceStandard

from .browser import axe_violations, browser_page, jpeg_photo, open_more_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/akun/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def fits(page, width=390) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def accessible(page, where: str):
    found = axe_violations(page)
    assert not found, (where, found)


def tap_height(locator) -> float:
    return locator.bounding_box()["height"]


def test_citizen_on_a_phone_finds_the_service_complains_and_follows_it(seeded, live_server):
    base = live_server.url
    with browser_page("journey-citizen") as page:
        page.goto(base + "/")
        accessible(page, "home")
        assert page.get_by_role("link", name="Lacak permohonan atau pengaduan").is_visible()
        page.get_by_label("Cari layanan di semua instansi").fill("pengaduan")
        page.get_by_role("button", name="Cari").click()
        assert "Hasil pencarian" in page.content() and fits(page)
        page.get_by_role("link", name="Pelayanan data dan pengaduan").click()
        accessible(page, "service page")
        assert "Jam layanan" in page.content() and fits(page)
        apply_button = page.get_by_role("link", name="Ajukan permohonan / pengaduan")
        assert tap_height(apply_button) >= 44
        apply_button.click()

        # The service takes data requests and complaints: the citizen says which.
        assert page.get_by_role("heading", name="Apa yang ingin Anda sampaikan?").is_visible()
        accessible(page, "kind choice")
        page.locator(".kind-choices").get_by_role("link", name="Pengaduan").click()
        assert page.get_by_role("heading", name="Sampaikan pengaduan").is_visible()
        assert not page.get_by_text("Tujuan penggunaan data").count()
        assert "Surat Permohonan tertulis" not in page.content()
        accessible(page, "complaint form")
        # Sent without a name: the page comes back with the cursor in the first invalid field.
        page.get_by_label("Judul pengaduan").fill("Bantuan sosial tidak sampai")
        page.get_by_label("Uraian pengaduan").fill("Sejak Maret bantuan belum diterima.")
        page.get_by_label("Saya setuju data pribadi").check()
        page.locator("#id_name").evaluate("field => field.removeAttribute('required')")
        page.get_by_role("button", name="Kirim pengaduan").click()
        assert page.evaluate("document.activeElement.name") == "name"
        assert "Permohonan belum terkirim" in page.content()
        page.locator("#id_name").fill("Yohanes Apai")
        page.locator("#id_nik").fill("6109 0112 0385 0001")
        page.locator("#id_phone").fill("0852 5237 5907")
        page.locator("#id_address").fill("Sekadau Hilir")
        page.get_by_label("Bukti pendukung lain").set_input_files(
            files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": jpeg_photo()}])
        page.get_by_label("Saya setuju data pribadi").check()
        page.get_by_role("button", name="Kirim pengaduan").click()

        request = Request.objects.get(agency__code="DINSOS-SEKADAU")
        assert request.kind == "complaint"
        assert "Pengaduan Anda sudah kami terima" in page.content()
        accessible(page, "receipt")
        status_button = page.get_by_role("link", name="Lihat status")
        assert tap_height(status_button) >= 44 and fits(page)
        status_button.click()
        assert page.locator("#status").inner_text().startswith("Pengaduan Anda telah diterima")
        accessible(page, "tracking page")
        assert fits(page)

        page.goto(base + "/lacak/")
        accessible(page, "lookup")
        page.goto(base + "/dinsos-sekadau/")
        assert page.url.endswith("/DINSOS-SEKADAU/")
        accessible(page, "agency page")
        assert fits(page)


def test_front_desk_registers_a_visitor_with_a_sim_and_finds_the_guest_book(seeded, live_server):
    base = live_server.url
    with browser_page("journey-front-desk", width=1000) as page:
        sign_in(page, base, "dinsos.petugas")
        nav = page.locator("header nav")
        assert nav.get_by_role("link", name="Loket").is_visible()
        nav.get_by_role("link", name="Loket").click()
        page.get_by_label("Jenis identitas").select_option("sim")
        page.locator("#id_name").fill("Maria Goreti")
        page.locator("#id_nik").fill("1234 5678 9012")
        page.get_by_label("Perihal / keperluan").fill("Data penerima PKH")
        page.get_by_label("Jenis", exact=True).select_option("data_request")
        page.get_by_role("button", name="Daftarkan", exact=True).click()
        request = Request.objects.get(agency__code="DINSOS-SEKADAU")
        assert request.applicant_id_type == "sim" and request.kind == "data_request"
        assert request.tracking_code in page.content()
        next_button = page.get_by_role("link", name="Daftarkan berikutnya")
        assert tap_height(next_button) >= 44
        next_button.click()
        page.get_by_role("link", name="Buku tamu: rentang tanggal, cetak, unduh XLSX").click()
        assert "Maria Goreti" in page.content() and "123456789012" not in page.content()
        assert page.get_by_role("link", name="Unduh XLSX").is_visible()
        # The head has no counter to open, so no link to it.
        sign_in(page, base, "dinsos.kadis")
        assert page.locator("header nav").get_by_role("link", name="Permohonan").is_visible()
        assert not page.locator("header nav").get_by_role("link", name="Loket").count()


def desk_action(page, label, *, note="", draft="", more=False):
    if more:
        open_more_actions(page)
    form = page.locator("form.desk-action").filter(has=page.get_by_role("button", name=label))
    if draft:
        form.locator("textarea[name=draft_text]").fill(draft)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name=label).click()


def test_the_chain_to_sign_off_with_a_return_for_revision(seeded, live_server):
    base = live_server.url
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    request, _created = lifecycle.submit(
        standard=service.published_standard, channel="web", subject="Data penerima PKH Desa Sungai Ayak",
        applicant={"applicant_name": "Yohanes Apai", "applicant_phone": "+6285252375907"})
    from layanan.accounts.models import User

    def act(username, action, **params):
        return lifecycle.perform(Request.objects.get(pk=request.pk), User.objects.get(username=username),
                                 action, **params)

    act("dinsos.petugas", "advance")
    act("dinsos.tu", "advance")
    act("dinsos.kadis", "dispose", note="Tindak lanjuti", to_user=User.objects.get(username="dinsos.kasi"))
    act("dinsos.kasi", "advance")
    act("dinsos.kasi", "dispose", note="Proses", to_user=User.objects.get(username="dinsos.data"))
    url = f"{base}/kelola/permohonan/{request.pk}/"
    with browser_page("journey-chain", width=390) as page:
        sign_in(page, base, "dinsos.data")
        page.goto(base + "/kelola/permohonan/")
        assert request.tracking_code in page.content() and fits(page)  # the inbox on a phone
        page.goto(url)
        accessible(page, "request page (handler)")
        primary = page.locator("form.desk-primary")
        assert primary.locator("button.primary").inner_text() == "Selesai diproses, lanjut"
        assert not page.locator("details.desk-more").get_attribute("open")
        desk_action(page, "Selesai diproses, lanjut", draft="Jumlah penerima PKH: 120 KK.")

        sign_in(page, base, "dinsos.kabid")
        page.goto(url)
        assert "Draf untuk diparaf / disahkan" in page.content() and "120 KK" in page.content()
        accessible(page, "request page (Kabid)")
        desk_action(page, "Kembalikan untuk perbaikan", note="Rinci per desa.", more=True)
        assert "Tersimpan" in page.content()

        sign_in(page, base, "dinsos.data")
        page.goto(url)
        assert "Rinci per desa." in page.content()
        desk_action(page, "Selesai diproses, lanjut", draft="Sungai Ayak 40 KK, Sekadau Hilir 80 KK.")
        for username in ("dinsos.kabid", "dinsos.sekretaris"):
            sign_in(page, base, username)
            page.goto(url)
            desk_action(page, "Paraf")
        sign_in(page, base, "dinsos.kadis")
        page.goto(url)
        desk_action(page, "Sahkan / tanda tangani")
        sign_in(page, base, "dinsos.tu")
        page.goto(url)
        assert "versi 2 yang sudah disahkan" in page.content()
        desk_action(page, "Serahkan hasil")
        done = Request.objects.get(pk=request.pk)
        assert done.state == State.RESOLVED and done.product_text.startswith("Sungai Ayak 40 KK")
        page.goto(f"{base}/lacak/{done.tracking_code}/{done.tracking_secret}/")
        timeline = page.locator("#riwayat").inner_text()
        assert "Diperiksa dan diparaf" in timeline and "Rinci per desa" not in timeline
        assert "Sungai Ayak 40 KK" in page.content()


def test_the_admin_edits_requirements_components_and_steps(seeded, live_server):
    base = live_server.url
    service = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    from layanan.accounts.models import User

    admin = User.objects.get(username="bangli.admin")
    draft = standard_services.new_version(service.published_standard, admin)
    with browser_page("journey-admin", width=1000) as page:
        sign_in(page, base, "bangli.admin")
        page.goto(f"{base}/kelola/standar/{draft.pk}/ubah/")
        channels = len(draft.channels)
        assert page.locator("#id_s-cost_amount").input_value() == "0"
        page.get_by_role("button", name="Simpan").click()
        page.goto(f"{base}/kelola/standar/{draft.pk}/ubah/")
        page.get_by_role("button", name="Simpan").click()
        draft.refresh_from_db()
        assert len(draft.channels) == channels  # saving twice adds nothing
        page.goto(f"{base}/kelola/standar/{draft.pk}/persyaratan/")
        assert page.get_by_text("Disediakan kantor").count() >= 1
        accessible(page, "requirements editor")
        page.locator("select[name='r-1-provided_by']").select_option("office")  # "Alamat Pelapor"
        page.get_by_role("button", name="Simpan").click()
        assert "Persyaratan disimpan" in page.content()
        assert draft.requirements.get(position=2).provided_by == "office"
        assert draft.requirements.count() == 3
        page.goto(f"{base}/kelola/standar/{draft.pk}/prosedur/")
        first_actor = draft.steps.get(position=1).actor
        second_actor = draft.steps.get(position=2).actor
        page.get_by_role("button", name="Naikkan langkah 2").click()
        assert "Urutan langkah diubah" in page.content(), page.locator(".errors").all_inner_texts()
        assert draft.steps.get(position=1).actor == second_actor
        assert draft.steps.get(position=2).actor == first_actor


def test_the_overseer_sets_the_threshold_and_returns_a_standard(seeded, live_server):
    base = live_server.url
    from layanan.accounts.models import User

    admin = User.objects.get(username="kediri.admin")
    service = Service.objects.get(agency__code="ORGANISASI-KEDIRI", code="tpp")
    draft = standard_services.new_version(service.published_standard, admin)
    import datetime

    standard_services.mark_discussed(draft, admin, discussed_on=datetime.date(2026, 11, 2), notes="Rapat")
    with browser_page("journey-overseer", width=1000) as page:
        sign_in(page, base, "kediri.overseer")
        assert not page.locator("header nav").get_by_role("link", name="Permohonan").count()
        page.goto(base + "/kelola/standar/daerah/")
        page.get_by_label("Ambang kelengkapan standar").fill("85")
        page.get_by_role("button", name="Simpan ambang").click()
        assert "Ambang kelengkapan daerah:" in page.content() and "85" in page.content()
        page.goto(f"{base}/kelola/standar/{draft.pk}/")
        assert "di bawah ambang daerah 85" in page.content()
        page.get_by_label("Yang perlu diperbaiki").fill("Persyaratan belum diisi.")
        page.get_by_role("button", name="Kembalikan kepada instansi").click()
        draft.refresh_from_db()
        assert draft.status == ServiceStandard.Status.DRAFT
        assert "Dikembalikan untuk diperbaiki" in page.content()
