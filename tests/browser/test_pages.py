"""The web helpdesk in a real browser (Debian Chromium via Playwright) against the real waitress server.

Covers: chat with and without JavaScript (answer, citation link to the highlighted section, follow-up), catalogue
facets and JSON twins, the calculator against the API, keyboard-only use, axe-core on every page type at two
widths, 320 px without horizontal scrolling, and XSS. Screenshots go to test-output/screenshots/.
"""

import re
from urllib.parse import quote

import pytest

from .helpers import axe_violations, click_and_load, format_violations, screenshot

QUESTION = "Wat is een no-riskpolis?"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> wat is de doelgroep?'


def ask_and_wait(page, question: str, turns_before: int) -> None:
    page.fill("#vraag", question)
    page.click("#vraag-form button[type=submit]")
    page.locator("#gesprek .turn").nth(turns_before).wait_for(timeout=30_000)  # (wait_for_function needs eval)


def assert_citation_lands_on_highlight(page) -> None:
    link = page.locator("#gesprek .turn").first.locator(".citations a").first
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    click_and_load(page, link)
    assert page.url.startswith(page.url.split("/catalogus/")[0] + "/catalogus/")
    assert page.locator(f"[id='{anchor}']").count() == 1, "the link's anchor is a section on the entry page"
    marks = page.locator(".entry-body mark")
    assert marks.count() >= 1 and marks.first.is_visible(), "the cited sentence is highlighted"
    assert page.evaluate("location.hash") == f"#{anchor}"


def test_chat_with_javascript_answers_in_place_and_follows_up(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "/")
    page.evaluate("window.__samePage = true")
    ask_and_wait(page, QUESTION, 0)
    assert page.evaluate("window.__samePage") is True, "the answer came in place, without a page load"
    first = page.locator("#gesprek .turn").first
    assert "no-riskpolis" in first.inner_text().lower()
    assert first.locator(".marker").count() >= 1 and first.locator(".citations li").count() >= 1
    assert "Antwoord" in page.locator("#meldingen").inner_text(), "the live region announces the answer"
    assert "gesprek=" in page.url, "the conversation can be reloaded"
    ask_and_wait(page, "En hoe lang geldt die?", 1)
    assert page.locator("#gesprek .turn").count() == 2
    rendered_by_script = [t.inner_text() for t in page.locator("#gesprek .turn .answer").all()]
    page.reload()
    assert page.locator("#gesprek .turn").count() == 2, "a reload shows the whole conversation"
    rendered_by_server = [t.inner_text() for t in page.locator("#gesprek .turn .answer").all()]
    assert rendered_by_script == rendered_by_server, "chat.js and the server template show the same answer"
    screenshot(page, "chat-answer-js-desktop")
    assert_citation_lands_on_highlight(page)
    screenshot(page, "entry-highlighted-desktop")


def test_chat_without_javascript_posts_the_form(live_server, new_page):
    page = new_page(javascript=False)
    page.goto(live_server.url + "/")
    ask_and_wait(page, QUESTION, 0)
    assert page.locator("#gesprek .turn .citations li").count() >= 1
    ask_and_wait(page, "En hoe lang geldt die?", 1)
    assert page.locator("#gesprek .turn").count() == 2
    # feedback works as a plain form too
    page.locator("#gesprek .turn").first.locator("label:has-text('Ja')").click()
    click_and_load(page, page.locator("#gesprek .turn").first.locator("button:has-text('Verstuur reactie')"))
    assert "Bedankt voor uw reactie" in page.content()
    assert page.locator("#gesprek .turn").count() == 2
    screenshot(page, "chat-answer-nojs-desktop")
    assert_citation_lands_on_highlight(page)


def test_example_question_and_calculation_in_the_chat(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "/")
    page.locator(".examples button").last.click()  # the calculator example
    page.wait_for_selector("#gesprek .turn .calculation", timeout=30_000)
    assert "Zo is het berekend" in page.locator("#gesprek .turn").inner_text()


def test_catalogue_two_facets_narrow_the_list_and_twins(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "/catalogus")
    total = page.locator(".entry-list > li").count()
    click_and_load(page, page.locator(".facets a", has_text="Goed voorbeeld"))
    practices = page.locator(".entry-list > li").count()
    page.locator(".facets summary", has_text="Sector").click()  # the sector list opens like a drop-down
    click_and_load(page, page.locator(".facets a", has_text="Gemeenten"))
    both = page.locator(".entry-list > li").count()
    assert total > practices > both > 0
    assert "kind=practice" in page.url and "sector=gemeenten" in page.url
    twin = page.request.get(live_server.url + "/catalogus.json?" + page.url.split("?", 1)[1]).json()
    assert len(twin["entries"]) == both
    screenshot(page, "catalogue-filtered-desktop")
    click_and_load(page, page.locator(".entry-list h3 a").first)
    entry_id = page.url.rsplit("/", 1)[1]
    assert (
        page.locator("h1").inner_text()
        == page.request.get(f"{live_server.url}/catalogus/{entry_id}.json").json()["title"]
    )
    page.go_back()
    click_and_load(page, page.locator("a", has_text="Filters wissen"))
    assert page.locator(".entry-list > li").count() == total


def test_calculator_form_matches_the_api(live_server, new_page):
    """rules.md §8.2 example 21: overheid 2024, 300 fte × 38 h; own 4 × 25,5 h; hired 3 × 20 h."""
    page = new_page()
    page.goto(live_server.url + "/quotum")
    page.fill("#year", "2024")
    page.check("#sector")
    page.fill("#fte", "300")
    page.fill("#hours_per_week", "38")
    page.fill("#tg0_count", "4")
    page.fill("#tg0_hours", "25,5")
    page.fill("#tg1_count", "3")
    page.fill("#tg1_hours", "20")
    page.select_option("#tg1_relation", "hired")
    click_and_load(page, page.locator("form.quota-form button[type=submit]"))
    page.wait_for_selector("#uitkomst")
    api = page.request.post(
        live_server.url + "/api/quota",
        data={
            "year": 2024,
            "sector": "overheid",
            "fte": 300,
            "hours_per_week": 38,
            "target_group": [
                {"count": 4, "hours_per_week": 25.5, "relation": "own"},
                {"count": 3, "hours_per_week": 20, "relation": "hired"},
            ],
        },
    ).json()
    assert (api["required_jobs"], api["realised_jobs"], api["shortfall"], api["levy_eur"]) == (12.34, 6.35, 5.9, 29500)
    summary = page.locator("#uitkomst .summary").inner_text()
    for shown in ("12,34", "6,35", "5,9", "€ 29.500"):
        assert shown in summary
    assert "year=2024" in page.url and "tg1_relation=hired" in page.url, "the result has a shareable URL"
    screenshot(page, "calculator-result-desktop")


def focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 || s.boxShadow !== 'none'; }"""
    )


def test_keyboard_only(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible() and focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#inhoud"
    for _ in range(12):  # from the main content, Tab reaches the question box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "vraag":
            break
    assert page.evaluate("document.activeElement.id") == "vraag" and focus_is_visible(page)
    page.keyboard.type(QUESTION)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Vraag stellen" and focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("#gesprek .turn", timeout=30_000)
    # every focusable control on each page type is reached by Tab, with a visible focus
    focusable = "'a[href], button, input:not([type=hidden]), select, textarea, summary'"
    # Tab stops: visible controls; one per radio group (arrow keys move inside it); nothing in a closed <details>
    tab_stop = "e => e.offsetParent && !(e.type === 'radio' && !e.checked) && !(e.closest('details:not([open])')"
    tab_stop += " && e.tagName !== 'SUMMARY')"
    for path in ("/", "/catalogus?kind=rule", "/catalogus/no-riskpolis", "/quotum", "/over"):
        page.goto(live_server.url + path)
        expected = page.evaluate(f"[...document.querySelectorAll({focusable})].filter({tab_stop}).length")
        reached = set()
        for _ in range(expected + 10):
            page.keyboard.press("Tab")
            position = page.evaluate(f"[...document.querySelectorAll({focusable})].indexOf(document.activeElement)")
            if position >= 0:
                assert focus_is_visible(page), f"{path}: focus not visible on control {position}"
                reached.add(position)
        assert len(reached) >= expected, f"{path}: Tab reached {len(reached)} of {expected} controls"


PAGE_TYPES = {
    "chat": "/",
    "catalogue": "/catalogus?kind=practice",
    "entry": "/catalogus/no-riskpolis",
    "rule-outdated": None,  # filled in from the catalogue: a rule whose validity has ended, when there is one
    "calculator-result": "/quotum?year=2022&sector=overheid&fte=300&hours_per_week=38&tg0_count=4&tg0_hours=20",
    "calculator-error": "/quotum?year=1850&sector=overheid&fte=10",
    "about": "/over",
    "not-found": "/bestaat-niet",
}


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_wcag_violations_on_any_page_type(live_server, new_page, width):
    page = new_page(width=width, height=900)
    rules = page.request.get(live_server.url + "/catalogus.json?kind=rule").json()["entries"]
    ended = [e["id"] for e in rules if e["valid_until"] and e["valid_until"] < "2026-11-23"]
    pages = dict(PAGE_TYPES, **{"rule-outdated": f"/catalogus/{ended[0]}" if ended else "/catalogus/quotumheffing"})
    problems = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        if violations:
            problems[name] = format_violations(violations)
        screenshot(page, f"{name}-{'desktop' if width > 800 else 'mobile'}")
    # the chat with an answer, a refusal and a calculation in it
    page.goto(live_server.url + "/")
    ask_and_wait(page, QUESTION, 0)
    ask_and_wait(page, "Wat voor weer wordt het morgen?", 1)
    ask_and_wait(page, "Gemeente, 300 fte van 38 uur, 2022, 4 mensen uit de doelgroep van 20 uur: hoeveel banen?", 2)
    violations = axe_violations(page)
    if violations:
        problems["chat-answers"] = format_violations(violations)
    screenshot(page, f"chat-answers-{'desktop' if width > 800 else 'mobile'}")
    assert not problems, "\n".join(f"{name}:\n{text}" for name, text in problems.items())


def test_every_page_fits_320_px_without_horizontal_scrolling(live_server, new_page):
    page = new_page(width=320, height=640)
    for path in [p for p in PAGE_TYPES.values() if p] + ["/catalogus/binnenwerk"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 320 px"
    screenshot(page, "entry-320")


@pytest.mark.parametrize("javascript", [True, False])
def test_script_in_a_question_is_shown_as_text_and_never_runs(live_server, new_page, javascript):
    page = new_page(javascript=javascript)
    page.goto(live_server.url + "/")
    ask_and_wait(page, XSS, 0)
    question = page.locator("#gesprek .turn .question").first.inner_text()
    assert "<script>" in question and "onerror" in question, "the question is shown as typed, as text"
    if javascript:
        assert page.evaluate("window.__xss") is None
        page.reload()
        assert page.evaluate("window.__xss") is None
    assert page.locator("#gesprek img").count() == 0


def test_script_in_a_facet_value_is_shown_as_text_and_never_runs(live_server, new_page):
    page = new_page()
    value = '<img src=x onerror="window.__xss = 3"><script>window.__xss = 4</script>'
    page.goto(f"{live_server.url}/catalogus?sector={quote(value)}&q={quote('<b>vet</b>')}")
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0
    assert "kennen wij niet" in page.locator("main").inner_text()
    assert re.search(r"<img src=x", page.locator("main").inner_text())
