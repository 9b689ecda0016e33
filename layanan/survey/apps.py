from django.apps import AppConfig


class SurveyConfig(AppConfig):
    """The satisfaction survey (SKM) and the index (IKM), Permenpan RB 14/2017."""

    name = "layanan.survey"
    label = "survey"
    verbose_name = "Survei kepuasan masyarakat"
