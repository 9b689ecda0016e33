"""The reports' aggregates in SQL (GROUP BY in the database; Python only pivots the groups).

Definitions (docs/reports.md):

* **received** — requests that arrived in the period (Request.created_at);
* **finished** — Resolution rows in the period: the procedure reached its end (resolved) or
  the request was rejected with a reason; withdrawn requests are counted apart;
* **SLA met %** — of the finished requests whose standard promises a time, the share that
  was not breached, as requests.clock.sla_status says of a finished request (breached when it
  was marked breached or finished after its due time);
* **time to resolve** — working days from the clock's start to the finish, pauses excluded
  (facts.py); median and p90 with linear interpolation (metrics.percentile);
* **backlog** — requests open now (received, in progress, waiting on the applicant), by
  calendar age since arrival and by the step they wait at;
* **breaches** — finished late in the period, and open past their due time now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    IntegerField,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.functions import Trunc
from django.utils.translation import gettext as _

from layanan.agencies.models import Unit
from layanan.requests import clock
from layanan.requests.models import (
    OPEN_STATES,
    Channel,
    CompensationTask,
    Event,
    Kind,
    Pause,
    Request,
    SlaStatus,
    State,
)
from layanan.standards.models import Service, ServiceStandard, Step

from . import metrics, periods
from .facts import working_days_between
from .models import Resolution, Withdrawal
from .scope import Selection

CHANNEL_LABELS = dict(Channel.choices)
KIND_LABELS = dict(Kind.choices)
# Calendar days since arrival (the backlog's age).
AGE_BUCKETS = [
    (0, 7, "0–7 hari"),
    (8, 14, "8–14 hari"),
    (15, 30, "15–30 hari"),
    (31, 60, "31–60 hari"),
    (61, None, "> 60 hari"),
]
# Working days to resolve (the histogram's bins; the last is open-ended).
DAY_EDGES = [0, 0.5, 1, 2, 3, 5, 10, 20, 60]
DAY_LABELS = ["< ½", "½–1", "1–2", "2–3", "3–5", "5–10", "10–20", "20–60", "≥ 60"]
# Timeline events whose notes say why a request was late (staff's own words).
CAUSE_ACTIONS = ["escalate", "return_incomplete", "note", "dispose", "assign", "reopen"]
MAX_TOPIC_SUBJECTS = 3000


def _name_map(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _sorted_counts(counter: dict, labels: dict, *, by_value=True) -> list[tuple]:
    rows = [
        (key, str(labels.get(key, key if key is not None else _("Tanpa unit"))), n)
        for key, n in counter.items()
    ]
    rows.sort(key=(lambda r: (-r[2], r[1])) if by_value else (lambda r: r[1]))
    return rows


# ---------------------------------------------------------------- volumes


@dataclass
class Volumes:
    total: int = 0
    bucket: str = "day"
    by_bucket: list = field(default_factory=list)  # [(date, label, n)] every bucket of the period
    by_service: list = field(default_factory=list)  # [(id, name, n)]
    by_channel: list = field(default_factory=list)  # [(channel, label, n)]
    by_kind: list = field(default_factory=list)  # [(kind, label, n)]
    by_unit: list = field(default_factory=list)  # [(unit id, name, n)]


# The dashboards keep their three scans in the shared cache (the inbox does the same with its tab
# counts): an ended period never changes, so its figures are kept ENDED_TTL seconds; a running period
# and the backlog "now" LIVE_TTL seconds — a dashboard is at most that stale. Evaluation reports never
# read the cache: they are computed from the database every time.
ENDED_TTL = 600
LIVE_TTL = 30


def _cached(sel: Selection, key: str, compute, *, live: bool = False):
    if key in sel.cache:
        return sel.cache[key]
    if not sel.use_cache:
        sel.cache[key] = compute()
        return sel.cache[key]
    from django.core.cache import cache

    shared = f"reports:{key.split(':')[0]}:{sel.signature()}"
    found = cache.get(shared)
    if found is None:
        found = compute()
        _start, end = sel.bounds
        from django.utils import timezone

        ended = not live and end <= timezone.now()
        cache.set(shared, found, ENDED_TTL if ended else LIVE_TTL)
    sel.cache[key] = found
    return found


def arrivals(sel: Selection) -> list[tuple]:
    """(bucket, agency, service, channel, kind, unit, n) of the requests received in the period: the
    one scan of requests.Request by (agency, created_at) that volumes, complaints and the region's
    per-agency table share."""

    def compute():
        start, end = sel.bounds
        service_unit = dict(sel.services())
        rows = (
            Request.objects.filter(sel.request_q(), created_at__gte=start, created_at__lt=end)
            .annotate(
                b=Trunc("created_at", sel.period.bucket(), output_field=DateField(), tzinfo=ZoneInfo(sel.tz))
            )
            .values_list("b", "agency_id", "service_id", "channel", "kind", "assigned_unit_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        # The unit of a request: its service's unit, else the unit it is assigned to (scope.py).
        return [
            (b, agency, service, channel, kind, service_unit.get(service) or unit, n)
            for b, agency, service, channel, kind, unit, n in rows
        ]

    return _cached(sel, "arrivals", compute)


def volumes(sel: Selection) -> Volumes:
    bucket = sel.period.bucket()
    by_bucket, by_service, by_channel, by_kind, by_unit = (defaultdict(int) for _i in range(5))
    total = 0
    for b, _agency, service, channel, kind, unit, n in arrivals(sel):
        total += n
        by_bucket[b] += n
        by_service[service] += n
        by_channel[channel] += n
        by_kind[kind] += n
        by_unit[unit] += n
    return Volumes(
        total=total,
        bucket=bucket,
        by_bucket=[
            (d, periods.bucket_label(d, bucket), by_bucket.get(d, 0))
            for d in periods.buckets(sel.period, bucket)
        ],
        by_service=_sorted_counts(by_service, _name_map(Service, by_service)),
        by_channel=_sorted_counts(by_channel, CHANNEL_LABELS),
        by_kind=_sorted_counts(by_kind, KIND_LABELS),
        by_unit=_sorted_counts(by_unit, _name_map(Unit, by_unit)),
    )


# ---------------------------------------------------------------- SLA and time to resolve


@dataclass
class SlaRow:
    key: object
    label: str
    promise: str
    figures: metrics.SlaFigures


@dataclass
class Sla:
    total: metrics.SlaFigures
    by_service: list
    by_unit: list
    histogram: list  # [(label, count)]


def _promises(service_ids, before=None) -> dict:
    """The promised time of each service, as its standard writes it: the version in force at `before`
    (the period's end) — the last one published before it, or the first one ever published when all came
    later — so a newer version does not rewrite a past report; without `before`, the public version."""
    out = dict(
        Service.objects.filter(pk__in=set(service_ids)).values_list("pk", "published_standard__duration_text")
    )
    if before is not None:
        chosen: dict = {}
        for pk, published, text in (
            ServiceStandard.objects.filter(service_id__in=set(service_ids), published_at__isnull=False)
            .order_by("service_id", "published_at", "version")
            .values_list("service_id", "published_at", "duration_text")
        ):
            if pk not in chosen or published < before:
                chosen[pk] = text
        out.update(chosen)
    return {pk: (text or "") for pk, text in out.items()}


def histogram_of(days) -> list[tuple[str, int]]:
    counts = [0] * len(DAY_LABELS)
    for d in days:
        for i in range(len(DAY_EDGES) - 1):
            if d < DAY_EDGES[i + 1]:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    return list(zip(DAY_LABELS, counts, strict=True))


GROUPINGS = {"agency": "agency_id", "service": "service_id", "unit": "unit_id"}


def _finishes(sel: Selection):
    start, end = sel.bounds
    return Resolution.objects.filter(sel.resolution_q(), finished_at__gte=start, finished_at__lt=end)


def finished_rows(sel: Selection) -> list[tuple]:
    """(agency, service, unit, kind, outcome, has promise, breached, working days, office minutes) of
    each finish in the period (the row-by-row path; PostgreSQL aggregates in the database)."""
    return list(
        _finishes(sel)
        .annotate(promised=ExpressionWrapper(Q(due_at__isnull=False), output_field=BooleanField()))
        .values_list(
            "agency_id",
            "service_id",
            "unit_id",
            "kind",
            "outcome",
            "promised",
            "breached",
            "working_days",
            "office_minutes",
        )
        .order_by()
    )


def _figures(row: dict) -> metrics.SlaFigures:
    return metrics.SlaFigures(
        finished=row["finished"],
        with_promise=row["with_promise"],
        met=row["met"],
        breached=row["breached"],
        rejected=row["rejected"],
        known={"days": tuple(row["days"] or (None, None)), "minutes": (None, None)},
    )


def minute_services(sel: Selection) -> set:
    """Services promised in minutes or hours: their times are also shown in office minutes/hours."""
    return set(
        ServiceStandard.objects.filter(
            service__agency_id__in=sel.agency_ids,
            status=ServiceStandard.Status.PUBLISHED,
            duration_unit__in=["minute", "hour"],
        ).values_list("service_id", flat=True)
    )


# One pass over the period's finishes: GROUPING SETS give the total, each agency, service and unit,
# and agency × kind at once; GROUPING() tells the sets apart (a NULL unit is a group of its own).
GROUPING_SQL = """
SELECT GROUPING(agency_id, service_id, unit_id, kind) AS g, agency_id, service_id, unit_id, kind,
       count(*) AS finished,
       count(*) FILTER (WHERE due_at IS NOT NULL) AS with_promise,
       count(*) FILTER (WHERE due_at IS NOT NULL AND NOT breached) AS met,
       count(*) FILTER (WHERE due_at IS NOT NULL AND breached) AS breached,
       count(*) FILTER (WHERE outcome = 'rejected') AS rejected,
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY working_days) AS days
FROM ({inner}) AS r
GROUP BY GROUPING SETS ((), (agency_id), (service_id), (unit_id), (agency_id, kind))
"""
GROUPING_KEYS = {15: "total", 7: "agency", 11: "service", 13: "unit", 6: "agency_kind"}
GROUPING_COLUMNS = {"agency": 1, "service": 2, "unit": 3}
HISTOGRAM_SQL = "SELECT {bins} FROM ({inner}) AS r"
MINUTES_SQL = """
SELECT service_id, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY office_minutes)
FROM ({inner}) AS r WHERE service_id = ANY(%s) GROUP BY service_id
"""


def _finish_groups_postgresql(sel: Selection, minutes_for: set) -> dict:
    from django.db import connection

    inner, params = (
        _finishes(sel)
        .values_list(
            "agency_id",
            "service_id",
            "unit_id",
            "kind",
            "outcome",
            "due_at",
            "breached",
            "working_days",
            "office_minutes",
        )
        .order_by()
        .query.sql_with_params()
    )
    bins = []
    for i in range(len(DAY_LABELS)):
        parts = ([f"working_days >= {DAY_EDGES[i]!r}"] if i else []) + (
            [f"working_days < {DAY_EDGES[i + 1]!r}"] if i + 1 < len(DAY_EDGES) else []
        )
        bins.append(f"count(*) FILTER (WHERE {' AND '.join(parts) or 'TRUE'})")
    out = {
        "total": metrics.SlaFigures(),
        "agency_kind": {},
        **{name: {} for name in GROUPINGS},
    }
    with connection.cursor() as cursor:
        cursor.execute(GROUPING_SQL.format(inner=inner), params)
        names = [c[0] for c in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            which = GROUPING_KEYS[row["g"]]
            if which == "total":
                out["total"] = _figures(row)
            elif which == "agency_kind":
                out[which][(row["agency_id"], row["kind"])] = _figures(row)
            else:
                out[which][values[GROUPING_COLUMNS[which]]] = _figures(row)
        cursor.execute(HISTOGRAM_SQL.format(bins=", ".join(bins), inner=inner), params)
        out["histogram"] = list(zip(DAY_LABELS, cursor.fetchone(), strict=True))
        wanted = sorted(minutes_for & set(out["service"]))
        if wanted:
            cursor.execute(MINUTES_SQL.format(inner=inner), [*params, wanted])
            for service, quantiles in cursor.fetchall():
                figures = out["service"][service]
                figures.known["minutes"] = tuple(quantiles)
                figures.show_minutes = True
    return out


def finish_groups(sel: Selection) -> dict:
    """The finishes of the period as SlaFigures: {"total": f, "agency": {id: f}, "service": …, "unit": …,
    "agency_kind": {(agency, kind): f}, "histogram": [(label, n)]}. On PostgreSQL GROUP BY GROUPING SETS
    with percentile_cont (a few rows back); elsewhere (SQLite: development, tests) the rows are read and
    counted in Python — the same rules. Office minutes are kept for services promised in minutes or
    hours (a time under a working day is shown in minutes there); elsewhere time is in working days."""

    def compute():
        from django.db import connection

        minutes_for = minute_services(sel)
        if connection.vendor == "postgresql":
            return _finish_groups_postgresql(sel, minutes_for)
        out = {
            "total": metrics.SlaFigures(),
            "agency_kind": defaultdict(metrics.SlaFigures),
            **{g: defaultdict(metrics.SlaFigures) for g in GROUPINGS},
        }
        for agency, service, unit, kind, outcome, promised, breached, days, minutes in finished_rows(sel):
            values = {
                "has_promise": promised,
                "breached": breached,
                "working_days": days,
                "rejected": outcome == Resolution.Outcome.REJECTED,
            }
            for group in (
                out["total"],
                out["agency"][agency],
                out["unit"][unit],
                out["agency_kind"][(agency, kind)],
            ):
                group.add(**values)
            out["service"][service].add(**values, office_minutes=minutes if service in minutes_for else None)
        for service in minutes_for & set(out["service"]):
            out["service"][service].show_minutes = True
        out["histogram"] = histogram_of(out["total"].days)
        return out

    return _cached(sel, "finish_groups", compute)


def sla(sel: Selection) -> Sla:
    groups = finish_groups(sel)
    services, units = groups["service"], groups["unit"]
    service_names, unit_names = _name_map(Service, services), _name_map(Unit, units)
    promises = _promises(services, before=sel.bounds[1])
    return Sla(
        total=groups["total"],
        by_service=sorted(
            (SlaRow(k, service_names.get(k, "?"), promises.get(k, ""), f) for k, f in services.items()),
            key=lambda r: (-r.figures.finished, r.label),
        ),
        by_unit=sorted(
            (SlaRow(k, unit_names.get(k, _("Tanpa unit")), "", f) for k, f in units.items()),
            key=lambda r: (-r.figures.finished, r.label),
        ),
        histogram=groups["histogram"],
    )


# ---------------------------------------------------------------- backlog (now)


@dataclass
class StepRow:
    service: str
    position: int | None
    actor: str
    text: str
    count: int
    oldest_days: int
    bottleneck: bool = False


@dataclass
class Backlog:
    open: int = 0
    waiting: int = 0
    breached: int = 0
    at_risk: int = 0
    by_age: list = field(default_factory=list)  # [(label, n)]
    by_state: list = field(default_factory=list)  # [(label, n)]
    by_step: list = field(default_factory=list)  # [StepRow], most first
    bottlenecks: list = field(default_factory=list)  # [StepRow] the fullest step of each procedure
    waiting_by_age: list = field(default_factory=list)


def _age_case(now, column="created_at"):
    whens = []
    for i, (_low, _high, _label) in enumerate(AGE_BUCKETS):
        if i + 1 < len(AGE_BUCKETS):
            next_low = AGE_BUCKETS[i + 1][0]
            whens.append(When(**{f"{column}__gt": now - timedelta(days=next_low)}, then=Value(i)))
    return Case(*whens, default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField())


def open_rows(sel: Selection, now: datetime) -> list[tuple]:
    """(agency, service, step, state, age bucket, "b"reached / at "r"isk / "", n, oldest arrival) of the
    requests open now — the one scan of the open requests (partial index req_agency_open_due). The SLA
    column is requests.clock.sla_status_q, so "breached" means what the inbox and the desk say."""

    def compute():
        late = clock.sla_status_q(SlaStatus.BREACHED, now)
        risk = clock.sla_status_q(SlaStatus.AT_RISK, now)
        return list(
            Request.objects.filter(sel.request_q(), state__in=sorted(OPEN_STATES))
            .annotate(
                age=_age_case(now),
                sla=Case(
                    When(late, then=Value("b")),
                    When(risk, then=Value("r")),
                    default=Value(""),
                    output_field=CharField(),
                ),
            )
            .values_list("agency_id", "service_id", "current_step_id", "state", "age", "sla")
            .annotate(n=Count("id"), oldest=Min("created_at"))
            .order_by()
        )

    return _cached(sel, f"open:{now.isoformat()}", compute, live=True)


def backlog(sel: Selection, now: datetime) -> Backlog:
    out = Backlog()
    ages = [0] * len(AGE_BUCKETS)
    states: dict = defaultdict(int)
    steps: dict = {}
    for _agency, service, step, state, age, status, n, oldest in open_rows(sel, now):
        out.open += n
        ages[age] += n
        states[state] += n
        if state == State.WAITING_APPLICANT:
            out.waiting += n
        if status == "b":
            out.breached += n
        elif status == "r":
            out.at_risk += n
        key = (service, step)
        count, first = steps.get(key, (0, oldest))
        steps[key] = (count + n, min(first, oldest))
    out.by_age = [(label, ages[i]) for i, (_lo, _hi, label) in enumerate(AGE_BUCKETS)]
    out.by_state = [(str(label), states[value]) for value, label in State.choices if states.get(value)]
    step_info = {
        s["pk"]: s
        for s in Step.objects.filter(pk__in={k[1] for k in steps if k[1]}).values(
            "pk", "position", "actor", "text"
        )
    }
    names = _name_map(Service, {k[0] for k in steps})
    rows_out = []
    for (service, step), (count, oldest) in steps.items():
        info = step_info.get(step, {"position": None, "actor": "—", "text": _("Tanpa langkah")})
        rows_out.append(
            StepRow(
                names.get(service, "?"),
                info["position"],
                info["actor"],
                info["text"][:140],
                count,
                max(0, (now - oldest).days),
            )
        )
    rows_out.sort(key=lambda r: (-r.count, r.service, r.position or 0))
    seen = set()
    for row in rows_out:
        if row.service not in seen:
            seen.add(row.service)
            row.bottleneck = True
            out.bottlenecks.append(row)
    out.by_step = rows_out
    waits = _waiting_pauses(sel)
    wait_ages = [0] * len(AGE_BUCKETS)
    for age, n in waits.annotate(age=_age_case(now, "started_at")).values_list("age").annotate(n=Count("id")):
        wait_ages[age] += n
    out.waiting_by_age = [(label, wait_ages[i]) for i, (_lo, _hi, label) in enumerate(AGE_BUCKETS)]
    return out


def _waiting_pauses(sel: Selection):
    waiting = Request.objects.filter(sel.request_q(), state=State.WAITING_APPLICANT).values("pk")
    return Pause.objects.filter(ended_at__isnull=True, request_id__in=waiting).order_by()


# ---------------------------------------------------------------- breaches and their causes


@dataclass
class BreachRow:
    request_id: int
    code: str
    service: str
    due_at: datetime | None
    finished_at: datetime | None
    late_days: float | None
    causes: list = field(default_factory=list)


@dataclass
class Breaches:
    finished_late: int = 0
    open_late: int = 0
    late_list: list = field(default_factory=list)  # finished late in the period (worst first)
    open_list: list = field(default_factory=list)  # open past due now (oldest due first)
    late_total_listed: int = 0


def causes_of(request_ids, *, limit: int = 3, before=None) -> dict[int, list[str]]:
    """The staff's own notes on each request (escalations, returns, internal notes), latest first;
    with `before`, only what was written before that moment."""
    out: dict[int, list[str]] = defaultdict(list)
    if not request_ids:
        return out
    events = Event.objects.filter(at__lt=before) if before is not None else Event.objects.all()
    events = (
        events.filter(request_id__in=list(request_ids), action__in=CAUSE_ACTIONS)
        .exclude(note="")
        .order_by("request_id", "-at", "-id")
        .values_list("request_id", "action", "note")
    )
    for request_id, _action, note in events:
        if len(out[request_id]) < limit:
            out[request_id].append(note.strip()[:300])
    return out


def breaches(sel: Selection, now: datetime, *, limit: int = 50, open_now: bool = True) -> Breaches:
    """Finished late in the period (worst first, with the staff's notes as causes) and — unless
    `open_now` is off (an evaluation report) — open past their due time now."""
    start, end = sel.bounds
    out = Breaches(finished_late=finish_groups(sel)["total"].breached)
    if open_now:
        out.open_late = sum(row[6] for row in open_rows(sel, now) if row[5] == "b")
    if not sel.scope.personal:
        return out
    late = Resolution.objects.filter(
        sel.resolution_q(), finished_at__gte=start, finished_at__lt=end, breached=True
    )
    open_late = Request.objects.filter(sel.request_q(), state__in=sorted(OPEN_STATES)).filter(
        clock.sla_status_q(SlaStatus.BREACHED, now)
    )
    if not open_now:
        open_late = open_late.none()
    # Worst first: working days past the due time, as recorded at the finish (a holiday added to the
    # calendar later does not change a past report).
    scored = [
        (round(days, 1), rid, svc, due, fin)
        for rid, svc, due, fin, days in late.order_by("-late_days", "id").values_list(
            "request_id", "service_id", "due_at", "finished_at", "late_days"
        )[:limit]
    ]
    calendars = {}

    def late_days(agency_id, due, moment):
        if due is None:
            return None
        if agency_id not in calendars:
            from layanan.agencies.models import Agency

            calendars[agency_id] = clock.calendar_for(Agency.objects.get(pk=agency_id))
        return round(working_days_between(calendars[agency_id], due, moment), 1)

    opened = list(
        open_late.order_by("due_at", "id").values_list(
            "pk", "agency_id", "service_id", "due_at", "tracking_code"
        )[:limit]
    )
    codes = dict(Request.objects.filter(pk__in={r[1] for r in scored}).values_list("pk", "tracking_code"))
    names = _name_map(Service, {r[2] for r in scored} | {r[2] for r in opened})
    notes = causes_of({r[1] for r in scored}, before=end)  # what was written by the period's end
    notes.update(causes_of({r[0] for r in opened}))
    out.late_list = [
        BreachRow(rid, codes.get(rid, ""), names.get(svc, "?"), due, fin, days, notes.get(rid, []))
        for days, rid, svc, due, fin in scored
    ]
    out.open_list = [
        BreachRow(rid, code, names.get(svc, "?"), due, None, late_days(a, due, now), notes.get(rid, []))
        for rid, a, svc, due, code in opened
    ]
    out.late_total_listed = len(out.late_list)
    return out


# ---------------------------------------------------------------- compensation (seed 004)


@dataclass
class Compensation:
    due: int = 0  # opened in the period (a breach of a standard that promises it)
    done: int = 0  # given in the period
    pending: int = 0  # not given yet (any period)
    pending_list: list = field(default_factory=list)  # [(code, service, since, promise)]


def compensation(sel: Selection) -> Compensation:
    """Seed 004's duty: tasks opened or given in the period, and still pending. Only standards that
    promise compensation open tasks, so most selections need no query at all; otherwise the few tasks
    that matter are read first and then matched to the selection's requests by primary key."""
    start, end = sel.bounds
    out = Compensation()
    promising = ServiceStandard.objects.filter(service__agency_id__in=sel.agency_ids).exclude(
        compensation_on_breach=""
    )
    if not promising.exists():
        return out
    tasks = list(
        CompensationTask.objects.filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(done_at__gte=start, done_at__lt=end)
            | Q(done_at__isnull=True)
        ).values_list("request_id", "created_at", "done_at")
    )
    mine = set(
        Request.objects.filter(sel.request_q(), pk__in=[t[0] for t in tasks]).values_list("pk", flat=True)
    )
    pending = []
    for request_id, created, done in tasks:
        if request_id not in mine:
            continue
        out.due += int(start <= created < end)
        out.done += int(done is not None and start <= done < end)
        if done is None:
            out.pending += 1
            pending.append(request_id)
    if sel.scope.personal and pending:
        out.pending_list = list(
            CompensationTask.objects.filter(request_id__in=pending)
            .order_by("created_at")
            .values_list("request__tracking_code", "request__service__name", "created_at", "promise")[:50]
        )
    return out


# ---------------------------------------------------------------- complaints


@dataclass
class Complaints:
    received: int = 0
    by_service: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)
    topics: list = field(default_factory=list)  # [(word, n)] (agency staff only)
    finished: int = 0
    with_promise: int = 0
    met: int = 0
    answered: list = field(default_factory=list)  # [(code, service, finished, on time, answer)] (reports)

    @property
    def met_pct(self):
        return metrics.share(self.met, self.with_promise)


def complaints(sel: Selection, *, with_answers: bool = False) -> Complaints:
    start, end = sel.bounds
    out = Complaints()
    by_service, by_channel = defaultdict(int), defaultdict(int)
    for _b, _agency, service, channel, kind, _unit, n in arrivals(sel):
        if kind == Kind.COMPLAINT:
            out.received += n
            by_service[service] += n
            by_channel[channel] += n
    out.by_service = _sorted_counts(by_service, _name_map(Service, by_service))
    out.by_channel = _sorted_counts(by_channel, CHANNEL_LABELS)
    if sel.scope.personal and out.received:
        received = Request.objects.filter(
            sel.request_q(), kind=Kind.COMPLAINT, created_at__gte=start, created_at__lt=end
        )
        subjects = received.order_by("-created_at").values_list("subject", flat=True)[:MAX_TOPIC_SUBJECTS]
        out.topics = metrics.topics(subjects)
    for (_agency, kind), done in finish_groups(sel)["agency_kind"].items():
        if kind == Kind.COMPLAINT:
            out.finished += done.finished
            out.with_promise += done.with_promise
            out.met += done.met
    if with_answers and sel.scope.personal:
        finished = Resolution.objects.filter(
            sel.resolution_q(), kind=Kind.COMPLAINT, finished_at__gte=start, finished_at__lt=end
        )
        rows = list(
            finished.order_by("finished_at", "id").values_list(
                "request_id", "service__name", "finished_at", "breached", "due_at", "outcome"
            )
        )
        answers = dict(Request.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "tracking_code"))
        texts = {
            pk: (product or reason)
            for pk, product, reason in Request.objects.filter(pk__in=[r[0] for r in rows]).values_list(
                "pk", "product_text", "reject_reason"
            )
        }
        out.answered = [
            (answers.get(rid, ""), svc, fin, (not br) if due else None, (texts.get(rid) or "")[:500], outcome)
            for rid, svc, fin, br, due, outcome in rows
        ]
    return out


# ---------------------------------------------------------------- per agency (the region view)


@dataclass
class AgencyRow:
    agency: object
    received: int = 0
    sla: metrics.SlaFigures = field(default_factory=metrics.SlaFigures)
    open: int = 0
    open_late: int = 0
    complaints_with_promise: int = 0
    complaints_met: int = 0
    ikm: object = None

    @property
    def complaints_met_pct(self):
        return metrics.share(self.complaints_met, self.complaints_with_promise)


def per_agency(sel: Selection, now: datetime) -> list[AgencyRow]:
    rows = {a.pk: AgencyRow(a) for a in sel.scope.agencies if a.pk in sel.agency_ids}
    for _b, agency, _service, _channel, _kind, _unit, n in arrivals(sel):
        rows[agency].received += n
    for agency, figures in finish_groups(sel)["agency"].items():
        rows[agency].sla = figures
    for (agency, kind), figures in finish_groups(sel)["agency_kind"].items():
        if kind == Kind.COMPLAINT:
            rows[agency].complaints_with_promise, rows[agency].complaints_met = (
                figures.with_promise,
                figures.met,
            )
    for agency, _service, _step, _state, _age, status, n, _oldest in open_rows(sel, now):
        rows[agency].open += n
        rows[agency].open_late += n if status == "b" else 0
    return sorted(rows.values(), key=lambda r: r.agency.name)


# ---------------------------------------------------------------- the standards that changed


@dataclass
class VersionChange:
    service: str
    version: int
    published_at: datetime
    decree: str
    changed: list  # component labels that differ from the previous version


COMPARED_FIELDS = {
    "persyaratan": None,
    "prosedur": None,
    "jangka_waktu": ["duration_text", "duration_min", "duration_max", "duration_unit", "clock_starts_at"],
    "biaya": ["cost_amount", "cost_legal_basis"],
    "produk": ["product"],
    "pengaduan": ["channels"],
    "dasar_hukum": ["legal_basis"],
    "sarana_prasarana": ["facilities", "accessible"],
    "kompetensi_pelaksana": ["competencies"],
    "pengawasan_internal": ["supervision"],
    "jumlah_pelaksana": ["staff_count"],
    "jaminan_pelayanan": ["guarantee", "compensation_on_breach"],
    "jaminan_keamanan": ["security_guarantee"],
    "evaluasi_kinerja": ["evaluation_periods"],
}
# The components compared row by row (COMPARED_FIELDS None): the related rows and their columns.
_COMPARED_ROWS = {
    "persyaratan": ("requirements", ("label", "kind", "mandatory", "group")),
    "prosedur": (
        "steps",
        ("text", "actor", "role", "unit_id", "action", "on_done", "on_cannot_resolve", "on_incomplete",
         "can_reject"),
    ),
}


def _component_changes(new, old) -> list[str]:
    from layanan.standards.models import DELIVERY_COMPONENTS, MANUFACTURING_COMPONENTS

    labels = dict(DELIVERY_COMPONENTS + MANUFACTURING_COMPONENTS)
    if old is None:
        return [_("Versi pertama")]
    changed = []
    for key, fields in COMPARED_FIELDS.items():
        if fields is None:
            related, columns = _COMPARED_ROWS[key]
            differs = list(getattr(new, related).values_list(*columns)) != list(
                getattr(old, related).values_list(*columns)
            )
        else:
            differs = any(getattr(new, f) != getattr(old, f) for f in fields) or (new.texts or {}).get(
                key
            ) != (old.texts or {}).get(key)
        if differs:
            changed.append(str(labels[key]))
    return changed or [_("Tidak ada komponen yang berubah")]


def versions_published(sel: Selection) -> list[VersionChange]:
    start, end = sel.bounds
    qs = ServiceStandard.objects.filter(
        service__agency_id__in=sel.agency_ids, published_at__gte=start, published_at__lt=end
    ).select_related("service")
    if sel.service is not None:
        qs = qs.filter(service=sel.service)
    units = sel.units
    out = []
    for std in qs.order_by("published_at", "id"):
        if units is not None and std.service.unit_id not in units:
            continue
        old = (
            ServiceStandard.objects.filter(service_id=std.service_id, version__lt=std.version)
            .order_by("-version")
            .first()
        )
        out.append(
            VersionChange(
                std.service.name,
                std.version,
                std.published_at,
                std.decree_number,
                _component_changes(std, old),
            )
        )
    return out


# ---------------------------------------------------------------- months (open data, compliance)


def month_figures(agency, month: periods.Period) -> dict:
    """One month of one agency: {None: totals, service id: figures} (made from immutable facts)."""
    start, end = month.bounds(agency.timezone)
    out: dict = defaultdict(
        lambda: {
            "received": 0,
            "finished": 0,
            "rejected": 0,
            "withdrawn": 0,
            "with_promise": 0,
            "met": 0,
            "breached": 0,
            "days": [],
            "complaints_received": 0,
            "complaints_finished": 0,
            "complaints_met": 0,
            "complaints_with_promise": 0,
            "channels": {},
        }
    )
    received = (
        Request.objects.filter(agency=agency, created_at__gte=start, created_at__lt=end)
        .values_list("service_id", "channel", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for service, channel, kind, n in received:
        for key in (None, service):
            row = out[key]
            row["received"] += n
            row["channels"][channel] = row["channels"].get(channel, 0) + n
            if kind == Kind.COMPLAINT:
                row["complaints_received"] += n
    withdrawn = (
        Withdrawal.objects.filter(agency=agency, withdrawn_at__gte=start, withdrawn_at__lt=end)
        .values_list("service_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for service, n in withdrawn:
        out[None]["withdrawn"] += n
        out[service]["withdrawn"] += n
    finished = (
        Resolution.objects.filter(agency=agency, finished_at__gte=start, finished_at__lt=end)
        .annotate(promised=ExpressionWrapper(Q(due_at__isnull=False), output_field=BooleanField()))
        .values_list("service_id", "kind", "outcome", "promised", "breached", "working_days")
        .order_by()
    )
    for service, kind, outcome, promised, breached, days in finished:
        for key in (None, service):
            row = out[key]
            row["finished"] += 1
            row["rejected"] += int(outcome == Resolution.Outcome.REJECTED)
            row["days"].append(days)
            if promised:
                row["with_promise"] += 1
                row["met" if not breached else "breached"] += 1
            if kind == Kind.COMPLAINT:
                row["complaints_finished"] += 1
                if promised:
                    row["complaints_with_promise"] += 1
                    row["complaints_met"] += int(not breached)
    out[None]  # the agency's row exists even in an empty month  # noqa: B018
    for row in out.values():
        days = row.pop("days")
        row["median_days"] = metrics.percentile(days, 0.5)
        row["p90_days"] = metrics.percentile(days, 0.9)
    return dict(out)
