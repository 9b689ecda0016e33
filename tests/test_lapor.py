"""SP4N-LAPOR!: reports registered at the desk and by importing LAPOR!'s list, one request per
Tracking ID, anonim/rahasia kept, the LAPOR! clock, the follow-up written once and copied out,
and LaporClient against a contract server on loopback (docs/lapor.md)."""

import io
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from layanan.accounts.models import User
from layanan.lapor import client as lapor_client
from layanan.lapor import services
from layanan.lapor.models import LaporReport, LaporSettings, LaporStatus
from layanan.requests.models import Channel, Event, Request

WITA = ZoneInfo("Asia/Makassar")
HEADER = [
    "Tracking ID",
    "Topik",
    "Isi Laporan",
    "Jenis",
    "Anonim",
    "Rahasia",
    "Nama Pelapor",
    "Telepon",
    "Tanggal Diteruskan",
    "Status",
]
ROWS = [
    [
        "LPR-2026-0001",
        "Pungutan di loket izin",
        "Petugas loket meminta uang tambahan.",
        "pengaduan",
        "Tidak",
        "Ya",
        "Ketut Arsa",
        "081234567801",
        "2026-11-23 09:00",
        "diteruskan",
    ],
    [
        "LPR-2026-0002",
        "Jam layanan",
        "Mohon loket buka hari Sabtu.",
        "aspirasi",
        "Ya",
        "Tidak",
        "Rahasia Orang",
        "081234567802",
        "2026-11-23 10:00",
        "diteruskan",
    ],
]


def csv_bytes(rows=ROWS):
    lines = [";".join(HEADER)] + [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows=ROWS):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def bangli(demo):
    return demo["DPMPTSP-BANGLI"]


@pytest.fixture
def operator(demo):
    return User.objects.get(username="bangli.operator")


@pytest.mark.parametrize("content,name", [(csv_bytes(), "lapor.csv"), (xlsx_bytes(), "lapor.xlsx")])
def test_importing_the_same_list_twice_gives_the_same_requests(bangli, operator, content, name):
    first = services.import_reports(bangli, name, content, operator)
    assert len(first.created) == 2 and not first.errors
    ids = sorted(r.request_id for r in first.created)
    again = services.import_reports(bangli, name, content, operator)
    assert not again.created and len(again.updated) == 2
    assert sorted(r.request_id for r in again.updated) == ids
    assert Request.objects.filter(agency=bangli, channel=Channel.LAPOR).count() == 2


def test_anonim_and_rahasia_are_respected(bangli, operator):
    services.import_reports(bangli, "lapor.csv", csv_bytes(), operator)
    confidential = LaporReport.objects.get(tracking_id="LPR-2026-0001").request
    assert confidential.confidential is True and confidential.applicant_name == "Ketut Arsa"
    anonymous = LaporReport.objects.get(tracking_id="LPR-2026-0002").request
    assert anonymous.applicant_type == "anonymous"
    assert anonymous.applicant_name == "" and anonymous.applicant_phone == ""


def test_the_lapor_clock_is_five_working_days_on_the_agency_calendar(bangli, operator):
    services.import_reports(bangli, "lapor.csv", csv_bytes(), operator)
    report = LaporReport.objects.get(tracking_id="LPR-2026-0001")
    # Monday 23 November 2026, 09:00 WITA → five working days later: Monday 30 November (weekend skipped).
    due = report.followup_due_at.astimezone(WITA)
    assert due.date() == datetime(2026, 11, 30).date()


def test_a_reimport_updates_lapors_status_and_notes_it_on_the_timeline(bangli, operator):
    services.import_reports(bangli, "lapor.csv", csv_bytes(), operator)
    rows = [ROWS[0][:-1] + ["selesai"], ROWS[1]]
    services.import_reports(bangli, "lapor.csv", csv_bytes(rows), operator)
    report = LaporReport.objects.get(tracking_id="LPR-2026-0001")
    assert report.status == LaporStatus.SELESAI
    assert Event.objects.filter(
        request=report.request, action="note", public=False, note__contains="Selesai"
    ).exists()


def test_bad_rows_are_reported_and_the_others_go_in(bangli, operator):
    rows = ROWS + [
        ["", "x", "y", "pengaduan", "", "", "", "", "", ""],
        ["LPR-9", "x", "y", "pengaduan", "", "", "", "", "kemarin", ""],
    ]
    result = services.import_reports(bangli, "lapor.csv", csv_bytes(rows), operator)
    assert len(result.created) == 2 and [n for n, _m in result.errors] == [4, 5]
    with pytest.raises(services.LaporError):
        services.import_reports(bangli, "x.csv", b"Judul;Isi\na;b\n", operator)
    with pytest.raises(services.LaporError):
        services.import_reports(bangli, "x.xlsx", b"PK\x03\x04 not a workbook", operator)


def test_the_desk_registers_a_report_searches_it_and_writes_the_follow_up_once(client_for, bangli, operator):
    desk = client_for("bangli.operator")
    response = desk.post(
        "/kelola/lapor/",
        {
            "tracking_id": "LPR-77",
            "topic": "Antrean",
            "content": "Antre lama.",
            "report_type": "pengaduan",
            "reporter_name": "Wayan",
            "reporter_phone": "081234567899",
        },
    )
    assert response.status_code == 302
    report = LaporReport.objects.get(tracking_id="LPR-77")
    assert report.request.channel == Channel.LAPOR
    assert "LPR-77" in desk.get("/kelola/lapor/", {"q": "77"}).content.decode()
    page = desk.get(f"/kelola/permohonan/{report.request_id}/").content.decode()
    assert "LPR-77" in page and "Batas tindak lanjut LAPOR!" in page
    desk.post(f"/kelola/lapor/{report.pk}/", {"action": "followup", "text": "Antrean ditambah satu loket."})
    desk.post(f"/kelola/lapor/{report.pk}/", {"action": "followup", "text": "Diubah!"})
    report.refresh_from_db()
    assert report.followup_text == "Antrean ditambah satu loket."
    text = services.followup_for_lapor(report)
    assert (
        "LPR-77" in text and "Antrean ditambah satu loket." in text and report.request.tracking_code in text
    )
    assert report.followup_copied_at is None
    desk.post(f"/kelola/lapor/{report.pk}/", {"action": "copied"})
    report.refresh_from_db()
    assert report.followup_copied_at and report.status == LaporStatus.DITINDAKLANJUTI
    assert client_for("dinsos.admin").get(f"/kelola/lapor/{report.pk}/").status_code == 404


def test_importing_through_the_screen(client_for, bangli):
    desk = client_for("bangli.operator")
    desk.post("/kelola/lapor/impor/", {"file": SimpleUploadedFile("lapor.xlsx", xlsx_bytes())})
    desk.post("/kelola/lapor/impor/", {"file": SimpleUploadedFile("lapor.xlsx", xlsx_bytes())})
    assert LaporReport.objects.filter(agency=bangli).count() == 2


# ---------------------------------------------------------------- LaporClient against a contract server


class ContractServer(BaseHTTPRequestHandler):
    """The contract of docs/lapor.md, on loopback, for one test."""

    reports = [
        {
            "tracking_id": "LPR-PULL-1",
            "title": "Sampah",
            "content": "Sampah menumpuk di pasar.",
            "type": "pengaduan",
            "anonymous": False,
            "confidential": False,
            "reporter": {"name": "Made", "phone": "081234567811", "email": ""},
            "location": "Pasar Bangli",
            "reported_at": "2026-11-23T01:00:00Z",
            "forwarded_at": "2026-11-23T02:00:00Z",
            "status": "diteruskan",
        }
    ]
    received = []

    def log_message(self, *args):
        pass

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if self.headers.get("Authorization") != "Bearer rahasia-token":
            return self._answer(401, {"error": "unauthorized"})
        if self.path.startswith("/reports?") or self.path == "/reports":
            return self._answer(200, {"reports": self.reports})
        if self.path == "/reports/LPR-PULL-1":
            return self._answer(200, {"tracking_id": "LPR-PULL-1", "status": "ditindaklanjuti"})
        return self._answer(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/reports/LPR-PULL-1/followups" and body.get("text"):
            self.received.append(body["text"])
            return self._answer(201, {"tracking_id": "LPR-PULL-1", "status": "ditindaklanjuti"})
        return self._answer(400, {"error": "bad request"})


@pytest.fixture
def contract_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ContractServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_lapor_client_is_off_by_default(bangli):
    with pytest.raises(lapor_client.LaporDisabled):
        lapor_client.LaporClient.for_agency(bangli)
    LaporSettings.objects.create(agency=bangli, base_url="http://127.0.0.1:9", token="x")
    with pytest.raises(lapor_client.LaporDisabled):
        lapor_client.LaporClient.for_agency(bangli)


def test_lapor_client_pulls_reports_pushes_the_follow_up_and_reads_the_status(
    bangli, operator, contract_server
):
    LaporSettings.objects.create(
        agency=bangli, enabled=True, base_url=contract_server, token="rahasia-token", timeout_seconds=5
    )
    created, updated, problems = lapor_client.pull(bangli)
    assert (created, updated, problems) == (1, 0, [])
    assert lapor_client.pull(bangli)[:2] == (0, 1)  # the same report again: no duplicate
    report = LaporReport.objects.get(tracking_id="LPR-PULL-1")
    assert report.request.location_text == "Pasar Bangli"
    services.write_followup(report, "Sampah diangkut hari ini.", operator)
    report.refresh_from_db()
    lapor_client.push(report)
    assert ContractServer.received and "Sampah diangkut hari ini." in ContractServer.received[-1]
    assert report.status == LaporStatus.DITINDAKLANJUTI and report.followup_pushed_at
    assert lapor_client.LaporClient.for_agency(bangli).get_status("LPR-PULL-1") == "ditindaklanjuti"


def test_lapor_client_failures_are_clear_errors(bangli, contract_server):
    LaporSettings.objects.create(
        agency=bangli, enabled=True, base_url=contract_server, token="salah", timeout_seconds=2
    )
    with pytest.raises(lapor_client.LaporUnavailable):
        lapor_client.LaporClient.for_agency(bangli).pull_reports()
    LaporSettings.objects.filter(agency=bangli).update(base_url="http://127.0.0.1:9")
    with pytest.raises(lapor_client.LaporUnavailable):
        lapor_client.LaporClient.for_agency(bangli).get_status("LPR-PULL-1")
