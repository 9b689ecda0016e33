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
    page.locator("#id_address").fill(address)  # "Alamat" is also in "Lokasi kejadian (alamat …)"
    page.get_by_label("Judul pengaduan").fill(title)
    page.get_by_label("Uraian pengaduan").fill(text)
    page.get_by_label("Bukti dukung aduan").set_input_files(
        files=[{"name": photo_name, "mimeType": "image/jpeg", "buffer": jpeg_photo()}])
    page.get_by_label("Saya setuju data pribadi").check()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page, impacts=SERIOUS) -> list[dict]:
    """axe-core's violations of `impacts` on the page as it is now ([] = none). axe-core comes from
    the npm registry into node_modules/ (`make axe`); it is evaluated through the DevTools protocol,
    which the page's Content-Security-Policy (no inline script) does not block."""
    if not AXE.exists():
        raise RuntimeError("axe-core is missing: run `make axe` (npm install --no-save axe-core@4)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def open_more_actions(page):
    """Open "Tindakan lain" on the request page (the actions behind the one main action)."""
    more = page.locator("details.desk-more")
    if more.count():
        more.first.evaluate("details => { details.open = true; }")
