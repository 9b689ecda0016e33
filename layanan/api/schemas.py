"""The API's shapes as pydantic models: the OpenAPI document is generated from these.

Interchange shapes (docs/interchange.md) allow extra keys: the format grows by adding keys,
and a client must ignore the ones it does not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

DURATION_UNITS = Literal["minute", "hour", "working_day", "day", "week", "month", "year", "none"]
COMPONENT_KEYS = Literal[
    "persyaratan",
    "prosedur",
    "jangka_waktu",
    "biaya",
    "produk",
    "pengaduan",
    "dasar_hukum",
    "sarana_prasarana",
    "kompetensi_pelaksana",
    "pengawasan_internal",
    "jumlah_pelaksana",
    "jaminan_pelayanan",
    "jaminan_keamanan",
    "evaluasi_kinerja",
]
AGENCY_CODE = r"^[A-Za-z0-9-]{1,40}$"


class Open(Schema):
    """A shape that other tools extend by adding keys."""

    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------- errors


class FieldError(Schema):
    message: str
    message_en: str


class ErrorBody(Schema):
    message: str = Field(description="Bahasa Indonesia")
    message_en: str = Field(description="English")
    code: str | None = Field(None, description="e.g. invalid, not_found, rate_limited, conflict")
    fields: dict[str, list[FieldError]] | None = Field(
        None, description="Per input field (the names of the request body), when the input was refused"
    )


class ErrorOut(Schema):
    error: ErrorBody


# ---------------------------------------------------------------- standard interchange JSON


class Duration(Open):
    min: int | None = Field(description="range start; null for one value")
    max: int | None = Field(description="the deadline; null for unit none")
    unit: DURATION_UNITS | None
    clock_starts_at: str = Field(description="'submitted' or the step starting the clock")
    text: str


class Cost(Open):
    free: bool
    amount: float | None = None


class Channel(Open):
    kind: str | None = Field(
        description="counter, letter, suggestion_box, phone, whatsapp, email, website, "
        "lapor, app, social_media, radio, team, other"
    )
    value: str = Field("", description="E.164 phone, e-mail address or URL; may be empty")


class LegalReference(Open):
    type: str | None = None
    number: str | None = None
    year: int | None = None
    title: str | None = None


class RequirementItem(Open):
    label: str
    kind: str = Field(description="document, identity, form, other")
    mandatory: bool
    group: str | None = None


class ProcedureStep(Open):
    position: int
    text: str
    actor: str
    role: str = Field(description="applicant, external or a staff role")
    unit: str | None = None
    action: str
    on_done: int | None = Field(None, description="next step; null = next in order; 0 = end")
    on_cannot_resolve: int | None = None
    on_incomplete: str = ""
    can_reject: bool = False
    starts_clock: bool = False


class Enactment(Open):
    decree_number: str | None = None
    decree_date: str | None = Field(None, description="ISO date")


class Service(Open):
    """One published standard as the standard interchange JSON (docs/interchange.md)."""

    agency: str = Field(description="Agency code, e.g. DINSOS-SEKADAU")
    code: str = Field(description="Service code, unique within the agency")
    name: str
    kind: str | None = Field(None, description="consultation, data_request, information, complaint, other")
    version: int = Field(description="Version of the published standard")
    url: str = Field(description="The public service page")
    components: dict[COMPONENT_KEYS, str] = Field(
        description="Original wording of each component present (Permenpan RB 15/2014)"
    )
    requirements: list[str]
    requirement_items: list[RequirementItem] | None = None
    steps: list[str] = Field(description="Procedure step texts in order")
    procedure: list[ProcedureStep] | None = None
    duration: Duration
    cost: Cost
    product: str | None = None
    channels: list[Channel]
    legal_basis: list[LegalReference]
    enactment: Enactment | None = None
    warnings: list[str]


class StandardsOut(Schema):
    services: list[Service]


# ---------------------------------------------------------------- requests: create


class RequestIn(Schema):
    """The web form's fields (/<AGENCY>/<service>/ajukan/), validated by the same form."""

    agency: str = Field(pattern=AGENCY_CODE, description="Agency code, e.g. DPMPTSP-BANGLI")
    service: str = Field(max_length=100, description="Service code within the agency")
    applicant_type: Literal["person", "organisation"] = "person"
    name: str = Field("", max_length=200)
    nik: str = Field("", max_length=32, description="16 digits, checked by structure")
    phone: str = Field("", max_length=40, description="Indonesian number, stored as +62…")
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)
    organisation_name: str = Field("", max_length=255)
    letter_number: str = Field("", max_length=200)
    letter_date: str = Field("", max_length=10, description="YYYY-MM-DD")
    letter_signatory: str = Field("", max_length=200)
    subject: str = Field(max_length=300)
    description: str = Field(max_length=10000)
    consent: bool = Field(description="Consent to the use of the personal data (UU 27/2022); must be true")
    anonymous: bool = Field(False, description="Complaints only: no identity is kept")
    confidential: bool = Field(
        False, description="Complaints only: identity seen by the complaint officer only"
    )
    purpose: str = Field("", max_length=500, description="Data/information requests: purpose of use")
    obtain: str = Field("", max_length=20, description="melihat | salinan")
    receive: str = Field("", max_length=20, description="langsung | email | pos | whatsapp")
    location_text: str = Field("", max_length=500, description="Complaints: where (address, landmark)")
    location_lat: float | None = Field(None, ge=-90, le=90, description="WGS84")
    location_lon: float | None = Field(None, ge=-180, le=180, description="WGS84")


class RequestCreated(Schema):
    tracking_code: str
    secret: str = Field(description="The tracking secret: give it to the applicant, with the code")
    tracking_url: str = Field(description="The public tracking page (code + secret)")
    state: str
    missing: list[str] = Field(description="Mandatory documents still to send (POST /track/{code}/documents)")
    created: bool = Field(description="false when an Idempotency-Key retry returned the first request")


# ---------------------------------------------------------------- requests: read


class Named(Schema):
    code: str
    name: str


class TimelineLine(Schema):
    at: datetime
    text: str
    who: str
    note: str


class ProductFile(Schema):
    id: int
    filename: str
    size: int
    content_type: str


class TrackingOut(Schema):
    """Exactly what the public tracking page shows (requests/receipt.py)."""

    tracking_code: str
    agency: Named
    service: Named
    state: str
    state_label: str
    status: str = Field(description="The status in one plain sentence")
    created_at: datetime
    due_at: datetime | None
    clock_note: str
    missing: list[str]
    timeline: list[TimelineLine]
    product_text: str
    products: list[ProductFile]
    actions: list[str] = Field(description="What the applicant may do now: message, supply, withdraw")


class Location(Schema):
    text: str
    lat: float | None
    lon: float | None


class RequestSummary(Schema):
    tracking_code: str
    service: Named
    kind: str
    channel: str
    state: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    sla_status: str = Field(description="on_time, at_risk, breached (requests.clock.sla_status)")
    subject: str | None = Field(None, description="desk keys only")
    applicant: str | None = Field(None, description="desk keys only: name, masked phone")


class RequestPage(Schema):
    results: list[RequestSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")


class Applicant(Schema):
    hidden: bool = Field(description="Confidential: only the complaint officer sees the identity")
    masked: bool
    type: str
    name: str
    organisation: str
    nik: str
    phone: str
    email: str
    address: str
    letter_number: str
    letter_date: str | None
    letter_signatory: str


class StepOut(Schema):
    position: int
    actor: str
    action: str


class Person(Schema):
    id: int
    name: str


class AllowedAction(Schema):
    name: str
    label: str
    needs_note: bool
    needs_confirm: bool


class AttachmentOut(Schema):
    id: int
    filename: str
    purpose: str
    size: int
    content_type: str
    uploaded_at: datetime
    may_download: bool


class LaporOut(Schema):
    tracking_id: str
    status: str
    topic: str
    followup_due_at: datetime | None
    followup_written: bool
    followup_copied: bool


class RequestOut(Schema):
    """A request as the caller may see it: the public view for read_public/intake keys; the whole
    request as the desk key's staff user sees it on the desk (requests.access decides)."""

    tracking_code: str
    agency: Named
    service: Named
    kind: str
    channel: str
    state: str
    state_label: str
    status: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    sla_status: str
    location: Location | None = Field(description="null when none or the complaint is confidential")
    timeline: list[TimelineLine] = Field(description="The public timeline")
    version: int | None = Field(None, description="desk: pass as expected_version to act")
    subject: str | None = None
    description: str | None = None
    applicant: Applicant | None = None
    product_text: str | None = None
    reject_reason: str | None = None
    current_step: StepOut | None = None
    assignee: Person | None = None
    unit: Person | None = None
    actions: list[AllowedAction] | None = None
    attachments: list[AttachmentOut] | None = None
    lapor: LaporOut | None = None


class EventOut(Schema):
    id: int
    tracking_code: str
    at: datetime
    action: str
    from_state: str
    to_state: str
    public: bool
    note: str
    actor_kind: str
    actor_role: str


class EventPage(Schema):
    events: list[EventOut]
    next_cursor: str = Field(description="Pass as ?since= next time: events after this point")


# ---------------------------------------------------------------- requests: act


class ActionIn(Schema):
    action: Literal[
        "advance",
        "dispose",
        "escalate",
        "return_incomplete",
        "resume",
        "reject",
        "withdraw",
        "close",
        "reopen",
        "assign",
        "note",
        "complete_compensation",
    ]
    note: str = Field("", max_length=5000)
    public: bool = Field(False, description="note: visible to the applicant")
    confirmed: bool = Field(False, description="withdraw: confirmation")
    expected_version: int | None = Field(
        None, ge=0, le=2_000_000_000, description="the version read; a stale one is a 409"
    )
    to_user: int | None = Field(None, ge=1, le=2**62, description="dispose / assign: a staff id")
    to_unit: int | None = Field(None, ge=1, le=2**62, description="dispose: a unit id")
    missing: list[int] = Field([], max_length=50, description="return_incomplete: requirement ids")
    missing_other: list[str] = Field([], max_length=20, description="return_incomplete: other items")
    product_text: str = Field("", max_length=10000, description="advance on the answer step: the answer")


class MessageIn(Schema):
    text: str = Field(min_length=1, max_length=5000)


class WithdrawIn(Schema):
    note: str = Field("", max_length=500, description="Why (optional)")


class Done(Schema):
    tracking_code: str
    state: str
    version: int
