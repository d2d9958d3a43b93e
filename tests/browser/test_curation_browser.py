"""Curation in a real browser against a real server and index (a private copy: publishing writes files):
an editor writes a practice for their sector, a reviewer sees the diff and publishes, and the chat then cites it;
the conflict case; a forbidden action per role; axe-core on every curation page at two widths.
"""

import time

import pytest

from tests.helpers import CURATOR_PASSWORD as PASSWORD

from .helpers import SCREENSHOTS, axe_violations, click_and_load, format_violations, screenshot

BODY = """## Wat is het?

Bij de kringloopwinkel De Spaarpot sorteren mensen uit de doelgroep banenafspraak boeken en speelgoed. [bron 1]

## Hoe werkt het?

Een vaste werkleider van de gemeente begeleidt de ploeg van zes medewerkers in de kringloopwinkel. [bron 1]

## Resultaten

Vier medewerkers van de kringloopwinkel kregen een vast contract. [bron 1]

## Wat heb je nodig?

Een winkelruimte, een werkleider en afspraken met het werkgeversservicepunt. [bron 1]

## Contact en meer weten

Vraag het werkgeversservicepunt in uw regio naar de kringloopwinkel De Spaarpot. [bron 1]
"""


def log_in(new_page, url: str, name: str, width: int = 1280):
    page = new_page(width=width)
    page.goto(url + "/beheer/inloggen")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/beheer" in page.url and "inloggen" not in page.url
    return page


def write_practice(page, title: str) -> str:
    click_and_load(page, "a:has-text('Nieuw goed voorbeeld')")
    if not page.locator("#sector-gemeenten").is_checked():  # an editor's own sector comes pre-selected
        page.check("#sector-gemeenten")
    page.fill("#title", title)
    page.fill("#summary", "In de kringloopwinkel De Spaarpot werken mensen uit de doelgroep met een vaste werkleider.")
    page.check("#action-functies-passend-maken")
    page.fill("#organisation", "Gemeente Voorbeeldstad")
    page.fill("#src0_title", "Jaarverslag kringloopwinkel De Spaarpot")
    page.fill("#src0_publisher", "Gemeente Voorbeeldstad")
    page.fill("#src0_date", "2026-05-01")
    page.fill("#src0_locator", "p. 2")
    page.fill("#body", BODY)
    page.fill("#vragen__wat-is-het", "Waar kan ik oude spullen laten opknappen door mensen met een beperking?")
    click_and_load(page, "button[value=save]")
    assert "Het concept is bewaard" in page.content()
    assert "laten opknappen" in page.input_value("#vragen__wat-is-het"), "the employer question is kept"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#vragen").screenshot(path=str(SCREENSHOTS / "curation-employer-questions.png"))
    return page.url.rsplit("/", 1)[1]


def test_editor_writes_reviewer_publishes_chat_cites(curation_server, new_page):
    server, env = curation_server
    editor = log_in(new_page, server.url, "els")
    entry_id = write_practice(editor, "Kringloopwinkel De Spaarpot")
    click_and_load(editor, "button[value=submit]")
    assert "Ingediend" in editor.content()
    screenshot(editor, "curation-edit-desktop")

    reviewer = log_in(new_page, server.url, "ria")
    click_and_load(reviewer, f"a[href='/beheer/onderwerp/{entry_id}/beoordelen']")
    assert reviewer.locator(".diff-added").count() > 10, "the reviewer sees the whole new text as added lines"
    screenshot(reviewer, "curation-review-desktop")
    started = time.perf_counter()
    click_and_load(reviewer, "button:has-text('Goedkeuren en publiceren')")
    assert "Gepubliceerd" in reviewer.content()

    chat = new_page()
    chat.goto(server.url + "/")
    chat.fill("#vraag", "Wat doen mensen uit de doelgroep bij kringloopwinkel De Spaarpot?")
    chat.click("#vraag-form button[type=submit]")
    chat.locator("#gesprek .turn").first.wait_for(timeout=30_000)
    seconds = time.perf_counter() - started
    cited = chat.locator(f"#gesprek .citations a[href*='/catalogus/{entry_id}']")
    assert cited.count() >= 1, "the chat cites the new entry"
    print(f"\npublish click → cited in the chat (browser): {seconds:.2f} s")
    assert (env["knowledge"] / "practices" / f"{entry_id}.md").exists()


def test_conflict_shows_both_texts(curation_server, new_page):
    server, _ = curation_server
    first = log_in(new_page, server.url, "els")
    entry_id = write_practice(first, "Kringloopwinkel Conflict")
    second = log_in(new_page, server.url, "piet")
    second.goto(f"{server.url}/beheer/onderwerp/{entry_id}")
    first.fill("#summary", "Samenvatting van Els.")
    click_and_load(first, "button[value=save]")
    second.fill("#summary", "Samenvatting van Piet.")
    click_and_load(second, "button[value=save]")
    text = second.locator("main").inner_text()
    assert "intussen ook bewaard" in text
    assert "Samenvatting van Els." in text and second.locator("#summary").input_value() == "Samenvatting van Piet."
    screenshot(second, "curation-conflict-desktop")


def test_forbidden_action_per_role(curation_server, new_page):
    server, _ = curation_server
    editor = log_in(new_page, server.url, "els")
    for path in ("/beheer/gebruikers", "/beheer/logboek", "/beheer/onderwerp/binnenwerk"):
        response = editor.goto(server.url + path)
        assert response.status == 403 and "Dit mag u niet" in editor.content(), path
    reviewer = log_in(new_page, server.url, "ria")
    assert reviewer.goto(server.url + "/beheer/gebruikers").status == 403


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_on_curation_pages(curation_server, new_page, width):
    server, _ = curation_server
    login_page = new_page(width=width)
    login_page.goto(server.url + "/beheer/inloggen")
    problems = {"login": axe_violations(login_page)}
    admin = log_in(new_page, server.url, "ad", width=width)
    entry_id = write_practice(admin, f"Kringloopwinkel axe {width}")
    admin.fill("#summary", "Tweede versie.")
    click_and_load(admin, "button[value=submit]")
    pages = {
        "home": "/beheer",
        "new": "/beheer/nieuw?kind=rule",
        "edit": f"/beheer/onderwerp/{entry_id}",
        "review": f"/beheer/onderwerp/{entry_id}/beoordelen",
        "version": f"/beheer/onderwerp/{entry_id}/versie/1",
        "review-dashboard": "/beheer/controle",
        "questions": "/beheer/vragen",
        "thumbs-down": "/beheer/vragen?lijst=duim-omlaag",
        "audit": "/beheer/logboek",
        "users": "/beheer/gebruikers",
    }
    suffix = "desktop" if width > 800 else "mobile"
    for name, path in pages.items():
        admin.goto(server.url + path)
        problems[name] = axe_violations(admin)
        screenshot(admin, f"curation-{name}-{suffix}")
    found = {name: format_violations(v) for name, v in problems.items() if v}
    assert not found, "\n".join(f"{name}:\n{text}" for name, text in found.items())
