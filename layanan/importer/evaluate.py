"""How well the importer reads standards: the five seeds, and a corpus of other agencies' standards.

`make eval-import` runs `python -m layanan.importer.evaluate`. For every seed
document it parses the text, pairs the services found with the reference
services of layanan/demo/data/*.json, and compares them component by
component as sets of items (requirement labels, step texts, the duration spec,
channels as kind+value, legal references as type/number/year, …). Texts are
compared after whitespace normalisation with list markers stripped.

Where the reference procedure was reconstructed by hand because the source's
flow chart was an image (four services of seed 002), the right answer is "no
steps, and a warning that the procedure is missing".

The corpus (tests/data/standards-corpus/, issue 12) is 40 standards published by
other agencies, annotated by hand with which components each service presents
and its processing time, split into a development and a test half by a hash of
the file name (annotations.json says how). There the score is per component:
is the component found where the annotation has it (precision, recall, F1), and
is the duration (min, max, unit) exactly the annotated one.

Each set gets a table and a `summary:` line; the seeds' figures are also
printed as `bench:` lines, each budget as a `budget:` line (issue 4, and issue
12's thresholds on the corpus test half); the exit status is 1 when a budget is
missed.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .headings import COMPONENT_KEYS
from .parser import parse_document

REPO = Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO / "layanan" / "demo" / "data"
SEEDS_DIR = Path(os.environ.get("LAYANAN_SEEDS_DIR", REPO / "layanan" / "demo" / "sources"))
CORPUS_DIR = Path(os.environ.get("LAYANAN_CORPUS_DIR", REPO / "tests" / "data" / "standards-corpus"))
CORPUS_F1_BUDGET = 0.90
CORPUS_DURATION_BUDGET = 0.90
EXPECTED_SERVICES = 21
RATIO_BUDGET = 0.95
PARSE_BUDGET_SECONDS = 2.0
PAGE_CHARS = 3000  # one A4 page of an Indonesian standard, roughly
NO_PROCEDURE = "<prosedur tidak ada + peringatan>"
_RECONSTRUCTED = re.compile(r"bagan\s+alur.*tidak\s+terbaca", re.I)
_MISSING_WARNING = re.compile(r"prosedur.*tidak\s+(?:ditemukan|terbaca)", re.I)
_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|\(\d{1,2}\)|[A-Za-z][.)]|[•·▪◦○●\-*–—])\s+", re.M)


def norm(text) -> str:
    """Whitespace collapsed (non-breaking spaces included), list markers stripped."""
    return " ".join(_MARKER.sub("", str(text or "")).split())


def component_items(service: dict, key: str) -> set:
    """The comparable items of one component of an interchange service dict."""
    return _ITEMS[key](service)


def _steps(service: dict) -> set:
    steps = {norm(s["text"] if isinstance(s, dict) else s) for s in service.get("steps", [])}
    warned = any(_MISSING_WARNING.search(w) or _RECONSTRUCTED.search(w) for w in service.get("warnings", []))
    if any(_RECONSTRUCTED.search(w) for w in service.get("warnings", [])):
        return {NO_PROCEDURE}
    return steps or ({NO_PROCEDURE} if warned else set())


def _duration(service: dict) -> set:
    spec = service.get("duration") or {}
    if not spec.get("unit"):
        return set()
    return {(spec.get("min"), spec.get("max"), spec["unit"], norm(spec.get("clock_starts_at")))}


def _cost(service: dict) -> set:
    cost = service.get("cost") or {}
    if not cost.get("free") and cost.get("amount") is None:
        return set()
    return {(bool(cost.get("free")), 0 if cost.get("free") else cost.get("amount"))}


def _text(key: str):
    return lambda service: {norm(service.get(key))} - {""}


def _texts(key: str):
    return lambda service: {norm(item) for item in service.get(key, [])} - {""}


def _guarantee(service: dict) -> set:
    items = _text("guarantee")(service)
    if service.get("compensation_on_breach"):
        items.add(("kompensasi", norm(service["compensation_on_breach"])))
    return items


_ITEMS = {
    "persyaratan": lambda s: {norm(r["label"] if isinstance(r, dict) else r)
                              for r in s.get("requirements", [])},
    "prosedur": _steps,
    "jangka_waktu": _duration,
    "biaya": _cost,
    "produk": _text("product"),
    "pengaduan": lambda s: {(c["kind"], c.get("value") or "") for c in s.get("channels", [])},
    "dasar_hukum": lambda s: {(r.get("type"), r.get("number") or "", r.get("year"))
                              for r in s.get("legal_basis", [])},
    "sarana_prasarana": _texts("facilities"),
    "kompetensi_pelaksana": _texts("competencies"),
    "pengawasan_internal": _texts("supervision"),
    "jumlah_pelaksana": lambda s: {s["staff_count"]} if s.get("staff_count") is not None else set(),
    "jaminan_pelayanan": _guarantee,
    "jaminan_keamanan": _text("security_guarantee"),
    "evaluasi_kinerja": lambda s: set(s.get("evaluation_periods", [])),
}


@dataclass
class Tally:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, found: set, expected: set) -> None:
        self.true_positive += len(found & expected)
        self.false_positive += len(found - expected)
        self.false_negative += len(expected - found)

    @property
    def precision(self) -> float:
        total = self.true_positive + self.false_positive
        return self.true_positive / total if total else 1.0

    @property
    def recall(self) -> float:
        total = self.true_positive + self.false_negative
        return self.true_positive / total if total else 1.0


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: {key: Tally() for key in COMPONENT_KEYS})
    services_found: int = 0
    services_expected: int = 0
    durations_exact: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        return total(self.tallies)


def total(tallies: dict[str, Tally]) -> Tally:
    """The tallies of all components added up."""
    result = Tally()
    for tally in tallies.values():
        result.true_positive += tally.true_positive
        result.false_positive += tally.false_positive
        result.false_negative += tally.false_negative
    return result


def seed_pairs(seeds_dir: Path = SEEDS_DIR) -> list[tuple[Path, dict]]:
    """(seed document, reference data) for every demo file, in file order."""
    pairs = []
    for path in sorted(REFERENCE_DIR.glob("*.json")):
        reference = json.loads(path.read_text(encoding="utf-8"))
        pairs.append((seeds_dir / reference["source"], reference))
    return pairs


def evaluate(seeds_dir: Path = SEEDS_DIR) -> Report:
    report = Report()
    for seed, reference in seed_pairs(seeds_dir):
        parsed = parse_document(seed.read_text(encoding="utf-8")).services
        report.services_found += len(parsed)
        report.services_expected += len(reference["services"])
        for expected, found in _paired(reference["services"], parsed):
            _compare(report, expected, found or {}, seed.name)
    return report


def _paired(expected: list[dict], parsed: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair each reference service with the most similar parsed one (greedy, in order)."""
    left = list(parsed)
    pairs = []
    for service in expected:
        best = max(left, key=lambda p: (_similarity(service, p), -left.index(p)), default=None)
        if best is not None:
            left.remove(best)
        pairs.append((service, best))
    return pairs


def _similarity(a: dict, b: dict) -> float:
    score = 0.0
    for key in ("persyaratan", "jangka_waktu", "produk", "dasar_hukum", "prosedur"):
        x, y = component_items(a, key), component_items(b, key)
        if x or y:
            score += len(x & y) / len(x | y)
    return score


def _compare(report: Report, expected: dict, found: dict, seed: str) -> None:
    for key in COMPONENT_KEYS:
        want, got = component_items(expected, key), component_items(found, key) if found else set()
        report.tallies[key].add(got, want)
        if want != got:
            report.mismatches.append(
                f"{seed} #{expected.get('number')} {key}: missing {sorted(map(str, want - got))} "
                f"extra {sorted(map(str, got - want))}"
            )
    if found and _duration(found) == _duration(expected) and _duration(expected):
        report.durations_exact += 1


# --- The corpus of other agencies' standards ---------------------------------------------------


@dataclass
class CorpusReport:
    """Per component: found where the annotation has it; per service: the exact duration."""

    name: str
    documents: int = 0
    tallies: dict[str, Tally] = field(default_factory=lambda: {key: Tally() for key in COMPONENT_KEYS})
    services_found: int = 0
    services_expected: int = 0
    durations_exact: int = 0
    durations_expected: int = 0
    refused: list[str] = field(default_factory=list)  # documents with no service found
    refusals_expected: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        return total(self.tallies)

    @property
    def duration_ratio(self) -> float:
        return self.durations_exact / self.durations_expected if self.durations_expected else 1.0


def f1(tally: Tally) -> float:
    precision, recall = tally.precision, tally.recall
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def corpus_documents(split: str | None = None, corpus_dir: Path = CORPUS_DIR) -> list[tuple[Path, dict]]:
    """(document, its annotation) of the corpus, or of one half of it ("dev" or "test")."""
    annotations = json.loads((corpus_dir / "annotations.json").read_text(encoding="utf-8"))
    return [(corpus_dir / doc["file"], doc) for doc in annotations["documents"]
            if split is None or doc["split"] == split]


def found_components(service: dict) -> set[str]:
    """The components the parser found under a heading of their own (a rescued duration is not one)."""
    return set(service.get("_meta", {}).get("headings", []))


def spec(duration: dict | None) -> tuple | None:
    if not duration or not duration.get("unit"):
        return None
    return duration.get("min"), duration.get("max"), duration["unit"]


def evaluate_corpus(split: str | None = None, corpus_dir: Path = CORPUS_DIR) -> CorpusReport:
    report = CorpusReport(name=f"corpus-{split}" if split else "corpus")
    for path, doc in corpus_documents(split, corpus_dir):
        report.documents += 1
        parsed = parse_document(path.read_text(encoding="utf-8")).services
        expected = doc["services"]
        report.services_found += len(parsed)
        report.services_expected += len(expected)
        report.refusals_expected += not expected
        if not parsed:
            report.refused.append(path.name)
        for want, got in _paired_by_components(expected, parsed):
            _compare_corpus(report, path.name, want, got)
    return report


def _paired_by_components(expected: list[dict], parsed: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Each annotated service with the parsed one sharing most components (then the nearest in order)."""
    left = list(range(len(parsed)))
    pairs: list[tuple[dict | None, dict | None]] = []
    for position, service in enumerate(expected):
        want = set(service["components"])
        best = max(left, key=lambda index, want=want, position=position: _overlap(want, parsed[index], index,
                                                                                   position), default=None)
        if best is not None:
            left.remove(best)
        pairs.append((service, parsed[best] if best is not None else None))
    pairs.extend((None, parsed[index]) for index in left)
    return pairs


def _overlap(want: set[str], service: dict, index: int, position: int) -> tuple[float, int]:
    got = found_components(service)
    return (len(want & got) / len(want | got) if want | got else 1.0), -abs(index - position)


def _compare_corpus(report: CorpusReport, name: str, want: dict | None, got: dict | None) -> None:
    expected = set(want["components"]) if want else set()
    found = found_components(got) if got else set()
    for key in COMPONENT_KEYS:
        report.tallies[key].add({key} & found, {key} & expected)
    label = want["name"] if want else (got or {}).get("name", "?")
    if expected != found:
        report.mismatches.append(f"{name} [{label}] components: missing {sorted(expected - found)} "
                                 f"extra {sorted(found - expected)}")
    wanted = spec(want.get("duration")) if want else None
    if wanted is None:
        return
    report.durations_expected += 1
    actual = spec(got.get("duration")) if got else None
    if actual == wanted:
        report.durations_exact += 1
    else:
        report.mismatches.append(f"{name} [{label}] duration: want {wanted} got {actual}")


def table(name: str, tallies: dict[str, Tally], overall: Tally) -> list[str]:
    """The per-component table printed by `make eval-import`."""
    header = f"  {'component':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'found':>6} {'want':>5}"
    lines = [name, header]
    for key, tally in [*tallies.items(), ("overall", overall)]:
        if key == "overall":
            lines.append("  " + "-" * 59)
        found = tally.true_positive + tally.false_positive
        want = tally.true_positive + tally.false_negative
        lines.append(f"  {key:<22} {tally.precision:>9.2f} {tally.recall:>7.2f} {f1(tally):>6.2f} "
                     f"{found:>6} {want:>5}")
    return lines


def corpus_lines(report: CorpusReport) -> list[str]:
    overall = report.overall
    lines = table(f"{report.name}: {report.documents} documents, {report.services_expected} services",
                  report.tallies, overall)
    refused = ", ".join(report.refused) or "none"
    lines.append(f"  services found {report.services_found} of {report.services_expected}; durations exact "
                 f"{report.durations_exact} of {report.durations_expected} ({report.duration_ratio:.0%}); "
                 f"refused: {refused} (annotated as having no component: {report.refusals_expected})")
    lines.append(f"summary: {report.name} components F1 {f1(overall):.2f} "
                 f"(precision {overall.precision:.2f}, recall {overall.recall:.2f}) "
                 f"durations exact {report.durations_exact}/"
                 f"{report.durations_expected} services {report.services_found}/{report.services_expected} "
                 f"refused {len(report.refused)}")
    return lines


def parse_time(seeds_dir: Path = SEEDS_DIR, pages: int = 50, runs: int = 3) -> tuple[float, int]:
    """Median seconds to parse a `pages`-page document made by repeating the seed texts."""
    texts = [seed.read_text(encoding="utf-8") for seed, _reference in seed_pairs(seeds_dir)]
    document = ""
    while len(document) < pages * PAGE_CHARS:
        document += "\n\n".join(texts) + "\n\n"
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        parse_document(document)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(document)


def _line(name: str, value: float, unit: str) -> str:
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    return f"bench: {name} {shown} {unit}"


def _budget(name: str, value: float, op: str, limit: float, unit: str) -> tuple[str, bool]:
    met = {"<=": value <= limit, ">=": value >= limit, "==": value == limit}[op]
    return f"budget: {name} {op} {limit:g} {unit} {'ok' if met else 'MISSED'}", met


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--seeds", type=Path, default=SEEDS_DIR, help="folder of the seed documents")
    options.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder of the annotated corpus")
    options.add_argument("--verbose", action="store_true",
                         help="list every mismatch of the seeds and of the corpus development half")
    args = options.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"Folder seed tidak ditemukan: {args.seeds}", file=sys.stderr)
        return 2
    report = evaluate(args.seeds)
    if args.verbose:
        print("\n".join(report.mismatches))
    lines, met = [], []
    seeds_overall = report.overall
    lines += table(f"seeds: {len(seed_pairs(args.seeds))} documents, {report.services_expected} services",
                   report.tallies, seeds_overall)
    lines.append(f"summary: seeds components F1 {f1(seeds_overall):.2f} "
                 f"(precision {seeds_overall.precision:.2f}, recall {seeds_overall.recall:.2f}) "
                 f"durations exact {report.durations_exact}/"
                 f"{report.services_expected} services {report.services_found}/{report.services_expected}")
    for key, tally in [*report.tallies.items(), ("overall", seeds_overall)]:
        for measure in ("precision", "recall"):
            value = getattr(tally, measure)
            lines.append(_line(f"import.{measure}.{key}", value, "ratio"))
            line, ok = _budget(f"import.{measure}.{key}", round(value, 2), ">=", RATIO_BUDGET, "ratio")
            lines.append(line)
            met.append(ok)
    lines.append(_line("import.services_found", report.services_found, "count"))
    line, ok = _budget("import.services_found", report.services_found, "==", EXPECTED_SERVICES, "count")
    lines += [line]
    met.append(ok)
    lines.append(_line("import.durations_exact", report.durations_exact, "count"))
    expected = report.services_expected
    line, ok = _budget("import.durations_exact", report.durations_exact, ">=", expected, "count")
    lines += [line]
    met.append(ok)
    if (args.corpus / "annotations.json").is_file():
        for split in ("dev", "test"):
            corpus = evaluate_corpus(split, args.corpus)
            if args.verbose and split == "dev":  # the test half is scored, never read for tuning
                lines += ["  " + mismatch for mismatch in corpus.mismatches]
            lines += [""] + corpus_lines(corpus)
            if split == "test":
                value = round(f1(corpus.overall), 2)
                line, ok = _budget("import.corpus_test.f1", value, ">=", CORPUS_F1_BUDGET, "ratio")
                lines.append(line)
                met.append(ok)
                value = round(corpus.duration_ratio, 2)
                line, ok = _budget("import.corpus_test.durations_exact", value, ">=", CORPUS_DURATION_BUDGET,
                                   "ratio")
                lines.append(line)
                met.append(ok)
    seconds, size = parse_time(args.seeds)
    lines.append("")
    lines.append(_line("import.parse_50_pages", seconds, "s") + f"  # {size} karakter")
    line, ok = _budget("import.parse_50_pages", seconds, "<=", PARSE_BUDGET_SECONDS, "s")
    lines.append(line)
    met.append(ok)
    print("\n".join(lines))
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
