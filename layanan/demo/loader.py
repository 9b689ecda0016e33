"""Loads the five seed agencies (sources/, from shared/seeds) as demo data.

The JSON files in demo/data/ are the seeds structured by hand: every
component, requirement and step as the documents write them. They are the
reference the importer is evaluated against (make eval-import).
"""

import json
from datetime import date
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from layanan.accounts.models import Position, User
from layanan.agencies.models import Agency, Region, Unit
from layanan.agencies.services import seed_holidays
from layanan.standards import services as standard_services
from layanan.standards.interchange import create_standard
from layanan.standards.models import Service, ServiceKind

DATA_DIR = Path(__file__).parent / "data"
DEMO_PASSWORD = "layanan-demo"
AGENCY_FIELDS = ("name", "timezone", "address", "website", "channels", "maklumat", "office_hours")


def demo_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_demo(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_all(*, password: str = DEMO_PASSWORD) -> list[Agency]:
    return [load_agency(read_demo(path), password=password) for path in demo_files()]


@transaction.atomic
def load_agency(data: dict, *, password: str = DEMO_PASSWORD) -> Agency:
    """Create one demo agency with its staff and published standards (idempotent)."""
    existing = Agency.objects.filter(code=data["agency"]["code"]).first()
    if existing:
        return existing
    region, _ = Region.objects.get_or_create(
        slug=data["region"]["slug"], defaults={"name": data["region"]["name"]}
    )
    fields = {k: v for k, v in data["agency"].items() if k in AGENCY_FIELDS}
    agency = Agency.objects.create(region=region, code=data["agency"]["code"], **fields)
    units = _create_units(agency, data.get("units", []))
    _create_staff(agency, data.get("staff", []), units, password)
    year = timezone.localdate().year
    seed_holidays(agency, [year - 1, year, year + 1])
    for position, item in enumerate(data["services"], start=1):
        _create_published_service(agency, item, units, position)
    return agency


def logins_summary(agency) -> list[str]:
    """Who is who, for the demo logins list `make run` prints: each account with its role, title
    and unit, then which account handles web requests of each service (the holder of the entry
    step for the web channel)."""
    from layanan.accounts.roles import Role
    from layanan.requests.routing import entry_step

    roles, kinds = dict(Role.choices), dict(ServiceKind.choices)
    lines = []
    staff = list(agency.staff.order_by("username").prefetch_related("positions__unit"))
    for user in staff:
        positions = "; ".join(
            f"{roles.get(p.role, p.role)} — {p.title}" + (f" ({p.unit.name})" if p.unit_id else "")
            for p in user.positions.all())
        lines.append(f"  {user.username:<28} {positions}")
    for service in agency.services.filter(published_standard__isnull=False).order_by("position"):
        std = service.published_standard
        steps = list(std.steps.select_related("unit").order_by("position"))
        for kind in std.accepted_kinds:
            step = entry_step(steps, "web", kind)
            if step is None:
                continue
            holders = [u.username for u in staff if any(
                p.role == step.role and (step.unit_id is None or p.unit_id == step.unit_id)
                for p in u.positions.all())]
            if not holders:
                holders = [u.username for u in staff if any(p.role == step.role for p in u.positions.all())]
            label = service.name if len(std.accepted_kinds) == 1 else f"{service.name}: {kinds[kind]}"
            lines.append(f"  permohonan web «{label}» → {', '.join(holders) or '—'} "
                         f"(langkah {step.position}: {step.actor})")
    return lines


def _create_units(agency, items) -> dict:
    units = {}
    for item in items:  # parents come before children in the files
        units[item["key"]] = Unit.objects.create(
            agency=agency, name=item["name"], kind=item.get("kind", Unit.Kind.DIVISION),
            parent=units.get(item.get("parent")),
        )
    return units


def _create_staff(agency, items, units, password):
    hashed = make_password(password)  # once: hashing is deliberately slow
    for item in items:
        user = User.objects.create(
            username=item["username"], full_name=item.get("full_name", ""), agency=agency,
            nip=item.get("nip", ""), email=item.get("email", ""), password=hashed,
        )
        for pos in item.get("positions", []):
            Position.objects.create(
                user=user, unit=units.get(pos.get("unit")), title=pos["title"], role=pos["role"]
            )


def _create_published_service(agency, item, units, position):
    service = Service.objects.create(
        agency=agency, code=item["code"], name=item["name"], kind=item["kind"],
        unit=units.get(item.get("unit")), position=item.get("number", position),
    )
    std = create_standard(service, item, units=units)
    enactment = item.get("enactment") or {}
    decree_date = date.fromisoformat(enactment.get("decree_date") or "2024-01-02")
    standard_services.mark_discussed(
        std, None, discussed_on=decree_date, notes="Dibahas bersama pemangku kepentingan (data demo)."
    )
    standard_services.enact(
        std, None, decree_number=enactment.get("decree_number") or "DEMO", decree_date=decree_date
    )
    standard_services.publish(std, None)
    return service
