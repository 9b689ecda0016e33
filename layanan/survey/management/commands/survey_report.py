"""Write a survey report file: `manage.py survey_report --agency CODE --period 2026-S1 --format pdf
--out report.pdf`, or `--scheduled` to run the schedule now (the worker does it nightly)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from layanan.agencies.models import Agency
from layanan.survey import reports
from layanan.survey.periods import parse


class Command(BaseCommand):
    help = "Build the survey report (XLSX or PDF) of an agency and period."

    def add_arguments(self, parser):
        parser.add_argument("--agency")
        parser.add_argument("--period", help="2026, 2026-S1, 2026-T2 or 2026-05")
        parser.add_argument("--format", choices=["xlsx", "pdf"], default="pdf")
        parser.add_argument("--out", help="file to write (default skm-<agency>-<period>.<format>)")
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help="build the reports of the periods just ended (as the nightly job)",
        )

    def handle(self, *args, agency=None, period=None, format="pdf", out=None, scheduled=False, **options):
        if scheduled:
            self.stdout.write(f"built: {reports.run_schedule()}")
            return
        found = Agency.objects.filter(code=agency or "").first()
        if found is None:
            raise CommandError(f"No agency {agency!r}: give --agency CODE.")
        chosen = parse(period)
        if chosen is None:
            raise CommandError(f"Unknown period {period!r}: use 2026, 2026-S1, 2026-T2 or 2026-05.")
        with translation.override("id"):
            content = (reports.xlsx_bytes if format == "xlsx" else reports.pdf_bytes)(found, chosen)
        target = Path(out or f"skm-{found.code.lower()}-{chosen.slug.lower()}.{format}")
        target.write_bytes(content)
        self.stdout.write(f"{target} ({len(content)} bytes)")
