"""Personal data has a lifetime (UU 27/2022): retention periods per agency and kind, the nightly job
that anonymises finished requests past them, and what stays for the statistics."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from layanan.accounts.models import User
from layanan.agencies.models import Agency
from layanan.privacy.models import SubjectKey
from layanan.privacy.tasks import anonymise_expired
from layanan.requests import access, intake, lifecycle
from layanan.requests.models import (
    Attachment,
    Event,
    GuestBookEntry,
    IdentityView,
    OutboxMessage,
    Request,
    RequirementCheck,
    State,
)
from layanan.standards.models import Service

from .conftest import login

NIK = "6109014507900002"
NAME = "Siti Rahmawati"
PHONE = "+6281299887766"
EMAIL = "siti.rahma@example.id"
ADDRESS = "Jl. Kenanga No. 12, RT 03"
def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
DAY = timedelta(days=1)


def submit(code, *, now=None, subject="Permohonan data bantuan sosial", description="", **applicant):
    services = Service.objects.filter(agency__code=code, published_standard__isnull=False)
    service = services.order_by("position")[0]
    data = {"applicant_name": NAME, "applicant_nik": NIK, "applicant_phone": PHONE,
            "applicant_email": EMAIL, "applicant_address": ADDRESS, **applicant}
    request, created = lifecycle.submit(standard=service.published_standard, channel="web", subject=subject,
                                        applicant=data, description=description, now=now)
    assert created
    return request


def withdraw(request, *, now):
    """The applicant withdraws through the tracking link: the request is finished at `now`."""
    return lifecycle.perform(request, access.ApplicantActor(request.pk), "withdraw", confirmed=True,
                             note="Saya tidak jadi, terima kasih. Siti", now=now)


def attach(request, purpose=Attachment.Purpose.REQUIREMENT, name="KTP Siti Rahmawati.png"):
    attachment = Attachment(request=request, purpose=purpose, filename=name, content_type="image/png",
                            size=len(PNG))
    attachment.file.save("upload", ContentFile(PNG), save=True)
    return attachment


def set_periods(days=365, complaint=60, information=90):
    Agency.objects.update(retention_days=days, retention_days_complaint=complaint,
                          retention_days_information=information)


# ---------------------------------------------------------------- the periods


def test_agency_admin_sets_the_periods_on_the_profile_and_too_short_is_refused(demo, client_for):
    client = client_for("dinsos.admin")
    agency = Agency.objects.get(code="DINSOS-SEKADAU")
    assert agency.retention_days == 5 * 365  # the default
    page = client.get(reverse("agencies:profile")).content.decode()
    assert "Masa simpan data pribadi (hari)" in page or "masa simpan data pribadi (hari)" in page.lower()
    base = {"name": agency.name, "timezone": agency.timezone, "ch-TOTAL_FORMS": "0", "ch-INITIAL_FORMS": "0"}
    response = client.post(reverse("agencies:profile"), {**base, "retention_days": "1095",
                                                         "retention_days_complaint": "730",
                                                         "retention_days_information": ""})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.retention_days, agency.retention_days_complaint, agency.retention_days_information) == \
        (1095, 730, None)
    assert agency.retention_days_for("complaint") == 730
    assert agency.retention_days_for("data_request") == 1095  # blank: the general period

    response = client.post(reverse("agencies:profile"), {**base, "retention_days": "7"})
    assert response.status_code == 400
    assert "30" in response.content.decode()
    agency.refresh_from_db()
    assert agency.retention_days == 1095
    # A profile form that does not send the period keeps it.
    assert client.post(reverse("agencies:profile"), base).status_code == 302
    agency.refresh_from_db()
    assert agency.retention_days == 1095


# ---------------------------------------------------------------- the job


def test_the_job_anonymises_finished_requests_past_their_kinds_period_and_nothing_else(demo, settings,
                                                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    set_periods(days=365, complaint=60, information=90)
    now = timezone.now()
    long_ago = now - 500 * DAY
    complaint = withdraw(submit("DPMPTSP-BANGLI", now=long_ago), now=now - 70 * DAY)  # 60 days → due
    data_request = withdraw(submit("DINSOS-SEKADAU", now=long_ago), now=now - 100 * DAY)  # 90 → due
    recent_data = withdraw(submit("DINSOS-SEKADAU", now=long_ago), now=now - 80 * DAY)  # 90 → not yet
    consultation = withdraw(submit("DPMN-SOLOK", now=long_ago), now=now - 100 * DAY)  # 365 → not yet
    old_consultation = withdraw(submit("DPMN-SOLOK", now=long_ago), now=now - 400 * DAY)  # 365 → due
    still_open = submit("DPMN-SOLOK", now=long_ago)  # open for 500 days: the agency still owes an answer

    out = StringIO()
    call_command("anonymise_expired", "--dry-run", stdout=out)
    assert "Jumlah: 3 permohonan akan dianonimkan" in out.getvalue()
    assert not Request.objects.filter(anonymised_at__isnull=False).exists()

    out = StringIO()
    call_command("anonymise_expired", stdout=out)
    assert "Jumlah: 3 permohonan dianonimkan" in out.getvalue()
    done = set(Request.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert done == {complaint.pk, data_request.pk, old_consultation.pk}
    for kept in (recent_data, consultation, still_open):
        kept.refresh_from_db()
        assert kept.applicant_nik == NIK and kept.applicant_name == NAME
    # A second night finds nothing new.
    assert anonymise_expired.call_local() == 0


def test_a_request_finished_inside_the_reopen_window_is_never_due(demo, settings):
    settings.REQUEST_REOPEN_DAYS = 45
    set_periods(days=30, complaint=30, information=30)
    now = timezone.now()
    request = withdraw(submit("DPMN-SOLOK", now=now - 60 * DAY), now=now - 40 * DAY)
    call_command("anonymise_expired", stdout=StringIO())
    request.refresh_from_db()
    assert request.anonymised_at is None


def test_an_open_request_cannot_be_anonymised(demo):
    request = submit("DPMN-SOLOK")
    with pytest.raises(lifecycle.LifecycleError, match="masih berjalan"):
        lifecycle.anonymise(request.pk, reason="retention")
    request.refresh_from_db()
    assert request.applicant_nik == NIK and request.anonymised_at is None


# ---------------------------------------------------------------- what goes, what stays


def test_anonymised_request_keeps_its_statistics_and_loses_every_trace_of_the_applicant(
        demo, client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    request = submit("DINSOS-SEKADAU", now=now - 400 * DAY, subject=f"Data PKH atas nama {NAME}",
                     description=f"Saya {NAME}, NIK {NIK}, janda dengan tiga anak.")
    old_secret = request.tracking_secret
    files = [attach(request), attach(request, Attachment.Purpose.EVIDENCE, "surat.png")]
    paths = [default_storage.path(f.file.name) for f in files]
    staff = User.objects.get(username="dinsos.petugas")
    lifecycle._event(request, staff, "note", now - 399 * DAY, public=False,
                     note=f"Bu Siti datang lagi, telepon 081299887766, NIK {NIK}. Berkas diperiksa.")
    GuestBookEntry.objects.create(agency=request.agency, name=NAME, identity_number=NIK,
                                  organisation=ADDRESS, purpose="PKH", time_in=now - 400 * DAY,
                                  request=request)
    RequirementCheck.objects.filter(request=request).update(note=f"KTP a.n. {NAME} sesuai")
    OutboxMessage.objects.filter(request=request).update(sent_at=now - 400 * DAY)
    OutboxMessage.objects.create(request=request, channel="email", recipient=EMAIL, template="resolved",
                                 subject="x", body=f"Yth. {NAME}", dedupe_key=f"test:{request.pk}")
    request = withdraw(request, now=now - 390 * DAY)
    before = Request.objects.get(pk=request.pk)
    assert SubjectKey.objects.filter(request=request).count() == 3  # NIK, phone, e-mail

    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.anonymise(request.pk, now=now, reason="retention") is True
    assert lifecycle.anonymise(request.pk, now=now) is False  # once

    after = Request.objects.get(pk=request.pk)
    # What the reports need stays.
    for field in ("service_id", "standard_id", "kind", "channel", "state", "created_at", "closed_at",
                  "resolved_at", "sla_status", "due_at", "assigned_unit_id", "applicant_type",
                  "confidential"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.state == State.WITHDRAWN and after.anonymised_at == now
    assert after.subject == "Data PKH atas nama [dihapus]"
    assert after.description == ""
    assert (after.applicant_name, after.applicant_nik, after.applicant_phone, after.applicant_email,
            after.applicant_address) == ("", "", "", "", "")
    # Files: rows and bytes gone.
    assert not Attachment.objects.filter(request=request).exists()
    assert not any(p.exists() for p in map(__import__("pathlib").Path, paths))
    # The staff note stays, without the identity; the applicant's own words go.
    note = Event.objects.get(request=request, action="note").note
    assert note == "Bu [dihapus] datang lagi, telepon [dihapus], NIK [dihapus]. Berkas diperiksa."
    withdrawal = Event.objects.get(request=request, action="withdraw")
    assert "Siti" not in withdrawal.note and "tidak jadi" not in withdrawal.note
    marker = Event.objects.get(request=request, action="anonymised")
    assert not marker.public and marker.data["files_removed"] == 2
    # Messages: undelivered ones dropped, delivered ones keep only that they were sent.
    assert not OutboxMessage.objects.filter(request=request, sent_at__isnull=True).exists()
    assert set(OutboxMessage.objects.filter(request=request).values_list("body", "subject")) <= {("", "")}
    # No trace left in any row that belongs to the request (encrypted columns read in clear here).
    related = (Event, OutboxMessage, GuestBookEntry, RequirementCheck, IdentityView)
    rows = [after, *(row for model in related for row in model.objects.filter(request=request))]
    dump = serializers.serialize("json", rows)
    for trace in (NIK, "Siti", "Rahmawati", "81299887766", EMAIL, "Kenanga", "KTP Siti"):
        assert trace not in dump, trace
    # Nobody finds it by NIK any more, and the old tracking link is dead.
    assert not SubjectKey.objects.filter(request=request).exists()
    assert client.get(f"/lacak/{after.tracking_code}/{old_secret}/").status_code == 404
    # The desk still opens it (for the statistics and the timeline).
    page = login("dinsos.admin").get(reverse("desk:request", args=[request.pk]))
    assert page.status_code == 200 and NIK not in page.content.decode()


def test_old_guest_book_lines_without_a_request_are_blanked_too(demo):
    set_periods(days=365)
    agency = Agency.objects.get(code="DPMN-SOLOK")
    now = timezone.now()
    old = GuestBookEntry.objects.create(agency=agency, name=NAME, identity_number=NIK, organisation=ADDRESS,
                                        purpose="Konsultasi", time_in=now - 400 * DAY)
    fresh = GuestBookEntry.objects.create(agency=agency, name=NAME, identity_number=NIK, purpose="Konsultasi",
                                          time_in=now - 10 * DAY)
    call_command("anonymise_expired", stdout=StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.name, old.identity_number, old.organisation, old.purpose) == ("", "", "", "Konsultasi")
    assert fresh.name == NAME and fresh.identity_number == NIK


def test_the_supplied_documents_note_of_the_applicant_is_removed(demo, settings, tmp_path):
    """The applicant's upload through the tracking link names the files (often their own name)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    service = Service.objects.filter(agency__code="DINSOS-SEKADAU", published_standard__isnull=False)[0]
    request, _created = lifecycle.submit(
        standard=service.published_standard, channel="counter", subject="Data PKH", missing=["KTP"],
        applicant={"applicant_name": NAME, "applicant_nik": NIK}, now=now - 400 * DAY,
        actor=User.objects.get(username="dinsos.petugas"))
    assert request.state == State.WAITING_APPLICANT
    intake.supply_missing(request, [SimpleUploadedFile("KTP Siti Rahmawati.png", PNG)], note="ini KTP saya")
    request.refresh_from_db()
    Request.objects.filter(pk=request.pk).update(state=State.REJECTED, closed_at=now - 390 * DAY)
    assert lifecycle.anonymise(request.pk, now=now)
    notes = " ".join(Event.objects.filter(request=request).values_list("note", flat=True))
    assert "Rahmawati" not in notes and "ini KTP saya" not in notes
    assert "Persyaratan belum lengkap" in notes  # what the officer recorded stays
