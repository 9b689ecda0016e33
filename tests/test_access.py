"""Who may see and act on a request: one module (requests/access.py), three faces that agree.

The findings of the review (issue 14) each have a test here, and a property test drives
random actors through the seed agencies' real procedures and checks, after every step, for
every staff member of the agency, that "Tugas saya", the actions offered and the personal
data shown all say the same thing.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layanan.accounts.models import User
from layanan.accounts.roles import SEE_ALL_PERSONAL_DATA
from layanan.agencies.models import Holiday, Unit
from layanan.requests import access, clock, inbox, lifecycle
from layanan.requests.identity import applicant_view
from layanan.requests.models import (
    OPEN_STATES,
    CompensationTask,
    Event,
    OutboxMessage,
    Request,
    SlaStatus,
    State,
)
from layanan.standards.models import Service, StepAction

from .conftest import login
from .test_desk_request_page import new_request, user

DINSOS = "DINSOS-SEKADAU"


def actions(request, who) -> set[str]:
    return {a.name for a in lifecycle.available_actions(request, who)}


def advance_to(request, action: str, *, limit=20):
    """Advance the request step by step (as whoever holds each step) until its step does `action`."""
    for _i in range(limit):
        request.refresh_from_db()
        if request.current_step and request.current_step.action == action:
            return request
        holder = next(u for u in User.objects.filter(agency_id=request.agency_id)
                      if access.holds_step(request, u))
        if request.current_step.action == StepAction.DISPOSE:
            unit = Unit.objects.get(agency_id=request.agency_id, name="Bidang Rehabilitasi Sosial")
            lifecycle.perform(request, holder, "dispose", to_unit=unit, note="Tindak lanjuti")
        else:
            lifecycle.perform(request, holder, "advance")
    raise AssertionError(f"no step doing {action}")


# ---------------------------------------------------------------- withdrawal


def test_a_front_desk_officer_cannot_withdraw_someone_elses_request(demo):
    """Finding: any recorder could silently kill any open request with an empty note."""
    request = new_request(DINSOS)
    for name in ("dinsos.petugas", "dinsos.tu", "dinsos.data", "dinsos.admin"):
        assert "withdraw" not in actions(request, user(name)), name
    client = login("dinsos.petugas")
    response = client.post(reverse("desk:act", args=[request.pk, "withdraw"]),
                           {"expected_version": request.version, "note": "", "confirm": "1"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.state == State.RECEIVED


def test_the_head_closes_at_the_applicants_request_with_a_reason_and_confirmation(demo):
    request = new_request(DINSOS)
    kadis = user("dinsos.kadis")
    assert "withdraw" in actions(request, kadis)
    client = login("dinsos.kadis")
    url = reverse("desk:act", args=[request.pk, "withdraw"])
    page = client.get(reverse("desk:request", args=[request.pk])).content.decode()
    assert 'name="confirm"' in page  # the form asks for confirmation
    no_reason = client.post(url, {"expected_version": request.version, "note": "", "confirm": "1"})
    unconfirmed = client.post(url, {"expected_version": request.version, "note": "Pemohon menelepon"})
    assert no_reason.status_code == unconfirmed.status_code == 400
    done = client.post(url, {"expected_version": request.version, "confirm": "1",
                             "note": "Pemohon menelepon 30/11 pukul 09.00, datanya sudah didapat."})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == State.WITHDRAWN
    event = request.events.get(action="withdraw")
    assert event.actor == kadis and event.actor_kind == "staff" and event.actor_role == "head"
    # The applicant is told, by e-mail.
    assert OutboxMessage.objects.filter(request=request, template="withdrawn").exists()
    # The public timeline names the role that acted — never "by the applicant".
    track = login("dinsos.kadis").get(reverse("public_requests:track",
                                              args=[request.tracking_code, request.tracking_secret]))
    html = track.content.decode()
    assert "Kepala instansi" in html and "atas permintaan pemohon" in html
    assert "Dicabut oleh pemohon" not in html


def test_a_unit_head_withdraws_only_what_it_holds_or_supervises(demo):
    request = new_request(DINSOS)  # at the front desk of the service unit, inside the Kabid's bidang
    assert "withdraw" in actions(request, user("dinsos.kabid"))
    assert "withdraw" not in actions(request, user("dinsos.kasi"))  # a seksi beside it
    request = advance_to(request, StepAction.VERIFY)  # disposed to the bidang: the Kasi verifies
    assert "withdraw" in actions(request, user("dinsos.kasi"))


def test_the_standard_can_name_who_may_withdraw(demo):
    request = new_request(DINSOS)
    standard = request.standard
    standard.withdraw_roles = ["front_desk"]
    standard.save(update_fields=["withdraw_roles"])
    request.refresh_from_db()
    assert "withdraw" in actions(request, user("dinsos.petugas"))  # it holds the first step
    assert "withdraw" not in actions(request, user("dinsos.kadis"))


def test_the_applicant_withdraws_from_the_tracking_link(demo, client):
    request = new_request(DINSOS)
    url = reverse("public_requests:withdraw", args=[request.tracking_code, request.tracking_secret])
    assert client.post(url, {"note": "Sudah tidak perlu"}).status_code == 400  # not confirmed
    wrong = reverse("public_requests:withdraw", args=[request.tracking_code, "salah"])
    assert client.post(wrong, {"confirm": "1"}).status_code == 404
    assert client.post(url, {"confirm": "1", "note": "Sudah tidak perlu"}).status_code == 302
    request.refresh_from_db()
    assert request.state == State.WITHDRAWN
    event = request.events.get(action="withdraw")
    assert event.actor is None and event.actor_kind == "applicant"
    html = client.get(reverse("public_requests:track",
                              args=[request.tracking_code, request.tracking_secret])).content.decode()
    assert "Pemohon" in html and "Cabut permohonan" not in html


def test_a_withdrawn_request_does_not_come_back_to_life(demo, client, settings, tmp_path):
    """Finding: withdraw while waiting on the applicant, then upload as the applicant → the old
    code checked the state outside the lock and resumed it as in_progress without a step."""
    settings.MEDIA_ROOT = tmp_path
    service = Service.objects.get(agency__code=DINSOS)
    request, _created = lifecycle.submit(standard=service.published_standard, channel="counter",
                                         subject="Data PKH", applicant={"applicant_name": "Warga"},
                                         actor=user("dinsos.petugas"), missing=["Foto copy KTP"])
    lifecycle.perform(request, user("dinsos.kadis"), "withdraw", note="Pemohon datang", confirmed=True)
    supply = reverse("public_requests:supply", args=[request.tracking_code, request.tracking_secret])
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("ktp.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(supply, {"files": pdf}).status_code == 400
    request.refresh_from_db()
    assert request.state == State.WITHDRAWN and request.current_step is None
    assert not request.attachments.exists()
    # And straight through the lifecycle, the same answer from inside the lock.
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.perform(request, access.ApplicantActor(request.pk), "supply", note="x")


def test_no_actor_is_never_a_pass(demo):
    request = new_request(DINSOS)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.perform(request, None, "withdraw", note="x")
    with pytest.raises(lifecycle.LifecycleError):  # the system has no desk actions
        lifecycle.perform(request, access.SYSTEM, "advance")
    other = new_request(DINSOS)
    with pytest.raises(lifecycle.LifecycleError):  # another request's link proves nothing here
        lifecycle.perform(request, access.ApplicantActor(other.pk), "withdraw", confirmed=True)


# ---------------------------------------------------------------- whose step


def test_a_unit_head_of_another_unit_neither_sees_nor_acts(demo):
    """Finding: a unit head of another unit with the step's role saw the request under
    "Tugas saya" but could not act on it and saw masked data."""
    request = advance_to(new_request(DINSOS), StepAction.VERIFY)  # Kasi of the disposed bidang
    bangli_like = User.objects.create(username="dinsos.kabid-lain", agency=request.agency)
    other_unit = Unit.objects.create(agency=request.agency, name="Bidang Lain")
    bangli_like.positions.create(unit=other_unit, title="Kepala Bidang Lain", role="unit_head")
    for name, expected in (("dinsos.kasi", True), ("dinsos.kabid", True), ("dinsos.kabid-lain", False)):
        who = user(name)
        mine = inbox.scope_queryset(who, inbox.SCOPE_MINE).filter(pk=request.pk).exists()
        assert mine == access.holds_step(request, who) == ("advance" in actions(request, who)) == expected
        assert access.sees_personal_data(request, who) == expected


def test_escalation_is_not_offered_to_the_head(demo):
    request = advance_to(new_request(DINSOS), StepAction.DISPOSE)  # the Kadis disposes
    request = advance_to(request, StepAction.APPROVE)  # the Kadis signs
    assert "advance" in actions(request, user("dinsos.kadis"))
    assert "escalate" not in actions(request, user("dinsos.kadis"))
    assert "escalate" in actions(advance_to(new_request(DINSOS), StepAction.VERIFY), user("dinsos.kasi"))


def test_a_finished_request_is_never_shown_at_risk(demo):
    request = new_request(DINSOS)
    future = timezone.now() + timedelta(days=3)
    Request.objects.filter(pk=request.pk).update(at_risk_at=timezone.now() - timedelta(hours=1),
                                                 due_at=future)
    lifecycle.perform(request, user("dinsos.kadis"), "withdraw", note="Pemohon datang", confirmed=True)
    request.refresh_from_db()
    assert clock.sla_status(request, timezone.now()) == SlaStatus.ON_TIME
    html = login("dinsos.kadis").get(reverse("desk:request", args=[request.pk])).content.decode()
    assert "mendekati tenggat sejak" not in html.lower()
    assert "Selesai dalam tenggat" in html


# ---------------------------------------------------------------- system changes


def test_compensation_opens_and_completes_on_the_timeline(demo):
    """Finding: CompensationTask was created and completed outside the lifecycle, without events."""
    request = new_request("DISDUKCAPIL-PROBOLINGGO", subject="Syarat KIA")
    now = timezone.now()
    Request.objects.filter(pk=request.pk).update(due_at=now - timedelta(minutes=1),
                                                 at_risk_at=now - timedelta(minutes=10))
    from layanan.requests import sweep

    assert sweep.sweep(now=now)["breached"] == 1
    task = CompensationTask.objects.get(request=request)
    assert request.events.filter(action="compensation_due", actor_kind="system").exists()
    officer = user("dukcapil.petugas")
    lifecycle.perform(request, officer, "complete_compensation", note="Diantar ke rumah 12/3")
    task.refresh_from_db()
    assert task.done_at and task.note == "Diantar ke rumah 12/3"
    done = request.events.get(action="complete_compensation")
    assert done.actor == officer and done.public
    assert "complete_compensation" not in actions(request, officer)  # once only


def test_a_holiday_added_in_the_django_admin_moves_deadlines(demo, django_capture_on_commit_callbacks):
    """Finding: holidays edited in the admin did not move deadlines."""
    request = new_request("ORGANISASI-KEDIRI", "pengesahan-standar-pelayanan")  # 5 hari kerja
    request.refresh_from_db()
    due = request.due_at
    local_due = timezone.localtime(due, ZoneInfo(request.agency.timezone)).date()
    closed = set(Holiday.objects.filter(agency=request.agency).values_list("date", flat=True))
    day = local_due - timedelta(days=1)
    while day.weekday() >= 5 or day in closed:
        day -= timedelta(days=1)
    admin = User.objects.create_superuser("ops", "ops@example.id", "xK9!mQ2#vLp7")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin.username).post(reverse("admin:agencies_holiday_add"), {
            "agency": request.agency_id, "date": day.isoformat(), "name": "Libur daerah",
            "kind": Holiday.Kind.LOCAL, "closed": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.due_at > due
    assert request.events.filter(action="due_moved", actor_kind="system").exists()


def test_the_django_admin_cannot_change_a_standards_status(demo):
    admin = User.objects.create_superuser("ops2", "ops2@example.id", "xK9!mQ2#vLp7")
    client = login(admin.username)
    standard = Service.objects.filter(agency__code=DINSOS).first().published_standard
    response = client.get(reverse("admin:standards_servicestandard_change", args=[standard.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'name="duration_text"' in html  # the form is there…
    assert 'name="status"' not in html and "Dipublikasikan" in html  # …the status only as text


def test_tracking_codes_are_not_sequential(demo):
    codes = [new_request(DINSOS).tracking_code for _i in range(5)]
    assert all(code.startswith("DINSOS-SEKADAU-") for code in codes)
    tails = [code.rsplit("-", 2)[-2:] for code in codes]
    assert len({"".join(t) for t in tails}) == 5
    assert not any("".join(t).isdigit() for t in tails)


# ---------------------------------------------------------------- the three faces agree


def _check_faces(request, staff, now):
    request = Request.objects.select_related("current_step", "standard", "agency").get(pk=request.pk)
    for who in staff:
        who = User.objects.get(pk=who.pk)  # fresh caches
        holds = access.holds_step(request, who)
        mine = inbox.scope_queryset(who, inbox.SCOPE_MINE).filter(pk=request.pk).exists()
        assert mine == holds, (who.username, request.state, request.current_step)
        offered = actions(request, who)
        if request.state in {State.RECEIVED, State.IN_PROGRESS}:
            step_action = "dispose" if request.current_step.action == StepAction.DISPOSE else "advance"
            assert (step_action in offered) == holds, (who.username, offered)
        elif request.state not in OPEN_STATES:
            assert not holds and "advance" not in offered
        if not request.confidential and not access.roles_of(who) & SEE_ALL_PERSONAL_DATA:
            assert access.sees_personal_data(request, who) == holds
            assert applicant_view(request, who, log=False).masked == (not holds)
    for status in SlaStatus.values:
        in_filter = Request.objects.filter(clock.sla_status_q(status, now), pk=request.pk).exists()
        assert in_filter == (clock.sla_status(request, now) == status), (status, request.state)


AGENCIES = ["DINSOS-SEKADAU", "DPMN-SOLOK", "ORGANISASI-KEDIRI", "DPMPTSP-BANGLI", "DISDUKCAPIL-PROBOLINGGO"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_inbox_actions_and_personal_data_agree(demo, data):
    agency = data.draw(st.sampled_from(AGENCIES))
    services = list(Service.objects.filter(agency__code=agency, published_standard__isnull=False)
                    .order_by("position"))
    service = data.draw(st.sampled_from(services))
    channel = data.draw(st.sampled_from(["counter", "web", "whatsapp", "letter"]))
    confidential = data.draw(st.booleans())
    request = new_request(agency, service.code, channel=channel, confidential=confidential)
    staff = list(User.objects.filter(agency__code=agency).order_by("username"))
    units = list(Unit.objects.filter(agency__code=agency).order_by("name"))
    offset = data.draw(st.integers(min_value=-3, max_value=60))
    now = timezone.now() + timedelta(days=offset)
    _check_faces(request, staff, now)
    for _step in range(data.draw(st.integers(min_value=0, max_value=12))):
        request.refresh_from_db()
        who = data.draw(st.sampled_from(staff + ["applicant"]))
        actor = access.ApplicantActor(request.pk) if who == "applicant" else who
        choices = sorted(a for a in actions(request, actor) if a != "note")
        if not choices:
            continue
        name = data.draw(st.sampled_from(choices))
        params = {"note": "Catatan uji", "confirmed": True}
        if name == "dispose":
            if data.draw(st.booleans()):
                params["to_unit"] = data.draw(st.sampled_from(units))
            else:
                params["to_user"] = data.draw(st.sampled_from(staff))
        elif name == "assign":
            params["to_user"] = data.draw(st.sampled_from(staff))
        elif name == "return_incomplete":
            params["missing"] = ["Foto copy KTP"]
        try:
            lifecycle.perform(request, actor, name, **params)
        except lifecycle.LifecycleError:
            pass  # e.g. nobody above to escalate to: refused whole, nothing written
        _check_faces(request, staff, now)
    assert Event.objects.filter(request=request, actor__isnull=True, actor_kind="staff").count() == 0


def test_the_applicant_writes_a_message_on_an_open_request_only(demo):
    request = new_request(DINSOS)
    applicant = access.ApplicantActor(request.pk)
    lifecycle.perform(request, applicant, "message", note="Apakah data sudah bisa diambil?", via="whatsapp")
    event = request.events.get(action="message")
    assert event.public and event.actor_kind == "applicant" and event.data == {"via": "whatsapp"}
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.perform(request, applicant, "message", note="")
    lifecycle.perform(request, user("dinsos.kadis"), "withdraw", note="Pemohon datang", confirmed=True)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.perform(request, applicant, "message", note="Halo")
