"""Print the IKM of a scope and period: `manage.py survey_ikm --agency CODE --period 2026-S1`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from layanan.agencies.models import Agency, Region
from layanan.survey.ikm import to_decimal
from layanan.survey.periods import parse, period_of
from layanan.survey.queries import ikm_summary


class Command(BaseCommand):
    help = "The satisfaction index (IKM) of an agency or a region for a period."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--agency", help="agency code, e.g. DINSOS-SEKADAU")
        scope.add_argument("--region", help="region slug, e.g. kabupaten-kediri")
        parser.add_argument("--period", help="2026, 2026-S1, 2026-T2 or 2026-05 (default: this year)")

    def handle(self, *args, agency=None, region=None, period=None, **options):
        found = parse(period) if period else period_of("year", date.today())
        if found is None:
            raise CommandError(f"Unknown period {period!r}: use 2026, 2026-S1, 2026-T2 or 2026-05.")
        scope = {}
        if agency:
            obj = Agency.objects.filter(code=agency).first()
            if obj is None:
                raise CommandError(f"No agency {agency!r}.")
            scope["agency_id"] = obj.pk
        if region:
            obj = Region.objects.filter(slug=region).first()
            if obj is None:
                raise CommandError(f"No region {region!r}.")
            scope["region_id"] = obj.pk
        summary = ikm_summary(**scope, start=found.start, end=found.end)
        self.stdout.write(f"period: {found.slug} ({found.start} – {found.end})")
        if summary is None:
            self.stdout.write("no answers")
            return
        for code, value in summary.nrr.items():
            self.stdout.write(f"NRR {code}: {to_decimal(value, 3)}")
        self.stdout.write(f"respondents: {summary.respondents}")
        self.stdout.write(
            f"IKM: {to_decimal(summary.ikm, 4)}  converted: {summary.converted_rounded}  "
            f"category: {summary.category} ({summary.category_label})"
        )
        self.stdout.write(
            f"population: {summary.population}  minimum sample: {summary.minimum_sample}  "
            f"adequate: {'yes' if summary.adequate else 'no'}"
        )
