"""Encryption at rest for personal data (UU 27/2022 PDP): NIK, phone, address.

Fernet (AES-128-CBC + HMAC-SHA256) from the `cryptography` package. Keys come
from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so keys
can be rotated: old rows stay readable, new rows use the first key). Without
it a key is derived from SECRET_KEY — fine for development, not production.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]
    if not keys:
        derived = hashlib.sha256(("layanan-field-key:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must be loud, never return garbage
        raise ValueError("Encrypted value cannot be read with the configured keys") from exc


def blind_index(value: str) -> str:
    """A keyed hash for exact-match lookups on an encrypted value (e.g. find by NIK)."""
    key = hashlib.sha256(("layanan-blind-index:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def mask(value: str, visible: int = 4) -> str:
    """'3201234567890001' → '••••••••••••0001' for lists and exports."""
    if not value:
        return ""
    return "•" * max(len(value) - visible, 0) + value[-visible:]
