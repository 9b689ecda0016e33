"""The dashboards as plain data for the templates: figures, tables and their SVG charts.

Each section pairs a chart with the table of the very numbers it draws (the table is what a
screen reader and a printout read); the templates only loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import charts, ikm, metrics, queries
from .scope import Selection

MEDIAN_COLOUR, P90_COLOUR, PROMISE_COLOUR = "#1a1a1a", "#b36b00", charts.RED


def _pct(value) -> str:
    return metrics.fmt_pct(value)


@dataclass
class Section:
    chart: str
    head: list
    rows: list
    caption: str = ""
    wide: bool = False  # a wide table goes under its chart, not beside it


@dataclass
class Dashboard:
    sel: Selection
    now: datetime
    cards: list = field(default_factory=list)  # [(label, value text)]
    sections: dict = field(default_factory=dict)  # name -> Section
    volumes: queries.Volumes | None = None
    sla: queries.Sla | None = None
    backlog: queries.Backlog | None = None
    breaches: queries.Breaches | None = None
    compensation: queries.Compensation | None = None
    complaints: queries.Complaints | None = None
    ikm: object = None
    ikm_available: bool = False
    agencies: list = field(default_factory=list)


def _svg(markup: str) -> str:
    return mark_safe(markup)  # noqa: S308 — charts.py escapes every label and value it writes


def sla_rows(rows) -> list:
    return [
        [
            r.label,
            r.promise or "—",
            r.figures.finished,
            r.figures.with_promise,
            r.figures.met,
            r.figures.breached,
            _pct(r.figures.met_pct),
            r.figures.median_text,
            r.figures.p90_text,
        ]
        for r in rows
    ]


SLA_HEAD = [
    gettext_lazy("Layanan"),
    gettext_lazy("Janji waktu"),
    gettext_lazy("Selesai"),
    gettext_lazy("Dengan janji waktu"),
    gettext_lazy("Tepat waktu"),
    gettext_lazy("Terlambat"),
    gettext_lazy("Tepat waktu (%)"),
    gettext_lazy("Median"),
    gettext_lazy("P90"),
]


def build(sel: Selection, now: datetime) -> Dashboard:
    d = Dashboard(sel=sel, now=now)
    d.volumes = queries.volumes(sel)
    d.sla = queries.sla(sel)
    d.backlog = queries.backlog(sel, now)
    d.breaches = queries.breaches(sel, now)
    d.compensation = queries.compensation(sel)
    d.complaints = queries.complaints(sel)
    d.ikm_available = ikm.available()
    d.ikm = ikm.for_selection(sel) if d.ikm_available else None
    total = d.sla.total
    d.cards = [
        (_("Permohonan masuk"), metrics.fmt_num(d.volumes.total)),
        (_("Selesai"), metrics.fmt_num(total.finished)),
        (_("Tepat waktu"), _pct(total.met_pct)),
        (_("Median waktu penyelesaian"), total.median_text),
        (_("P90 waktu penyelesaian"), total.p90_text),
        (_("Masih terbuka"), metrics.fmt_num(d.backlog.open)),
        (_("Menunggu pemohon"), metrics.fmt_num(d.backlog.waiting)),
        (_("Terbuka melewati tenggat"), metrics.fmt_num(d.backlog.breached)),
        (_("IKM"), d.ikm.text if d.ikm else ikm.NO_SURVEY),
    ]
    v = d.volumes
    per = {"day": _("per hari"), "week": _("per minggu (mulai Senin)"), "month": _("per bulan")}[v.bucket]
    d.sections["over_time"] = Section(
        _svg(
            charts.columns(
                [(label, n) for _d, label, n in v.by_bucket],
                title=_("Permohonan masuk %(per)s") % {"per": per},
            )
        ),
        [_("Waktu"), _("Permohonan")],
        [[label, n] for _d, label, n in v.by_bucket],
        per,
    )
    for name, rows, title, head in (
        ("by_service", v.by_service, _("Permohonan masuk per layanan"), _("Layanan")),
        ("by_channel", v.by_channel, _("Permohonan masuk per kanal"), _("Kanal")),
        ("by_kind", v.by_kind, _("Permohonan masuk per jenis"), _("Jenis")),
        ("by_unit", v.by_unit, _("Permohonan masuk per unit"), _("Unit")),
    ):
        d.sections[name] = Section(
            _svg(charts.hbar([(label, n) for _k, label, n in rows], title=title)),
            [head, _("Permohonan")],
            [[label, n] for _k, label, n in rows],
        )
    s = d.sla
    d.sections["sla_service"] = Section(
        _svg(
            charts.split_bars(
                [
                    (r.label, r.figures.met, r.figures.breached)
                    for r in s.by_service
                    if r.figures.with_promise
                ],
                title=_("Tepat waktu dan terlambat per layanan"),
            )
        ),
        SLA_HEAD,
        sla_rows(s.by_service),
        wide=True,
    )
    d.sections["sla_unit"] = Section(
        _svg(
            charts.hbar(
                [(r.label, r.figures.met_pct or 0) for r in s.by_unit if r.figures.with_promise],
                title=_("Persentase tepat waktu per unit"),
                fmt=_pct,
                max_value=100,
            )
        ),
        [_("Unit"), *SLA_HEAD[1:]],
        sla_rows(s.by_unit),
        wide=True,
    )
    markers = []
    if total.median is not None:
        markers.append(
            (
                _("median %(v)s") % {"v": total.median_text},
                charts.bin_position(total.median, queries.DAY_EDGES),
                MEDIAN_COLOUR,
            )
        )
        markers.append(
            (
                _("p90 %(v)s") % {"v": total.p90_text},
                charts.bin_position(total.p90, queries.DAY_EDGES),
                P90_COLOUR,
            )
        )
    d.sections["time"] = Section(
        _svg(
            charts.histogram(s.histogram, title=_("Sebaran waktu penyelesaian (hari kerja)"), markers=markers)
        ),
        [_("Hari kerja"), _("Selesai")],
        [[label, n] for label, n in s.histogram],
    )
    b = d.backlog
    d.sections["age"] = Section(
        _svg(
            charts.hbar(b.by_age, title=_("Permohonan terbuka menurut umur (hari kalender sejak diterima)"))
        ),
        [_("Umur"), _("Terbuka")],
        [list(r) for r in b.by_age],
    )
    d.sections["steps"] = Section(
        _svg(
            charts.hbar(
                [(f"{r.service[:18]} · {r.position or '—'}. {r.actor}", r.count) for r in b.by_step[:10]],
                title=_("Di langkah mana permohonan menunggu"),
            )
        ),
        [_("Layanan"), _("Langkah"), _("Pelaksana"), _("Terbuka"), _("Tertua (hari)")],
        [
            [r.service, f"{r.position or '—'}. {r.text}", r.actor, r.count, r.oldest_days]
            for r in b.by_step[:30]
        ],
        wide=True,
    )
    d.sections["waiting"] = Section(
        _svg(charts.hbar(b.waiting_by_age, title=_("Menunggu pemohon, menurut lama menunggu"))),
        [_("Lama menunggu"), _("Permohonan")],
        [list(r) for r in b.waiting_by_age],
    )
    c = d.complaints
    d.sections["complaints"] = Section(
        _svg(charts.hbar([(label, n) for _k, label, n in c.by_service], title=_("Pengaduan per layanan"))),
        [_("Layanan"), _("Pengaduan")],
        [[label, n] for _k, label, n in c.by_service],
    )
    d.sections["topics"] = Section(
        _svg(charts.hbar(c.topics, title=_("Kata yang paling sering muncul dalam perihal pengaduan"))),
        [_("Kata"), _("Pengaduan")],
        [list(r) for r in c.topics],
    )
    if d.ikm_available:
        trend = ikm.trend(sel)
        d.sections["ikm"] = Section(
            _svg(
                charts.columns(
                    [(label, i.converted if i and i.converted else 0) for label, i in trend],
                    title=_("IKM per bulan"),
                    max_value=100,
                    fmt=lambda x: metrics.fmt_num(x, 2),
                )
            ),
            [_("Bulan"), _("Responden"), _("IKM"), _("Mutu")],
            [
                [
                    label,
                    i.respondents if i else 0,
                    metrics.fmt_num(i.converted, 2) if i else "—",
                    f"{i.category} — {i.category_label}" if i else ikm.NO_SURVEY,
                ]
                for label, i in trend
            ],
        )
    if sel.scope.level == "region":
        d.agencies = queries.per_agency(sel, now)
        by_agency = ikm.summaries_by_agency(sel.period, [r.agency.pk for r in d.agencies])
        for row in d.agencies:
            row.ikm = by_agency.get(row.agency.pk)
        d.sections["agencies"] = Section(
            _svg(
                charts.hbar(
                    [(r.agency.name, r.sla.met_pct or 0) for r in d.agencies if r.sla.with_promise],
                    title=_("Persentase tepat waktu per instansi"),
                    fmt=_pct,
                    max_value=100,
                )
            ),
            [
                _("Instansi"),
                _("Masuk"),
                _("Selesai"),
                _("Tepat waktu (%)"),
                _("Median"),
                _("P90"),
                _("Terbuka"),
                _("Terbuka melewati tenggat"),
                _("Pengaduan tepat waktu (%)"),
                _("IKM"),
            ],
            [
                [
                    r.agency.name,
                    r.received,
                    r.sla.finished,
                    _pct(r.sla.met_pct),
                    r.sla.median_text,
                    r.sla.p90_text,
                    r.open,
                    r.open_late,
                    _pct(r.complaints_met_pct),
                    r.ikm.text if r.ikm else ikm.NO_SURVEY,
                ]
                for r in d.agencies
            ],
            wide=True,
        )
    return d
