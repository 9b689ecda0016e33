"""100 citizens on WhatsApp at once: every webhook is answered at once, a real worker processes them,
and exactly 100 requests come out — none lost, none twice — also when the platform redelivers."""

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from layanan.channels.models import WhatsAppEvent
from layanan.channels.whatsapp import sign
from layanan.requests.models import OutboxMessage, Request

from . import channels_fakes as fk
from .test_outbox_worker import running_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

AGENCY = "DPMPTSP-BANGLI"
CITIZENS = 100
DIALOGUE = [
    "Halo",
    "Lampu jalan padam di Jalan Merdeka",
    "Sudah seminggu padam, gelap dan rawan.",
    "SELESAI",
    "1",
    "KIRIM",
]


def post(url, body) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(fk.APP_SECRET, body)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — the live test server
        return response.status


def test_100_citizens_at_once_make_100_requests(seeded, settings, tmp_path):
    numbers = [f"62812770{n:05d}" for n in range(CITIZENS)]
    bodies = {
        wa: [fk.text_message(wa, text, message_id=f"wamid.C{wa}-{i}") for i, text in enumerate(DIALOGUE)]
        for wa in numbers
    }
    with fk.fake_graph(settings) as graph, fk.serve_site() as site:
        url = f"{site}/kanal/whatsapp/{AGENCY}/"

        def conversation(wa):  # one citizen types one message after another
            return [post(url, body) for body in bodies[wa]]

        fk.connect(seeded[AGENCY])
        with running_worker(tmp_path) as _worker:
            with ThreadPoolExecutor(max_workers=CITIZENS) as pool:
                statuses = [s for answer in pool.map(conversation, numbers) for s in answer]
            assert statuses == [200] * (CITIZENS * len(DIALOGUE))
            assert wait_for(
                lambda: not WhatsAppEvent.objects.filter(processed_at__isnull=True).exists(), seconds=240
            ), "the worker did not process every event"
            assert wait_for(
                lambda: Request.objects.filter(channel="whatsapp").count() == CITIZENS, seconds=60
            )

            requests = list(Request.objects.filter(channel="whatsapp"))
            assert len(requests) == CITIZENS  # 0 lost
            assert sorted(r.applicant_phone for r in requests) == sorted(
                "+" + wa for wa in numbers
            )  # 0 twice
            assert not WhatsAppEvent.objects.filter(outcome="failed").exists()

            # The platform redelivers everything, concurrently: nothing new is stored or created.
            events = WhatsAppEvent.objects.count()
            with ThreadPoolExecutor(max_workers=CITIZENS) as pool:
                assert set(s for answer in pool.map(conversation, numbers) for s in answer) == {200}
            assert WhatsAppEvent.objects.count() == events
            assert Request.objects.filter(channel="whatsapp").count() == CITIZENS

            # Every citizen got their own receipt on WhatsApp.
            assert wait_for(
                lambda: (
                    OutboxMessage.objects.filter(
                        template="received", channel="whatsapp", sent_at__isnull=False
                    ).count()
                    == CITIZENS
                ),
                seconds=120,
            )
            by_number = {r.applicant_phone[1:]: r.tracking_code for r in requests}
            for wa in numbers[:10]:
                assert any(by_number[wa] in text for text in graph.texts_to(wa))
