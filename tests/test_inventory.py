"""The acceptance inventory of SEEDS.md: 21 published services, as written."""

import pytest

from layanan.standards.duration import parse_duration
from layanan.standards.models import Service, ServiceStandard

SINCE = "disposisi Kepala Bagian Organisasi diterima Kasubag Kelembagaan"
LOST_FLOW = "Bagan alur prosedur tidak terbaca dari dokumen sumber"

# number: (agency, requirements, steps, (min, max, unit, clock_starts_at)) — read from the seeds.
INVENTORY = {
    1: ("DPMN-SOLOK", 1, 9, (None, 45, "minute", "submitted")),
    2: ("DINSOS-SEKADAU", 5, 13, (1, 3, "week", "submitted")),
    3: ("ORGANISASI-KEDIRI", 1, 9, (None, 45, "minute", "submitted")),
    4: ("ORGANISASI-KEDIRI", 2, None, (3, 6, "month", "submitted")),
    5: ("ORGANISASI-KEDIRI", 3, 7, (None, 1, "month", SINCE)),
    6: ("ORGANISASI-KEDIRI", 3, None, (None, 3, "month", SINCE)),
    7: ("ORGANISASI-KEDIRI", 1, None,
        (None, 3, "month", "disposisi Kepala Bagian Organisasi diterima Ka Sub Bagian Kelembagaan")),
    8: ("ORGANISASI-KEDIRI", 0, None, (None, 1, "working_day", "submitted")),
    9: ("ORGANISASI-KEDIRI", 3, 7, (None, 1, "month", "submitted")),
    10: ("ORGANISASI-KEDIRI", 1, 4, (None, 30, "minute", "submitted")),
    11: ("ORGANISASI-KEDIRI", 2, 12, (None, 3, "month", "submitted")),
    12: ("ORGANISASI-KEDIRI", 3, 5, (None, 1, "working_day", "submitted")),
    13: ("ORGANISASI-KEDIRI", 2, 5, (None, 1, "working_day", "submitted")),
    14: ("ORGANISASI-KEDIRI", 6, 7, (None, 5, "working_day", "submitted")),
    15: ("ORGANISASI-KEDIRI", 2, 6, (None, 2, "day", "submitted")),
    16: ("ORGANISASI-KEDIRI", 2, 5, (None, 2, "working_day", "submitted")),
    17: ("ORGANISASI-KEDIRI", 2, 4, (None, 1, "working_day", "submitted")),
    18: ("ORGANISASI-KEDIRI", 2, 4, (None, None, "none", "submitted")),
    19: ("ORGANISASI-KEDIRI", 7, 7, (None, 3, "month", "submitted")),
    20: ("DPMPTSP-BANGLI", 3, 3, (1, 60, "working_day", "submitted")),
    21: ("DISDUKCAPIL-PROBOLINGGO", 4, 4, (None, 30, "minute", "submitted")),
}


def test_21_services_are_published(demo):
    assert Service.objects.filter(published_standard__isnull=False).count() == 21
    assert ServiceStandard.objects.filter(status="published").count() == 21


@pytest.mark.parametrize("number", sorted(INVENTORY))
def test_each_seed_service_is_as_written(demo, number):
    agency, n_requirements, n_steps, duration = INVENTORY[number]
    service = Service.objects.get(agency__code=agency, position=number)
    std = service.published_standard
    assert (std.duration_min, std.duration_max, std.duration_unit, std.clock_starts_at) == duration
    assert std.requirements.count() == n_requirements
    if n_steps is None:
        # The document's flow chart was an image that is lost: the steps are the
        # agency's own letter procedure, and the standard says so.
        assert any(LOST_FLOW in w for w in std.warnings)
        assert "prosedur" not in std.texts
        assert std.steps.count() >= 4
    else:
        assert std.steps.count() == n_steps
    assert std.is_free


@pytest.mark.parametrize("number", sorted(INVENTORY))
def test_the_parser_reads_each_seed_time_text_as_the_demo_data_says(demo, number):
    agency = INVENTORY[number][0]
    std = Service.objects.get(agency__code=agency, position=number).published_standard
    spec = parse_duration(std.duration_text)
    assert (spec.min, spec.max, spec.unit, spec.clock_starts_at) == INVENTORY[number][3]


def test_timezones_bangli_in_wita_others_in_wib(demo):
    assert demo["DPMPTSP-BANGLI"].timezone == "Asia/Makassar"
    assert {a.timezone for code, a in demo.items() if code != "DPMPTSP-BANGLI"} == {"Asia/Jakarta"}


def test_clock_start_steps_are_marked_where_the_time_counts_from_a_disposition(demo):
    for number in (5, 6, 7):
        std = Service.objects.get(agency__code="ORGANISASI-KEDIRI", position=number).published_standard
        [start] = std.steps.filter(starts_clock=True)
        assert "Kasubag" in start.actor or "Sub Bagian" in start.actor or "Kepala Sub" in start.actor


def test_the_four_procedure_shapes_are_expressed(demo):
    # 000: consultation with escalation staff → bidang → head.
    solok = Service.objects.get(agency__code="DPMN-SOLOK").published_standard
    assert solok.steps.exclude(on_cannot_resolve=None).count() >= 2
    assert set(solok.steps.values_list("track", flat=True)) >= {"Datang langsung"}
    # 001: letter with a disposition chain and two initials, back to applicant when incomplete.
    dinsos = Service.objects.get(agency__code="DINSOS-SEKADAU").published_standard
    actions = list(dinsos.steps.values_list("action", flat=True))
    assert actions.count("initial") == 2 and "dispose" in actions and "approve" in actions
    assert dinsos.steps.filter(on_incomplete="return_to_applicant").exists()
    # 003: two intake paths into one complaint team.
    bangli = Service.objects.get(agency__code="DPMPTSP-BANGLI").published_standard
    roles = set(bangli.steps.values_list("role", flat=True))
    assert {"front_desk", "operator"} <= roles
    # 004: answered through the medium it came by, compensation on breach.
    dukcapil = Service.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO").published_standard
    assert dukcapil.steps.last().action == "answer"
    assert "diantar langsung" in dukcapil.compensation_on_breach
