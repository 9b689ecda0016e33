"""The importer on 40 standards published by other agencies (tests/data/standards-corpus, issue 12).

The test half is scored here so CI keeps the thresholds; it is never used to tune
the parser (the split is fixed by a hash of the file name, annotations.json).
Pure: no database.
"""

import hashlib
import json

import pytest

from layanan.importer import evaluate
from layanan.importer.headings import COMPONENT_KEYS
from layanan.importer.parser import NO_COMPONENTS, parse_document
from layanan.standards.duration import UNITS

ANNOTATIONS = evaluate.CORPUS_DIR / "annotations.json"
pytestmark = pytest.mark.skipif(not ANNOTATIONS.is_file(), reason="corpus not in this checkout")


def documents():
    return json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["documents"]


def test_the_corpus_holds_at_least_40_annotated_documents_with_their_source():
    docs = documents()
    assert len(docs) >= 40
    assert len({doc["file"] for doc in docs}) == len(docs)
    for doc in docs:
        assert (evaluate.CORPUS_DIR / doc["file"]).read_text(encoding="utf-8").strip()
        assert doc["source_url"].startswith(("http://", "https://"))
        for service in doc["services"]:
            assert set(service["components"]) <= set(COMPONENT_KEYS)
            if service["duration"] is not None:
                assert service["duration"]["unit"] in UNITS and service["duration"]["max"] > 0


def test_the_split_is_the_documented_hash_of_the_file_name():
    for doc in documents():
        odd = hashlib.sha256(doc["file"].encode()).digest()[0] % 2
        assert doc["split"] == ("test" if odd else "dev")
    halves = {doc["split"] for doc in documents()}
    assert halves == {"dev", "test"}


def test_test_half_meets_the_issue_12_thresholds():
    report = evaluate.evaluate_corpus("test")
    assert evaluate.f1(report.overall) >= evaluate.CORPUS_F1_BUDGET
    assert report.duration_ratio >= evaluate.CORPUS_DURATION_BUDGET


@pytest.mark.parametrize("split", ["dev", "test"])
def test_no_document_is_refused_unless_it_truly_has_no_component(split):
    report = evaluate.evaluate_corpus(split)
    annotated_empty = {doc["file"] for doc in documents() if doc["split"] == split and not doc["services"]}
    assert set(report.refused) <= annotated_empty
    assert report.services_found >= report.services_expected - 1


def test_a_refusal_says_why():
    result = parse_document("Selamat datang di situs resmi kami.\nBerita terbaru minggu ini.\n")
    assert result.services == []
    assert result.warnings == [NO_COMPONENTS]
    assert "Persyaratan" in NO_COMPONENTS and "Jangka Waktu Penyelesaian" in NO_COMPONENTS


def test_a_standard_with_only_a_few_components_imports_what_is_there_with_warnings():
    text = "Persyaratan Legalisir\n1. Ijazah asli\n\nEstimasi Waktu Legalisir\n10 Menit\n"
    (service,) = parse_document(text).services
    assert service["_meta"]["headings"] == ["persyaratan", "jangka_waktu"]
    assert (service["duration"]["max"], service["duration"]["unit"]) == (10, "minute")
    missing = next(w for w in service["warnings"] if w.startswith("Komponen tidak ditemukan"))
    assert "Biaya / tarif" in missing and "Produk pelayanan" in missing


def test_make_eval_import_prints_a_table_and_a_summary_per_set(capsys):
    evaluate.main([])
    out = capsys.readouterr().out
    for name in ("seeds", "corpus-dev", "corpus-test"):
        assert f"summary: {name} components F1" in out
    assert "budget: import.corpus_test.f1 >= 0.9 ratio ok" in out
    assert "budget: import.corpus_test.durations_exact >= 0.9 ratio ok" in out
    assert out.count("  component ") == 3 and "precision  recall     F1" in out
