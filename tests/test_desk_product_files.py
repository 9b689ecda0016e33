"""The product of a service can be files: attached on the final step, served to the citizen."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.requests import lifecycle
from layanan.requests.models import Attachment, State
from layanan.standards.models import Service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def request_at_the_answer_step(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    svc = Service.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO")
    officer = User.objects.get(username="dukcapil.petugas")
    r, _ = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Syarat KK",
                            applicant={"applicant_name": "Warga"})
    for _i in range(2):
        r = lifecycle.perform(r, officer, "advance", expected_version=r.version)
    assert r.current_step.action == "answer"
    return r


def test_answer_with_a_file_reaches_the_tracking_page(demo, client_for, client, settings, tmp_path):
    r = request_at_the_answer_step(settings, tmp_path)
    desk = client_for("dukcapil.petugas")
    response = desk.post(reverse("desk:act", args=[r.pk, "advance"]), {
        "expected_version": r.version, "product_text": "Syarat terlampir.",
        "product_files": SimpleUploadedFile("syarat-kk.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == State.RESOLVED
    [attachment] = r.attachments.filter(purpose=Attachment.Purpose.PRODUCT)
    track = client.get(reverse("public_requests:track", args=[r.tracking_code, r.tracking_secret]))
    assert "syarat-kk.pdf" in track.content.decode()
    file = client.get(reverse("public_requests:product_file",
                              args=[r.tracking_code, r.tracking_secret, attachment.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")


def test_a_bad_product_file_refuses_the_whole_action(demo, client_for, settings, tmp_path):
    r = request_at_the_answer_step(settings, tmp_path)
    desk = client_for("dukcapil.petugas")
    response = desk.post(reverse("desk:act", args=[r.pk, "advance"]), {
        "expected_version": r.version, "product_text": "Terlampir.",
        "product_files": SimpleUploadedFile("hasil.pdf", b"MZ\x90\x00 not a pdf")})
    assert response.status_code == 400
    assert "bukan PDF, JPEG, PNG atau DOCX" in response.content.decode()
    r.refresh_from_db()
    assert r.state == State.IN_PROGRESS and not r.attachments.exists()
    assert not list(tmp_path.rglob("*"))  # no file left behind
