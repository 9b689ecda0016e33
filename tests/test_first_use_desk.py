"""Issue 7, officers at the desk and the admin: inbox search and XLSX export, the guest book over a
date range (print, export), navigation by role, the demo logins list, the counter's identity
documents, and the standard editor (channels saved once, duration, cost, steps by name)."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from layanan.accounts.models import User
from layanan.demo.loader import logins_summary
from layanan.requests import lifecycle
from layanan.requests.models import Channel, GuestBookEntry, IdentityView, Request
from layanan.standards import services as standard_services
from layanan.standards.models import Service, Step

from .conftest import login

NIK = "6109011203850001"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def user(username) -> User:
    return User.objects.get(username=username)


def submit(code, subject, *, name="Yohanes Apai", confidential=False, channel=Channel.WEB) -> Request:
    service = Service.objects.filter(agency__code=code).order_by("position").first()
    request, _created = lifecycle.submit(
        standard=service.published_standard, channel=channel, subject=subject,
        applicant={"applicant_name": name, "applicant_nik": NIK, "applicant_phone": "+6285252375907",
                   "confidential": confidential})
    return request


def codes(html: str) -> set[str]:
    return set(re.findall(r">([A-Z]+(?:-[A-Z]+)*-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<", html))


# ---------------------------------------------------------------- (c) inbox search and export


def test_the_inbox_searches_subject_code_and_applicant_name(demo):
    first = submit("DINSOS-SEKADAU", "Data PKH Desa Sungai Ayak")
    second = submit("DINSOS-SEKADAU", "Bantuan lansia", name="Maria Goreti")
    admin = login("dinsos.admin")
    url = reverse("desk:inbox")
    found = codes(admin.get(url, {"lingkup": "instansi", "q": "sungai"}).content.decode())
    assert found == {first.tracking_code}
    found = codes(admin.get(url, {"lingkup": "instansi", "q": second.tracking_code[-4:]}).content.decode())
    assert second.tracking_code in found and first.tracking_code not in found
    assert codes(admin.get(url, {"lingkup": "instansi", "q": "goreti"}).content.decode()) == \
        {second.tracking_code}
    assert codes(admin.get(url, {"lingkup": "instansi", "q": "bantuan goreti"}).content.decode()) == \
        {second.tracking_code}
    assert not codes(admin.get(url, {"lingkup": "instansi", "q": "zzz"}).content.decode())


def test_a_confidential_name_is_searchable_only_by_who_may_see_it(demo):
    secret = submit("DPMPTSP-BANGLI", "Pungutan liar di loket", name="Ketut Rahasia", confidential=True)
    url = reverse("desk:inbox")
    head = login("bangli.kadis")
    assert not codes(head.get(url, {"lingkup": "instansi", "q": "rahasia"}).content.decode())
    by_subject = head.get(url, {"lingkup": "instansi", "q": "pungutan"}).content.decode()
    assert secret.tracking_code in by_subject and "Ketut Rahasia" not in by_subject
    operator = login("bangli.operator")  # the complaint handler online holds the first step
    assert secret.tracking_code in operator.get(url, {"q": "rahasia"}).content.decode()


def test_the_inbox_exports_to_xlsx_with_personal_data_masked(demo):
    submit("DINSOS-SEKADAU", "Data PKH Desa Sungai Ayak")
    secret = submit("DPMPTSP-BANGLI", "Pungutan liar", name="Ketut Rahasia", confidential=True)
    response = login("dinsos.admin").get(reverse("desk:inbox_export"), {"lingkup": "instansi"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Kode lacak", "Layanan", "Jenis", "Perihal", "Pemohon")
    assert len(rows) == 2 and rows[1][3] == "Data PKH Desa Sungai Ayak"
    text = " ".join(str(v) for row in rows for v in row)
    assert NIK not in text and "5907" in text and "6285252375907" not in text  # phone masked
    head = load_workbook(io.BytesIO(login("bangli.kadis").get(
        reverse("desk:inbox_export"), {"lingkup": "instansi"}).content)).active
    names = [row[4] for row in head.iter_rows(min_row=2, values_only=True)]
    assert names == ["Dirahasiakan"] and not IdentityView.objects.filter(request=secret).exists()
    # The export is for desk staff only.
    assert login("kediri.overseer").get(reverse("desk:inbox_export")).status_code == 404


# ---------------------------------------------------------------- (c) the guest book


def guest(agency, name, when, number=NIK):
    return GuestBookEntry.objects.create(agency=agency, name=name, identity_number=number,
                                         purpose="Konsultasi", organisation="Desa Sungai Ayak", time_in=when)


def test_the_guest_book_over_a_date_range_printable_and_exported(demo):
    agency = demo["DINSOS-SEKADAU"]
    tz = ZoneInfo(agency.timezone)
    guest(agency, "Tamu Senin", datetime(2026, 3, 2, 9, 0, tzinfo=tz))
    guest(agency, "Tamu Selasa", datetime(2026, 3, 3, 23, 30, tzinfo=tz))
    guest(agency, "Tamu April", datetime(2026, 4, 1, 8, 0, tzinfo=tz))
    guest(demo["DPMPTSP-BANGLI"], "Tamu Bangli", datetime(2026, 3, 2, 9, 0, tzinfo=tz))
    desk = login("dinsos.petugas")
    url = reverse("desk:guestbook")
    page = desk.get(url, {"dari": "2026-03-01", "sampai": "2026-03-31"}).content.decode()
    assert "Tamu Senin" in page and "Tamu Selasa" in page
    assert "Tamu April" not in page and "Tamu Bangli" not in page
    assert NIK not in page and "0001" in page
    printable = desk.get(url, {"dari": "2026-03-01", "sampai": "2026-03-31", "cetak": "1"}).content.decode()
    assert "data-print" in printable
    response = desk.get(url, {"dari": "2026-03-01", "sampai": "2026-03-31", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["Tamu Senin", "Tamu Selasa"]
    assert rows[2][1] == "23:30"  # the agency's own time
    assert NIK not in " ".join(str(v) for r in rows for v in r)
    bad = desk.get(url, {"dari": "kemarin", "sampai": "x"})
    assert bad.status_code == 200 and "Tanggal tidak dapat dibaca" in bad.content.decode()
    assert 'href="/kelola/loket/buku-tamu/"' in desk.get(reverse("desk:counter")).content.decode()


# ---------------------------------------------------------------- (d) navigation by role


@pytest.mark.parametrize("username, inbox, counter", [
    ("dinsos.petugas", True, True), ("dinsos.kadis", True, False), ("dinsos.sekretaris", True, False),
    ("kediri.overseer", False, False), ("dinsos.admin", True, True),
])
def test_navigation_shows_only_what_the_role_may_open(demo, username, inbox, counter):
    client = login(username)
    for url in (reverse("console:home"), reverse("accounts:password_change")):
        html = client.get(url).content.decode()
        assert (f'href="{reverse("desk:inbox")}"' in html) is inbox
        assert (f'href="{reverse("desk:counter")}"' in html) is counter
    assert (client.get(reverse("desk:inbox")).status_code == 200) is inbox
    assert (client.get(reverse("desk:counter")).status_code == 200) is counter


# ---------------------------------------------------------------- (e) the demo logins list


def test_the_demo_logins_list_says_who_is_who(demo):
    lines = logins_summary(demo["DINSOS-SEKADAU"])
    kasi = next(line for line in lines if "dinsos.kasi" in line)
    assert "Kepala unit" in kasi and "Seksi Rehabilitasi Sosial Penyandang Disabilitas" in kasi
    assert any("permohonan web «Pelayanan data dan pengaduan: Pengaduan» → dinsos.petugas" in line
               for line in lines)
    bangli = logins_summary(demo["DPMPTSP-BANGLI"])
    assert any("«Pengaduan masyarakat» → bangli.operator" in line for line in bangli)


# ---------------------------------------------------------------- (f) identity documents at the counter


def counter_post(client, **extra):
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    page = client.get(reverse("desk:counter"), {"layanan": service.pk}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {"layanan": service.pk, "token": token, "channel": "counter", "applicant_type": "person",
            "name": "Yohanes Apai", "phone": "0852 5237 5900", "subject": "Data penerima bantuan",
            "consent": "on", "action": "register", **extra}
    return page, client.post(reverse("desk:counter"), data)


def test_the_counter_takes_a_nik_or_another_identity_document_with_its_type(demo):
    desk = login("dinsos.petugas")
    page, response = counter_post(desk, id_type="", nik="123456789012")
    assert "Nomor identitas (NIK: 16 angka)" in page and '<option value="sim">SIM</option>' in page
    assert response.status_code == 400 and not Request.objects.exists()
    _page, response = counter_post(desk, id_type="sim", nik="1234 5678 9012")
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.applicant_id_type == "sim" and request.applicant_nik == "123456789012"
    assert GuestBookEntry.objects.get(request=request).identity_number == "SIM 123456789012"
    html = login("dinsos.kadis").get(reverse("desk:request", args=[request.pk])).content.decode()
    assert "<dt>SIM</dt><dd>123456789012</dd>" in html
    _page, response = counter_post(desk, id_type="passport", nik="!!")
    assert response.status_code == 400


# ---------------------------------------------------------------- (g) the standard editor


def edit_data(client, draft):
    form = client.get(reverse("standards:edit", args=[draft.pk])).context["form"]
    channels = client.get(reverse("standards:edit", args=[draft.pk])).context["channels"]
    data = {f"s-{name}": value for name, value in form.initial.items() if value not in (None, False)}
    data["s-evaluation"] = form.initial.get("evaluation") or []
    data["s-withdraw_roles"] = form.initial.get("withdraw_roles") or []
    data.update({"ch-TOTAL_FORMS": str(len(channels.forms)),
                 "ch-INITIAL_FORMS": str(channels.initial_form_count()),
                 "ch-MIN_NUM_FORMS": "0", "ch-MAX_NUM_FORMS": "1000"})
    for f in channels.forms:  # what the browser posts: every row, the blank ones with their defaults
        for name, field in f.fields.items():
            if name == "DELETE":
                continue
            value = f.initial.get(name, field.initial)
            if value is None and getattr(field, "choices", None):
                value = list(field.choices)[0][0]  # a browser posts a select's first option
            data[f.add_prefix(name)] = "" if value is None else value
    return data


def test_saving_the_components_twice_keeps_the_same_channels(demo, client_for):
    admin = client_for("bangli.admin")
    service = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    draft = standard_services.new_version(service.published_standard, user("bangli.admin"))
    before = list(draft.channels)
    for _round in range(2):
        response = admin.post(reverse("standards:edit", args=[draft.pk]), edit_data(admin, draft))
        assert response.status_code == 302, (response.context["form"].errors,
                                             response.context["channels"].errors)
        draft.refresh_from_db()
        assert draft.channels == before


def test_the_components_form_shows_duration_wide_and_cost_in_rupiah(demo, client_for):
    admin = client_for("dinsos.admin")
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    draft = standard_services.new_version(service.published_standard, user("dinsos.admin"))
    html = admin.get(reverse("standards:edit", args=[draft.pk])).content.decode()
    assert re.search(r'name="s-duration_text"[^>]*size="60"|size="60"[^>]*name="s-duration_text"', html)
    assert re.search(r'name="s-cost_amount"[^>]*value="0"', html) and "0.00" not in html
    assert re.search(r'name="s-free"[^>]*checked|checked[^>]*name="s-free"', html)


def test_the_steps_editor_names_steps_and_moves_them_with_buttons(demo, client_for):
    admin = client_for("dinsos.admin")
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    draft = standard_services.new_version(service.published_standard, user("dinsos.admin"))
    Step.objects.filter(standard=draft, position=7).update(on_cannot_resolve=10)  # Kasi → Kabid
    url = reverse("standards:steps", args=[draft.pk])
    response = admin.get(url)
    html = response.content.decode()
    assert "10. Kepala Bidang — Kepala Bidang memeriksa dan memberi paraf" in html
    assert 'name="geser" value="naik-' in html and 'name="geser" value="turun-' in html
    formset = response.context["formset"]
    data = {"st-TOTAL_FORMS": str(len(formset.forms)), "st-INITIAL_FORMS": str(formset.initial_form_count()),
            "st-MIN_NUM_FORMS": "0", "st-MAX_NUM_FORMS": "1000"}
    for form in formset.forms[:formset.initial_form_count()]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    data["geser"] = "naik-9"  # step 10 (Kabid paraf) one up, before step 9
    response = admin.post(url, data)
    assert response.status_code == 302 and response.url == url
    steps = {s.position: s for s in draft.steps.all()}
    assert steps[9].actor == "Kepala Bidang" and steps[10].actor.startswith("Petugas data")
    assert steps[7].on_cannot_resolve == 9  # the reference followed the Kabid's step
