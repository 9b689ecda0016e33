"""resolution_agency_finished is a plain (agency, finished_at) index in the model (SQLite has no
INCLUDE and would warn, models.W040); on PostgreSQL it is then rebuilt under the same name as a
covering index, so a dashboard reads a period's finishes from the index alone."""

from django.db import migrations, models

COVERING = (
    "CREATE INDEX resolution_agency_finished ON reports_resolution (agency_id, finished_at) "
    "INCLUDE (service_id, unit_id, channel, kind, outcome, breached, due_at, working_days, office_minutes)"
)
PLAIN = "CREATE INDEX resolution_agency_finished ON reports_resolution (agency_id, finished_at)"


def _rebuild(definition):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS resolution_agency_finished")
        schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_withdrawal"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="resolution",
            name="resolution_agency_finished",
        ),
        migrations.AddIndex(
            model_name="resolution",
            index=models.Index(fields=["agency", "finished_at"], name="resolution_agency_finished"),
        ),
        migrations.RunPython(_rebuild(COVERING), _rebuild(PLAIN)),
    ]
