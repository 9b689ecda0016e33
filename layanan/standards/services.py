"""Everything that changes a standard goes through these functions.

They check the status path (draft → discussed → enacted → published →
superseded), who may do it, and keep `Service.published_standard` pointing at
the one public version.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.accounts.roles import EDIT_STANDARDS, ENACT_STANDARDS, Role

from .completeness import missing_for_publishing
from .models import Requirement, Service, ServiceStandard, Step

Status = ServiceStandard.Status
# Who may enact a discussed standard (the agency's head or admin, the region's overseer) and who
# may send one back for revision; views.py guards its screens with the same groups.
ENACTORS = frozenset({Role.HEAD, Role.AGENCY_ADMIN, *ENACT_STANDARDS})
RETURNERS = frozenset({Role.HEAD, *ENACT_STANDARDS})

# Fields copied when a new version is made from an existing one.
COPIED_FIELDS = [
    "source_url", "texts", "duration_text", "duration_min", "duration_max", "duration_unit",
    "clock_starts_at", "cost_amount", "cost_legal_basis", "product", "channels", "legal_basis",
    "facilities", "accessible", "competencies", "supervision", "staff_count", "guarantee",
    "compensation_on_breach", "security_guarantee", "evaluation_periods", "withdraw_roles", "kinds",
]
STEP_FIELDS = [
    "position", "text", "actor", "role", "unit_id", "action", "stage", "track", "on_done",
    "on_cannot_resolve", "on_incomplete", "can_reject", "starts_clock",
]
REQUIREMENT_FIELDS = ["position", "label", "kind", "mandatory", "group", "provided_by", "kinds"]


class TransitionError(ValidationError):
    """A status change that the standard's current state does not allow."""


def _require_role(user, *roles):
    if user is not None and not user.is_superuser and not user.has_role(*roles):
        raise PermissionDenied(_("Peran Anda tidak mengizinkan tindakan ini."))


def _require_status(std, *allowed):
    if std.status not in allowed:
        raise TransitionError(
            _("Standar berstatus %(status)s; tindakan ini tidak dapat dilakukan.")
            % {"status": std.get_status_display()}
        )


@transaction.atomic
def mark_discussed(std, user, *, discussed_on: date, notes: str = "", minutes_file=None):
    """Record the discussion with stakeholders (berita acara)."""
    _require_role(user, *EDIT_STANDARDS)
    _require_status(std, Status.DRAFT)
    if not notes.strip() and not minutes_file:
        raise ValidationError(_("Lampirkan berita acara atau tulis catatan pembahasan."))
    std.status = Status.DISCUSSED
    std.discussed_on = discussed_on
    std.discussion_notes = notes
    if minutes_file:
        std.discussion_minutes = minutes_file
    std.save()
    return std


@transaction.atomic
def enact(std, user, *, decree_number: str, decree_date: date):
    """Record the decree that enacts the standard (pengesahan)."""
    _require_role(user, *ENACTORS)
    _require_status(std, Status.DISCUSSED)
    if not decree_number.strip():
        raise ValidationError(_("Nomor keputusan wajib diisi."))
    std.status = Status.ENACTED
    std.decree_number = decree_number.strip()
    std.decree_date = decree_date
    std.enacted_by = user
    std.save()
    return std


@transaction.atomic
def publish(std, user):
    """Publish an enacted standard; the previous public version is superseded."""
    _require_role(user, *EDIT_STANDARDS)
    std = ServiceStandard.objects.select_for_update().select_related("service").get(pk=std.pk)
    _require_status(std, Status.ENACTED)
    missing = missing_for_publishing(std)
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    service = Service.objects.select_for_update().get(pk=std.service_id)
    ServiceStandard.objects.filter(service=service, status=Status.PUBLISHED).update(
        status=Status.SUPERSEDED, superseded_at=now
    )
    std.status = Status.PUBLISHED
    std.published_at = now
    std.save()
    service.published_standard = std
    service.save(update_fields=["published_standard"])
    return std


@transaction.atomic
def return_for_revision(std, user, *, note: str):
    """The overseer (or the agency head) sends a discussed or enacted standard back to the agency
    as a draft, with a note saying what to revise; the note stays on the draft."""
    _require_role(user, *RETURNERS)
    _require_status(std, Status.DISCUSSED, Status.ENACTED)
    if not note.strip():
        raise ValidationError(_("Tuliskan apa yang perlu diperbaiki."))
    std.status = Status.DRAFT
    std.review_note = note.strip()[:5000]
    std.returned_at = timezone.now()
    std.decree_number, std.decree_date, std.enacted_by = "", None, None
    std.save()
    return std


def below_threshold(std, score: float | None = None):
    """(score, threshold) when the standard's completeness is below its region's threshold, else None:
    enacting or publishing it then asks for a confirmation."""
    from .completeness import check_components, completeness_score

    threshold = std.service.agency.region.min_completeness
    score = completeness_score(check_components(std)) if score is None else score
    return (score, threshold) if score < threshold else None


@transaction.atomic
def new_version(source: ServiceStandard, user) -> ServiceStandard:
    """A new draft copied from `source` (usually the published version)."""
    _require_role(user, *EDIT_STANDARDS)
    service = Service.objects.select_for_update().get(pk=source.service_id)
    if service.standards.filter(status__in=[Status.DRAFT, Status.DISCUSSED, Status.ENACTED]).exists():
        raise TransitionError(_("Sudah ada versi yang sedang disusun untuk layanan ini."))
    latest = service.standards.order_by("-version").values_list("version", flat=True).first() or 0
    draft = ServiceStandard(service=service, version=latest + 1, status=Status.DRAFT)
    for field in COPIED_FIELDS:
        setattr(draft, field, getattr(source, field))
    draft.save()
    Requirement.objects.bulk_create(
        Requirement(standard=draft, **{f: getattr(r, f) for f in REQUIREMENT_FIELDS})
        for r in source.requirements.all()
    )
    Step.objects.bulk_create(
        Step(standard=draft, **{f: getattr(s, f) for f in STEP_FIELDS}) for s in source.steps.all()
    )
    return draft


def cost_from_dict(cost: dict) -> Decimal | None:
    if cost.get("free"):
        return Decimal(0)
    amount = cost.get("amount")
    return None if amount is None else Decimal(str(amount))
