"""Issue 10: the day totals and the delivered requests the IKM is computed from stay equal to
their sources — kept with every answer and every request change, and rebuilt the same."""

import random
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layanan.accounts.models import User
from layanan.agencies.models import Agency
from layanan.requests import lifecycle
from layanan.requests.models import Channel, Request
from layanan.standards.models import Service
from layanan.survey import rollups, services
from layanan.survey.ikm import CODES
from layanan.survey.models import DailyTotal, DeliveredRequest
from layanan.survey.periods import period_of
from layanan.survey.queries import agency_rows, ikm_summary, population

FIELDS = [
    "service_id",
    "unit_id",
    "day",
    "respondents",
    *[f"s{i}" for i in range(1, 10)],
    *[f"c{i}" for i in range(1, 10)],
]


def snapshot():
    return sorted(DailyTotal.objects.values_list(*FIELDS))


def test_day_totals_kept_with_each_answer_equal_a_rebuild_from_the_answers(demo):
    rng = random.Random(4)
    services_ = list(Service.objects.filter(agency__code__in=["DPMPTSP-BANGLI", "ORGANISASI-KEDIRI"]))
    for _i in range(120):
        channel = rng.choice(["kiosk", "paper"])
        scores = {c: rng.choice([None, 1, 2, 3, 4] if channel == "paper" else [1, 2, 3, 4]) for c in CODES}
        if not any(scores.values()):
            scores["U1"] = 3
        services.record_answer(
            service=rng.choice(services_),
            channel=channel,
            scores=scores,
            answered_on=date(2026, 1, 1) + timedelta(days=rng.randrange(60)),
        )
    kept = snapshot()
    assert sum(row[3] for row in kept) == 120
    rollups.rebuild_daily()
    assert snapshot() == kept
    rollups.rebuild_daily(start=date(2026, 1, 10), end=date(2026, 1, 20))
    assert snapshot() == kept
    call_command("survey_rollup", only="answers")
    assert snapshot() == kept


def deliver(agency_code, username):
    service = Service.objects.filter(agency__code=agency_code).order_by("position").first()
    request, _ = lifecycle.submit(
        standard=service.published_standard,
        channel=Channel.WEB,
        subject="x",
        applicant={"applicant_name": "A", "applicant_phone": "+6281330001111"},
    )
    officer = User.objects.get(username=username)
    while request.is_open:
        request = lifecycle.perform(request, officer, "advance", product_text="Selesai.")
    return request


def test_delivered_requests_follow_the_lifecycle_on_the_agencys_local_day(demo):
    request = deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    row = DeliveredRequest.objects.get(request=request)
    assert row.day == timezone.localtime(request.resolved_at).date() and row.service_id == request.service_id
    assert row.region_id == request.agency.region_id
    lifecycle.perform(request, User.objects.get(username="dukcapil.kadis"), "reopen", note="Salah kirim")
    assert not DeliveredRequest.objects.filter(request=request).exists()
    request.refresh_from_db()
    while request.is_open:
        request = lifecycle.perform(request, User.objects.get(username="dukcapil.petugas"), "advance")
    assert DeliveredRequest.objects.filter(request=request).count() == 1


def test_the_population_counts_the_local_day_in_wita(demo):
    """Bangli is in WITA (UTC+8): delivered at 16:30 UTC on 31 March is 1 April 00:30 there."""
    agency = Agency.objects.get(code="DPMPTSP-BANGLI")
    assert agency.timezone == "Asia/Makassar"
    service = Service.objects.filter(agency=agency).first()
    request, _ = lifecycle.submit(
        standard=service.published_standard,
        channel=Channel.WEB,
        subject="x",
        applicant={"applicant_name": "A", "applicant_phone": "+6281330001111"},
    )
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    Request.objects.filter(pk=request.pk).update(state="closed", resolved_at=moment, closed_at=moment)
    rollups.rebuild_delivered()
    assert DeliveredRequest.objects.get(request=request).day == date(2026, 4, 1)
    assert population(agency_id=agency.pk, start=date(2026, 4, 1), end=date(2026, 4, 30)) == 1
    assert population(agency_id=agency.pk, start=date(2026, 3, 1), end=date(2026, 3, 31)) == 0


def test_resync_since_a_day_repairs_changes_made_behind_the_signal(demo):
    kept = deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    gone = deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    Request.objects.filter(pk=gone.pk).update(state="in_progress", resolved_at=None)  # behind the signal
    DeliveredRequest.objects.filter(request=kept).delete()
    rollups.rebuild_delivered(since=timezone.localdate() - timedelta(days=3))
    assert list(DeliveredRequest.objects.values_list("request_id", flat=True)) == [kept.pk]
    call_command("survey_rollup", only="delivered")
    assert list(DeliveredRequest.objects.values_list("request_id", flat=True)) == [kept.pk]


def test_summary_population_comes_from_the_delivered_rows(demo):
    for _i in range(4):
        deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    service = Service.objects.filter(agency__code="DISDUKCAPIL-PROBOLINGGO").first()
    services.record_answer(service=service, channel="kiosk", scores=dict.fromkeys(CODES, 4))
    today = timezone.localdate()
    summary = ikm_summary(service_id=service.pk, start=today, end=today)
    assert (summary.population, summary.minimum_sample, summary.adequate) == (4, 4, False)


def test_a_save_of_fields_outside_the_population_row_does_not_touch_it(demo):
    request = deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    with CaptureQueriesContext(connection) as queries:
        request.save(update_fields=["sla_status", "updated_at"])  # what the SLA sweep saves
    assert not [q for q in queries if "survey_deliveredrequest" in q["sql"]]
    assert DeliveredRequest.objects.filter(request=request).count() == 1
    Request.objects.filter(pk=request.pk).update(state="in_progress")
    request.refresh_from_db()
    request.save(update_fields=["state"])  # a field of the row: the row follows
    assert not DeliveredRequest.objects.filter(request=request).exists()


def test_the_regions_agency_rows_count_every_population_in_one_query(demo):
    region = Agency.objects.get(code="DISDUKCAPIL-PROBOLINGGO").region
    Agency.objects.filter(code="DINSOS-SEKADAU").update(region=region)  # a second agency in the region
    for _i in range(2):
        deliver("DISDUKCAPIL-PROBOLINGGO", "dukcapil.petugas")
    in_region = Service.objects.filter(agency__region=region).order_by("-agency_id", "-pk")
    first_of_each = {s.agency_id: s for s in in_region}.values()
    assert len(first_of_each) >= 2  # the query count below means something only for several agencies
    for service in first_of_each:
        services.record_answer(service=service, channel="kiosk", scores=dict.fromkeys(CODES, 4))
    today = timezone.localdate()
    period = period_of("month", today)
    with CaptureQueriesContext(connection) as queries:
        rows = agency_rows(region.pk, period)
    assert len([q for q in queries if "survey_deliveredrequest" in q["sql"]]) == 1
    by_agency = {row.key: row.summary.population for row in rows if row.summary}
    assert len(by_agency) >= 2
    assert by_agency == {
        pk: population(agency_id=pk, start=period.start, end=period.end) for pk in by_agency
    }
    assert by_agency[Agency.objects.get(code="DISDUKCAPIL-PROBOLINGGO").pk] == 2
