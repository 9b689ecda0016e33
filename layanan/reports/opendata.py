"""Open data: an agency's monthly figures for anyone, as a page and as CSV files.

Only counts, shares and durations per month, service and channel — never a name, a subject,
a note or a tracking code (UU 27/2022; nothing here can point at a person). The last twelve
months plus the running one; ended months come from the stored rollup (rollup.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from layanan.requests.models import Channel
from layanan.standards.models import Service

from . import exports, metrics, rollup

CSV_FILES = {
    "bulanan": "Ringkasan per bulan",
    "layanan-bulanan": "Per layanan per bulan",
    "kanal-bulanan": "Per kanal per bulan",
}
MONTH_HEAD = [
    "bulan",
    "masuk",
    "selesai",
    "ditolak",
    "dicabut",
    "selesai_dengan_janji_waktu",
    "tepat_waktu",
    "terlambat",
    "tepat_waktu_persen",
    "median_hari_kerja",
    "p90_hari_kerja",
    "pengaduan_masuk",
    "pengaduan_selesai",
    "pengaduan_tepat_waktu_persen",
]
CHANNEL_LABELS = dict(Channel.choices)


@dataclass
class MonthRow:
    slug: str
    label: str
    complete: bool
    stat: object

    def values(self) -> list:
        s = self.stat
        if s is None:
            return [self.slug] + [0] * 8 + [None, None, 0, 0, None]
        met_pct = metrics.share(s.met, s.with_promise)
        complaints_pct = metrics.share(s.complaints_met, s.complaints_with_promise)
        return [
            self.slug,
            s.received,
            s.finished,
            s.rejected,
            s.withdrawn,
            s.with_promise,
            s.met,
            s.breached,
            None if met_pct is None else round(met_pct, 1),
            None if s.median_days is None else round(s.median_days, 2),
            None if s.p90_days is None else round(s.p90_days, 2),
            s.complaints_received,
            s.complaints_finished,
            None if complaints_pct is None else round(complaints_pct, 1),
        ]

    def display(self) -> list:
        v = self.values()
        return [
            self.label + ("" if self.complete else " *"),
            metrics.fmt_num(v[1]),
            metrics.fmt_num(v[2]),
            metrics.fmt_pct(v[8]),
            metrics.fmt_days(v[9]),
            metrics.fmt_num(v[11]),
            metrics.fmt_pct(v[13]),
        ]


def _months(agency):
    wanted = rollup.last_months(agency, 13)
    stats = rollup.months(agency, wanted)
    today = rollup.today(agency)
    return wanted, stats, today


def figures(agency) -> dict:
    wanted, stats, today = _months(agency)
    rows = [MonthRow(m.slug, m.label, m.end <= today, stats[m.start].get(None)) for m in wanted]
    return {
        "rows": list(reversed(rows)),
        "files": CSV_FILES,
        "head": [
            "Bulan",
            "Masuk",
            "Selesai",
            "Tepat waktu",
            "Median waktu penyelesaian",
            "Pengaduan masuk",
            "Pengaduan dijawab tepat waktu",
        ],
    }


def csv_file(agency, name: str) -> bytes:
    wanted, stats, today = _months(agency)
    if name == "bulanan":
        rows = [MonthRow(m.slug, m.label, m.end <= today, stats[m.start].get(None)).values() for m in wanted]
        return exports.csv_bytes(
            MONTH_HEAD + ["lengkap"], [r + [int(m.end <= today)] for r, m in zip(rows, wanted, strict=True)]
        )
    if name == "layanan-bulanan":
        names = dict(Service.objects.filter(agency=agency).values_list("pk", "code"))
        out = []
        for m in wanted:
            for service_id, stat in sorted(
                stats[m.start].items(), key=lambda kv: names.get(kv[0], "") if kv[0] else ""
            ):
                if service_id is None:
                    continue
                values = MonthRow(m.slug, m.label, m.end <= today, stat).values()
                out.append([values[0], names.get(service_id, service_id), *values[1:], int(m.end <= today)])
        return exports.csv_bytes(["bulan", "layanan", *MONTH_HEAD[1:], "lengkap"], out)
    if name == "kanal-bulanan":
        out = []
        for m in wanted:
            total = stats[m.start].get(None)
            for channel, n in sorted((total.channels if total else {}).items()):
                out.append(
                    [m.slug, channel, str(CHANNEL_LABELS.get(channel, channel)), n, int(m.end <= today)]
                )
        return exports.csv_bytes(["bulan", "kanal", "nama_kanal", "masuk", "lengkap"], out)
    raise KeyError(name)
