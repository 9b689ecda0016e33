"""The table reader (tables pasted as text, HTML and DOCX tables) and the tolerant heading matcher.

Pure except for the DOCX case, which builds a Word file in memory.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layanan.importer.formats import read_document
from layanan.importer.headings import match_heading
from layanan.importer.normalise import normalise
from layanan.importer.parser import parse_document
from layanan.importer.tables import read_tables

from .test_importer_formats import docx_with_table

# The example: one cell per line, empty cells as lone "|", row numbers as "1. |".
PIPE_FLATTENED = """PENERBITAN KARTU TANDA PENDUDUK ELEKTRONIK (KTP-el)
No. |
Komponen |
|
Uraian |
||
1. |
Persyaratan |
a. Penerbitan KTP-el baru |
||||
|
1. |
Fotocopy Kartu Keluarga; |
|||
2. |
Sistem Mekanisme dan |
1. |
Pemohon menyerahkan berkas persyaratan yang |
|||
|
Prosedur |
|
benar dan lengkap; |
|||
3. |
Jangka Waktu Pelayanan |
1 (satu) hari maksimal 14 (empat belas) hari kerja |
||||
4. |
Biaya/Tarif |
Tidak dipungut biaya (gratis) |
||||
6. |
Penanganan Pengaduan, Saran |
1. Kotak saran |
|
|||
|
dan Masukan |
2. Website: disdukcapil.example.go.id |
"""


def headings(text: str) -> list[str]:
    return [s["_meta"]["headings"] for s in parse_document(text).services]


def test_pipe_flattened_table_becomes_headed_sections():
    (service,) = parse_document(PIPE_FLATTENED).services
    assert service["_meta"]["headings"] == ["persyaratan", "prosedur", "jangka_waktu", "biaya", "pengaduan"]
    assert (service["duration"]["min"], service["duration"]["max"], service["duration"]["unit"]) == (
        1, 14, "working_day")
    assert service["cost"]["free"] is True
    assert any("Pemohon menyerahkan" in step["text"] for step in service["steps"])


def test_lone_pipes_become_blank_lines_and_row_numbers_join_their_component():
    text = normalise(PIPE_FLATTENED)
    assert "|" not in text
    assert "\n2.\nSistem Mekanisme dan Prosedur\n" in text  # the name taken back from the later line


def test_rows_without_a_leading_pipe_keep_their_cells_apart():
    text = ("NO | KOMPONEN | URAIAN |\n---|---|---|\n1 | Dasar Hukum | UU No. 25 Tahun 2009 |\n"
            "2 | Persyaratan Pelayanan | Foto copy KTP-el; Foto copy KK |\n"
            "4 | Jangka Waktu Penyelesaian | 1 Jam (apabila persyaratan lengkap dan benar) |\n"
            "5 | Biaya / Tarif | Gratis |\n6 | Produk Layanan | Kartu |\n")
    assert "1. Dasar Hukum\n  UU No. 25 Tahun 2009" in normalise(text)
    (service,) = parse_document(text).services
    assert service["_meta"]["headings"] == ["persyaratan", "jangka_waktu", "biaya", "produk", "dasar_hukum"]
    assert (service["duration"]["max"], service["duration"]["unit"]) == (1, "hour")


def test_letter_rows_with_the_content_after_a_colon():
    text = ("A. | PERSYARATAN : |\n1. KTP; 2. KK | |\nB. | PROSEDUR : |\n1. Pemohon datang | |\n"
            "C. | WAKTU PELAYANAN : 30 (tiga puluh) menit |\nD. | BIAYA PELAYANAN : 0 Rupiah |\n"
            "E. | PRODUK LAYANAN : Surat Tanda Terima |\n"
            "F. | PENGADUAN DAN INFORMASI LEBIH LANJUT DAPAT DISAMPAIKAN MELALUI : |\n"
            "Call center : 0343-421947 |\n")
    (service,) = parse_document(text).services
    assert service["_meta"]["headings"] == ["persyaratan", "prosedur", "jangka_waktu", "biaya", "produk",
                                            "pengaduan"]
    assert service["duration"]["max"] == 30


def test_two_pdf_columns_run_together_give_back_the_component_names():
    lines = read_tables(["5. Jumlah 5 (lima) orang", "pelaksana", "6. Jaminan 1. Melaksanakan layanan",
                         "pelayanan ditetapkan,", "4. Pengawas Pengawasan dilakukan oleh atasan",
                         "Internal berjenjang"])
    assert lines[0] == "5. Jumlah pelaksana 5 (lima) orang" and lines[1] == ""
    assert lines[2] == "6. Jaminan pelayanan 1. Melaksanakan layanan" and lines[3] == "ditetapkan,"
    assert lines[4].startswith("4. Pengawas Internal Pengawasan")


def test_one_cell_per_line_html_text_with_broken_names():
    text = ("No\n\nKomponen\n\nUraian\n\n1.\n\nPersyaratan\n\n1. Fotocopy KTP\n\n2.\n\n"
            "SistemMekanisme dan Prosedur\n\n1. Pemohon menyerahkan berkas\n\n3.\n\nJangka Waktu\n\n"
            "Pelayanan\n\n± 15 Menit\n\n4.\n\nBiaya/Tarif\n\nGratis\n\n5.\n\nProduk\n\nPelayanan\n\n"
            "Kartu AK/I\n\n6.\n\nPenanganan\n\nPengaduan, Saran, dan\n\nMasukan\n\nMelalui kotak saran\n")
    (service,) = parse_document(text).services
    assert service["_meta"]["headings"] == ["persyaratan", "prosedur", "jangka_waktu", "biaya", "produk",
                                            "pengaduan"]
    assert service["duration"]["max"] == 15


def test_services_split_on_their_titles_and_on_repeated_tables():
    table = ("| NO | KOMPONEN | URAIAN |\n|---|---|---|\n| 1. | Persyaratan Pelayanan | {req} |\n"
             "| 2. | Jangka Waktu Penyelesaian | {time} |\n")
    text = ("STANDAR PELAYANAN KTP\n\n" + table.format(req="Fotokopi KK", time="1 jam")
            + "\nSTANDAR PELAYANAN KARTU KELUARGA\n\n" + table.format(req="Pengantar RT", time="3 hari"))
    services = parse_document(text).services
    assert [s["name"] for s in services] == ["Ktp", "Kartu keluarga"]
    assert [(s["duration"]["max"], s["duration"]["unit"]) for s in services] == [(1, "hour"), (3, "day")]


def test_a_service_title_line_starts_a_service_even_without_restarted_numbering():
    text = ("1. Persyaratan\nKTP\n2. Jangka Waktu Penyelesaian\n1 hari kerja\n\n"
            "STANDAR PELAYANAN Legalisir Ijazah\n3. Dasar Hukum\nPMA 19/2018\n")
    assert headings(text) == [["persyaratan", "jangka_waktu"], ["dasar_hukum"]]


def test_an_office_hours_row_further_down_is_not_a_second_time_component():
    text = ("1\n\nPersyaratan Pelayanan\n\nKTP\n\n2\n\nJangka Waktu Penyelesaian\n\n90 Menit\n\n3\n\n"
            "Jaminan Pelayanan\n\nCepat\n\n4\n\nWaktu Pelayanan\n\nSenin – Kamis 08.00 s.d 12.00 WIB\n")
    (service,) = parse_document(text).services
    assert service["duration"]["max"] == 90


def test_real_html_table_is_read():
    html = ("<html><body><h2>STANDAR PELAYANAN SURAT KETERANGAN DOMISILI</h2><table>"
            "<tr><th>No</th><th>Komponen</th><th>Uraian</th></tr>"
            "<tr><td>1.</td><td>Persyaratan Pelayanan</td>"
            "<td><ol><li>Pengantar RT/RW</li><li>KTP</li></ol></td></tr>"
            "<tr><td>2.</td><td>Sistem, Mekanisme, dan Prosedur</td><td>Pemohon datang ke loket</td></tr>"
            "<tr><td>3.</td><td>Jangka waktu penyelesaian</td><td>maksimal 10 menit</td></tr>"
            "<tr><td>4.</td><td>Biaya, tarif dan rinciannya</td><td>Gratis</td></tr></table></body></html>")
    (service,) = parse_document(read_document("sp.html", html.encode())).services
    assert service["_meta"]["headings"] == ["persyaratan", "prosedur", "jangka_waktu", "biaya"]
    assert [r["label"] for r in service["requirements"]] == ["Pengantar RT/RW", "KTP"]
    assert service["duration"]["max"] == 10


def test_real_docx_table_is_read():
    rows = [("No", "Komponen", "Uraian"), ("1.", "Persyaratan", "Surat permohonan"),
            ("2.", "Lama waktu penyelesaian", "3 (tiga) hari kerja"),
            ("3.", "Produk Pelayanan", "Rekomendasi")]
    document = docx_with_table("STANDAR PELAYANAN REKOMENDASI", rows)
    (service,) = parse_document(read_document("sp.docx", document)).services
    assert service["_meta"]["headings"] == ["persyaratan", "jangka_waktu", "produk"]
    assert (service["duration"]["max"], service["duration"]["unit"]) == (3, "working_day")


@pytest.mark.parametrize("line,key", [
    ("Persyaratan Pelayanan ;", "persyaratan"),
    ("Sistem, Mekanisme, dan Prosedur", "prosedur"),
    ("Jangka waktu penyelesaian", "jangka_waktu"),
    ("Lama waktu penyelesaian", "jangka_waktu"),
    ("Waktu Pelayanan", "jangka_waktu"),
    ("Biaya, tarif dan rinciannya", "biaya"),
    ("Produk Pelayanan", "produk"),
    ("Pengelolaan Pengaduan", "pengaduan"),
    ("PENGELOLAAN PENGADUAN", "pengaduan"),
    ("4. biaya/tarif", "biaya"),
    ("VII. JANGKA WAKTU PENYELESAIAN", "jangka_waktu"),
    ("3 Jangka Waktu 2 (dua) Jam kerja", "jangka_waktu"),
    ("Persyaratan Legalisir", "persyaratan"),
    ("Prosedur Permintaan Informasi", "prosedur"),
    ("Kompetensi Petugas Yang Terlibat Dalam Proses Pelayanan.", "kompetensi_pelaksana"),
    ("3. Biaya Pelayanan : Tidak ada biaya", "biaya"),
    ("8. SARANA/PRASARANA/VASILITAS    : a. Counter", "sarana_prasarana"),
    ("2. SISTIM, MEKANISME, PROSEDUR PELAYANAN", "prosedur"),
    ("Waktu Penyelesian", "jangka_waktu"),
    ("Penanganan pengaduan, saran dan masukan/apresiasi", "pengaduan"),
    ("C. PROSEDUR PELAYANAN / MEKANISME", "prosedur"),
    ("Persyaratan yang telah diserahkan oleh pencari kerja, diperiksa", None),
    ("Biaya pembuatan kartu kuning adalah tidak dipungut biaya", None),
    ("Pengaduan dapat disampaikan secara lisan", None),
    ("Produktivitas pegawai", None),
])
def test_tolerant_heading_spellings(line, key):
    heading = match_heading(line)
    assert (heading.key if heading else None) == key


# --- Properties --------------------------------------------------------------------------------

COMPONENTS = [("persyaratan", "Persyaratan"), ("prosedur", "Sistem, Mekanisme dan Prosedur"),
              ("jangka_waktu", "Jangka Waktu Penyelesaian"), ("biaya", "Biaya/Tarif"),
              ("produk", "Produk Pelayanan"), ("pengaduan", "Penanganan Pengaduan, Saran dan Masukan"),
              ("dasar_hukum", "Dasar Hukum"), ("sarana_prasarana", "Sarana dan Prasarana"),
              ("jumlah_pelaksana", "Jumlah Pelaksana")]
CONTENT = st.text(alphabet=st.sampled_from("abcdefghijklmnoprstuwy "), min_size=3, max_size=30).map(
    lambda s: "isi " + " ".join(s.split()))


@st.composite
def pipe_tables(draw):
    """A Komponen | Uraian table flattened one cell per line, and the components it holds."""
    chosen = draw(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=len(COMPONENTS), unique=True))
    lines = ["No. |", "Komponen |", "Uraian |", "||"]
    for number, (_key, name) in enumerate(chosen, start=1):
        lines += [f"{number}. |", f"{name} |"]
        lines += [f"{draw(CONTENT)} |" for _ in range(draw(st.integers(1, 3)))]
        lines.append(draw(st.sampled_from(["|", "||", "|||", "||||"])))
    return "\n".join(lines) + "\n", [key for key, _name in chosen]


@settings(deadline=None, max_examples=80)
@given(pipe_tables())
def test_a_generated_pipe_table_round_trips(case):
    text, keys = case
    (service,) = parse_document(text).services
    assert sorted(service["_meta"]["headings"]) == sorted(keys)


@settings(deadline=None, max_examples=150)
@given(st.text(alphabet=st.sampled_from("|\n .1aPersyatn:-Jgkwu"), max_size=300))
def test_the_table_reader_never_crashes(text):
    lines = read_tables(text.split("\n"))
    assert isinstance(lines, list) and all(isinstance(line, str) for line in lines)
    assert isinstance(normalise(text), str)
    parse_document(text)
