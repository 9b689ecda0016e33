"""Bulk-generate requests (and their events) for the inbox benchmark, on PostgreSQL.

    DATABASE_URL=postgres://…/layanan_bench_inbox .venv/bin/python bench/inbox_generate.py 1000000

Needs a migrated database with the five seed agencies (layanan.demo.loader.load_all()).
Rows are spread over the seed agencies' published services — the agency with the most
services (ORGANISASI-KEDIRI) gets 40 %, the other four 15 % each — with a realistic mix of
states (8 % open: received / in progress / waiting for the applicant; the rest resolved,
closed, rejected or withdrawn over the last three years), channels, due times (2 % without),
SLA statuses, current steps of the standard, assignees (staff of the agency) and units. Every
request gets 3 events (received, a step or disposition, a closing action or an internal
note). Personal data is encrypted with the real field encryption (a pool of encrypted values
is reused: encrypting 3,000,000 values would dominate the run). Tracking codes follow
`<AGENCY>-<year>-<n>` with the per-agency sequences set to the last number given.

Speed: COPY (text format, built in Python per chunk), the non-constraint indexes of the two
tables dropped before and rebuilt after (CREATE INDEX sorts once instead of 1,000,000 random
inserts per index), FK triggers skipped for the load (`session_replication_role = replica`:
the rows are consistent by construction), all in one transaction; then VACUUM ANALYZE, as
autovacuum would have done on a production table (index-only scans need the visibility map).
"""

import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

CHUNK = 50_000
BIGGEST_SHARE = 0.40
STATES = [("received", 3), ("in_progress", 4), ("waiting_applicant", 1), ("resolved", 12),
          ("closed", 72), ("rejected", 5), ("withdrawn", 3)]
OPEN = {"received", "in_progress", "waiting_applicant"}
CHANNELS = [("web", 40), ("counter", 25), ("whatsapp", 10), ("email", 6), ("phone", 6), ("letter", 6),
            ("suggestion_box", 2), ("social_media", 3), ("lapor", 2)]
CHANNEL_LABELS = {"web": "Situs web", "counter": "Loket / datang langsung", "whatsapp": "WhatsApp",
                  "email": "E-mail", "phone": "Telepon", "letter": "Surat", "suggestion_box": "Kotak saran",
                  "social_media": "Media sosial", "lapor": "SP4N-LAPOR!"}
FIRST_NAMES = ["Ni Made", "I Wayan", "Siti", "Budi", "Dewi", "Agus", "Rina", "Andi", "Putu", "Nur",
               "Eko", "Sri", "Joko", "Ayu", "Rudi", "Fitri", "Hendra", "Lestari", "Yohanes", "Maria"]
LAST_NAMES = ["Sari", "Santoso", "Wijaya", "Rahmawati", "Pratama", "Hidayat", "Saputra", "Kusuma",
              "Nugroho", "Lestari", "Siregar", "Harahap", "Simanjuntak", "Wibowo", "Setiawan"]
SUBJECTS = ["Permohonan data penduduk per kecamatan", "Izin usaha tidak kunjung terbit",
            "Konsultasi penyusunan SOP", "Permohonan informasi anggaran", "Pengaduan pelayanan loket",
            "Permintaan salinan dokumen", "Konsultasi struktur organisasi", "Pengaduan jalan rusak",
            "Bimbingan penyusunan standar pelayanan", "Permohonan rekomendasi", "Tindak lanjut surat",
            "Permohonan evaluasi jabatan", "Konsultasi kelembagaan nagari", "Pengaduan bantuan sosial"]
DESCRIPTION = ("Dengan hormat, bersama ini kami sampaikan permohonan sebagaimana perihal di atas. "
               "Kami mohon agar dapat ditindaklanjuti sesuai standar pelayanan yang berlaku. "
               "Dokumen pendukung terlampir. Atas perhatian Bapak/Ibu kami ucapkan terima kasih.")
NOTES = ["Berkas diperiksa, lengkap.", "Mohon ditindaklanjuti sesuai SOP.", "Sudah dikonfirmasi ke pemohon.",
         "Menunggu masukan bidang terkait.", "Jawaban disiapkan."]


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    import django

    django.setup()


def _ts(dt: datetime) -> str:
    return dt.isoformat(sep=" ")


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load_metadata():
    """Per seed agency: services (with published standard and steps), units and desk staff."""
    from layanan.accounts.models import Position
    from layanan.accounts.roles import REGION_WIDE
    from layanan.agencies.models import Agency, Unit
    from layanan.standards.models import APPLICANT, EXTERNAL, Service, Step

    agencies = []
    for agency in Agency.objects.order_by("code"):
        services = []
        for svc in Service.objects.filter(agency=agency, published_standard__isnull=False).order_by("id"):
            steps = list(Step.objects.filter(standard_id=svc.published_standard_id).order_by("position")
                         .values("id", "position", "role", "unit_id", "action"))
            if not steps:
                continue
            work = [s for s in steps if s["role"] not in (APPLICANT, EXTERNAL)] or steps
            services.append({"id": svc.pk, "standard": svc.published_standard_id, "kind": svc.kind,
                             "steps": steps, "work_steps": work})
        units = list(Unit.objects.filter(agency=agency).values_list("id", flat=True))
        staff = {}
        positions = (Position.objects.filter(user__agency=agency, user__is_active=True)
                     .exclude(role__in=REGION_WIDE).values_list("user_id", "role", "user__full_name"))
        for user_id, role, name in positions:
            staff.setdefault(user_id, {"id": user_id, "roles": set(), "name": name or f"Petugas {user_id}"})
            staff[user_id]["roles"].add(role)
        if services and staff:
            agencies.append({"id": agency.pk, "code": agency.code, "services": services, "units": units,
                             "staff": list(staff.values())})
    if not agencies:
        raise RuntimeError("no seed agencies with published services: run load_all() first")
    return agencies


def _pools(rng):
    from layanan.core.crypto import encrypt

    niks = [f"510601{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}"
            f"{rng.randint(1, 9999):04d}" for _ in range(200)]
    phones = [f"+62812{rng.randint(1000000, 9999999)}" for _ in range(200)]
    addresses = [f"Jl. {rng.choice(LAST_NAMES)} No. {rng.randint(1, 200)}, Kecamatan {rng.choice(LAST_NAMES)}"
                 for _ in range(200)]
    return {
        "names": [f"{f} {ln}" for f in FIRST_NAMES for ln in LAST_NAMES],
        "nik": [encrypt(v) for v in niks], "phone": [encrypt(v) for v in phones],
        "address": [_text(encrypt(v)) for v in addresses],
    }


REQUEST_COLUMNS = [
    "id", "agency_id", "service_id", "standard_id", "kind", "channel", "applicant_type", "confidential",
    "applicant_name", "applicant_nik", "applicant_phone", "applicant_email", "applicant_address",
    "organisation_name", "letter_number", "letter_date", "letter_signatory", "consent_at", "subject",
    "description", "state", "current_step_id", "assignee_id", "assigned_unit_id", "clock_started_at",
    "due_at", "at_risk_at", "sla_status", "tracking_code", "tracking_secret", "idempotency_key",
    "product_text", "reject_reason", "version", "created_at", "updated_at", "resolved_at", "closed_at",
    "applicant_id_type", "extended_days", "whatsapp_consent",
]
EVENT_COLUMNS = ["request_id", "at", "actor_id", "actor_label", "action", "from_state", "to_state",
                 "from_step", "to_step", "note", "public", "data", "actor_kind", "actor_role"]
N = "\\N"


def _check_columns(cursor, table, columns):
    """Every NOT NULL column without a default must be written (the model may have grown)."""
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                   "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'", [table])
    missing = {r[0] for r in cursor.fetchall()} - set(columns)
    if missing:
        raise RuntimeError(f"inbox_generate does not fill {table}.{', '.join(sorted(missing))}")


def _drop_indexes(cursor, table) -> list[str]:
    """Drop the indexes not backing a constraint; returns their definitions to rebuild them."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [table])
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def generate_requests(n: int, *, seed: int = 20260101, verbose: bool = True) -> dict:
    """Insert n requests and 3n events; returns {"requests": n, "events": m, "seconds": t}."""
    from django.db import connection, transaction

    start = time.perf_counter()
    rng = random.Random(seed)
    agencies = load_metadata()
    pools = _pools(rng)
    biggest = max(agencies, key=lambda a: len(a["services"]))
    others = [a for a in agencies if a is not biggest]
    weights = [BIGGEST_SHARE if a is biggest else (1 - BIGGEST_SHARE) / max(len(others), 1) for a in agencies]
    state_names, state_w = zip(*STATES, strict=True)
    channel_names, channel_w = zip(*CHANNELS, strict=True)
    now = datetime.now(UTC).replace(microsecond=0)
    sequences: dict[tuple[int, int], int] = {}

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor (COPY)
        _check_columns(cursor, "requests_request", REQUEST_COLUMNS)
        _check_columns(cursor, "requests_event", EVENT_COLUMNS)
        cursor.execute("SELECT coalesce(max(id), 0) FROM requests_request")
        next_id = cursor.fetchone()[0] + 1
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        rebuild = _drop_indexes(cursor, "requests_request") + _drop_indexes(cursor, "requests_event")
        t_copy = time.perf_counter()
        n_events = 0
        for first in range(0, n, CHUNK):
            size = min(CHUNK, n - first)
            req_lines, event_lines = [], []
            chosen = rng.choices(agencies, weights=weights, k=size)
            states = rng.choices(state_names, weights=state_w, k=size)
            channels = rng.choices(channel_names, weights=channel_w, k=size)
            for i in range(size):
                rid = next_id + first + i
                agency, state, channel = chosen[i], states[i], channels[i]
                svc = rng.choice(agency["services"])
                is_open = state in OPEN
                age = rng.uniform(0, 60) if is_open else rng.uniform(3, 3 * 365)
                created = now - timedelta(days=age, seconds=rng.randint(0, 86_399))
                year = created.year
                seq = sequences.get((agency["id"], year), 0) + 1
                sequences[(agency["id"], year)] = seq
                span = timedelta(days=rng.uniform(1, 30))
                due = created + span if rng.random() > 0.02 else None
                at_risk = (due - span * 0.2) if due else None
                if is_open:
                    step = rng.choice(svc["work_steps"])
                    sla = ("breached" if due and due <= now else
                           "at_risk" if at_risk and at_risk <= now else "on_time")
                elif state in ("resolved", "closed"):
                    step = svc["steps"][-1]
                    sla = "breached" if rng.random() < 0.12 else "on_time"
                else:
                    step = rng.choice(svc["steps"])
                    sla = "on_time"
                staff = agency["staff"]
                assignee = rng.choice(staff) if rng.random() < (0.6 if is_open else 0.8) else None
                unit = step["unit_id"] or (rng.choice(agency["units"]) if agency["units"] else None)
                kind = rng.random()
                applicant_type = ("anonymous" if svc["kind"] == "complaint" and kind < 0.1 else
                                  "organisation" if kind > 0.9 else "person")
                confidential = (svc["kind"] == "complaint" and applicant_type != "anonymous"
                                and rng.random() < 0.1)
                person = applicant_type == "person"
                name = rng.choice(pools["names"]) if applicant_type != "anonymous" else ""
                finished = created + span * rng.uniform(0.3, 1.3)
                resolved_at = finished if state in ("resolved", "closed") else None
                closed_at = finished + timedelta(days=3) if state == "closed" else None
                updated = closed_at or resolved_at or (finished if not is_open else created + span * 0.1)
                updated = min(updated, now)
                req_lines.append("\t".join((
                    str(rid), str(agency["id"]), str(svc["id"]), str(svc["standard"]), svc["kind"], channel,
                    applicant_type, "t" if confidential else "f", name,
                    rng.choice(pools["nik"]) if person else "",
                    rng.choice(pools["phone"]) if applicant_type != "anonymous" else "",
                    f"warga{rid}@example.id" if applicant_type != "anonymous" and rid % 2 else "",
                    rng.choice(pools["address"]) if person else "",
                    f"Dinas {rng.choice(LAST_NAMES)}" if applicant_type == "organisation" else "",
                    f"{rid % 1000:03d}/UM/{year}" if applicant_type == "organisation" else "",
                    created.date().isoformat() if applicant_type == "organisation" else N,
                    "Kepala Dinas" if applicant_type == "organisation" else "",
                    _ts(created) if channel == "web" else N,
                    f"{rng.choice(SUBJECTS)} ({rid})", DESCRIPTION, state, str(step["id"]),
                    str(assignee["id"]) if assignee else N, str(unit) if unit else N,
                    _ts(created), _ts(due) if due else N, _ts(at_risk) if at_risk else N, sla,
                    # Old-style sequential codes (still valid); new requests get random ones.
                    f"{agency['code']}-{year}-{seq:06d}", secrets.token_urlsafe(12), N,
                    "Jawaban telah disampaikan kepada pemohon." if resolved_at else "",
                    "Bukan kewenangan instansi." if state == "rejected" else "",
                    str(rng.randint(1, 6)), _ts(created), _ts(updated),
                    _ts(resolved_at) if resolved_at else N, _ts(closed_at) if closed_at else N,
                    "", "0", "t" if channel == "whatsapp" else "f",  # id type "" = a NIK
                )))
                actor = assignee or rng.choice(staff)
                label = _text(actor["name"])
                first_pos = svc["work_steps"][0]["position"]
                event_lines.append(f"{rid}\t{_ts(created)}\t\\N\t\treceived\t\treceived\t\\N\t{first_pos}\t"
                                   f"Permohonan diterima melalui {CHANNEL_LABELS[channel]}."
                                   "\tt\t{}\tapplicant\t\n")
                second = created + span * 0.1
                if state == "received":
                    event_lines.append(f"{rid}\t{_ts(second)}\t{actor['id']}\t{label}\tnote\t\t\t\\N\t\\N\t"
                                       f"{rng.choice(NOTES)}\tf\t{{}}\tstaff\t\n")
                else:
                    event_lines.append(f"{rid}\t{_ts(second)}\t{actor['id']}\t{label}\tdispose\treceived\t"
                                       f"in_progress\t{first_pos}\t{step['position']}\t"
                                       f"{rng.choice(NOTES)}\tt\t{{}}\tstaff\t\n")
                if is_open:
                    event_lines.append(f"{rid}\t{_ts(second + timedelta(hours=2))}\t{actor['id']}\t{label}\t"
                                       f"note\t\t\t\\N\t\\N\t{rng.choice(NOTES)}\tf\t{{}}\tstaff\t\n")
                else:
                    action = {"resolved": step["action"], "closed": "close", "rejected": "reject",
                              "withdrawn": "withdraw"}[state]
                    event_lines.append(f"{rid}\t{_ts(updated)}\t{actor['id']}\t{label}\t{action}\t"
                                       f"in_progress\t{state}\t{step['position']}\t\\N\t\tt\t{{}}\tstaff\t\n")
                req_lines.append("\n")
            with cursor.copy(f"COPY requests_request ({', '.join(REQUEST_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(req_lines))
            with cursor.copy(f"COPY requests_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(event_lines))
            n_events += len(event_lines)
            if verbose:
                done = first + size
                print(f"# generated {done:,} requests ({time.perf_counter() - start:.0f} s)",
                      file=sys.stderr, flush=True)
        t_index = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
        cursor.execute("SELECT setval(pg_get_serial_sequence('requests_request', 'id'), "
                       "(SELECT max(id) FROM requests_request))")
        cursor.execute("SELECT setval(pg_get_serial_sequence('requests_event', 'id'), "
                       "(SELECT max(id) FROM requests_event))")
        cursor.execute("SET LOCAL session_replication_role = origin")
    t_vacuum = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit again: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE requests_request")
        cursor.execute("VACUUM ANALYZE requests_event")
    end = time.perf_counter()
    return {"requests": n, "events": n_events, "seconds": end - start, "biggest": biggest["code"],
            "phases": {"copy": t_index - t_copy, "indexes": t_vacuum - t_index, "vacuum": end - t_vacuum}}


if __name__ == "__main__":
    _setup_django()
    result = generate_requests(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    print(result)
