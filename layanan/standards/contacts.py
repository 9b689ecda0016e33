"""Normalises contact addresses: phones to E.164, e-mail, web addresses."""

import re
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

PHONE_KINDS = {"phone", "whatsapp"}


@lru_cache(maxsize=64)  # a submission's phone is read by its form and again by the privacy index
def normalise_phone(value: str) -> str:
    """'0812-3866-945' or '(0354) 689901' → '+628123866945' / '+62354689901'."""
    digits = re.sub(r"(?i)\s*(?:psw|pswt|ext|ext\.|ekst)\.?\s*\d+\s*$", "", value)
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"Nomor telepon tidak terbaca: {value}") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"Nomor telepon tidak lengkap atau terlalu panjang: {value}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_channel_value(kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        return value
    if kind in PHONE_KINDS:
        return normalise_phone(value)
    if kind == "email":
        address = value.replace(" ", "").lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValueError(f"Alamat e-mail tidak sah: {value}") from exc
        return address
    if kind in {"website", "lapor"} and not value.startswith(("http://", "https://")):
        return "https://" + value
    return value
