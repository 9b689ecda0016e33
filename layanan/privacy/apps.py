from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Personal data (UU 27/2022): retention, data subject requests, the identity-view log, backups."""

    name = "layanan.privacy"
    label = "privacy"
    verbose_name = "Data pribadi"

    def ready(self):
        from django.db.models.signals import post_save

        from layanan.requests.models import Request

        from .subjects import request_saved

        post_save.connect(request_saved, sender=Request, dispatch_uid="privacy.subject_index")
