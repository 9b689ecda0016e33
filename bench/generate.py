"""Generate a large bench region (N agencies × M services) into the configured database.

    .venv/bin/python bench/generate.py --agencies 500 --services 50

Every generated service is a copy of one of the 21 real seed services
(layanan/demo/data/*.json), cycled and with its name suffixed, so the public
pages have the size and shape of real standards. Rows are written with
bulk_create — going through create_standard() 25,000 times would take many
minutes — but the template standards themselves are built by the real
create_standard() inside a transaction that is rolled back, so the field
mapping of the interchange format lives in one place.

Idempotent-ish: if the bench region already exists it is left alone.
The whole region is written in one transaction (all or nothing).
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

REGION_SLUG = "bench"
REGION_NAME = "Kabupaten Bench"
AGENCY_PREFIX = "BENCH-"
CHUNK_AGENCIES = 25  # agencies whose rows are built in memory at once

# ServiceStandard fields not copied from the templates (set per copy or left default).
_SKIP_STD_FIELDS = {"id", "service_id", "created_at", "updated_at", "status", "published_at",
                    "superseded_at", "enacted_by_id", "discussion_minutes", "discussed_on",
                    "discussion_notes", "decree_number", "decree_date", "version"}


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    import django

    django.setup()


def load_templates():
    """The seed agencies and their 21 services as plain field dicts (nothing is kept in the DB)."""
    from django.db import transaction

    from layanan.agencies.models import Agency, Region, Unit
    from layanan.demo.loader import AGENCY_FIELDS, demo_files, read_demo
    from layanan.standards.interchange import create_standard
    from layanan.standards.models import Requirement, Service, ServiceStandard, Step

    std_fields = [f.attname for f in ServiceStandard._meta.concrete_fields
                  if f.attname not in _SKIP_STD_FIELDS]
    req_fields = [f.attname for f in Requirement._meta.concrete_fields
                  if f.attname not in {"id", "standard_id"}]
    step_fields = [f.attname for f in Step._meta.concrete_fields
                   if f.attname not in {"id", "standard_id", "unit_id"}]

    agencies, units, services = [], [], []
    with transaction.atomic():
        region = Region.objects.create(name="bench template", slug="bench-template-rolled-back")
        for n, path in enumerate(demo_files()):
            data = read_demo(path)
            stem = path.stem
            agencies.append({k: v for k, v in data["agency"].items() if k in AGENCY_FIELDS})
            for item in data.get("units", []):
                units.append({"key": (stem, item["key"]), "name": item["name"],
                              "kind": item.get("kind", Unit.Kind.DIVISION),
                              "parent": (stem, item["parent"]) if item.get("parent") else None})
            tmp_agency = Agency.objects.create(region=region, code=f"BENCH-TEMPLATE-{n}", name=stem)
            for item in data["services"]:
                service = Service.objects.create(agency=tmp_agency, code=item["code"],
                                                 name=item["name"], kind=item["kind"])
                std = create_standard(service, item)  # the real interchange mapping
                enactment = item.get("enactment") or {}
                decree_date = date.fromisoformat(enactment.get("decree_date") or "2024-01-02")
                step_units = [(stem, s["unit"]) if isinstance(s, dict) and s.get("unit") else None
                              for s in item.get("steps", [])]
                steps = list(std.steps.order_by("position"))
                services.append({
                    "code": item["code"], "name": item["name"], "kind": item["kind"],
                    "unit": (stem, item["unit"]) if item.get("unit") else None,
                    "standard": {f: getattr(std, f) for f in std_fields} | {
                        "discussed_on": decree_date,
                        "discussion_notes": "Dibahas bersama pemangku kepentingan (data bench).",
                        "decree_number": enactment.get("decree_number") or "BENCH",
                        "decree_date": decree_date,
                    },
                    "requirements": [{f: getattr(r, f) for f in req_fields}
                                     for r in std.requirements.order_by("position")],
                    "steps": [({f: getattr(s, f) for f in step_fields}, step_units[i])
                              for i, s in enumerate(steps)],
                })
        transaction.set_rollback(True)
    # Parents before children, whatever the order in the files.
    depth = {}

    def depth_of(u):
        if u["key"] not in depth:
            parent = next((p for p in units if p["key"] == u["parent"]), None)
            depth[u["key"]] = 0 if parent is None else depth_of(parent) + 1
        return depth[u["key"]]

    for u in units:
        u["depth"] = depth_of(u)
    return agencies, units, services


def region_exists() -> bool:
    from layanan.agencies.models import Region

    return Region.objects.filter(slug=REGION_SLUG).exists()


def generate_region(n_agencies: int, n_services: int, *, verbose: bool = True) -> dict:
    """Build the region; returns {"created": bool, "agencies": n, "services": n, "seconds": t}."""
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from layanan.agencies.models import Agency, Region, Unit
    from layanan.standards.models import Requirement, Service, ServiceStandard, Step

    start = time.perf_counter()
    if region_exists():
        agencies = Agency.objects.filter(region__slug=REGION_SLUG)
        return {"created": False, "agencies": agencies.count(),
                "services": Service.objects.filter(agency__region__slug=REGION_SLUG).count(),
                "seconds": time.perf_counter() - start}

    agency_tmpl, unit_tmpl, service_tmpl = load_templates()
    max_depth = max((u["depth"] for u in unit_tmpl), default=0)
    now = timezone.now()
    published = ServiceStandard.Status.PUBLISHED
    n_std = n_req = n_step = 0

    with transaction.atomic():
        region = Region.objects.create(slug=REGION_SLUG, name=REGION_NAME)
        for first in range(1, n_agencies + 1, CHUNK_AGENCIES):
            numbers = range(first, min(first + CHUNK_AGENCIES, n_agencies + 1))
            agencies = []
            for i in numbers:
                tmpl = agency_tmpl[i % len(agency_tmpl)]
                agencies.append(Agency(region=region, code=f"{AGENCY_PREFIX}{i:04d}",
                                       **{**tmpl, "name": f"{tmpl['name']} {i:04d}"}))
            Agency.objects.bulk_create(agencies)

            # Every agency gets its own copy of all seed units (parents first).
            unit_of = {}  # (agency pk, unit key) -> Unit
            for level in range(max_depth + 1):
                rows = []
                for agency in agencies:
                    for u in unit_tmpl:
                        if u["depth"] == level:
                            unit = Unit(agency=agency, name=u["name"], kind=u["kind"],
                                        parent=unit_of.get((agency.pk, u["parent"])))
                            unit_of[(agency.pk, u["key"])] = unit
                            rows.append(unit)
                Unit.objects.bulk_create(rows)

            services, plans = [], []
            for a_index, (i, agency) in enumerate(zip(numbers, agencies, strict=True)):
                for j in range(n_services):
                    tmpl = service_tmpl[(a_index * 7 + i + j) % len(service_tmpl)]
                    services.append(Service(
                        agency=agency, code=f"{tmpl['code']}-{j + 1}", name=f"{tmpl['name']} ({j + 1})",
                        kind=tmpl["kind"], position=j + 1,
                        unit=unit_of.get((agency.pk, tmpl["unit"])),
                    ))
                    plans.append(tmpl)
            Service.objects.bulk_create(services)

            standards = [ServiceStandard(service=s, version=1, status=published, published_at=now,
                                         **t["standard"]) for s, t in zip(services, plans, strict=True)]
            ServiceStandard.objects.bulk_create(standards, batch_size=500)
            requirements, steps = [], []
            for std, tmpl in zip(standards, plans, strict=True):
                agency_pk = std.service.agency_id
                requirements += [Requirement(standard=std, **r) for r in tmpl["requirements"]]
                steps += [Step(standard=std, unit=unit_of.get((agency_pk, key)), **s)
                          for s, key in tmpl["steps"]]
            Requirement.objects.bulk_create(requirements, batch_size=2000)
            Step.objects.bulk_create(steps, batch_size=2000)
            n_std, n_req, n_step = n_std + len(standards), n_req + len(requirements), n_step + len(steps)
            if verbose and (numbers[-1] % 100 == 0 or numbers[-1] == n_agencies):
                print(f"  … {numbers[-1]}/{n_agencies} agencies", file=sys.stderr, flush=True)

        # The denormalised public pointer, in one statement.
        Service.objects.filter(agency__region=region).update(published_standard=Subquery(
            ServiceStandard.objects.filter(service=OuterRef("pk"), status=published).values("pk")[:1]
        ))
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum's autoanalyze would have them in production
        # (without them the first minutes after a bulk load plan with empty-table estimates).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - start
    if verbose:
        print(f"  generated {n_agencies} agencies, {n_std} standards, {n_req} requirements, "
              f"{n_step} steps in {seconds:.1f} s", file=sys.stderr, flush=True)
    return {"created": True, "agencies": n_agencies, "services": n_std, "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--services", type=int, default=50)
    args = parser.parse_args(argv)
    _setup_django()
    result = generate_region(args.agencies, args.services)
    if not result["created"]:
        print(f"bench region exists ({result['agencies']} agencies, {result['services']} services): "
              "left alone", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
