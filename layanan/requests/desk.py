"""Desk input: the inbox filter form and turning an action POST into lifecycle
parameters.

The request itself is changed only by requests.lifecycle.perform(); this
module resolves what the staff member picked (a unit, a colleague, missing
requirements) into objects of the *same* agency and hands them over.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.agencies.models import Unit
from layanan.core.tenancy import scoped

from . import inbox as queries
from . import intake, lifecycle
from .models import Attachment, Channel, State
from .page import DESK_CONFIRM


class DeskInputError(ValidationError):
    """A malformed action form (answered with 400, like a LifecycleError)."""


# ---------------------------------------------------------------- inbox filters


class InboxFilterForm(forms.Form):
    """GET filters of the inbox; invalid values are ignored, never a 500."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    layanan = forms.TypedChoiceField(label=gettext_lazy("Layanan"), required=False, coerce=int,
                                     empty_value=None)
    kanal = forms.ChoiceField(label=gettext_lazy("Kanal"), required=False)
    sla = forms.ChoiceField(label=gettext_lazy("Tenggat"), required=False, choices=[
        ("", gettext_lazy("Semua")), (queries.SLA_AT_RISK, gettext_lazy("Mendekati tenggat")),
        (queries.SLA_BREACHED, gettext_lazy("Melewati tenggat"))])
    petugas = forms.ChoiceField(label=gettext_lazy("Petugas"), required=False)
    q = forms.CharField(label=gettext_lazy("Cari"), required=False, max_length=100)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = (
            [(queries.TAB_OPEN, _("Terbuka"))] + list(State.choices) + [(queries.TAB_ALL, _("Semua"))])
        self.fields["layanan"].choices = [("", _("Semua layanan"))] + [
            (s.pk, s.name) for s in queries.services_for(user)]
        self.fields["kanal"].choices = [("", _("Semua kanal"))] + list(Channel.choices)
        self.fields["petugas"].choices = [("", _("Semua")), (queries.UNASSIGNED, _("Belum ditugaskan"))] + [
            (str(p.pk), str(p)) for p in queries.staff_for(user)]

    def filters(self) -> queries.InboxFilters:
        self.is_valid()  # fields with a bad value drop out of cleaned_data; the rest apply
        data = self.cleaned_data
        return queries.InboxFilters(
            tab=data.get("status") or queries.TAB_OPEN, service=data.get("layanan"),
            channel=data.get("kanal") or "", sla=data.get("sla") or "",
            assignee=data.get("petugas") or "", query=(data.get("q") or "").strip(),
        )


# ---------------------------------------------------------------- actions


def _int(value, message):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DeskInputError(message) from None


def action_params(request, user, action: str, post) -> dict:
    """Keyword arguments for lifecycle.perform() from an action form's POST data."""
    params = {
        "expected_version": _int(post.get("expected_version"),
                                 _("Formulir tidak lengkap. Muat ulang halaman lalu coba lagi.")),
        "note": post.get("note", "")[:5000],
        "public": post.get("public") == "1",
        "confirmed": post.get("confirm") == "1",
    }
    if action in {"dispose", "assign"}:
        to_user = post.get("to_user") or None
        if to_user:
            found = queries.staff_for(user).filter(pk=_int(to_user, _("Pegawai tidak dikenal."))).first()
            if found is None:
                raise DeskInputError(_("Pegawai tujuan tidak ditemukan di instansi ini."))
            params["to_user"] = found
        elif action == "assign":
            raise DeskInputError(_("Pilih pegawai yang ditugaskan."))
    if action == "dispose":
        to_unit = post.get("to_unit") or None
        if to_unit:
            found = scoped(Unit.objects.all(), user, region_wide=False) \
                .filter(pk=_int(to_unit, _("Unit tidak dikenal."))).first()
            if found is None:
                raise DeskInputError(_("Unit tujuan tidak ditemukan di instansi ini."))
            params["to_unit"] = found
        if not params["note"].strip():
            raise DeskInputError(_("Tuliskan isi / instruksi disposisi."))
    if action == "return_incomplete":
        chosen = {_int(v, _("Persyaratan tidak dikenal.")) for v in post.getlist("missing")}
        labels = list(request.standard.requirements.filter(pk__in=chosen).order_by("position")
                      .values_list("label", flat=True))
        other = [line.strip() for line in post.get("missing_other", "").splitlines() if line.strip()]
        params["missing"] = labels + other
    if action == "advance" and post.get("product_text", "").strip():
        params["product_text"] = post["product_text"].strip()
    if action == "advance" and post.get("draft_text", "").strip():
        params["draft_text"] = post["draft_text"].strip()[:20000]
    if action in DESK_CONFIRM and not params["confirmed"]:
        # Destructive: the desk asks for a tick before the lifecycle is even asked.
        raise DeskInputError(_("Centang konfirmasi terlebih dahulu."))
    return params


def perform_from_post(request, user, action: str, post, files=None):
    """Run one desk action. Raises DeskInputError, lifecycle.LifecycleError or Conflict.

    Product files (the deliver/answer step) are checked first and stored in the same
    transaction as the step: the citizen never sees an answer without its files.
    """
    params = action_params(request, user, action, post)
    uploads = _product_uploads(action, files)
    draft = _draft_upload(action, files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            if draft is not None:
                # Stored first so the draft version links to it; the same transaction rolls it back
                # when the lifecycle refuses.
                stored = intake.attach_files(request, [draft], user)
                params["draft_attachment"] = Attachment.objects.get(request=request, file=stored[0])
            done = lifecycle.perform(request, user, action, **params)
            stored += intake.attach_files(done, uploads, user)
    except BaseException:
        intake.remove_files(stored)
        raise
    return done


def _draft_upload(action: str, files):
    chosen = files.get("draft_file") if files and action == "advance" else None
    if not chosen:
        return None
    try:
        upload = intake.check_upload(chosen)
    except ValidationError as exc:
        raise DeskInputError(exc.messages) from exc
    upload.purpose = Attachment.Purpose.DRAFT
    return upload


def _product_uploads(action: str, files) -> list:
    chosen = files.getlist("product_files") if files and action == "advance" else []
    try:
        intake.check_file_count(len(chosen))
        uploads = [intake.check_upload(f) for f in chosen]
    except ValidationError as exc:
        raise DeskInputError(exc.messages) from exc
    for upload in uploads:
        upload.purpose = Attachment.Purpose.PRODUCT
    return uploads


def error_message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)
