"""The agency admin's import screens: upload or paste → review beside the source → save as drafts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from layanan.accounts.roles import EDIT_STANDARDS
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404, scoped
from layanan.standards.models import Service

from .forms import ServiceReviewForm, UploadForm, initial_for
from .models import ImportSession
from .parser import NO_COMPONENTS, parse_document
from .services import save_drafts, unique_code

editor_required = role_required(*EDIT_STANDARDS)

# Which component of the parse each review field shows (for its confidence and source link).
FIELD_COMPONENTS = {
    "name": "name", "duration_text": "jangka_waktu", "free": "biaya", "cost_amount": "biaya",
    "requirements": "persyaratan", "steps": "prosedur", "product": "produk", "channels": "pengaduan",
    "legal_basis": "dasar_hukum", "facilities": "sarana_prasarana", "competencies": "kompetensi_pelaksana",
    "supervision": "pengawasan_internal", "staff_count": "jumlah_pelaksana", "guarantee": "jaminan_pelayanan",
    "compensation_on_breach": "jaminan_pelayanan", "security_guarantee": "jaminan_keamanan",
    "evaluation_periods": "evaluasi_kinerja",
}
# The first review field of each component: where a source mark links back to.
COMPONENT_FIELDS = {key: name for name, key in reversed(FIELD_COMPONENTS.items())}


@editor_required
def upload(request):
    agency = request.user.agency
    if agency is None:
        raise Http404
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        result = parse_document(form.cleaned_data["document"])
        if result.services:
            session = ImportSession.objects.create(
                agency=agency, created_by=request.user, filename=form.cleaned_data["filename"][:255],
                text=result.text, services=result.services, warnings=result.warnings,
            )
            return redirect("importer:review", pk=session.pk)
        form.add_error(None, " ".join(result.warnings) or NO_COMPONENTS)
    pending = scoped(ImportSession.objects, request.user, region_wide=False).filter(saved_at__isnull=True)
    return render(request, "importer/upload.html", {"form": form, "pending": pending[:5]},
                  status=form_status(request))


@editor_required
def review(request, pk):
    session = get_scoped_or_404(ImportSession.objects.select_related("agency"), request.user,
                                region_wide=False, pk=pk)
    if session.saved_at:
        messages.info(request, _("Impor ini sudah disimpan sebagai draf."))
        return redirect("standards:services")
    forms = _review_forms(session, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        count = _save(request, session, forms)
        if count:
            messages.success(request, _("%(n)s standar pelayanan disimpan sebagai draf.") % {"n": count})
            return redirect("standards:services")
    return render(request, "importer/review.html", {
        "session": session, "source": highlighted_source(session.text, session.services),
        "panels": [_panel(index, form) for index, form in enumerate(forms)],
    }, status=form_status(request))


def _review_forms(session: ImportSession, data) -> list[ServiceReviewForm]:
    taken = set(Service.objects.filter(agency=session.agency).values_list("code", flat=True))
    forms = []
    for index, parsed in enumerate(session.services):
        code = unique_code(parsed["name"], taken)
        taken.add(code)
        initial = initial_for(parsed, code)
        forms.append(ServiceReviewForm(data, prefix=f"s{index}", parsed=parsed, initial=initial))
    return forms


def _save(request, session: ImportSession, forms: list[ServiceReviewForm]) -> int:
    """Save the included services as drafts in one transaction; 0 when something must be fixed."""
    included = [form for form in forms if form.is_included()]
    if not included:
        messages.error(request, _("Pilih minimal satu layanan untuk disimpan."))
        return 0
    if not all([form.is_valid() for form in included]) or not _codes_unique(session, included):
        messages.error(request, _("Periksa isian yang ditandai merah."))
        return 0
    try:
        with transaction.atomic():
            claimed = ImportSession.objects.filter(pk=session.pk, saved_at__isnull=True).update(
                saved_at=timezone.now()
            )
            if not claimed:  # a second click of the same button: the first one saved it
                return len(included)
            save_drafts(session.agency, [form.interchange() for form in included])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return 0
    except IntegrityError:  # another admin took one of the codes a moment ago
        messages.error(request, _("Kode layanan bentrok dengan layanan yang baru dibuat; simpan lagi."))
        return 0
    return len(included)


def _codes_unique(session: ImportSession, forms: list[ServiceReviewForm]) -> bool:
    taken = set(Service.objects.filter(agency=session.agency).values_list("code", flat=True))
    unique = True
    for form in forms:
        code = form.cleaned_data["code"]
        if code in taken:
            form.add_error("code", _("Kode layanan ini sudah dipakai di instansi Anda."))
            unique = False
        taken.add(code)
    return unique


# --- Presentation ----------------------------------------------------------------------------


def confidence_level(value: float) -> tuple[str, str]:
    """(css class, words) for a confidence between 0 and 1."""
    if value >= 0.85:
        return "conf-high", _("yakin")
    if value >= 0.6:
        return "conf-mid", _("cukup yakin")
    return "conf-low", _("perlu diperiksa")


def _panel(index: int, form: ServiceReviewForm) -> dict:
    meta = form.parsed.get("_meta", {}).get("fields", {})
    rows = []
    for name in form.fields:
        if name == "include":
            continue
        key = FIELD_COMPONENTS.get(name)
        found = meta.get(key) if key else None
        confidence = found["confidence"] if found else 0.0
        level, words = confidence_level(confidence)
        rows.append({
            "field": form[name], "key": key, "confidence": round(confidence * 100), "level": level,
            "words": words if found else _("tidak ada di dokumen"),
            "anchor": f"src-{index}-{key}" if found and found.get("span") else "",
        })
    return {"index": index, "form": form, "rows": rows, "warnings": form.parsed.get("warnings", []),
            "steps": form.parsed.get("steps", []), "name": form.parsed["name"]}


def highlighted_source(text: str, services: list[dict]) -> str:
    """The normalised text with a <mark id="src-I-KEY"> around each span the parser used."""
    spans = []
    for index, service in enumerate(services):
        for key, meta in service.get("_meta", {}).get("fields", {}).items():
            if meta.get("span"):
                start, end = meta["span"]
                spans.append((start, end, index, key, meta.get("label", key)))
    spans.sort()
    parts, position = [], 0
    for start, end, index, key, label in spans:
        if start < position or end <= start or end > len(text):
            continue
        parts.append(escape(text[position:start]))
        parts.append(format_html(
            '<mark id="src-{0}-{1}" class="src"><a class="src-tag" href="#f-{0}-{2}">{3} · {4}</a>{5}</mark>',
            index, key, COMPONENT_FIELDS.get(key, "name"), index + 1, label, text[start:end],
        ))
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))  # every part is escaped above
