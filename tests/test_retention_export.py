"""Retention (`helpdesk purge`) and the store → markdown export (`helpdesk export`) with its round trip."""

import dataclasses
import datetime as dt
import re
import shutil

import pytest
from click.testing import CliRunner

from assistant.history import add_turn, log_question, new_conversation, purge_older_than, record_feedback
from catalogue import schema, settings
from catalogue.export import entry_to_markdown, export_catalogue
from catalogue.loader import load_catalogue, parse_entry_text
from catalogue.store import entry_hash, get_entry, open_db, sync_knowledge
from tests.conftest import PROJECT
from tests.helpers import PRACTICE, write_entry
from web.cli import cli

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 90 days back: 2026-08-25T15:00:00+00:00
OLD = "2026-08-25T14:59:59+00:00"  # one second before the cut-off
ANCIENT = "2025-01-01T00:00:00+00:00"
EDGE = "2026-08-25T15:00:00+00:00"  # exactly the cut-off: kept
NEW = "2026-11-23T14:00:00+00:00"
TABLES = ("conversations", "turns", "question_log", "feedback")


def _set_time(db, table: str, row_id, created_at: str) -> None:
    with db.conn:
        db.execute(f"UPDATE {table} SET created_at = ? WHERE id = ?", [created_at, row_id])


def _conversation(db, created_at: str, turns: list[tuple[str, int | None]]) -> str:
    conversation_id = new_conversation(db)
    _set_time(db, "conversations", conversation_id, created_at)
    for turn_time, log_id in turns:
        add_turn(db, conversation_id, "vraag", "vraag", "answered", {"answer": "x"}, log_id)
        turn_id = db.execute("SELECT max(id) FROM turns").fetchone()[0]
        _set_time(db, "turns", turn_id, turn_time)
    return conversation_id


def _log(db, created_at: str, feedback_at: str | None = None) -> int:
    log_id = log_question(db, question="Wat is de quotumheffing?", status="answered")
    _set_time(db, "question_log", log_id, created_at)
    if feedback_at:
        assert record_feedback(db, log_id, helpful=True, reason="Duidelijk")
        with db.conn:
            db.execute("UPDATE feedback SET created_at = ? WHERE log_id = ?", [feedback_at, log_id])
    return log_id


def _snapshot(db) -> dict[str, list[tuple]]:
    return {table: [tuple(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()] for table in TABLES}


def _ids(db, table: str) -> set:
    return {r[0] for r in db.execute(f"SELECT id FROM {table}").fetchall()}


@pytest.fixture
def history_db(tmp_path):
    """Old and new rows in every history table, with the ids of each kept by name."""
    db = open_db(tmp_path / "h.db")
    logs = {
        "old_with_new_feedback": _log(db, ANCIENT, feedback_at=NEW),  # the log row goes, so its feedback goes
        "new_with_old_feedback": _log(db, NEW, feedback_at=OLD),  # feedback goes by its own date, log row stays
        "edge_with_edge_feedback": _log(db, EDGE, feedback_at=EDGE),
        "old_without_feedback": _log(db, OLD),
    }
    conversations = {
        "old": _conversation(db, ANCIENT, [(ANCIENT, logs["old_with_new_feedback"]), (OLD, None)]),
        "old_with_new_turn": _conversation(db, ANCIENT, [(OLD, None), (NEW, logs["new_with_old_feedback"])]),
        "old_without_turns": _conversation(db, OLD, []),
        "edge_without_turns": _conversation(db, EDGE, []),
        "new": _conversation(db, NEW, [(EDGE, logs["edge_with_edge_feedback"])]),
    }
    return db, logs, conversations


def test_purge_deletes_rows_older_than_the_cutoff_and_keeps_the_rest(history_db):
    db, logs, conversations = history_db
    before = _snapshot(db)
    expected = {"feedback": 2, "turns": 3, "question_log": 2, "conversations": 2}

    assert purge_older_than(db, 90, now=NOW, dry_run=True) == expected
    assert _snapshot(db) == before  # a dry run deletes nothing

    assert purge_older_than(db, 90, now=NOW) == expected
    assert _ids(db, "question_log") == {logs["new_with_old_feedback"], logs["edge_with_edge_feedback"]}
    feedback_logs = {r[0] for r in db.execute("SELECT log_id FROM feedback").fetchall()}
    assert feedback_logs == {logs["edge_with_edge_feedback"]}
    assert _ids(db, "conversations") == {
        conversations["old_with_new_turn"],
        conversations["edge_without_turns"],
        conversations["new"],
    }
    turns = db.execute("SELECT conversation_id, created_at FROM turns ORDER BY id").fetchall()
    assert turns == [(conversations["old_with_new_turn"], NEW), (conversations["new"], EDGE)]
    assert purge_older_than(db, 90, now=NOW) == dict.fromkeys(expected, 0)


def test_purge_cutoff_is_utc_and_days_must_be_positive(history_db):
    db, _, _ = history_db
    naive = NOW.replace(tzinfo=None)
    amsterdam = NOW.astimezone(dt.timezone(dt.timedelta(hours=1)))
    counts = purge_older_than(db, 90, now=naive, dry_run=True)
    assert (
        counts
        == purge_older_than(db, 90, now=amsterdam, dry_run=True)
        == purge_older_than(db, 90, now=NOW, dry_run=True)
    )
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            purge_older_than(db, bad, now=NOW)
    with pytest.raises(ValueError):
        purge_older_than(db, 10**9, now=NOW)


def test_purge_cli_periods_dry_run_and_errors(isolated, monkeypatch):
    db = open_db(settings.db_path())
    now = dt.datetime.now(dt.UTC)
    stamp = lambda days: (now - dt.timedelta(days=days)).isoformat(timespec="seconds")  # noqa: E731
    old_log, new_log = _log(db, stamp(100), feedback_at=stamp(100)), _log(db, stamp(1))
    old_conversation = _conversation(db, stamp(100), [(stamp(100), old_log)])
    runner = CliRunner()
    before = _snapshot(db)

    dry = runner.invoke(cli, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Proefdraai" in dry.output and "1 vragen, 1 reacties, 1 gespreksbeurten en 1 gesprekken" in dry.output
    assert "ouder dan 90 dagen" in dry.output
    assert _snapshot(db) == before

    monkeypatch.setenv("HELPDESK_RETENTION_DAYS", "200")
    kept = runner.invoke(cli, ["purge"])
    assert kept.exit_code == 0 and "Verwijderd: 0 vragen" in kept.output and "200 dagen" in kept.output
    assert _snapshot(db) == before

    for bad in ("abc", "0d", "0w", "-5d", "5y", "", "1.5d", "99999999d"):
        result = runner.invoke(cli, ["purge", "--older-than", bad])
        assert result.exit_code == 1, (bad, result.output)
        assert "--older-than" in result.output and "Traceback" not in result.output
        assert re.search(r"geen periode|te kort|te lang", result.output), result.output
    monkeypatch.setenv("HELPDESK_RETENTION_DAYS", "veel")
    bad_env = runner.invoke(cli, ["purge"])
    assert bad_env.exit_code == 1 and "HELPDESK_RETENTION_DAYS" in bad_env.output
    assert _snapshot(db) == before

    done = runner.invoke(cli, ["purge", "--older-than", "12w"])  # 84 days
    cutoff_day = (now - dt.timedelta(days=84)).date().isoformat()
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        f"Verwijderd: 1 vragen, 1 reacties, 1 gespreksbeurten en 1 gesprekken ouder dan 84 dagen (vóór {cutoff_day})."
    )
    assert _ids(db, "question_log") == {new_log} and _ids(db, "feedback") == set()
    assert old_conversation not in _ids(db, "conversations")
    assert "Verwijderd: 0 vragen" in runner.invoke(cli, ["purge", "--older-than", "30d"]).output


# --- export ---------------------------------------------------------------------------------------------------

UNUSUAL = """---
id: vreemde-tekens
title: 'Het "Kantoor": #1 — café, crème & ü'
kind: practice
summary: '"Werk" is: het beste # echt waar — 25,5 uur, € 5.000'
sectors: [rijk, gemeenten, alle]
action_types: [samenwerken-met-partners, bestuurlijk-commitment]
organisation: "O'Brien & Zn.: afdeling #2"
contact:
  website: https://example.org/pad?x=1&y=2#deel
  note: |
    Regel één: bel ons "snel".
    Regel twee # geen commentaar.

    Na een lege regel: - geen lijst.
  telefoon: "030-1234567"
sources:
  - title: "2023"
    publisher: "no"
    date: 2024-02
    locator: "r. 1-2: 'citaat' & meer"
  - title: '"Quote" aan het begin, {accolades} en [haken]'
    publisher: "null"
    date: 2024
    locator: "~"
    url: https://example.org/a?b=c#d
review_by: 2027-06-01
last_reviewed: 2026-11-23
status: published
---

## Wat is het?

Een "voorbeeld" met: dubbele punten, # hekjes en ünïcödé. [bron 1]

## Hoe werkt het?

1. Stap één. [bron 2]

---

Tekst na een horizontale lijn, met `code: ---` erin.

## Resultaten

Geen cijfers.

## Wat heb je nodig?

Geduld.

## Contact en meer weten

Zie de website.
"""


@pytest.fixture
def knowledge_copy(tmp_path):
    """The shipped knowledge/ plus an entry full of awkward text and a draft."""
    folder = tmp_path / "knowledge-copy"  # not `knowledge`: the `isolated` fixture makes that one
    shutil.copytree(PROJECT / "knowledge", folder)
    (folder / "practices" / "vreemde-tekens.md").write_text(UNUSUAL, encoding="utf-8")
    write_entry(folder, "concept-regel", **{"status: published": "status: draft"})
    assert load_catalogue(folder).problems == []
    return folder


def _front_matter_keys(text: str) -> list[str]:
    header = text.split("\n---\n", 1)[0]
    return re.findall(r"^([a-z_]+):", header, flags=re.MULTILINE)


def _stored(db) -> dict[str, dict]:
    """Every stored entry by id: all columns of `entries` plus sections, sources, sectors and action types."""
    entries = {}
    for (entry_id,) in db.execute("SELECT id FROM entries").fetchall():
        entry = get_entry(db, entry_id)
        entry.pop("path")
        entries[entry_id] = entry
    return entries


def test_export_round_trip_gives_the_same_entries(tmp_path, knowledge_copy):
    first = open_db(tmp_path / "first.db")
    originals = {e.id: e for e in sync_knowledge(first, knowledge_copy)[0]}
    out = tmp_path / "export"
    assert export_catalogue(first, out, include_drafts=True) == len(originals) == 66

    # The same layout as knowledge/, and files `helpdesk check` accepts.
    relative = lambda folder: sorted(p.relative_to(folder) for p in folder.rglob("*.md"))  # noqa: E731
    assert relative(out) == relative(knowledge_copy)
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary files left
    assert load_catalogue(out).problems == []
    checked = CliRunner().invoke(cli, ["check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert f"OK: {len(originals)} onderwerpen" in checked.output

    # Field order as in the original files; the body unchanged.
    for entry_id, original in originals.items():
        exported = (out / original.path.relative_to(knowledge_copy)).read_text(encoding="utf-8")
        assert _front_matter_keys(exported) == _front_matter_keys(original.path.read_text(encoding="utf-8")), entry_id
        assert exported.endswith("\n---\n\n" + original.body)
    no_risk = (out / "rules" / "no-riskpolis.md").read_text(encoding="utf-8")
    assert "\nvalid_from:\nvalid_until:\n" in no_risk and "\nsectors: [alle]\n" in no_risk
    assert '    date: "2026"\n' in no_risk and "    date: 2026-01-01\n" in no_risk

    # A new store from the export holds the same entries.
    second = open_db(tmp_path / "second.db")
    sync_knowledge(second, out)
    before, after = _stored(first), _stored(second)
    assert before.keys() == after.keys()
    reordered_ids = set()
    for entry_id in before:
        old_hash, new_hash = before[entry_id].pop("content_hash"), after[entry_id].pop("content_hash")
        assert before[entry_id] == after[entry_id], entry_id
        # The store keeps sectors and action types without their order, and the export writes them in schema
        # order; the content hash (which includes the order) differs by exactly that.
        original = originals[entry_id]
        reordered = dataclasses.replace(
            original,
            sectors=sorted(original.sectors, key=list(schema.SECTORS).index),
            action_types=sorted(original.action_types, key=list(schema.ACTION_TYPES).index),
        )
        assert new_hash == entry_hash(reordered), entry_id
        assert (old_hash == new_hash) == (reordered == original), entry_id
        if old_hash != new_hash:
            reordered_ids.add(entry_id)
    assert "vreemde-tekens" in reordered_ids and "no-riskpolis" not in reordered_ids

    # Exporting the new store gives the same files: the export is a fixed point.
    again = tmp_path / "again"
    export_catalogue(second, again, include_drafts=True)
    for path in out.rglob("*.md"):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def test_unusual_text_survives_the_round_trip(tmp_path, knowledge_copy):
    first = open_db(tmp_path / "first.db")
    sync_knowledge(first, knowledge_copy)
    entry = get_entry(first, "vreemde-tekens")
    markdown = entry_to_markdown(entry)
    parsed, problems = parse_entry_text(markdown, tmp_path / "vreemde-tekens.md")
    assert problems == []
    assert parsed.title == 'Het "Kantoor": #1 — café, crème & ü'
    assert parsed.summary.startswith('"Werk" is: het beste # echt waar')
    assert parsed.organisation == "O'Brien & Zn.: afdeling #2"
    assert parsed.contact == {
        "website": "https://example.org/pad?x=1&y=2#deel",
        "note": 'Regel één: bel ons "snel".\nRegel twee # geen commentaar.\n\nNa een lege regel: - geen lijst.',
        "telefoon": "030-1234567",
    }
    assert [(s.title, s.publisher, s.date, s.locator) for s in parsed.sources] == [
        ("2023", "no", "2024-02", "r. 1-2: 'citaat' & meer"),
        ('"Quote" aan het begin, {accolades} en [haken]', "null", "2024", "~"),
    ]
    assert parsed.body == entry["body"] and "\n---\n" in parsed.body
    assert "café" in markdown and "\\u" not in markdown  # unicode written as is
    assert "\n  website: https://example.org/pad?x=1&y=2#deel\n  telefoon: " in markdown  # website first, note last

    out = tmp_path / "export"
    export_catalogue(first, out)
    second = open_db(tmp_path / "second.db")
    sync_knowledge(second, out)
    new = get_entry(second, "vreemde-tekens")
    for key in ("path", "content_hash"):
        entry.pop(key), new.pop(key)
    assert new == entry


def test_export_cli_drafts_and_folder_rules(isolated, knowledge_copy):
    runner = CliRunner()
    out = isolated / "export"
    empty_store = runner.invoke(cli, ["export", str(out)])
    assert empty_store.exit_code == 1 and "geen onderwerpen" in empty_store.output and not out.exists()

    sync_knowledge(open_db(settings.db_path()), knowledge_copy)
    done = runner.invoke(cli, ["export", str(out)])
    assert done.exit_code == 0, done.output
    assert "Geëxporteerd: 65 onderwerpen" in done.output and "1 concept(en)" in done.output
    assert not (out / "rules" / "concept-regel.md").exists()
    assert load_catalogue(out).problems == []

    refused = runner.invoke(cli, ["export", str(out), "--all"])
    assert refused.exit_code == 1 and "niet leeg" in refused.output and "--force" in refused.output
    assert not (out / "rules" / "concept-regel.md").exists()

    (out / "rules" / "oud-onderwerp.md").write_text("oud", encoding="utf-8")
    forced = runner.invoke(cli, ["export", str(out), "--all", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Geëxporteerd: 66 onderwerpen" in forced.output and "oud-onderwerp.md" in forced.output
    assert (out / "rules" / "concept-regel.md").exists() and (out / "rules" / "oud-onderwerp.md").exists()

    a_file = isolated / "bestand.txt"
    a_file.write_text("x", encoding="utf-8")
    not_a_folder = runner.invoke(cli, ["export", str(a_file), "--force"])
    assert not_a_folder.exit_code == 1 and "geen map" in not_a_folder.output


def test_export_cli_with_only_drafts_points_at_all(isolated):
    write_entry(isolated / "knowledge", "p", PRACTICE, "practices", **{"status: published": "status: draft"})
    sync_knowledge(open_db(settings.db_path()), isolated / "knowledge")
    result = CliRunner().invoke(cli, ["export", str(isolated / "export")])
    assert result.exit_code == 1 and "--all" in result.output
    assert CliRunner().invoke(cli, ["export", str(isolated / "export"), "--all"]).exit_code == 0
    assert (isolated / "export" / "practices" / "p.md").exists()
