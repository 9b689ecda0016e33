"""Background tasks of the reports (djhuey imports every installed app's `tasks`).

Huey's clock is UTC. Every run is idempotent (a report's key, a month's stored row), so a
missed run is caught up by the next one.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import rollup, services


# 18:15 UTC is 01:15 WIB, 02:15 WITA, 03:15 WIT: after midnight everywhere, so yesterday's month,
# quarter or year has ended in every agency's own calendar when its report is made.
@db_periodic_task(crontab(hour="18", minute="15"))
@lock_task("reports-schedule")
def scheduled_reports():
    """The evaluation reports the standards schedule (monthly, quarterly, yearly), e-mailed to the
    head, and the stored figures of every month that has ended."""
    made = services.run_schedule()
    stored = rollup.store_ended()
    return {"reports": len(made), "monthly_rows": stored}


@db_periodic_task(crontab(minute="7"))
@lock_task("reports-after-case")
def after_case_reports():
    """An evaluation after each finished case, where the standard says so (seed 003)."""
    return len(services.run_after_case())
