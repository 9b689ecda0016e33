"""Rollups the IKM is computed from, so that a region × year over a million answers is a few
thousand rows (docs/survey.md "Rollups"):

- DailyTotal: per service, unit and day, the number of respondents and per element the sum of the
  scores and the number of answers. `add_answer` keeps it in the transaction that stores the answer;
  sums and counts add up exactly, so every period and scope is a SUM over these rows.
- DeliveredRequest: one row per delivered (resolved or closed) request with its local delivery day,
  the population of the Krejcie–Morgan minimum. `request_saved` keeps it from Request's post_save
  (the lifecycle saves every change); `rebuild_delivered(since=…)` re-synchronises it nightly, and
  both rebuilds are `manage.py survey_rollup` (and the migration's backfill).

The rebuilds are raw SQL over the tables (they also run inside migrations).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connections, transaction
from django.db.models import F

from .ikm import CODES

DELIVERED = ("resolved", "closed")
_SUMS = [f"s{i}" for i in range(1, 10)]
_COUNTS = [f"c{i}" for i in range(1, 10)]


# ---------------------------------------------------------------- kept as things happen


def add_answer(response) -> None:
    """Add one stored answer to its day's totals (call inside the transaction that stored it).

    One UPDATE when the day's row exists (the usual case); else an INSERT, and when another answer
    inserted it a moment earlier, the UPDATE after all."""
    from .models import DailyTotal

    key = {"service_id": response.service_id, "unit_id": response.unit_id, "day": response.answered_on}
    scores = [getattr(response, code.lower()) for code in CODES]
    changes = {"respondents": F("respondents") + 1}
    for i, score in enumerate(scores, start=1):
        if score is not None:
            changes[f"s{i}"] = F(f"s{i}") + score
            changes[f"c{i}"] = F(f"c{i}") + 1
    rows = DailyTotal.objects.filter(**key)  # unit_id=None is IS NULL
    if rows.update(**changes):
        return
    first = {f"s{i}": score or 0 for i, score in enumerate(scores, start=1)}
    first.update({f"c{i}": int(score is not None) for i, score in enumerate(scores, start=1)})
    try:
        with transaction.atomic():
            DailyTotal.objects.create(**key, agency_id=response.agency_id, region_id=response.region_id,
                                      respondents=1, **first)
    except IntegrityError:
        rows.update(**changes)


def delivered_day(request) -> date | None:
    if request.state not in DELIVERED:
        return None
    finished = request.resolved_at or request.closed_at
    if finished is None:
        return None
    return finished.astimezone(ZoneInfo(request.agency.timezone)).date()


# The Request fields the population row depends on; a save of other fields alone (the SLA sweep's
# `update_fields=["sla_status", "updated_at"]`) leaves the row as it is and costs no query.
_ROW_FIELDS = frozenset({"state", "resolved_at", "closed_at", "agency", "agency_id", "service", "service_id"})


def request_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    """post_save of Request: the request is in the population on its delivery day, or not at all."""
    from .models import DeliveredRequest

    if raw or (update_fields is not None and not _ROW_FIELDS.intersection(update_fields)):
        return
    day = delivered_day(instance)
    if day is not None:
        DeliveredRequest.objects.update_or_create(
            request_id=instance.pk,
            defaults={
                "agency_id": instance.agency_id,
                "region_id": instance.agency.region_id,
                "service_id": instance.service_id,
                "unit_id": instance.service.unit_id,
                "day": day,
            },
        )
    elif not created:
        DeliveredRequest.objects.filter(request_id=instance.pk).delete()  # reopened, or never delivered


# ---------------------------------------------------------------- rebuilt from the source


def rebuild_daily(*, start: date | None = None, end: date | None = None, using: str = "default") -> int:
    """Recompute DailyTotal from the answers (all days, or [start, end]); returns the rows written."""
    connection = connections[using]
    where, params = "", []
    if start is not None and end is not None:
        where, params = " WHERE {col} >= %s AND {col} <= %s", [start, end]
    sums = ", ".join(f"COALESCE(SUM(u{i}), 0)" for i in range(1, 10))
    counts = ", ".join(f"COUNT(u{i})" for i in range(1, 10))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # answers arriving meanwhile wait for the new totals
            cursor.execute("LOCK TABLE survey_dailytotal IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM survey_dailytotal" + where.format(col="day"), params)
        cursor.execute(
            "INSERT INTO survey_dailytotal (agency_id, region_id, service_id, unit_id, day, respondents, "
            f"{', '.join(_SUMS)}, {', '.join(_COUNTS)}) "
            f"SELECT agency_id, region_id, service_id, unit_id, answered_on, COUNT(*), {sums}, {counts} "
            "FROM survey_surveyresponse"
            + where.format(col="answered_on")
            + " GROUP BY agency_id, region_id, service_id, unit_id, answered_on",
            params,
        )
        return cursor.rowcount


def rebuild_delivered(*, since: date | None = None, using: str = "default") -> int:
    """Re-synchronise DeliveredRequest with the requests (all, or those finished since `since`);
    returns the rows written."""
    connection = connections[using]
    states = "('resolved', 'closed')"
    finished = "COALESCE(r.resolved_at, r.closed_at)"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if since is None:
            cursor.execute("DELETE FROM survey_deliveredrequest")
            window, params = "", []
        else:
            moment = datetime.combine(since - timedelta(days=1), time.min, ZoneInfo("UTC"))
            cursor.execute(
                "DELETE FROM survey_deliveredrequest WHERE day >= %s OR request_id IN (SELECT r.id FROM "
                f"requests_request r WHERE r.state NOT IN {states} OR {finished} >= %s)",
                [since - timedelta(days=1), moment],
            )
            window, params = f" AND {finished} >= %s", [moment]
        select = (
            f"FROM requests_request r JOIN agencies_agency a ON a.id = r.agency_id "
            f"JOIN standards_service s ON s.id = r.service_id WHERE r.state IN {states} "
            f"AND {finished} IS NOT NULL" + window
        )
        insert = (
            "INSERT INTO survey_deliveredrequest "
            "(request_id, agency_id, region_id, service_id, unit_id, day) "
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                insert + f"SELECT r.id, r.agency_id, a.region_id, r.service_id, s.unit_id, "
                f"({finished} AT TIME ZONE a.timezone)::date "
                + select
                + " ON CONFLICT (request_id) DO NOTHING",
                params,
            )
            return cursor.rowcount
        # SQLite has no time zones: the local day is computed here.
        cursor.execute(
            f"SELECT r.id, r.agency_id, a.region_id, r.service_id, s.unit_id, {finished}, a.timezone "
            + select,
            params,
        )
        written = 0
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                return written
            values = []
            for pk, agency_id, region_id, service_id, unit_id, moment, tz_name in rows:
                if isinstance(moment, str):
                    moment = datetime.fromisoformat(moment)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=ZoneInfo("UTC"))
                values.append(
                    (
                        pk,
                        agency_id,
                        region_id,
                        service_id,
                        unit_id,
                        moment.astimezone(ZoneInfo(tz_name)).date().isoformat(),
                    )
                )
            with connection.cursor() as writer:
                writer.executemany(
                    insert + "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (request_id) DO NOTHING", values
                )
            written += len(values)
