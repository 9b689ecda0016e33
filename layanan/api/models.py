"""API keys of an agency's integrations, and per-service options the integrations need.

A key is shown once, when it is created; only its SHA-256 is stored (the key is 256 random
bits, so a fast hash is enough: nothing to brute-force). The first characters after `lyn_`
are a public prefix to find the row without scanning.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "lyn_"
LAST_USED_RESOLUTION = 60  # seconds: last_used_at is written at most once a minute per key


class Scope(models.TextChoices):
    READ_PUBLIC = "read_public", _("Baca data publik")
    INTAKE = "intake", _("Menerima permohonan")
    DESK = "desk", _("Meja layanan (bertindak sebagai pegawai)")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("nama integrasi"), max_length=100)
    scope = models.CharField(_("cakupan"), max_length=20, choices=Scope.choices)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    # A desk key acts as this staff member: every action passes their guards (requests.access).
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("bertindak sebagai"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kunci API")
        verbose_name_plural = _("kunci API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(
        cls, *, agency, name: str, scope: str, staff_user=None, created_by=None
    ) -> tuple["ApiKey", str]:
        """Create a key; returns (row, the key in clear — shown once, never stored)."""
        prefix = secrets.token_hex(4)
        raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        key = cls.objects.create(
            agency=agency,
            name=name[:100],
            scope=scope,
            prefix=prefix,
            key_hash=hash_key(raw),
            staff_user=staff_user if scope == Scope.DESK else None,
            created_by=created_by,
        )
        return key, raw

    @classmethod
    def find(cls, raw: str):
        """The active key for `raw`, or None (unknown, malformed, revoked alike)."""
        if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
            return None
        prefix = raw[len(KEY_PREFIX) :].split("_", 1)[0]
        key = (
            cls.objects.select_related("agency", "staff_user")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw)):
            return None
        return key

    def touch(self, now=None) -> None:
        now = now or timezone.now()
        stale = now - timedelta(seconds=LAST_USED_RESOLUTION)
        ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=self.pk).update(
            last_used_at=now
        )

    def revoke(self, now=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            self.save(update_fields=["revoked_at"])


class ServiceOptions(models.Model):
    """Per service: what integrations need beyond the standard (the agency admin sets it)."""

    service = models.OneToOneField("standards.Service", on_delete=models.CASCADE, related_name="api_options")
    location_required = models.BooleanField(
        _("wajib menyebut lokasi"),
        default=False,
        help_text=_("Pengaduan layanan ini harus menyebut lokasi kejadian (alamat atau titik peta)."),
    )

    def __str__(self):
        return f"{self.service_id}: location_required={self.location_required}"
