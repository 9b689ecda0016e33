"""How well the importer reads the five seeds, against the hand-checked demo data.

`make eval-import` runs `python -m layanan.importer.evaluate`. For every seed
document it parses the text, pairs the services found with the reference
services of layanan/demo/data/*.json, and compares them component by
component as sets of items (requirement labels, step texts, the duration spec,
channels as kind+value, legal references as type/number/year, …). Texts are
compared after whitespace normalisation with list markers stripped.

Where the reference procedure was reconstructed by hand because the source's
flow chart was an image (four services of seed 002), the right answer is "no
steps, and a warning that the procedure is missing".

Figures are printed as `bench:` lines, each budget of issue 4 as a `budget:`
line; the exit status is 1 when a budget is missed.
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
        total = Tally()
        for tally in self.tallies.values():
            total.true_positive += tally.true_positive
            total.false_positive += tally.false_positive
            total.false_negative += tally.false_negative
        return total


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
    options.add_argument("--verbose", action="store_true", help="list every mismatching component")
    args = options.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"Folder seed tidak ditemukan: {args.seeds}", file=sys.stderr)
        return 2
    report = evaluate(args.seeds)
    if args.verbose:
        print("\n".join(report.mismatches))
    lines, met = [], []
    for key, tally in [*report.tallies.items(), ("overall", report.overall)]:
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
    seconds, size = parse_time(args.seeds)
    lines.append(_line("import.parse_50_pages", seconds, "s") + f"  # {size} karakter")
    line, ok = _budget("import.parse_50_pages", seconds, "<=", PARSE_BUDGET_SECONDS, "s")
    lines.append(line)
    met.append(ok)
    print("\n".join(lines))
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
