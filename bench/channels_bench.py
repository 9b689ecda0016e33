"""WhatsApp webhook benchmark (issue 8): how fast the webhook answers the platform, and that it loses
nothing. Processing is the worker's and is timed separately.

    .venv/bin/python bench/channels_bench.py            # 2,000 webhooks
    .venv/bin/python bench/channels_bench.py --quick    # 300

A throwaway SQLite database and Huey queue in a temporary folder (LAYANAN_VAR_DIR, DATABASE_URL),
DEBUG off, HUEY_IMMEDIATE off and no worker running: each webhook verifies X-Hub-Signature-256,
stores its event and queues the processing task, exactly as in production without Redis. The five
seed agencies are loaded and DPMPTSP-BANGLI gets a WhatsApp number; every webhook is a signed
notification of one message from a different citizen. Timing: time.perf_counter() around
django.test.Client.post (server time, in-process, after a warm-up), one client.

Lines: `bench: channels.whatsapp.webhook_per_s` (webhooks answered per second, one client),
`bench: channels.whatsapp.webhook.p95` / `.p50` (ms) with `budget: … <= 50 ms`,
`bench: channels.whatsapp.webhook.lost` (stored events missing, budget 0),
`bench: channels.whatsapp.process_per_s` (messages the worker's code processes per second, SQLite).
Exit status: 0 ok, 1 a budget MISSED, 2 an error.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.budget import Report, percentile  # noqa: E402

BUDGETS = {
    "channels.whatsapp.webhook.p95": ("<=", 50.0, "ms"),
    "channels.whatsapp.webhook.lost": ("<=", 0, "count"),
}
AGENCY = "DPMPTSP-BANGLI"
WARMUP = 30


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 webhooks instead of 2,000")
    parser.add_argument("--webhooks", type=int)
    args = parser.parse_args(argv)
    n = args.webhooks or (300 if args.quick else 2000)

    tmp = tempfile.mkdtemp(prefix="layanan-bench-channels-")
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LAYANAN_VAR_DIR": tmp,
            "DEBUG": "0",
            "LAYANAN_DEV": "1",
            "HUEY_IMMEDIATE": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    try:
        return run(n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(n: int) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from layanan.agencies.models import Agency
    from layanan.channels import inbound
    from layanan.channels.models import WhatsAppAccount, WhatsAppEvent
    from layanan.channels.whatsapp import sign
    from layanan.demo.loader import load_all
    from tests import channels_fakes as fk

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    report = Report(BUDGETS)
    print("backend: sqlite", flush=True)
    print(
        f"# {n} signed webhooks, one message each from {n} different numbers · Django test client, "
        "in-process · Huey queue on SQLite, no worker",
        flush=True,
    )
    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    agency = Agency.objects.get(code=AGENCY)
    WhatsAppAccount.objects.create(
        agency=agency,
        phone_number_id=fk.PHONE_NUMBER_ID,
        verify_token=fk.VERIFY_TOKEN,
        app_secret=fk.APP_SECRET,
        access_token=fk.TOKEN,
    )
    url = f"/kanal/whatsapp/{AGENCY}/"
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])

    def bodies(count, prefix):
        return [
            fk.text_message(
                f"62813{prefix}{i:06d}",
                "Halo, saya mau melapor jalan rusak.",
                message_id=f"wamid.BENCH{prefix}{i:06d}",
            )
            for i in range(count)
        ]

    for body in bodies(WARMUP, "9"):
        client.post(
            url,
            data=body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign(fk.APP_SECRET, body),
        )
    payloads = [(body, sign(fk.APP_SECRET, body)) for body in bodies(n, "1")]

    times = []
    started = time.perf_counter()
    for body, signature in payloads:
        t0 = time.perf_counter()
        response = client.post(
            url, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
        )
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            print(f"error: the webhook answered {response.status_code}", flush=True)
            return 2
    elapsed = time.perf_counter() - started
    stored = WhatsAppEvent.objects.filter(external_id__startswith="wamid.BENCH1").count()
    report.bench("channels.whatsapp.webhook_per_s", n / elapsed, "/s")
    report.bench("channels.whatsapp.webhook.p50", statistics.median(times), "ms")
    report.bench("channels.whatsapp.webhook.p95", percentile(times, 95), "ms")
    report.bench("channels.whatsapp.webhook.lost", n - stored, "count", fmt="{:d}")

    # A redelivery of every webhook stores nothing new.
    for body, signature in payloads[: min(n, 200)]:
        client.post(url, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)
    duplicated = WhatsAppEvent.objects.filter(external_id__startswith="wamid.BENCH1").count() - stored
    report.bench("channels.whatsapp.webhook.duplicated", duplicated, "count", fmt="{:d}")

    # The worker's part: each first message starts a guided dialogue (a reply into the outbox).
    pending = inbound.pending_contacts(limit=n + WARMUP)
    t0 = time.perf_counter()
    for account_id, digest in pending:
        inbound.process_contact(account_id, digest)
    processed = len(pending) / (time.perf_counter() - t0)
    report.bench("channels.whatsapp.process_per_s", processed, "/s")
    left = WhatsAppEvent.objects.filter(processed_at__isnull=True).count()
    if left:
        print(f"error: {left} events left unprocessed", flush=True)
        return 2
    return 1 if report.missed or duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
