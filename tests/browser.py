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
