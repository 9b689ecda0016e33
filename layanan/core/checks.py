"""Layanan's own system checks (`manage.py check`, run at every start)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches)
def shared_cache_check(app_configs, **kwargs):
    """layanan.W001: production without REDIS_URL.

    The rate limits of the tracking lookup, the login lockouts and the tracking failure counter
    live in the cache. Without Redis each process has its own local-memory cache: with three
    gunicorn workers an attacker gets three times the tries, and a lockout holds in one worker
    only. Silence it (one process on purpose) with LAYANAN_SINGLE_PROCESS=1 or
    SILENCED_SYSTEM_CHECKS=layanan.W001.
    """
    if settings.DEV_MODE or settings.REDIS_URL or settings.LAYANAN_SINGLE_PROCESS:
        return []
    return [Warning(
        "REDIS_URL is not set: rate limits, login lockouts and the tracking failure counter are "
        "kept per process. / REDIS_URL belum diisi: batas percobaan dan penguncian masuk hanya "
        "berlaku per proses.",
        hint="Set REDIS_URL (docs/operations.md \"Production settings\"), or LAYANAN_SINGLE_PROCESS=1 "
             "when exactly one process serves the site.",
        id="layanan.W001",
    )]


@register(Tags.security)
def site_url_check(app_configs, **kwargs):
    """layanan.W002: production without SITE_URL.

    Receipts, QR codes and e-mails written during a request then carry the address of that request
    (its Host header, checked against ALLOWED_HOSTS), and e-mails the worker writes on its own (SLA
    alerts) carry the development address. Set SITE_URL to the public https:// address.
    """
    if settings.DEV_MODE or settings.SITE_URL:
        return []
    return [Warning(
        "SITE_URL is not set: receipts, QR codes and e-mails take the address from each request, and "
        "messages written outside a request say http://127.0.0.1:8000. / SITE_URL belum diisi: tautan "
        "pada tanda terima dan e-mail diambil dari alamat permintaan.",
        hint="Set SITE_URL to the public address, e.g. SITE_URL=https://layanan.example.go.id "
             "(docs/operations.md \"Production settings\").",
        id="layanan.W002",
    )]
