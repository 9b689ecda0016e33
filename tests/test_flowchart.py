"""Swim-lane flow chart of a procedure (pure module, no database)."""

import re
import xml.etree.ElementTree as ET

import pytest

from layanan.standards.flowchart import render_swimlane_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def step(position, actor, text, action="process", **extra):
    return {"position": position, "actor": actor, "text": text, "action": action, **extra}


# Seed 000: consultation, two intake tracks, escalation staff -> bidang -> Kepala Dinas.
SEED_000 = [
    step(
        1, "Pemohon", "Pemohon datang langsung dan membawa data/dokumen.", "submit", track="Datang langsung"
    ),
    step(
        2,
        "Petugas Pelayanan",
        "Pemohon datang ke meja pelayanan dan dilayani oleh petugas pelayanan",
        "consult",
        track="Datang langsung",
        on_done=5,
        on_cannot_resolve=3,
    ),
    step(
        3,
        "Bidang",
        "Apabila tidak bisa diselesaikan, maka dilanjutkan berkonsultasi dengan Bidang yang membidangi.",
        "consult",
        track="Datang langsung",
        on_done=5,
        on_cannot_resolve=4,
    ),
    step(
        4,
        "Kepala Dinas",
        "Jika masih tidak dapat diselesaikan, maka selanjutnya berkonsultasi "
        "dan meminta arahan dari Pimpinan (Sekdis / Kepala Dinas).",
        "consult",
        track="Datang langsung",
    ),
    step(
        5,
        "Kepala Dinas",
        "Setelah semua selesai, hasil konsultasi diketahui/disahkan oleh Kepala Dinas.",
        "approve",
        track="Datang langsung",
    ),
    step(
        6,
        "Pemohon",
        "Pemohon menghubungi via / melalui WA (terdapat di website)",
        "submit",
        track="Media elektronik",
    ),
    step(
        7,
        "Petugas Pelayanan",
        "Melakukan konsultasi dengan Staf / Bidang",
        "consult",
        track="Media elektronik",
        on_done=9,
        on_cannot_resolve=8,
    ),
    step(
        8,
        "Kepala Dinas",
        "Apabila tidak dapat diselesaikan, kegiatan konsultasi akan dilanjutkan (dijawab) oleh Kepala Dinas",
        "answer",
        track="Media elektronik",
    ),
    step(
        9,
        "Kepala Dinas",
        "Setelah semua selesai, hasil konsultasi diketahui/disahkan oleh Kepala Dinas",
        "approve",
        track="Media elektronik",
    ),
]

# Seed 001: a 13-step letter with a disposition chain and initials back up the hierarchy.
SEED_001 = [
    step(1, "Pemohon", "Pemohon datang ke kantor dan menjumpai petugas layanan data dan pengaduan", "submit"),
    step(
        2,
        "Pemohon",
        "Pemohon mengisi buku tamu atau buku pengaduan dengan memperlihatkan identitas diri (KTP, SIM dll)",
        "submit",
    ),
    step(3, "Pemohon", "Pemohon mengisi formulir permintaan data atau pengaduan", "submit"),
    step(
        4,
        "Petugas Pelayanan",
        "Petugas Pelayanan memproses permintaan pemohon sesuai dengan formulir",
        "register",
    ),
    step(
        5,
        "Petugas Administrasi",
        "Petugas administrasi melakukan registrasi surat pemohon dan "
        "menyampaikan ke Sekretaris. Untuk selanjutnya Sekretaris meminta pertimbangan Kepala "
        "Dinas.",
        "register",
    ),
    step(
        6,
        "Kepala Dinas",
        "Kepala Dinas memberikan disposisi kepada Kepala Bidang sesuai "
        "dengan kebutuhan dan dilanjutkan kepada Kepala Seksi.",
        "dispose",
    ),
    step(
        7,
        "Kepala Seksi",
        "Kepala Seksi akan melakukan observasi serta verifikasi apakah "
        "memenuhi syarat untuk dapat data dan menerima pengaduan untuk ditindaklanjuti atau "
        "sebaliknya dikembalikan kepada pemohon.",
        "verify",
        on_incomplete="return_to_applicant",
        can_reject=True,
    ),
    step(
        8,
        "Kepala Seksi",
        "Kepala Seksi meneruskan kepada Petugas data dan Pejabat Pengaduan untuk diproses permintaannya",
        "dispose",
    ),
    step(
        9,
        "Petugas Data dan Pejabat Pengaduan",
        "Petugas data dan Pejabat Pengaduan memproses permintaan Pemohon",
        "process",
    ),
    step(
        10,
        "Kepala Bidang",
        "Kepala Bidang memeriksa dan memberi paraf permintaan pemohon dilanjutkan kepada Sekretaris.",
        "initial",
    ),
    step(11, "Sekretaris", "Sekretaris memeriksa dan memberi paraf koordinasi.", "initial"),
    step(12, "Kepala Dinas", "Kepala Dinas mengkaji dan menandatangani permintaan pemohon", "approve"),
    step(
        13,
        "Petugas Administrasi",
        "Petugas administrasi menyerahkan permintaan data kepada "
        "pemohon sesuai yang dibutuhkan sedangkan pengaduan akan diproses sesuai dengan "
        "pengaduan yang disampaikan dan ditindaklanjuti sesuai dengan aturan yang berlaku",
        "deliver",
    ),
]

# Seed 002, service 9 (peta proses bisnis): stages A/B/C.
SEED_002 = [
    step(
        1,
        "Perangkat Daerah",
        "Surat usulan dari Perangkat Daerah beserta tupoksi, Renstra dan RKT",
        "submit",
        stage="A. Tahap Persiapan dan Perencanaan",
    ),
    step(
        2,
        "Staf Bagian Organisasi",
        "Pengumpulan informasi.",
        "process",
        stage="A. Tahap Persiapan dan Perencanaan",
    ),
    step(
        3,
        "Staf Bagian Organisasi",
        "Pengorganisasian.",
        "process",
        stage="A. Tahap Persiapan dan Perencanaan",
    ),
    step(
        4,
        "Staf Bagian Organisasi",
        "Penyusunan peta proses bisnis menggunakan level atau tingkatan.",
        "process",
        stage="B. Tahap Pengembangan",
    ),
    step(
        5,
        "Perangkat Daerah",
        "Penyusunan peta proses bisnis menggunakan jenis gambar peta.",
        "consult",
        stage="B. Tahap Pengembangan",
    ),
    step(
        6,
        "Kepala Bagian Organisasi",
        "Pengesahan peta proses bisnis.",
        "approve",
        stage="C. Tahap Pengesahan dan Implementasi",
    ),
    step(
        7,
        "Staf Bagian Organisasi",
        "Distribusi proses bisnis.",
        "deliver",
        stage="C. Tahap Pengesahan dan Implementasi",
    ),
    step(
        8,
        "Perangkat Daerah",
        "Penerapan proses bisnis.",
        "process",
        stage="C. Tahap Pengesahan dan Implementasi",
    ),
]

# Seed 003: two intake paths (manual / online) into a complaint team.
SEED_003 = [
    step(
        1,
        "Masyarakat",
        "Masyarakat datang langsung atau memasukkan surat pengaduan ke kotak pengaduan",
        "submit",
        track="Pengaduan manual",
    ),
    step(
        2,
        "Petugas Pengaduan",
        "Petugas pengaduan mencatat pengaduan",
        "register",
        track="Pengaduan manual",
        on_done=5,
    ),
    step(
        3,
        "Masyarakat",
        "Pengaduan online melalui email, telepon, WhatsApp atau web",
        "submit",
        track="Pengaduan online",
    ),
    step(
        4,
        "Operator IT",
        "Operator IT mencatat dan meneruskan pengaduan",
        "register",
        track="Pengaduan online",
        on_done=5,
    ),
    step(
        5,
        "Tim Pengaduan dan Bidang Terkait",
        "Mengidentifikasi permasalahan pengaduan.",
        "verify",
        can_reject=True,
    ),
    step(6, "Tim Pengaduan dan Bidang Terkait", "Membahas permasalahan pengaduan.", "process"),
    step(
        7,
        "Tim Pengaduan dan Bidang Terkait",
        "Menyampaikan hasil/tindak lanjut pengaduan masyarakat.",
        "answer",
    ),
]

SEEDS = {"000": SEED_000, "001": SEED_001, "002": SEED_002, "003": SEED_003}


def parse(svg):
    return ET.fromstring(svg)


def lane_names(root):
    return [lane.find("svg:title", NS).text for lane in root.iterfind(".//svg:g[@class='lane']", NS)]


def step_groups(root):
    return list(root.iterfind(".//svg:g[@class='step']", NS))


def paths(root, cls):
    return [p for p in root.iter(f"{{{NS['svg']}}}path") if p.get("class") == cls]


def path_points(d):
    """Corners of an orthogonal path written with M, H, V and L commands."""
    points, x, y = [], 0, 0
    for cmd, args in re.findall(r"([MHVL])([^MHVL]+)", d):
        nums = [int(n) for n in args.split()]
        if cmd in "ML":
            x, y = nums
        elif cmd == "H":
            x = nums[0]
        else:
            y = nums[0]
        points.append((x, y))
    return points


def distinct_actors(steps):
    seen = []
    for s in steps:
        if s["actor"] not in seen:
            seen.append(s["actor"])
    return seen


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_shapes_render_as_valid_svg(name):
    steps = SEEDS[name]
    svg = render_swimlane_svg(steps, title=f"Seed {name}")
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("viewBox").startswith("0 0 ")
    labelled = root.get("aria-labelledby").split()
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert set(labelled) <= ids
    assert root.find("svg:title", NS).text == f"Seed {name}"
    assert root.find("svg:desc", NS).text
    assert "system-ui" in root.get("font-family")
    # No external resources.
    assert "href" not in svg and "@import" not in svg and "<script" not in svg

    assert lane_names(root) == distinct_actors(steps)
    groups = step_groups(root)
    assert [g.get("data-position") for g in groups] == [str(s["position"]) for s in steps]
    for group, s in zip(groups, steps, strict=True):
        label = "".join(group.find("svg:text", NS).itertext())
        assert label.startswith(f"{s['position']}.")
        assert group.find("svg:title", NS).text.endswith(s["text"])
        assert len(group.find("svg:text", NS).findall("svg:tspan", NS)) <= 5  # number + 4 lines


def test_box_labels_are_wrapped_and_truncated():
    root = parse(render_swimlane_svg(SEED_001))
    long_box = step_groups(root)[12]
    lines = [t.text for t in long_box.find("svg:text", NS).findall("svg:tspan", NS) if t.get("y")]
    assert len(lines) == 4
    label = "".join(long_box.find("svg:text", NS).itertext())
    assert label.endswith("…")
    tspans = long_box.find("svg:text", NS).findall("svg:tspan", NS)
    assert all(len(t.text) <= 26 for t in tspans)


def test_escalation_arrows_are_dashed_and_counted():
    expected = {"000": 3, "001": 0, "002": 0, "003": 0}
    for name, steps in SEEDS.items():
        root = parse(render_swimlane_svg(steps))
        escalations = paths(root, "escalation")
        assert len(escalations) == expected[name], name
        assert all(p.get("stroke-dasharray") for p in escalations)
    svg = render_swimlane_svg(SEED_000)
    assert svg.count(">tidak selesai<") == 3


def test_seed_000_tracks_start_and_end_separately():
    svg = render_swimlane_svg(SEED_000)
    root = parse(svg)
    assert "Jalur: Datang langsung" in svg
    assert "Jalur: Media elektronik" in svg
    terminators = [g.get("class") for g in root.iter() if g.get("class", "").startswith("term")]
    assert terminators.count("terminator start") == 2
    assert terminators.count("terminator end") == 2
    # Step 5 ends the first path: no arrow from 5 to 6.
    assert not [p for p in paths(root, "flow") if p.get("data-from") == "5"]
    # Step 2 goes on to 5 when done and escalates to 3.
    assert len([p for p in paths(root, "flow") if p.get("data-from") == "2"]) == 1


def test_incomplete_arrow_goes_back_to_applicant_lane():
    svg = render_swimlane_svg(SEED_001)
    root = parse(svg)
    back = paths(root, "incomplete")
    assert len(back) == 1
    assert back[0].get("data-from") == "7"
    assert back[0].get("stroke-dasharray")
    assert svg.count(">tidak lengkap<") == 1
    # Goes into the Pemohon column (the first lane), up to the bottom of step 3,
    # the applicant's last box.
    end_x, end_y = path_points(back[0].get("d"))[-1]
    pemohon = root.find(".//svg:g[@class='lane']/svg:rect", NS)
    x, w = int(pemohon.get("x")), int(pemohon.get("width"))
    assert x <= end_x <= x + w
    box3 = step_groups(root)[2].find("svg:rect", NS)
    assert end_y == int(box3.get("y")) + int(box3.get("height"))
    assert "ditolak" in svg
    for name in ("000", "002", "003"):
        assert ">tidak lengkap<" not in render_swimlane_svg(SEEDS[name])


def test_seed_002_stage_bands():
    svg = render_swimlane_svg(SEED_002)
    root = parse(svg)
    bands = [
        "".join(t.itertext()) for t in root.iter(f"{{{NS['svg']}}}text") if t.get("class") == "band-label"
    ]
    assert bands == [
        "A. Tahap Persiapan dan Perencanaan",
        "B. Tahap Pengembangan",
        "C. Tahap Pengesahan dan Implementasi",
    ]


def test_seed_003_two_intake_paths_join_the_team():
    root = parse(render_swimlane_svg(SEED_003))
    flows = paths(root, "flow")
    froms = sorted(p.get("data-from") for p in flows)
    assert froms == ["1", "2", "3", "4", "5", "6"]
    classes = [g.get("class") for g in root.iter()]
    assert classes.count("terminator start") == 2
    assert classes.count("terminator end") == 1
    assert lane_names(root) == [
        "Masyarakat",
        "Petugas Pengaduan",
        "Operator IT",
        "Tim Pengaduan dan Bidang Terkait",
    ]


def test_text_is_escaped():
    nasty = 'Isi <script>alert("x")</script> & "kutip" \'satu\' \x00\x07 selesai'
    steps = [
        step(1, 'Pemohon <b>&"', nasty, "submit", track='<i>"jalur"</i>'),
        step(2, "Petugas & Co", nasty, stage="A. <Tahap> & 'B'"),
    ]
    svg = render_swimlane_svg(steps, title='Judul <svg onload="x()"> & co')
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "<Tahap>" not in svg and "<svg onload" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == 'Judul <svg onload="x()"> & co'
    assert lane_names(root) == ['Pemohon <b>&"', "Petugas & Co"]
    titles = [g.find("svg:title", NS).text for g in step_groups(root)]
    assert titles[0].startswith('1. Pemohon <b>&": Isi <script>alert("x")</script> &')


def test_deterministic():
    for steps in SEEDS.values():
        assert render_swimlane_svg(steps, title="X") == render_swimlane_svg(
            [dict(s) for s in steps], title="X"
        )


def test_different_charts_get_different_ids():
    a = parse(render_swimlane_svg(SEED_000)).get("aria-labelledby")
    b = parse(render_swimlane_svg(SEED_001)).get("aria-labelledby")
    assert a != b


def test_size_budget():
    svg = render_swimlane_svg(SEED_001, title="Pelayanan data dan pengaduan")
    assert len(svg.encode()) < 25_000
    # Lanes are columns of about 150 units: the width grows with the actors only.
    width = int(parse(svg).get("viewBox").split()[2])
    assert 140 * 8 <= width <= 170 * 8 + 40


def test_empty_and_odd_input():
    for empty in ([], None, [None, "x", 3]):
        svg = render_swimlane_svg(empty)
        root = parse(svg)
        assert "Prosedur belum diisi" in svg
        assert root.get("viewBox")
    odd = [
        {
            "position": 3,
            "actor": "Kepala Dinas",
            "text": "x" * 400,
            "on_done": 99,
            "on_cannot_resolve": 42,
            "can_reject": "ya",
        },
        {"position": "1", "text": ""},
        {"actor": "Pemohon", "text": "tanpa nomor", "on_done": "abc"},
        {"position": 2, "actor": "Pemohon", "on_incomplete": "return_to_applicant", "on_done": 2},
    ]
    root = parse(render_swimlane_svg(odd))
    assert len(step_groups(root)) == 4
    assert paths(root, "escalation") == []
    assert [g.get("data-position") for g in step_groups(root)] == ["1", "2", "3", "4"]


def test_loop_back_and_skips_are_drawn():
    steps = [
        step(1, "Pemohon", "Mengajukan", "submit"),
        step(2, "Petugas", "Memeriksa", "verify"),
        step(3, "Kepala", "Menyetujui", "approve", on_done=1, on_cannot_resolve=2),
        step(4, "Petugas", "Menyerahkan", "deliver"),
    ]
    root = parse(render_swimlane_svg(steps))
    flows = {p.get("data-from"): p.get("d") for p in paths(root, "flow")}
    assert set(flows) == {"1", "2", "3"}
    assert len(paths(root, "escalation")) == 1


def test_random_procedures_never_raise():
    import random

    rng = random.Random(20260101)
    actors = ["Pemohon", "Petugas", "Kepala Seksi", "Kepala Bidang", "Sekretaris", "Kadis"]
    actions = ["submit", "register", "verify", "dispose", "process", "consult", "approve"]
    for _ in range(200):
        n = rng.randint(1, 15)
        steps = [
            {
                "position": p,
                "actor": rng.choice(actors),
                "text": " ".join(
                    rng.choice(["kata", "panjangsekalitanpaspasi" * 2, "&", "<x>"])
                    for _ in range(rng.randint(0, 40))
                ),
                "action": rng.choice(actions),
                "track": rng.choice(["", "", "Langsung", "Daring"]),
                "stage": rng.choice(["", "A. Tahap", "B. Tahap"]),
                "on_done": rng.choice([None, None, rng.randint(0, n + 2)]),
                "on_cannot_resolve": rng.choice([None, rng.randint(0, n + 2)]),
                "on_incomplete": rng.choice(["", "return_to_applicant"]),
                "can_reject": rng.random() < 0.2,
            }
            for p in rng.sample(range(1, n + 5), n)
        ]
        svg = render_swimlane_svg(steps)
        root = parse(svg)
        assert len(step_groups(root)) == n
        assert svg == render_swimlane_svg(steps)
