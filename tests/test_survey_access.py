"""Issue 10: who may open the survey screens (docs/survey.md "Access"): the leadership reads the
agency, a unit head reads their units, the counter collects, the admin configures, the region's
overseer sees aggregates only; every other agency's object is a 404; bad input is a 4xx."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from layanan.accounts.models import User
from layanan.agencies.models import Unit
from layanan.standards.models import Service
from layanan.survey import services
from layanan.survey.ikm import CODES
from layanan.survey.models import FollowUp, KioskSession, SurveyReport

from .conftest import login

AGENCY = "DISDUKCAPIL-PROBOLINGGO"


@pytest.fixture
def answered(demo):
    service = Service.objects.filter(agency__code=AGENCY).first()
    for scores in ((4,) * 9, (2,) * 9):
        services.record_answer(
            service=service,
            channel="kiosk",
            scores=dict(zip(CODES, scores, strict=True)),
            profile={"sex": 1},
            suggestion="Petugas ramah sekali",
        )
    return service


SCREENS = [
    "survey:home",
    "survey:suggestions",
    "survey:reports",
    "survey:kiosk",
    "survey:paper",
    "survey:entry",
    "survey:settings",
    "survey:region",
]
# Who gets 200 on which screen (others 404).
ALLOWED = {
    "dukcapil.kadis": {"survey:home", "survey:suggestions", "survey:reports"},
    "dukcapil.sekretaris": {"survey:home", "survey:suggestions", "survey:reports"},
    "dukcapil.admin": {
        "survey:home",
        "survey:suggestions",
        "survey:reports",
        "survey:kiosk",
        "survey:paper",
        "survey:entry",
        "survey:settings",
    },
    "dukcapil.kabid-piak": {
        "survey:home",
        "survey:suggestions",
        "survey:kiosk",
        "survey:paper",
        "survey:entry",
    },
    "dukcapil.petugas": {"survey:home", "survey:kiosk", "survey:paper", "survey:entry"},
    "dukcapil.analis": {"survey:home", "survey:kiosk", "survey:paper", "survey:entry"},
    "kediri.overseer": {"survey:region"},
}


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_screens_by_role(answered, username):
    client = login(username)
    for name in SCREENS:
        status = client.get(reverse(name)).status_code
        assert status == (200 if name in ALLOWED[username] else 404), (username, name, status)


def test_anonymous_staff_screens_go_to_the_login(client, demo):
    for name in SCREENS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_front_desk_collects_but_does_not_read_results_or_suggestions(answered):
    page = login("dukcapil.petugas").get(reverse("survey:home")).content.decode()
    assert "Petugas ramah sekali" not in page and 'id="ikm"' not in page
    assert reverse("survey:kiosk") in page and reverse("survey:entry") in page


def test_a_unit_head_reads_only_their_units(answered):
    unit = answered.unit
    piak = login("dukcapil.kabid-piak")
    assert piak.get(reverse("survey:unit", args=[unit.pk])).status_code == 200
    assert "Petugas ramah sekali" in piak.get(reverse("survey:suggestions")).content.decode()
    dafduk = login("dukcapil.kabid-dafduk")
    assert dafduk.get(reverse("survey:unit", args=[unit.pk])).status_code == 404
    assert "Petugas ramah sekali" not in dafduk.get(reverse("survey:suggestions")).content.decode()
    assert unit.name not in dafduk.get(reverse("survey:home")).content.decode().split('id="unit"')[1]
    # The unit head records follow-up for their own unit, not for the whole agency.
    form = {
        "periode": "2026-S1",
        "element": "U1",
        "action": "x",
        "owner": "y",
        "due_date": "2026-06-30",
        "status": "planned",
    }
    assert piak.post(reverse("survey:follow_up_add"), {**form, "unit": unit.pk}).status_code == 302
    assert piak.post(reverse("survey:follow_up_add"), form).status_code == 404
    assert dafduk.post(reverse("survey:follow_up_add"), {**form, "unit": unit.pk}).status_code == 404
    assert FollowUp.objects.count() == 1


def test_the_overseer_sees_the_regions_aggregates_but_no_suggestion(demo):
    service = Service.objects.filter(agency__code="ORGANISASI-KEDIRI").first()
    services.record_answer(
        service=service,
        channel="paper",
        scores=dict.fromkeys(CODES, 3),
        suggestion="Nama saya Budi, petugas X lambat",
    )
    overseer = login("kediri.overseer")
    page = overseer.get(reverse("survey:region")).content.decode()
    assert "75,00" in page and "Kurang Baik" in page and "ORGANISASI-KEDIRI" in page
    assert "Budi" not in page
    assert overseer.get(reverse("survey:suggestions")).status_code == 404
    assert login("dukcapil.kadis").get(reverse("survey:region")).status_code == 404


def test_objects_of_another_agency_are_404(answered, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    unit = answered.unit
    follow_up = FollowUp.objects.create(
        agency=answered.agency,
        unit=unit,
        period="2026-S1",
        element="U1",
        action="a",
        owner="b",
        due_date=date(2026, 6, 30),
    )
    kiosk = services.start_kiosk(User.objects.get(username="dukcapil.petugas"), answered)
    report = SurveyReport.objects.create(
        agency=answered.agency, period="2026-S1", format="pdf", status="done", file="survey/reports/x.pdf"
    )
    other = login("dinsos.kadis")
    assert other.get(reverse("survey:unit", args=[unit.pk])).status_code == 404
    assert other.get(reverse("survey:follow_up", args=[follow_up.pk])).status_code == 404
    assert other.get(reverse("survey:report_download", args=[report.pk])).status_code == 404
    assert login("dinsos.petugas").post(reverse("survey:kiosk_end", args=[kiosk.pk])).status_code == 404
    assert login("dinsos.petugas").post(reverse("survey:kiosk"), {"service": answered.pk}).status_code == 400
    assert login("dinsos.petugas").get(reverse("survey:paper") + f"?layanan={answered.pk}").status_code == 404
    assert KioskSession.objects.count() == 1


def test_bad_parameters_are_4xx_or_ignored_never_500(answered):
    head = login("dukcapil.kadis")
    for url in (
        reverse("survey:home") + "?periode=2026-99",
        reverse("survey:home") + "?periode=" + "9" * 300,
        reverse("survey:suggestions") + "?hal=abc",
        reverse("survey:reports") + "?hal=-1",
        reverse("survey:unit", args=[answered.unit_id]) + "?periode=%00",
    ):
        assert head.get(url).status_code in (200, 400), url
    assert head.get(reverse("survey:unit", args=[999999])).status_code == 404
    assert head.post(reverse("survey:follow_up_add"), {"unit": "abc"}).status_code == 404
    desk = login("dukcapil.petugas")
    assert desk.get(reverse("survey:paper") + "?layanan=abc").status_code == 404
    assert desk.get(reverse("survey:entry") + "?tanggal=bukan-tanggal&layanan=x").status_code == 200
    assert desk.post(reverse("survey:kiosk"), {"service": "999999"}).status_code == 400


def test_a_kiosk_expires_after_the_configured_hours(answered, settings, client):
    settings.SURVEY_KIOSK_HOURS = 2
    session = services.start_kiosk(User.objects.get(username="dukcapil.petugas"), answered)
    assert session.expires_at - session.started_at == timedelta(hours=2)
    assert (
        services.kiosk_from_token(services.kiosk_token(session), now=timezone.now() + timedelta(hours=3))
        is None
    )
    assert Unit.objects.filter(pk=answered.unit_id).exists()
