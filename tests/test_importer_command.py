"""manage.py import_standard: the dry run's interchange JSON and the atomic real import."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from layanan.importer import evaluate
from layanan.importer import services as import_services
from layanan.standards.interchange import to_interchange
from layanan.standards.models import Service, ServiceStandard

PAIRS = {reference["agency"]["code"]: (path, reference) for path, reference in evaluate.seed_pairs()} \
    if evaluate.SEEDS_DIR.is_dir() else {}
REPO = Path(__file__).resolve().parents[1]


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_standard", *map(str, args), stdout=out)
    return out.getvalue()


def test_dry_run_json_is_the_interchange_shape_and_writes_nothing(demo):
    path, reference = PAIRS["DPMPTSP-BANGLI"]
    before = Service.objects.count()
    output = json.loads(run(path, "--dry-run", "--format", "json"))
    assert Service.objects.count() == before
    (service,) = output["services"]
    published = to_interchange(ServiceStandard.objects.filter(status="published").first())
    assert set(published) - {"agency", "code", "version", "url"} <= set(service)
    assert not {"agency", "code", "version", "url", "_meta"} & set(service)
    assert service["requirements"] == [r["label"] for r in reference["services"][0]["requirements"]]
    assert service["duration"] == reference["services"][0]["duration"]
    assert [w[:35] for w in service["warnings"]] == ["Jumlah pelaksana tidak berupa angka"]
    assert {(c["kind"], c["value"]) for c in service["channels"]} >= {("whatsapp", "+628123866945")}


def test_dry_run_needs_no_agency_and_prints_a_summary(demo):
    path, _reference = PAIRS["ORGANISASI-KEDIRI"]
    output = run(path, "--dry-run")
    assert "17 layanan terbaca (tidak disimpan)." in output
    assert "Langkah prosedur tidak ditemukan" in output


def test_real_import_creates_draft_standards_for_the_agency(demo):
    path, reference = PAIRS["ORGANISASI-KEDIRI"]
    before = set(Service.objects.filter(agency__code="ORGANISASI-KEDIRI").values_list("pk", flat=True))
    output = json.loads(run(path, "--agency", "ORGANISASI-KEDIRI", "--format", "json"))
    assert len(output["services"]) == 17
    new = Service.objects.filter(agency__code="ORGANISASI-KEDIRI").exclude(pk__in=before).order_by("position")
    assert new.count() == 17
    assert len({service.code for service in new}) == 17
    for service, expected in zip(new, reference["services"], strict=True):
        (std,) = service.standards.all()
        assert std.status == ServiceStandard.Status.DRAFT
        assert [r.label for r in std.requirements.all()] == [r["label"] for r in expected["requirements"]]
        assert std.duration_text == expected["duration"]["text"]


def test_the_import_is_atomic_when_one_file_is_bad(demo, tmp_path):
    good, _reference = PAIRS["DPMN-SOLOK"]
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 tidak ada isinya")
    before = Service.objects.count()
    with pytest.raises(CommandError, match="PDF rusak"):
        run(good, bad, "--agency", "DPMN-SOLOK")
    assert Service.objects.count() == before


def test_the_import_is_atomic_when_saving_fails_halfway(demo, monkeypatch):
    path, _reference = PAIRS["ORGANISASI-KEDIRI"]
    real, calls = import_services.create_standard, []

    def failing(service, data, **kwargs):
        calls.append(service)
        if len(calls) == 5:
            raise ValidationError("Disk penuh.")
        return real(service, data, **kwargs)

    monkeypatch.setattr(import_services, "create_standard", failing)
    before = Service.objects.count()
    with pytest.raises(CommandError, match="Disk penuh"):
        run(path, "--agency", "ORGANISASI-KEDIRI")
    assert Service.objects.count() == before


@pytest.mark.parametrize("args,message", [
    (["--format", "json"], "--agency wajib diisi"),
    (["--agency", "TIDAK-ADA"], "tidak ditemukan"),
])
def test_clear_errors(demo, args, message):
    path, _reference = PAIRS["DPMN-SOLOK"]
    with pytest.raises(CommandError, match=message):
        run(path, *args)


def test_a_failure_exits_non_zero(tmp_path):
    empty = tmp_path / "kosong.txt"
    empty.write_bytes(b"")
    env = {**os.environ, "DEBUG": "1"}
    done = subprocess.run([sys.executable, "manage.py", "import_standard", str(empty), "--dry-run"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Berkas kosong" in done.stderr
