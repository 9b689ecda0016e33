"""Each seed's agency admin imports its published standard in headless Chromium.

Upload → review (source beside what was understood, links between them) → save; the
draft standards created equal the hand-checked demo data.
"""

import os
import re

import pytest
from django.urls import reverse

from layanan.demo.loader import DEMO_PASSWORD
from layanan.importer import evaluate

from .browser import browser_page
from .test_importer_views import admin_of, assert_equal_to_reference, imported

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
]
# Playwright's sync API runs an event loop; Django's ORM calls in the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def log_in(page, base_url: str, user) -> None:
    page.context.clear_cookies()
    page.goto(base_url + reverse("accounts:login"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/kelola/"))


def test_every_seed_imports_into_drafts_equal_to_the_demo_data(seeded, live_server):
    with browser_page("importer-seeds", width=1280, height=900) as page:
        for path, reference in evaluate.seed_pairs():
            code = reference["agency"]["code"]
            log_in(page, live_server.url, admin_of(code))
            page.goto(live_server.url + reverse("importer:upload"))
            page.set_input_files("#id_file", str(path))
            page.get_by_role("button", name="Baca dokumen").click()
            page.wait_for_url(re.compile(r"/kelola/impor/\d+/$"))
            assert page.locator("fieldset.service-card").count() == len(reference["services"])
            assert page.locator("mark.src").count() > 0
            page.locator("a.src-link").first.click()
            assert re.search(r"#src-0-\w+$", page.url)
            page.get_by_role("button", name="Simpan sebagai draf").click()
            page.wait_for_url(re.compile(r"/kelola/standar/(#.*)?$"))  # a redirect keeps the #fragment
            assert "disimpan sebagai draf" in page.locator(".messages").inner_text()
            assert_equal_to_reference(imported(code), reference)
