"""Background tasks of the survey (djhuey imports every installed app's `tasks`)."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import reports, rollups


@db_task(retries=1, retry_delay=60)
def build_report_task(report_pk: int):
    """Build one report file requested on the staff screen."""
    report = reports.build(report_pk)
    return report.status if report else None


# Huey's clock is UTC: 20:45 UTC is 03:45 WIB, 04:45 WITA, 05:45 WIT.
@db_periodic_task(crontab(hour="20", minute="45"))
@lock_task("survey-scheduled-reports")
def scheduled_reports():
    """After each survey period: the XLSX and PDF report of the period just ended."""
    return reports.run_schedule()


# 20:15 UTC (03:15 WIB): a safety net for the population rows kept from Request's post_save.
@db_periodic_task(crontab(hour="20", minute="15"))
@lock_task("survey-delivered-resync")
def resync_delivered():
    """Re-synchronise the delivered requests of the last 60 days with the requests table."""
    return rollups.rebuild_delivered(since=timezone.localdate() - timedelta(days=60))
