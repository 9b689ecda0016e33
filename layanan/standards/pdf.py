"""The standard as an A4 PDF, from the same rows as the web page; stored once per version.

WeasyPrint renders HTML+CSS to PDF without a browser; the flow chart goes in
as an SVG data URI so the PDF needs no network and no temporary files.

Rendering takes 0.3–0.9 s, so the PDF of a published version is rendered once
and kept in the storage backend under
``standards/pdf/<agency>/<service>-v<version>-<lang>-<digest>.pdf``. The
digest is taken over the HTML that WeasyPrint would render (cheap to make):
a published version never changes, but the agency's name, maklumat and
complaint channels printed on it can, and so can a translation or the
template after a deploy; any of those gives a new file instead of a stale one.
The file is written to a temporary name and linked into place, so a reader
never sees half a file and two first requests at once leave one whole file.
"""

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.text import slugify

from .flowchart import render_swimlane_svg
from .interchange import step_dict

PDF_DIR = "standards/pdf"
FLOWCHART_CACHE_SECONDS = 24 * 3600


def flowchart_svg(std) -> str:
    """The standard's swim-lane SVG, from the shared cache when the steps are unchanged."""
    steps = [step_dict(s) for s in std.steps.all()]
    title = std.service.name
    digest = hashlib.sha256(json.dumps([title, steps], sort_keys=True, default=str).encode()).hexdigest()
    key = f"standards:flowchart:{std.pk}:v{std.version}:{digest[:16]}"
    svg = cache.get(key)
    if svg is None:
        svg = render_swimlane_svg(steps, title=title)
        cache.set(key, svg, FLOWCHART_CACHE_SECONDS)
    return svg


def standard_pdf_html(context: dict) -> str:
    """The HTML WeasyPrint turns into the PDF (the flow chart inlined as a data URI)."""
    svg = flowchart_svg(context["std"])
    flow_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return render_to_string("portal/standard_pdf.html", {**context, "flow_uri": flow_uri})


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported lazily: heavy, and only this view needs it

    return HTML(string=html).write_pdf()


@dataclass(frozen=True)
class StoredPdf:
    name: str  # storage name
    etag: str  # quoted, for the ETag header
    modified: float  # POSIX timestamp, for Last-Modified


def pdf_name(std, language: str, html: str) -> str:
    agency = slugify(std.service.agency.code) or "instansi"
    service = slugify(std.service.code) or "layanan"
    lang = slugify(language or "id") or "id"
    digest = hashlib.sha256(html.encode()).hexdigest()[:16]
    return f"{PDF_DIR}/{agency}/{service}-v{std.version}-{lang}-{digest}.pdf"


def stored_standard_pdf(context: dict, language: str) -> StoredPdf:
    """The stored PDF of the standard in `context` in `language`, rendered on first use."""
    html = standard_pdf_html(context)
    name = pdf_name(context["std"], language, html)
    if not default_storage.exists(name):
        _store(name, render_pdf(html))
    modified = default_storage.get_modified_time(name).timestamp()
    return StoredPdf(name=name, etag=f'"{os.path.basename(name)[:-4]}"', modified=modified)


def _store(name: str, data: bytes) -> None:
    """Put `data` at `name` whole, or leave the file another request put there first."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # a remote storage: one object write, atomic on its side
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
        return
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # atomic, and never replaces a file already there
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
