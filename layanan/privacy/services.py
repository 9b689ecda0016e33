"""Data subject requests (UU 27/2022): an applicant asks to see or to erase their personal data.

Each is recorded (DataSubjectRequest) before anything is shown or erased; the
record keeps the identifier only as a keyed hash and a masked hint. Erasure
goes through requests.lifecycle.anonymise(), the same write the retention job
uses, and only for finished requests: while a request is open the agency
still has a legal duty to it, so it is kept and the record says so.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.core.tenancy import scoped
from layanan.requests import identity, lifecycle
from layanan.requests.models import OPEN_STATES, Attachment, Event, Request

from .models import DataSubjectRequest
from .subjects import Identifier, request_ids

Outcome = DataSubjectRequest.Outcome


def record(agency, user, *, kind: str, identifier: Identifier, requested_at=None,
           note: str = "") -> DataSubjectRequest:
    return DataSubjectRequest.objects.create(
        agency=agency, kind=kind, subject_kind=identifier.kind, subject_ref=identifier.digest,
        subject_hint=identifier.hint, requested_at=requested_at or timezone.now(), recorded_by=user,
        note=note.strip(),
    )


def matches(dsr: DataSubjectRequest, user):
    """The subject's requests in the agency (through core.tenancy), oldest first."""
    ids = request_ids(dsr.agency_id, dsr.subject_ref)
    return (scoped(Request.objects.select_related("service"), user, region_wide=False)
            .filter(agency_id=dsr.agency_id, pk__in=ids).order_by("created_at", "pk"))


def _handled(dsr, user, outcome, result=None):
    dsr.outcome, dsr.handled_by, dsr.handled_at = outcome, user, timezone.now()
    if result is not None:
        dsr.result = result
    dsr.save(update_fields=["outcome", "handled_by", "handled_at", "result"])


def export(dsr: DataSubjectRequest, user) -> dict:
    """Everything held about the subject, in clear, as one JSON-ready dict.

    Opening it answers an access request (recorded once). A confidential
    complaint's identity shown here is logged like every other view of it.
    """
    requests = list(matches(dsr, user))
    with transaction.atomic():
        if dsr.outcome == Outcome.PENDING:
            _handled(dsr, user, Outcome.PROVIDED if requests else Outcome.NOT_FOUND,
                     {"requests": [r.tracking_code for r in requests]})
        # Linking a person to a confidential complaint reveals the complainant: logged like any view.
        identity.log_identity_views(requests, user)
    events = {}
    for event in Event.objects.filter(request__in=requests, public=True).order_by("at", "id"):
        events.setdefault(event.request_id, []).append(event)
    files = {}
    for attachment in Attachment.objects.filter(request__in=requests).order_by("uploaded_at", "id"):
        files.setdefault(attachment.request_id, []).append(attachment)
    return {
        "agency": dsr.agency.name,
        "identifier": dsr.subject_hint,
        "prepared_at": timezone.now().isoformat(),
        "requests": [_request_data(r, events.get(r.pk, []), files.get(r.pk, [])) for r in requests],
    }


def _request_data(r: Request, events, files) -> dict:
    return {
        "tracking_code": r.tracking_code,
        "service": r.service.name,
        "kind": r.get_kind_display(),
        "channel": r.get_channel_display(),
        "state": r.get_state_display(),
        "submitted_at": r.created_at.isoformat(),
        "finished_at": (r.closed_at or r.resolved_at).isoformat() if (r.closed_at or r.resolved_at) else None,
        "confidential": r.confidential,
        "applicant": {
            "type": r.get_applicant_type_display(), "name": r.applicant_name, "nik": r.applicant_nik,
            "phone": r.applicant_phone, "email": r.applicant_email, "address": r.applicant_address,
            "organisation": r.organisation_name, "letter_number": r.letter_number,
            "letter_date": r.letter_date.isoformat() if r.letter_date else None,
            "letter_signatory": r.letter_signatory,
            "consent_at": r.consent_at.isoformat() if r.consent_at else None,
        },
        "subject": r.subject,
        "description": r.description,
        "answer": r.product_text,
        "reject_reason": r.reject_reason,
        "files": [{"name": f.filename, "purpose": f.get_purpose_display(), "type": f.content_type,
                   "size": f.size, "uploaded_at": f.uploaded_at.isoformat()} for f in files],
        "timeline": [{"at": e.at.isoformat(), "action": e.action, "note": e.note} for e in events],
    }


def erase(dsr: DataSubjectRequest, user) -> dict:
    """Anonymise the subject's finished requests now; open ones are kept and listed.

    Returns {"erased": [codes], "open": [codes]} and records the outcome.
    """
    if dsr.kind != DataSubjectRequest.Kind.ERASURE:
        raise lifecycle.LifecycleError(_("Catatan ini permintaan akses, bukan penghapusan."))
    found = list(matches(dsr, user))
    erased, still_open = [], []
    for request in found:
        if request.state in OPEN_STATES:
            still_open.append(request.tracking_code)
            continue
        try:
            with transaction.atomic():
                if lifecycle.anonymise(request.pk, actor=user, reason="erasure"):
                    erased.append(request.tracking_code)
        except lifecycle.LifecycleError:  # reopened a moment ago
            still_open.append(request.tracking_code)
    previous = dsr.result or {}
    result = {"erased": sorted(set(previous.get("erased", [])) | set(erased)), "open": still_open}
    if still_open:
        outcome = Outcome.PARTLY_ERASED if result["erased"] else Outcome.REFUSED
    else:
        outcome = Outcome.ERASED if result["erased"] else Outcome.NOT_FOUND
    _handled(dsr, user, outcome, result)
    return {"erased": erased, "open": still_open}


def may_erase(dsr: DataSubjectRequest) -> bool:
    return dsr.kind == DataSubjectRequest.Kind.ERASURE and dsr.outcome in {
        Outcome.PENDING, Outcome.PARTLY_ERASED, Outcome.REFUSED}
