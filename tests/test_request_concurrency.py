"""Two simultaneous transitions on one request: exactly one wins, the other gets a Conflict."""

import threading

import pytest
from django.db import connection

from layanan.accounts.models import User
from layanan.requests import lifecycle
from layanan.requests.models import Request
from layanan.standards.models import Service

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clicks_on_the_same_version_only_one_wins(seeded):
    svc = Service.objects.get(agency__code="DINSOS-SEKADAU")
    request, _ = lifecycle.submit(standard=svc.published_standard, channel="counter", subject="Uji",
                                  applicant={"applicant_name": "Warga"})
    officer = User.objects.get(username="dinsos.petugas")
    seen_version = request.version
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            lifecycle.perform(Request.objects.get(pk=request.pk), officer, "advance",
                              expected_version=seen_version)
            outcomes.append("ok")
        except lifecycle.Conflict as exc:
            outcomes.append(str(exc.messages[0]))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=len)[0] == "ok"
    assert outcomes.count("ok") == 1
    assert any("baru saja diubah oleh petugas lain" in o for o in outcomes)
    request.refresh_from_db()
    assert request.version == seen_version + 1
    assert request.events.filter(action="process").count() == 1


def test_a_stale_version_is_refused_with_a_clear_message(seeded):
    svc = Service.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO")
    request, _ = lifecycle.submit(standard=svc.published_standard, channel="counter", subject="Uji",
                                  applicant={"applicant_name": "Warga"})
    officer = User.objects.get(username="dukcapil.petugas")
    lifecycle.perform(request, officer, "advance", expected_version=1)
    with pytest.raises(lifecycle.Conflict):
        lifecycle.perform(request, officer, "advance", expected_version=1)


def test_retried_submission_with_the_same_key_creates_one_request(seeded):
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    first, created = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Uji",
                                      applicant={"applicant_name": "Warga"}, idempotency_key="k-1")
    again, created_again = lifecycle.submit(standard=svc.published_standard, channel="web",
                                            subject="Uji", applicant={"applicant_name": "Warga"},
                                            idempotency_key="k-1")
    assert created and not created_again and first.pk == again.pk
    assert Request.objects.filter(idempotency_key="k-1").count() == 1
