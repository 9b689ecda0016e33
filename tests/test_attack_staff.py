"""The staff half of the attack matrix: every staff URL × every role × own / other agency.

Every staff URL is read from the URLconf (a new one cannot slip past: it fails
`test_every_staff_url_is_in_the_matrix` until it gets a row in CASES or a commented
entry in SKIPPED). Each row says which demo account of agency A (DINSOS-SEKADAU) may use
the screen, written out by hand from the view's decorators and access rules — never from
the responses. The accounts are the eight of Dinsos Sekadau plus `kediri.overseer`, the
region-wide overseer of Kabupaten Kediri (Dinsos lies in Kabupaten Sekadau, Bangli in Bangli:
neither is the overseer's region, so it must see nothing of either).

The rule checked for each row, role and agency:
- anonymous → 302 to the login page (GET and POST), nothing changed;
- an object of agency B (DPMPTSP-BANGLI) → 404 for every role, never 403/200/500, and a POST
  changes nothing (every tenant-owned table compared before and after, no mail sent);
- agency A: a role in the row's `may` gets the screen (200, or the row's `ok` for a POST);
  every other role a 404 (core.decorators.role_required: a screen one may not use is not
  advertised) — or the 400 the desk documents for an action the role may not take — and
  nothing changed;
- a page a role may open never names agency B's objects (nor, for the overseer, A's);
- rows named `url#other_…` put agency B's unit, service, staff member or NIK into a filter or a
  payload of agency A's screen: refused (400/404) or ignored, and nothing changes — not even for
  who may use the screen.

The data of both agencies is built once for the module inside one transaction that is
rolled back at the end; each test runs in a savepoint of it (pytest-django), so a POST that
gets through is undone before the next case.
"""

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from layanan.accounts.models import Position, User
from layanan.agencies.models import Agency, Holiday, Unit
from layanan.api.models import ApiKey
from layanan.channels.models import CallTask, InboundEmail, Mailbox
from layanan.core import tenancy
from layanan.core.crypto import mask
from layanan.demo import loader
from layanan.importer.models import ImportSession
from layanan.lapor import services as lapor_services
from layanan.privacy import services as privacy_services
from layanan.privacy.subjects import parse_identifier
from layanan.reports.models import EvaluationReport
from layanan.requests import access, lifecycle
from layanan.requests.models import Attachment, CompensationTask, GuestBookEntry, IdentityView
from layanan.standards import services as standard_services
from layanan.standards.models import Service
from layanan.survey import services as survey_services
from layanan.survey.models import FollowUp, SurveyReport

from .conftest import login

# ---------------------------------------------------------------- who

ADMIN, KADIS, SEKRETARIS = "dinsos.admin", "dinsos.kadis", "dinsos.sekretaris"
KABID, KASI, TU, DATA, PETUGAS = "dinsos.kabid", "dinsos.kasi", "dinsos.tu", "dinsos.data", "dinsos.petugas"
OVERSEER = "kediri.overseer"
ANONYMOUS = "anonymous"

# layanan/demo/data/dinsos-sekadau.json: one position each.
DINSOS = frozenset({ADMIN, KADIS, SEKRETARIS, KABID, KASI, TU, DATA, PETUGAS})
EVERYONE = DINSOS | {OVERSEER}
ONLY_ADMIN = frozenset({ADMIN})
# roles.COUNTER_ROLES: front desk, operator, handler, unit head, admin — not the head, not the secretary.
COUNTER = DINSOS - {KADIS, SEKRETARIS}
# privacy.views.PRIVACY_READERS: the admin acts, the head reads.
PRIVACY_READERS = frozenset({ADMIN, KADIS})
# standards.views.league: role_required(*REGION_WIDE, AGENCY_ADMIN, HEAD).
LEAGUE = frozenset({ADMIN, KADIS, OVERSEER})
# standards.views.enact: role_required(HEAD, AGENCY_ADMIN, *ENACT_STANDARDS); the overseer only in
# its own region, which Dinsos is not.
ENACTORS = frozenset({ADMIN, KADIS})
# access.sees_personal_data / may_download of a fresh Dinsos request (step 4 "petugas pelayanan",
# front desk of Layanan Data dan Pengaduan): the step holder, the head, the admin.
SEE_PERSONAL_DATA = frozenset({ADMIN, KADIS, PETUGAS})
# The agency-wide leadership (roles.AGENCY_WIDE: head, secretary, admin).
LEADERSHIP = frozenset({ADMIN, KADIS, SEKRETARIS})
# reports.scope.DASHBOARD_ROLES: the leadership and unit heads; survey.access.READERS is the same.
DASHBOARD = LEADERSHIP | {KABID, KASI}
# channels.views.intake_required: INTAKE_ROLES (front desk, operator) and the admin.
CHANNEL_INTAKE = frozenset({ADMIN, PETUGAS})
ONLY_OVERSEER = frozenset({OVERSEER})
# access.staff_actions: "assign" is the agency admin's; "advance" the step holder's.
ASSIGNERS = ONLY_ADMIN
STEP_HOLDERS = frozenset({PETUGAS})

ROLES = sorted(EVERYONE) + [ANONYMOUS]
AGENCY = {"A": "DINSOS-SEKADAU", "B": "DPMPTSP-BANGLI"}
DEMO_FILE = {"A": "dinsos-sekadau.json", "B": "dpmptsp-bangli.json"}
NIK = {"A": "6103025508870042", "B": "5106020101800001"}
PHONE = {"A": "+6281234500042", "B": "+6281337000001"}

# ---------------------------------------------------------------- the URLconf

# Staff URLs that need no matrix row, and why.
SKIPPED = {
    "accounts:login": "the public sign-in page (tests/test_logins.py, test_attack_public.py)",
    "accounts:logout": "ends one's own session; names nothing",
    "accounts:password_set": "the public one-time password link: the token is the credential "
                             "(tests/test_logins.py)",
}


def walk(patterns, prefix="", namespace=""):
    """(route, view name, pattern) of every URL pattern, resolvers followed recursively."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = ":".join(n for n in (namespace, entry.name) if n) if entry.name else None
            yield prefix + str(entry.pattern), name, entry


def staff_routes() -> dict[str, str]:
    """View name → route of every staff URL: /kelola/… (the console and every screen) and /akun/…."""
    found = {}
    for route, name, _pattern in walk(get_resolver().url_patterns):
        if route.startswith(("kelola/", "akun/")):
            found[name or f"<unnamed {route}>"] = route
    return found


def admin_routes() -> list[str]:
    """The Django admin's parameter-free URLs (index, change lists, add forms…)."""
    return [route for route, name, pattern in walk(get_resolver().url_patterns)
            if route.startswith("admin/") and not pattern.pattern.converters and "<" not in route
            and "(?P" not in route and name not in ("admin:login", "admin:logout")]


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Case:
    """One row: a URL (name + how to fill its parameters for agency A's or B's object)."""

    name: str
    may: frozenset                       # who of agency A gets the screen
    kwargs: Callable | None = None       # (side) → URL kwargs; None: the URL names no object
    get: bool = True                     # a page (GET 200); False: a POST-only endpoint
    post: Callable | None = None         # (side) → POST payload; None: no POST
    post_may: frozenset | None = None    # who may POST, when not `may`
    ok: frozenset = frozenset({302})     # status of an allowed POST
    get_ok: frozenset = frozenset({200})  # status of an allowed GET (400: a foreign filter refused)
    effective: bool = False              # an allowed POST changes the data (so a refusal is real)
    refused: int = 404                   # status for a role of A without the right
    refused_roles: frozenset = frozenset()  # who gets `refused` instead of 404
    writes_on_get: bool = False          # a GET that records something (compared when refused)
    redirects: frozenset = frozenset()   # who is sent elsewhere (302) instead of shown the page
    inert: bool = False                  # names a foreign object in its payload: nothing may change,
                                         # not even for who may use the screen
    sides: tuple | None = None           # default: A and B for a URL naming an object, else A
    query: Callable | str = ""

    @property
    def url_name(self):
        return self.name.split("#")[0]

    def agencies(self):
        return self.sides or (("A", "B") if self.kwargs else ("A",))

    def may_post(self):
        return self.may if self.post_may is None else self.post_may


def obj(attr, key="pk"):
    return lambda side: {key: getattr(W[side], attr).pk}


def req_kwargs(attachment=None):
    def build(side):
        kwargs = {"pk": W[side].req.pk}
        if attachment:
            kwargs["attachment_pk"] = getattr(W[side], attachment).pk
        return kwargs
    return build


def act(action):
    return lambda side: {"pk": W[side].req.pk, "action": action}


def version(extra=None):
    def build(side):
        W[side].req.refresh_from_db()
        return {"expected_version": W[side].req.version, **(extra(side) if extra else {})}
    return build


def other_service(side):
    """?layanan= one of agency B's published services (named uniquely, so a page showing it is caught)."""
    return f"?layanan={W['B'].published.service.pk}"


FORM_OK = frozenset({200, 302, 400})  # a form POST by who may use it: saved or shown again
UNIT_POST = {"name": "Unit Diretas", "kind": "division"}
STAFF_POST = {"username": "diretas", "full_name": "Pegawai Diretas", "title": "Pelaksana", "role": "handler",
              "is_active": "on"}
MAILBOX_POST = {"form": "mailbox", "address": "diretas@example.id", "host": "imap.diretas.example",
                "port": "993", "security": "ssl", "username": "diretas", "password": "rahasia",
                "folder": "INBOX", "active": "on"}
FOLLOW_UP_POST = {"element": "U1", "action": "Rencana diretas", "owner": "Diretas", "due_date": "2026-06-30",
                  "status": "planned", "result": ""}
HOLIDAY_POST = {"date": "2031-03-04", "name": "Libur Diretas", "kind": "local", "closed": "on"}

CASES = [
    # core.views.home: login_required — everyone signed in.
    Case("console:home", EVERYONE),
    # accounts.views.PasswordChangeView: login_required — one's own password.
    Case("accounts:password_change", EVERYONE),
    # agencies.views: role_required(*MANAGE_AGENCY), objects through get_scoped_or_404(region_wide=False).
    Case("agencies:profile", ONLY_ADMIN, ok=FORM_OK,
         post=lambda side: {"name": "Dinas Diretas", "timezone": "Asia/Jakarta"}),
    Case("agencies:units", ONLY_ADMIN),
    Case("agencies:unit_new", ONLY_ADMIN, post=lambda side: UNIT_POST, effective=True),
    Case("agencies:unit_edit", ONLY_ADMIN, obj("unit"), post=lambda side: UNIT_POST, effective=True),
    Case("agencies:unit_new#other_parent", ONLY_ADMIN, sides=("A",), inert=True, ok=frozenset({400}),
         post=lambda side: {**UNIT_POST, "parent": W["B"].unit.pk}),
    Case("agencies:unit_edit#other_parent", ONLY_ADMIN, obj("unit"), sides=("A",), inert=True,
         post=lambda side: {**UNIT_POST, "parent": W["B"].unit.pk}, ok=frozenset({400})),
    Case("agencies:unit_delete", ONLY_ADMIN, obj("unit"), get=False, post=lambda side: {}, effective=True),
    Case("agencies:staff", ONLY_ADMIN),
    Case("agencies:staff_new", ONLY_ADMIN, post=lambda side: STAFF_POST, ok=frozenset({200}), effective=True),
    Case("agencies:staff_new#other_unit", ONLY_ADMIN, sides=("A",), inert=True, ok=frozenset({400}),
         post=lambda side: {**STAFF_POST, "unit": W["B"].unit.pk}),
    Case("agencies:staff_edit", ONLY_ADMIN, obj("person"), post=lambda side: {
        "u-username": W[side].person.username, "u-full_name": "Pegawai Diretas", "u-is_active": "on"},
        effective=True),
    # Making another agency's clerk an admin: the classic escalation.
    Case("agencies:position_add", ONLY_ADMIN, obj("person"), get=False,
         post=lambda side: {"p-title": "Admin Diretas", "p-role": "agency_admin"}, effective=True),
    Case("agencies:position_add#other_unit", ONLY_ADMIN, obj("person"), get=False, inert=True, sides=("A",),
         post=lambda side: {"p-title": "Pelaksana", "p-role": "handler", "p-unit": W["B"].unit.pk}),
    # No e-mail address: the link is shown to the admin (200); nobody else may see it.
    Case("agencies:staff_password", ONLY_ADMIN, obj("person"), get=False, post=lambda side: {},
         ok=frozenset({200})),
    Case("agencies:position_delete", ONLY_ADMIN, obj("position"), get=False, post=lambda side: {},
         effective=True),
    Case("agencies:calendar", ONLY_ADMIN),
    Case("agencies:calendar_seed", ONLY_ADMIN, get=False, post=lambda side: {"tahun": "2031"},
         effective=True),
    Case("agencies:holiday_new", ONLY_ADMIN, post=lambda side: HOLIDAY_POST, effective=True),
    Case("agencies:holiday_edit", ONLY_ADMIN, obj("holiday"), post=lambda side: {
        **HOLIDAY_POST, "date": W[side].holiday.date.isoformat()}, effective=True),
    Case("agencies:holiday_delete", ONLY_ADMIN, obj("holiday"), get=False, post=lambda side: {},
         effective=True),
    # standards.views: the list and a standard's page for all staff of the agency (login_required,
    # tenancy region-wide: the overseer only in its own region); editing is EDIT_STANDARDS.
    Case("standards:services", EVERYONE),
    Case("standards:service_new", ONLY_ADMIN, post=lambda side: {
        "code": "diretas", "name": "Layanan Diretas", "kind": W[side].std.service.kind}, effective=True),
    Case("standards:service_new#other_unit", ONLY_ADMIN, sides=("A",), inert=True, ok=frozenset({400}),
         post=lambda side: {"code": "diretas", "name": "Layanan Diretas", "kind": W["A"].std.service.kind,
                            "unit": W["B"].unit.pk}),
    Case("standards:league", LEAGUE),
    # Filtering the league by another region's agency shows nothing of it.
    Case("standards:league#other", LEAGUE, query="?instansi=DPMPTSP-BANGLI"),
    Case("standards:detail", DINSOS, obj("std")),
    Case("standards:edit", ONLY_ADMIN, obj("draft"), post=lambda side: {
        "s-duration_text": "Diretas", "ch-TOTAL_FORMS": "0", "ch-INITIAL_FORMS": "0"}, ok=FORM_OK),
    Case("standards:requirements", ONLY_ADMIN, obj("draft"), post=lambda side: {
        "r-TOTAL_FORMS": "0", "r-INITIAL_FORMS": "0"}, effective=True),
    Case("standards:steps", ONLY_ADMIN, obj("draft"), post=lambda side: {
        "st-TOTAL_FORMS": "0", "st-INITIAL_FORMS": "0"}, effective=True),
    Case("standards:discussed", ONLY_ADMIN, obj("draft"), get=False, post=lambda side: {
        "discussed_on": "2024-05-01", "notes": "Dibahas (diretas)"}, effective=True),
    Case("standards:enact", ENACTORS, obj("discussed"), get=False, post=lambda side: {
        "decree_number": "DIRETAS/1", "decree_date": "2024-05-02"}, effective=True),
    # standards.views.return_for_revision: role_required(*ENACT_STANDARDS, HEAD); the overseer only in
    # its own region, the head only in its own agency.
    Case("standards:return_for_revision", frozenset({KADIS}), obj("discussed"), get=False,
         post=lambda side: {"note": "Perbaiki (diretas)"}, effective=True),
    # standards.views.threshold: role_required(*ENACT_STANDARDS) — the overseer, for its own region.
    Case("standards:threshold", ONLY_OVERSEER, get=False, post=lambda side: {"min_completeness": "70"},
         effective=True),
    Case("standards:publish", ONLY_ADMIN, obj("enacted"), get=False, post=lambda side: {}, effective=True),
    Case("standards:new_version", ONLY_ADMIN, obj("published"), get=False, post=lambda side: {},
         effective=True),
    Case("standards:minutes", DINSOS, obj("std")),
    # importer.views: EDIT_STANDARDS.
    Case("importer:upload", ONLY_ADMIN, post=lambda side: {"text": "Standar diretas"}, ok=FORM_OK),
    Case("importer:review", ONLY_ADMIN, obj("session"), post=lambda side: {}, ok=FORM_OK),
    # privacy.views: the admin acts, the head reads.
    Case("privacy:home", PRIVACY_READERS),
    Case("privacy:subjects", PRIVACY_READERS, post=lambda side: {
        "kind": "access", "identifier": NIK[side]}, post_may=ONLY_ADMIN, effective=True),
    Case("privacy:subject", PRIVACY_READERS, obj("dsr")),
    Case("privacy:subject_export", ONLY_ADMIN, obj("dsr"), writes_on_get=True),  # records the hand-over
    # A record of agency A for the NIK of agency B's applicant: nothing of B's request is found.
    Case("privacy:subject#other_nik", PRIVACY_READERS, obj("dsr_foreign"), sides=("A",)),
    Case("privacy:subject_export#other_nik", ONLY_ADMIN, obj("dsr_foreign"), sides=("A",),
         writes_on_get=True),
    Case("privacy:subject_erase", ONLY_ADMIN, obj("dsr"), get=False, post=lambda side: {"confirm": "on"},
         effective=True),
    Case("privacy:identity_log", PRIVACY_READERS),
    Case("privacy:identity_log#other_code", PRIVACY_READERS, sides=("A",),
         query=lambda side: f"?kode={W['B'].req.tracking_code}"),
    # requests.views_desk: role_required(*DESK_ROLES), the request through tenancy (region_wide=False),
    # then access.py decides the action or the download.
    Case("desk:inbox", DINSOS),
    Case("desk:inbox_export", DINSOS, query="?lingkup=instansi"),
    # Filters naming agency B's service and staff member: ignored, nothing of B shown.
    Case("desk:inbox#other_filters", DINSOS, query=lambda side: (
        f"?lingkup=instansi&layanan={W['B'].published.service.pk}&petugas={W['B'].person.pk}"), sides=("A",)),
    Case("desk:request", DINSOS, req_kwargs()),
    Case("desk:act", DINSOS, act("note"), get=False,
         post=version(lambda side: {"note": "Catatan diretas"}), effective=True),
    Case("desk:act#assign", ASSIGNERS, act("assign"), get=False,
         post=version(lambda side: {"to_user": User.objects.get(username=TU).pk}), effective=True,
         refused=400, refused_roles=DINSOS - ASSIGNERS),
    # Assigning agency A's request to agency B's staff member: refused, nothing changes.
    Case("desk:act#assign_other", ASSIGNERS, act("assign"), get=False, inert=True, sides=("A",),
         post=version(lambda side: {"to_user": W["B"].person.pk}), ok=frozenset({400}),
         refused=400, refused_roles=DINSOS - ASSIGNERS),
    # Disposing agency A's request to agency B's unit: refused (400), nothing changes.
    Case("desk:act#dispose_other_unit", DINSOS, act("dispose"), get=False, inert=True, sides=("A",),
         post=version(lambda side: {"note": "Disposisi diretas", "to_unit": W["B"].unit.pk}),
         ok=frozenset({400})),
    Case("desk:act#advance", STEP_HOLDERS, act("advance"), get=False, post=version(), effective=True,
         refused=400, refused_roles=DINSOS - STEP_HOLDERS),
    Case("desk:attachment", DINSOS, req_kwargs("attachment")),
    Case("desk:attachment#ktp", SEE_PERSONAL_DATA, req_kwargs("ktp")),
    # Agency A's request with agency B's attachment: nobody.
    Case("desk:attachment#mixed", frozenset(), lambda side: {
        "pk": W["A"].req.pk, "attachment_pk": W["B"].attachment.pk}, sides=("A",)),
    Case("desk:disposition_sheet", DINSOS, req_kwargs()),
    Case("desk:consultation_sheet", DINSOS, req_kwargs()),
    # access.may_complete_compensation: RECORDERS | SUPERVISORS — every Dinsos account.
    Case("desk:compensation_done", DINSOS, req_kwargs(), get=False,
         post=lambda side: {"note": "Diantar (diretas)"}, effective=True),
    # requests.views_counter: role_required(*COUNTER_ROLES).
    Case("desk:counter", COUNTER, post=lambda side: {
        "action": "guest", "applicant_name": "Tamu Diretas", "subject": "Informasi"},
        ok=frozenset({302, 400})),
    Case("desk:counter#other_service", COUNTER, query=other_service,
         sides=("A",)),
    Case("desk:guestbook", COUNTER),
    Case("desk:guestbook#xlsx", COUNTER, query="?format=xlsx"),
    Case("desk:guest_out", COUNTER, obj("guest"), get=False, post=lambda side: {}, effective=True),
    Case("desk:counter_receipt", COUNTER, req_kwargs()),
    # api.views_staff: role_required(*MANAGE_AGENCY); keys through tenancy (keys.keys_of).
    Case("api_staff:index", ONLY_ADMIN, ok=frozenset({200}), effective=True,
         post=lambda side: {"name": "Integrasi Diretas", "scope": "read_public"}),
    # A desk key acting as agency B's staff member: refused.
    Case("api_staff:index#other_staff", ONLY_ADMIN, sides=("A",), inert=True, ok=frozenset({400}),
         post=lambda side: {"name": "Integrasi Diretas", "scope": "desk", "staff_user": W["B"].person.pk}),
    Case("api_staff:revoke", ONLY_ADMIN, obj("api_key"), get=False, post=lambda side: {}, effective=True),
    Case("api_staff:service_options", ONLY_ADMIN, get=False, post=lambda side: {"location_required": []}),
    # Another agency's complaint service in the payload: nothing changes.
    Case("api_staff:service_options#other_service", ONLY_ADMIN, get=False, inert=True, sides=("A",),
         post=lambda side: {"location_required": [str(W["B"].std.service.pk)]}),
    # channels.views: the admin configures; intake (front desk, operator) and the admin triage e-mail
    # and call back; every desk role reads its own notices.
    Case("channels:home", ONLY_ADMIN, post=lambda side: MAILBOX_POST, ok=FORM_OK),
    Case("channels:home#other_service", ONLY_ADMIN, ok=frozenset({400}), inert=True, sides=("A",),
         post=lambda side: {**MAILBOX_POST, "default_service": W["B"].std.service.pk}),
    Case("channels:triage", CHANNEL_INTAKE),
    Case("channels:triage_item", CHANNEL_INTAKE, obj("email"), post=lambda side: {"dismiss": "1"},
         effective=True),
    Case("channels:triage_item#other_service", CHANNEL_INTAKE, obj("email"), sides=("A",), inert=True,
         post=lambda side: {"service": W["B"].std.service.pk}, ok=frozenset({400})),
    Case("channels:calls", CHANNEL_INTAKE),
    Case("channels:call_done", CHANNEL_INTAKE, obj("call"), get=False, effective=True,
         post=lambda side: {"note": "Ditelepon"}),
    Case("channels:notices", DINSOS, post=lambda side: {"digest": "on"}, ok=FORM_OK),
    # lapor.views: role_required(*DESK_ROLES); reports through tenancy; the follow-up by desk staff of
    # the request's agency (services.may_handle).
    Case("lapor:index", DINSOS, post=lambda side: {
        "tracking_id": "DIRETAS-1", "content": "Laporan diretas", "report_type": "pengaduan"},
        ok=frozenset({302, 400})),
    Case("lapor:import", DINSOS, get=False, post=lambda side: {}),
    Case("lapor:report", DINSOS, obj("lapor"), post=lambda side: {
        "action": "followup", "text": "Tindak lanjut diretas"}, effective=True),
    # reports.views: DASHBOARD_ROLES read their agency (a unit head only their units' reports), the
    # head signs; REGION_ROLES (overseer, auditor) the region; the overseer sets the thresholds.
    Case("reports:dashboard", DASHBOARD, redirects=ONLY_OVERSEER),  # the overseer → its region
    # Filters naming agency B's unit or service (or, for the overseer, an agency outside its region): 400.
    Case("reports:dashboard#other_unit", DASHBOARD, redirects=ONLY_OVERSEER, get_ok=frozenset({400}),
         query=lambda side: f"?unit={W['B'].unit.pk}", sides=("A",)),
    Case("reports:dashboard#other_service", DASHBOARD, redirects=ONLY_OVERSEER, get_ok=frozenset({400}),
         query=lambda side: f"?layanan={W['B'].std.service.pk}", sides=("A",)),
    Case("reports:region", ONLY_OVERSEER),
    Case("reports:region#other_agency", ONLY_OVERSEER, get_ok=frozenset({400}),
         query=lambda side: f"?instansi={W['A'].agency.pk}", sides=("A",)),
    Case("reports:compliance", ONLY_OVERSEER),
    Case("reports:thresholds", ONLY_OVERSEER, post=lambda side: {"green_min": "81", "yellow_min": "51"},
         ok=FORM_OK),
    Case("reports:reports", DASHBOARD, post=lambda side: {"jenis": "monthly", "periode": "2025-01"},
         post_may=LEADERSHIP, effective=True),
    Case("reports:download", DASHBOARD),
    Case("reports:download#other_unit", DASHBOARD, get_ok=frozenset({400}),
         query=lambda side: f"?unit={W['B'].unit.pk}", sides=("A",)),
    Case("reports:report", LEADERSHIP, obj("evaluation"), post=lambda side: {
        "recommendations": "Rekomendasi diretas"}, post_may=frozenset({KADIS}), effective=True),
    Case("reports:report#unit", LEADERSHIP | {KABID}, obj("unit_evaluation")),  # the Kabid's bidang
    Case("reports:file", LEADERSHIP, lambda side: {"pk": W[side].evaluation.pk, "fmt": "xlsx"}),
    # survey.views / survey.access: READERS (leadership, unit heads for their units), COLLECTORS
    # (the counter roles), CONFIGURERS (the admin), the region's aggregates for region-wide roles.
    Case("survey:home", DINSOS),
    Case("survey:unit", LEADERSHIP, obj("unit")),  # a unit no unit head heads
    Case("survey:unit#kasi", DASHBOARD, obj("kasi_unit")),  # the Kasi's seksi, below the Kabid's bidang
    Case("survey:follow_up_add", LEADERSHIP, get=False, post=lambda side: FOLLOW_UP_POST, effective=True),
    Case("survey:follow_up_add#other_unit", frozenset(), get=False, sides=("A",),
         post=lambda side: {**FOLLOW_UP_POST, "unit": W["B"].unit.pk}),
    Case("survey:follow_up", LEADERSHIP, obj("follow_up"), post=lambda side: FOLLOW_UP_POST, effective=True),
    Case("survey:suggestions", DASHBOARD),
    Case("survey:reports", LEADERSHIP, post=lambda side: {"period": "2026-S1", "format": "pdf"},
         effective=True),
    Case("survey:report_download", LEADERSHIP, obj("survey_report")),
    Case("survey:kiosk", COUNTER, post=lambda side: {"service": W[side].std.service.pk, "label": "Tablet"},
         effective=True),
    Case("survey:kiosk#other_service", COUNTER, post=lambda side: {"service": W["B"].std.service.pk},
         ok=frozenset({400}), inert=True, sides=("A",)),
    Case("survey:kiosk_end", COUNTER, obj("kiosk"), get=False, post=lambda side: {}, effective=True),
    Case("survey:paper", COUNTER),
    Case("survey:paper#other_service", frozenset(), query=other_service,
         sides=("A",)),
    Case("survey:entry#other_service", COUNTER, query=other_service,
         sides=("A",)),
    Case("survey:entry", COUNTER, post=lambda side: {"service": W[side].std.service.pk}, ok=FORM_OK),
    Case("survey:settings", ONLY_ADMIN, post=lambda side: {"period_kind": "semester"}, ok=FORM_OK),
    Case("survey:region", ONLY_OVERSEER),
]
BY_KEY = {case.name: case for case in CASES}

# ---------------------------------------------------------------- the data of both agencies

W: dict[str, SimpleNamespace] = {}


def _demo(side):
    return loader.read_demo(loader.DATA_DIR / DEMO_FILE[side])


def _extra_standard(agency, demo, n):
    """Another published service of the agency, built like the demo's own (loader)."""
    item = {k: v for k, v in demo["services"][0].items() if k != "number"}
    item.update(code=f"{item['code']}-matriks-{n}", name=f"{item['name']} (uji matriks {n})")
    units = {u["key"]: Unit.objects.get(agency=agency, name=u["name"]) for u in demo.get("units", [])}
    service = loader._create_published_service(agency, item, units, 100 + n)
    return Service.objects.get(pk=service.pk).published_standard


def _attach(req, name, requirement=None):
    item = Attachment(request=req, purpose=Attachment.Purpose.REQUIREMENT, requirement=requirement,
                      filename=name, content_type="application/pdf", size=9)
    item.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    item.save()
    return item


def _unit_of(agency, role, index):
    """The unit of the agency's `index`-th holder of `role` (Dinsos: the Kabid's bidang, the Kasi's
    seksi below it)."""
    positions = Position.objects.filter(user__agency=agency, role=role, unit__isnull=False)
    found = list(positions.select_related("unit").order_by("user__pk"))
    return found[min(index, len(found) - 1)].unit


def _evaluation(agency, key, unit=None):
    report = EvaluationReport.objects.create(
        agency=agency, unit=unit, kind=EvaluationReport.Kind.MONTHLY, period_start=date(2025, 1, 1),
        period_end=date(2025, 2, 1), key=key)
    report.xlsx.save(f"{key.replace(':', '-')}.xlsx", ContentFile(b"PK\x03\x04"))
    return report


def build(side):
    demo = _demo(side)
    agency = Agency.objects.get(code=AGENCY[side])
    admin = User.objects.get(agency=agency, positions__role="agency_admin")
    w = SimpleNamespace(agency=agency, admin=admin)
    w.unit = Unit.objects.create(agency=agency, name=f"Unit Uji Matriks {side}")
    w.person = User.objects.create(username=f"matriks.{side.lower()}", full_name=f"Pegawai Matriks {side}",
                                   agency=agency)
    w.person.set_unusable_password()
    w.person.save()
    w.position = Position.objects.create(user=w.person, unit=admin.positions.first().unit,
                                         title="Pelaksana Matriks", role="handler")
    w.holiday = Holiday.objects.create(agency=agency, date=date(2031, 3, 3), name=f"Libur Matriks {side}")
    # Standards: the demo's published one (with a berita acara file), and one each to take a new
    # version of, to edit (draft), to enact (discussed) and to publish (enacted).
    service = Service.objects.get(agency=agency, code=demo["services"][0]["code"])
    w.std = service.published_standard
    w.std.discussion_minutes.save(f"berita-acara-{side}.pdf", ContentFile(b"%PDF-1.4\n"))
    w.published = _extra_standard(agency, demo, 1)
    w.draft = standard_services.new_version(_extra_standard(agency, demo, 2), None)
    w.discussed = standard_services.new_version(_extra_standard(agency, demo, 3), None)
    standard_services.mark_discussed(w.discussed, None, discussed_on=date(2024, 4, 1), notes="Dibahas")
    w.enacted = standard_services.new_version(_extra_standard(agency, demo, 4), None)
    standard_services.mark_discussed(w.enacted, None, discussed_on=date(2024, 4, 1), notes="Dibahas")
    standard_services.enact(w.enacted, None, decree_number="MATRIKS/1", decree_date=date(2024, 4, 2))
    # A request with a known NIK, its files, a compensation task, a guest-book line.
    w.req, created = lifecycle.submit(
        standard=w.std, channel="counter", subject=f"Permintaan uji matriks {side}",
        applicant={"applicant_name": f"Pemohon Matriks {side}", "applicant_nik": NIK[side],
                   "applicant_phone": PHONE[side], "applicant_email": f"matriks.{side.lower()}@example.id",
                   "applicant_address": f"Jl. Matriks {side} No. 1"})
    assert created
    w.attachment = _attach(w.req, "surat.pdf")
    w.ktp = _attach(w.req, "ktp.pdf", w.std.requirements.filter(kind="identity").first())
    CompensationTask.objects.create(request=w.req, promise="Produk diantar ke rumah pemohon")
    IdentityView.objects.create(request=w.req, viewer=admin)  # a line in the identity-view log
    w.guest = GuestBookEntry.objects.create(agency=agency, name=f"Tamu Matriks {side}", purpose="Informasi",
                                            time_in=timezone.now(), recorded_by=admin)
    w.session = ImportSession.objects.create(agency=agency, created_by=admin, filename=f"impor-{side}.txt",
                                             text="Standar pelayanan (uji matriks)", services=[])
    w.dsr = privacy_services.record(agency, admin, kind="erasure", identifier=parse_identifier(NIK[side]))
    other = "B" if side == "A" else "A"
    w.dsr_foreign = privacy_services.record(agency, admin, kind="access",
                                            identifier=parse_identifier(NIK[other]))
    # The channels, LAPOR!, reports, survey and API objects.
    w.api_key, _raw = ApiKey.issue(agency=agency, name=f"Integrasi Matriks {side}", scope="read_public",
                                   created_by=admin)
    mailbox = Mailbox.objects.create(agency=agency, address=f"layanan.{side.lower()}@example.id",
                                     host="imap.example.id", username="layanan", password="rahasia")
    w.email = InboundEmail.objects.create(mailbox=mailbox, message_key=f"matriks-{side}",
                                          state=InboundEmail.State.TRIAGE, subject=f"Surel Matriks {side}")
    w.call = CallTask.objects.create(request=w.req, reason="WhatsApp tidak terkirim")
    w.lapor, _created = lapor_services.register(
        agency, lapor_services.ReportData(tracking_id=f"MATRIKS-{side}", content=f"Laporan matriks {side}"),
        actor=admin, service=w.std.service)
    w.kabid_unit = _unit_of(agency, "unit_head", 0)
    w.kasi_unit = _unit_of(agency, "unit_head", 1)
    w.evaluation = _evaluation(agency, f"matriks:{side}")
    w.unit_evaluation = _evaluation(agency, f"matriks:{side}:unit", unit=w.kabid_unit)
    w.follow_up = FollowUp.objects.create(agency=agency, period="2026-S1", element="U1", action="Rencana",
                                          owner="Sekretariat", due_date=date(2026, 6, 30))
    w.kiosk = survey_services.start_kiosk(admin, w.std.service)
    w.survey_report = SurveyReport.objects.create(agency=agency, period="2026-S1", format="pdf",
                                                  status="done")
    w.survey_report.file.save(f"skm-{side}.pdf", ContentFile(b"%PDF-1.4\n"))
    # What a page shown to someone who must not see this agency may never contain.
    w.markers = [agency.name, w.unit.name, w.person.full_name, w.req.tracking_code, w.guest.name,
                 f"Pemohon Matriks {side}", w.req.subject, w.published.service.name, w.draft.service.name,
                 admin.full_name]
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("attack-staff-media")))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            if not Agency.objects.exists():  # a transactional test earlier flushed the seed data
                loader.load_all()
            W.update(A=build("A"), B=build("B"))
            for role in ROLES:
                client_of(role)
            yield W
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            W.clear()
            CLIENTS.clear()
            media.disable()


# ---------------------------------------------------------------- helpers


CLIENTS: dict[str, Client] = {}


def client_of(role) -> Client:
    """One client per role for the module (signed in inside the module's transaction, so the session
    outlives each test's rollback); messages of an earlier case are dropped."""
    if role not in CLIENTS:
        CLIENTS[role] = Client() if role == ANONYMOUS else login(role)
    client = CLIENTS[role]
    client.cookies.pop("messages", None)
    return client


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Tables outside the tenant paths that a staff screen writes: the region's settings.
REGION_TABLES = ["agencies.region", "reports.regionsetting"]


def snapshot() -> dict:
    """Every tenant-owned table (core.tenancy.AGENCY_PATHS) and the region's, row by row as stored,
    as a digest; and the mail sent."""
    digests = {}
    with connection.cursor() as cursor:
        for label in sorted(tenancy.AGENCY_PATHS) + REGION_TABLES:
            table = connection.ops.quote_name(apps.get_model(label)._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 — a model's own table
            digests[label] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    digests["mail"] = len(mail.outbox)
    return digests


def changed(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def body(response) -> str:
    """The text of a page, or of a spreadsheet's XML (an XLSX download is searched like a page)."""
    if getattr(response, "streaming", False):
        return ""
    if response.get("Content-Type", "").startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(name).decode(errors="replace") for name in book.namelist()
                           if name.endswith(".xml"))
    return response.content.decode(errors="replace")


def assert_no_leak(response, role, side, where, url=""):
    """A page one may open names nothing of an agency one may not see (what one typed into the
    query string aside: the page may echo it)."""
    if response.status_code != 200 or not response.get("Content-Type", "").startswith(("text/html", XLSX)):
        return
    html = body(response)
    for values in parse_qs(urlsplit(url).query).values():
        for value in values:
            html = html.replace(value, "")
    foreign = ["A", "B"] if role == OVERSEER else ["B"]
    for other in foreign:
        for marker in W[other].markers:
            assert marker not in html, f"{where}: {role} sees {marker!r} of agency {other}"


def expected(case, role, side, method):
    """The status `role` must get for `case` on agency `side`'s object by `method`."""
    if role == ANONYMOUS:
        return {302}
    if method == "get" and not case.get:
        return {404, 405}  # a POST-only endpoint: refused by role/tenancy (404) or by method (405)
    if side == "B":
        return {404}
    if method == "get" and role in case.redirects:
        return {302}
    allowed = case.may if method == "get" else case.may_post()
    if role not in allowed:
        return {case.refused} if role in case.refused_roles and method == "post" else {404}
    return case.get_ok if method == "get" else case.ok


def url_of(case, side):
    kwargs = case.kwargs(side) if case.kwargs else {}
    query = case.query(side) if callable(case.query) else case.query
    return reverse(case.url_name, kwargs=kwargs) + query


# ---------------------------------------------------------------- the tests


def test_every_staff_url_is_in_the_matrix():
    """A staff URL without a row (or a row whose URL is gone) fails here, listing it."""
    routes = staff_routes()
    missing = sorted(f"{name}  ({route})" for name, route in routes.items()
                     if name not in SKIPPED and not any(case.url_name == name for case in CASES))
    assert not missing, "staff URLs missing from the attack matrix (add a Case):\n" + "\n".join(missing)
    stale = sorted({case.url_name for case in CASES} - set(routes))
    assert not stale, f"matrix rows for URLs that no longer exist: {stale}"


def test_every_row_fills_every_parameter_of_its_url_for_both_agencies(world):
    """A parameter the matrix cannot fill fails here, naming the pattern."""
    unfilled = []
    for case in CASES:
        route = staff_routes()[case.url_name]
        for side in case.agencies():
            try:
                url = url_of(case, side)
            except Exception as exc:  # noqa: BLE001 — reported with the pattern
                unfilled.append(f"{case.name} ({route}) for agency {side}: {exc!r}")
                continue
            match = resolve(url.split("?")[0])
            if match.view_name != case.url_name:
                unfilled.append(f"{case.name} ({route}) built {url}, which is {match.view_name}")
        if case.kwargs is None and "<" in route:
            unfilled.append(f"{case.name} ({route}) has parameters but the row fills none")
    assert not unfilled, "\n".join(unfilled)


def test_the_accounts_are_what_the_matrix_assumes(world, db):
    """The matrix's premises: the Dinsos accounts hold the roles the rows were written for, and the
    Kediri overseer reads a region that is neither Dinsos Sekadau's nor DPMPTSP Bangli's."""
    roles = {name: sorted(User.objects.get(username=name).roles) for name in sorted(DINSOS)}
    assert roles == {ADMIN: ["agency_admin"], KADIS: ["head"], SEKRETARIS: ["secretary"],
                     KABID: ["unit_head"], KASI: ["unit_head"], TU: ["handler"], DATA: ["handler"],
                     PETUGAS: ["front_desk"]}
    assert all(User.objects.get(username=name).agency == W["A"].agency for name in DINSOS)
    overseer = User.objects.get(username=OVERSEER)
    assert overseer.roles == {"overseer"}
    assert overseer.scope_region_id not in {W["A"].agency.region_id, W["B"].agency.region_id}
    assert W["A"].agency.region_id != W["B"].agency.region_id
    # The unit rows: the Kasi's seksi lies below the Kabid's bidang.
    assert W["A"].kasi_unit.parent_id == W["A"].kabid_unit.pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", [case.name for case in CASES])
def test_matrix(world, db, key, role):
    case = BY_KEY[key]
    client = client_of(role)
    methods = ["get", "post"] if case.post else ["get"]
    state = None  # the last snapshot, while nothing was allowed to change since
    for side in case.agencies():
        url = url_of(case, side)
        for method in methods:
            where = f"{method.upper()} {url} ({case.name}, agency {side}) as {role}"
            want = expected(case, role, side, method)
            allowed = role != ANONYMOUS and side == "A" and role in (
                case.may if method == "get" else case.may_post())
            compare = (case.inert or not allowed) and (method == "post" or case.writes_on_get)
            before = (state or snapshot()) if compare else None
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, case.post(side))
            if response.streaming:  # read it: the test client then closes it (never close() here)
                b"".join(response.streaming_content)
            assert response.status_code != 500, where
            assert response.status_code in want, f"{where}: {response.status_code}, expected {sorted(want)}"
            if role == ANONYMOUS:
                assert response["Location"].startswith(reverse("accounts:login")), where
            elif method == "get" and role in case.redirects:
                assert not response["Location"].startswith(reverse("accounts:login")), where
            if before is not None:
                state = snapshot()
                assert not changed(before, state), f"{where} changed {changed(before, state)}"
            else:
                state = None
            assert_no_leak(response, role, side, where, url)


@pytest.mark.parametrize("key", [case.name for case in CASES if case.post and case.effective])
def test_allowed_posts_take_effect(world, db, key):
    """The payloads are real: the first role allowed to send one changes agency A's data with it.
    So the unchanged tables of every refused case are a refusal, not a payload that does nothing."""
    case = BY_KEY[key]
    role = sorted(case.may_post())[0]
    client = client_of(role)
    before = snapshot()
    response = client.post(url_of(case, "A"), case.post("A"))
    assert response.status_code in case.ok, (response.status_code, body(response)[:2000])
    assert changed(before, snapshot()), f"POST {case.name} as {role} changed nothing"


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_never_open_to_agency_staff(world, db, role):
    """/admin/ is for platform operators: every page of it sends staff (and strangers) to its login."""
    client = client_of(role)
    routes = admin_routes()
    assert "admin/" in routes and len(routes) > 5
    login_url = reverse("admin:login")
    for route in routes:
        response = client.get("/" + route)
        assert response.status_code == 302, (route, role, response.status_code)
        assert response["Location"].startswith(login_url), (route, role, response["Location"])


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_personal_data_shows_whole_only_to_who_may_see_it(world, db, role):
    """The NIK (and phone) of agency A's request: whole only where access.sees_personal_data says
    so — the request page and the printable sheets; masked elsewhere; never on the receipt, in the
    inbox or its XLSX export; the overseer gets none of these pages."""
    req = W["A"].req
    user = User.objects.get(username=role)
    sees = access.sees_personal_data(req, user)
    assert sees == (role in SEE_PERSONAL_DATA), "access.sees_personal_data disagrees with the matrix"
    client = login(role)
    for name in ("desk:request", "desk:disposition_sheet", "desk:consultation_sheet"):
        response = client.get(reverse(name, args=[req.pk]))
        if role == OVERSEER:
            assert response.status_code == 404, name
            continue
        assert response.status_code == 200, name
        html = body(response)
        if name == "desk:request":
            assert "Pemohon Matriks A" in html
            assert (NIK["A"] in html) == sees, role
            assert (PHONE["A"] in html) == sees, role
            assert sees or mask(NIK["A"]) in html, role
        elif not sees:  # the sheets show no NIK at all; never whole to who may not see it
            assert NIK["A"] not in html and PHONE["A"] not in html, (name, role)
    for url in (reverse("desk:counter_receipt", args=[req.pk]), reverse("desk:inbox") + "?lingkup=instansi",
                reverse("desk:inbox_export") + "?lingkup=instansi"):
        response = client.get(url)
        if response.status_code == 200:
            text = body(response)
            if role in LEADERSHIP | STEP_HOLDERS or "tanda-terima" in url:  # it lists the request:
                assert req.tracking_code in text, (url, role)  # the page (or sheet) was read
            assert NIK["A"] not in text, (url, role)
        else:
            assert response.status_code == 404, (url, role)
