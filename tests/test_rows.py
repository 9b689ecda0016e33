"""core.rows.insert: new rows written as save() would write them, the statement compiled once.

The submission's five INSERTs go through it (issue 13), so what it writes must read back exactly
as the ORM would have written it, and every post_save receiver must still hear of the row."""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------- batched(): inserts that do not wait


def test_rows_that_did_not_wait_have_their_keys_and_post_save_when_the_batch_ends(demo):
    """On PostgreSQL the checks go out unanswered and are read at the block's end; on SQLite the
    block does nothing. Either way, after it, the rows are saved as insert() saves them."""
    request = new_request()
    requirements = list(request.standard.requirements.all())[:2]
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.requirement_id, instance.pk is not None, created))

    post_save.connect(receiver, sender=RequirementCheck, weak=False)
    try:
        with transaction.atomic(), rows.batched():
            checks = rows.insert([RequirementCheck(request=request, requirement=r, satisfied=True)
                                  for r in requirements], wait=False)
            if connection.vendor == "postgresql":
                assert heard == [] and all(c.pk is None for c in checks)  # answered at the end
    finally:
        post_save.disconnect(receiver, sender=RequirementCheck)
    assert heard == [(r.pk, True, True) for r in requirements]
    assert all(not c._state.adding for c in checks)
    assert sorted(request.checks.values_list("pk", flat=True)) == sorted(c.pk for c in checks)


def test_a_submission_sends_its_rows_to_postgresql_in_one_answer_not_five(demo):
    """The request's key is drawn ahead, so the request, its subject keys, checks, first event and
    receipt go together and are answered together."""
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")
    import psycopg

    waits = []
    original = psycopg.Connection.wait

    def counting_wait(self, gen, *args, **kwargs):
        waits.append(getattr(gen, "__qualname__", ""))
        return original(self, gen, *args, **kwargs)

    psycopg.Connection.wait = counting_wait
    try:
        request = new_request(applicant_email="sari@example.id")
    finally:
        psycopg.Connection.wait = original
    # The rows are all there …
    assert SubjectKey.objects.filter(request=request).count() == 3  # NIK, phone, e-mail
    assert request.events.count() == 1 and request.outbox.count() == 1
    # … and none of the five INSERTs was waited on alone: only the pipeline's end.
    assert waits.count("BasePipeline._fetch_gen") == 0
    assert waits.count("BasePipeline._exit_gen") == 1


def protocol_trace(run) -> list[str]:
    """The frontend's messages to PostgreSQL while `run()` runs (libpq's trace), e.g. 'Sync'."""
    import tempfile

    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            run()
        finally:
            pgconn.untrace()
        trace.seek(0)
        messages = [line.split("\t") for line in trace.read().splitlines() if line.startswith("F\t")]
    # 'Parse BEGIN', 'Parse INSERT', 'Sync', 'Query' (a simple query: psycopg's COMMIT), …
    return [f"Parse {fields[3].split(chr(34))[3].split()[0]}" if fields[2] == "Parse" else fields[2]
            for fields in messages]


def test_a_submission_s_begin_travels_with_its_rows_and_its_commit_follows_their_answer(seeded):
    """Outside a test's own transaction, as on a server: psycopg would BEGIN and wait for that
    alone (psycopg#401); the batch sends the BEGIN at the head of its rows instead. What reaches
    PostgreSQL: BEGIN, the five INSERTs, one Sync (one answer), then COMMIT."""
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")
    from layanan.requests import published

    standard = published.published_standard("DPMPTSP-BANGLI", "pengaduan-masyarakat")  # as the form has it
    new_request()  # keys drawn ahead and the connection's health checked: the next one is typical

    def submit():
        lifecycle.submit(standard=standard, channel="web", subject="Jalan rusak di depan pasar",
                         applicant={"applicant_name": "Ni Made Sari", "applicant_nik": "5106014507920003",
                                    "applicant_email": "sari@example.id"},
                         checks={standard.requirements.all()[0].pk: True})

    sent = protocol_trace(submit)
    sent = sent[:sent.index("Query") + 1]  # up to the COMMIT (the receipt is then sent, in tests inline)
    # request, subject key, check, event, receipt
    assert [m for m in sent if m.startswith("Parse")] == ["Parse BEGIN"] + ["Parse INSERT"] * 5
    last_insert = len(sent) - 1 - sent[::-1].index("Parse INSERT")
    assert sent.count("Sync") == 1 and sent.index("Sync") > last_insert  # one answer for them all
    assert sent[-1] == "Query"  # then the COMMIT
    assert connection.connection.autocommit is True  # psycopg is left as Django left it
    assert Request.objects.count() == 2


def test_a_retried_submission_with_the_begin_in_the_batch_returns_the_first_request(seeded):
    """The retry's INSERT is refused at the batch's end, inside the transaction the batch began:
    rolled back, the first request handed back, the connection as usable as before."""
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")

    def submit():
        return lifecycle.submit(standard=bangli_standard(), channel="web", subject="Jalan rusak",
                                applicant={"applicant_name": "Ni Made Sari"}, idempotency_key="form-token-1")

    first, created = submit()
    again, created_again = submit()
    assert created and (again.pk, created_again) == (first.pk, False)
    assert connection.connection.autocommit is True and connection.get_autocommit() is True
    assert new_request().pk != first.pk  # the connection goes on
    assert Request.objects.filter(idempotency_key="form-token-1").count() == 1
    assert Event.objects.filter(request=first).count() == 1


def test_an_error_after_the_batch_s_begin_leaves_nothing_and_the_connection_usable(seeded):
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's")
    request = new_request()
    before = Request.objects.count(), Event.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), rows.batched():
        lifecycle._event(request, lifecycle.access.SYSTEM, "note", timezone.now(), note="tidak jadi")
        1 / 0  # noqa: B018
    assert (Request.objects.count(), Event.objects.count()) == before
    assert connection.connection.autocommit is True
    assert new_request().pk


def test_a_duplicate_among_rows_that_did_not_wait_rolls_the_whole_transaction_back(demo):
    request = new_request()
    first = request.standard.requirements.first()
    rows.insert([RequirementCheck(request=request, requirement=first)])
    events = request.events.count()
    with pytest.raises(IntegrityError), transaction.atomic(), rows.batched():
        lifecycle._event(request, lifecycle.access.SYSTEM, "note", timezone.now(), note="sebelum")
        rows.insert([RequirementCheck(request=request, requirement=first)], wait=False)
    assert request.events.count() == events  # the event written before it is gone too
    assert request.checks.count() == 1


def test_an_update_inside_a_batch_is_refused_not_taken_for_no_row(demo):
    """The ORM reads an UPDATE's row count at once; in a pipeline it is not there yet, and save()
    would INSERT the request a second time. The batch refuses it loudly instead."""
    if connection.vendor != "postgresql":
        pytest.skip("the batch does nothing on SQLite")
    request = new_request()
    with pytest.raises(RuntimeError, match="UPDATE or DELETE"), transaction.atomic(), rows.batched():
        request.subject = "Diubah"
        request.save()
    request.refresh_from_db()
    assert request.subject == "Jalan rusak di depan pasar"


# ---------------------------------------------------------------- the health check (core/postgresql)


def test_a_kept_healthy_connection_is_usable_without_a_query_and_a_terminated_one_is_not(
        transactional_db, monkeypatch):
    """CONN_HEALTH_CHECKS asked `SELECT 1` before every request's first query. A connection the
    server closed has its goodbye waiting on the socket; a healthy idle one has nothing: only the
    former needs the query — and is replaced, not used for a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    import time

    import psycopg

    connection.ensure_connection()
    sent = []
    original = psycopg.Connection.wait
    monkeypatch.setattr(psycopg.Connection, "wait",
                        lambda self, gen, *a, **k: sent.append(gen) or original(self, gen, *a, **k))
    assert connection.is_usable()
    assert sent == []  # no round trip for a healthy idle connection
    with connection.cursor() as cursor:  # a transaction left open: Django's SELECT 1 decides
        connection.set_autocommit(False)
        cursor.execute("SELECT 1")
        assert connection.is_usable() and sent
        connection.rollback()
        connection.set_autocommit(True)
    params = connection.get_connection_params()
    with psycopg.connect(host=params.get("host", ""), port=params.get("port", ""),
                         user=params.get("user", ""), dbname="postgres", autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    for _attempt in range(50):  # the goodbye arrives at once on loopback; allow a slow machine
        if not connection.is_usable():
            break
        time.sleep(0.02)
    else:
        pytest.fail("a terminated connection was still taken for usable")
    old_pid = connection.connection.info.backend_pid
    connection.close_if_unusable_or_obsolete()  # what Django does at a request's start
    assert Request.objects.exists() in (True, False)  # no error: a new connection answers
    assert connection.connection.info.backend_pid != old_pid


def test_keys_drawn_ahead_are_unique_and_a_forked_worker_draws_its_own(demo):
    """Keys come from the table's sequence, 32 at a time per process; a child forked by gunicorn
    must never hand out its parent's (os.register_at_fork drops the pool)."""
    if connection.vendor != "postgresql":
        assert rows.reserve_key(Request) is None  # SQLite: the INSERT returns the key
        return
    import os

    rows.forget_reserved_keys()
    first = [rows.reserve_key(Request) for _i in range(rows.KEYS_PER_DRAW + 3)]
    assert len(set(first)) == len(first)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own connection (the parent's stays the parent's), its own keys
        try:
            connection.connection = None
            connection.in_atomic_block = False
            connection.atomic_blocks = []
            os.write(write, str(rows.reserve_key(Request)).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child_key = int(os.read(read, 100) or 0)
    os.close(read)
    assert child_key and child_key not in first
    assert rows.reserve_key(Request) not in first + [child_key]


def test_a_keyed_insert_writes_the_key_it_was_given(demo):
    if connection.vendor != "postgresql":
        pytest.skip("keys are drawn ahead on PostgreSQL only")
    request = new_request()
    event = Event(request=request, at=timezone.now(), action="note", note="kunci sendiri")
    event.pk = rows.reserve_key(Event)
    with pytest.raises(ValueError):
        rows.insert([Event(request=request, at=timezone.now(), action="note")], keyed=True)  # no key
    rows.insert([event], keyed=True)
    assert Event.objects.get(pk=event.pk).note == "kunci sendiri"


# ---------------------------------------------------------------- plain values sent as they are

PLAIN_SAMPLES = {
    str: st.text(max_size=40),
    bool: st.booleans(),
    int: st.integers(min_value=0, max_value=2**31 - 1),
    float: st.floats(allow_nan=False, allow_infinity=False),
    datetime.date: st.dates(),
    datetime.datetime: st.datetimes(timezones=st.just(datetime.UTC)),
}


def plain_columns():
    """(model, field, types) of every column of every model that insert() sends as it is."""
    found = []
    for model in apps.get_models():
        try:  # keyed: the primary key too (a key drawn ahead)
            written, shortcuts = rows._columns(model)[0], rows._plain(model, connection.alias, True)
        except ValueError:  # a model insert() does not write (parents, no generated key)
            continue
        found += [(model, field, shortcut[0])
                  for field, shortcut in zip((model._meta.pk, *written), shortcuts, strict=True)
                  if shortcut is not None]
    return found


def test_the_request_s_columns_are_mostly_plain_and_its_personal_data_never(db):
    plain = {field.name for model, field, _types in plain_columns() if model is Request}
    assert {"tracking_code", "agency", "due_at", "confidential", "letter_date", "version"} <= plain
    assert not plain & {"applicant_nik", "applicant_phone", "applicant_address"}  # encrypted: Django's way
    assert "created_at" not in plain  # auto_now_add: pre_save sets it
    assert "id" in plain  # a key drawn ahead


@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_plain_value_is_sent_exactly_as_django_would_send_it(db, data):
    model, field, types = data.draw(st.sampled_from(plain_columns()))
    value = data.draw(st.one_of(st.none(), *[PLAIN_SAMPLES[t] for t in types]))
    obj = model()
    setattr(obj, field.attname, value)
    [sent] = rows._prepared(obj, [field], rows._plain_of([field], connection), connection)
    expected = field.get_db_prep_save(field.pre_save(obj, True), connection)
    assert type(sent) is type(expected)
    assert sent == expected


def test_values_that_are_not_plain_take_django_s_way(db):
    obj = Event(note=gettext_lazy("Permohonan diterima."), at=datetime.datetime(2026, 11, 30, 9, 0))
    fields = [Event._meta.get_field("note"), Event._meta.get_field("at")]
    with pytest.warns(RuntimeWarning, match="naive datetime"):  # Django's warning, from Django's code
        sent = rows._prepared(obj, fields, rows._plain_of(fields, connection), connection)
    assert sent[0] == "Permohonan diterima." and type(sent[0]) is str
    assert sent[1] == fields[1].get_db_prep_save(timezone.make_aware(obj.at), connection)
