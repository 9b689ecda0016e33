"""draft → discussed → enacted → published → superseded, through the staff screens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.standards import services
from layanan.standards.models import Service, ServiceStandard

Status = ServiceStandard.Status


def admin_of(code):
    return User.objects.get(agency__code=code, positions__role="agency_admin")


@pytest.fixture
def dinsos(demo):
    return Service.objects.get(agency__code="DINSOS-SEKADAU")


def test_admin_makes_edits_and_republishes_a_new_version(dinsos, client_for):
    client = client_for(admin_of("DINSOS-SEKADAU").username)
    published = dinsos.published_standard
    response = client.post(reverse("standards:new_version", args=[published.pk]))
    draft = dinsos.standards.get(status=Status.DRAFT)
    assert response.url == reverse("standards:edit", args=[draft.pk])
    assert draft.version == published.version + 1
    assert draft.requirements.count() == 5 and draft.steps.count() == 13

    form = client.get(reverse("standards:edit", args=[draft.pk])).context["form"]
    data = {f"s-{name}": value for name, value in form.initial.items() if value is not None}
    data.update({"s-duration_text": "10 hari kerja", "s-free": "on",
                 "s-product": "Data dan jawaban pengaduan",
                 "ch-TOTAL_FORMS": "1", "ch-INITIAL_FORMS": "0", "ch-0-kind": "phone",
                 "ch-0-value": "0852-5237-5905", "ch-0-label": "Koordinator"})
    data["s-evaluation"] = ["quarterly"]
    response = client.post(reverse("standards:edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert (draft.duration_max, draft.duration_unit) == (10, "working_day")
    assert draft.channels == [{"kind": "phone", "value": "+6285252375905", "label": "Koordinator"}]

    minutes = SimpleUploadedFile("ba.pdf", b"%PDF-1.4 berita acara", content_type="application/pdf")
    client.post(reverse("standards:discussed", args=[draft.pk]),
                {"discussed_on": "2026-11-20", "notes": "", "minutes": minutes})
    client.post(reverse("standards:enact", args=[draft.pk]),
                {"decree_number": "400/12/DINSOS/2026", "decree_date": "2026-11-21"})
    client.post(reverse("standards:publish", args=[draft.pk]))

    draft.refresh_from_db()
    published.refresh_from_db()
    dinsos.refresh_from_db()
    assert draft.status == Status.PUBLISHED and published.status == Status.SUPERSEDED
    assert dinsos.published_standard == draft
    page = client.get(reverse("portal:service", args=["DINSOS-SEKADAU", dinsos.code])).content.decode()
    assert "10 hari kerja" in page and "400/12/DINSOS/2026" in page
    assert client.get(reverse("standards:minutes", args=[draft.pk])).status_code == 200


def test_publishing_refuses_an_incomplete_standard_and_lists_what_is_missing(demo):
    admin = admin_of("DPMN-SOLOK")
    service = Service.objects.create(agency=admin.agency, code="baru", name="Layanan baru", kind="other")
    std = ServiceStandard.objects.create(service=service, version=1)
    services.mark_discussed(std, admin, discussed_on=datetime.date(2026, 11, 2), notes="Rapat")
    services.enact(std, admin, decree_number="1/2026", decree_date=datetime.date(2026, 11, 3))
    with pytest.raises(ValidationError) as caught:
        services.publish(std, admin)
    assert caught.value.messages == [
        "Prosedur: belum ada langkah.",
        "Jangka waktu penyelesaian belum diisi atau tidak terbaca.",
        "Biaya/tarif belum diisi (isi 0 bila gratis).",
        "Penanganan pengaduan: belum ada kanal pengaduan.",
    ]
    std.refresh_from_db()
    assert std.status == Status.ENACTED


def test_the_status_path_cannot_be_skipped(dinsos):
    admin = admin_of("DINSOS-SEKADAU")
    draft = services.new_version(dinsos.published_standard, admin)
    with pytest.raises(ValidationError):
        services.publish(draft, admin)
    with pytest.raises(ValidationError):
        services.enact(draft, admin, decree_number="x", decree_date=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):  # one draft at a time
        services.new_version(dinsos.published_standard, admin)


def test_published_standard_cannot_be_edited_in_place(dinsos, client_for):
    client = client_for(admin_of("DINSOS-SEKADAU").username)
    std = dinsos.published_standard
    response = client.post(reverse("standards:edit", args=[std.pk]), {"s-duration_text": "1 hari"})
    assert response.status_code == 302
    std.refresh_from_db()
    assert std.duration_unit == "week"


def test_unreadable_time_text_is_refused_with_the_reason(dinsos, client_for):
    client = client_for(admin_of("DINSOS-SEKADAU").username)
    draft = services.new_version(dinsos.published_standard, admin_of("DINSOS-SEKADAU"))
    response = client.post(reverse("standards:edit", args=[draft.pk]),
                           {"s-duration_text": "secepatnya", "s-free": "on",
                            "ch-TOTAL_FORMS": "0", "ch-INITIAL_FORMS": "0"})
    assert response.status_code == 400
    assert "Tidak ada angka waktu" in str(response.context["form"].errors["duration_text"])


def test_steps_editor_renumbers_and_checks_transitions(dinsos, client_for):
    admin = admin_of("DINSOS-SEKADAU")
    client = client_for(admin.username)
    draft = services.new_version(dinsos.published_standard, admin)
    url = reverse("standards:steps", args=[draft.pk])
    formset = client.get(url).context["formset"]
    data = {}
    for form in formset.forms[:13]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    data.update({"st-TOTAL_FORMS": "13", "st-INITIAL_FORMS": "13", "st-MIN_NUM_FORMS": "0",
                 "st-MAX_NUM_FORMS": "1000"})
    data["st-0-DELETE"] = "on"  # drop step 1
    data["st-3-on_done"] = "40"  # points nowhere
    response = client.post(url, data)
    assert response.status_code == 400
    assert "tidak ada" in str(response.context["formset"].forms[3].errors)
    data["st-3-on_done"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(draft.steps.values_list("position", flat=True)) == list(range(1, 13))


def test_overseer_enacts_a_discussed_standard_of_an_agency_in_its_region(demo, client_for):
    overseer = User.objects.get(positions__role="overseer")
    admin = admin_of("ORGANISASI-KEDIRI")
    service = Service.objects.filter(agency__code="ORGANISASI-KEDIRI").first()
    draft = services.new_version(service.published_standard, admin)
    services.mark_discussed(draft, admin, discussed_on=datetime.date(2026, 11, 2), notes="Rapat pembahasan")
    client = client_for(overseer.username)
    league = client.get(reverse("standards:league")).content.decode()
    assert "Menunggu penetapan" in league and service.name in league
    client.post(reverse("standards:enact", args=[draft.pk]),
                {"decree_number": "188/2026", "decree_date": "2026-11-10"})
    draft.refresh_from_db()
    assert draft.status == Status.ENACTED and draft.enacted_by == overseer


def test_league_table_scores_every_standard(demo, client_for):
    overseer = User.objects.get(positions__role="overseer")
    response = client_for(overseer.username).get(reverse("standards:league"))
    rows = response.context["rows"]
    assert len(rows) == 17
    scores = {r["std"].service.position: r["score"] for r in rows}
    # TPP (#8) lacks requirements and a product: it must score below a complete one (#14).
    assert scores[8] < scores[14]
    assert all(0 <= s <= 100 for s in scores.values())


def test_berita_acara_must_be_a_real_document(dinsos, client_for):
    admin = admin_of("DINSOS-SEKADAU")
    draft = services.new_version(dinsos.published_standard, admin)
    fake = SimpleUploadedFile("ba.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client = client_for(admin.username)
    client.post(reverse("standards:discussed", args=[draft.pk]),
                {"discussed_on": "2026-11-20", "minutes": fake})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
