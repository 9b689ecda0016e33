from django.apps import AppConfig


class SurveyConfig(AppConfig):
    """The satisfaction survey (SKM) and the index (IKM), Permenpan RB 14/2017."""

    name = "layanan.survey"
    label = "survey"
    verbose_name = "Survei kepuasan masyarakat"

    def ready(self):
        from django.db.models.signals import post_save

        from layanan.requests.models import Request

        from .rollups import request_saved

        # The population of the minimum sample: delivered requests by day (rollups.py).
        post_save.connect(request_saved, sender=Request, dispatch_uid="survey.delivered")
