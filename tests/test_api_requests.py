"""/api/v1 requests: create with the web form's rules, track by code + secret, integrations with keys."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from layanan.accounts.models import User
from layanan.api.models import ApiKey, Scope
from layanan.requests.models import Channel, Event, IdentityView, Request, State

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMPLAINT = {
    "agency": "DPMPTSP-BANGLI",
    "service": "pengaduan-masyarakat",
    "name": "Ni Made Sari",
    "nik": "5106014101900003",
    "phone": "0812 3866 945",
    "address": "Jl. Merdeka 1, Bangli",
    "subject": "Loket perizinan tutup pada jam layanan",
    "description": "Loket tutup pukul 10.00 pada hari Senin.",
    "consent": True,
}


def issue(agency, scope, username=None):
    user = User.objects.get(username=username) if username else None
    key, raw = ApiKey.issue(agency=agency, name=f"test {scope}", scope=scope, staff_user=user)
    return key, {"HTTP_X_API_KEY": raw}


@pytest.fixture
def bangli(demo):
    return demo["DPMPTSP-BANGLI"]


def create(client, body, key="", **headers):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/requests", body, content_type="application/json", **extra, **headers)


def test_a_citizen_app_submits_a_complaint_and_a_retry_makes_one_request(client, bangli):
    first = create(client, COMPLAINT, key="retry-1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["created"] is True and data["missing"] == []
    request = Request.objects.get(tracking_code=data["tracking_code"])
    assert request.channel == Channel.API
    assert request.applicant_phone == "+628123866945"  # the web form's normalisation
    again = create(client, COMPLAINT, key="retry-1")
    assert again.status_code == 200
    assert again.json()["tracking_code"] == data["tracking_code"] and again.json()["created"] is False
    assert Request.objects.filter(agency=bangli).count() == 1


def test_the_web_forms_rules_answer_with_field_names_in_both_languages(client, bangli):
    bad = create(client, {**COMPLAINT, "nik": "1234", "name": "", "consent": False})
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert {"nik", "name", "consent"} <= set(fields)
    assert fields["name"][0]["message"] == "Isi nama lengkap."
    assert fields["name"][0]["message_en"] != fields["name"][0]["message"]
    assert not Request.objects.filter(agency=bangli).exists()


def test_schema_errors_are_4xx_json_never_500(client, bangli):
    for body in ("{", "[]", '{"agency": 5}', '{"agency": "DPMPTSP-BANGLI"}'):
        response = client.post("/api/v1/requests", body, content_type="application/json")
        assert response.status_code == 400, body
        assert "message_en" in response.json()["error"]


def test_an_anonymous_complaint_keeps_no_identity(client, bangli):
    response = create(client, {**COMPLAINT, "anonymous": True, "nik": "", "name": ""})
    assert response.status_code == 201
    request = Request.objects.get(tracking_code=response.json()["tracking_code"])
    assert (
        request.applicant_type == "anonymous" and request.applicant_name == "" and request.applicant_nik == ""
    )


def test_mandatory_documents_come_second_and_the_clock_waits(client, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    body = {
        "agency": "DPMN-SOLOK",
        "service": "konsultasi-pelayanan-publik",
        "name": "Budi Santoso",
        "nik": "1301010101900001",
        "phone": "081234567890",
        "address": "Jl. Sudirman 2, Solok",
        "subject": "Konsultasi SOP",
        "description": "Mohon bimbingan penyusunan SOP.",
        "consent": True,
    }
    created = create(client, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == State.WAITING_APPLICANT and data["missing"]
    secret = {"HTTP_X_TRACKING_SECRET": data["secret"]}
    tracked = client.get(f"/api/v1/track/{data['tracking_code']}", **secret)
    assert tracked.status_code == 200 and tracked.json()["missing"] == data["missing"]
    assert "supply" in tracked.json()["actions"]
    sent = client.post(
        f"/api/v1/track/{data['tracking_code']}/documents",
        {"files": [SimpleUploadedFile("surat.pdf", PDF)]},
        **secret,
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["state"] == State.IN_PROGRESS


def test_tracking_needs_the_secret(client, bangli):
    data = create(client, COMPLAINT).json()
    assert (
        client.get(f"/api/v1/track/{data['tracking_code']}", HTTP_X_TRACKING_SECRET="wrong").status_code
        == 404
    )
    assert client.get(f"/api/v1/track/{data['tracking_code']}").status_code == 400
    view = client.get(f"/api/v1/track/{data['tracking_code']}", HTTP_X_TRACKING_SECRET=data["secret"]).json()
    assert view["status"] and view["timeline"][0]["text"]
    assert "nik" not in str(view).lower() or "5106014101900003" not in str(view)


def test_the_applicant_writes_a_message_and_withdraws(client, bangli):
    data = create(client, COMPLAINT).json()
    secret = {"HTTP_X_TRACKING_SECRET": data["secret"]}
    code = data["tracking_code"]
    message = client.post(
        f"/api/v1/track/{code}/messages",
        {"text": "Ada foto tambahan."},
        content_type="application/json",
        **secret,
    )
    assert message.status_code == 201
    event = Event.objects.get(request__tracking_code=code, action="message")
    assert event.actor_kind == "applicant" and event.data == {"via": "api"}
    withdrawn = client.post(
        f"/api/v1/track/{code}/withdraw",
        {"note": "Sudah selesai."},
        content_type="application/json",
        **secret,
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == State.WITHDRAWN


def test_keys_are_hashed_shown_once_revocable_and_record_last_use(client, bangli):
    key, headers = issue(bangli, Scope.READ_PUBLIC)
    raw = headers["HTTP_X_API_KEY"]
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().first())
    assert client.get("/api/v1/requests", **headers).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    key.revoke()
    assert client.get("/api/v1/requests", **headers).status_code == 401


def test_read_public_keys_see_no_personal_data_and_cannot_act(client, bangli):
    data = create(client, COMPLAINT).json()
    _key, headers = issue(bangli, Scope.READ_PUBLIC)
    listed = client.get("/api/v1/requests", **headers).json()
    assert [r["tracking_code"] for r in listed["results"]] == [data["tracking_code"]]
    assert listed["results"][0]["applicant"] is None
    whole = client.get(f"/api/v1/requests/{data['tracking_code']}", **headers)
    assert whole.status_code == 200
    assert "Ni Made" not in whole.content.decode() and whole.json()["applicant"] is None
    act = client.post(
        f"/api/v1/requests/{data['tracking_code']}/actions",
        {"action": "note", "note": "x"},
        content_type="application/json",
        **headers,
    )
    assert act.status_code == 403


def test_a_desk_key_acts_as_its_staff_user_through_the_lifecycle(client, bangli):
    data = create(client, COMPLAINT).json()
    code = data["tracking_code"]
    _key, headers = issue(bangli, Scope.DESK, "bangli.kadis")
    whole = client.get(f"/api/v1/requests/{code}", **headers).json()
    assert whole["applicant"]["name"] == "Ni Made Sari"
    assert whole["applicant"]["nik"] == "5106014101900003"  # the head sees personal data whole
    names = [a["name"] for a in whole["actions"]]
    assert "note" in names
    done = client.post(
        f"/api/v1/requests/{code}/actions",
        {"action": "note", "note": "Dicek ke loket.", "expected_version": whole["version"]},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200, done.content
    event = Event.objects.get(request__tracking_code=code, action="note")
    assert event.actor.username == "bangli.kadis"
    stale = client.post(
        f"/api/v1/requests/{code}/actions",
        {"action": "note", "note": "lagi", "expected_version": whole["version"]},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409
    refused = client.post(
        f"/api/v1/requests/{code}/actions", {"action": "close"}, content_type="application/json", **headers
    )
    assert refused.status_code == 400  # not resolved: the lifecycle says no


def test_a_confidential_complaint_is_hidden_from_a_desk_key_of_the_head_and_logged_for_the_officer(
    client, bangli
):
    data = create(client, {**COMPLAINT, "confidential": True}).json()
    _key, head = issue(bangli, Scope.DESK, "bangli.kadis")
    view = client.get(f"/api/v1/requests/{data['tracking_code']}", **head).json()
    assert view["applicant"]["hidden"] is True and "Ni Made" not in str(view)
    _key, officer = issue(bangli, Scope.DESK, "bangli.operator")
    view = client.get(f"/api/v1/requests/{data['tracking_code']}", **officer).json()
    assert view["applicant"]["name"] == "Ni Made Sari"
    assert IdentityView.objects.filter(
        request__tracking_code=data["tracking_code"], viewer__username="bangli.operator"
    ).exists()


def test_list_pages_with_the_inbox_cursor_and_events_sync(client, bangli):
    codes = {create(client, {**COMPLAINT, "subject": f"Aduan {i}"}).json()["tracking_code"] for i in range(5)}
    _key, headers = issue(bangli, Scope.DESK, "bangli.admin")
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/requests", {"limit": 2, "cursor": cursor}, **headers).json()
        seen += [r["tracking_code"] for r in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == codes and len(seen) == 5
    events = client.get("/api/v1/events", {"limit": 3}, **headers).json()
    assert len(events["events"]) == 3
    rest = client.get("/api/v1/events", {"since": events["next_cursor"]}, **headers).json()
    assert {e["id"] for e in rest["events"]}.isdisjoint({e["id"] for e in events["events"]})
    assert client.get("/api/v1/events", {"since": "nonsense"}, **headers).status_code == 400


def test_staff_sessions_call_desk_endpoints_with_csrf(bangli):
    from django.test import Client

    data = create(Client(), COMPLAINT).json()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="bangli.kadis"))
    assert browser.get(f"/api/v1/requests/{data['tracking_code']}").status_code == 200
    no_token = browser.post(
        f"/api/v1/requests/{data['tracking_code']}/actions",
        {"action": "note", "note": "x"},
        content_type="application/json",
    )
    assert no_token.status_code == 403
    browser.get("/kelola/permohonan/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    ok = browser.post(
        f"/api/v1/requests/{data['tracking_code']}/actions",
        {"action": "note", "note": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 200, ok.content


def test_keys_are_rate_limited(client, bangli, settings):
    settings.API_KEY_RATE = "3/m"
    _key, headers = issue(bangli, Scope.READ_PUBLIC)
    codes = [client.get("/api/v1/requests", **headers).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_openapi_is_generated_and_the_docs_page_needs_no_cdn(client, db):
    def no_duplicate_keys(pairs):  # Swagger UI's YAML parser refuses a document with duplicate keys
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    doc = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicate_keys)
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/requests", "/api/v1/requests/{code}", "/api/v1/events", "/api/v1/track/{code}"} <= set(
        doc["paths"]
    )
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "<script>" not in html


def test_the_agency_admin_creates_a_key_sees_it_once_and_revokes_it(client_for, bangli):
    admin = client_for("bangli.admin")
    page = admin.post(
        "/kelola/api/",
        {
            "name": "Aplikasi kota pintar",
            "scope": "desk",
            "staff_user": User.objects.get(username="bangli.operator").pk,
        },
    )
    assert page.status_code == 200
    raw = re.search(r"lyn_[0-9a-f]{8}_[\w-]+", page.content.decode()).group(0)
    key = ApiKey.objects.get(agency=bangli, name="Aplikasi kota pintar")
    assert (
        key.staff_user.username == "bangli.operator" and raw not in admin.get("/kelola/api/").content.decode()
    )
    assert Client().get("/api/v1/requests", HTTP_X_API_KEY=raw).status_code == 200
    admin.post(f"/kelola/api/{key.pk}/cabut/")
    assert Client().get("/api/v1/requests", HTTP_X_API_KEY=raw).status_code == 401
    # A desk key must act as desk staff of the agency; other agencies' admins see nothing of it.
    refused = admin.post("/kelola/api/", {"name": "x", "scope": "desk", "staff_user": ""})
    assert refused.status_code == 400
    assert client_for("dinsos.admin").post(f"/kelola/api/{key.pk}/cabut/").status_code == 404
    assert client_for("bangli.operator").get("/kelola/api/").status_code == 404


def test_the_location_is_shown_on_the_staff_request_page(client, client_for, bangli):
    data = create(
        client,
        {**COMPLAINT, "location_text": "Depan pasar Bangli", "location_lat": -8.45, "location_lon": 115.35},
    ).json()
    request = Request.objects.get(tracking_code=data["tracking_code"])
    page = client_for("bangli.kadis").get(f"/kelola/permohonan/{request.pk}/").content.decode()
    assert "Depan pasar Bangli" in page and "-8.450000, 115.350000" in page
