"""core.rows.insert: new rows written as save() would write them, the statement compiled once.

The submission's five INSERTs go through it (issue 13), so what it writes must read back exactly
as the ORM would have written it, and every post_save receiver must still hear of the row."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layanan.core import rows
from layanan.privacy.models import SubjectKey
from layanan.requests import lifecycle
from layanan.requests.models import Event, Request, RequirementCheck
from layanan.standards.models import Service


def bangli_standard():
    return Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat").published_standard


def new_request(**applicant) -> Request:
    request, _created = lifecycle.submit(
        standard=bangli_standard(), channel="web", subject="Jalan rusak di depan pasar",
        applicant={"applicant_name": "Ni Made Sari", "applicant_nik": "5106014507920003",
                   "applicant_phone": "+6281238669451", **applicant})
    return request


def test_several_rows_are_one_statement_and_read_back_as_written(demo):
    request = new_request()
    requirements = list(request.standard.requirements.all())[:3]
    checks = [RequirementCheck(request=request, requirement=r, satisfied=i % 2 == 0)
              for i, r in enumerate(requirements)]
    with CaptureQueriesContext(connection) as captured:
        rows.insert(checks)
    assert len(captured.captured_queries) == 1
    assert all(c.pk is not None and not c._state.adding for c in checks)
    stored = {c.pk: (c.requirement_id, c.satisfied) for c in RequirementCheck.objects.filter(request=request)}
    assert {c.pk: (c.requirement_id, c.satisfied) for c in checks}.items() <= stored.items()


def test_a_request_written_by_it_reads_back_whole_with_its_personal_data_encrypted(demo):
    request = new_request(applicant_address="Jl. Merdeka 1, Bangli")
    again = Request.objects.get(pk=request.pk)
    assert (again.applicant_name, again.applicant_nik, again.applicant_address) == (
        "Ni Made Sari", "5106014507920003", "Jl. Merdeka 1, Bangli")
    assert again.created_at is not None and again.due_at == request.due_at
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_nik FROM requests_request WHERE id = %s", [request.pk])
        assert "5106014507920003" not in cursor.fetchone()[0]  # ciphertext at rest


def test_the_save_signals_are_sent_so_receivers_still_run(demo):
    heard = []

    def receiver(sender, instance, created=None, **kwargs):
        heard.append((kwargs["signal"], instance.pk, created))

    pre_save.connect(receiver, sender=Event, weak=False)
    post_save.connect(receiver, sender=Event, weak=False)
    try:
        request = new_request()
    finally:
        pre_save.disconnect(receiver, sender=Event)
        post_save.disconnect(receiver, sender=Event)
    first = request.events.get()
    assert heard == [(pre_save, None, None), (post_save, first.pk, True)]
    # The privacy index is a post_save receiver of Request: it ran.
    assert set(SubjectKey.objects.filter(request=request).values_list("kind", flat=True)) == {"nik", "phone"}


def test_a_duplicate_is_django_s_integrity_error_and_none_of_the_rows_is_written(demo):
    request = new_request()
    first, second = list(request.standard.requirements.all())[:2]
    rows.insert([RequirementCheck(request=request, requirement=first)])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert([RequirementCheck(request=request, requirement=second),
                     RequirementCheck(request=request, requirement=first)])
    assert list(request.checks.values_list("requirement", flat=True)) == [first.pk]


@pytest.mark.parametrize("bad", ["expression", "saved", "mixed"])
def test_what_it_cannot_write_like_save_it_refuses_before_writing(demo, bad):
    request = new_request()
    event = Event(request=request, at=timezone.now(), action="note")
    if bad == "expression":
        event.to_step = F("from_step")
        objs = [event]
    elif bad == "saved":
        objs = [request.events.get()]
    else:
        objs = [event, RequirementCheck(request=request, requirement=request.standard.requirements.first())]
    count = Event.objects.count()
    with pytest.raises(ValueError):
        rows.insert(objs)
    assert Event.objects.count() == count
