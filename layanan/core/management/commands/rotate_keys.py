"""manage.py rotate_keys — re-encrypt every encrypted column with the first FIELD_ENCRYPTION_KEYS key.

The procedure (docs/operations.md "Rotating the encryption key"):
1. FIELD_ENCRYPTION_KEYS=NEW,OLD   (new key first; both read, new values use NEW) — restart;
2. manage.py rotate_keys           (every value now under NEW; safe to run again);
3. FIELD_ENCRYPTION_KEYS=NEW       — restart; OLD may be destroyed once no backup needs it.
   Without BLIND_INDEX_KEY in the environment the command prints the line to add before this step
   (the search index is keyed from the oldest key and must not change with it).

The columns are found generically: every EncryptedTextField of every model (core.crypto).
Rows are read and rewritten in batches, each batch in one transaction with its rows locked; a
value already under the first key is left alone, so a second run changes nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ExpressionWrapper, F, TextField, Value

from layanan.core import crypto


class Command(BaseCommand):
    help = "Re-encrypt personal data (every EncryptedTextField) with the first FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="count only, write nothing")

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        total_changed = 0
        for model, fields in crypto.encrypted_fields():
            rows, changed = self.rotate_model(model, fields, batch_size, dry_run)
            total_changed += changed
            self.stdout.write(f"{model._meta.label}: {rows} rows, {changed} re-encrypted "
                              f"({', '.join(fields)})")
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"rotate_keys: {total_changed} rows {verb}."))
        if not settings.BLIND_INDEX_KEY and len(settings.FIELD_ENCRYPTION_KEYS) > 1:
            # The blind index (searching by NIK) is keyed from the oldest key: pin it before that
            # key goes, or stored search keys and data-subject records stop matching.
            self.stdout.write(self.style.WARNING(
                "Before removing the old key from FIELD_ENCRYPTION_KEYS, add to the environment:\n"
                f"BLIND_INDEX_KEY={crypto.blind_index_key()}"))

    def rotate_model(self, model, fields, batch_size, dry_run) -> tuple[int, int]:
        # The stored ciphertext, not the decrypted value the field would give back.
        raw = {f"raw_{name}": ExpressionWrapper(F(name), output_field=TextField()) for name in fields}
        rows = changed = 0
        last_pk = None
        while True:
            with transaction.atomic():
                batch = model._base_manager.order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                batch = list(batch.select_for_update().annotate(**raw)
                             .values("pk", *raw.keys())[:batch_size])
                if not batch:
                    return rows, changed
                for row in batch:
                    updates = {}
                    for name in fields:
                        token = row[f"raw_{name}"]
                        if token and not crypto.is_current(token):
                            try:
                                new = crypto.reencrypt(token)
                            except ValueError:
                                raise CommandError(
                                    f"{model._meta.label} #{row['pk']} {name}: cannot be read with any key "
                                    "in FIELD_ENCRYPTION_KEYS (is an old key missing from the list?)"
                                ) from None
                            # Value(…, TextField()) stores the new ciphertext as it is; the field's
                            # own get_prep_value would encrypt it a second time.
                            updates[name] = Value(new, output_field=TextField())
                    if updates:
                        changed += 1
                        if not dry_run:
                            # Key maintenance, not a change of the request (or any record): the
                            # plain values stay the same, so no lifecycle event, no version bump.
                            model._base_manager.filter(pk=row["pk"]).update(**updates)
                rows += len(batch)
                last_pk = batch[-1]["pk"]
