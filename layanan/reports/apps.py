from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, evaluation reports, the region's compliance table and open data (issue 11)."""

    name = "layanan.reports"
    label = "reports"
    verbose_name = "Laporan"

    def ready(self):
        from django.db.models.signals import post_save

        from layanan.requests.models import Request
        from layanan.standards.models import ServiceStandard

        from . import facts, scores

        # The facts a report counts are written in the lifecycle's own transaction, once.
        post_save.connect(facts.request_saved, sender=Request, dispatch_uid="reports.resolution")
        # Completeness is stored when a standard is published (the league table reads it).
        post_save.connect(scores.standard_saved, sender=ServiceStandard, dispatch_uid="reports.score")
