"""The agency admin's import screens: upload → review beside the source → save as drafts."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.importer import evaluate
from layanan.importer import services as import_services
from layanan.importer.models import ImportSession
from layanan.standards.models import Service, ServiceStandard

from .conftest import login

PAIRS = {reference["agency"]["code"]: (path, reference) for path, reference in evaluate.seed_pairs()} \
    if evaluate.SEEDS_DIR.is_dir() else {}


def admin_of(code: str) -> User:
    return User.objects.filter(agency__code=code, positions__role="agency_admin").first()


def upload(client, path):
    data = path.read_bytes()
    return client.post(reverse("importer:upload"), {"file": SimpleUploadedFile(path.name, data)})


def post_data(response) -> dict:
    """What a browser submits when the admin changes nothing on the review page."""
    data = {}
    for panel in response.context["panels"]:
        form = panel["form"]
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list):
                data[key] = value
            elif value not in (None, False):
                data[key] = str(value)
    return data


def imported(code: str) -> list[ServiceStandard]:
    return list(ServiceStandard.objects.filter(service__agency__code=code, status="draft")
                .order_by("service__position").prefetch_related("requirements", "steps"))


def norm(text: str) -> str:
    return " ".join(text.split())


def assert_equal_to_reference(drafts: list[ServiceStandard], reference: dict) -> None:
    services = reference["services"]
    assert len(drafts) == len(services)
    for std, expected in zip(drafts, services, strict=True):
        labels = [norm(r["label"]) for r in expected["requirements"]]
        assert [norm(r.label) for r in std.requirements.all()] == labels
        reconstructed = any("tidak terbaca" in w for w in expected["warnings"])
        assert std.steps.count() == (0 if reconstructed else len(expected["steps"])), std.service.name
        duration = expected["duration"]
        assert (std.duration_min, std.duration_max, std.duration_unit, std.clock_starts_at) == (
            duration["min"], duration["max"], duration["unit"], duration["clock_starts_at"])


@pytest.mark.parametrize("code", ["DPMN-SOLOK", "DINSOS-SEKADAU", "ORGANISASI-KEDIRI", "DPMPTSP-BANGLI"])
def test_upload_review_and_save_creates_drafts_equal_to_the_demo_data(demo, code):
    path, reference = PAIRS[code]
    client = login(admin_of(code).username)
    response = upload(client, path)
    assert response.status_code == 302
    review = client.get(response["Location"])
    assert review.status_code == 200
    page = review.content.decode()
    assert 'id="src-0-persyaratan"' in page and 'href="#src-0-persyaratan"' in page
    assert re.search(r'class="conf conf-(high|mid|low)"', page)
    before = Service.objects.filter(agency__code=code).count()
    saved = client.post(response["Location"], post_data(review))
    assert saved.status_code == 302, saved.context and [p["form"].errors for p in saved.context["panels"]]
    assert Service.objects.filter(agency__code=code).count() == before + len(reference["services"])
    assert_equal_to_reference(imported(code), reference)
    again = client.post(response["Location"], post_data(review))
    assert again.status_code == 302
    assert Service.objects.filter(agency__code=code).count() == before + len(reference["services"])


def test_pasted_text_with_a_correction(demo):
    path, _reference = PAIRS["DISDUKCAPIL-PROBOLINGGO"]
    client = login(admin_of("DISDUKCAPIL-PROBOLINGGO").username)
    response = client.post(reverse("importer:upload"), {"text": path.read_text(encoding="utf-8")})
    review = client.get(response["Location"])
    data = post_data(review)
    data["s0-name"] = "Layanan informasi administrasi kependudukan"
    data["s0-steps"] += "\nKepala Dinas | Kepala Dinas menandatangani surat jawaban"
    data["s0-duration_text"] = "2 hari kerja"
    assert client.post(response["Location"], data).status_code == 302
    std = ServiceStandard.objects.get(service__name="Layanan informasi administrasi kependudukan",
                                      status="draft")
    assert std.steps.count() == 5 and std.steps.last().action == "approve"
    assert (std.duration_max, std.duration_unit) == (2, "working_day")


def test_invalid_corrections_are_shown_with_a_400_and_nothing_is_saved(demo):
    path, _reference = PAIRS["DINSOS-SEKADAU"]
    client = login(admin_of("DINSOS-SEKADAU").username)
    location = upload(client, path)["Location"]
    data = post_data(client.get(location))
    data["s0-duration_text"] = "secepatnya"
    data["s0-channels"] = "merpati | pos | burung"
    before = Service.objects.count()
    response = client.post(location, data)
    assert response.status_code == 400
    errors = response.context["panels"][0]["form"].errors
    assert "duration_text" in errors and "channels" in errors
    assert Service.objects.count() == before


def test_a_failure_while_saving_leaves_nothing_half_written(demo, monkeypatch):
    path, _reference = PAIRS["ORGANISASI-KEDIRI"]
    client = login(admin_of("ORGANISASI-KEDIRI").username)
    location = upload(client, path)["Location"]
    data = post_data(client.get(location))
    calls = []

    def failing(service, data, **kwargs):
        calls.append(service)
        if len(calls) == 3:
            raise ValidationError("Gagal menyimpan layanan ketiga.")
        return real(service, data, **kwargs)

    real = import_services.create_standard
    monkeypatch.setattr(import_services, "create_standard", failing)
    before = Service.objects.count()
    response = client.post(location, data)
    assert response.status_code == 400
    assert "Gagal menyimpan layanan ketiga." in response.content.decode()
    assert Service.objects.count() == before
    assert ImportSession.objects.get(pk=location.rstrip("/").rsplit("/", 1)[1]).saved_at is None


def test_another_agencys_import_is_404(demo):
    path, _reference = PAIRS["DPMN-SOLOK"]
    location = upload(login(admin_of("DPMN-SOLOK").username), path)["Location"]
    other = login(admin_of("DINSOS-SEKADAU").username)
    assert other.get(location).status_code == 404
    assert other.post(location, {"s0-include": "on"}).status_code == 404


def test_only_the_agency_admin_may_import(demo):
    staff = User.objects.filter(agency__code="DPMN-SOLOK").exclude(positions__role="agency_admin")
    for user in staff:
        assert login(user.username).get(reverse("importer:upload")).status_code == 404, user.username


@pytest.mark.parametrize("name,data,message", [
    ("foto.jpg", bytes(range(256)) * 8, "bukan dokumen teks"),
    ("rusak.pdf", b"%PDF-1.4 bukan pdf sungguhan", "PDF rusak"),
    ("berita.txt", b"Selamat datang di situs kami.", "Tidak ada komponen standar pelayanan"),
])
def test_a_bad_file_is_a_400_with_a_message_in_indonesian(demo, name, data, message):
    client = login(admin_of("DPMN-SOLOK").username)
    response = client.post(reverse("importer:upload"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportSession.objects.exists()


def test_nothing_uploaded_is_a_400(demo):
    response = login(admin_of("DPMN-SOLOK").username).post(reverse("importer:upload"), {})
    assert response.status_code == 400
    assert "Unggah berkas atau tempel teks" in response.content.decode()
