"""Issue 3, end to end in a real browser: a web complaint with an upload is disposed,
escalated and resolved by staff; the citizen reads the answer on the tracking page and
the e-mails reached a real SMTP server."""

import os

import pytest

from layanan.demo.loader import DEMO_PASSWORD
from layanan.requests.models import Request, State

from .browser import browser_page, fill_complaint_form, open_more_actions
from .smtp import smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def sign_in(page, base, username):
    page.goto(base + "/akun/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def act(page, label, note="", product=None, staff=None):
    open_more_actions(page)  # actions other than the next step are behind "Tindakan lain"
    form = page.locator("form.desk-action").filter(has=page.get_by_role("button", name=label))
    if staff:
        select = form.locator("select[name=to_user]")
        option = select.locator("option", has_text=staff).first.get_attribute("value")
        select.select_option(value=option)
    if product:
        form.locator("textarea[name=product_text]").fill(product)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name=label).click()


def test_complaint_disposed_escalated_resolved_and_read_by_the_citizen(seeded, live_server, settings):
    with smtp_server(settings) as inbox, browser_page("complaint-flow", width=1000) as page:
        # The citizen complains on the web, with a photo as evidence.
        page.goto(f"{live_server.url}/DPMPTSP-BANGLI/pengaduan-masyarakat/ajukan/")
        fill_complaint_form(page, name="I Wayan Darma", nik="5106010101800003", phone="081238669450",
                            email="wayan@example.com", address="Jl. Nusantara 5, Bangli",
                            title="Antrean loket perizinan terlalu lama",
                            text="Saya menunggu tiga jam tanpa nomor antrean.", photo_name="antrean.jpg")
        page.get_by_role("button", name="Kirim pengaduan").click()
        request = Request.objects.get(agency__code="DPMPTSP-BANGLI")
        track_url = f"{live_server.url}/lacak/{request.tracking_code}/{request.tracking_secret}/"

        # The IT operator registers it (online track), the Kabid disposes it to the team.
        sign_in(page, live_server.url, "bangli.operator")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Catat / registrasi selesai")
        page.goto(live_server.url + "/akun/masuk/")
        page.context.clear_cookies()
        sign_in(page, live_server.url, "bangli.kabid")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Disposisi", note="Mohon klarifikasi ke petugas loket", staff="Anggota Tim Pengaduan")

        # The team member cannot resolve it alone and escalates to the Kabid.
        page.context.clear_cookies()
        sign_in(page, live_server.url, "bangli.tim")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Tidak dapat diselesaikan, teruskan", note="Perlu keputusan soal sistem antrean")

        # The Kabid answers: resolved.
        page.context.clear_cookies()
        sign_in(page, live_server.url, "bangli.kabid")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Kirim jawaban", product="Mulai 1 Desember loket memakai nomor antrean elektronik.")
        request.refresh_from_db()
        assert request.state == State.RESOLVED
        actions = list(request.events.values_list("action", flat=True))
        assert actions == ["received", "register", "dispose", "escalate", "answer"]

        # The citizen reads the answer on the tracking page (no staff internals).
        page.context.clear_cookies()
        page.goto(track_url)
        body = page.content()
        assert "nomor antrean elektronik" in body
        assert "Mohon klarifikasi ke petugas loket" not in body  # an internal disposition note
        assert "5106010101800003" not in body

        # E-mails went out to a real SMTP server: the receipt and the answer to the citizen; the staff
        # heard of their work at their own addresses (the disposition, the escalation: layanan/channels).
        citizen = [m for m in inbox.messages if m["To"] == "wayan@example.com"]
        subjects = [m["Subject"] for m in citizen]
        assert any("diterima" in s for s in subjects) and any("selesai" in s for s in subjects)
        assert {m["To"] for m in inbox.messages} - {"wayan@example.com"} <= {
            "bangli.tim@demo.layanan.test", "bangli.kabid@demo.layanan.test"}
