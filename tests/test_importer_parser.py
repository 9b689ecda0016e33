"""The importer's parser on the five seed documents, on variants of their wording, and on junk.

Pure: no database. The seeds live in layanan/demo/sources (SEEDS.md).
"""

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layanan.importer import evaluate
from layanan.importer.formats import ImportDocumentError, read_document
from layanan.importer.headings import COMPONENT_KEYS, match_heading
from layanan.importer.normalise import normalise
from layanan.importer.parser import MISSING_PROCEDURE, parse_document, strip_meta, to_interchange

SEEDS = {path.name[:3]: path for path, _ref in evaluate.seed_pairs()} if evaluate.SEEDS_DIR.is_dir() else {}
CRASH_WARNINGS = ("tidak dapat diurai otomatis", "tidak dapat dibaca otomatis")


def parsed(seed: str) -> list[dict]:
    return [strip_meta(s) for s in parse_document(SEEDS[seed].read_text(encoding="utf-8")).services]


def test_the_five_seeds_hold_21_services():
    assert [len(parsed(seed)) for seed in sorted(SEEDS)] == [1, 1, 17, 1, 1]


def test_evaluation_against_the_demo_data_meets_the_budgets():
    report = evaluate.evaluate()
    assert report.services_found == evaluate.EXPECTED_SERVICES
    assert report.durations_exact == report.services_expected == evaluate.EXPECTED_SERVICES
    for key, tally in [*report.tallies.items(), ("overall", report.overall)]:
        assert tally.precision >= evaluate.RATIO_BUDGET, (key, report.mismatches)
        assert tally.recall >= evaluate.RATIO_BUDGET, (key, report.mismatches)


def test_seed_000_tracks_escalation_and_the_stray_duration():
    (service,) = parsed("000")
    assert service["name"] == "Administrasi, Konsultasi, dan Pelayanan Publik"
    assert service["kind"] == "consultation"
    assert [r["label"] for r in service["requirements"]] == [
        "Dokumen , Data, Informasi Permasalahan yang akan dikonsultasikan"]
    steps = service["steps"]
    assert len(steps) == 9 and len({s["track"] for s in steps}) == 2
    assert steps[-1]["text"].endswith("oleh Kepala Dinas")  # "45 Menit" moved to the duration
    assert (steps[1]["on_done"], steps[1]["on_cannot_resolve"]) == (5, 3)
    assert (steps[4]["role"], steps[4]["action"]) == ("head", "approve")
    assert service["duration"] == {"min": None, "max": 45, "unit": "minute", "clock_starts_at": "submitted",
                                   "text": "45 Menit"}
    assert any("45 Menit" in w for w in service["warnings"])
    channels = {(c["kind"], c["value"]) for c in service["channels"]}
    assert ("website", "https://www.dpmnsolokkab.go.id") in channels
    assert ("lapor", "https://www.lapor.go.id") in channels
    assert service["evaluation_periods"] == ["monthly", "yearly", "on_demand"]


def test_seed_001_letter_procedure_roles_and_contacts():
    (service,) = parsed("001")
    assert [r["kind"] for r in service["requirements"]] == ["document", "identity", "form", "form", "other"]
    steps = service["steps"]
    assert len(steps) == 13
    assert [s["action"] for s in steps[5:13]] == [
        "dispose", "verify", "dispose", "process", "initial", "initial", "approve", "deliver"]
    assert (steps[5]["actor"], steps[5]["role"]) == ("Kepala Dinas", "head")
    assert (steps[6]["role"], steps[6]["on_incomplete"], steps[6]["can_reject"]) == (
        "unit_head", "return_to_applicant", True)
    assert service["duration"]["min"] == 1 and service["duration"]["unit"] == "week"
    phones = [c["value"] for c in service["channels"] if c["kind"] == "phone"]
    assert phones == ["+6285252375905", "+6285247848447"]
    assert any("tidak valid" in w for w in service["warnings"])  # "sekadau.@gmail" kept, flagged
    assert [(r["type"], r["number"], r["year"]) for r in service["legal_basis"]][1] == ("UU", "11", 2009)
    assert service["accessible"] is True and service["staff_count"] == 2
    assert service["evaluation_periods"] == ["quarterly"]


def test_seed_002_headingless_services_are_split_at_the_restarted_numbering():
    services = parsed("002")
    assert len(services) == 17
    for index in (1, 3, 4, 5):  # services #4, #6, #7, #8: the flow chart was an image
        assert services[index]["steps"] == [] and MISSING_PROCEDURE in services[index]["warnings"]
    groups = [r["group"] for r in services[3]["requirements"]]
    assert groups == ["Persayaratan Teknis", "Persayaratan Teknis", "Persayaratan Administrasi"]
    assert {r["group"] for r in services[11]["requirements"]} == {"A. Persyaratan Teknis",
                                                                   "B. Persyaratan Administrasi"}
    nomenclature = services[2]
    assert nomenclature["duration"]["clock_starts_at"] == (
        "disposisi Kepala Bagian Organisasi diterima Kasubag Kelembagaan")
    assert [s["starts_clock"] for s in nomenclature["steps"]].index(True) == 4
    assert nomenclature["steps"][1]["role"] == "external"  # the Sekretaris Daerah
    assert services[6]["steps"][0]["stage"] == "A. Tahap Persiapan dan Perencanaan"
    assert services[12]["duration"]["unit"] == "day"  # "2 (dua) hari sejak"
    assert services[15]["duration"]["unit"] == "none"  # "Setiap hari kerja"
    assert services[0]["channels"][1] == {"kind": "phone", "value": "+62354689901",
                                          "label": "Telp: 0354-689901-5 Pswt. 480"}
    assert services[-1]["evaluation_periods"] == []  # the site footer is not part of the standard


def test_seed_003_mermaid_flow_gives_actors_and_transitions():
    (service,) = parsed("003")
    assert service["name"] == "Pengaduan masyarakat" and service["kind"] == "complaint"
    steps = service["steps"]
    assert [s["actor"] for s in steps] == [
        "Petugas Pengaduan", "Operator IT", "Tim Pengaduan dan Bidang Terkait"]
    assert [s["track"] for s in steps] == ["Pengaduan Manual", "Pengaduan Online", ""]
    assert steps[0]["on_done"] == 3
    assert [r["label"] for r in service["requirements"]] == ["KTP/Pekenal lainnya", "Alamat Pelapor",
                                                             "Bukti dukung aduan"]
    channels = {(c["kind"], c["value"]) for c in service["channels"]}
    assert {("whatsapp", "+628123866945"), ("phone", "+6236691267"),
            ("email", "dpmptspbangli@gmail.com")} <= channels
    assert service["duration"]["max"] == 60 and service["duration"]["unit"] == "working_day"
    assert service["evaluation_periods"] == ["after_case"]


def test_seed_004_lettered_headings_and_compensation():
    (service,) = parsed("004")
    assert len(service["requirements"]) == 4 and len(service["steps"]) == 4
    assert service["steps"][-1]["action"] == "answer"
    kinds = [c["kind"] for c in service["channels"]]
    assert kinds.count("social_media") == 2 and "app" in kinds and "radio" in kinds
    assert service["compensation_on_breach"].startswith("Jika tidak sesuai")
    assert service["staff_count"] == 8
    assert service["duration"]["max"] == 30


@pytest.mark.parametrize("line,key", [
    ("6.Pengangan Pengaduan, saran dan masukan", "pengaduan"),
    ("  2. Persayaratan Pelayanan", None),  # indented: a list item, not a heading
    ("2.Persayaratan Pelayanan", "persyaratan"),
    ("3.Jangka Waktu Penyelesaian45 Menit", "jangka_waktu"),
    ("A. Persyaratan Pelayanan", "persyaratan"),
    ("E. Spesifikasi Produk", "produk"),
    ("F. Pengelolaan Pengaduan", "pengaduan"),
    ("7.Sarana dan Prasarana", "sarana_prasarana"),
    ("Jaminan Keamanan Keselamatan Pelayanan", "jaminan_keamanan"),
    ("D. Biaya / tarif retribusi : GRATIS", "biaya"),
    ("Pengawasan dilakukan secara berjenjang", None),
    ("Biayanya ditanggung pemohon", None),
    ("Produktivitas pegawai", None),
])
def test_heading_spellings(line, key):
    heading = match_heading(line)
    assert (heading.key if heading else None) == key


def test_glued_heading_keeps_its_body():
    heading = match_heading("3.Jangka Waktu Penyelesaian45 Menit")
    assert (heading.number, heading.rest) == (3, "45 Menit")


def test_markdown_table_rows_become_headings():
    text = normalise("| NO | KOMPONEN | URAIAN |\n|---|---|---|\n"
                     "| 3. | Jangka Waktu Penyelesaian | 5 hari kerja |\n")
    assert "3. Jangka Waktu Penyelesaian\n  5 hari kerja" in text


def test_a_mermaid_graph_alone_gives_one_step_per_node():
    text = ("1. Persyaratan\nKTP\n2. Prosedur\n```mermaid\ngraph TD\nA[PEMOHON] --> B[PETUGAS LOKET]\n"
            "B --> C[KEPALA DINAS]\n```\n3. Jangka Waktu Penyelesaian\n2 hari kerja\n")
    (service,) = parse_document(text).services
    assert [(s["actor"], s["role"]) for s in service["steps"]] == [
        ("Pemohon", "applicant"), ("Petugas Loket", "front_desk"), ("Kepala Dinas", "head")]


def test_source_spans_point_at_what_was_read():
    result = parse_document(SEEDS["003"].read_text(encoding="utf-8"))
    meta = result.services[0]["_meta"]["fields"]
    start, end = meta["jangka_waktu"]["span"]
    assert result.text[start:end] == "Jangka waktu penyelesaian 1 (satu) – 60 (enam puluh) hari kerja"
    assert set(meta) == {"name", *COMPONENT_KEYS}
    assert all(0 <= m["confidence"] <= 1 for m in meta.values())


def test_interchange_shape_has_the_documented_keys():
    service = to_interchange(parse_document(SEEDS["001"].read_text(encoding="utf-8")).services[0])
    assert {"name", "kind", "components", "requirements", "requirement_items", "steps", "procedure",
            "duration", "cost", "product", "channels", "legal_basis", "enactment", "warnings"} <= set(service)
    assert not {"agency", "code", "version", "url", "_meta"} & set(service)
    assert service["cost"] == {"free": True, "amount": None}
    json.dumps(service)


def test_nothing_recognisable_is_a_warning_not_an_error():
    result = parse_document("Selamat datang di situs kami.\nBerita terbaru.")
    assert result.services == [] and result.warnings


def test_a_50_page_document_parses_in_under_two_seconds():
    document = "\n\n".join(path.read_text(encoding="utf-8") for path in SEEDS.values())
    document = document * (50 * evaluate.PAGE_CHARS // len(document) + 1)
    started = time.perf_counter()
    result = parse_document(document)
    assert time.perf_counter() - started < evaluate.PARSE_BUDGET_SECONDS
    assert len(result.services) >= 21


# --- Never raises ---------------------------------------------------------------------------

SEED_TEXTS = [path.read_text(encoding="utf-8") for path in SEEDS.values()]


@st.composite
def mutated_seed(draw):
    """A seed with lines deleted, duplicated, re-cased, swapped or cut short."""
    lines = draw(st.sampled_from(SEED_TEXTS)).split("\n")
    for operation, position, cut in draw(st.lists(
            st.tuples(st.sampled_from(["delete", "duplicate", "upper", "lower", "swap", "cut"]),
                      st.integers(0, 10_000), st.integers(0, 200)), max_size=12)):
        if not lines:
            break
        i = position % len(lines)
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(i, lines[i])
        elif operation == "upper":
            lines[i] = lines[i].upper()
        elif operation == "lower":
            lines[i] = lines[i].lower()
        elif operation == "swap":
            j = (i + cut) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i][:cut]
    return "\n".join(lines)


def check_result(result) -> None:
    assert isinstance(result.text, str)
    for service in result.services:
        clean = strip_meta(service)
        json.dumps(clean)
        json.dumps(to_interchange(service))
        assert isinstance(clean["name"], str) and clean["name"]
        assert not any(crash in w for w in clean["warnings"] for crash in CRASH_WARNINGS), clean["warnings"]
        for meta in service["_meta"]["fields"].values():
            if meta["span"]:
                assert 0 <= meta["span"][0] <= meta["span"][1] <= len(result.text)
    assert not any(crash in w for w in result.warnings for crash in CRASH_WARNINGS)


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated_seed())
def test_mutated_seeds_parse_with_warnings(text):
    check_result(parse_document(text))


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000))
def test_random_text_parses(text):
    check_result(parse_document(text))


@FUZZ
@given(st.lists(st.sampled_from([
    "1.", "2.Persyaratan Pelayanan", "| 3. | Jangka Waktu Penyelesaian | |", "graph LR A[X] --> B[Y]", "- ",
    "  • Telp: 0812", "A. Prosedur", "Keterangan", "<div><pre>", "</pre>", "|", "3 s/d", "Rp. 5.000",
    "Apabila tidak dapat diselesaikan", "1. Kepala Dinas memberikan disposisi", "\t", "\u00a0", "",
]), max_size=40))
def test_structured_junk_parses(lines):
    check_result(parse_document("\n".join(lines)))


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.pdf", "a.docx", "a.html", "a", "a.doc"]))
def test_random_bytes_are_a_parse_or_a_clear_error(data, name):
    try:
        text = read_document(name, data)
    except ImportDocumentError as exc:
        assert str(exc) and exc.code
        return
    check_result(parse_document(text))
