"""Staff hear of their work: disposition, assignment, escalation, SLA alerts reach the person — a notice
(the bell in the header), an e-mail, WhatsApp when they opted in; a daily digest instead when they
chose it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from layanan.accounts.models import User
from layanan.channels import staff as staff_notices
from layanan.channels.models import NoticedEvent, StaffNotice, StaffPreference
from layanan.requests import lifecycle, notifications, sweep
from layanan.requests.models import OutboxMessage, Request
from layanan.standards.models import Service

from . import channels_fakes as fk

AGENCY = "DPMPTSP-BANGLI"


def user(username):
    return User.objects.get(username=username)


def login(username):
    client = Client()
    client.force_login(user(username))
    return client


@pytest.fixture
def complaint(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request, _ = lifecycle.submit(
            standard=Service.objects.get(agency__code=AGENCY).published_standard,
            channel="web",
            subject="Loket tutup lebih awal",
            applicant={"applicant_name": "Made", "applicant_email": "m@warga.test"},
        )
        lifecycle.perform(request, user("bangli.operator"), "advance")
    request.refresh_from_db()
    return request


def staff_mail(username, template="staff_work", channel="email", about=""):
    """The messages to one officer (the recipient is stored encrypted: compared after reading), with
    their text as the worker sends it (`text`: subject, body)."""
    address = f"{username}@demo.layanan.test"
    found = []
    for m in OutboxMessage.objects.filter(channel=channel, template=template).order_by("id"):
        if m.recipient == address:
            m.text = notifications.render(m)
            if about in m.text[0]:
                found.append(m)
    return found


def whatsapp_to(number):
    return [m for m in OutboxMessage.objects.filter(channel="whatsapp") if m.recipient == number]


def test_a_disposition_reaches_the_named_officer_by_notice_email_and_whatsapp(
    complaint, settings, django_capture_on_commit_callbacks
):
    StaffPreference.objects.create(
        user=user("bangli.tim"), whatsapp_number="+6281299990001", whatsapp_opt_in=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.perform(
            complaint,
            user("bangli.kadis"),
            "dispose",
            note="Klarifikasi ke petugas loket.",
            to_user=user("bangli.tim"),
        )
    notice = StaffNotice.objects.get(user=user("bangli.tim"), kind=StaffNotice.Kind.DISPOSED)
    assert notice.request == complaint and notice.seen_at is None
    [email] = staff_mail("bangli.tim", about="Disposisi")
    subject, body = email.text
    assert complaint.tracking_code in subject
    assert "Klarifikasi ke petugas loket." in body and f"/kelola/permohonan/{complaint.pk}/" in body
    [whatsapp] = whatsapp_to("6281299990001")
    assert (
        whatsapp.template == "staff_work"
        and whatsapp.agency == complaint.agency
        and "Disposisi" in notifications.render(whatsapp)[1]
    )
    # The head who disposed is not told of their own action; the citizen's address never gets it.
    assert not StaffNotice.objects.filter(user=user("bangli.kadis")).exists()
    assert not [
        m for m in OutboxMessage.objects.filter(template="staff_work") if m.recipient == "m@warga.test"
    ]

    # WhatsApp to an officer outside the 24-hour window: the approved template.
    with fk.fake_graph(settings) as graph:
        fk.connect(complaint.agency)
        from layanan.requests.transports import WhatsAppTransport

        WhatsAppTransport().send(whatsapp)
        payload = graph.to("6281299990001")[-1]
        assert payload["type"] == "template" and payload["template"]["name"] == "layanan_tugas_petugas"


def test_the_bell_counts_new_notices_until_they_are_seen(complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.perform(complaint, user("bangli.kadis"), "dispose", to_user=user("bangli.tim"))
    tim = login("bangli.tim")
    inbox = tim.get("/kelola/permohonan/").content.decode()
    assert 'class="desk-count bell-count">3<' in inbox  # new at my step, the step reached, the disposition
    listing = tim.get("/kelola/kanal/pemberitahuan/").content.decode()
    assert complaint.tracking_code in listing and "Disposisi untuk Anda" in listing
    assert "bell-count" not in tim.get("/kelola/permohonan/").content.decode()
    # Someone else's notices are not theirs.
    assert (
        complaint.tracking_code
        not in login("bangli.sekretaris").get("/kelola/kanal/pemberitahuan/").content.decode()
    )


def test_escalation_reaches_the_superior(complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.perform(complaint, user("bangli.kadis"), "dispose", to_user=user("bangli.tim"))
        complaint.refresh_from_db()
        lifecycle.perform(complaint, user("bangli.tim"), "escalate", note="Perlu keputusan pimpinan.")
    complaint.refresh_from_db()
    superior = complaint.assignee
    assert superior is not None and superior != user("bangli.tim")
    notice = StaffNotice.objects.get(user=superior, kind=StaffNotice.Kind.ESCALATED)
    assert notice.request == complaint
    [email] = staff_mail(superior.username, about="Eskalasi")
    assert "Perlu keputusan pimpinan." in email.text[1]


def test_a_new_request_rings_the_bell_without_an_email(complaint):
    new = StaffNotice.objects.filter(request=complaint, kind=StaffNotice.Kind.NEW)
    assert new.exists()
    # (the operator's step done, the next step's holder hears of it; the new request itself mailed nobody)
    messages = OutboxMessage.objects.filter(template="staff_work", request=complaint)
    assert [notifications.render(m)[0] for m in messages] == [
        f"[Layanan] Tahap berikutnya menunggu Anda: {complaint.tracking_code}"
    ]


def test_the_daily_digest_replaces_per_event_messages(complaint, django_capture_on_commit_callbacks):
    StaffPreference.objects.create(user=user("bangli.tim"), digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.perform(complaint, user("bangli.kadis"), "dispose", to_user=user("bangli.tim"))
    assert not staff_mail("bangli.tim", about="Disposisi")
    early = datetime(2026, 12, 1, 6, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    assert staff_notices.send_digests(now=early) == 0  # before 07:00 in the agency's time zone
    morning = datetime(2026, 12, 1, 7, 15, tzinfo=ZoneInfo("Asia/Makassar"))
    assert staff_notices.send_digests(now=morning) == 1
    [digest] = staff_mail("bangli.tim", template="staff_digest")
    subject, body = digest.text
    assert complaint.tracking_code in body and "3 hal baru" in subject  # new, step, disposition
    assert staff_notices.send_digests(now=morning + timedelta(hours=3)) == 0  # once a day
    next_day = morning + timedelta(days=1)
    assert staff_notices.send_digests(now=next_day) == 0  # nothing new: no empty digest


def test_sla_alerts_ring_the_ladder_and_go_by_whatsapp_to_who_opted_in(
    complaint, django_capture_on_commit_callbacks
):
    StaffPreference.objects.create(
        user=user("bangli.tim"), whatsapp_number="081299990002", whatsapp_opt_in=True
    )
    Request.objects.filter(pk=complaint.pk).update(
        at_risk_at=timezone.now() - timedelta(days=2), due_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep.sweep()
    assert counts["breached"] == 1
    notices = StaffNotice.objects.filter(request=complaint, kind=StaffNotice.Kind.SLA)
    assert notices.filter(user=user("bangli.tim")).exists()
    assert [m.template for m in whatsapp_to("6281299990002")] == ["staff_work"]
    # The sweep's own e-mail is the e-mail: no second one from the notices.
    assert staff_mail("bangli.tim", template="sla_alert") and not staff_mail("bangli.tim", about="tenggat")


def test_a_lost_task_is_caught_up_once(complaint):
    event = lifecycle.perform(
        complaint, user("bangli.kadis"), "dispose", to_user=user("bangli.tim")
    ).events.get(action="dispose")
    assert not StaffNotice.objects.filter(event=event).exists()  # the after-commit task never ran
    later = timezone.now() + timedelta(minutes=5)
    assert staff_notices.catch_up(now=later) >= 1
    assert StaffNotice.objects.filter(event=event, user=user("bangli.tim")).count() == 1
    assert staff_notices.catch_up(now=later) == 0
    assert NoticedEvent.objects.filter(event=event).count() == 1


def test_preferences_are_checked(demo):
    tim = login("bangli.tim")
    bad = tim.post("/kelola/kanal/pemberitahuan/", {"whatsapp_number": "12", "whatsapp_opt_in": "on"})
    assert bad.status_code == 400 and "Nomor telepon tidak dapat dibaca" in bad.content.decode()
    missing = tim.post("/kelola/kanal/pemberitahuan/", {"whatsapp_opt_in": "on"})
    assert missing.status_code == 400 and "Isi nomor WhatsApp" in missing.content.decode()
    ok = tim.post(
        "/kelola/kanal/pemberitahuan/",
        {"whatsapp_number": "0812 9999 0003", "whatsapp_opt_in": "on", "digest": "on"},
    )
    assert ok.status_code == 302
    preference = StaffPreference.objects.get(user=user("bangli.tim"))
    assert preference.whatsapp_number == "+6281299990003" and preference.digest
    # Other screens of the channel are not for every officer.
    assert tim.get("/kelola/kanal/").status_code == 404
    assert tim.get("/kelola/kanal/klasifikasi/").status_code == 404
    assert login("bangli.petugas").get("/kelola/kanal/klasifikasi/").status_code == 200


def test_a_draft_returned_for_revision_reaches_the_officer_it_goes_back_to(complaint):
    from layanan.requests.models import Event

    back = Event(
        request=complaint,
        at=timezone.now(),
        action="return_for_revision",
        actor=user("bangli.kabid"),
        actor_kind="staff",
        from_step=3,
        to_step=2,
        note="Perbaiki paragraf dua.",
        data={"to_user": user("bangli.tim").pk},
    )
    kind, people = staff_notices.recipients(complaint, back)
    assert kind == StaffNotice.Kind.RETURNED and [u for u, _mail in people] == [user("bangli.tim")]
