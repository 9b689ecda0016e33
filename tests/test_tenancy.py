"""Staff of agency A get 404 on every URL that names an object of agency B."""

import itertools

import pytest
from django.urls import reverse

from layanan.accounts.models import Position, User
from layanan.agencies.models import Agency, Holiday, Unit
from layanan.standards.models import ServiceStandard

from .conftest import login

GET_VIEWS = ["agencies:unit_edit", "agencies:staff_edit", "agencies:holiday_edit",
             "standards:detail", "standards:edit", "standards:requirements", "standards:steps",
             "standards:minutes"]
POST_VIEWS = ["agencies:unit_delete", "agencies:position_add", "agencies:staff_password",
              "agencies:position_delete", "agencies:holiday_delete", "standards:discussed",
              "standards:enact", "standards:publish", "standards:new_version"]


def object_urls(agency: Agency) -> list[tuple[str, str]]:
    """(method, url) for every staff URL that names an object of `agency`."""
    unit = Unit.objects.filter(agency=agency).first()
    person = User.objects.filter(agency=agency).first()
    position = Position.objects.filter(user__agency=agency).first()
    holiday = Holiday.objects.filter(agency=agency).first()
    std = ServiceStandard.objects.filter(service__agency=agency).first()
    ids = {
        "unit_edit": unit.pk, "unit_delete": unit.pk, "staff_edit": person.pk,
        "position_add": person.pk, "staff_password": person.pk, "position_delete": position.pk,
        "holiday_edit": holiday.pk, "holiday_delete": holiday.pk,
    }
    urls = []
    for method, names in (("get", GET_VIEWS), ("post", POST_VIEWS)):
        for name in names:
            pk = ids.get(name.split(":")[1], std.pk)
            urls.append((method, reverse(name, args=[pk])))
    return urls


AGENCY_PAIRS = list(itertools.permutations(
    ["DPMN-SOLOK", "DINSOS-SEKADAU", "ORGANISASI-KEDIRI", "DPMPTSP-BANGLI",
     "DISDUKCAPIL-PROBOLINGGO"], 2))


@pytest.mark.parametrize("own,other", AGENCY_PAIRS)
def test_staff_of_one_agency_get_404_for_every_object_of_another(demo, own, other):
    urls = object_urls(demo[other])
    staff = User.objects.filter(agency=demo[own], is_active=True)
    assert staff.count() >= 5
    for user in staff:
        client = login(user.username)
        for method, url in urls:
            response = getattr(client, method)(url)
            assert response.status_code == 404, (user.username, user.roles, method, url)


def test_the_matrix_touches_objects_that_exist_for_their_own_admin(demo):
    """Guard against a matrix that passes because every URL 404s for everyone."""
    agency = demo["DINSOS-SEKADAU"]
    admin = User.objects.filter(agency=agency, positions__role="agency_admin").first()
    client = login(admin.username)
    for method, url in object_urls(agency):
        if method == "get" and not url.endswith("/berita-acara/"):  # no file in the demo
            assert client.get(url).status_code in (200, 302), url


def test_lists_show_only_the_own_agency(demo, client_for):
    admin = User.objects.filter(agency=demo["DPMPTSP-BANGLI"], positions__role="agency_admin").first()
    client = client_for(admin.username)
    foreign_unit = Unit.objects.filter(agency=demo["DINSOS-SEKADAU"]).first()
    foreign_person = User.objects.filter(agency=demo["DINSOS-SEKADAU"]).first()
    assert foreign_unit.name not in client.get(reverse("agencies:units")).content.decode()
    assert foreign_person.username not in client.get(reverse("agencies:staff")).content.decode()
    services_page = client.get(reverse("standards:services")).content.decode()
    assert "Pelayanan data dan" not in services_page
    assert "Pengaduan" in services_page or "pengaduan" in services_page


def test_overseer_reads_only_own_region(demo, client_for):
    overseer = User.objects.filter(positions__role="overseer").first()
    client = client_for(overseer.username)
    own = ServiceStandard.objects.filter(service__agency__region_id=overseer.scope_region_id).first()
    foreign = ServiceStandard.objects.exclude(service__agency__region_id=overseer.scope_region_id).first()
    assert client.get(reverse("standards:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("standards:detail", args=[foreign.pk])).status_code == 404
    league = client.get(reverse("standards:league")).content.decode()
    assert own.service.agency.name in league
    assert foreign.service.agency.name not in league
