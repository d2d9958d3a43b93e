"""The browser-test infrastructure itself: live server, Chromium, axe-core injection."""

from .helpers import axe_violations, format_violations, screenshot

CLEAN = "<html lang='nl'><head><title>t</title></head><body><main><h1>Test</h1></main></body></html>"


def test_healthz_in_the_browser(live_server, page):
    response = page.goto(f"{live_server.url}/healthz")
    assert response.status == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["passages"] > 0
    assert screenshot(page, "smoke-healthz").stat().st_size > 0


def test_axe_finds_nothing_on_a_clean_page(page):
    page.set_content(CLEAN)
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_axe_reports_an_image_without_alt(page):
    page.set_content(CLEAN.replace("<h1>Test</h1>", "<h1>Test</h1><img src=x>"))
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"], format_violations(violations)
    assert violations[0]["targets"] == ["img"]


def test_axe_runs_under_a_strict_csp(page):
    csp = "<meta http-equiv='Content-Security-Policy' content=\"default-src 'self'; script-src 'self'\">"
    page.set_content(CLEAN.replace("<title>", csp + "<title>"))
    assert axe_violations(page) == []
    assert page.evaluate("typeof axe.version") == "string"
