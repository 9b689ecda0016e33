"""The region's compliance table: stored completeness scores, the parts, zones and their thresholds."""

from datetime import UTC, date, datetime

import pytest

from layanan.accounts.models import Position, User
from layanan.agencies.models import Agency, Region
from layanan.reports import compliance, periods, services
from layanan.reports.models import EvaluationReport, RegionSetting, StandardScore
from layanan.reports.scope import region_scope
from layanan.standards.completeness import check_components, completeness_score
from layanan.standards.models import ServiceStandard

PAGE = "/kelola/laporan/kepatuhan/"
THRESHOLDS = PAGE + "ambang/"


def kediri_rows(user="kediri.overseer"):
    rows, setting = compliance.table(region_scope(User.objects.get(username=user)))
    return rows, setting


def test_every_published_standard_has_its_score_stored(demo):
    published = ServiceStandard.objects.filter(status="published")
    assert StandardScore.objects.filter(standard__in=published).count() == published.count() == 21
    for std in published:
        assert std.stored_score.score == completeness_score(check_components(std))


def test_publishing_a_new_version_stores_its_score(demo):
    from layanan.standards import services as standards

    admin = User.objects.get(username="kediri.admin")
    std = ServiceStandard.objects.get(
        service__agency__code="ORGANISASI-KEDIRI", service__position=14, status="published"
    )
    draft = standards.new_version(std, admin)
    draft.guarantee = ""  # a vaguer standard
    draft.save()
    standards.mark_discussed(draft, admin, discussed_on=date(2026, 11, 9), notes="Rapat")
    standards.enact(draft, admin, decree_number="188/2/2026", decree_date=date(2026, 11, 9))
    assert not StandardScore.objects.filter(standard=draft).exists()  # not published yet
    standards.publish(draft, admin)
    stored = StandardScore.objects.get(standard=draft)
    assert stored.score == completeness_score(check_components(draft)) < std.stored_score.score
    assert "Jaminan pelayanan" in stored.missing


def test_the_table_reads_the_stored_scores(demo, client_for):
    rows, _setting = kediri_rows()
    [row] = rows
    published = ServiceStandard.objects.filter(service__agency__code="ORGANISASI-KEDIRI", status="published")
    expected = sum(s.stored_score.score for s in published) / published.count()
    assert row.completeness == pytest.approx(expected)
    StandardScore.objects.filter(standard__in=published).update(score=10)
    [row] = kediri_rows()[0]
    assert row.completeness == 10
    html = client_for("kediri.overseer").get(PAGE).content.decode()
    assert "10,0" in html and "Bagian Organisasi Sekretariat Daerah Kabupaten Kediri" in html


def test_the_parts_and_the_score(demo):
    [row] = kediri_rows()[0]
    assert row.services == 17 and row.published == 17 and row.published_pct == 100
    assert row.maklumat and row.complaint_channel
    assert row.parts["maklumat"] == 100 and row.parts["published"] == 100
    assert row.parts["sla"] is None and row.parts["evaluated"] is None  # nothing measured yet: left out
    known = [v for v in row.parts.values() if v is not None]
    assert row.score == pytest.approx(round(sum(known) / len(known), 2))


def test_thresholds_set_the_zone(demo, client_for):
    [row] = kediri_rows()[0]
    assert row.zone == "green" if row.score >= 81 else row.zone in ("yellow", "red")
    overseer = client_for("kediri.overseer")
    response = overseer.post(THRESHOLDS, {"green_min": "99.50", "yellow_min": "99.00"})
    assert response.status_code == 302
    setting = RegionSetting.objects.get(region__slug="kabupaten-kediri")
    assert setting.updated_by.username == "kediri.overseer"
    [row] = kediri_rows()[0]
    assert row.zone == "red" and "zone-red" in overseer.get(PAGE).content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"green_min": "50", "yellow_min": "60"}, "di bawah batas zona hijau"),
        ({"green_min": "120", "yellow_min": "60"}, "100"),
        ({"green_min": "abc", "yellow_min": "60"}, "bilangan"),
    ],
)
def test_bad_thresholds_are_refused(demo, client_for, data, message):
    response = client_for("kediri.overseer").post(THRESHOLDS, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not RegionSetting.objects.exists()


def test_an_auditor_reads_the_table_but_does_not_set_thresholds(demo, client):
    auditor = User.objects.create_user("kediri.auditor", region=Region.objects.get(slug="kabupaten-kediri"))
    Position.objects.create(user=auditor, title="Inspektur", role="auditor")
    client.force_login(auditor)
    assert client.get(PAGE).status_code == 200
    assert client.get("/kelola/laporan/daerah/").status_code == 200
    assert client.get(THRESHOLDS).status_code == 404
    assert client.post(THRESHOLDS, {"green_min": "90", "yellow_min": "60"}).status_code == 404


def test_evaluated_on_time_counts_the_head_s_final_reports(demo):
    ServiceStandard.objects.filter(status="published").update(published_at=datetime(2026, 1, 5, tzinfo=UTC))
    agency = Agency.objects.get(code="ORGANISASI-KEDIRI")
    window = [periods.month(2026, m) for m in range(1, 13)]  # the twelve months of 2026
    today = date(2027, 1, 2)
    due, done = compliance._evaluations(agency, window, today)
    # Service 3 is evaluated monthly (12 months ending in 2026) and yearly; the other 16 yearly.
    assert (due, done) == (12 + 17, 0)
    head = User.objects.get(username="kediri.kabag")
    december = periods.month(2026, 12)
    report = services.ensure(
        agency,
        EvaluationReport.Kind.MONTHLY,
        december,
        services=services.scheduled_services(agency, "monthly", december),
        now=datetime(2027, 1, 2, tzinfo=UTC),
    )
    services.finalise(report, head, "Baik", now=datetime(2027, 1, 5, tzinfo=UTC))
    assert compliance._evaluations(agency, window, today) == (29, 1)
