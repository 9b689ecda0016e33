"""Stored completeness scores of published standards (standards.completeness, computed once).

A published standard cannot change (a change is a new version), so its score is computed
when it is published — the post_save receiver below, connected in ReportsConfig.ready — and
the compliance table reads the stored number instead of checking fourteen components of
every standard of the region on every load. `store_all()` backfills (data migration and
`manage.py reports_backfill`).
"""

from layanan.standards.completeness import check_components, completeness_score
from layanan.standards.models import ServiceStandard

from .models import StandardScore


def store(std) -> StandardScore:
    checks = check_components(std)
    score, _created = StandardScore.objects.update_or_create(
        standard=std,
        defaults={
            "agency_id": std.service.agency_id,
            "score": completeness_score(checks),
            "missing": [c.label for c in checks if not c.present],
            "vague": [
                f"{c.label}: {c.note}" if c.note else c.label for c in checks if c.present and not c.specific
            ],
        },
    )
    return score


def standard_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or instance.status != ServiceStandard.Status.PUBLISHED:
        return
    if getattr(instance, "_score_stored", False):
        return
    store(instance)
    instance._score_stored = True


def store_all(queryset=None) -> int:
    """Store the score of every published (or superseded) standard that has none yet."""
    qs = queryset if queryset is not None else ServiceStandard.objects.all()
    qs = (
        qs.filter(
            status__in=[ServiceStandard.Status.PUBLISHED, ServiceStandard.Status.SUPERSEDED],
            stored_score__isnull=True,
        )
        .select_related("service")
        .prefetch_related("requirements", "steps")
    )
    n = 0
    for std in qs.iterator(chunk_size=500):
        store(std)
        n += 1
    return n
