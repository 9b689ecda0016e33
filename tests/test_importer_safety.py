"""Hostile documents for the importer: malformed DOCX XML, "billion laughs", a zip bomb, deep HTML,
an endless PDF → a 400 (or a command error) with a clear message, never a 500, memory bounded."""

import io
import tracemalloc
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfWriter

from layanan.importer.formats import ImportDocumentError, read_document
from layanan.importer.models import ImportSession

from .conftest import login

W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
BODY = b"<w:document " + W + b"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>"
LAUGHS = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
) + b"]>\n" + BODY % b"&lol9;"


def word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Standar Pelayanan Pengaduan")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_part(name: str, content: bytes = b"", *, repeat: int = 0, chunk: bytes = b"") -> bytes:
    """A copy of a real .docx with one part replaced (or added); `repeat` MB of `chunk` streamed in."""
    source = zipfile.ZipFile(io.BytesIO(word_document()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            if info.filename != name:
                package.writestr(info, source.read(info.filename))
        with package.open(name, "w", force_zip64=bool(repeat)) as part:
            part.write(content)
            block = chunk * (1024 * 1024 // max(len(chunk), 1))
            for _i in range(repeat):
                part.write(block)
            if repeat:
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """About 300 KB that unpacks to 300 MB of document.xml (a worker reached 754 MB on it)."""
    start = b"<w:document " + W + b"><w:body><w:p><w:r><w:t>"
    return with_part("word/document.xml", start, repeat=300, chunk=b"A")


MALFORMED = with_part("word/document.xml", b"<w:document><w:body><w:p>")
BILLION_LAUGHS = with_part("word/document.xml", LAUGHS)
EXTERNAL_ENTITY = with_part("word/document.xml", b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM '
                            b'"file:///etc/passwd">]>\n' + BODY % b"&x;")


def upload(name: str, data: bytes):
    client = login("solok.admin")
    return client.post(reverse("importer:upload"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("data, message", [
    (MALFORMED, "Berkas DOCX rusak"),
    (BILLION_LAUGHS, "DTD/ENTITY"),
    (EXTERNAL_ENTITY, "DTD/ENTITY"),
    (with_part("word/styles.xml", b"\xff\xfe" + LAUGHS.decode().encode("utf-16-le")), "DTD/ENTITY"),
    (b"PK\x03\x04 not a zip at all", "Berkas DOCX rusak"),
])
def test_hostile_docx_through_the_import_screen_is_a_400_with_the_reason(demo, data, message):
    response = upload("standar.docx", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportSession.objects.exists()


def test_a_zip_bomb_is_refused_from_its_declared_sizes_with_memory_bounded(demo, zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportDocumentError) as refused:
            read_document("bom.docx", zip_bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "too_large_unpacked"
    assert peak < 20 * 1024 * 1024
    response = upload("bom.docx", zip_bomb)
    assert response.status_code == 400
    assert "terlalu besar setelah dibuka" in response.content.decode()


def test_a_part_that_unpacks_far_beyond_its_size_is_refused_below_the_total_cap(demo):
    start = b"<w:document " + W + b"><w:body><w:p><w:r><w:t>"
    bomb = with_part("word/document.xml", start, repeat=20, chunk=b" ")
    with pytest.raises(ImportDocumentError) as refused:
        read_document("bom.docx", bomb)
    assert refused.value.code == "too_large_unpacked"


def test_the_command_refuses_hostile_docx_with_the_reason(demo, tmp_path, zip_bomb):
    for name, data, message in [("laughs.docx", BILLION_LAUGHS, "DTD/ENTITY"),
                                ("bom.docx", zip_bomb, "terlalu besar setelah dibuka"),
                                ("rusak.docx", MALFORMED, "Berkas DOCX rusak")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CommandError, match=message):
            call_command("import_standard", str(path), "--dry-run", stdout=io.StringIO())


def test_an_svg_image_with_a_doctype_is_not_mistaken_for_hostile_xml():
    svg = b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    assert "Standar Pelayanan Pengaduan" in read_document("ok.docx", with_part("word/media/logo.svg", svg))


def test_deeply_nested_html_is_refused(demo):
    html = b"<html><body>" + b"<div>" * 100_000 + b"Persyaratan" + b"</div>" * 100_000 + b"</body></html>"
    response = upload("standar.html", html)
    assert response.status_code == 400
    assert "HTML terlalu dalam" in response.content.decode()


def test_ordinary_html_with_unclosed_paragraphs_and_list_items_still_reads():
    html = "<html><body><h2>Persyaratan</h2><ol>" + "<li><p>KTP" * 3000 + "</ol></body></html>"
    assert read_document("standar.html", html.encode()).count("KTP") == 3000


def test_a_pdf_with_too_many_pages_is_refused():
    writer = PdfWriter()
    for _i in range(501):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ImportDocumentError) as refused:
        read_document("tebal.pdf", buffer.getvalue())
    assert refused.value.code == "too_many_pages"
