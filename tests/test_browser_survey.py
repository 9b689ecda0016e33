"""Issue 10 end to end in a real browser: a request is delivered → the citizen answers the survey on a
phone → the kiosk at the counter takes three respondents → the head sees the IKM and its category →
downloads the XLSX and the PDF (openpyxl reads the numbers back, pdftotext finds the IKM)."""

import os
import shutil
import subprocess

import pytest
from django.utils import timezone

from layanan.accounts.models import User
from layanan.demo.loader import DEMO_PASSWORD
from layanan.requests import lifecycle
from layanan.requests.models import Channel, State
from layanan.standards.models import Service
from layanan.survey import ikm
from layanan.survey.ikm import CODES
from layanan.survey.models import SurveyResponse
from layanan.survey.periods import period_of

from .browser import browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AGENCY = "DISDUKCAPIL-PROBOLINGGO"
CITIZEN = (4, 3, 3, 4, 3, 4, 4, 3, 3)
KIOSK = ((3, 3, 2, 4, 3, 3, 4, 3, 2), (4, 4, 3, 4, 4, 4, 4, 3, 3), (2, 3, 3, 4, 3, 3, 3, 2, 3))


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/akun/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)


def answer(page, scores, *, sex="2", age="3", education="5", occupation="4", suggestion=""):
    """Tap one answer per question as a respondent would (labels are the tap targets)."""
    for code, score in zip(CODES, scores, strict=True):
        page.locator(f"#q-{code} label.choice").nth(score - 1).click()
    for name, value in (
        ("sex", sex),
        ("age_band", age),
        ("education", education),
        ("occupation", occupation),
    ):
        page.locator(f"label.choice:has(input[name={name}][value='{value}'])").click()
    if suggestion:
        page.get_by_label("Saran dan masukan").fill(suggestion)


def delivered_request():
    service = Service.objects.filter(agency__code=AGENCY).order_by("position").first()
    request, _created = lifecycle.submit(
        standard=service.published_standard,
        channel=Channel.WEB,
        subject="Informasi syarat KTP",
        applicant={
            "applicant_name": "Siti Aminah",
            "applicant_nik": "3574015507900002",
            "applicant_phone": "+6281330001111",
            "applicant_email": "siti@example.id",
        },
    )
    officer = User.objects.get(username="dukcapil.petugas")
    for _step in range(3):
        request = lifecycle.perform(request, officer, "advance", product_text="Syarat KTP dikirim.")
    assert request.state == State.RESOLVED
    return request, service


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_delivery_citizen_kiosk_head_and_reports(seeded, live_server, tmp_path):
    from openpyxl import load_workbook

    request, service = delivered_request()
    base = live_server.url

    # The citizen, on the phone: the tracking page offers the survey; nine taps, the profile, send.
    with browser_page("survey-citizen") as phone:
        phone.goto(f"{base}/lacak/{request.tracking_code}/{request.tracking_secret}/")
        phone.get_by_role("link", name="Isi survei kepuasan").click()
        answer(phone, CITIZEN, suggestion="Petugas sangat membantu.")
        phone.get_by_role("button", name="Kirim jawaban").click()
        assert "Jawaban Anda telah tersimpan" in phone.locator("#survey-done").inner_text()
        # Once only: back on the tracking page it says so.
        phone.goto(f"{base}/lacak/{request.tracking_code}/{request.tracking_secret}/")
        assert "sudah mengisi survei" in phone.locator("#survei").inner_text()
    assert SurveyResponse.objects.get().request_id == request.pk

    # The front desk opens the kiosk on the counter's tablet; three respondents, each screen resets.
    with browser_page("survey-kiosk", width=800, height=1280) as tablet:
        sign_in(tablet, base, "dukcapil.petugas")
        tablet.goto(base + "/kelola/survei/kios/")
        tablet.get_by_label("Layanan").select_option(str(service.pk))
        tablet.get_by_label("Nama perangkat").fill("Tablet loket 1")
        tablet.get_by_role("button", name="Buka kios").click()
        tablet.wait_for_url("**/kiosk/**")
        kiosk_url = tablet.url
        assert tablet.locator("header.top").count() == 0  # no way out to the staff screens
        for number, scores in enumerate(KIOSK):
            answer(tablet, scores, sex="1" if number % 2 else "2")
            tablet.get_by_role("button", name="Kirim").click()
            tablet.wait_for_url("**/terima-kasih/")
            assert "Terima kasih" in tablet.locator("#kiosk-thanks").inner_text()
            # The screen returns to an empty questionnaire by itself (meta refresh, no script).
            tablet.wait_for_url(kiosk_url, timeout=20000)
            assert tablet.locator("input[type=radio]:checked").count() == 0
        tablet.goto(base + "/kelola/survei/")
        assert "/akun/masuk/" in tablet.url  # the officer was signed out when the kiosk opened
    assert SurveyResponse.objects.filter(channel="kiosk").count() == 3

    expected = ikm.from_scores([dict(zip(CODES, s, strict=True)) for s in (CITIZEN, *KIOSK)])
    shown = f"{expected.converted_rounded}".replace(".", ",")

    # The head sees the IKM and its category, then downloads both reports.
    with browser_page("survey-head", width=1200, height=900) as page:
        sign_in(page, base, "dukcapil.kadis")
        page.goto(base + "/kelola/survei/")
        assert page.locator("#ikm-value").inner_text() == shown
        assert expected.category_label in page.locator("#ikm-category").inner_text()
        page.get_by_role("link", name="Laporan XLSX/PDF").click()
        files = {}
        for fmt, label in (("xlsx", "XLSX"), ("pdf", "PDF")):
            page.get_by_role("button", name=label, exact=True).click()
            link = page.locator("#riwayat-laporan tr", has_text=label).first.get_by_role("link", name="Unduh")
            with page.expect_download() as download:
                link.click()
            target = tmp_path / f"skm.{fmt}"
            download.value.save_as(target)
            files[fmt] = target

    book = load_workbook(files["xlsx"])
    nrr = {row[0]: row for row in book["NRR"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert nrr["IKM"][4] == pytest.approx(float(expected.ikm))
    assert nrr["Nilai konversi dibulatkan"][4] == pytest.approx(float(expected.converted_rounded))
    for code in CODES:
        assert nrr[code][4] == pytest.approx(float(expected.nrr[code]))
    assert len(list(book["Jawaban"].iter_rows(min_row=2))) == 4
    text = subprocess.run(
        ["pdftotext", str(files["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert shown in text and f"{expected.category} ({expected.category_label})" in text
    assert period_of("semester", timezone.localdate()).label in text
