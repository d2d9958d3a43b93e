"""Curation (/beheer) through the Flask test client, on a private copy of the shipped store, index and knowledge:
accounts and roles, drafts, review with diff, publishing into the knowledge folder and the index, conflicts,
history, withdrawal, faults. The end-to-end flow also runs in a real browser (tests/browser/test_curation_browser.py).
"""

import re
import time

import pytest
import yaml

from catalogue import curation
from web import accounts

from .conftest import copy_of_shipped
from .helpers import CURATOR_PASSWORD as PASSWORD
from .helpers import add_curators, app_on

PRACTICE_TITLE = "Fietsenwerkplaats Zuiderpark"


@pytest.fixture(scope="module")
def env(shipped_index, tmp_path_factory):
    return copy_of_shipped(shipped_index, tmp_path_factory.mktemp("curation"))


@pytest.fixture(scope="module")
def app(env):
    app = app_on(env, SECRET_KEY="curation-secret")
    add_curators(app)
    return app


@pytest.fixture
def db(app, env):
    """A second connection to the same store (keeping an app context open would share `g` between requests)."""
    from catalogue.store import open_db

    return open_db(env["db_path"])


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, name: str, password: str = PASSWORD):
    client = app.test_client()
    page = client.get("/beheer/inloggen").get_data(as_text=True)
    response = client.post("/beheer/inloggen", data={"name": name, "password": password, "csrf_token": token(page)})
    return client, response


def practice_form(html: str, title: str = PRACTICE_TITLE, sector: str = "gemeenten", **extra) -> dict:
    body = (
        "## Wat is het?\n\nIn de fietsenwerkplaats van het Zuiderpark repareren mensen uit de doelgroep "
        "banenafspraak fietsen van medewerkers van de gemeente. [bron 1]\n\n"
        "## Hoe werkt het?\n\nEen vaste werkbegeleider leert elke nieuwe medewerker het vak. [bron 1]\n\n"
        "## Resultaten\n\nDe werkplaats heeft vier vaste banen. [bron 1]\n\n"
        "## Wat heb je nodig?\n\nEen ruimte, gereedschap en een werkbegeleider. [bron 1]\n\n"
        "## Contact en meer weten\n\nVraag het werkgeversservicepunt in uw regio. [bron 1]\n"
    )
    data = {
        "csrf_token": token(html),
        "kind": "practice",
        "version": "0",
        "title": title,
        "id": "",
        "summary": "Mensen uit de doelgroep repareren fietsen in een eigen werkplaats van de gemeente.",
        "sectors": [sector],
        "action_types": ["functies-passend-maken"],
        "organisation": "Gemeente Voorbeeldstad",
        "contact_website": "https://example.org/fietsenwerkplaats",
        "contact_note": "",
        "last_reviewed": "2026-11-20",
        "review_by": "2027-11-20",
        "src0_title": "Jaarverslag werkplaats",
        "src0_publisher": "Gemeente Voorbeeldstad",
        "src0_date": "2026-06-01",
        "src0_locator": "p. 4",
        "src0_url": "",
        "body": body,
        "action": "save",
    }
    data.update(extra)
    return data


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


# -- accounts --------------------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_scrypt(db):
    stored = db.execute("SELECT password_hash FROM users WHERE name = 'els'").fetchone()[0]
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_login_failures_look_the_same_and_lock_the_account(app, db):
    accounts.add_user(db, "lock-me", PASSWORD, "reviewer")
    _, unknown = login(app, "bestaat-niet", "fout-wachtwoord-123")
    _, wrong = login(app, "lock-me", "fout-wachtwoord-123")
    assert unknown.status_code == wrong.status_code == 401

    def message(response):
        return re.search(r'id="login-fout">([^<]+)<', response.get_data(as_text=True)).group(1)

    assert message(unknown) == message(wrong), "no hint whether the name exists"
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        login(app, "lock-me", "fout-wachtwoord-123")
    _, right_but_locked = login(app, "lock-me", PASSWORD)
    assert right_but_locked.status_code == 401, "five failures lock the account, even for the right password"


def test_pages_need_a_login(app):
    client = app.test_client()
    for path in ("/beheer", "/beheer/nieuw", "/beheer/controle", "/beheer/vragen", "/beheer/gebruikers"):
        response = client.get(path)
        assert response.status_code == 302 and "/beheer/inloggen" in response.headers["Location"]


def test_disabled_users_session_ends(app):
    client, response = login(app, "piet")
    assert response.status_code == 303 and client.get("/beheer").status_code == 200
    admin, _ = login(app, "ad")
    page = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert admin.post("/beheer/gebruikers/piet/uitschakelen", data={"csrf_token": token(page)}).status_code == 303
    assert client.get("/beheer").status_code == 302, "the next request of the disabled user goes to the login page"
    assert login(app, "piet")[1].status_code == 401


# -- roles: every check on the server ---------------------------------------------------------------------------


def test_forbidden_actions_per_role_are_403_and_audited(app, db):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw?kind=practice").get_data(as_text=True)
    other_sector = editor.post("/beheer/nieuw", data=practice_form(html, "Ander werk", sector="rijk"))
    assert other_sector.status_code == 403
    assert editor.get("/beheer/onderwerp/binnenwerk").status_code == 403, "Binnenwerk is an entry of sector rijk"
    assert editor.get("/beheer/gebruikers").status_code == 403
    assert editor.get("/beheer/logboek").status_code == 403
    assert editor.get("/beheer/onderwerp/baan-25-5-uur/beoordelen").status_code == 403
    publish = editor.post("/beheer/onderwerp/baan-25-5-uur/publiceren", data={"csrf_token": token(html), "version": 0})
    assert publish.status_code == 403
    reviewer, _ = login(app, "ria")
    assert reviewer.get("/beheer/gebruikers").status_code == 403
    refused = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'geweigerd' AND actor = 'els'").fetchone()[0]
    assert refused >= 5


def test_forged_csrf_token_is_refused(app):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw").get_data(as_text=True)
    forged = practice_form(html, "Vervalst formulier")
    forged["csrf_token"] = "forged"
    assert editor.post("/beheer/nieuw", data=forged).status_code == 400


# -- the workflow, end to end ------------------------------------------------------------------------------------


def test_editor_writes_reviewer_publishes_and_the_chat_cites_it(app, db, env):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw?kind=practice").get_data(as_text=True)
    created = editor.post("/beheer/nieuw", data=practice_form(html))
    assert created.status_code == 303
    entry_id = created.headers["Location"].rsplit("/", 1)[1]
    assert entry_id == "fietsenwerkplaats-zuiderpark"
    page = editor.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    submit = practice_form(page, version=version_of(page), action="submit")
    assert editor.post(f"/beheer/onderwerp/{entry_id}", data=submit).status_code == 303
    assert curation.latest(db, env["knowledge"], entry_id)["state"] == "review"

    reviewer, _ = login(app, "ria")
    review = reviewer.get(f"/beheer/onderwerp/{entry_id}/beoordelen").get_data(as_text=True)
    assert "diff-added" in review and "Fietsenwerkplaats" in review
    started = time.perf_counter()
    published = reviewer.post(
        f"/beheer/onderwerp/{entry_id}/publiceren", data={"csrf_token": token(review), "version": version_of(review)}
    )
    assert published.status_code == 303
    with app.app_context():
        from web.services import services

        assistant = services().assistant
    answer = assistant.ask("Wat doet de fietsenwerkplaats in het Zuiderpark?")
    seconds = time.perf_counter() - started
    print(f"\npublish → cited in the chat: {seconds:.2f} s")
    assert answer.status == "answered" and entry_id in [c["entry_id"] for c in answer.citations]
    path = env["knowledge"] / "practices" / f"{entry_id}.md"
    assert path.exists() and "status: published" in path.read_text()
    from catalogue.loader import load_catalogue

    assert load_catalogue(env["knowledge"]).problems == [], "the written file passes helpdesk check"
    assert app.test_client().get(f"/catalogus/{entry_id}").status_code == 200
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'gepubliceerd'").fetchone()[0] >= 1


def test_second_editor_saving_an_older_version_sees_a_conflict(app, db, env):
    first, _ = login(app, "els")
    html = first.get("/beheer/nieuw").get_data(as_text=True)
    entry_id = first.post("/beheer/nieuw", data=practice_form(html, "Conflict werkplaats")).headers["Location"]
    entry_id = entry_id.rsplit("/", 1)[1]
    page_a = first.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    second = app.test_client()
    login_page = second.get("/beheer/inloggen").get_data(as_text=True)
    second.post("/beheer/inloggen", data={"name": "ad", "password": PASSWORD, "csrf_token": token(login_page)})
    page_b = second.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    assert version_of(page_a) == version_of(page_b)
    saved = first.post(
        f"/beheer/onderwerp/{entry_id}",
        data=practice_form(page_a, "Conflict werkplaats", version=version_of(page_a), summary="Tekst van Els."),
    )
    assert saved.status_code == 303
    clash = second.post(
        f"/beheer/onderwerp/{entry_id}",
        data=practice_form(page_b, "Conflict werkplaats", version=version_of(page_b), summary="Tekst van Ad."),
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Tekst van Els." in html and "Tekst van Ad." in html, "both texts are shown"
    assert "Tekst van Els." in curation.latest(db, env["knowledge"], entry_id)["markdown"], "nothing overwritten"


def test_history_view_and_restore_as_new_draft(app, db, env):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw").get_data(as_text=True)
    entry_id = editor.post("/beheer/nieuw", data=practice_form(html, "Historie werkplaats")).headers["Location"]
    entry_id = entry_id.rsplit("/", 1)[1]
    page = editor.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    editor.post(
        f"/beheer/onderwerp/{entry_id}",
        data=practice_form(page, "Historie werkplaats", version=version_of(page), summary="Tweede versie."),
    )
    old = editor.get(f"/beheer/onderwerp/{entry_id}/versie/1").get_data(as_text=True)
    assert "Mensen uit de doelgroep repareren fietsen" in old and "diff-" in old
    restored = editor.post(
        f"/beheer/onderwerp/{entry_id}/versie/1/terugzetten", data={"csrf_token": token(old), "version": "2"}
    )
    assert restored.status_code == 303
    rows = curation.history(db, entry_id)
    assert [r["version"] for r in rows] == [3, 2, 1] and rows[0]["markdown"] == rows[2]["markdown"]
    assert all(r["author"] == "els" and r["created_at"] for r in rows)


def test_failed_reindex_keeps_file_store_and_index_as_they_were(app, db, env, monkeypatch):
    reviewer, _ = login(app, "ria")
    page = reviewer.get("/beheer/onderwerp/no-riskpolis").get_data(as_text=True)
    path = env["knowledge"] / "rules" / "no-riskpolis.md"
    before = path.read_text()
    summary_before = db.execute("SELECT summary FROM entries WHERE id = 'no-riskpolis'").fetchone()[0]
    form = {k: v for k, v in practice_form(page).items() if k in ("csrf_token",)}
    from web.admin import markdown_to_form

    fields = markdown_to_form(before)
    form.update({k: v for k, v in fields.items() if isinstance(v, str)})
    form.update({"sectors": fields["sectors"], "version": version_of(page), "summary": "GEWIJZIGDE SAMENVATTING."})
    for i, source in enumerate(fields["sources"]):
        form.update({f"src{i}_{k}": v for k, v in source.items()})
    form["action"] = "submit"
    assert reviewer.post("/beheer/onderwerp/no-riskpolis", data=form).status_code == 303
    review = reviewer.get("/beheer/onderwerp/no-riskpolis/beoordelen").get_data(as_text=True)

    def broken_index():
        raise RuntimeError("schijf vol")

    monkeypatch.setattr("web.admin.update_index", broken_index)
    response = reviewer.post(
        "/beheer/onderwerp/no-riskpolis/publiceren", data={"csrf_token": token(review), "version": version_of(review)}
    )
    assert response.status_code == 303
    assert "niet gelukt" in reviewer.get(response.headers["Location"]).get_data(as_text=True)
    assert path.read_text() == before, "the file is the old one again"
    assert db.execute("SELECT summary FROM entries WHERE id = 'no-riskpolis'").fetchone()[0] == summary_before
    assert curation.latest(db, env["knowledge"], "no-riskpolis")["state"] == "review", "not marked published"


def test_withdraw_takes_an_entry_offline_and_keeps_history(app, db, env):
    reviewer, _ = login(app, "ria")
    page = reviewer.get("/beheer/onderwerp/sroi-telt-niet-voor-overheid").get_data(as_text=True)
    response = reviewer.post(
        "/beheer/onderwerp/sroi-telt-niet-voor-overheid/intrekken",
        data={"csrf_token": token(page), "version": version_of(page)},
    )
    assert response.status_code == 303
    assert not list(env["knowledge"].rglob("sroi-telt-niet-voor-overheid.md"))
    assert app.test_client().get("/catalogus/sroi-telt-niet-voor-overheid").status_code == 404
    assert curation.history(db, "sroi-telt-niet-voor-overheid")[0]["state"] == "withdrawn"


# -- bad input ---------------------------------------------------------------------------------------------------


def test_scripts_are_stored_as_text_and_the_preview_is_sanitised(app, db):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw").get_data(as_text=True)
    evil = practice_form(html, "Werkplaats <script>alert(1)</script>")
    evil["body"] = evil["body"].replace("## Resultaten", "<img src=x onerror=alert(2)>\n\n## Resultaten")
    response = editor.post("/beheer/nieuw", data=evil)
    entry_id = response.headers["Location"].rsplit("/", 1)[1]
    page = editor.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    preview = editor.post("/beheer/voorbeeld", data={"body": evil["body"], "csrf_token": token(page)})
    assert "onerror" not in preview.get_data(as_text=True) and "<script" not in preview.get_data(as_text=True)


def test_invalid_dates_clashing_ids_and_oversized_bodies(app):
    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw").get_data(as_text=True)
    bad_date = editor.post("/beheer/nieuw", data=practice_form(html, "Datum werkplaats", review_by="31-02-2027"))
    entry_id = bad_date.headers["Location"].rsplit("/", 1)[1]
    page = editor.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    assert 'id="review_by-fout"' in page, "the date problem is shown next to its field"
    submit = editor.post(
        f"/beheer/onderwerp/{entry_id}",
        data=practice_form(page, "Datum werkplaats", review_by="31-02-2027", version=version_of(page), action="submit"),
    )
    assert submit.status_code == 400, "an entry with problems cannot be submitted for review"
    clash = editor.post("/beheer/nieuw", data=practice_form(html, "Datum werkplaats"))
    assert clash.status_code == 409 and "Er is al een onderwerp" in clash.get_data(as_text=True)
    huge = editor.post("/beheer/nieuw", data=practice_form(html, "Groot", body="x" * 70_000))
    assert huge.status_code == 413


def test_dashboards_and_csv(app, db):
    from assistant.history import log_question

    for q in ("Mag ik een hond meenemen naar kantoor?", "Mag mijn hond mee naar het werk?"):
        log_question(db, conversation_id="x", question=q, status="no_answer", top_score=0.7)
    editor, _ = login(app, "els")
    dashboard = editor.get("/beheer/controle")
    assert dashboard.status_code == 200 and "punten" in dashboard.get_data(as_text=True)
    csv = editor.get("/beheer/controle?formaat=csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).count("\n") >= 1
    everything = editor.get("/beheer/vragen?lijst=alle").get_data(as_text=True)
    assert "Mag mijn hond mee naar het werk?" in everything and "geen antwoord" in everything
    questions = editor.get("/beheer/vragen").get_data(as_text=True)
    assert "hond" in questions
    assert editor.get("/beheer/vragen?lijst=vaak-gesteld&formaat=csv").mimetype == "text/csv"
    row = next(chunk for chunk in questions.split("<tr>") if "hond" in chunk)
    group = re.search(r'name="group" value="(\d+)"', row).group(1)
    made = editor.post("/beheer/vragen/concept", data={"csrf_token": token(questions), "group": group})
    assert made.status_code == 303
    draft = editor.get(made.headers["Location"]).get_data(as_text=True)
    assert "hond" in draft and "Concept" in draft


def test_user_commands_read_the_password_from_stdin_never_from_argv(isolated):
    from click.testing import CliRunner

    from web.cli import cli

    runner = CliRunner()
    help_text = runner.invoke(cli, ["user", "add", "--help"]).output
    assert "--password " not in help_text and "--password-stdin" in help_text
    added = runner.invoke(
        cli,
        ["user", "add", "marie", "--role", "editor", "--sector", "gemeenten", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    weak = runner.invoke(cli, ["user", "add", "jan", "--role", "reviewer", "--password-stdin"], input="kort\n")
    assert weak.exit_code == 1 and "minstens 12 tekens" in weak.output
    no_sector = runner.invoke(cli, ["user", "add", "kees", "--role", "editor", "--password-stdin"], input=PASSWORD)
    assert no_sector.exit_code == 1 and "sector" in no_sector.output
    listing = runner.invoke(cli, ["user", "list"]).output
    assert "marie" in listing and "gemeenten" in listing and PASSWORD not in listing
    assert runner.invoke(cli, ["user", "disable", "marie"]).exit_code == 0
    assert "uitgeschakeld" in runner.invoke(cli, ["user", "list"]).output
    assert runner.invoke(cli, ["user", "disable", "niemand"]).exit_code == 1


def test_employer_questions_are_edited_per_section_and_kept(app, db, env):
    from web.admin import form_to_markdown, markdown_to_form

    for path in sorted(env["knowledge"].glob("*/*.md")):  # opening and saving any entry loses no question
        text = path.read_text(encoding="utf-8")
        again = form_to_markdown(markdown_to_form(text))
        assert yaml.safe_load(again.split("---")[1]).get("questions") == yaml.safe_load(text.split("---")[1]).get(
            "questions"
        ), path.name

    reviewer, _ = login(app, "ria")
    page = reviewer.get("/beheer/onderwerp/sector-gemeenten").get_data(as_text=True)
    assert 'name="vragen__resultaten-2022"' in page and 'name="vragen__aanpak"' in page

    editor, _ = login(app, "els")
    html = editor.get("/beheer/nieuw?kind=practice").get_data(as_text=True)
    assert 'name="vragen__wat-is-het"' in html  # a textarea per section of the template
    form = practice_form(
        html,
        title="Fietsenwerkplaats Noorderpark",
        **{"vragen__wat-is-het": "Waar kunnen mensen met een beperking fietsen repareren?\r\n\r\nGeen vraag."},
    )
    created = editor.post("/beheer/nieuw", data=form)
    assert created.status_code == 303
    entry_id = created.headers["Location"].rsplit("/", 1)[1]
    draft = curation.latest(db, env["knowledge"], entry_id)["markdown"]
    assert yaml.safe_load(draft.split("---")[1])["questions"] == {
        "wat-is-het": ["Waar kunnen mensen met een beperking fietsen repareren?", "Geen vraag."]
    }
    page = editor.get(f"/beheer/onderwerp/{entry_id}").get_data(as_text=True)
    submit = practice_form(page, title="Fietsenwerkplaats Noorderpark", version=version_of(page), action="submit")
    submit["vragen__wat-is-het"] = "Geen vraag."
    refused = editor.post(f"/beheer/onderwerp/{entry_id}", data=submit)
    assert refused.status_code == 400 and "eindigend op" in refused.get_data(as_text=True)
