"""The 404 matrix extended to the API: a key of agency A sees nothing of agency B."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from layanan.accounts.models import User
from layanan.api.models import ApiKey, Scope
from layanan.requests.models import Attachment, Event, Request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANGLI_COMPLAINT = {"agency": "DPMPTSP-BANGLI", "service": "pengaduan-masyarakat", "name": "Ni Made Sari",
                    "nik": "5106014101900003", "phone": "081238669450", "address": "Bangli",
                    "subject": "Aduan", "description": "Uraian.", "consent": True}


@pytest.fixture
def world(demo, client, tmp_path, settings):
    """A request of DPMPTSP-BANGLI with a file, and keys of DINSOS-SEKADAU (every scope)."""
    settings.MEDIA_ROOT = tmp_path
    created = client.post("/api/v1/requests", BANGLI_COMPLAINT, content_type="application/json").json()
    request = Request.objects.get(tracking_code=created["tracking_code"])
    _k, bangli_raw = ApiKey.issue(agency=demo["DPMPTSP-BANGLI"], name="b", scope=Scope.DESK,
                                  staff_user=User.objects.get(username="bangli.operator"))
    client.post(f"/api/v1/requests/{request.tracking_code}/attachments",
                {"files": [SimpleUploadedFile("foto.pdf", PDF)]}, HTTP_X_API_KEY=bangli_raw)
    attachment = Attachment.objects.get(request=request)
    keys = {}
    for scope, user in ((Scope.READ_PUBLIC, None), (Scope.INTAKE, None), (Scope.DESK, "dinsos.admin")):
        _key, raw = ApiKey.issue(agency=demo["DINSOS-SEKADAU"], name=scope, scope=scope,
                                 staff_user=User.objects.get(username=user) if user else None)
        keys[scope] = raw
    return request, attachment, keys


def test_a_key_of_another_agency_gets_404_for_every_request_url(world, client):
    request, attachment, keys = world
    code = request.tracking_code
    for scope, raw in keys.items():
        h = {"HTTP_X_API_KEY": raw}
        assert client.get(f"/api/v1/requests/{code}", **h).status_code == 404, scope
        if scope == Scope.DESK:
            assert client.post(f"/api/v1/requests/{code}/actions", {"action": "note", "note": "x"},
                               content_type="application/json", **h).status_code == 404
            assert client.post(f"/api/v1/requests/{code}/attachments",
                               {"files": [SimpleUploadedFile("x.pdf", PDF)]}, **h).status_code == 404
            assert client.get(f"/api/v1/requests/{code}/attachments/{attachment.pk}", **h).status_code == 404
        listed = client.get("/api/v1/requests", {"state": "semua"}, **h).json()
        assert code not in [r["tracking_code"] for r in listed["results"]], scope
        events = client.get("/api/v1/events", {"limit": 500}, **h).json()["events"]
        assert code not in {e["tracking_code"] for e in events}, scope
    assert not Event.objects.filter(request=request, action="note", actor__username="dinsos.admin").exists()


def test_an_intake_key_registers_requests_of_its_own_agency_only(world, client):
    _request, _attachment, keys = world
    response = client.post("/api/v1/requests", BANGLI_COMPLAINT, content_type="application/json",
                           HTTP_X_API_KEY=keys[Scope.INTAKE])
    assert response.status_code == 404
    assert Request.objects.filter(agency__code="DPMPTSP-BANGLI").count() == 1


def test_a_desk_key_whose_staff_user_left_the_desk_is_refused(world, client, demo):
    request, _attachment, _keys = world
    user = User.objects.get(username="bangli.petugas")
    key, raw = ApiKey.issue(agency=demo["DPMPTSP-BANGLI"], name="x", scope=Scope.DESK, staff_user=user)
    assert client.get(f"/api/v1/requests/{request.tracking_code}", HTTP_X_API_KEY=raw).json()["applicant"]
    user.is_active = False
    user.save()
    key.refresh_from_db()
    url = f"/api/v1/requests/{request.tracking_code}"
    response = client.post(f"{url}/actions", {"action": "note", "note": "x"},
                           content_type="application/json", HTTP_X_API_KEY=raw)
    assert response.status_code == 403
    # Reading falls back to the public view: never more than the key's scope and the user's rights.
    assert client.get(url, HTTP_X_API_KEY=raw).json()["applicant"] is None
