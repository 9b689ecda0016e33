from django.core.management.base import BaseCommand

from layanan.reports import backfill, rollup


class Command(BaseCommand):
    help = (
        "Reports: a Resolution for finished requests that lack one, stored completeness scores of "
        "published standards, stored figures of ended months (--months: recompute them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", action="store_true", help="recompute the stored monthly figures")

    def handle(self, *args, months=False, **options):
        scores = backfill.scores()
        resolutions = backfill.resolutions()
        withdrawals = backfill.withdrawals()
        if months:
            from layanan.agencies.models import Agency

            stored = 0
            for agency in Agency.objects.all():
                for month in rollup.last_months(agency, 12, include_current=False):
                    stored += rollup.store_month(agency, month, replace=True)
        else:
            stored = rollup.store_ended()
        self.stdout.write(
            f"scores: {scores}, resolutions: {resolutions}, withdrawals: {withdrawals}, "
            f"monthly rows: {stored}"
        )
