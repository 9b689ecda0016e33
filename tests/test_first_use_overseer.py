"""Issue 7, the region's overseer: return a standard for revision with a note, and a warning (a
confirmation tick) before enacting or publishing a standard below the region's completeness
threshold."""

import datetime

import pytest
from django.urls import reverse

from layanan.accounts.models import User
from layanan.standards import services
from layanan.standards.models import Service, ServiceStandard

from .conftest import login

Status = ServiceStandard.Status


def user(username) -> User:
    return User.objects.get(username=username)


def discussed(code: str) -> ServiceStandard:
    service = Service.objects.get(agency__code="ORGANISASI-KEDIRI", code=code)
    draft = services.new_version(service.published_standard, user("kediri.admin"))
    return services.mark_discussed(draft, user("kediri.admin"), discussed_on=datetime.date(2026, 11, 2),
                                   notes="Rapat pembahasan")


def test_the_overseer_returns_a_standard_for_revision_with_a_note(demo):
    std = discussed("konsultasi-kelembagaan")
    overseer = login("kediri.overseer")
    detail = reverse("standards:detail", args=[std.pk])
    assert "Kembalikan untuk diperbaiki" in overseer.get(detail).content.decode()
    url = reverse("standards:return_for_revision", args=[std.pk])
    overseer.post(url, {"note": ""})
    std.refresh_from_db()
    assert std.status == Status.DISCUSSED
    overseer.post(url, {"note": "Jangka waktu belum menyebut hari kerja."})
    std.refresh_from_db()
    assert std.status == Status.DRAFT and std.review_note == "Jangka waktu belum menyebut hari kerja."
    page = login("kediri.admin").get(detail).content.decode()
    assert "Dikembalikan untuk diperbaiki" in page and "belum menyebut hari kerja" in page
    # The agency admin cannot send its own standard back; an admin of another agency sees nothing.
    other = discussed("anjab-abk")
    assert login("kediri.admin").post(reverse("standards:return_for_revision", args=[other.pk]),
                                      {"note": "x"}).status_code == 404


def test_enacting_or_publishing_below_the_threshold_asks_for_a_confirmation(demo):
    overseer = login("kediri.overseer")
    response = overseer.post(reverse("standards:threshold"), {"min_completeness": "90"})
    assert response.status_code == 302
    league = overseer.get(reverse("standards:league")).content.decode()
    assert "Ambang kelengkapan daerah: <strong>90</strong>" in league and "di bawah ambang" in league
    std = discussed("tpp")  # no Persyaratan: 39.3/100
    detail = overseer.get(reverse("standards:detail", args=[std.pk])).content.decode()
    assert "di bawah ambang daerah 90" in detail and 'name="confirm_low"' in detail
    enact = {"decree_number": "188.45/1/2026", "decree_date": "2026-11-03"}
    overseer.post(reverse("standards:enact", args=[std.pk]), enact)
    std.refresh_from_db()
    assert std.status == Status.DISCUSSED
    overseer.post(reverse("standards:enact", args=[std.pk]), {**enact, "confirm_low": "1"})
    std.refresh_from_db()
    assert std.status == Status.ENACTED
    admin = login("kediri.admin")
    admin.post(reverse("standards:publish", args=[std.pk]))
    std.refresh_from_db()
    assert std.status == Status.ENACTED
    admin.post(reverse("standards:publish", args=[std.pk]), {"confirm_low": "1"})
    std.refresh_from_db()
    assert std.status == Status.PUBLISHED


def test_a_complete_standard_needs_no_confirmation(demo):
    std = discussed("konsultasi-sop")  # 100/100
    login("kediri.overseer").post(reverse("standards:enact", args=[std.pk]),
                                  {"decree_number": "188.45/2/2026", "decree_date": "2026-11-03"})
    std.refresh_from_db()
    assert std.status == Status.ENACTED


@pytest.mark.parametrize("value", ["101", "-1", "abc"])
def test_the_threshold_is_a_number_from_0_to_100(demo, value):
    login("kediri.overseer").post(reverse("standards:threshold"), {"min_completeness": value})
    assert demo["ORGANISASI-KEDIRI"].region.__class__.objects.get(
        pk=demo["ORGANISASI-KEDIRI"].region_id).min_completeness == 80
    assert login("kediri.admin").post(reverse("standards:threshold"),
                                      {"min_completeness": "10"}).status_code == 404
