"""Headless Chromium for browser tests (Debian's build; see shared/RECIPES.md)."""

from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@contextmanager
def browser_page(name: str, *, width: int = 390, height: int = 844):
    """A page on a phone-sized screen; a screenshot is kept if the test fails."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, locale="id-ID")
        page.set_default_timeout(15000)
        try:
            yield page
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def jpeg_photo(size=(80, 60)) -> bytes:
    """A small real JPEG, as a phone camera would upload."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "grey").save(buffer, "JPEG")
    return buffer.getvalue()


def fill_complaint_form(page, *, name, nik, phone, address, title, text, photo_name, email=""):
    """Fill the web complaint form as a citizen would, with a photo as evidence."""
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("NIK (16 angka, sesuai KTP)").fill(nik)
    page.get_by_label("Nomor telepon / WhatsApp").fill(phone)
    if email:
        page.get_by_label("E-mail").fill(email)
    page.get_by_label("Alamat").fill(address)
    page.get_by_label("Judul pengaduan").fill(title)
    page.get_by_label("Uraian pengaduan").fill(text)
    page.get_by_label("Bukti dukung aduan").set_input_files(
        files=[{"name": photo_name, "mimeType": "image/jpeg", "buffer": jpeg_photo()}])
    page.get_by_label("Saya setuju data pribadi").check()
