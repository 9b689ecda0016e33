"""INSERT new rows with the statement compiled once per model: the submission's hot path.

`Model.save()` and `QuerySet.bulk_create()` build the INSERT anew on every call: for each
column, expression checks, placeholders, quoting of the column name, then psycopg's quoting of
the values. A web submission writes five such rows (the request with its ~45 columns, its
subject keys, requirement checks, first event and outbox message), and building those
statements was the largest part of its CPU time (docs/benchmarks.md, issue 13).

`insert(objs)` writes new instances of one model in one statement and behaves as `save()` does
for a new row: each field's `pre_save` (auto_now_add), the `pre_save` and `post_save` signals
(so every receiver connected in an AppConfig.ready runs as before), the primary key set from
RETURNING, `_state` marked saved. What it does not do, it refuses: a value that is a query
expression (F(), a subquery, a database default), a model with parents, or a primary key given
by the caller (other than one from `reserve_key()`, below). Unique and foreign-key violations
surface as Django's IntegrityError, as they do from save().

`batched()` sends several INSERTs without waiting for each (psycopg's pipeline mode on
PostgreSQL): rows written with `insert(objs, wait=False)` inside the block get their keys, their
saved `_state` and their post_save signal when the block ends, all answered in one round trip. The
submission writes its request with a key drawn ahead (below), then its subject keys, checks,
first event and outbox message without waiting: five round trips to PostgreSQL become one (and
when the batch holds the transaction's first statement, the BEGIN travels with them). A
violation by a row that did not wait surfaces as IntegrityError when the block
ends, inside the caller's transaction, which rolls it all back. On SQLite, or a libpq without
pipeline mode, the block does nothing and every insert() waits, as before.

`reserve_key(model)` hands out a primary key drawn ahead from the table's own sequence
(PostgreSQL; 32 at a time per process, the pool dropped in a forked child). A row written with
`insert(objs, keyed=True)` carries its key in the INSERT, so nothing has to wait for RETURNING:
the submission's request goes into the batch like the rest, and its post_save (the privacy index)
runs at once. Keys are unique as the sequence's are; they are not in creation order across
processes (nothing orders requests by key alone), and keys a process never used are gaps.
"""

import datetime
import os
import threading
from contextlib import contextmanager
from functools import cache, lru_cache, partial

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import signals
from django.db.models.expressions import DatabaseDefault


def insert(objs: list, *, using: str | None = None, wait: bool = True, keyed: bool = False) -> list:
    """INSERT new instances of one model in one statement; returns them with their pk set.

    `wait=False` inside `batched()`: the statement is sent and the block goes on; the pk, the
    saved state and post_save come when the block ends (nothing may read the pk before).
    `keyed=True`: every instance carries a key from `reserve_key()`; nothing is returned, so
    post_save comes at once even when the statement did not wait."""
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    using = using or router.db_for_write(model)
    connection = connections[using]
    fields, _returning = _columns(model)
    if keyed:
        fields = (opts.pk, *fields)
    if any(type(obj) is not model or (obj.pk is not None) != keyed or not obj._state.adding
           for obj in objs):
        raise ValueError("insert() takes new instances of one model (with reserved keys if keyed)")
    plain = _plain(model, connection.alias, keyed)
    params = []
    for obj in objs:
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        obj._prepare_related_fields_for_save(operation_name="insert")
        params += _prepared(obj, fields, plain, connection)
    pending = getattr(connection, "_rows_batch", None)
    deferred = pending is not None and (keyed or not wait)
    # PostgreSQL: the values go beside the statement (server-side binding, dumped by psycopg's C
    # code) instead of quoted into it in Python — a request's row has ~45 of them.
    binding = getattr(connection, "binding_cursor", None)
    cursor = binding() if binding is not None else connection.cursor()
    try:
        cursor.execute(_sql(model, len(objs), connection.alias, keyed), params)
        rows = None if keyed or deferred else connection.ops.fetch_returned_insert_rows(cursor)
    finally:
        if deferred:  # answered (or refused) when the batch ends; a keyed row has nothing to read
            pending.append((cursor, None if keyed else objs))
        else:
            cursor.close()
    if keyed or not deferred:
        _saved(objs, rows, connection)
    return objs


@contextmanager
def batched(using: str | None = None):
    """Send the inserts of the block that do not wait without waiting for each (see the module)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or getattr(connection, "_rows_batch", None) is not None:
        yield  # SQLite, or already inside a batch: the outer block reads them
        return
    import psycopg

    connection.close_if_health_check_failed()  # as the first cursor would, before the BEGIN below
    connection.ensure_connection()
    if not psycopg.Pipeline.is_supported():
        yield
        return
    pending: list = []  # (cursor, the rows it wrote, or None for keyed rows: saved already)
    connection._rows_batch = pending
    pg = connection.connection
    begins = _begins_with_batch(connection, pg)
    try:
        # A violation found when the pipeline is synced at its end is psycopg's error: Django's
        # wrapper turns it into django.db.IntegrityError as execute() would have.
        with (connection.wrap_database_errors, connection.execute_wrapper(_no_row_counts),
              pg.pipeline()):
            if begins:
                pg._autocommit = True  # psycopg adds no BEGIN of its own (see _begins_with_batch)
                pg.wait(pg._exec_command(b"BEGIN"))  # queued: sent with the first row
            yield
        answered = [(objs, connection.ops.fetch_returned_insert_rows(cursor))
                    for cursor, objs in pending if objs is not None]
    finally:
        if begins:
            pg._autocommit = False  # the transaction Django opened goes on (or is rolled back) as ever
        connection._rows_batch = None
        for cursor, _objs in pending:
            cursor.close()
    for objs, rows in answered:  # outside the pipeline: receivers may write as they like
        _saved(objs, rows, connection)


def _begins_with_batch(connection, pg) -> bool:
    """Whether the batch sends the transaction's BEGIN itself, with its rows.

    Inside Django's atomic() psycopg opens the transaction lazily, before the first statement; in
    a pipeline it then syncs and waits for the BEGIN's answer alone (so that it knows the
    transaction is open: psycopg#401) — a round trip of its own, the batch's first statement
    paying it. When the batch holds the transaction's first statement, it sends the BEGIN itself
    instead, at the head of the pipeline, with psycopg told the connection is in autocommit for
    the block's length so that it adds none; the one answer at the block's end says the
    transaction is open. Only for a plain BEGIN (no isolation level, read-only or deferrable
    asked for): anything else is left to psycopg."""
    from psycopg import pq

    return (not connection.get_autocommit() and not pg.autocommit
            and pg.info.transaction_status == pq.TransactionStatus.IDLE
            and pg.isolation_level is None and pg.read_only is None and pg.deferrable is None)


def _no_row_counts(execute, sql, params, many, context):
    """Inside a batch an UPDATE or DELETE would be answered only at its end: the ORM, reading its
    row count at once, would take "no row" for an answer (save() would then INSERT). Refused."""
    if sql.lstrip()[:6].upper() in ("UPDATE", "DELETE"):
        raise RuntimeError("core.rows.batched(): an UPDATE or DELETE inside the batch cannot be "
                           "answered before it ends; write it after the block")
    return execute(sql, params, many, context)


def _saved(objs: list, rows, connection) -> None:
    """What save() does once the row is in: the returned values (none for a keyed row, rows=None),
    the saved state, post_save."""
    model = type(objs[0])
    _written, returning = _columns(model)
    using = connection.alias
    for index, obj in enumerate(objs):
        if rows is not None:
            for field, value in zip(returning, rows[index], strict=True):
                for converter in field.get_db_converters(connection):
                    value = converter(value, field, connection)
                setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
        signals.post_save.send(sender=model, instance=obj, created=True, update_fields=None,
                               raw=False, using=using)


@cache
def _columns(model) -> tuple[tuple, tuple]:
    """(the columns written, the columns returned): all concrete fields but the generated key."""
    opts = model._meta
    if opts.parents:
        raise ValueError(f"insert() does not write models with parents ({opts.label})")
    written = tuple(f for f in opts.local_concrete_fields
                    if f is not opts.pk and not getattr(f, "generated", False))
    if opts.pk not in opts.local_concrete_fields or not opts.pk.db_returning:
        raise ValueError(f"insert() needs a generated primary key ({opts.label})")
    return written, tuple(f for f in opts.local_concrete_fields if f.db_returning)


# ---------------------------------------------------------------- plain values, sent as they are

# get_db_prep_save() runs five or six calls per column to turn, say, a str into the same str:
# ~2 µs a column, ~70 columns a submission. For the field classes below, with Django's own
# methods (a subclass that overrides one, like EncryptedTextField, is not plain), a value of the
# listed types needs no call or exactly the backend adapter Django would call; any other value,
# and every other field, takes get_db_prep_save() (tests/test_rows.py compares the two).
AWARE = (datetime.datetime,)  # with its tzinfo: a naive one gets Django's warning and conversion


def _plain_field(field, connection):
    """(value types taken as they are, the backend adapter or None) or None: not plain."""
    from django.db.models import fields as f
    from django.db.models.fields.related import ForeignKey

    cls, ops = type(field), connection.ops
    if cls.get_db_prep_save is not f.Field.get_db_prep_save and cls is not ForeignKey:
        return None
    if cls.pre_save not in (f.Field.pre_save, f.DateField.pre_save, f.DateTimeField.pre_save) or (
            getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
        return None
    if (cls.get_db_prep_value is f.Field.get_db_prep_value
            and cls.get_prep_value in (f.CharField.get_prep_value, f.TextField.get_prep_value)
            and cls.to_python in (f.CharField.to_python, f.TextField.to_python)):
        return (str,), None
    if (cls.get_db_prep_value is f.Field.get_db_prep_value
            and cls.get_prep_value is f.BooleanField.get_prep_value
            and cls.to_python is f.BooleanField.to_python):
        return (bool,), None
    if (cls.get_db_prep_value is f.Field.get_db_prep_value
            and cls.get_prep_value is f.FloatField.get_prep_value):
        return (float,), None
    if (cls.get_db_prep_value is f.IntegerField.get_db_prep_value
            and cls.get_prep_value is f.IntegerField.get_prep_value):
        return (int,), partial(ops.adapt_integerfield_value, internal_type=field.get_internal_type())
    if (cls.get_db_prep_value is f.DateField.get_db_prep_value
            and cls.get_prep_value is f.DateField.get_prep_value and cls.to_python is f.DateField.to_python):
        return (datetime.date,), ops.adapt_datefield_value
    if (cls.get_db_prep_value is f.DateTimeField.get_db_prep_value
            and cls.get_prep_value is f.DateTimeField.get_prep_value
            and cls.to_python is f.DateTimeField.to_python):
        return AWARE, ops.adapt_datetimefield_value
    if cls is ForeignKey or isinstance(field, f.AutoFieldMixin):
        target = field.target_field if cls is ForeignKey else field
        if (isinstance(target, f.AutoFieldMixin)
                and type(target).get_db_prep_value is f.AutoFieldMixin.get_db_prep_value
                and type(target).get_prep_value is f.IntegerField.get_prep_value):
            return (int,), ops.validate_autopk_value
    return None


def _prepared(obj, fields, plain, connection) -> list:
    """The values of `obj`'s `fields` as save() would send them (`plain`: _plain_of(fields))."""
    params = []
    for field, shortcut in zip(fields, plain, strict=True):
        if shortcut is not None:  # a plain value of a plain field: sent as Django would send it
            value = getattr(obj, field.attname)
            if value is None:
                params.append(None)
                continue
            kinds, adapt = shortcut
            if type(value) in kinds and (kinds is not AWARE or value.tzinfo is not None):
                params.append(value if adapt is None else adapt(value))
                continue
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression") or isinstance(value, DatabaseDefault):
            raise ValueError(f"insert() cannot write an expression into {obj._meta.label}.{field.name}")
        params.append(field.get_db_prep_save(value, connection))
    return params


@lru_cache(maxsize=256)  # (model, database, keys given)
def _plain(model, alias: str, keyed: bool) -> tuple:
    """_plain_field() of each column insert() writes, in order."""
    written = _columns(model)[0]
    if keyed:
        written = (model._meta.pk, *written)
    return _plain_of(written, connections[alias])


def _plain_of(fields, connection) -> tuple:
    return tuple(_plain_field(field, connection) for field in fields)


@lru_cache(maxsize=256)  # (model, rows in the statement, database, keys given)
def _sql(model, count: int, alias: str, keyed: bool = False) -> str:
    connection = connections[alias]
    qn = connection.ops.quote_name
    written, returning = _columns(model)
    if keyed:  # the key is written; nothing else is generated by the database
        written, returning = (model._meta.pk, *written), ()
    row = "(" + ", ".join(["%s"] * len(written)) + ")"
    columns = ", ".join(qn(f.column) for f in written)
    returning_sql = connection.ops.return_insert_columns(returning)[0] if returning else ""
    return (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "
            f"{', '.join([row] * count)} {returning_sql}").rstrip()


# ---------------------------------------------------------------- keys drawn ahead

KEYS_PER_DRAW = 32
_reserved: dict[tuple[str, type], list[int]] = {}
_reserved_lock = threading.Lock()
os.register_at_fork(after_in_child=_reserved.clear)  # a forked worker never reuses its parent's


def reserve_key(model, using: str | None = None) -> int | None:
    """A primary key for one new row of `model` (see the module); None off PostgreSQL."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with _reserved_lock:
        pool = _reserved.setdefault((using, model), [])
        if not pool:
            opts = model._meta
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [connection.ops.quote_name(opts.db_table), opts.pk.column, KEYS_PER_DRAW])
                pool.extend(sorted((row[0] for row in cursor.fetchall()), reverse=True))
        return pool.pop()


def forget_reserved_keys() -> None:
    """Drop every key drawn ahead (after a restore reset the sequences; tests)."""
    with _reserved_lock:
        _reserved.clear()
