"""Intake under a rush (issue 13): the web form keeps its published standard per process, and a
submission is one short transaction — while every change an officer makes still reaches the
very next citizen, and every guarantee of the form holds."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from layanan.accounts.models import User
from layanan.agencies.models import Holiday
from layanan.requests.models import Request
from layanan.standards import services
from layanan.standards.models import Requirement, Service

NIK = "5106014507920003"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def bangli() -> Service:
    return Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")


def form_url(svc) -> str:
    return reverse("public_requests:apply", args=[svc.agency.code, svc.code])


def fetch_form(client, svc) -> str:
    page = client.get(form_url(svc)).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def complaint(svc, token, number=1, **extra) -> dict:
    data = {"applicant_type": "person", "name": "Ni Made Sari", "nik": NIK, "phone": "0812-3866-945",
            "email": "sari@example.id", "address": "Jl. Merdeka 1, Bangli", "consent": "on",
            "subject": f"Izin usaha tidak kunjung terbit ({number})",
            "description": "Sudah tiga bulan berkas OSS saya belum diverifikasi.", "token": token}
    for requirement in svc.published_standard.requirements.filter(kind="document"):
        data[f"doc_{requirement.pk}"] = SimpleUploadedFile("bukti.pdf", PDF, content_type="application/pdf")
    data.update(extra)
    return data


def staff(username) -> User:
    return User.objects.get(username=username)


def test_a_newly_published_version_is_what_the_next_citizen_gets(demo, client):
    svc = bangli()
    first_version = svc.published_standard
    fetch_form(client, svc)  # this process now keeps version 1
    admin = staff("bangli.admin")
    draft = services.new_version(first_version, admin)
    Requirement.objects.create(standard=draft, position=99, label="Surat pengantar kepala desa",
                               kind=Requirement.Kind.DOCUMENT, mandatory=False)
    services.mark_discussed(draft, admin, discussed_on=datetime.date(2026, 11, 20), notes="Rapat FKP")
    services.enact(draft, staff("bangli.kadis"), decree_number="100/2026",
                   decree_date=datetime.date(2026, 11, 21))
    services.publish(draft, admin)

    page = client.get(form_url(svc)).content.decode()
    assert "Surat pengantar kepala desa" in page
    svc.refresh_from_db()
    response = client.post(form_url(svc), complaint(svc, fetch_form(client, svc)))
    assert response.status_code == 302
    assert Request.objects.get(service=svc).standard == draft  # the new version, not the kept one


def test_the_agency_admin_asking_for_the_place_applies_to_the_next_complaint(demo, client, client_for):
    svc = bangli()
    assert client.post(form_url(svc), complaint(svc, fetch_form(client, svc), 1)).status_code == 302
    admin = client_for("bangli.admin")
    saved = admin.post(reverse("api_staff:service_options"), {"location_required": [str(svc.pk)]})
    assert saved.status_code == 302

    refused = client.post(form_url(svc), complaint(svc, fetch_form(client, svc), 2))
    assert refused.status_code == 400
    assert "Tuliskan lokasi kejadian" in refused.content.decode()
    placed = complaint(svc, fetch_form(client, svc), 3, location_text="Pasar Kidul, Bangli")
    assert client.post(form_url(svc), placed).status_code == 302
    assert Request.objects.filter(service=svc).count() == 2


def test_an_agency_renamed_in_the_admin_is_named_on_the_next_form(demo, client):
    """The form page names the agency from the kept standard's agency: a rename renews it."""
    svc = bangli()
    assert "PTSP Kabupaten Bangli (baru)" not in client.get(form_url(svc)).content.decode()  # now kept
    agency = svc.agency
    agency.name = "Dinas Penanaman Modal dan PTSP Kabupaten Bangli (baru)"
    agency.save()
    assert "PTSP Kabupaten Bangli (baru)" in client.get(form_url(svc)).content.decode()


def test_an_unknown_service_stays_404_and_is_not_kept(demo, client):
    from layanan.requests import published

    for number in range(30):
        assert client.get(f"/DPMPTSP-BANGLI/tidak-ada-{number}/ajukan/").status_code == 404
    assert not any(code.startswith("tidak-ada") for _agency, code in published._LOCAL)


@pytest.mark.django_db(transaction=True)
def test_a_submission_is_one_short_transaction(demo, client):
    """Once the form was served, the POST does not look the standard up again, and writes the
    request, its index, checks, first event and outbox row in one transaction, no savepoint."""
    svc = bangli()
    fetch_form(client, svc)
    data = complaint(svc, fetch_form(client, svc))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(form_url(svc), data)
    assert response.status_code == 302
    statements = [q["sql"] for q in captured.captured_queries]
    assert "COMMIT" in statements
    statements = statements[:statements.index("COMMIT") + 1]  # then the (inline) worker sends
    assert not [s for s in statements if "SAVEPOINT" in s]
    assert not [s for s in statements if "standards_" in s or "api_serviceoptions" in s]
    writes = sorted(s.split('"')[1] for s in statements if s.startswith("INSERT"))
    assert writes == ["privacy_subjectkey", "requests_attachment", "requests_event", "requests_outboxmessage",
                      "requests_request", "requests_requirementcheck"]  # one INSERT each (multi-row)
    assert not [s for s in statements if s.startswith("UPDATE")]  # no counter row, no second write


def test_a_shared_cache_that_keeps_nothing_never_serves_a_stale_standard(demo, client, settings):
    """A Redis short of memory may evict the generation between writing and reading it: then no
    process takes what it kept for current — it reads the database each time, slower, never stale."""
    from layanan.api.models import ServiceOptions
    from layanan.core import generation

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert generation.current("published-standards-generation") != generation.current(
        "published-standards-generation")
    svc = bangli()
    ServiceOptions.objects.update_or_create(service=svc, defaults={"location_required": False})
    fetch_form(client, svc)  # kept — under a generation nobody else has
    ServiceOptions.objects.filter(service=svc).update(location_required=True)  # no receiver hears this
    refused = client.post(form_url(svc), complaint(svc, fetch_form(client, svc)))
    assert refused.status_code == 400 and "Tuliskan lokasi kejadian" in refused.content.decode()


def test_a_holiday_added_after_the_form_was_served_counts_in_the_next_due_time(
        demo, client, django_capture_on_commit_callbacks):
    """The kept standard carries its agency's calendar (no check on the POST): a holiday added on
    the calendar screen renews it, so the very next citizen's due time skips the new holiday."""
    svc = bangli()
    assert client.post(form_url(svc), complaint(svc, fetch_form(client, svc), 1)).status_code == 302
    first = Request.objects.latest("pk")
    agency = first.agency
    closed = set(Holiday.objects.filter(agency=agency).values_list("date", flat=True))
    day = timezone.localtime(first.due_at, ZoneInfo(agency.timezone)).date() - datetime.timedelta(days=1)
    while day.weekday() >= 5 or day in closed:
        day -= datetime.timedelta(days=1)
    admin = User.objects.create_superuser("ops", "ops@example.id", "xK9!mQ2#vLp7")
    admin_client = Client()
    admin_client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        added = admin_client.post(reverse("admin:agencies_holiday_add"), {
            "agency": agency.pk, "date": day.isoformat(), "name": "Libur daerah",
            "kind": Holiday.Kind.LOCAL, "closed": "on"})
    assert added.status_code == 302
    assert client.post(form_url(svc), complaint(svc, fetch_form(client, svc), 2)).status_code == 302
    second = Request.objects.latest("pk")
    assert second.due_at > first.due_at


def use_shared_cache(settings, shared: bool, prefix: str) -> None:
    """Redis as in production (a cache every process shares), or no REDIS_URL (one process)."""
    if shared:
        settings.REDIS_URL = "redis://127.0.0.1:6379/12"
        settings.CACHES = {"default": {"BACKEND": "layanan.core.cache.RedisCache",
                                       "LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}}
    else:
        settings.REDIS_URL = ""


@pytest.mark.parametrize("shared_cache", [True, False])
def test_a_queued_wake_of_the_worker_sends_every_receipt_written_before_it_starts(
        seeded, settings, monkeypatch, shared_cache):
    """Under a rush a hundred receipts a second are written. With Redis (a flag every process
    sees) they need one queued wake of the worker, not one each: the wake reads what is due only
    when it starts, and sends them all. A receipt written after it started wakes it anew. Without
    a shared cache every message wakes the worker, as before."""
    from django.core import mail
    from django.core.cache import cache

    from layanan.requests import lifecycle, tasks
    from layanan.requests.models import OutboxMessage

    use_shared_cache(settings, shared_cache, "test-wake")
    cache.delete(tasks.WAKE_PENDING)
    queued = []
    worker_task = tasks.send_outbox
    monkeypatch.setattr(tasks, "send_outbox", lambda: queued.append("wake"))
    standard = bangli().published_standard

    def receipt(n):
        lifecycle.submit(standard=standard, channel="web", subject=f"Serbuan {n}",
                         applicant={"applicant_name": "Warga", "applicant_email": f"warga{n}@example.id"})

    for n in range(5):
        receipt(n)  # each commits at once (no test transaction) and asks for a wake
    due_messages = OutboxMessage.objects.filter(not_before=None).count()
    assert len(queued) == (1 if shared_cache else due_messages) and due_messages >= 5
    worker_task.call_local()  # the one queued wake starts
    sent_to = {address for message in mail.outbox for address in message.to}
    assert {f"warga{n}@example.id" for n in range(5)} <= sent_to
    receipt(5)
    assert len(queued) == (2 if shared_cache else due_messages + 1)
    cache.delete(tasks.WAKE_PENDING)


@pytest.mark.parametrize("shared_cache", [True, False])
def test_a_rush_queues_one_staff_notice_task_which_notices_every_event_before_it_starts(
        seeded, settings, monkeypatch, shared_cache):
    """Each received request tells the agency's staff (channels/staff.py, in the worker). With
    Redis a rush queues one task that, when it starts, handles every event not yet noticed — not
    one task per submission. Without a shared cache each event is its own task, as before."""
    from django.core.cache import cache

    from layanan.channels import tasks
    from layanan.channels.models import NoticedEvent
    from layanan.requests import lifecycle
    from layanan.requests.models import Event

    use_shared_cache(settings, shared_cache, "test-notice")
    cache.delete(tasks.NOTICE_PENDING)
    queued = []
    pending_task = tasks.notify_staff_pending
    monkeypatch.setattr(tasks, "notify_staff_pending", lambda: queued.append("pending"))
    monkeypatch.setattr(tasks, "notify_staff", lambda ids: queued.append(ids))
    standard = bangli().published_standard

    def submit(n):
        request, _created = lifecycle.submit(
            standard=standard, channel="web", subject=f"Serbuan {n}",
            applicant={"applicant_name": "Warga", "applicant_email": f"warga{n}@example.id"})
        return request

    requests = [submit(n) for n in range(5)]  # each commits at once (no test transaction)
    received = list(Event.objects.filter(request__in=requests, action="received")
                    .values_list("pk", flat=True))
    if not shared_cache:
        assert queued == [[pk] for pk in received]
        return
    assert queued == ["pending"]
    assert not NoticedEvent.objects.filter(event_id__in=received).exists()
    pending_task.call_local()  # the one queued task starts
    noticed = NoticedEvent.objects.filter(event_id__in=received).values_list("event_id", flat=True)
    assert set(noticed) == set(received)
    submit(5)
    assert queued == ["pending", "pending"]  # an event after it started queues it anew
    cache.delete(tasks.NOTICE_PENDING)


def test_each_form_has_its_own_fields_as_with_django_s_deepcopy(demo, monkeypatch):
    """The web form copies its fields per instance without copy.deepcopy (core/forms.FieldCopies):
    what one citizen's form does to its fields — the first error's autofocus, a label — never
    shows in the next citizen's form, nor in the counter's form that shares the declared fields."""
    from layanan.requests.forms import CounterForm, WebRequestForm

    standard = bangli().published_standard
    kwargs = {"standard": standard, "requirements": standard.requirements.all()}
    first = WebRequestForm({"name": ""}, {}, **kwargs)
    assert not first.is_valid()  # the first invalid field gets autofocus
    second = WebRequestForm(**kwargs)
    assert not any("autofocus" in f.widget.attrs for f in second.fields.values())
    second.fields["subject"].label = "Diubah"
    second.fields["subject"].validators.append(lambda value: None)
    second.fields["subject"].error_messages["required"] = "Diubah"
    third = WebRequestForm(**kwargs)
    copies = WebRequestForm.base_fields
    monkeypatch.setattr(WebRequestForm, "base_fields", dict(copies))  # Django's own deepcopy
    reference = WebRequestForm(**kwargs).fields
    monkeypatch.setattr(WebRequestForm, "base_fields", copies)
    assert list(third.fields) == list(reference)
    for name, field in reference.items():
        copied = third.fields[name]
        assert type(copied) is type(field) and type(copied.widget) is type(field.widget)
        if name in copies:  # declared on the class (the others are built per form)
            assert copied is not copies[name] and copied.widget is not copies[name].widget
            assert copied.widget.attrs is not copies[name].widget.attrs
        assert (copied.label, copied.required, copied.widget.attrs, copied.error_messages,
                len(copied.validators)) == (field.label, field.required, field.widget.attrs,
                                            field.error_messages, len(field.validators))
    counter = CounterForm(agency=standard.service.agency, standard=standard,
                          requirements=standard.requirements.all())
    assert counter.fields["name"].widget.attrs.get("autofocus") is True
    assert "autofocus" not in WebRequestForm(**kwargs).fields["name"].widget.attrs


def test_a_submission_checks_both_wake_flags_in_one_round_trip_to_redis(seeded, settings, monkeypatch):
    """Its receipt wakes the outbox's sender, its "received" event the staff notices: with Redis both
    flags are checked together after commit (core/wakes.py), one pipeline, not two calls."""
    from django.core.cache import cache

    from layanan.channels import tasks as channel_tasks
    from layanan.core.cache import RedisCache
    from layanan.requests import lifecycle
    from layanan.requests import tasks as request_tasks

    use_shared_cache(settings, True, "test-both")
    cache.delete_many([request_tasks.WAKE_PENDING, channel_tasks.NOTICE_PENDING])
    queued, checks, alone = [], [], []
    monkeypatch.setattr(request_tasks, "send_outbox", lambda: queued.append("outbox"))
    monkeypatch.setattr(channel_tasks, "notify_staff_pending", lambda: queued.append("notices"))
    original = RedisCache.add_each

    def counting(self, keys, *args, **kwargs):
        checks.append(list(keys))
        return original(self, keys, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "add_each", counting)
    plain_add = RedisCache.add

    def add(self, key, *args, **kwargs):  # recorded, not asserted: the wake runs as a robust hook
        alone.append(key)
        return plain_add(self, key, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "add", add)
    standard = bangli().published_standard
    for n in range(2):
        lifecycle.submit(standard=standard, channel="web", subject=f"Dua bangun {n}",
                         applicant={"applicant_name": "Warga", "applicant_email": f"w{n}@example.id"})
    both = [request_tasks.WAKE_PENDING, channel_tasks.NOTICE_PENDING]
    assert [sorted(keys) for keys in checks] == [sorted(both)] * 2  # one pipeline per submission
    assert not set(both) & set(alone)  # and no flag checked on its own
    assert sorted(queued) == ["notices", "outbox"]  # the second found both wakes still queued
    cache.delete_many(both)
