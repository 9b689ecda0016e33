"""Every procedure shape of the seeds runs end to end with the seed's own actors.

Each test walks a request through its standard's whole procedure and asserts
the timeline and the due time (DESIGN §2 "Procedure"; issue 3 "All 21 seed
services run").
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from layanan.accounts.models import User
from layanan.agencies.models import Unit
from layanan.requests import lifecycle, notifications, sweep
from layanan.requests.models import CompensationTask, Event, OutboxMessage, State
from layanan.standards.models import Service

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def user(name):
    return User.objects.get(username=name)


def service(code, number):
    return Service.objects.get(agency__code=code, position=number)


def new_request(code, number, channel="counter", now=MONDAY_9, **applicant):
    applicant = {"applicant_name": "Warga Uji", "applicant_email": "warga@example.com", **applicant}
    request, created = lifecycle.submit(standard=service(code, number).published_standard,
                                        channel=channel, subject="Uji", applicant=applicant, now=now)
    assert created
    return request


def act(request, username, action, at, **params):
    return lifecycle.perform(request, user(username), action, expected_version=request.version,
                             now=at, **params)


def timeline(request):
    return [(e.action, e.from_step, e.to_step) for e in request.events.order_by("at", "id")]


def at(hour, minute=0, day=23, tz=WIB, month=11):
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


def test_000_consultation_escalates_staff_to_bidang_to_head_who_acknowledges(demo):
    r = new_request("DPMN-SOLOK", 1)
    assert r.current_step.position == 2  # the counter track
    assert r.due_at == at(9, 45)  # 45 office minutes
    r = act(r, "solok.petugas", "escalate", at(9, 10), note="Menyangkut kelembagaan nagari")
    r = act(r, "solok.kabid", "escalate", at(9, 20), note="Perlu arahan pimpinan")
    r = act(r, "solok.sekdis", "advance", at(9, 30))
    assert r.current_step.actor == "Kepala Dinas"
    r = act(r, "solok.kadis", "advance", at(9, 40))
    assert r.state == State.RESOLVED
    assert timeline(r) == [("received", None, 2), ("escalate", 2, 3), ("escalate", 3, 4),
                           ("consult", 4, 5), ("approve", 5, None)]
    assert r.events.get(action="approve").actor == user("solok.kadis")


def test_000_whatsapp_takes_the_electronic_track(demo):
    r = new_request("DPMN-SOLOK", 1, channel="whatsapp", applicant_phone="+6281234567890")
    assert r.current_step.position == 7 and r.current_step.track.startswith("Media")
    r = act(r, "solok.staf", "advance", at(9, 20))
    assert r.current_step.position == 9  # solved by staff: straight to the head's acknowledgement


def test_001_letter_chain_with_disposition_two_initials_and_return_to_applicant(demo):
    r = new_request("DINSOS-SEKADAU", 2)
    assert r.current_step.position == 4
    # 1 s/d 3 Minggu: at risk after 1 week, due after 3, at close of office.
    assert r.at_risk_at == datetime(2026, 11, 30, 16, 0, tzinfo=WIB)
    assert r.due_at == datetime(2026, 12, 14, 16, 0, tzinfo=WIB)
    r = act(r, "dinsos.petugas", "advance", at(9, 15))
    r = act(r, "dinsos.tu", "advance", at(10))
    r = act(r, "dinsos.kadis", "dispose", at(11), to_unit=Unit.objects.get(name__startswith="Bidang Rehab"),
            note="Tindak lanjuti")
    r = act(r, "dinsos.kasi", "return_incomplete", at(13), missing=["Foto copy KTP/SIM"])
    assert r.state == State.WAITING_APPLICANT
    assert r.events.last().data == {"missing": ["Foto copy KTP/SIM"]}
    paused_due = r.due_at
    assert paused_due is None  # the clock stands still
    r = act(r, "dinsos.kasi", "resume", at(9, day=25))
    # Two days of pause push the due time two days later.
    assert r.due_at == datetime(2026, 12, 16, 16, 0, tzinfo=WIB)
    r = act(r, "dinsos.kasi", "advance", at(10, day=25))
    r = act(r, "dinsos.kasi", "dispose", at(11, day=25), to_user=user("dinsos.data"), note="Siapkan data")
    r = act(r, "dinsos.data", "advance", at(9, day=26))
    r = act(r, "dinsos.kabid", "advance", at(10, day=26))
    r = act(r, "dinsos.sekretaris", "advance", at(11, day=26))
    r = act(r, "dinsos.kadis", "advance", at(13, day=26))
    r = act(r, "dinsos.tu", "advance", at(14, day=26), product_text="Data penyandang disabilitas 2026")
    assert r.state == State.RESOLVED and r.product_text == "Data penyandang disabilitas 2026"
    actions = [a for a, _f, _t in timeline(r)]
    assert actions == ["received", "process", "register", "dispose", "return_incomplete", "resume",
                       "verify", "dispose", "process", "initial", "initial", "approve", "deliver"]
    # The chain after the Kasi's check: disposition, processing, two initials, signature, hand-over.
    assert [(f, t) for _a, f, t in timeline(r)][-6:] == [(8, 9), (9, 10), (10, 11), (11, 12),
                                                        (12, 13), (13, None)]
    assert OutboxMessage.objects.filter(request=r, template="missing").exists()
    assert OutboxMessage.objects.filter(request=r, template="resolved").exists()


def test_002_service_5_clock_starts_when_the_kasubag_receives_the_disposition(demo):
    r = new_request("ORGANISASI-KEDIRI", 5, channel="letter", applicant_type="organisation",
                    organisation_name="Dinas Kesehatan", letter_number="800/123/418.30/2026")
    assert r.current_step.actor == "Pelaksana" and r.due_at is None
    r = act(r, "kediri.pelaksana", "advance", at(10))
    disposed = at(9, day=24)
    r = act(r, "kediri.kabag", "dispose", disposed, to_user=user("kediri.kasubag-kelembagaan"),
            note="Verifikasi usulan nomenklatur")
    assert r.clock_started_at == disposed
    # 1 month → 24 Dec, a cuti bersama day; 25 Dec is Christmas, then a weekend:
    # due at close of office on Monday 28 Dec.
    assert r.due_at == datetime(2026, 12, 28, 16, 0, tzinfo=WIB)
    for hour in (10, 11, 13):
        r = act(r, "kediri.kasubag-kelembagaan", "advance", at(hour, day=24))
    assert r.state == State.RESOLVED
    assert [a for a, _f, _t in timeline(r)] == ["received", "register", "dispose", "verify", "answer",
                                                "process"]


@pytest.mark.parametrize("channel,first_actor,username", [
    ("counter", "Petugas Pengaduan", "bangli.petugas"),
    ("email", "Operator IT", "bangli.operator"),
])
def test_003_both_intake_paths_lead_to_the_complaint_team(demo, channel, first_actor, username):
    start = datetime(2026, 11, 23, 10, 0, tzinfo=WITA)
    r = new_request("DPMPTSP-BANGLI", 20, channel=channel, now=start)
    assert r.current_step.actor == first_actor
    # 1–60 hari kerja in WITA: due at close of the 60th working day.
    assert r.due_at.astimezone(WITA).date() > datetime(2027, 2, 1).date()
    assert r.at_risk_at.astimezone(WITA) == datetime(2026, 11, 24, 16, 0, tzinfo=WITA)
    r = act(r, username, "advance", start.replace(hour=11))
    assert r.current_step.actor == "Tim Pengaduan dan Bidang Terkait"
    r = act(r, "bangli.tim", "advance", start.replace(hour=14), product_text="Jawaban atas pengaduan")
    assert r.state == State.RESOLVED
    assert timeline(r)[-1][0] == "answer"


def test_004_answers_through_the_channel_it_came_by(demo):
    r = new_request("DISDUKCAPIL-PROBOLINGGO", 21, channel="email")
    assert r.due_at == at(9, 30)
    r = act(r, "dukcapil.petugas", "advance", at(9, 5))
    r = act(r, "dukcapil.petugas", "advance", at(9, 10))
    r = act(r, "dukcapil.petugas", "advance", at(9, 20), product_text="Syarat KTP-el: fotokopi KK.")
    answer = r.events.get(action="answer")
    assert answer.data == {"via": "email"}
    message = OutboxMessage.objects.get(request=r, template="resolved")
    assert "Syarat KTP-el" in notifications.render(message)[1] and message.recipient == "warga@example.com"


def test_004_breach_opens_the_home_delivery_compensation_task(demo):
    r = new_request("DISDUKCAPIL-PROBOLINGGO", 21, channel="counter")
    counts = sweep.sweep(now=at(9, 25))
    assert counts["at_risk"] == 1
    counts = sweep.sweep(now=at(9, 31))
    assert counts["breached"] == 1
    task = CompensationTask.objects.get(request=r)
    assert "diantar langsung ke tempat tinggal pemohon" in task.promise
    alerts = OutboxMessage.objects.filter(request=r, template="sla_alert")
    assert alerts.filter(recipient="").count() == 0
    assert Event.objects.filter(request=r, action="sla_breached", public=False).exists()
    # A second sweep does not open a second task or repeat the alerts.
    before = alerts.count()
    sweep.sweep(now=at(9, 40))
    assert OutboxMessage.objects.filter(request=r, template="sla_alert").count() == before


def test_all_21_seed_services_accept_a_request_and_run_to_the_end(demo):
    """Every seed service runs on its own procedure, driven by an authorised actor per step."""
    for svc in Service.objects.filter(published_standard__isnull=False).select_related("agency"):
        r = new_request(svc.agency.code, svc.position)
        guard = 0
        while r.state != State.RESOLVED:
            guard += 1
            assert guard < 30, (svc.name, r.current_step)
            # Whoever the step names moves it on: "advance", or "dispose" on a disposition step.
            name = "dispose" if r.current_step.action == "dispose" else "advance"
            actor = next(u for u in User.objects.filter(agency=svc.agency)
                         if any(a.name == name for a in lifecycle.available_actions(r, u)))
            extra = {"to_user": actor} if name == "dispose" else {}
            r = lifecycle.perform(r, actor, name, expected_version=r.version, **extra)
        assert r.events.filter(action="received").count() == 1, svc.name


def test_a_holiday_added_later_moves_the_deadlines_of_open_requests(demo, client_for,
                                                                   django_capture_on_commit_callbacks):
    from django.urls import reverse

    r = new_request("DPMPTSP-BANGLI", 20, now=datetime(2026, 11, 23, 10, 0, tzinfo=WITA))
    before = r.at_risk_at  # 1 working day: Tuesday 24 Nov at close
    admin = client_for("bangli.admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("agencies:holiday_new"), {
            "date": "2026-11-24", "name": "Hari raya Galungan (libur daerah)", "kind": "local",
            "closed": "on"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert before.astimezone(WITA).date().isoformat() == "2026-11-24"
    assert r.at_risk_at.astimezone(WITA) == datetime(2026, 11, 25, 16, 0, tzinfo=WITA)
    assert r.events.filter(action="due_moved", public=False).exists()


def test_a_deadline_moved_later_lifts_the_at_risk_mark(demo):
    from layanan.agencies.models import Holiday
    r = new_request("DPMPTSP-BANGLI", 20, now=datetime(2026, 11, 23, 10, 0, tzinfo=WITA))
    sweep.sweep(now=datetime(2026, 11, 24, 16, 5, tzinfo=WITA))
    r.refresh_from_db()
    assert r.sla_status == "at_risk"
    Holiday.objects.create(agency=r.agency, date="2026-11-24", name="Galungan", kind="local")
    lifecycle.recompute_open_requests(r.agency_id, now=datetime(2026, 11, 24, 16, 10, tzinfo=WITA))
    r.refresh_from_db()
    assert r.sla_status == "on_time"
