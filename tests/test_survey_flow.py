"""Issue 10: the survey as the citizen, the front desk and the head meet it — the link after
delivery, the kiosk, paper forms, the results, follow-up and the public IKM page."""

import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core import mail  # noqa: F401
from django.urls import reverse
from django.utils import timezone

from layanan.accounts.models import User
from layanan.agencies.models import Agency, Unit
from layanan.requests import lifecycle, notifications
from layanan.requests.models import Channel, OutboxMessage, Request, State
from layanan.standards.models import Service
from layanan.survey import services
from layanan.survey.ikm import CODES
from layanan.survey.models import FollowUp, KioskSession, SurveyResponse
from layanan.survey.periods import period_of
from layanan.survey.queries import ikm_summary

from .conftest import login

AGENCY = "DISDUKCAPIL-PROBOLINGGO"


def staff(username) -> User:
    return User.objects.get(username=username)


def delivered(agency=AGENCY, *, email="warga@example.id") -> Request:
    """A request submitted on the web and carried to the end of its procedure (resolved)."""
    service = Service.objects.filter(agency__code=agency).order_by("position").first()
    request, _created = lifecycle.submit(
        standard=service.published_standard,
        channel=Channel.WEB,
        subject="Informasi kependudukan",
        applicant={
            "applicant_name": "Siti Aminah",
            "applicant_nik": "3574015507900002",
            "applicant_phone": "+6281330001111",
            "applicant_email": email,
        },
    )
    officer = staff("dukcapil.petugas")
    for _step in range(3):
        request = lifecycle.perform(request, officer, "advance", product_text="Informasi diberikan.")
    assert request.state == State.RESOLVED
    return request


def answers(*scores, **profile):
    data = {code.lower(): str(score) for code, score in zip(CODES, scores, strict=True)}
    data.update({"sex": "2", "age_band": "3", "education": "5", "occupation": "4", **profile})
    return data


def with_token(client, url, data):
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return {**data, "form_token": token}


# ---------------------------------------------------------------- the link after delivery


def test_delivered_request_offers_the_survey_on_the_tracking_page_and_in_the_email(demo, client):
    request = delivered()
    track = reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret])
    page = client.get(track).content.decode()
    link = services.survey_path(request)
    assert 'id="survei"' in page and link in page and "Isi survei kepuasan" in page
    resolved = OutboxMessage.objects.get(request=request, template="resolved")
    assert services.survey_link(request) in notifications.render(resolved)[1]
    assert services.survey_link(request).startswith("http")


def test_an_open_request_has_no_survey_yet(demo, client):
    service = Service.objects.filter(agency__code=AGENCY).first()
    request, _ = lifecycle.submit(
        standard=service.published_standard,
        channel=Channel.WEB,
        subject="x",
        applicant={"applicant_name": "A", "applicant_phone": "+6281330001111"},
    )
    track = reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret])
    assert 'id="survei"' not in client.get(track).content.decode()
    response = client.get(services.survey_path(request))
    assert response.status_code == 403
    assert "setelah permohonan Anda selesai" in response.content.decode()


def test_the_citizen_answers_once_and_sees_the_first_answers_again(demo, client):
    request = delivered()
    url = services.survey_path(request)
    form = client.get(url).content.decode()
    assert form.count('type="radio"') == 9 * 4 + 2 + 6 + 7 + 6
    first = with_token(client, url, answers(4, 3, 3, 4, 3, 4, 4, 3, 3, suggestion="Antrean dipercepat."))
    response = client.post(url, first)
    assert response.status_code == 302
    stored = SurveyResponse.objects.get()
    assert stored.request_id == request.pk and stored.channel == "web"
    assert stored.scores() == dict(zip(CODES, (4, 3, 3, 4, 3, 4, 4, 3, 3), strict=True))
    assert stored.service_id == request.service_id and stored.unit_id == request.service.unit_id
    page = client.get(url).content.decode()
    assert "Jawaban Anda telah tersimpan" in page and "Antrean dipercepat." in page
    # A second submit (another tab, a resend) stores nothing and shows the first answers.
    second = {**answers(1, 1, 1, 1, 1, 1, 1, 1, 1), "form_token": services.new_form_token()}
    again = client.post(url, second)
    assert again.status_code == 200 and "sudah diisi" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    track = reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret])
    assert "sudah mengisi survei" in client.get(track).content.decode()


def test_double_submit_of_one_form_stores_one_answer(demo, client):
    request = delivered()
    url = services.survey_path(request)
    data = with_token(client, url, answers(3, 3, 3, 3, 3, 3, 3, 3, 3))
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_incomplete_or_bad_answers_get_an_indonesian_400_and_store_nothing(demo, client):
    request = delivered()
    url = services.survey_path(request)
    data = with_token(client, url, answers(4, 3, 3, 4, 3, 4, 4, 3, 3))
    missing = {k: v for k, v in data.items() if k != "u5"}
    response = client.post(url, missing)
    assert response.status_code == 400
    assert "Pilih salah satu jawaban." in response.content.decode()
    for bad in ({"u1": "5"}, {"u1": "x"}, {"sex": "9"}, {"form_token": "palsu"}, {"u2": "\u00a0"}):
        assert client.post(url, {**data, **bad}).status_code == 400
    assert client.post(url, {**data, "suggestion": "x" * 5000}).status_code == 400
    assert SurveyResponse.objects.count() == 0
    # An expired or forged form token keeps the answers and offers a fresh token.
    page = client.post(url, {**data, "form_token": "palsu"}).content.decode()
    assert "kedaluwarsa" in page and 'value="4" checked' in page or "checked" in page


def test_the_link_expires_after_the_configured_days_and_a_forged_link_is_404(demo, client, settings):
    settings.SURVEY_VALID_DAYS = 7
    request = delivered()
    Request.objects.filter(pk=request.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    response = client.get(services.survey_path(request))
    assert response.status_code == 410 and "sudah berakhir" in response.content.decode()
    assert client.get("/survei/bukan-token/").status_code == 404
    token = services.survey_token(request)
    assert client.get(f"/survei/{token[:-2]}xx/").status_code == 404
    settings.SURVEY_VALID_DAYS = 30
    assert client.get(services.survey_path(request)).status_code == 200


def test_a_closed_request_keeps_its_survey(demo, client):
    request = delivered()
    lifecycle.perform(request, staff("dukcapil.kadis"), "close")
    assert client.get(services.survey_path(request)).status_code == 200


# ---------------------------------------------------------------- kiosk


def test_front_desk_opens_a_kiosk_that_resets_after_each_respondent(demo, client):
    desk = login("dukcapil.petugas")
    service = Service.objects.filter(agency__code=AGENCY).first()
    response = desk.post(
        reverse("survey:kiosk"), {"service": service.pk, "label": "Tablet loket 1", "sign_out": "on"}
    )
    assert response.status_code == 302
    kiosk_url = response["Location"]
    assert kiosk_url.startswith("/kiosk/")
    # Signed out: the tablet is the citizens'.
    assert desk.get(reverse("survey:home")).status_code == 302
    for scores in ((4,) * 9, (3,) * 9, (2, 3, 4, 2, 3, 4, 2, 3, 4)):
        posted = client.post(kiosk_url, with_token(client, kiosk_url, answers(*scores)))
        assert posted.status_code == 302 and posted["Location"].endswith("/terima-kasih/")
        thanks = client.get(posted["Location"]).content.decode()
        assert 'http-equiv="refresh"' in thanks and kiosk_url in thanks and "<script" not in thanks
    assert SurveyResponse.objects.filter(channel="kiosk", service=service).count() == 3
    assert SurveyResponse.objects.filter(request__isnull=False).count() == 0


def test_an_ended_or_expired_kiosk_is_410_and_others_cannot_end_it(demo, client):
    service = Service.objects.filter(agency__code=AGENCY).first()
    session = services.start_kiosk(staff("dukcapil.petugas"), service)
    url = services.kiosk_path(session)
    assert client.get(url).status_code == 200
    other = login("dinsos.petugas")
    assert other.post(reverse("survey:kiosk_end", args=[session.pk])).status_code == 404
    desk = login("dukcapil.petugas")
    assert desk.post(reverse("survey:kiosk_end", args=[session.pk])).status_code == 302
    assert client.get(url).status_code == 410
    assert client.post(url, answers(4, 4, 4, 4, 4, 4, 4, 4, 4)).status_code == 410
    expired = services.start_kiosk(staff("dukcapil.petugas"), service)
    KioskSession.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(services.kiosk_path(expired)).status_code == 410
    assert client.get("/kiosk/palsu/").status_code == 410


# ---------------------------------------------------------------- paper


def test_paper_forms_are_typed_with_digits_and_the_form_comes_back_empty(demo):
    desk = login("dukcapil.petugas")
    url = reverse("survey:entry")
    page = desk.get(url).content.decode()
    assert "autofocus" in page
    service = Service.objects.filter(agency__code=AGENCY).first()
    typed = {"service": service.pk, "answered_on": "2026-03-02", "suggestion": ""}
    typed.update({code.lower(): "3" for code in CODES})
    typed.update({"u4": "0", "sex": "1", "age_band": "0", "education": "3", "occupation": "6"})
    response = desk.post(url, with_token(desk, url, typed))
    assert response.status_code == 302
    assert f"layanan={service.pk}" in response["Location"] and "tanggal=2026-03-02" in response["Location"]
    saved = SurveyResponse.objects.get()
    assert saved.channel == "paper" and saved.u4 is None and saved.u1 == 3 and saved.age_band is None
    assert saved.answered_on == date(2026, 3, 2) and saved.entered_by.username == "dukcapil.petugas"
    again = desk.get(response["Location"]).content.decode()
    assert "Tersimpan dalam rangkaian ini: 1" in again and 'value="3"' not in again.split("entry-grid")[1]
    # Wrong keys: 5 is not an answer, a letter neither; future dates are refused. 400, nothing stored.
    for bad in ({"u1": "5"}, {"u2": "a"}, {"u3": ""}, {"answered_on": "2099-01-01"}, {"sex": "3"}):
        assert desk.post(url, with_token(desk, url, {**typed, **bad})).status_code == 400
    assert (
        desk.post(url, with_token(desk, url, {**typed, **{c.lower(): "0" for c in CODES}})).status_code == 400
    )
    assert SurveyResponse.objects.count() == 1


def test_the_printable_questionnaire_has_the_nine_questions_and_the_profile(demo):
    desk = login("dukcapil.petugas")
    page = desk.get(reverse("survey:paper")).content.decode()
    assert page.count('class="box"') == 9 * 4 + 2 + 6 + 7 + 6
    assert "Dikelola dengan baik" in page and "D1–D3" in page and "Wirausaha" in page
    assert "KUESIONER SURVEI KEPUASAN MASYARAKAT" in page


# ---------------------------------------------------------------- results for the head


def record(service, scores, *, on=None, channel="kiosk", suggestion=""):
    return services.record_answer(
        service=service,
        channel=channel,
        scores=dict(zip(CODES, scores, strict=True)),
        profile={"sex": 1, "age_band": 2, "education": 3, "occupation": 4},
        suggestion=suggestion,
        answered_on=on,
    )[0]


def test_the_head_sees_the_hand_computed_ikm_and_category(demo):
    service = Service.objects.filter(agency__code=AGENCY).first()
    today = timezone.localdate()
    for scores in ((4, 3, 3, 4, 3, 4, 4, 3, 3), (3, 3, 2, 4, 3, 3, 4, 3, 2), (4, 4, 3, 4, 4, 4, 4, 3, 3)):
        record(service, scores, on=today, suggestion="Ruang tunggu panas." if scores[0] == 3 else "")
    head = login("dukcapil.kadis")
    page = head.get(reverse("survey:home")).content.decode()
    # 91/27 × 25 = 84.259… → "84,26", category B "Baik"; the three lowest: U3 (8/3), U9 (8/3), U8 (3).
    assert "84,26" in page and "Baik" in page and 'id="ikm-category"' in page
    assert re.search(r"Tiga unsur terendah.*U3, U9, U8", page, re.S)
    suggestions = head.get(reverse("survey:suggestions")).content.decode()
    assert "Ruang tunggu panas." in suggestions
    assert "3 3 2 4 3 3 4 3 2" in re.sub(r"<[^>]+>", "", suggestions)


def test_staff_never_see_which_request_an_answer_came_from(demo, client):
    request = delivered()
    url = services.survey_path(request)
    client.post(url, with_token(client, url, answers(4, 4, 4, 4, 4, 4, 4, 4, 4, suggestion="Cepat sekali.")))
    head = login("dukcapil.kadis")
    for name in ("survey:home", "survey:suggestions"):
        page = head.get(reverse(name)).content.decode()
        assert request.tracking_code not in page and "Siti Aminah" not in page
    assert "Cepat sekali." in head.get(reverse("survey:suggestions")).content.decode()


def test_follow_up_on_the_lowest_elements(demo):
    service = Service.objects.filter(agency__code=AGENCY).first()
    for scores in ((2, 3, 3, 4, 3, 4, 4, 3, 3), (2, 3, 2, 4, 3, 3, 4, 3, 2)):
        record(service, scores)
    period = period_of("semester", timezone.localdate())
    unit = service.unit
    head = login("dukcapil.kadis")
    page = head.get(reverse("survey:unit", args=[unit.pk])).content.decode()
    assert "terendah" in page and "Catat rencana tindak lanjut" in page
    response = head.post(
        reverse("survey:follow_up_add"),
        {
            "periode": period.slug,
            "unit": unit.pk,
            "element": "U1",
            "action": "Daftar persyaratan di loket",
            "owner": "Kabid PIAK",
            "due_date": "2026-12-31",
            "status": "planned",
            "result": "",
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.unit, follow_up.period, follow_up.element) == (unit, period.slug, "U1")
    edit = reverse("survey:follow_up", args=[follow_up.pk])
    assert (
        head.post(
            edit,
            {
                "element": "U1",
                "action": follow_up.action,
                "owner": "Kabid PIAK",
                "due_date": "2026-12-31",
                "status": "done",
                "result": "Papan dipasang",
            },
        ).status_code
        == 302
    )
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.result == "Papan dipasang"
    assert "Papan dipasang" in head.get(reverse("survey:unit", args=[unit.pk])).content.decode()
    # A bad date: a clear message, nothing stored.
    head.post(
        reverse("survey:follow_up_add"),
        {
            "periode": period.slug,
            "unit": unit.pk,
            "element": "U1",
            "action": "x",
            "owner": "y",
            "due_date": "kapan-kapan",
            "status": "planned",
        },
    )
    assert FollowUp.objects.count() == 1


def test_the_admin_sets_the_question_order_and_codes_stay(demo, client):
    admin = login("dukcapil.admin")
    form = {"period_kind": "quarter", **{f"pos_{code}": str(i) for i, code in enumerate(CODES, start=1)}}
    form.update({"pos_U8": "9", "pos_U9": "8"})
    assert admin.post(reverse("survey:settings"), form).status_code == 302
    duplicate = {**form, "pos_U1": "2"}
    assert admin.post(reverse("survey:settings"), duplicate).status_code == 400
    service = Service.objects.filter(agency__code=AGENCY).first()
    kiosk = services.kiosk_path(services.start_kiosk(staff("dukcapil.petugas"), service))
    page = client.get(kiosk).content.decode()
    assert page.index('id="q-U9"') < page.index('id="q-U8"')
    posted = client.post(kiosk, with_token(client, kiosk, answers(1, 2, 3, 4, 1, 2, 3, 4, 1)))
    assert posted.status_code == 302
    assert SurveyResponse.objects.get().u8 == 4 and SurveyResponse.objects.get().u9 == 1
    assert login("dukcapil.kadis").get(reverse("survey:settings")).status_code == 404


def test_public_ikm_page_is_linked_from_the_agency_page(demo, client):
    service = Service.objects.filter(agency__code=AGENCY).first()
    record(service, (4,) * 9)
    agency_page = client.get(reverse("portal:agency", args=[AGENCY])).content.decode()
    assert reverse("survey_public:ikm", args=[AGENCY]) in agency_page
    page = client.get(reverse("survey_public:ikm", args=[AGENCY])).content.decode()
    assert "100,00" in page and "Sangat Baik" in page
    assert client.get("/TIDAK-ADA/ikm/").status_code == 404


# ---------------------------------------------------------------- the stable query for other apps


def test_ikm_summary_by_scope_with_population_and_sample(demo):
    agency = Agency.objects.get(code=AGENCY)
    service = Service.objects.filter(agency=agency).first()
    for _i in range(3):
        delivered()
    today = timezone.localdate()
    record(service, (4, 3, 3, 4, 3, 4, 4, 3, 3), on=today)
    record(service, (3, 3, 2, 4, 3, 3, 4, 3, 2), on=today)
    start, end = today.replace(day=1), today
    summary = ikm_summary(agency_id=agency.pk, start=start, end=end)
    assert summary.respondents == 2 and summary.population == 3
    assert summary.minimum_sample == 3 and summary.adequate is False
    assert summary.nrr["U3"] == Fraction(5, 2) and summary.ikm == Fraction(
        7 + 6 + 5 + 8 + 6 + 7 + 8 + 6 + 5, 18
    )
    assert summary.category == "B" and summary.category_label == "Baik"
    assert summary.converted_rounded == Decimal("80.56")
    for scope in ({"region_id": agency.region_id}, {"unit_id": service.unit_id}, {"service_id": service.pk}):
        same = ikm_summary(**scope, start=start, end=end)
        assert (same.ikm, same.respondents, same.population) == (summary.ikm, 2, 3)
    parent = Unit.objects.filter(agency=agency, pk=service.unit.parent_id).first()
    if parent:
        assert ikm_summary(unit_id=parent.pk, start=start, end=end).respondents == 2
    assert (
        ikm_summary(agency_id=agency.pk, start=end + timedelta(days=1), end=end + timedelta(days=2)) is None
    )
    other = Agency.objects.exclude(region_id=agency.region_id).first()
    assert ikm_summary(region_id=other.region_id, start=start, end=end) is None


def test_a_quarter_is_the_respondent_weighted_mean_of_its_months_in_the_database(demo):
    service = Service.objects.filter(agency__code=AGENCY).first()
    import random

    rng = random.Random(10)
    for month in (1, 2, 3):
        for _i in range(rng.randint(1, 9)):
            record(service, [rng.randint(1, 4) for _c in CODES], on=date(2025, month, rng.randint(1, 28)))
    months = [
        ikm_summary(
            service_id=service.pk, start=date(2025, m, 1), end=period_of("month", date(2025, m, 1)).end
        )
        for m in (1, 2, 3)
    ]
    quarter = ikm_summary(service_id=service.pk, start=date(2025, 1, 1), end=date(2025, 3, 31))
    total = sum(m.respondents for m in months)
    assert quarter.ikm == sum(Fraction(m.respondents, total) * m.ikm for m in months)


def test_a_kiosk_takes_a_limited_number_of_answers_an_hour(demo, client, settings):
    settings.SURVEY_KIOSK_RATE = "2/h"
    service = Service.objects.filter(agency__code=AGENCY).first()
    url = services.kiosk_path(services.start_kiosk(staff("dukcapil.petugas"), service))
    for _i in range(2):
        assert (
            client.post(url, with_token(client, url, answers(3, 3, 3, 3, 3, 3, 3, 3, 3))).status_code == 302
        )
    refused = client.post(url, with_token(client, url, answers(1, 1, 1, 1, 1, 1, 1, 1, 1)))
    assert refused.status_code == 429 and "Mohon tunggu sebentar" in refused.content.decode()
    assert SurveyResponse.objects.count() == 2
    # Another kiosk (another tablet) is counted on its own.
    other = services.kiosk_path(services.start_kiosk(staff("dukcapil.petugas"), service))
    assert (
        client.post(other, with_token(client, other, answers(4, 4, 4, 4, 4, 4, 4, 4, 4))).status_code == 302
    )


def test_a_refused_paper_form_puts_the_cursor_on_the_box_to_correct(demo):
    desk = login("dukcapil.petugas")
    url = reverse("survey:entry")
    service = Service.objects.filter(agency__code=AGENCY).first()
    typed = {
        "service": service.pk,
        "answered_on": "2026-03-02",
        "sex": "1",
        "age_band": "2",
        "education": "3",
        "occupation": "4",
        **{code.lower(): "3" for code in CODES},
        "u6": "7",
    }
    page = desk.post(url, with_token(desk, url, typed)).content.decode()
    assert re.search(r'<input[^>]*name="u6"[^>]*autofocus|<input[^>]*autofocus[^>]*name="u6"', page)
    assert page.count("autofocus") == 1
