"""How complete and specific a standard is (the overseer's league table).

Each of the fourteen components is checked for being *present* and
*specific* (a number in the time, an amount or "free" for the cost, an
address in a complaint channel…), in the spirit of the Ombudsman's
compliance check. Separately, `missing_for_publishing` lists what a request
cannot run without: those block publishing.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import DELIVERY_COMPONENTS, MANUFACTURING_COMPONENTS

CONTACT_KINDS_WITH_ADDRESS = {"phone", "whatsapp", "email", "website", "lapor", "app", "social_media"}


@dataclass(frozen=True)
class ComponentCheck:
    key: str
    label: str
    present: bool
    specific: bool
    note: str = ""

    @property
    def points(self) -> float:
        return 1.0 if self.specific else 0.5 if self.present else 0.0


def _check(key, present, specific, note=""):
    labels = dict(DELIVERY_COMPONENTS + MANUFACTURING_COMPONENTS)
    return ComponentCheck(key, str(labels[key]), bool(present), bool(present and specific), note)


def facility_like(requirements) -> list[str]:
    """Requirements that read like the office's facilities (seed 004: "ATK", "Komputer atau laptop",
    "Jaringan internet"): they belong under Sarana, prasarana, not under Persyaratan."""
    from .requirement_rules import looks_like_facility

    return [r.label for r in requirements if looks_like_facility(r.label)]


def check_components(std, requirements=None, steps=None) -> list[ComponentCheck]:
    """Check every component. Pass prefetched lists to avoid queries."""
    requirements = list(std.requirements.all()) if requirements is None else requirements
    steps = list(std.steps.all()) if steps is None else steps
    facilities = facility_like(requirements)
    texts = std.texts or {}
    reachable = [c for c in std.channels if c.get("kind") in CONTACT_KINDS_WITH_ADDRESS and c.get("value")]
    dated_laws = [ref for ref in std.legal_basis if ref.get("number") and ref.get("year")]
    return [
        _check("persyaratan", requirements, not facilities,
               _("tampak seperti sarana kantor, bukan persyaratan pemohon: %(items)s") % {
                   "items": ", ".join(facilities)} if facilities else ""),
        _check("prosedur", steps, all(s.actor.strip() for s in steps),
               _("ada langkah tanpa pelaksana") if not all(s.actor.strip() for s in steps) else ""),
        _check("jangka_waktu", std.duration_unit, std.duration_max is not None or std.duration_unit == "none",
               "" if std.duration_max is not None else _("tanpa angka waktu")),
        _check("biaya", std.cost_amount is not None, True),
        _check("produk", std.product.strip(), True),
        _check("pengaduan", std.channels, reachable,
               "" if reachable else _("tanpa alamat yang dapat dihubungi")),
        _check("dasar_hukum", std.legal_basis, dated_laws,
               "" if dated_laws else _("tanpa nomor dan tahun peraturan")),
        _check("sarana_prasarana", std.facilities, True,
               "" if std.accessible else _("tidak menyebut fasilitas untuk penyandang disabilitas")),
        _check("kompetensi_pelaksana", std.competencies, True),
        _check("pengawasan_internal", std.supervision, True),
        _check("jumlah_pelaksana", std.staff_count is not None or texts.get("jumlah_pelaksana"),
               std.staff_count is not None, "" if std.staff_count else _("tanpa jumlah orang")),
        _check("jaminan_pelayanan", std.guarantee.strip(), True),
        _check("jaminan_keamanan", std.security_guarantee.strip(), True),
        _check("evaluasi_kinerja", std.evaluation_periods or texts.get("evaluasi_kinerja"),
               std.evaluation_periods, "" if std.evaluation_periods else _("tanpa jadwal evaluasi")),
    ]


def completeness_score(checks: list[ComponentCheck]) -> float:
    """0–100: a specific component counts 1, a vague one ½, a missing one 0."""
    return round(100 * sum(c.points for c in checks) / len(checks), 1) if checks else 0.0


def missing_for_publishing(std, steps=None) -> list[str]:
    """What a request cannot run without. Each line says exactly what to fill in."""
    steps = list(std.steps.all()) if steps is None else steps
    missing = []
    if not std.service.name.strip():
        missing.append(_("Nama layanan belum diisi."))
    if not steps:
        missing.append(_("Prosedur: belum ada langkah."))
    if not std.duration_unit:
        missing.append(_("Jangka waktu penyelesaian belum diisi atau tidak terbaca."))
    if std.cost_amount is None:
        missing.append(_("Biaya/tarif belum diisi (isi 0 bila gratis)."))
    if not std.channels:
        missing.append(_("Penanganan pengaduan: belum ada kanal pengaduan."))
    positions = {s.position for s in steps}
    for s in steps:
        for target in (s.on_done, s.on_cannot_resolve):
            if target and target not in positions:
                missing.append(_("Langkah %(n)s menunjuk ke langkah %(t)s yang tidak ada.")
                               % {"n": s.position, "t": target})
    return missing
