"""Rebuild the survey's rollups from their sources: `manage.py survey_rollup` (both, everything),
`--since 2026-01-01` (only days since then), `--only answers|delivered`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from layanan.survey import rollups


class Command(BaseCommand):
    help = "Recompute the survey's day totals (from the answers) and delivered requests (from the requests)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="YYYY-MM-DD: only from this day on (default: everything)")
        parser.add_argument("--only", choices=["answers", "delivered"])

    def handle(self, *args, since=None, only=None, **options):
        start = None
        if since:
            try:
                start = date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since {since!r} is not a date (YYYY-MM-DD).") from None
        if only in (None, "answers"):
            rows = (
                rollups.rebuild_daily(start=start, end=date(9999, 12, 31))
                if start
                else rollups.rebuild_daily()
            )
            self.stdout.write(f"day totals: {rows} rows")
        if only in (None, "delivered"):
            self.stdout.write(f"delivered requests: {rollups.rebuild_delivered(since=start)} rows")
