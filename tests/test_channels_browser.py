"""Issue 8 end to end with a real browser at the desk: a citizen's WhatsApp complaint (signed webhooks to
the live server) is registered, disposed and answered by staff in Chromium; the answer arrives as a
WhatsApp message at the local Cloud API server, and its tracking link works in the browser."""

import os
import re
import urllib.request

import pytest

from layanan.channels.whatsapp import sign
from layanan.requests.models import Request, State

from . import channels_fakes as fk
from .browser import browser_page
from .test_browser_complaint_flow import act, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AGENCY = "DPMPTSP-BANGLI"
CITIZEN = "6281338001122"


def whatsapp(base, text):
    body = fk.text_message(CITIZEN, text, name="Ni Wayan Sari")
    request = urllib.request.Request(
        f"{base}/kanal/whatsapp/{AGENCY}/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(fk.APP_SECRET, body)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — the live test server
        assert response.status == 200


def test_whatsapp_complaint_answered_at_the_desk_reaches_the_citizen_on_whatsapp(
    seeded, live_server, settings
):
    with fk.fake_graph(settings) as graph, browser_page("whatsapp-flow", width=1000) as page:
        fk.connect(seeded[AGENCY])
        for text in (
            "Selamat pagi",
            "Sampah menumpuk di pasar Kidul",
            "Sudah tiga hari tidak diangkut, bau.",
            "LEWATI",
            "1",
            "KIRIM",
        ):
            whatsapp(live_server.url, text)
        request = Request.objects.get(channel="whatsapp")
        receipt = graph.texts_to(CITIZEN)[-1]
        assert request.tracking_code in receipt

        sign_in(page, live_server.url, "bangli.operator")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        assert "WhatsApp" in page.content()
        act(page, "Catat / registrasi selesai")
        page.context.clear_cookies()
        sign_in(page, live_server.url, "bangli.kabid")
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Disposisi", note="Koordinasi dengan DLH", staff="Anggota Tim Pengaduan")
        page.context.clear_cookies()
        sign_in(page, live_server.url, "bangli.tim")
        assert "bell-count" in page.content() or "Pemberitahuan" in page.content()
        page.goto(f"{live_server.url}/kelola/permohonan/{request.pk}/")
        act(page, "Kirim jawaban", product="DLH mengangkut sampah pasar Kidul pada 2 Desember.")
        request.refresh_from_db()
        assert request.state == State.RESOLVED

        answer = graph.texts_to(CITIZEN)[-1]
        assert "DLH mengangkut sampah pasar Kidul pada 2 Desember." in answer
        link = re.search(r"\S*/lacak/\S+/", answer).group(0)
        path = link[link.index("/lacak/") :]
        page.context.clear_cookies()
        page.goto(live_server.url + path)
        assert "DLH mengangkut sampah pasar Kidul pada 2 Desember." in page.content()
