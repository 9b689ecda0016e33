"""Logins: lockout after repeated failures, password change, the one-time link instead of an
admin-chosen password, the full validator set, the idle timeout, and region-wide users out of
the agency admin's reach."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from layanan.accounts.models import Position, User
from layanan.core import middleware
from layanan.demo.loader import DEMO_PASSWORD

LOGIN = "/akun/masuk/"


def attempt(client, username, password, url=LOGIN, ip="203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return client.get(reverse("console:home")).status_code == 200


# Lockout.

def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(demo):
    client = Client()
    statuses = [attempt(client, "dinsos.admin", f"salah-{i}").status_code for i in range(40)]
    assert statuses[:4] == [200] * 4  # the form again, "wrong name or password"
    assert set(statuses[5:]) == {429}
    response = attempt(client, "dinsos.admin", DEMO_PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal" in page and "15 menit" in page
    assert 'name="password"' in page  # the login page, not a bare error
    assert not logged_in(client)


def test_the_lock_is_per_account_from_any_address(demo):
    for i in range(5):
        attempt(Client(), "dinsos.kadis", "salah", ip=f"198.51.100.{i + 1}")
    assert attempt(Client(), "dinsos.kadis", DEMO_PASSWORD, ip="192.0.2.99").status_code == 429
    # Another account from another address is not affected.
    other = Client()
    assert attempt(other, "dinsos.tu", DEMO_PASSWORD, ip="192.0.2.50").status_code == 302
    assert logged_in(other)


def test_the_lock_is_per_address_across_accounts(demo):
    names = ["dinsos.kabid", "dinsos.kasi", "dinsos.data", "dinsos.petugas", "dinsos.sekretaris"]
    for name in names:
        attempt(Client(), name, "salah", ip="203.0.113.200")
    # Password spraying from one address stops, even for an account with no failure of its own.
    assert attempt(Client(), "dinsos.tu", DEMO_PASSWORD, ip="203.0.113.200").status_code == 429


def test_a_few_typos_then_the_right_password_log_in_and_reset_the_count(demo):
    client = Client()
    for _ in range(4):
        attempt(client, "solok.admin", "salah")
    assert attempt(client, "solok.admin", DEMO_PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):  # the count started again after the success
        attempt(other, "solok.admin", "salah")
    assert attempt(other, "solok.admin", DEMO_PASSWORD).status_code == 302


def test_the_django_admin_login_is_locked_too(demo):
    User.objects.create_superuser("operator", "op@example.go.id", "Operator-sandi-2026!")
    client = Client()
    for _ in range(40):
        attempt(client, "operator", "salah", url="/admin/login/")
    response = attempt(client, "operator", "Operator-sandi-2026!", url="/admin/login/")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_an_operator_lifts_a_lock(demo):
    for _ in range(5):
        attempt(Client(), "bangli.admin", "salah")
    assert attempt(Client(), "bangli.admin", DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_username", "bangli.admin", stdout=io.StringIO())
    call_command("axes_reset_ip", "203.0.113.7", stdout=io.StringIO())
    assert attempt(Client(), "bangli.admin", DEMO_PASSWORD).status_code == 302


def test_the_proxy_header_names_the_client_when_configured(demo, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    for _ in range(5):
        Client().post(LOGIN, {"username": "dukcapil.admin", "password": "salah"}, REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Same proxy address, another client: its own count (per address; the account is locked anyway).
    response = Client().post(LOGIN, {"username": "kediri.admin", "password": DEMO_PASSWORD},
                             REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert response.status_code == 302


# Passwords.

@pytest.mark.parametrize("password", ["dinsos01", "12345678901", "password123", "dinsos.admin1", "pendek"])
def test_weak_passwords_are_refused(demo, password):
    user = User.objects.get(username="dinsos.admin")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_every_staff_member_changes_their_own_password(demo, client_for):
    user = User.objects.get(username="dinsos.petugas")
    user.set_password(DEMO_PASSWORD)  # with the test hasher, so that checking it does not re-hash it
    user.save()
    client = client_for("dinsos.petugas")
    page = client.get(reverse("console:home")).content.decode()
    assert reverse("accounts:password_change") in page  # linked in the header
    url = reverse("accounts:password_change")
    refused = client.post(url, {"old_password": DEMO_PASSWORD, "new_password1": "dinsos01",
                                "new_password2": "dinsos01"})
    assert refused.status_code == 400
    wrong_old = client.post(url, {"old_password": "bukan", "new_password1": "Kopi-tubruk-pagi-7",
                                  "new_password2": "Kopi-tubruk-pagi-7"})
    assert wrong_old.status_code == 400
    done = client.post(url, {"old_password": DEMO_PASSWORD, "new_password1": "Kopi-tubruk-pagi-7",
                             "new_password2": "Kopi-tubruk-pagi-7"}, follow=True)
    assert "Kata sandi Anda sudah diganti." in done.content.decode()
    assert logged_in(client)  # the session survives its own password change
    assert User.objects.get(username="dinsos.petugas").check_password("Kopi-tubruk-pagi-7")


def test_password_change_needs_a_login(db, client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and LOGIN in response.url


def path_of(link: str) -> str:
    assert link.startswith(settings.SITE_URL)
    return link.removeprefix(settings.SITE_URL)


def test_the_admin_sends_a_one_time_link_and_never_learns_the_password(demo, client_for):
    admin = client_for("dinsos.admin")
    person = User.objects.get(username="dinsos.tu")
    person.email = "tu@dinsos.example.go.id"
    person.save()
    before = person.password
    response = admin.post(reverse("agencies:staff_password", args=[person.pk]), follow=True)
    assert "Tautan untuk memilih kata sandi dikirim ke tu@dinsos.example.go.id" in response.content.decode()
    person.refresh_from_db()
    assert person.password == before  # nothing set by the admin
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tu@dinsos.example.go.id"]
    link = re.search(r"https?://\S+/akun/atur-ulang/\S+/", mail.outbox[0].body).group(0)
    staff = Client()
    form = staff.get(path_of(link), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = staff.post(set_url, {"new_password1": "dinsos01", "new_password2": "dinsos01"})
    assert weak.status_code == 400
    staff.post(set_url, {"new_password1": "Sayur-bening-2026", "new_password2": "Sayur-bening-2026"})
    assert attempt(Client(), "dinsos.tu", "Sayur-bening-2026").status_code == 302
    # One time only.
    again = Client().get(path_of(link), follow=True)
    assert again.status_code == 400
    assert "Tautan ini tidak berlaku lagi" in again.content.decode()


def test_without_an_email_address_the_link_is_shown_once_to_hand_over(demo, client_for):
    admin = client_for("dinsos.admin")
    person = User.objects.get(username="dinsos.data")
    User.objects.filter(pk=person.pk).update(email="")  # demo staff have addresses (layanan/demo/data)
    response = admin.post(reverse("agencies:staff_password", args=[person.pk]))
    assert response.status_code == 200
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    assert response.context["link"] in response.content.decode()
    assert not mail.outbox


def test_the_staff_screen_has_no_password_field_any_more(demo, client_for):
    admin = client_for("dinsos.admin")
    person = User.objects.get(username="dinsos.tu")
    page = admin.get(reverse("agencies:staff_edit", args=[person.pk])).content.decode()
    assert 'type="password"' not in page and "Kirim tautan kata sandi" in page
    new_page = admin.get(reverse("agencies:staff_new")).content.decode()
    assert 'type="password"' not in new_page


def test_new_staff_with_an_email_get_the_link_by_mail(demo, client_for):
    admin = client_for("dinsos.admin")
    response = admin.post(reverse("agencies:staff_new"), {
        "username": "dinsos.baru", "full_name": "Petrus Baru", "email": "baru@dinsos.example.go.id",
        "is_active": "on", "title": "Pelaksana", "role": "handler"})
    assert response.status_code == 302
    person = User.objects.get(username="dinsos.baru")
    assert not person.has_usable_password()
    assert mail.outbox[0].to == ["baru@dinsos.example.go.id"]
    assert "dinsos.baru" in mail.outbox[0].body and "/akun/atur-ulang/" in mail.outbox[0].body


# Region-wide users are not the agency admin's.

def test_agency_admin_cannot_reset_the_overseers_password_or_edit_them(demo, client_for):
    admin = client_for("kediri.admin")
    overseer = User.objects.get(username="kediri.overseer")
    assert overseer.agency.code == "ORGANISASI-KEDIRI"  # listed as staff of the admin's agency
    before, address = overseer.password, overseer.email
    assert admin.post(reverse("agencies:staff_password", args=[overseer.pk]),
                      {"password": "Ambil-alih-2026"}).status_code == 404
    assert admin.get(reverse("agencies:staff_edit", args=[overseer.pk])).status_code == 404
    assert admin.post(reverse("agencies:staff_edit", args=[overseer.pk]), {
        "u-username": "kediri.overseer", "u-full_name": "X", "u-email": "penyerang@example.com"}
    ).status_code == 404
    assert admin.post(reverse("agencies:position_add", args=[overseer.pk]),
                      {"p-title": "Admin", "p-role": "agency_admin"}).status_code == 404
    position = Position.objects.get(user=overseer)
    assert admin.post(reverse("agencies:position_delete", args=[position.pk])).status_code == 404
    overseer.refresh_from_db()
    assert overseer.password == before and overseer.is_active and overseer.email == address
    assert overseer.roles == {"overseer"} and not mail.outbox
    # The overseer still logs in with their own password.
    assert attempt(Client(), "kediri.overseer", DEMO_PASSWORD).status_code == 302


def test_the_staff_list_shows_the_overseer_without_an_edit_link(demo, client_for):
    admin = client_for("kediri.admin")
    overseer = User.objects.get(username="kediri.overseer")
    page = admin.get(reverse("agencies:staff")).content.decode()
    assert str(overseer) in page
    assert reverse("agencies:staff_edit", args=[overseer.pk]) not in page
    colleague = User.objects.get(username="kediri.petugas")
    assert reverse("agencies:staff_edit", args=[colleague.pk]) in page


def test_agency_admin_cannot_grant_region_wide_roles(demo, client_for):
    admin = client_for("kediri.admin")
    colleague = User.objects.get(username="kediri.petugas")
    for role in ("overseer", "auditor"):
        admin.post(reverse("agencies:position_add", args=[colleague.pk]), {"p-title": "X", "p-role": role})
        response = admin.post(reverse("agencies:staff_new"), {
            "username": f"kediri.{role}2", "full_name": "X", "title": "X", "role": role})
        assert response.status_code == 400
    assert User.objects.get(pk=colleague.pk).roles.isdisjoint({"overseer", "auditor"})
    assert not User.objects.filter(username__in=["kediri.overseer2", "kediri.auditor2"]).exists()


def test_agency_admin_cannot_touch_a_platform_operator_in_their_agency(demo, client_for):
    operator = User.objects.create_superuser("operator2", "", "Operator-sandi-2026!",
                                             agency=User.objects.get(username="kediri.admin").agency)
    admin = client_for("kediri.admin")
    assert admin.post(reverse("agencies:staff_password", args=[operator.pk])).status_code == 404


# Idle timeout and session length (a fake clock, no sleeping).

@pytest.fixture
def clock(monkeypatch):
    state = {"now": 1_800_000_000.0}
    monkeypatch.setattr(middleware, "now", lambda: state["now"])

    def advance(minutes):
        state["now"] += minutes * 60

    return advance


def test_an_idle_staff_session_ends_with_a_message(demo, clock):
    client = Client()
    assert attempt(client, "dinsos.kasi", DEMO_PASSWORD).status_code == 302
    clock(29)
    assert logged_in(client)
    clock(29)  # activity keeps it alive: 58 minutes after login, 29 after the last request
    assert logged_in(client)
    clock(31)
    response = client.get(reverse("desk:inbox"), follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "Sesi Anda berakhir karena tidak aktif" in response.content.decode()
    assert not logged_in(client)


def test_a_session_ends_after_twelve_hours_even_when_active(demo, clock):
    client = Client()
    attempt(client, "dinsos.kasi", DEMO_PASSWORD)
    requests = 0
    while logged_in(client):  # a request every 29 minutes: never idle
        assert requests < 30, "the session outlived 12 hours"
        clock(29)
        requests += 1
    assert 29 * (requests - 1) <= 12 * 60 < 29 * requests


def test_the_idle_limit_is_configurable(demo, clock, settings):
    settings.STAFF_IDLE_MINUTES = 5
    client = Client()
    attempt(client, "dinsos.kasi", DEMO_PASSWORD)
    clock(6)
    assert not logged_in(client)


def test_the_session_cookie_ends_with_the_browser(demo):
    client = Client()
    response = attempt(client, "dinsos.kasi", DEMO_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
