"""The agency admin runs units, staff and the working calendar on product screens."""

import datetime
import re

from django.conf import settings
from django.urls import reverse

from layanan.accounts.models import User
from layanan.agencies.models import Holiday, Unit


def admin_client(client_for, code="DPMPTSP-BANGLI"):
    admin = User.objects.get(agency__code=code, positions__role="agency_admin")
    return client_for(admin.username), admin.agency


def test_profile_sets_timezone_office_hours_and_channels(demo, client_for):
    client, agency = admin_client(client_for)
    data = {"name": agency.name, "timezone": "Asia/Makassar", "address": "Jl. Brigjen Ngurah Rai, Bangli",
            "website": "dpmptsp.banglikab.go.id", "maklumat": "Kami sanggup…",
            "open_1": "08:00", "close_1": "15:30", "open_6": "08:00", "close_6": "12:00",
            "ch-TOTAL_FORMS": "1", "ch-INITIAL_FORMS": "0", "ch-0-kind": "whatsapp",
            "ch-0-value": "+628123866945", "ch-0-label": "WA"}
    response = client.post(reverse("agencies:profile"), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.office_hours == {"1": ["08:00", "15:30"], "6": ["08:00", "12:00"]}
    assert agency.website == "https://dpmptsp.banglikab.go.id"
    assert agency.channels[0]["kind"] == "whatsapp"


def test_profile_refuses_closing_before_opening_with_a_clear_message(demo, client_for):
    client, agency = admin_client(client_for)
    response = client.post(reverse("agencies:profile"), {
        "name": agency.name, "timezone": "Asia/Makassar", "open_2": "15:00", "close_2": "08:00",
        "ch-TOTAL_FORMS": "0", "ch-INITIAL_FORMS": "0"})
    assert response.status_code == 400
    assert "Jam tutup harus setelah jam buka." in response.content.decode()


def test_units_form_a_tree_and_a_unit_in_use_cannot_be_deleted(demo, client_for):
    client, agency = admin_client(client_for)
    parent = Unit.objects.filter(agency=agency, parent=None).first()
    response = client.post(reverse("agencies:unit_new"),
                           {"name": "Seksi Uji", "kind": "section", "parent": parent.pk})
    assert response.status_code == 302
    child = Unit.objects.get(agency=agency, name="Seksi Uji")
    client.get(reverse("agencies:units"))  # shows (and consumes) the "saved" message
    page = client.get(reverse("agencies:units")).content.decode()
    assert page.index(parent.name) < page.index("Seksi Uji")
    client.post(reverse("agencies:unit_delete", args=[parent.pk]))
    assert Unit.objects.filter(pk=parent.pk).exists()
    client.post(reverse("agencies:unit_delete", args=[child.pk]))
    assert not Unit.objects.filter(pk=child.pk).exists()


def test_parent_unit_must_belong_to_the_same_agency(demo, client_for):
    client, agency = admin_client(client_for)
    foreign = Unit.objects.exclude(agency=agency).first()
    response = client.post(reverse("agencies:unit_new"),
                           {"name": "Seksi Asing", "kind": "section", "parent": foreign.pk})
    assert response.status_code == 400
    assert not Unit.objects.filter(name="Seksi Asing").exists()


def test_admin_adds_staff_with_a_position_who_chooses_their_own_password(demo, client_for, client):
    admin, agency = admin_client(client_for)
    unit = Unit.objects.filter(agency=agency).first()
    response = admin.post(reverse("agencies:staff_new"), {
        "username": "bangli.baru", "full_name": "Ni Luh Baru", "nip": "", "email": "",
        "is_active": "on", "title": "Pelaksana", "role": "handler", "unit": unit.pk})
    assert response.status_code == 200  # no e-mail address: the one-time link is shown once
    person = User.objects.get(username="bangli.baru")
    assert person.agency == agency and person.roles == {"handler"}
    assert not person.has_usable_password()  # the admin set no password
    link = response.context["link"]
    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "kata-sandi-panjang-99",
                                                 "new_password2": "kata-sandi-panjang-99"})
    assert client.post(reverse("accounts:login"), {"username": "bangli.baru",
                                                   "password": "kata-sandi-panjang-99"}).status_code == 302
    # A region-wide role cannot be handed out by an agency admin.
    response = admin.post(reverse("agencies:position_add", args=[person.pk]),
                          {"p-title": "Pengawas", "p-role": "overseer"})
    assert User.objects.get(pk=person.pk).roles == {"handler"}


def test_weak_password_is_refused(demo, client_for, client):
    admin, agency = admin_client(client_for)
    response = admin.post(reverse("agencies:staff_new"), {
        "username": "bangli.lemah", "full_name": "X", "title": "Pelaksana", "role": "handler"})
    form_page = client.get(response.context["link"].removeprefix(settings.SITE_URL), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 400
    assert not User.objects.get(username="bangli.lemah").has_usable_password()


def test_calendar_is_seeded_with_national_holidays_and_cuti_bersama(demo, client_for):
    client, agency = admin_client(client_for)
    Holiday.objects.filter(agency=agency, date__year=2026).delete()
    client.post(reverse("agencies:calendar_seed"), {"tahun": "2026"})
    days = Holiday.objects.filter(agency=agency, date__year=2026)
    assert days.count() == 25
    assert days.filter(kind="collective_leave").count() == 8
    assert days.filter(date=datetime.date(2026, 12, 24), kind="collective_leave").exists()


def test_admin_adds_a_local_holiday_and_duplicates_are_refused(demo, client_for):
    client, agency = admin_client(client_for)
    day = {"date": "2026-03-19", "name": "Hari Raya Nyepi (lokal)", "kind": "local", "closed": "on"}
    Holiday.objects.filter(agency=agency, date="2026-03-19").delete()
    assert client.post(reverse("agencies:holiday_new"), day).status_code == 302
    response = client.post(reverse("agencies:holiday_new"), day)
    assert response.status_code == 400
    assert "sudah ada" in response.content.decode()


def test_staff_without_admin_role_cannot_open_admin_screens(demo, client_for):
    handler = User.objects.filter(agency__code="DPMPTSP-BANGLI", positions__role="handler").first()
    client = client_for(handler.username)
    for name in ("agencies:profile", "agencies:units", "agencies:staff", "agencies:calendar"):
        assert client.get(reverse(name)).status_code == 404


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get(reverse("agencies:units"))
    assert response.status_code == 302 and "/akun/masuk/" in response.url


def _browser_choice(page: str, name: str) -> str:
    """What a browser sends for the <select> `name`: its selected option, else its first one."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = (re.search(r'<option value="([^"]*)"[^>]*selected', select)
              or re.search(r'<option value="([^"]*)"', select))
    return chosen.group(1)


def test_profile_saved_as_a_browser_posts_it_adds_no_channel(demo, client_for):
    """The two blank extra channel rows are posted as the browser fills them; saving the profile
    unchanged adds no channel (it used to add two "Datang langsung" rows each time)."""
    client, agency = admin_client(client_for)
    before = list(agency.channels)
    page = client.get(reverse("agencies:profile")).content.decode()
    data = {"name": agency.name, "timezone": agency.timezone,
            "ch-TOTAL_FORMS": str(len(before) + 2), "ch-INITIAL_FORMS": str(len(before))}
    for index, channel in enumerate(before):
        data.update({f"ch-{index}-{key}": channel.get(key, "") for key in ("kind", "value", "label")})
    for index in (len(before), len(before) + 1):
        data[f"ch-{index}-kind"] = _browser_choice(page, f"ch-{index}-kind")
    response = client.post(reverse("agencies:profile"), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.channels == before
