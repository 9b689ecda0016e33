"""Turns a standard into display rows, so that templates hold no logic.

The public page shows the standard the way the documents do: service
delivery first, then manufacturing, numbered, each component with its
structured content (and the agency's own words where they add something).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .duration import format_duration
from .models import DELIVERY_COMPONENTS, MANUFACTURING_COMPONENTS, ChannelKind, EvaluationPeriod


@dataclass
class Row:
    number: int
    key: str
    label: str
    text: str = ""
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)  # (label, href or "")
    groups: list = field(default_factory=list)  # (heading, items)
    step_groups: list = field(default_factory=list)  # (heading, steps)
    missing: bool = False


def _channel_href(kind: str, value: str) -> str:
    if not value:
        return ""
    if kind in {"phone"}:
        return f"tel:{value}"
    if kind == "whatsapp":
        return f"https://wa.me/{value.lstrip('+')}"
    if kind == "email":
        return f"mailto:{value}"
    if value.startswith(("http://", "https://")):
        return value
    return ""


def channel_links(channels) -> list[tuple[str, str]]:
    kinds = dict(ChannelKind.choices)
    links = []
    for c in channels:
        kind = c.get("kind", "other")
        label = c.get("label") or str(kinds.get(kind, kind))
        value = c.get("value", "")
        text = f"{label}: {value}" if value and value not in label else label
        links.append((text, _channel_href(kind, value)))
    return links


def cost_text(std) -> str:
    if std.cost_amount is None:
        return ""
    if std.is_free:
        return _("Gratis (tidak dipungut biaya)")
    amount = f"{std.cost_amount:,.0f}".replace(",", ".")
    return f"Rp{amount}"


def duration_text(std) -> str:
    if not std.duration_unit:
        return ""
    from .duration import DurationSpec

    spec = DurationSpec(
        min=std.duration_min, max=std.duration_max, unit=std.duration_unit,
        clock_starts_at=std.clock_starts_at or "submitted", text=std.duration_text,
    )
    return format_duration(spec)


def _grouped_requirements(requirements):
    groups: list[tuple[str, list]] = []
    for req in requirements:
        if not groups or groups[-1][0] != req.group:
            groups.append((req.group, []))
        groups[-1][1].append(req.label)
    return groups


def _grouped_steps(steps):
    """Steps under a heading each time the track or stage changes."""
    groups: list[tuple[str, list]] = []
    current = None
    for step in steps:
        heading = " — ".join(h for h in (step.track, step.stage) if h)
        if current is None or heading != current:
            groups.append((heading, []))
            current = heading
        groups[-1][1].append(step)
    return groups


def _rows(std, requirements, steps):
    texts = std.texts or {}
    periods = dict(EvaluationPeriod.choices)
    return {
        "persyaratan": Row(0, "persyaratan", "", groups=_grouped_requirements(requirements)),
        "prosedur": Row(0, "prosedur", "", step_groups=_grouped_steps(steps)),
        "jangka_waktu": Row(0, "jangka_waktu", "", text=duration_text(std),
                            items=[std.duration_text] if std.duration_text else []),
        "biaya": Row(0, "biaya", "", text=cost_text(std),
                     items=[t for t in [texts.get("biaya", ""), std.cost_legal_basis] if t]),
        "produk": Row(0, "produk", "", text=std.product),
        "pengaduan": Row(0, "pengaduan", "", links=channel_links(std.channels)),
        "dasar_hukum": Row(0, "dasar_hukum", "",
                           items=[ref.get("text") or ref.get("title", "") for ref in std.legal_basis]),
        "sarana_prasarana": Row(0, "sarana_prasarana", "", items=list(std.facilities)),
        "kompetensi_pelaksana": Row(0, "kompetensi_pelaksana", "", items=list(std.competencies)),
        "pengawasan_internal": Row(0, "pengawasan_internal", "", items=list(std.supervision)),
        "jumlah_pelaksana": Row(0, "jumlah_pelaksana", "",
                                text=texts.get("jumlah_pelaksana")
                                or (_("%d orang") % std.staff_count if std.staff_count else "")),
        "jaminan_pelayanan": Row(0, "jaminan_pelayanan", "", text=std.guarantee,
                                 items=[std.compensation_on_breach] if std.compensation_on_breach
                                 and std.compensation_on_breach not in std.guarantee else []),
        "jaminan_keamanan": Row(0, "jaminan_keamanan", "", text=std.security_guarantee),
        "evaluasi_kinerja": Row(0, "evaluasi_kinerja", "", text=texts.get("evaluasi_kinerja", ""),
                                items=[str(periods.get(p, p)) for p in std.evaluation_periods]),
    }


def _is_empty(row: Row) -> bool:
    return not (row.text or row.items or row.links or row.step_groups
                or any(items for _h, items in row.groups))


def component_sections(std, requirements=None, steps=None) -> list[tuple[str, list[Row]]]:
    """[(section title, [Row…])…] for the service page and the PDF."""
    requirements = list(std.requirements.all()) if requirements is None else requirements
    steps = list(std.steps.all()) if steps is None else steps
    rows = _rows(std, requirements, steps)
    sections = []
    for title, components in (
        (_("Komponen standar pelayanan yang terkait dengan proses penyampaian pelayanan "
           "(service delivery)"), DELIVERY_COMPONENTS),
        (_("Komponen standar pelayanan yang terkait dengan proses pengelolaan pelayanan di "
           "internal organisasi (manufacturing)"), MANUFACTURING_COMPONENTS),
    ):
        section_rows = []
        for number, (key, label) in enumerate(components, start=1):
            row = rows[key]
            row.number, row.label = number, str(label)
            row.missing = _is_empty(row)
            section_rows.append(row)
        sections.append((title, section_rows))
    return sections
