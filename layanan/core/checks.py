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
