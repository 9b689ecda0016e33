"""The API docs page renders in a real browser under the site's CSP, without any CDN."""

import pytest

from tests.browser import browser_page

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_generated_document_without_csp_violations(live_server, db):
    with browser_page("api-docs", width=1280, height=900) as page:
        violations, outside = [], []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
                else None
            ),
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=20000)
        assert page.locator(".opblock").count() >= 10
        assert not outside, outside
        assert not [v for v in violations if "script" in v.lower()], violations
