"""Index the identifiers of requests made before the subject index existed."""

from django.db import migrations


def backfill(apps, schema_editor):
    try:
        _backfill(apps)
    except ValueError:  # rows written with a key this installation does not have: never block migrate
        print("\n  privacy: some requests could not be read; run `manage.py privacy_reindex` later.")


def _backfill(apps):
    from layanan.privacy.subjects import identifiers_of

    Request = apps.get_model("requests", "Request")
    SubjectKey = apps.get_model("privacy", "SubjectKey")
    rows = []
    requests = (Request.objects.filter(anonymised_at__isnull=True)
                .only("pk", "agency_id", "applicant_nik", "applicant_phone", "applicant_email"))
    for request in requests.iterator(chunk_size=500):
        found = identifiers_of(request)
        rows += [SubjectKey(agency_id=request.agency_id, request_id=request.pk, kind=i.kind, digest=i.digest)
                 for i in found]
        if len(rows) >= 1000:
            SubjectKey.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    SubjectKey.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
