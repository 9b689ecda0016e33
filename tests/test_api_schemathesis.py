"""Fuzzing the whole /api/v1 OpenAPI document with schemathesis, through the WSGI app.

Every operation is called with generated valid and invalid input, with a desk key of one seed
agency (and the tracking secret header where an operation wants one): no 5xx, every status code,
content type and body as the document says. Examples are bounded so that the file runs in well
under two minutes on the CI machine.
"""

from contextlib import contextmanager

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from layanan.accounts.models import User
from layanan.api.models import ApiKey, Scope

EXAMPLES = 12  # per operation and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def connection_kept_open():
    """The WSGI app inside the test's transaction: like django.test.Client, keep the connection open
    (after any use of the test client, which reconnects the signal when it is done)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.API_KEY_RATE = "100000/m"
    settings.API_PUBLIC_RATE = "100000/m"
    settings.API_PUBLIC_CREATE_RATE = "100000/m"
    _key, raw = ApiKey.issue(agency=demo["DPMPTSP-BANGLI"], name="fuzz", scope=Scope.DESK,
                             staff_user=User.objects.get(username="bangli.operator"))
    return raw


def test_every_operation_answers_as_documented_and_never_5xx(fuzz_key, client):
    created = client.post("/api/v1/requests", {
        "agency": "DPMPTSP-BANGLI", "service": "pengaduan-masyarakat", "name": "Ni Made Sari",
        "nik": "5106014101900003", "phone": "081238669450", "address": "Bangli",
        "subject": "Uji", "description": "Uji fuzz.", "consent": True},
        content_type="application/json").json()
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        fuzz(schema, fuzz_key, created)


def fuzz(schema, fuzz_key, created):
    headers = {"X-Api-Key": fuzz_key, "X-Tracking-Secret": created["secret"]}
    seen: dict[str, set] = {}
    # Withdrawing ends the real request: last, so the other operations reach it open.
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: op.label.endswith("/withdraw"))
    assert len(operations) >= 10
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                fuzz_one(operation, mode, headers, created["tracking_code"], seen)
            except hypothesis.errors.Unsatisfiable:
                # Nothing in this operation can be made invalid (e.g. only optional strings).
                assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
    print(seen)  # noqa: T201 — which answers the fuzzing reached (-s shows them)
    assert set(seen) == {op.label for op in operations}
    assert any(200 in codes or 201 in codes for codes in seen.values())


def fuzz_one(operation, mode, headers, real_code, seen):
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case):
        code = (case.path_parameters or {}).get("code")
        if isinstance(code, str) and len(code) % 2 == 0:
            case.path_parameters["code"] = real_code  # reach a real request too
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.setdefault(operation.label, set()).add(response.status_code)

    call()
