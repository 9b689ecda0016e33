"""Forms of the import screens: the upload, and one review form per service found.

The review form shows what the parser understood as plain text fields (one
item per line) so that an admin can correct anything; `interchange()` turns
the corrected form back into the dict `create_standard` takes, keeping the
parser's details (requirement kinds, step roles and transitions) for what the
admin left unchanged.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from layanan.standards.contacts import normalise_channel_value
from layanan.standards.duration import DurationParseError, parse_duration
from layanan.standards.models import ChannelKind, EvaluationPeriod, ServiceKind

from . import fields, procedure
from .formats import MAX_BYTES, ImportDocumentError, read_document
from .parser import EMPTY_DURATION, strip_meta

ROWS = {"rows": 4}
CHANNEL_KINDS = ", ".join(ChannelKind.values)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _rows(text: str) -> list[list[str]]:
    """Lines split at "|": "Kepala Dinas | memberikan disposisi" → ["Kepala Dinas", "memberikan …"]."""
    return [[part.strip() for part in line.split("|")] for line in _lines(text)]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas standar pelayanan"), required=False,
        help_text=_("Teks, markdown, HTML, DOCX atau PDF berlapis teks; paling besar 10 MB."),
    )
    text = forms.CharField(label=_("Atau tempel teks standarnya"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload and text:
            raise ValidationError(_("Pilih salah satu: unggah berkas atau tempel teks."))
        if not upload and not text:
            raise ValidationError(_("Unggah berkas atau tempel teks standar pelayanan."))
        if upload is not None and upload.size > MAX_BYTES:
            raise ValidationError(_("Berkas terlalu besar; batasnya 10 MB."))
        if upload is None and len(text.encode()) > MAX_BYTES:
            raise ValidationError(_("Teks terlalu panjang; batasnya 10 MB."))
        try:
            cleaned["document"] = read_document(upload.name, upload.read()) if upload else text
        except ImportDocumentError as exc:
            raise ValidationError(str(exc)) from exc
        cleaned["filename"] = upload.name if upload else ""
        return cleaned


def initial_for(parsed: dict, code: str) -> dict:
    """The review form's fields filled with what the parser read."""
    cost = parsed.get("cost") or {}
    return {
        "include": True, "name": parsed["name"], "code": code, "kind": parsed.get("kind") or "other",
        "duration_text": (parsed.get("duration") or {}).get("text") or "",
        "free": bool(cost.get("free")), "cost_amount": None if cost.get("free") else cost.get("amount"),
        "product": parsed.get("product", ""),
        "requirements": "\n".join(r["label"] for r in parsed.get("requirements", [])),
        "steps": "\n".join(f"{s['actor']} | {s['text']}" for s in parsed.get("steps", [])),
        "channels": "\n".join(f"{c['kind']} | {c.get('value', '')} | {c.get('label', '')}"
                              for c in parsed.get("channels", [])),
        "legal_basis": "\n".join(ref.get("text") or "" for ref in parsed.get("legal_basis", [])),
        "facilities": "\n".join(parsed.get("facilities", [])),
        "competencies": "\n".join(parsed.get("competencies", [])),
        "supervision": "\n".join(parsed.get("supervision", [])),
        "staff_count": parsed.get("staff_count"),
        "guarantee": parsed.get("guarantee", ""),
        "compensation_on_breach": parsed.get("compensation_on_breach", ""),
        "security_guarantee": parsed.get("security_guarantee", ""),
        "evaluation_periods": parsed.get("evaluation_periods", []),
    }


class ServiceReviewForm(forms.Form):
    include = forms.BooleanField(label=_("Simpan layanan ini sebagai draf"), required=False)
    name = forms.CharField(label=_("Nama layanan"), max_length=255)
    code = forms.SlugField(label=_("Kode"), max_length=80,
                           help_text=_("Huruf kecil, angka dan tanda hubung; unik di instansi Anda."))
    kind = forms.ChoiceField(label=_("Jenis layanan"), choices=ServiceKind.choices)
    duration_text = forms.CharField(label=_("Jangka waktu penyelesaian"), max_length=500, required=False,
                                    help_text=_("Mis. \"5 hari kerja\" atau \"1 s/d 3 minggu\"."))
    free = forms.BooleanField(label=_("Gratis (tidak dipungut biaya)"), required=False)
    cost_amount = forms.DecimalField(label=_("Tarif (Rp)"), required=False, min_value=0, max_digits=14,
                                     decimal_places=2)
    requirements = forms.CharField(label=_("Persyaratan"), required=False, widget=forms.Textarea(attrs=ROWS),
                                   help_text=_("Satu persyaratan per baris."))
    steps = forms.CharField(label=_("Sistem, mekanisme dan prosedur"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("Satu langkah per baris: pelaksana | uraian langkah."))
    product = forms.CharField(label=_("Produk pelayanan"), required=False, widget=forms.Textarea(attrs=ROWS))
    channels = forms.CharField(
        label=_("Penanganan pengaduan, saran dan masukan"), required=False, widget=forms.Textarea(attrs=ROWS),
        help_text=_("Satu kanal per baris: jenis | alamat | keterangan. Jenis: %(kinds)s.")
        % {"kinds": CHANNEL_KINDS},
    )
    legal_basis = forms.CharField(label=_("Dasar hukum"), required=False, widget=forms.Textarea(attrs=ROWS),
                                  help_text=_("Satu peraturan per baris."))
    facilities = forms.CharField(label=_("Sarana, prasarana dan/atau fasilitas"), required=False,
                                 widget=forms.Textarea(attrs=ROWS), help_text=_("Satu per baris."))
    competencies = forms.CharField(label=_("Kompetensi pelaksana"), required=False,
                                   widget=forms.Textarea(attrs=ROWS), help_text=_("Satu per baris."))
    supervision = forms.CharField(label=_("Pengawasan internal"), required=False,
                                  widget=forms.Textarea(attrs=ROWS), help_text=_("Satu per baris."))
    staff_count = forms.IntegerField(label=_("Jumlah pelaksana"), required=False, min_value=0)
    guarantee = forms.CharField(label=_("Jaminan pelayanan"), required=False,
                                widget=forms.Textarea(attrs=ROWS))
    compensation_on_breach = forms.CharField(label=_("Kompensasi bila standar tidak dipenuhi"),
                                             required=False, widget=forms.Textarea(attrs={"rows": 2}))
    security_guarantee = forms.CharField(label=_("Jaminan keamanan dan keselamatan"), required=False,
                                         widget=forms.Textarea(attrs=ROWS))
    evaluation_periods = forms.MultipleChoiceField(
        label=_("Jadwal evaluasi kinerja"), required=False, choices=EvaluationPeriod.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, parsed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = parsed

    def is_included(self) -> bool:
        return bool(self["include"].value())

    def clean_duration_text(self):
        text = self.cleaned_data["duration_text"].strip()
        if text:
            try:
                parse_duration(text)
            except DurationParseError as exc:
                raise ValidationError(str(exc)) from exc
        return text

    def clean_steps(self):
        rows = _rows(self.cleaned_data["steps"])
        for row in rows:
            if len(row) > 2 or not row[-1]:
                raise ValidationError(_("Tulis setiap langkah sebagai: pelaksana | uraian langkah."))
        return [(row[0], row[1]) if len(row) == 2 else ("", row[0]) for row in rows]

    def clean_channels(self):
        """Typed channels, addresses normalised; one copied as written from the document stays
        (the parser already warned about it)."""
        as_read = {(c["kind"], c.get("value", "")) for c in self.parsed.get("channels", [])}
        channels = []
        for row in _rows(self.cleaned_data["channels"]):
            kind, value, label = (row + ["", ""])[:3]
            if kind not in ChannelKind.values:
                message = _("Jenis kanal \"%(kind)s\" tidak dikenal; pilih salah satu: %(kinds)s.")
                raise ValidationError(message % {"kind": kind, "kinds": CHANNEL_KINDS})
            if (kind, value) not in as_read:
                try:
                    value = normalise_channel_value(kind, value)
                except ValueError as exc:
                    raise ValidationError(str(exc)) from exc
            channels.append({"kind": kind, "value": value, "label": label})
        return channels

    def interchange(self) -> dict:
        """The corrected service as create_standard takes it (call after is_valid())."""
        data = strip_meta(self.parsed)
        clean = self.cleaned_data
        guarantee = clean["guarantee"].strip()
        facilities = _lines(clean["facilities"])
        data.update(
            name=clean["name"].strip(), code=clean["code"], kind=clean["kind"],
            duration=self._duration(), cost=self._cost(), product=clean["product"].strip(),
            requirements=self._requirements(), steps=self._steps(), channels=clean["channels"],
            legal_basis=[fields.legal_reference(line) for line in _lines(clean["legal_basis"])],
            facilities=facilities, accessible=fields.accessible(facilities),
            competencies=_lines(clean["competencies"]), supervision=_lines(clean["supervision"]),
            staff_count=clean["staff_count"], guarantee=guarantee,
            compensation_on_breach=clean["compensation_on_breach"].strip(),
            security_guarantee=clean["security_guarantee"].strip(),
            evaluation_periods=clean["evaluation_periods"],
        )
        components = dict(data.get("components") or {})
        if data["duration"]["text"]:
            components["jangka_waktu"] = data["duration"]["text"]
        data["components"] = components
        return data

    def _duration(self) -> dict:
        text = self.cleaned_data["duration_text"]
        return parse_duration(text).as_dict() if text else dict(EMPTY_DURATION)

    def _cost(self) -> dict:
        free, amount = self.cleaned_data["free"], self.cleaned_data["cost_amount"]
        text = (self.parsed.get("cost") or {}).get("text", "")
        return {"free": free, "amount": 0 if free else amount, "text": text, "legal_basis": ""}

    def _requirements(self) -> list[dict]:
        """Typed lines; a line the parser read keeps its kind and group."""
        known = {" ".join(r["label"].split()): r for r in self.parsed.get("requirements", [])}
        lines = _lines(self.cleaned_data["requirements"])
        return [known.get(line) or fields.requirement(line) for line in lines]

    def _steps(self) -> list[dict]:
        """The parser's steps (roles, transitions) while the texts are unchanged; else inferred anew."""
        rows = self.cleaned_data["steps"]
        parsed = self.parsed.get("steps", [])
        if [" ".join(text.split()) for _actor, text in rows] != [s["text"] for s in parsed]:
            return procedure.steps_from_rows(rows)
        steps = []
        for (actor, _text), step in zip(rows, parsed, strict=True):
            if actor and actor != step["actor"]:
                step = {**step, "actor": actor, "role": procedure.role_for(actor)}
            steps.append(step)
        return steps
