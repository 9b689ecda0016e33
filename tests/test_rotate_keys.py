"""`manage.py rotate_keys`: personal data re-encrypted with a new key; the old key can then go.
And changing SECRET_KEY never touches the encrypted data."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db.models import ExpressionWrapper, F, TextField
from django.urls import reverse
from django.utils import timezone

from layanan.core import crypto
from layanan.requests import lifecycle
from layanan.requests.models import Channel, Event, GuestBookEntry, OutboxMessage, Request
from layanan.standards.models import Service


def submit_one_per_agency(demo) -> dict[int, tuple[str, str, str]]:
    """A request in every seed agency; returns pk → (NIK, phone, address)."""
    people = {}
    for number, code in enumerate(sorted(demo), start=1):
        service = Service.objects.filter(agency__code=code).order_by("position").first()
        nik, phone, address = f"610901120385{number:04d}", f"+62852523759{number:02d}", f"Jl. Uji {number}"
        request, _ = lifecycle.submit(
            standard=service.published_standard, channel=Channel.WEB, subject="Data penerima bantuan",
            applicant={"applicant_name": f"Warga {number}", "applicant_nik": nik, "applicant_phone": phone,
                       "applicant_address": address, "applicant_email": f"warga{number}@example.com"})
        people[request.pk] = (nik, phone, address)
        GuestBookEntry.objects.create(agency=demo[code], name=f"Tamu {number}", identity_number=nik,
                                      purpose="Konsultasi", time_in=timezone.now())
    return people


def readable(people) -> bool:
    for pk, expected in people.items():
        request = Request.objects.get(pk=pk)
        assert (request.applicant_nik, request.applicant_phone, request.applicant_address) == expected
    assert all(g.identity_number for g in GuestBookEntry.objects.all())
    assert all(m.recipient for m in OutboxMessage.objects.all())
    return True


def raw_niks() -> list[str]:
    return list(Request.objects.annotate(raw=ExpressionWrapper(F("applicant_nik"), output_field=TextField()))
                .values_list("raw", flat=True))


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return out.getvalue()


def test_rotation_from_key_a_to_key_b_keeps_every_nik_readable(demo, settings):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    development_key = settings.FIELD_ENCRYPTION_KEYS[0]
    people = submit_one_per_agency(demo)
    assert len(people) == 5 and OutboxMessage.objects.exists()

    # Everything under key A first (the seed data was written with the development key).
    settings.FIELD_ENCRYPTION_KEYS = [key_a, development_key]
    rotate()
    settings.FIELD_ENCRYPTION_KEYS = [key_a]
    assert readable(people)

    # The procedure: new key first, rotate, then the old key goes.
    settings.FIELD_ENCRYPTION_KEYS = [key_b, key_a]
    report = rotate(batch_size=2)
    assert "requests.Request: 5 rows, 5 re-encrypted" in report
    assert "requests.GuestBookEntry" in report and "requests.OutboxMessage" in report
    settings.FIELD_ENCRYPTION_KEYS = [key_b]
    assert readable(people)
    # Stored once-encrypted under B (not encrypted twice, not left under A).
    assert all(Fernet(key_b).decrypt(token.encode()).decode().isdigit() for token in raw_niks())
    with pytest.raises(ValueError):
        settings.FIELD_ENCRYPTION_KEYS = [key_a]
        Request.objects.get(pk=next(iter(people))).applicant_nik  # noqa: B018


def test_rotation_is_idempotent_and_changes_no_request(demo, settings):
    key_b = Fernet.generate_key().decode()
    people = submit_one_per_agency(demo)
    before = {r.pk: (r.version, r.state, r.updated_at if hasattr(r, "updated_at") else None)
              for r in Request.objects.all()}
    events = Event.objects.count()
    settings.FIELD_ENCRYPTION_KEYS = [key_b, *settings.FIELD_ENCRYPTION_KEYS]
    rotate()
    assert "rotate_keys: 0 rows re-encrypted" in rotate()
    after = {r.pk: (r.version, r.state, r.updated_at if hasattr(r, "updated_at") else None)
             for r in Request.objects.all()}
    assert after == before and Event.objects.count() == events  # key maintenance only
    settings.FIELD_ENCRYPTION_KEYS = [key_b]
    assert readable(people)


def test_dry_run_writes_nothing(demo, settings):
    submit_one_per_agency(demo)
    tokens = raw_niks()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert "5 re-encrypted" in rotate(dry_run=True)
    assert raw_niks() == tokens


def test_a_value_no_key_can_read_stops_with_a_clear_message(demo, settings):
    submit_one_per_agency(demo)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key forgotten
    with pytest.raises(CommandError, match="cannot be read with any key"):
        rotate()


def test_changing_secret_key_does_not_touch_personal_data(demo, settings, client, client_for):
    people = submit_one_per_agency(demo)
    request = Request.objects.get(pk=next(iter(people)))
    settings.SECRET_KEY = "a-completely-different-secret-key-for-this-test-0123456789"
    assert readable(people)
    track = reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret])
    assert client.get(track).status_code == 200
    inbox = client_for("dinsos.admin").get(reverse("desk:inbox"))
    assert inbox.status_code == 200


def test_every_encrypted_column_is_found():
    found = {model._meta.label: fields for model, fields in crypto.encrypted_fields()}
    assert {"applicant_nik", "applicant_phone", "applicant_address"} <= set(found["requests.Request"])
    assert "recipient" in found["requests.OutboxMessage"]
    assert "identity_number" in found["requests.GuestBookEntry"]


def test_the_search_index_survives_rotation_and_secret_key_changes(demo, settings):
    """Stored blind-index digests (search by NIK, data subject records) keep matching."""
    nik = "6109011203850001"
    digest = crypto.blind_index(nik)
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert crypto.blind_index(nik) == digest
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]  # 1. new key first
    assert crypto.blind_index(nik) == digest
    report = rotate()  # 2. the command says what to pin before the old key goes
    pinned = re.search(r"BLIND_INDEX_KEY=([0-9a-f]{64})", report).group(1)
    settings.BLIND_INDEX_KEY = pinned
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # 3. the old key removed
    assert crypto.blind_index(nik) == digest


def test_a_malformed_blind_index_key_is_refused_at_start():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "layanan.settings", "LAYANAN_DEV": "1",
           "BLIND_INDEX_KEY": "zz"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=Path(__file__).parent.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "BLIND_INDEX_KEY must be 64 hexadecimal characters" in done.stderr
