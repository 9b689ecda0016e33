"""Reading uploaded standards: DOCX, HTML, PDF, markdown and text, and the clear refusals."""

import html
import io
import re

import docx
import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter

from layanan.importer import evaluate
from layanan.importer.formats import MAX_BYTES, ImportDocumentError, read_document
from layanan.importer.parser import parse_document

SEEDS = {path.name[:3]: path for path, _ref in evaluate.seed_pairs()} if evaluate.SEEDS_DIR.is_dir() else {}
_NUMBERED = re.compile(r"^\s+(\d{1,2})\.\s+(.*)$")
_BULLETED = re.compile(r"^\s+•\s+(.*)$")


def seed(name: str) -> str:
    return SEEDS[name].read_text(encoding="utf-8")


def only_service(text: str) -> dict:
    (service,) = parse_document(text).services
    return service


def seed_as_docx(name: str) -> bytes:
    """The seed retyped in Word: its lists as Word's own numbered and bulleted paragraphs."""
    document = docx.Document()
    for line in seed(name).splitlines():
        if numbered := _NUMBERED.match(line):
            document.add_paragraph(numbered.group(2), style="List Number")
        elif bulleted := _BULLETED.match(line):
            document.add_paragraph(bulleted.group(1), style="List Bullet")
        else:
            document.add_paragraph(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_as_html(name: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in seed(name).splitlines() if line.strip())
    return f"<!doctype html><html><head><title>Standar</title></head><body>{paragraphs}</body></html>"


def pdf(html_text: str) -> bytes:
    return weasyprint.HTML(string=html_text).write_pdf()


def test_docx_with_word_numbering_and_bullets():
    service = only_service(read_document("standar.docx", seed_as_docx("004")))
    assert [r["label"] for r in service["requirements"]] == [
        "Rekapan Informasi", "ATK", "Komputer atau laptop", "Jaringan internet"]
    assert len(service["steps"]) == 4
    assert service["duration"]["max"] == 30


def docx_with_table(title: str, rows: list[tuple[str, ...]]) -> bytes:
    """A Word file: a title paragraph, then a real table of `rows`."""
    document = docx.Document()
    document.add_paragraph(title)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_table_in_the_layout_of_seed_003():
    rows = [("NO", "KOMPONEN", "URAIAN"), ("1.", "Persyaratan Pelayanan", "KTP\nAlamat Pelapor"),
            ("2.", "Jangka Waktu Penyelesaian", "1 (satu) – 60 (enam puluh) hari kerja"),
            ("3.", "Biaya/Tarif", "Tidak dikenakan biaya / gratis")]
    document = docx_with_table("STANDAR PELAYANAN PENGADUAN MASYARAKAT", rows)
    service = only_service(read_document("tabel.docx", document))
    assert service["name"] == "Pengaduan masyarakat"
    assert [r["label"] for r in service["requirements"]] == ["KTP", "Alamat Pelapor"]
    assert (service["duration"]["min"], service["duration"]["max"]) == (1, 60)
    assert service["cost"]["free"] is True


def test_html_page():
    service = only_service(read_document("standar.html", seed_as_html("001").encode()))
    assert len(service["requirements"]) == 5 and len(service["steps"]) == 13
    assert service["duration"]["unit"] == "week"


def test_html_lists_and_tables_keep_their_structure():
    page = ("<html><body><h1>Standar Pelayanan Informasi</h1><table>"
            "<tr><td>1.</td><td>Persyaratan Pelayanan</td>"
            "<td><ol><li>KTP</li><li>Surat permohonan</li></ol></td></tr>"
            "<tr><td>2.</td><td>Jangka Waktu Penyelesaian</td><td>3 hari kerja</td></tr></table>"
            "<script>alert('x')</script></body></html>")
    text = read_document("halaman.htm", page.encode())
    assert "alert" not in text
    service = only_service(text)
    assert [r["label"] for r in service["requirements"]] == ["KTP", "Surat permohonan"]


def test_pdf_text_layer():
    body = html.escape(seed("004"))
    text = read_document("standar.pdf", pdf(f"<pre style='font-size:8pt'>{body}</pre>"))
    service = only_service(text)
    assert len(service["requirements"]) == 4
    assert service["duration"]["max"] == 30 and service["duration"]["unit"] == "minute"


def test_markdown_with_html_and_mermaid_in_a_table():
    service = only_service(read_document("standar.md", seed("003").encode()))
    assert len(service["steps"]) == 3 and service["steps"][0]["actor"] == "Petugas Pengaduan"


def test_utf16_text():
    service = only_service(read_document("standar.txt", seed("000").encode("utf-16")))
    assert service["duration"]["max"] == 45


def encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf("<p>1. Persyaratan Pelayanan</p><p>KTP</p>"))))
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_locked_only_against_editing_still_reads():
    assert "Persyaratan" in read_document("terkunci.pdf", encrypted(""))


@pytest.mark.parametrize("name,data,code,words", [
    ("kosong.txt", b"", "empty", "Berkas kosong"),
    ("gambar.png", bytes(range(256)) * 16, "binary", "bukan dokumen teks"),
    ("besar.txt", b"a" * (MAX_BYTES + 1), "too_large", "batasnya 10 MB"),
    ("rusak.pdf", b"%PDF-1.7\n% rusak", "corrupt", "PDF rusak"),
    ("rusak.docx", b"PK\x03\x04bukan-word", "corrupt", "DOCX rusak"),
    ("palsu.pdf", b"hanya teks", "corrupt", "bukan .pdf"),
    ("lama.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old_word", ".doc"),
])
def test_unreadable_files_are_refused_with_the_reason(name, data, code, words):
    with pytest.raises(ImportDocumentError) as caught:
        read_document(name, data)
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_password_protected_pdf_is_refused():
    with pytest.raises(ImportDocumentError, match="terkunci kata sandi") as caught:
        read_document("rahasia.pdf", encrypted("rahasia"))
    assert caught.value.code == "encrypted"


def test_a_scan_without_text_layer_is_refused():
    scan = pdf("<div style='width:15cm;height:20cm;background:#888'></div>")
    with pytest.raises(ImportDocumentError, match="pindaian") as caught:
        read_document("pindaian.pdf", scan)
    assert caught.value.code == "scanned"
