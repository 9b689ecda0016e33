"""The reports' numbers against a hand-built month and against the seed procedures (issue 11).

October 2026 at ORGANISASI-KEDIRI, service 14 "Pengesahan standar pelayanan" (5 hari kerja,
Sub Bagian Tata Laksana), office hours Mon–Thu 07:30–16:00 (8.5 h), Fri 07:30–16:30, WIB, no
holidays in October: ten requests received at 07:30 on a Monday, finished after
0.5, 1, 1.5, 2, 2.5, 2.5, 3, 6.5, 7 and 8 working days. The last three finished after their
due time (close of office on the 5th working day after the day of receipt) → SLA met 7/10 =
70 %, median 2.5 working days, p90 7.1 working days (linear interpolation).
"""

import io
from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from layanan.accounts.models import User
from layanan.agencies.models import Unit
from layanan.reports import facts, queries
from layanan.reports.models import Resolution
from layanan.reports.periods import month
from layanan.reports.scope import Scope, Selection
from layanan.requests import clock, lifecycle
from layanan.requests.models import Request, SlaStatus, State
from layanan.standards.models import Service

WIB = ZoneInfo("Asia/Jakarta")
OCTOBER = month(2026, 10)


def wib(day, hour, minute=0, m=10):
    return datetime(2026, m, day, hour, minute, tzinfo=WIB)


@contextmanager
def clock_at(moment):
    """The request's arrival (auto_now_add) happens at `moment`, as it would have then."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def service(code, position):
    return Service.objects.get(agency__code=code, position=position)


def submit_at(svc, moment, channel="counter", subject="Uji laporan"):
    with clock_at(moment):
        request, created = lifecycle.submit(
            standard=svc.published_standard,
            channel=channel,
            subject=subject,
            applicant={"applicant_name": "Warga Uji"},
            now=moment,
        )
    assert created
    return request


def finish_at(request, moment):
    """Walk the procedure to its end with the actors each step names, every step at `moment`."""
    agency_staff = list(User.objects.filter(agency=request.agency))
    guard = 0
    while request.state != State.RESOLVED:
        guard += 1
        assert guard < 30, request.current_step
        name = "dispose" if request.current_step.action == "dispose" else "advance"
        actor = next(
            u for u in agency_staff if any(a.name == name for a in lifecycle.available_actions(request, u))
        )
        extra = {"to_user": actor} if name == "dispose" else {}
        with clock_at(moment):
            request = lifecycle.perform(
                request, actor, name, expected_version=request.version, now=moment, **extra
            )
    return request


# (received, finished, late?) — Monday 5 October 07:30 and Monday 12 October 07:30 (WIB).
FIXTURE = [
    (wib(5, 7, 30), wib(5, 11, 45), False),  # 0.5
    (wib(5, 7, 30), wib(5, 16, 0), False),  # 1
    (wib(5, 7, 30), wib(6, 11, 45), False),  # 1.5
    (wib(5, 7, 30), wib(6, 16, 0), False),  # 2
    (wib(5, 7, 30), wib(7, 11, 45), False),  # 2.5
    (wib(5, 7, 30), wib(7, 11, 45), False),  # 2.5
    (wib(5, 7, 30), wib(7, 16, 0), False),  # 3
    (wib(12, 7, 30), wib(20, 11, 45), True),  # 6.5: due Monday 19 October 16:00
    (wib(12, 7, 30), wib(20, 16, 0), True),  # 7
    (wib(12, 7, 30), wib(21, 16, 0), True),  # 8
]
CHANNELS = ["counter", "web", "counter", "email", "web", "counter", "letter", "web", "counter", "web"]


def make_october() -> list:
    """The hand-built month (FIXTURE) at ORGANISASI-KEDIRI, service 14."""
    svc = service("ORGANISASI-KEDIRI", 14)
    made = []
    for (received, finished, _late), channel in zip(FIXTURE, CHANNELS, strict=True):
        made.append(finish_at(submit_at(svc, received, channel), finished))
    return made


@pytest.fixture
def october(demo):
    return make_october()


def kediri_selection(**kwargs):
    from layanan.agencies.models import Agency

    agency = Agency.objects.select_related("region").get(code="ORGANISASI-KEDIRI")
    return Selection(Scope("agency", agency.region, [agency], None, personal=True), OCTOBER, **kwargs)


def test_the_fixture_month_sla_met_70_median_2_5_p90_7_1(october):
    rows = {r.request_id: r for r in Resolution.objects.filter(request__in=october)}
    assert [round(rows[r.pk].working_days, 4) for r in october] == [0.5, 1, 1.5, 2, 2.5, 2.5, 3, 6.5, 7, 8]
    assert [rows[r.pk].breached for r in october] == [late for _r, _f, late in FIXTURE]
    # Office minutes: 4 h 15 min for half a day of 8.5 h.
    assert rows[october[0].pk].office_minutes == 255

    sla = queries.sla(kediri_selection())
    total = sla.total
    assert (total.finished, total.with_promise, total.met, total.breached) == (10, 10, 7, 3)
    assert total.met_pct == pytest.approx(70.0)
    assert total.median == pytest.approx(2.5)
    assert total.p90 == pytest.approx(7.1)
    assert total.median_text == "2,5 hari kerja" and total.p90_text == "7,1 hari kerja"
    [row] = sla.by_service
    assert row.label == "Pengesahan standar pelayanan perangkat daerah" and row.promise == "5 hari kerja"
    assert dict(sla.histogram) == {
        "< ½": 0,
        "½–1": 1,
        "1–2": 2,
        "2–3": 3,
        "3–5": 1,
        "5–10": 3,
        "10–20": 0,
        "20–60": 0,
        "≥ 60": 0,
    }


def test_the_dashboard_page_shows_the_fixture_numbers(october, client_for):
    page = client_for("kediri.kabag").get("/kelola/laporan/?periode=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Oktober 2026",
        "70,0 %",
        "2,5 hari kerja",
        "7,1 hari kerja",
        "Pengesahan standar pelayanan",
    ):
        assert text in html
    cards = dict(page.context["dash"].cards)
    assert cards["Permohonan masuk"] == "10" and cards["Selesai"] == "10" and cards["Tepat waktu"] == "70,0 %"
    volumes = page.context["dash"].volumes
    assert volumes.total == 10
    assert {label: n for _k, label, n in volumes.by_channel} == {
        "Loket / datang langsung": 4,
        "Situs web": 4,
        "E-mail": 1,
        "Surat": 1,
    }
    assert sum(n for _d, _l, n in volumes.by_bucket) == 10
    assert dict((label, n) for _d, label, n in volumes.by_bucket)["5 Okt"] == 7


def test_sla_met_agrees_with_the_one_sla_status_function(october):
    """Resolution.breached is exactly clock.sla_status of the finished request, also as SQL."""
    now = wib(30, 12, m=11)
    late_sql = set(
        Request.objects.filter(pk__in=[r.pk for r in october])
        .filter(clock.sla_status_q(SlaStatus.BREACHED, now))
        .values_list("pk", flat=True)
    )
    for request in october:
        request.refresh_from_db()
        breached = clock.sla_status(request, now) == SlaStatus.BREACHED
        assert Resolution.objects.get(request=request).breached is breached
        assert (request.pk in late_sql) is breached


def test_a_unit_filter_narrows_to_the_units_services(october, client_for):
    other = service("ORGANISASI-KEDIRI", 19)  # SAKIP, 3 bulan, Sub Bagian Reformasi Birokrasi …
    finish_at(submit_at(other, wib(13, 8)), wib(13, 15))
    tatalaksana = Unit.objects.get(
        agency__code="ORGANISASI-KEDIRI", name__startswith="Sub Bagian Tata Laksana"
    )
    assert queries.sla(kediri_selection()).total.finished == 11
    narrowed = queries.sla(kediri_selection(unit=tatalaksana)).total
    assert (narrowed.finished, narrowed.met) == (10, 7)
    page = client_for("kediri.kabag").get(f"/kelola/laporan/?periode=2026-10&unit={tatalaksana.pk}")
    assert dict(page.context["dash"].cards)["Selesai"] == "10"
    # The unit head of Tata Laksana sees only that unit, without choosing it.
    own = client_for("kediri.kasubag-tatalaksana").get("/kelola/laporan/?periode=2026-10")
    assert dict(own.context["dash"].cards)["Selesai"] == "10"
    rb = client_for("kediri.kasubag-rbak").get("/kelola/laporan/?periode=2026-10")
    assert dict(rb.context["dash"].cards)["Selesai"] == "1"


def test_the_region_view_has_the_numbers_and_no_personal_data(october, client_for):
    for request in october[:3]:
        Request.objects.filter(pk=request.pk).update(
            subject="Keluhan atas nama Budi Santoso"
        )  # test data only
    page = client_for("kediri.overseer").get("/kelola/laporan/daerah/?periode=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "70,0 %" in html and "2,5 hari kerja" in html
    assert "Budi" not in html and "Santoso" not in html
    for request in october:
        assert request.tracking_code not in html
    [row] = page.context["dash"].agencies
    assert row.sla.finished == 10 and row.received == 10


def test_backlog_by_age_and_step_and_waiting_on_the_applicant(demo):
    svc = service("DINSOS-SEKADAU", 2)
    a = submit_at(svc, wib(2, 9, m=11))
    b = submit_at(svc, wib(3, 9, m=11))
    with clock_at(wib(3, 10, m=11)):
        b = lifecycle.perform(b, User.objects.get(username="dinsos.petugas"), "advance", now=wib(3, 10, m=11))
    c = submit_at(svc, wib(4, 9, m=11))
    with clock_at(wib(4, 10, m=11)):
        for who in ("dinsos.petugas", "dinsos.tu"):
            c = lifecycle.perform(c, User.objects.get(username=who), "advance", now=wib(4, 10, m=11))
        c = lifecycle.perform(
            c,
            User.objects.get(username="dinsos.kadis"),
            "dispose",
            now=wib(4, 10, m=11),
            to_unit=Unit.objects.get(name__startswith="Bidang Rehab"),
            note="Tindak lanjuti",
        )
        c = lifecycle.perform(
            c,
            User.objects.get(username="dinsos.kasi"),
            "return_incomplete",
            now=wib(4, 10, m=11),
            missing=["Foto copy KTP"],
        )
    from layanan.agencies.models import Agency

    agency = Agency.objects.select_related("region").get(code="DINSOS-SEKADAU")
    sel = Selection(Scope("agency", agency.region, [agency], None, personal=True), month(2026, 11))
    backlog = queries.backlog(sel, wib(20, 12, m=11))
    assert backlog.open == 3 and backlog.waiting == 1
    assert dict(backlog.by_age) == {
        "0–7 hari": 0,
        "8–14 hari": 0,
        "15–30 hari": 3,
        "31–60 hari": 0,
        "> 60 hari": 0,
    }
    by_step = {(r.position, r.actor): r.count for r in backlog.by_step}
    assert sum(by_step.values()) == 3 and len(by_step) == 3
    assert dict(backlog.waiting_by_age)["15–30 hari"] == 1
    [bottleneck] = backlog.bottlenecks
    assert bottleneck.bottleneck and bottleneck.count == 1
    assert a.pk != b.pk != c.pk


# ---------------------------------------------------------------- the seed shape tests' requests


def test_seed_001_pause_is_not_working_time(demo):
    """tests/test_request_shapes.py 001: received Monday 23 Nov 09:00, waiting on the applicant from 13:00
    until Wednesday 09:00, delivered Thursday 14:00 (WIB, 8.5 h days)."""
    from tests.test_request_shapes import (
        test_001_letter_chain_with_disposition_two_initials_and_return_to_applicant,
    )

    test_001_letter_chain_with_disposition_two_initials_and_return_to_applicant(demo)
    row = Resolution.objects.get(service__agency__code="DINSOS-SEKADAU")
    expected = 4 / 8.5 + 7 / 8.5 + 6.5 / 8.5  # Mon 09–13, Wed 09–16, Thu 07:30–14
    assert row.working_days == pytest.approx(expected, abs=1e-4)
    assert row.office_minutes == (4 + 7 + 6.5) * 60
    assert row.breached is False and row.due_at == datetime(2026, 12, 16, 16, 0, tzinfo=WIB)


def test_seed_002_clock_starts_at_the_disposition(demo):
    from tests.test_request_shapes import (
        test_002_service_5_clock_starts_when_the_kasubag_receives_the_disposition,
    )

    test_002_service_5_clock_starts_when_the_kasubag_receives_the_disposition(demo)
    row = Resolution.objects.get(service__position=5, service__agency__code="ORGANISASI-KEDIRI")
    assert row.started_at == wib(24, 9, m=11)
    assert row.working_days == pytest.approx(4 / 8.5, abs=1e-4)  # disposed 09:00, done 13:00 the same day


def test_seed_004_breach_and_compensation_on_the_dashboard(demo, client_for):
    from tests.test_request_shapes import WIB as SHAPES_WIB  # noqa: F401  (same zone)
    from tests.test_request_shapes import test_004_breach_opens_the_home_delivery_compensation_task

    test_004_breach_opens_the_home_delivery_compensation_task(demo)
    request = Request.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO")
    finish_at(request, wib(23, 10, m=11))
    row = Resolution.objects.get(request=request)
    assert row.breached is True  # marked breached by the sweep, finished after 09:30
    page = client_for("dukcapil.kadis").get("/kelola/laporan/?periode=2026-11")
    dash = page.context["dash"]
    assert dash.breaches.finished_late == 1 and dash.compensation.pending == 1
    assert request.tracking_code in page.content.decode()  # the head's list of breaches


def test_seed_003_complaint_answered_within_the_standard(demo):
    from tests.test_request_shapes import test_003_both_intake_paths_lead_to_the_complaint_team

    test_003_both_intake_paths_lead_to_the_complaint_team(
        demo, "counter", "Petugas Pengaduan", "bangli.petugas"
    )
    from layanan.agencies.models import Agency

    agency = Agency.objects.select_related("region").get(code="DPMPTSP-BANGLI")
    sel = Selection(Scope("agency", agency.region, [agency], None, personal=True), month(2026, 11))
    complaints = queries.complaints(sel)
    assert (complaints.finished, complaints.with_promise, complaints.met) == (1, 1, 1)
    row = Resolution.objects.get(request__agency=agency)
    # WITA: 10:00 → 14:00 on Monday 23 November.
    assert row.working_days == pytest.approx(4 / 8.5, abs=1e-4) and row.kind == "complaint"


def test_a_reopened_request_keeps_its_first_resolution(october):
    request = october[0]
    kasubag = User.objects.get(username="kediri.kasubag-tatalaksana")
    with clock_at(wib(6, 9)):
        request = lifecycle.perform(request, kasubag, "reopen", note="Dokumen kurang satu", now=wib(6, 9))
    assert request.state == State.IN_PROGRESS
    finish_at(request, wib(8, 10))
    rows = list(
        Resolution.objects.filter(request=request)
        .order_by("finished_at")
        .values_list("finished_at", flat=True)
    )
    assert rows == [wib(5, 11, 45), wib(8, 10)]
    assert facts.record(request) is None  # once per finish


def test_a_withdrawal_is_a_fact_and_the_backlog_at_the_end_of_a_period_stays(october):
    from layanan.reports.models import Withdrawal
    from layanan.reports.services import open_at_end

    svc = service("ORGANISASI-KEDIRI", 14)
    waiting = submit_at(svc, wib(28, 9))  # still open at the end of October …
    withdrawn = submit_at(svc, wib(29, 9), channel="web")
    kabag = User.objects.get(username="kediri.kabag")
    with clock_at(wib(3, 9, m=11)):  # … withdrawn in November
        lifecycle.perform(
            withdrawn, kabag, "withdraw", note="Pemohon menelepon", confirmed=True, now=wib(3, 9, m=11)
        )
    row = Withdrawal.objects.get(request=withdrawn)
    assert row.withdrawn_at == wib(3, 9, m=11) and row.service_id == svc.pk
    sel = kediri_selection()
    assert open_at_end(sel)["total"] == 2  # both were open at the end of October
    finish_at(Request.objects.get(pk=waiting.pk), wib(4, 9, m=11))
    assert open_at_end(kediri_selection())["total"] == 2  # and still were, whatever happened later


def test_the_backfill_restores_missing_facts_as_the_lifecycle_wrote_them(october):
    """`manage.py reports_backfill` (and the data migrations) write the Resolution and Withdrawal
    rows a finished request lacks, with the same agency, service, unit and times."""
    from django.core.management import call_command

    from layanan.reports.models import Resolution, Withdrawal

    svc = service("ORGANISASI-KEDIRI", 14)
    done = submit_at(svc, wib(20, 9))
    withdrawn = submit_at(svc, wib(21, 9), channel="web")
    finish_at(done, wib(22, 9))
    kabag = User.objects.get(username="kediri.kabag")
    with clock_at(wib(23, 9)):
        lifecycle.perform(withdrawn, kabag, "withdraw", note="Pemohon menelepon", confirmed=True,
                          now=wib(23, 9))
    fields = ("agency_id", "service_id", "unit_id", "kind", "channel", "created_at")

    def facts():
        return (Resolution.objects.filter(request=done).values(*fields, "finished_at").get(),
                Withdrawal.objects.filter(request=withdrawn).values(*fields, "withdrawn_at").get())

    written = facts()
    Resolution.objects.filter(request=done).delete()
    Withdrawal.objects.filter(request=withdrawn).delete()
    call_command("reports_backfill", stdout=io.StringIO())
    assert facts() == written
