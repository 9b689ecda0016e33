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
by the caller. Unique and foreign-key violations surface as Django's IntegrityError, as they do
from save().
"""

from functools import cache, lru_cache

from django.db import connections, router
from django.db.models import signals
from django.db.models.expressions import DatabaseDefault


def insert(objs: list, *, using: str | None = None) -> list:
    """INSERT new instances of one model in one statement; returns them with their pk set."""
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    using = using or router.db_for_write(model)
    connection = connections[using]
    fields, returning = _columns(model)
    if any(type(obj) is not model or obj.pk is not None for obj in objs):
        raise ValueError("insert() takes new instances of one model")
    params = []
    for obj in objs:
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        obj._prepare_related_fields_for_save(operation_name="insert")
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression") or isinstance(value, DatabaseDefault):
                raise ValueError(f"insert() cannot write an expression into {opts.label}.{field.name}")
            params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, len(objs), connection.alias), params)
        rows = connection.ops.fetch_returned_insert_rows(cursor)
    for obj, row in zip(objs, rows, strict=True):
        for field, value in zip(returning, row, strict=True):
            for converter in field.get_db_converters(connection):
                value = converter(value, field, connection)
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
        signals.post_save.send(sender=model, instance=obj, created=True, update_fields=None,
                               raw=False, using=using)
    return objs


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


@lru_cache(maxsize=256)  # (model, rows in the statement, database)
def _sql(model, count: int, alias: str) -> str:
    connection = connections[alias]
    qn = connection.ops.quote_name
    written, returning = _columns(model)
    row = "(" + ", ".join(["%s"] * len(written)) + ")"
    columns = ", ".join(qn(f.column) for f in written)
    returning_sql, _params = connection.ops.return_insert_columns(returning)
    return (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "
            f"{', '.join([row] * count)} {returning_sql}")
