"""Personal data records: who asked to see or erase their data, and a blind index to find them.

Neither table holds an identifier in clear: the NIK, phone or e-mail is kept
only as a keyed hash (core.crypto.blind_index), plus a masked hint for people.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# UU 27/2022: a data subject's request is answered within 3 × 24 hours.
ANSWER_WITHIN = timedelta(hours=72)


class IdentifierKind(models.TextChoices):
    NIK = "nik", _("NIK")
    PHONE = "phone", _("Telepon")
    EMAIL = "email", _("E-mail")


class SubjectKey(models.Model):
    """One identifier of a request's applicant as a keyed hash: find a person's requests by NIK,
    phone or e-mail without decrypting every row. Written when a request is created, removed
    when it is anonymised (privacy.subjects)."""

    # No index of their own: subject_key_lookup and unique_subject_key lead with them.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    request = models.ForeignKey("requests.Request", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "kind"], name="unique_subject_key")]
        indexes = [models.Index(fields=["agency", "digest"], name="subject_key_lookup")]

    def __str__(self):
        return f"{self.kind} → {self.request_id}"


class DataSubjectRequest(models.Model):
    """An applicant asked to see (access) or erase their personal data: the record of it."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Akses: salinan data pribadi")
        ERASURE = "erasure", _("Penghapusan data pribadi")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Belum ditangani")
        PROVIDED = "provided", _("Salinan data diberikan")
        ERASED = "erased", _("Data dihapus")
        PARTLY_ERASED = "partly_erased", _("Sebagian dihapus; permohonan yang masih berjalan tidak dihapus")
        REFUSED = "refused", _("Tidak dihapus: permohonan masih berjalan")
        NOT_FOUND = "not_found", _("Tidak ada data atas identitas ini")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    subject_kind = models.CharField(_("identitas"), max_length=10, choices=IdentifierKind.choices)
    subject_ref = models.CharField(max_length=64)  # blind index of the identifier, never the value
    subject_hint = models.CharField(_("identitas (disamarkan)"), max_length=80)
    requested_at = models.DateTimeField(_("diminta pada"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    handled_at = models.DateTimeField(_("ditangani pada"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("hasil"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(_("catatan"), blank=True)
    # Tracking codes found, erased and kept (codes are not personal data on their own).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("permintaan subjek data")
        verbose_name_plural = _("permintaan subjek data")
        indexes = [models.Index(fields=["agency", "requested_at"], name="dsr_agency_requested")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_hint} {self.requested_at:%Y-%m-%d}"

    @property
    def answer_due_at(self):
        return self.requested_at + ANSWER_WITHIN
