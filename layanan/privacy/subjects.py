"""Finding a data subject's requests by NIK, phone or e-mail through a blind index.

The identifiers are encrypted at rest, so a lookup cannot be a WHERE clause
on them. Each request's identifiers are hashed with a secret key
(core.crypto.blind_index) into SubjectKey rows when the request is created;
a lookup hashes what the admin typed the same way. After SECRET_KEY changes,
`manage.py privacy_reindex` rebuilds the index.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from layanan.core import rows
from layanan.core.crypto import blind_index, mask
from layanan.standards.contacts import normalise_phone

from .models import IdentifierKind, SubjectKey

IDENTITY_FIELDS = {"applicant_nik", "applicant_phone", "applicant_email"}


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str

    @property
    def digest(self) -> str:
        return blind_index(f"{self.kind}:{self.value}")

    @property
    def hint(self) -> str:
        """For people reading the record: the last digits, or the e-mail's first letter and domain."""
        if self.kind == IdentifierKind.EMAIL:
            local, _at, domain = self.value.partition("@")
            return f"{local[:1]}•••@{domain}"
        return mask(self.value)


def parse_identifier(text: str) -> Identifier:
    """What the admin typed → a NIK (16 digits), an e-mail address or a phone number."""
    text = (text or "").strip()
    if "@" in text:
        value = text.replace(" ", "").lower()
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            return Identifier(IdentifierKind.EMAIL, value)
    else:
        digits = re.sub(r"[\s.\-]", "", text)
        if re.fullmatch(r"\d{16}", digits):
            return Identifier(IdentifierKind.NIK, digits)
        if len(re.sub(r"\D", "", digits)) >= 8:  # the shortest Indonesian numbers have 8 digits
            try:
                return Identifier(IdentifierKind.PHONE, normalise_phone(text))
            except ValueError:
                pass
    raise ValidationError(_("Masukkan NIK (16 angka), nomor telepon atau alamat e-mail pemohon."),
                          code="identifier")


def identifiers_of(request) -> list[Identifier]:
    found = []
    nik = re.sub(r"\D", "", request.applicant_nik or "")
    if nik:
        found.append(Identifier(IdentifierKind.NIK, nik))
    if request.applicant_phone:
        try:
            found.append(Identifier(IdentifierKind.PHONE, normalise_phone(request.applicant_phone)))
        except ValueError:
            found.append(Identifier(IdentifierKind.PHONE, request.applicant_phone.strip()))
    if request.applicant_email:
        found.append(Identifier(IdentifierKind.EMAIL, request.applicant_email.strip().lower()))
    return found


def index_request(request, *, replace: bool = True) -> int:
    """(Re)write the request's SubjectKey rows; returns how many."""
    if replace:
        SubjectKey.objects.filter(request_id=request.pk).delete()
    if request.anonymised_at is not None:
        return 0
    keys = [SubjectKey(agency_id=request.agency_id, request_id=request.pk, kind=i.kind, digest=i.digest)
            for i in identifiers_of(request)]
    rows.insert(keys, wait=False)  # nothing reads their keys; inside a submission's batch, sent unanswered
    return len(keys)


def request_saved(sender, instance, created, update_fields=None, **kwargs):
    """post_save of a Request: index a new one, re-index a changed identity, forget an anonymised one."""
    if instance.anonymised_at is not None:
        SubjectKey.objects.filter(request_id=instance.pk).delete()
    elif created:
        index_request(instance, replace=False)
    elif update_fields and IDENTITY_FIELDS & set(update_fields):
        index_request(instance)


def request_ids(agency_id: int, digest: str) -> list[int]:
    return list(SubjectKey.objects.filter(agency_id=agency_id, digest=digest)
                .values_list("request_id", flat=True).distinct())


def reindex(*, batch: int = 500) -> int:
    """Rebuild the whole index (after SECRET_KEY changed, or for requests made before it existed)."""
    from django.db import transaction

    from layanan.requests.models import Request

    done, last = 0, 0
    while True:
        page = list(Request.objects.filter(pk__gt=last, anonymised_at__isnull=True).order_by("pk")
                    .only("pk", "agency_id", "applicant_nik", "applicant_phone", "applicant_email",
                          "anonymised_at")[:batch])
        if not page:
            return done
        with transaction.atomic():
            SubjectKey.objects.filter(request_id__in=[r.pk for r in page]).delete()
            for request in page:
                done += index_request(request, replace=False)
        last = page[-1].pk
