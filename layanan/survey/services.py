"""Writes of the survey: answers (web link, kiosk, paper), kiosk sessions, the questionnaire
settings, follow-up plans and report requests. Views stay thin; every write is here.

The links:
- `survey_link(request)` — the one survey of a delivered request: a signed token naming the
  request (stable, so the e-mail, the tracking page and a WhatsApp message give the same link),
  valid for SURVEY_VALID_DAYS after the request was resolved (or closed), answerable once.
- `kiosk_path(session)` — a kiosk opened by the front desk for one service: a signed token naming
  the KioskSession row, valid until the session expires or is ended.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rollups
from .ikm import CODES, SCORES
from .models import Channel, FollowUp, KioskSession, SurveyConfig, SurveyReport, SurveyResponse
from .periods import KINDS
from .questionnaire import PROFILE, valid_order

REQUEST_SALT = "layanan.survey.request"
KIOSK_SALT = "layanan.survey.kiosk"
FORM_SALT = "layanan.survey.form"
FORM_TOKEN_MAX_AGE = 24 * 3600
DEFAULT_VALID_DAYS = 30
DEFAULT_KIOSK_HOURS = 12
MAX_SUGGESTION = 2000


class SurveyClosed(Exception):
    """The survey of this request cannot be answered now (not delivered yet, or expired)."""

    def __init__(self, message, *, status=410):
        super().__init__(message)
        self.message = message
        self.status = status


# ---------------------------------------------------------------- settings


def valid_days() -> int:
    """SURVEY_VALID_DAYS (setting or environment variable; default 30)."""
    value = getattr(settings, "SURVEY_VALID_DAYS", None)
    if value is None:
        value = os.environ.get("SURVEY_VALID_DAYS", DEFAULT_VALID_DAYS)
    return max(1, int(value))


def kiosk_hours() -> int:
    value = getattr(settings, "SURVEY_KIOSK_HOURS", None)
    if value is None:
        value = os.environ.get("SURVEY_KIOSK_HOURS", DEFAULT_KIOSK_HOURS)
    return max(1, int(value))


def config_of(agency) -> SurveyConfig:
    """The agency's questionnaire settings (defaults when it has none yet; not saved). Read through
    the agency (one query, none where the caller select_related "agency__survey_config")."""
    try:
        return agency.survey_config
    except SurveyConfig.DoesNotExist:
        return SurveyConfig(agency=agency)


def element_order(agency) -> list[str]:
    return valid_order(config_of(agency).element_order) or list(CODES)


def local_date(agency, moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(agency.timezone)).date()


# ---------------------------------------------------------------- the link after delivery


def survey_token(request) -> str:
    return signing.Signer(salt=REQUEST_SALT).sign_object({"r": request.pk})


def survey_path(request) -> str:
    return reverse("survey_public:respond", args=[survey_token(request)])


def site_url() -> str:
    """The public address (core.site: SITE_URL, else the address of the request being served)."""
    try:
        from layanan.core.site import site_url as current
    except ImportError:  # pragma: no cover — older trees without core.site
        return settings.SITE_URL or "http://127.0.0.1:8000"
    return current()


def survey_link(request) -> str:
    """The absolute survey link of a delivered request (e-mail, WhatsApp, the tracking page)."""
    return site_url() + survey_path(request)


def request_from_token(token: str):
    """The request a survey token names, or None for a token that is not ours."""
    from layanan.requests.models import Request

    try:
        data = signing.Signer(salt=REQUEST_SALT).unsign_object(token or "")
        pk = int(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (
        Request.objects.select_related("agency", "agency__survey_config", "service", "service__unit")
        .filter(pk=pk)
        .first()
    )


def delivered_at(request) -> datetime | None:
    if request.state not in rollups.DELIVERED:
        return None
    return request.resolved_at or request.closed_at


def open_until(request) -> datetime | None:
    finished = delivered_at(request)
    return finished + timedelta(days=valid_days()) if finished else None


def check_open(request, now=None) -> None:
    """Raise SurveyClosed unless the request's survey may be answered now."""
    now = now or timezone.now()
    until = open_until(request)
    if until is None:
        raise SurveyClosed(_("Survei dapat diisi setelah permohonan Anda selesai."), status=403)
    if now > until:
        raise SurveyClosed(
            _(
                "Masa pengisian survei untuk permohonan ini sudah berakhir (%(days)d hari "
                "setelah layanan selesai). Terima kasih."
            )
            % {"days": valid_days()}
        )


def answer_of(request) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(request_id=request.pk).first()


@dataclass(frozen=True)
class Offer:
    """What the tracking page says about the survey of a delivered request."""

    url: str
    answered: bool
    open: bool
    until: datetime | None


def offer(request, now=None) -> Offer | None:
    """The survey block of the tracking page: None before delivery."""
    until = open_until(request)
    if until is None:
        return None
    answered = SurveyResponse.objects.filter(request_id=request.pk).exists()
    now = now or timezone.now()
    return Offer(url=survey_path(request), answered=answered, open=not answered and now <= until, until=until)


# ---------------------------------------------------------------- form tokens


def new_form_token() -> str:
    return signing.dumps(uuid.uuid4().hex, salt=FORM_SALT, compress=False)


def read_form_token(token: str) -> str:
    try:
        return signing.loads(token or "", salt=FORM_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(
            _(
                "Formulir ini sudah kedaluwarsa atau tidak sah. Jawaban Anda masih ada di "
                "layar: kirim sekali lagi."
            ),
            code="token",
        ) from None


# ---------------------------------------------------------------- answers


def _clean_scores(scores: dict, *, require_all: bool) -> dict:
    cleaned = {}
    for code in CODES:
        value = scores.get(code)
        if value in (None, "", 0):
            if require_all:
                raise ValidationError(_("Semua sembilan pertanyaan harus dijawab."), code="incomplete")
            cleaned[code.lower()] = None
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Jawaban harus 1, 2, 3 atau 4."), code="score") from None
        if value not in SCORES:
            raise ValidationError(_("Jawaban harus 1, 2, 3 atau 4."), code="score")
        cleaned[code.lower()] = value
    if not any(v is not None for v in cleaned.values()):
        raise ValidationError(_("Belum ada satu pun jawaban."), code="empty")
    return cleaned


def _clean_profile(profile: dict) -> dict:
    cleaned = {}
    for field, _label, choices in PROFILE:
        value = profile.get(field)
        if value in (None, "", 0):
            cleaned[field] = None
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Pilihan profil tidak dikenal."), code="profile") from None
        if value not in choices.values:
            raise ValidationError(_("Pilihan profil tidak dikenal."), code="profile")
        cleaned[field] = value
    return cleaned


def record_answer(
    *,
    service,
    channel: str,
    scores: dict,
    profile: dict | None = None,
    suggestion: str = "",
    request=None,
    kiosk=None,
    entered_by=None,
    form_token: str | None = None,
    answered_on: date | None = None,
    now=None,
) -> tuple[SurveyResponse, bool]:
    """Store one respondent's answers. Returns (response, created): a second submit of the same
    form (`form_token`) or a second survey of the same `request` gives back the first one."""
    now = now or timezone.now()
    agency = service.agency
    fields = _clean_scores(scores, require_all=channel != Channel.PAPER)
    fields.update(_clean_profile(profile or {}))
    # A form sent twice is found by the unique form_token when its INSERT fails (below): no lookup first.
    if request is not None:
        existing = answer_of(request)
        if existing:
            return existing, False
    response = SurveyResponse(
        agency=agency,
        region_id=agency.region_id,
        service=service,
        unit_id=service.unit_id,
        request=request,
        channel=channel,
        answered_at=now,
        answered_on=answered_on or local_date(agency, now),
        suggestion=(suggestion or "").strip()[:MAX_SUGGESTION],
        form_token=form_token or None,
        kiosk=kiosk,
        entered_by=entered_by,
        **fields,
    )
    try:
        with transaction.atomic():
            response.save()
            rollups.add_answer(response)  # the day's totals, in the same transaction
    except IntegrityError:
        # The same form or the same request, a moment ago (double click, two tabs).
        existing = None
        if form_token:
            existing = SurveyResponse.objects.filter(form_token=form_token).first()
        if existing is None and request is not None:
            existing = answer_of(request)
        if existing is None:
            raise
        return existing, False
    return response, True


def answer_request(request, *, scores, profile, suggestion="", form_token=None, now=None):
    """The applicant answers the survey of their delivered request (the signed link)."""
    existing = answer_of(request)
    if existing:
        return existing, False
    check_open(request, now)
    return record_answer(
        service=request.service,
        channel=Channel.WEB,
        scores=scores,
        profile=profile,
        suggestion=suggestion,
        request=request,
        form_token=form_token,
        now=now,
    )


# ---------------------------------------------------------------- kiosk


def kiosk_token(session: KioskSession) -> str:
    return signing.Signer(salt=KIOSK_SALT).sign_object({"k": session.pk})


def kiosk_path(session: KioskSession) -> str:
    return reverse("survey_public:kiosk", args=[kiosk_token(session)])


def kiosk_from_token(token: str, now=None) -> KioskSession | None:
    """The open kiosk session a token names; None when the token is not ours, or the session
    ended or expired."""
    try:
        pk = int(signing.Signer(salt=KIOSK_SALT).unsign_object(token or "")["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    session = (
        KioskSession.objects.select_related("agency", "agency__survey_config", "service", "service__agency")
        .filter(pk=pk)
        .first()
    )
    now = now or timezone.now()
    if session is None or session.ended_at is not None or session.expires_at <= now:
        return None
    return session


def start_kiosk(user, service, *, label: str = "", now=None) -> KioskSession:
    if service.agency_id != user.agency_id:
        raise ValidationError(_("Layanan ini bukan milik instansi Anda."))
    now = now or timezone.now()
    return KioskSession.objects.create(
        agency_id=service.agency_id,
        service=service,
        label=label.strip()[:100],
        started_by=user,
        started_at=now,
        expires_at=now + timedelta(hours=kiosk_hours()),
    )


def end_kiosk(session: KioskSession, user, now=None) -> None:
    KioskSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=now or timezone.now(), ended_by=user
    )


def kiosk_answer(session: KioskSession, *, scores, profile, suggestion="", form_token=None, now=None):
    return record_answer(
        service=session.service,
        channel=Channel.KIOSK,
        scores=scores,
        profile=profile,
        suggestion=suggestion,
        kiosk=session,
        form_token=form_token,
        now=now,
    )


# ---------------------------------------------------------------- paper


def paper_answer(
    user, service, *, answered_on: date, scores, profile, suggestion="", form_token=None, now=None
):
    if service.agency_id != user.agency_id:
        raise ValidationError(_("Layanan ini bukan milik instansi Anda."))
    return record_answer(
        service=service,
        channel=Channel.PAPER,
        scores=scores,
        profile=profile,
        suggestion=suggestion,
        entered_by=user,
        form_token=form_token,
        answered_on=answered_on,
        now=now,
    )


# ---------------------------------------------------------------- settings, follow-up, reports


def save_config(agency, user, *, order: list[str], period_kind: str) -> SurveyConfig:
    codes = valid_order(order)
    if codes is None:
        raise ValidationError(_("Urutan harus memuat kesembilan unsur U1–U9, masing-masing sekali."))
    if period_kind not in KINDS:
        raise ValidationError(_("Periode survei tidak dikenal."))
    config, _created = SurveyConfig.objects.update_or_create(
        agency=agency, defaults={"element_order": codes, "period_kind": period_kind, "updated_by": user}
    )
    return config


FOLLOW_UP_FIELDS = ("element", "action", "owner", "due_date", "status", "result")


def add_follow_up(
    agency,
    user,
    *,
    unit,
    period: str,
    element: str,
    action: str,
    owner: str,
    due_date,
    status: str = FollowUp.Status.PLANNED,
    result: str = "",
) -> FollowUp:
    if element not in CODES:
        raise ValidationError(_("Unsur tidak dikenal."))
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError(_("Unit ini bukan milik instansi Anda."))
    return FollowUp.objects.create(
        agency=agency,
        unit=unit,
        period=period,
        element=element,
        action=action.strip(),
        owner=owner.strip(),
        due_date=due_date,
        status=status,
        result=result.strip(),
        created_by=user,
        updated_by=user,
    )


def update_follow_up(follow_up: FollowUp, user, **changes) -> FollowUp:
    for field in FOLLOW_UP_FIELDS:
        if field in changes:
            value = changes[field]
            setattr(follow_up, field, value.strip() if isinstance(value, str) else value)
    follow_up.updated_by = user
    follow_up.save()
    return follow_up


def request_report(agency, user, *, period: str, fmt: str) -> SurveyReport:
    """Queue a report file (the worker builds it; the history screen shows it when done)."""
    if fmt not in SurveyReport.Format.values:
        raise ValidationError(_("Format laporan tidak dikenal."))
    report = SurveyReport.objects.create(agency=agency, period=period, format=fmt, requested_by=user)
    from .tasks import build_report_task

    transaction.on_commit(lambda: build_report_task(report.pk), robust=True)
    return report
