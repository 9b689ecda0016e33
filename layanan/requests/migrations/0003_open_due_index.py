from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("requests", "0002_request_kind_choices"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("state__in", ["received", "in_progress", "waiting_applicant"])),
                fields=["agency", "due_at", "id"], name="req_agency_open_due"),
        ),
    ]
