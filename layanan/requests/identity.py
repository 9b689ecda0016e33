"""What staff may see of the applicant (UU 27/2022 PDP), and the log of who saw a confidential one.

Who may see what is decided in requests.access (`sees_personal_data`,
`sees_identity`); this module only shapes the applicant block accordingly:

- NIK, phone, e-mail and address are masked unless the viewer holds the current
  step, or is the agency's head / admin;
- a *confidential* complaint's identity is visible ONLY to the complaint handler
  (its assignee, the complaint officer, the IT operator). Every time it is shown
  (request page, inbox row, printable sheet, identity attachment) an
  IdentityView row is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.core.crypto import mask

from . import access
from .models import IdentityView

HIDDEN = gettext_lazy("Dirahasiakan")


def log_identity_views(requests, user) -> None:
    """One IdentityView per confidential request whose identity `user` was just shown."""
    rows = [IdentityView(request=r, viewer=user) for r in requests if r.confidential]
    if rows:
        IdentityView.objects.bulk_create(rows)


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return mask(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"


@dataclass
class ApplicantView:
    """What the viewer may see of the applicant; the template prints it as is."""

    name: str
    organisation: str = ""
    nik: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    letter_number: str = ""
    letter_date: object = None
    letter_signatory: str = ""
    type_label: str = ""
    hidden: bool = False       # confidential, and the viewer is not the complaint handler
    masked: bool = False       # personal data masked (the viewer does not handle it)
    confidential: bool = False
    id_label: str = "NIK"      # the identity document the counter recorded (SIM, Paspor…), else NIK


def applicant_view(request, user, *, log: bool = True) -> ApplicantView:
    """The applicant block as `user` may see it (writes IdentityView when it reveals one)."""
    if not access.sees_identity(request, user):
        return ApplicantView(name=str(HIDDEN), hidden=True, confidential=True,
                             type_label=request.get_applicant_type_display())
    whole = access.sees_personal_data(request, user)
    view = ApplicantView(
        name=request.applicant_name or (request.organisation_name if request.applicant_type ==
                                        "organisation" else "") or str(_("Anonim")),
        organisation=request.organisation_name,
        nik=request.applicant_nik if whole else mask(request.applicant_nik),
        phone=request.applicant_phone if whole else mask(request.applicant_phone),
        email=request.applicant_email if whole else mask_email(request.applicant_email),
        address=request.applicant_address if whole else (
            _("(disembunyikan)") if request.applicant_address else ""),
        letter_number=request.letter_number, letter_date=request.letter_date,
        letter_signatory=request.letter_signatory,
        type_label=request.get_applicant_type_display(), masked=not whole,
        confidential=request.confidential,
        id_label=request.get_applicant_id_type_display() if request.applicant_id_type else "NIK",
    )
    if log and request.confidential:
        log_identity_views([request], user)
    return view


def row_applicant(request, user) -> str:
    """The applicant cell of an inbox row: a name, never NIK; phone masked."""
    if not access.sees_identity(request, user):
        return str(HIDDEN)
    if request.applicant_type == "anonymous":
        return str(_("Anonim"))
    name = request.applicant_name or request.organisation_name
    phone = mask(request.applicant_phone)
    return f"{name} · {phone}" if phone else name
