"""An uploaded standard document and what the parser understood, until it is saved as drafts.

Kept in the database rather than in a worker's memory: the review page may be
served by another web worker than the upload, and the admin may come back to it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportSession(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="import_sessions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("nama berkas"), max_length=255, blank=True)
    # The normalised text: the source spans in `services[*]._meta` are offsets into it.
    text = models.TextField(_("teks dokumen"))
    services = models.JSONField(_("standar yang terbaca"), default=list)
    warnings = models.JSONField(_("catatan dokumen"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(_("disimpan sebagai draf"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sesi impor")
        verbose_name_plural = _("sesi impor")

    def __str__(self):
        return self.filename or f"Impor #{self.pk}"
