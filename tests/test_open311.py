"""Open311 GeoReport v2: both formats shaped like the spec's own examples (tests/data/open311/),
and a report from a civic app answered at the desk shows closed with the answer's note."""

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from layanan.accounts.models import User
from layanan.agencies.models import Unit
from layanan.api.models import ApiKey, Scope, ServiceOptions
from layanan.requests import lifecycle
from layanan.requests.models import OPEN_STATES, Channel, Request

DATA = Path(__file__).parent / "data" / "open311"
JURISDICTION = {"jurisdiction_id": "kabupaten-bangli"}
SERVICE = "DPMPTSP-BANGLI:pengaduan-masyarakat"
REPORT = {
    "service_code": SERVICE,
    "lat": "-8.4543",
    "long": "115.3549",
    "address_string": "Jl. Brigjen Ngurah Rai, depan pasar Bangli",
    "first_name": "Ni Made",
    "last_name": "Sari",
    "phone": "081238669450",
    "email": "made@example.id",
    "description": "Lubang besar di jalan depan pasar, berbahaya untuk motor.",
    "media_url": "https://example.id/foto/1.jpg",
    "attribute[nik]": "5106014101900003",
    "attribute[applicant_address]": "Jl. Merdeka 1, Bangli",
    "attribute[consent]": "ya",
    "attribute[subject]": "Jalan berlubang di depan pasar",
}


def spec_json(name):
    text = (DATA / name).read_text()
    return json.loads(re.sub(r'(":\s*)0(\d+)', r'\1"0\2"', text))  # the spec prints 001 unquoted


def spec_xml(name):
    return ET.fromstring((DATA / name).read_bytes())


def children(element):
    return {child.tag for child in element}


def assert_xml_like(ours: bytes, example: str, *, record_path: str | None = None):
    assert ours.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    mine, spec = ET.fromstring(ours), spec_xml(example)
    assert mine.tag == spec.tag
    assert mine.attrib == {} and "}" not in mine.tag  # no namespace
    if record_path:
        spec_records, my_records = spec.findall(record_path), mine.findall(record_path)
        assert my_records, example
        for record in my_records:
            assert children(record) <= children(spec_records[0]) | {"token"}, children(record) - children(
                spec_records[0]
            )
    else:
        assert children(mine) <= children(spec)


def kind(value):
    return "null" if value is None else type(value).__name__


def assert_json_like(ours, example: str):
    spec = spec_json(example)
    if isinstance(spec, list):
        assert isinstance(ours, list) and ours
        allowed = set().union(*(item.keys() for item in spec))
        for item in ours:
            assert set(item) <= allowed, set(item) - allowed
            for key, value in item.items():
                spec_values = {kind(s.get(key)) for s in spec if key in s}
                assert kind(value) in spec_values | {"null", "str", "float", "int"}, (key, value)
    else:
        assert set(ours) <= set(spec)


@pytest.fixture
def keys(demo):
    bangli = demo["DPMPTSP-BANGLI"]
    _k, intake = ApiKey.issue(agency=bangli, name="kota pintar", scope=Scope.INTAKE)
    _k, reader = ApiKey.issue(agency=bangli, name="dasbor", scope=Scope.READ_PUBLIC)
    _k, other = ApiKey.issue(agency=demo["DINSOS-SEKADAU"], name="lain", scope=Scope.INTAKE)
    return {"intake": intake, "reader": reader, "other": other}


def test_discovery_services_and_definition_in_both_formats_follow_the_spec(client, keys):
    for fmt in ("xml", "json"):
        discovery = client.get(f"/open311/v2/discovery.{fmt}")
        assert discovery.status_code == 200
        services = client.get(f"/open311/v2/services.{fmt}", JURISDICTION)
        definition = client.get(f"/open311/v2/services/{SERVICE}.{fmt}", JURISDICTION)
        if fmt == "xml":
            assert discovery["Content-Type"] == "text/xml; charset=utf-8"
            assert_xml_like(discovery.content, "discovery.xml")
            assert_xml_like(services.content, "services.xml", record_path="service")
            assert_xml_like(definition.content, "service_definition.xml", record_path="attributes/attribute")
            codes = [e.text for e in ET.fromstring(services.content).iter("service_code")]
        else:
            assert discovery["Content-Type"] == "application/json; charset=utf-8"
            assert_json_like(discovery.json(), "discovery.json")
            assert_json_like(services.json(), "services.json")
            assert set(definition.json()) == set(spec_json("service_definition.json"))
            codes = [s["service_code"] for s in services.json()]
            attributes = {a["code"]: a for a in definition.json()["attributes"]}
            assert attributes["consent"]["required"] is True
            assert any(not a["variable"] for a in attributes.values())  # the standard's requirements
        assert SERVICE in codes


def test_a_report_is_answered_at_the_desk_and_shows_closed_with_the_answers_note(client, keys):
    created = client.post("/open311/v2/requests.json", {**REPORT, **JURISDICTION, "api_key": keys["intake"]})
    assert created.status_code == 201, created.content
    assert_json_like(created.json(), "post_request.json")
    code = created.json()[0]["service_request_id"]
    request = Request.objects.get(tracking_code=code)
    assert request.channel == Channel.API
    assert request.location_lat == pytest.approx(-8.4543) and "pasar" in request.location_text
    assert "https://example.id/foto/1.jpg" in request.description

    answer = "Lubang sudah ditambal oleh Dinas PUPR pada 2 Desember."
    answer_at_the_desk(request, answer)

    for fmt in ("json", "xml"):
        shown = client.get(f"/open311/v2/requests/{code}.{fmt}", {**JURISDICTION, "api_key": keys["reader"]})
        assert shown.status_code == 200
        if fmt == "json":
            [record] = shown.json()
            assert_json_like(shown.json(), "request.json")
            assert record["status"] == "closed"
            assert record["status_notes"] == answer
            assert record["agency_responsible"].startswith("Dinas Penanaman Modal")
            assert record["description"] is None  # the reporter's words: desk keys only
            assert record["expected_datetime"] and record["expected_datetime"].endswith("Z")
        else:
            assert_xml_like(shown.content, "request.xml", record_path="request")
            assert ET.fromstring(shown.content).find("request/status").text == "closed"


def answer_at_the_desk(request, note):
    """Staff work the complaint through its procedure (lifecycle, each step by who holds it)."""
    staff = list(User.objects.filter(agency=request.agency, is_active=True))
    unit = Unit.objects.filter(agency=request.agency).first()
    for _round in range(40):
        request.refresh_from_db()
        if request.state not in OPEN_STATES:
            return request
        for user in staff:
            names = {a.name for a in lifecycle.available_actions(request, user)}
            if "advance" in names:
                lifecycle.perform(request, user, "advance", note=note, public=True, product_text=note)
                break
            if "dispose" in names and request.current_step.action == "dispose":
                lifecycle.perform(request, user, "dispose", note="Mohon ditindaklanjuti.", to_unit=unit)
                break
        else:
            raise AssertionError(f"nobody can act on step {request.current_step}")
    raise AssertionError("the procedure did not end")


def test_requests_list_filters_and_the_token_of_a_retry(client, keys):
    first = client.post(
        "/open311/v2/requests.xml",
        {**REPORT, **JURISDICTION, "api_key": keys["intake"]},
        HTTP_IDEMPOTENCY_KEY="app-report-77",
    )
    assert first.status_code == 201
    assert_xml_like(first.content, "post_request.xml", record_path="request")
    code = ET.fromstring(first.content).find("request/service_request_id").text
    again = client.post(
        "/open311/v2/requests.xml",
        {**REPORT, **JURISDICTION, "api_key": keys["intake"]},
        HTTP_IDEMPOTENCY_KEY="app-report-77",
    )
    assert ET.fromstring(again.content).find("request/service_request_id").text == code
    assert Request.objects.filter(tracking_code=code).count() == 1
    token = client.get("/open311/v2/tokens/app-report-77.json", {**JURISDICTION, "api_key": keys["intake"]})
    assert token.json() == [{"service_request_id": code, "token": "app-report-77"}]
    assert_json_like(token.json(), "token.json")
    listed = client.get(
        "/open311/v2/requests.json", {**JURISDICTION, "api_key": keys["reader"], "status": "open"}
    )
    assert [r["service_request_id"] for r in listed.json()] == [code]
    closed = client.get(
        "/open311/v2/requests.json", {**JURISDICTION, "api_key": keys["reader"], "status": "closed"}
    )
    assert closed.json() == []


def test_errors_use_the_specs_format_and_codes(client, keys):
    no_key = client.post("/open311/v2/requests.xml", {**REPORT, **JURISDICTION})
    assert no_key.status_code == 403
    assert_xml_like(no_key.content, "errors.xml", record_path="error")
    other = client.post("/open311/v2/requests.json", {**REPORT, **JURISDICTION, "api_key": keys["other"]})
    assert other.status_code == 403
    assert_json_like(other.json(), "errors.json")
    assert client.get("/open311/v2/services.json").status_code == 400  # jurisdiction_id required
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "atlantis"}).status_code == 404
    assert client.get("/open311/v2/services/NOPE:x.json", JURISDICTION).status_code == 404
    no_place = {k: v for k, v in REPORT.items() if k not in ("lat", "long", "address_string")}
    assert (
        client.post(
            "/open311/v2/requests.json", {**no_place, **JURISDICTION, "api_key": keys["intake"]}
        ).status_code
        == 400
    )
    bad_nik = client.post(
        "/open311/v2/requests.json",
        {**REPORT, **JURISDICTION, "api_key": keys["intake"], "attribute[nik]": "123"},
    )
    assert bad_nik.status_code == 400 and "nik" in bad_nik.json()[0]["description"]
    assert (
        client.get("/open311/v2/requests/XYZ.json", {**JURISDICTION, "api_key": keys["reader"]}).status_code
        == 404
    )
    other_agency = client.get("/open311/v2/requests.json", {**JURISDICTION, "api_key": keys["other"]})
    assert other_agency.status_code == 403  # a key of another region's agency
    assert not Request.objects.exists()


def test_a_complaint_service_may_require_the_location(client, keys, demo):
    service = demo["DPMPTSP-BANGLI"].services.get(code="pengaduan-masyarakat")
    ServiceOptions.objects.create(service=service, location_required=True)
    body = {
        "agency": "DPMPTSP-BANGLI",
        "service": "pengaduan-masyarakat",
        "name": "Ni Made Sari",
        "nik": "5106014101900003",
        "phone": "081238669450",
        "address": "Bangli",
        "subject": "Aduan",
        "description": "Uraian.",
        "consent": True,
    }
    refused = client.post("/api/v1/requests", body, content_type="application/json")
    assert refused.status_code == 400 and "location_text" in refused.json()["error"]["fields"]
    ok = client.post(
        "/api/v1/requests", {**body, "location_text": "Depan pasar"}, content_type="application/json"
    )
    assert ok.status_code == 201
    page = client.get(f"/{'DPMPTSP-BANGLI'}/pengaduan-masyarakat/ajukan/")
    assert "location_text" in page.content.decode()


def test_the_requests_list_shows_each_latest_public_note_in_queries_that_do_not_grow_with_rows(client, keys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def report_with_note(n):
        created = client.post(
            "/open311/v2/requests.json",
            {**REPORT, **JURISDICTION, "api_key": keys["intake"]},
            HTTP_IDEMPOTENCY_KEY=f"app-report-{n}",
        )
        request = Request.objects.get(tracking_code=created.json()[0]["service_request_id"])
        user = next(
            u
            for u in User.objects.filter(agency=request.agency, is_active=True)
            if "note" in {a.name for a in lifecycle.available_actions(request, u)}
        )
        lifecycle.perform(request, user, "note", note=f"Catatan lama {n}.", public=True)
        lifecycle.perform(request, user, "note", note=f"Sedang dicek petugas {n}.", public=True)
        return request.tracking_code

    def listing():
        with CaptureQueriesContext(connection) as queries:
            listed = client.get("/open311/v2/requests.json", {**JURISDICTION, "api_key": keys["reader"]})
        assert listed.status_code == 200
        return {r["service_request_id"]: r["status_notes"] for r in listed.json()}, len(queries)

    first = report_with_note(1)
    notes, one_row = listing()
    assert notes == {first: "Sedang dicek petugas 1."}
    codes = [report_with_note(n) for n in (2, 3, 4)]
    notes, four_rows = listing()
    assert notes == {first: "Sedang dicek petugas 1.", **{c: f"Sedang dicek petugas {n}." for n, c in
                                                           zip((2, 3, 4), codes, strict=True)}}
    assert four_rows == one_row
