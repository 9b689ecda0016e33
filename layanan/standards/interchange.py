"""The standard interchange JSON of DESIGN §2 — one shape outside the database.

Read by the public API, written by exports and the importer's dry run, and
read back by the demo loader. Keys beyond DESIGN §2 (`procedure`,
`requirement_items`, `kind`, `name`) only add detail; the documented keys
keep their meaning. See docs/interchange.md.
"""

from django.db import transaction

from .models import COMPONENT_KEYS, Requirement, Service, ServiceStandard, Step
from .services import cost_from_dict

STEP_DEFAULTS = {
    "actor": "", "role": "applicant", "action": "process", "stage": "", "track": "",
    "on_done": None, "on_cannot_resolve": None, "on_incomplete": "", "can_reject": False,
    "starts_clock": False,
}


def duration_dict(std: ServiceStandard) -> dict:
    return {
        "min": std.duration_min,
        "max": std.duration_max,
        "unit": std.duration_unit or None,
        "clock_starts_at": std.clock_starts_at or "submitted",
        "text": std.duration_text,
    }


def step_dict(step: Step) -> dict:
    return {
        "position": step.position, "text": step.text, "actor": step.actor, "role": step.role,
        "unit": step.unit.name if step.unit_id else None, "action": step.action,
        "stage": step.stage, "track": step.track, "on_done": step.on_done,
        "on_cannot_resolve": step.on_cannot_resolve, "on_incomplete": step.on_incomplete,
        "can_reject": step.can_reject, "starts_clock": step.starts_clock,
    }


def to_interchange(std: ServiceStandard, *, base_url: str = "") -> dict:
    """Serialise one standard. Expects requirements/steps prefetched for lists."""
    service = std.service
    agency = service.agency
    steps = list(std.steps.all())
    requirements = list(std.requirements.all())
    return {
        "agency": agency.code,
        "code": service.code,
        "name": service.name,
        "kind": service.kind,
        "kinds": std.accepted_kinds,
        "version": std.version,
        "url": f"{base_url}/{agency.code}/{service.code}/",
        "components": {k: std.texts[k] for k in COMPONENT_KEYS if std.texts.get(k)},
        "requirements": [r.label for r in requirements],
        "requirement_items": [
            {"label": r.label, "kind": r.kind, "mandatory": r.mandatory, "group": r.group,
             "provided_by": r.provided_by, "kinds": list(r.kinds or [])}
            for r in requirements
        ],
        "steps": [s.text for s in steps],
        "procedure": [step_dict(s) for s in steps],
        "duration": duration_dict(std),
        "cost": {
            "free": std.is_free,
            "amount": None if std.is_free or std.cost_amount is None else float(std.cost_amount),
        },
        "product": std.product,
        "channels": [{"kind": c.get("kind"), "value": c.get("value", "")} for c in std.channels],
        "legal_basis": [
            {k: ref.get(k) for k in ("type", "number", "year", "title")} for ref in std.legal_basis
        ],
        "enactment": {
            "decree_number": std.decree_number or None,
            "decree_date": std.decree_date.isoformat() if std.decree_date else None,
        },
        "warnings": list(std.warnings),
    }


def _step_from(item, position: int, units: dict) -> Step:
    data = {"text": item} if isinstance(item, str) else dict(item)
    fields = {**STEP_DEFAULTS, **{k: v for k, v in data.items() if k in STEP_DEFAULTS}}
    unit_key = data.get("unit")
    return Step(position=position, text=data["text"], unit=units.get(unit_key), **fields)


def _requirement_from(item, position: int) -> Requirement:
    from .requirement_rules import guess_provided_by

    data = {"label": item} if isinstance(item, str) else item
    return Requirement(
        position=position, label=data["label"], kind=data.get("kind", "document"),
        mandatory=data.get("mandatory", True), group=data.get("group", ""),
        provided_by=data.get("provided_by") or guess_provided_by(data["label"]),
        kinds=list(data.get("kinds") or []),
    )


@transaction.atomic
def create_standard(service: Service, data: dict, *, units: dict | None = None) -> ServiceStandard:
    """Create a draft standard for `service` from an interchange dict.

    `units` maps the unit keys used in step dicts to Unit objects.
    """
    units = units or {}
    duration = data.get("duration") or {}
    latest = service.standards.order_by("-version").values_list("version", flat=True).first() or 0
    std = ServiceStandard.objects.create(
        service=service,
        version=latest + 1,
        source_url=data.get("url") or "",
        texts={k: v for k, v in (data.get("components") or {}).items() if k in COMPONENT_KEYS},
        duration_text=duration.get("text") or "",
        duration_min=duration.get("min"),
        duration_max=duration.get("max"),
        duration_unit=duration.get("unit") or "",
        clock_starts_at=duration.get("clock_starts_at") or "submitted",
        cost_amount=cost_from_dict(data.get("cost") or {}),
        cost_legal_basis=(data.get("cost") or {}).get("legal_basis", ""),
        product=data.get("product", ""),
        channels=data.get("channels", []),
        legal_basis=data.get("legal_basis", []),
        facilities=data.get("facilities", []),
        accessible=data.get("accessible", False),
        competencies=data.get("competencies", []),
        supervision=data.get("supervision", []),
        staff_count=data.get("staff_count"),
        guarantee=data.get("guarantee", ""),
        compensation_on_breach=data.get("compensation_on_breach", ""),
        security_guarantee=data.get("security_guarantee", ""),
        evaluation_periods=data.get("evaluation_periods", []),
        warnings=data.get("warnings", []),
        kinds=[k for k in (data.get("kinds") or []) if k != service.kind],
    )
    requirements = [_requirement_from(x, i) for i, x in enumerate(data.get("requirements", []), 1)]
    steps = [_step_from(x, i, units) for i, x in enumerate(data.get("steps", []), 1)]
    for row in requirements + steps:
        row.standard = std
    Requirement.objects.bulk_create(requirements)
    Step.objects.bulk_create(steps)
    return std
