"""The web pages through the Flask test client: chat without JavaScript, feedback, catalogue, calculator, security.

The same flows run in a real browser against a real server in tests/browser/.
"""

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from web.app import SECURITY_HEADERS

from .helpers import app_on


@pytest.fixture(scope="module")
def app(shipped_index):
    return app_on(shipped_index, TESTING=True)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def ask(client, question: str, conversation_id: str = ""):
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post("/", data={"question": question, "conversation_id": conversation_id, "csrf_token": token})


def conversation_id(html: str) -> str:
    return re.search(r'name="conversation_id" value="([^"]*)"', html).group(1)


# -- chat (no JavaScript: plain form posts) ------------------------------------------------------------------


def test_chat_page_has_form_examples_and_live_region(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'for="vraag"' in html and 'id="vraag"' in html
    assert len(re.findall(r'<button type="submit" name="question"', html)) in range(3, 6)
    assert 'aria-live="polite"' in html
    assert 'href="#inhoud"' in html


def test_form_post_answers_with_citation_links_to_highlighted_section(client):
    response = ask(client, "Wat is een no-riskpolis?")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-riskpolis" in html.lower()
    links = [unescape(u) for u in re.findall(r'href="(/catalogus/no-riskpolis\?[^"]+)"', html)]
    assert links, "a citation links to the cited entry"
    url = urlsplit(links[0])
    sentences = parse_qs(url.query)["markeer"]
    entry = client.get(f"{url.path}?{url.query}").get_data(as_text=True)
    marked = [unescape(re.sub("<[^>]+>", "", m)) for m in re.findall(r"<mark>(.*?)</mark>", entry, re.S)]
    assert any(sentences[0] in m for m in marked), "the cited sentence is highlighted on the entry page"
    assert f'id="{url.fragment}"' in entry, "the link's anchor is a section heading on the entry page"


def test_follow_up_in_the_same_conversation(client):
    first = ask(client, "Hoeveel banen moeten gemeenten realiseren?").get_data(as_text=True)
    cid = conversation_id(first)
    assert cid
    second = ask(client, "en voor provincies?", cid).get_data(as_text=True)
    assert conversation_id(second) == cid
    assert second.count('class="turn"') == 2, "both turns are shown on the page"
    assert "provincie" in second.lower()


def test_conversation_can_be_reopened_by_url_and_unknown_ids_start_fresh(client):
    cid = conversation_id(ask(client, "Wat is de banenafspraak?").get_data(as_text=True))
    assert client.get(f"/?gesprek={cid}").get_data(as_text=True).count('class="turn"') == 1
    for odd in ("bestaat-niet", "<script>", "x" * 500):
        page = client.get("/", query_string={"gesprek": odd})
        assert page.status_code == 200 and 'class="turn"' not in page.get_data(as_text=True)


def test_refusal_shows_referral_and_calculation_shows_steps(client):
    refusal = ask(client, "Wat voor weer wordt het morgen in Utrecht?").get_data(as_text=True)
    assert "werkgeversservicepunt" in refusal and 'class="citations"' not in refusal
    calc = ask(client, "Gemeente, 300 fte van 38 uur, 2022, 4 mensen uit de doelgroep van 20 uur. Hoeveel banen?")
    html = calc.get_data(as_text=True)
    assert "Zo is het berekend" in html and "12,03" in html and "8,8" in html


def test_empty_and_too_long_questions_give_a_dutch_error_next_to_the_field(client):
    empty = ask(client, "   ")
    assert empty.status_code == 400 and 'id="vraag-fout"' in empty.get_data(as_text=True)
    long = ask(client, "a" * 1001)
    assert long.status_code == 400 and "te lang" in long.get_data(as_text=True)


def test_question_with_script_is_escaped(client):
    html = ask(client, "<script>alert(1)</script><img src=x onerror=alert(2)> wat is de doelgroep?").get_data(
        as_text=True
    )
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_personal_data_is_redacted_on_the_page(client):
    html = ask(client, "Mijn mail is jan@example.nl, wat is een no-riskpolis?").get_data(as_text=True)
    assert "jan@example.nl" not in html and "persoonsgegevens" in html


# -- feedback ------------------------------------------------------------------------------------------------


def test_feedback_is_stored_with_redacted_reason(app, client):
    html = ask(client, "Wat is loonkostensubsidie?").get_data(as_text=True)
    answer_id = int(re.search(r'name="answer_id" value="(\d+)"', html).group(1))
    response = client.post(
        "/feedback",
        data={
            "csrf_token": csrf_token(html),
            "answer_id": answer_id,
            "conversation_id": conversation_id(html),
            "helpful": "nee",
            "reason": "Te kort. Bel me op 06-12345678",
        },
    )
    assert response.status_code == 303 and f"#antwoord-{answer_id}" in response.headers["Location"]
    with app.app_context():
        from web.services import services

        row = (
            services()
            .db.execute(
                "SELECT f.helpful, f.reason, q.question FROM feedback f JOIN question_log q ON q.id = f.log_id "
                "WHERE f.log_id = ?",
                [answer_id],
            )
            .fetchone()
        )
    assert row[0] == 0 and row[1] == "Te kort. Bel me op [telefoonnummer]"
    assert row[2] == "Wat is loonkostensubsidie?"
    assert "Bedankt" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_feedback_without_choice_or_for_unknown_answer(client):
    html = ask(client, "Wat is de doelgroep?").get_data(as_text=True)
    answer_id = re.search(r'name="answer_id" value="(\d+)"', html).group(1)
    token = csrf_token(html)
    no_choice = client.post("/feedback", data={"csrf_token": token, "answer_id": answer_id}, follow_redirects=True)
    assert "Kies eerst" in no_choice.get_data(as_text=True)
    assert (
        client.post("/feedback", data={"csrf_token": token, "answer_id": "999999", "helpful": "ja"}).status_code == 400
    )
    assert client.post("/feedback", data={"csrf_token": token, "answer_id": "abc", "helpful": "ja"}).status_code == 400


# -- CSRF and security headers ---------------------------------------------------------------------------------


def test_forms_without_csrf_token_are_refused(shipped_index):
    app = app_on(shipped_index, SECRET_KEY="another-secret")
    client = app.test_client()
    for path, data in (("/", {"question": "Wat is de doelgroep?"}), ("/feedback", {"answer_id": "1", "helpful": "ja"})):
        response = client.post(path, data=data)
        assert response.status_code == 400
        assert "Formulier verlopen" in response.get_data(as_text=True)
    forged = client.post("/", data={"question": "Wat is de doelgroep?", "csrf_token": "forged"})
    assert forged.status_code == 400


def test_every_page_sends_security_headers(client):
    for path in ("/", "/catalogus", "/catalogus/no-riskpolis", "/quotum", "/over", "/nergens", "/api/entries"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    assert "'unsafe-inline'" not in SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


def test_no_inline_scripts_or_styles_in_any_page(client):
    for path in ("/", "/catalogus", "/catalogus/quotumheffing", "/quotum?year=2024&sector=overheid&fte=10", "/over"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_html_error_pages_in_dutch_without_traceback(client):
    missing = client.get("/bestaat/niet")
    assert missing.status_code == 404 and "Deze pagina bestaat niet" in missing.get_data(as_text=True)
    wrong_method = client.put("/over")
    assert wrong_method.status_code == 405 and "Traceback" not in wrong_method.get_data(as_text=True)
    big = client.post("/", data={"question": "x" * 70_000})
    assert big.status_code == 413 and "te veel tekst" in big.get_data(as_text=True)


# -- catalogue -------------------------------------------------------------------------------------------------


def entry_links(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/catalogus/([^"?#]+)">', html)


def test_two_facets_narrow_the_list_with_counts(client):
    everything = entry_links(client.get("/catalogus").get_data(as_text=True))
    practices = entry_links(client.get("/catalogus?kind=practice").get_data(as_text=True))
    both_html = client.get("/catalogus?kind=practice&sector=gemeenten").get_data(as_text=True)
    both = entry_links(both_html)
    assert len(everything) > len(practices) > len(both) > 0
    assert set(both) <= set(practices)
    assert "Filters wissen" in both_html
    # the count shown next to a facet value is the number of entries that link gives
    count, url = next(
        (int(m.group(2)), unescape(m.group(1)))
        for m in re.finditer(r'href="([^"]*action_type=[^"]*)"[^>]*>[^<]*<span class="count">\((\d+)\)', both_html)
    )
    assert len(entry_links(client.get(url).get_data(as_text=True))) == count


def test_catalogue_json_twin_matches_the_page(client):
    html = client.get("/catalogus?kind=rule").get_data(as_text=True)
    data = client.get("/catalogus.json?kind=rule").get_json()
    assert [e["id"] for e in data["entries"]] == entry_links(html)
    assert data["filters"] == {"kind": "rule"}
    assert {f["name"] for f in data["facets"]} == {"kind", "sector", "action_type"}


def test_catalogue_search_ranks_matching_entries(client):
    data = client.get("/catalogus.json", query_string={"q": "ziek werknemer looncompensatie"}).get_json()
    assert data["entries"][0]["id"] == "no-riskpolis"
    empty = client.get("/catalogus.json", query_string={"q": "   "}).get_json()
    assert len(empty["entries"]) == empty["total"]


def test_unknown_facet_value_is_ignored_and_shown_escaped(client):
    response = client.get("/catalogus", query_string={"sector": "<script>alert(1)</script>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(entry_links(html)) == len(entry_links(client.get("/catalogus").get_data(as_text=True)))


def test_entry_page_shows_sources_validity_review_date_and_related(client):
    html = client.get("/catalogus/quotumheffing").get_data(as_text=True)
    assert 'id="bron-1"' in html and "Laatst gecontroleerd" in html and "Geldig" in html
    assert "Lijkt hierop" in html
    twin = client.get("/catalogus/quotumheffing.json").get_json()
    assert twin["id"] == "quotumheffing" and twin["sources"] and "path" not in twin
    assert twin["validity"] is not None
    assert client.get("/catalogus/bestaat-niet.json").status_code == 404
    assert client.get("/catalogus/" + "x" * 300).status_code == 404


def test_outdated_rule_shows_a_warning(client, app):
    with app.app_context():
        from web.services import services

        rows = list(services().db.query("SELECT id FROM entries WHERE kind='rule' AND valid_until < date('now')"))
    if not rows:
        pytest.skip("no rule in the shipped catalogue has ended yet")
    html = client.get(f"/catalogus/{rows[0]['id']}").get_data(as_text=True)
    assert "deze regel geldt niet meer" in html


# -- calculator ------------------------------------------------------------------------------------------------


def test_calculator_form_gives_the_same_numbers_as_the_api(client):
    params = {
        "year": "2022",
        "sector": "overheid",
        "fte": "300",
        "hours_per_week": "38",
        "tg0_count": "4",
        "tg0_hours": "20",
        "tg0_relation": "own",
    }
    html = client.get("/quotum", query_string=params).get_data(as_text=True)
    api = client.post(
        "/api/quota",
        data=json.dumps(
            {
                "year": 2022,
                "sector": "overheid",
                "fte": 300,
                "hours_per_week": 38,
                "target_group": [{"count": 4, "hours_per_week": 20, "relation": "own"}],
            }
        ),
        content_type="application/json",
    ).get_json()
    for value in (api["required_jobs"], api["realised_jobs"]):
        assert f"{value:.2f}".replace(".", ",") in html
    assert f"{api['shortfall']:.1f}".replace(".", ",") in html
    assert "€ 44.000" in html and "(niet opgelegd)" in html
    assert all(step["label"] in html for step in api["steps"])


def test_calculator_errors_are_next_to_the_right_field(client):
    bad_year = client.get("/quotum", query_string={"year": "1850", "sector": "overheid", "fte": "10"})
    html = bad_year.get_data(as_text=True)
    assert bad_year.status_code == 400
    assert 'id="year-fout"' in html and 'aria-invalid="true"' in html and 'href="#year"' in html
    bad_row = client.get(
        "/quotum",
        query_string={"year": "2024", "sector": "overheid", "fte": "10", "hours_per_week": "38", "tg2_count": "veel"},
    )
    row_html = bad_row.get_data(as_text=True)
    assert 'id="tg2_count-fout"' in row_html and "groep 3" in row_html
    odd = client.get("/quotum", query_string={"year": "<b>", "fte": "9" * 500, "tg0_relation": "<script>"})
    assert odd.status_code == 400 and "<script>" not in odd.get_data(as_text=True)


def test_about_page_states_automation_and_retention(client):
    html = client.get("/over").get_data(as_text=True)
    assert "geautomatiseerd systeem" in html and "90 dagen" in html and "letterlijke zinnen" in html


def test_chat_form_is_rate_limited_with_a_dutch_message(shipped_index):
    app = app_on(shipped_index, HELPDESK_RATE_LIMIT=2, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    codes = [client.post("/", data={"question": "Wat is de doelgroep?"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.post("/", data={"question": "Wat is de doelgroep?"}).get_data(as_text=True)
    assert "te veel vragen" in limited and "Wat is de doelgroep?" in limited, "the question is kept in the box"


def test_unexpected_error_is_a_dutch_500_page_without_traceback(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("web.pages.render_template", broken)
    response = client.get("/over")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Er ging iets mis" in html
    assert "secret internal detail" not in html and "Traceback" not in html


def test_locked_database_is_a_clear_503_not_a_crash(shipped_index):
    import sqlite3

    app = app_on(shipped_index, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.get("/")  # opens the store
    with app.app_context():
        from web.services import services

        services().db.execute("PRAGMA busy_timeout=200")  # the server waits 5 s by default; keep the test short
    blocker = sqlite3.connect(str(shipped_index["db_path"]), timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        page = client.post("/", data={"question": "Wat is de doelgroep?"})
        api = client.post("/api/ask", json={"question": "Wat is de doelgroep?"})
    finally:
        blocker.rollback()
        blocker.close()
    assert page.status_code == 503 and "even bezet" in page.get_data(as_text=True)
    assert api.status_code == 503 and "bezet" in api.get_json()["error"]


def test_english_notice_is_marked_as_english(client):
    html = ask(client, "What is the no-risk policy for employees with a disability?").get_data(as_text=True)
    assert re.search(r'<li lang="en">This answer quotes the Dutch catalogue', html)
