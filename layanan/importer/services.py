"""Saving imported standards as drafts: one transaction for the whole import, so
that a failure leaves nothing half-written."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from layanan.standards.interchange import create_standard
from layanan.standards.models import Service, ServiceKind, ServiceStandard

from .parser import strip_meta

CODE_LENGTH = 60


def unique_code(name: str, taken: set[str]) -> str:
    """A slug of the name that no other service of the agency uses ("layanan-2", …)."""
    base = slugify(name)[:CODE_LENGTH].strip("-") or "layanan"
    code, suffix = base, 2
    while code in taken:
        code = f"{base[:CODE_LENGTH - 4]}-{suffix}"
        suffix += 1
    return code


@transaction.atomic
def save_drafts(agency, services: list[dict]) -> list[ServiceStandard]:
    """A new Service with a draft standard for every imported service dict.

    A dict may carry its own `code` (checked for uniqueness); otherwise one is made from the name.
    """
    taken = set(Service.objects.filter(agency=agency).values_list("code", flat=True))
    position = Service.objects.filter(agency=agency).count()
    drafts = []
    for data in services:
        code = data.get("code") or unique_code(data["name"], taken)
        if code in taken:
            raise ValidationError(_("Kode layanan %(code)s sudah dipakai di instansi Anda.") % {"code": code})
        taken.add(code)
        position += 1
        kind = data.get("kind") if data.get("kind") in ServiceKind.values else ServiceKind.OTHER
        service = Service.objects.create(
            agency=agency, code=code, name=data["name"][:255], kind=kind, position=position
        )
        drafts.append(create_standard(service, strip_meta(data)))
    return drafts
