"""Encryption at rest for personal data (UU 27/2022 PDP): NIK, phone, address.

Fernet (AES-128-CBC + HMAC-SHA256) from the `cryptography` package. Keys come from
settings.FIELD_ENCRYPTION_KEYS (the FIELD_ENCRYPTION_KEYS environment variable: comma-separated
Fernet keys, newest first). New values are written with the first key; every key in the list
can read. Production refuses to start without it (settings.py) and the key is never derived
from SECRET_KEY, so changing SECRET_KEY can never make stored data unreadable. Development mode
uses a fixed development key.

Rotation (docs/operations.md "Rotating the encryption key"): put a new key first, run
`manage.py rotate_keys` (re-encrypts every EncryptedTextField with the first key), then remove
the old key.

    python -m layanan.core.crypto new-key          # prints a fresh Fernet key
    python -m layanan.core.crypto legacy-key       # the key earlier releases derived from $SECRET_KEY
    python -m layanan.core.crypto blind-index-key  # the blind-index key of $FIELD_ENCRYPTION_KEYS
"""

import base64
import hashlib
import hmac
import os
import sys
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip())
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty / FIELD_ENCRYPTION_KEYS kosong")
    return keys


@lru_cache(maxsize=4)
def _build(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def _fernet() -> MultiFernet:
    return _build(_keys())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must be loud, never return garbage
        raise ValueError("Encrypted value cannot be read with the configured keys") from exc


def is_current(token: str) -> bool:
    """True when `token` is already encrypted with the first (newest) key."""
    try:
        Fernet(_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """`token` re-encrypted with the first key (read with any key of the list)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be read with the configured keys") from exc


def derived_blind_index_key(field_key: str) -> str:
    """The blind-index key derived from a field key (64 hex characters)."""
    return hashlib.sha256(("layanan-blind-index:" + field_key).encode()).hexdigest()


def blind_index_key() -> str:
    """settings.BLIND_INDEX_KEY, else the key derived from the OLDEST field key.

    Stored digests (privacy.SubjectKey, the references of data subject requests) must keep
    matching across a key rotation: adding a new field key does not change this key, and before
    the oldest field key is removed rotate_keys tells the operator to pin BLIND_INDEX_KEY to it.
    Never derived from SECRET_KEY.
    """
    return settings.BLIND_INDEX_KEY or derived_blind_index_key(_keys()[-1])


def blind_index(value: str) -> str:
    """A keyed hash for exact-match lookups on an encrypted value (e.g. find by NIK)."""
    return hmac.new(bytes.fromhex(blind_index_key()), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with EncryptedTextField columns, and those columns' attribute names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def mask(value: str, visible: int = 4) -> str:
    """'3201234567890001' → '••••••••••••0001' for lists and exports."""
    if not value:
        return ""
    return "•" * max(len(value) - visible, 0) + value[-visible:]


def legacy_key(secret_key: str) -> str:
    """The field key releases before issue 14 derived from SECRET_KEY when FIELD_ENCRYPTION_KEYS
    was unset. Put it second in FIELD_ENCRYPTION_KEYS, run rotate_keys, then drop it."""
    derived = hashlib.sha256(("layanan-field-key:" + secret_key).encode()).digest()
    return base64.urlsafe_b64encode(derived).decode()


def _main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "new-key":
        print(Fernet.generate_key().decode())
        return 0
    if command == "legacy-key":
        secret = os.environ.get("SECRET_KEY", "")
        if not secret:
            print("Set SECRET_KEY to the value the old installation ran with.", file=sys.stderr)
            return 2
        print(legacy_key(secret))
        return 0
    if command == "blind-index-key":
        keys = [k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()]
        if not keys:
            print("Set FIELD_ENCRYPTION_KEYS as the installation runs with it.", file=sys.stderr)
            return 2
        print(os.environ.get("BLIND_INDEX_KEY") or derived_blind_index_key(keys[-1]))
        return 0
    print("usage: python -m layanan.core.crypto new-key | legacy-key | blind-index-key", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
