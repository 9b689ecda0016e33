"""Backfill: a Resolution for every request finished before this app, a stored completeness score
for every published standard (layanan/reports/backfill.py; also manage.py reports_backfill)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from layanan.reports import backfill

    backfill.scores(apps.get_model("standards", "ServiceStandard"), apps.get_model("reports", "StandardScore"))
    backfill.resolutions(apps.get_model("requests", "Request"), apps.get_model("reports", "Resolution"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
