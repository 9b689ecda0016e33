"""GET /api/v1/standards answers the standard interchange JSON (DESIGN §2)."""

from layanan.standards.duration import UNITS

REQUIRED_KEYS = {"agency", "code", "name", "version", "url", "components", "requirements",
                 "steps", "duration", "cost", "channels", "legal_basis", "warnings"}


def test_lists_all_21_seed_services_with_durations_requirements_and_steps(demo, client):
    data = client.get("/api/v1/standards").json()
    services = data["services"]
    assert len(services) == 21
    for item in services:
        assert REQUIRED_KEYS <= item.keys()
        assert item["duration"]["unit"] in UNITS
        assert set(item["duration"]) == {"min", "max", "unit", "clock_starts_at", "text"}
        assert item["steps"], item["name"]
        assert item["url"].startswith("http://testserver/")
        assert item["cost"] == {"free": True, "amount": None}


def test_filter_by_agency(demo, client):
    data = client.get("/api/v1/standards", {"agency": "DINSOS-SEKADAU"}).json()
    [service] = data["services"]
    assert service["agency"] == "DINSOS-SEKADAU"
    assert service["duration"] == {
        "min": 1, "max": 3, "unit": "week", "clock_starts_at": "submitted",
        "text": service["duration"]["text"],
    }
    assert len(service["requirements"]) == 5
    assert len(service["steps"]) == 13
    assert {"kind": "phone", "value": "+6285252375905"} in service["channels"]
    assert {"type": "UU", "number": "25", "year": 2009, "title": "Pelayanan Publik"} in service["legal_basis"]


def test_bad_and_unknown_agency_codes_get_clear_4xx(demo, client):
    bad = client.get("/api/v1/standards", {"agency": "<script>"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Kode instansi tidak sah."
    unknown = client.get("/api/v1/standards", {"agency": "TIDAK-ADA"})
    assert unknown.status_code == 404


def test_drafts_are_not_public(demo, client, client_for):
    from layanan.accounts.models import User
    from layanan.standards import services
    from layanan.standards.models import Service

    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    admin = User.objects.get(agency__code="DINSOS-SEKADAU", positions__role="agency_admin")
    draft = services.new_version(service.published_standard, admin)
    draft.product = "DRAF RAHASIA"
    draft.save()
    body = client.get("/api/v1/standards", {"agency": "DINSOS-SEKADAU"}).content.decode()
    assert "DRAF RAHASIA" not in body


def test_openapi_document_describes_the_endpoint(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/standards" in doc["paths"]
    assert set(doc["components"]["schemas"]["Service"]["required"]) == REQUIRED_KEYS
