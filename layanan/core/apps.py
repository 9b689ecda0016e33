from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "layanan.core"

    def ready(self):
        from . import checks, middleware  # noqa: F401  (registers the checks and the login stamp)
