"""The SQLite store: migrations, syncing (added/changed/removed), lookups and full-text search."""

from catalogue.loader import load_catalogue
from catalogue.store import MIGRATIONS, get_entry, list_entries, migrate, open_db, search_entries, store_catalogue
from tests.helpers import PRACTICE, write_entry


def test_migrations_run_once_and_are_recorded(tmp_path):
    db = open_db(tmp_path / "h.db")
    names = [r["name"] for r in db["_migrations"].rows]
    assert names == [name for name, _ in MIGRATIONS] and names[0] == "m001_catalogue"
    assert migrate(db) == []
    assert {"entries", "sections", "sources", "sectors", "action_types", "entries_fts"} <= set(db.table_names())


def test_store_sync_counts_and_lookups(tmp_path):
    folder = tmp_path / "k"
    write_entry(folder, "quotumheffing")
    write_entry(folder, "binnenwerk", PRACTICE, "practices")
    db = open_db(tmp_path / "h.db")
    assert store_catalogue(db, load_catalogue(folder).entries) == {
        "added": 2,
        "changed": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert store_catalogue(db, load_catalogue(folder).entries)["unchanged"] == 2

    write_entry(folder, "binnenwerk", PRACTICE, "practices", **{"Geld.": "Geld en tijd."})
    (folder / "rules" / "quotumheffing.md").unlink()
    counts = store_catalogue(db, load_catalogue(folder).entries)
    assert counts == {"added": 0, "changed": 1, "unchanged": 0, "removed": 1}
    assert db.execute("SELECT count(*) FROM sections WHERE entry_id = 'quotumheffing'").fetchone()[0] == 0

    entry = get_entry(db, "binnenwerk")
    assert entry["action_types"] == ["centralisatie-aansturing-financiering"]
    assert entry["contact"] == {"website": "https://www.ubrijk.nl/"}
    assert [s["anchor"] for s in entry["sections"]][0] == "wat-is-het"
    assert entry["sources"][0]["publisher"] == "De Beleidsonderzoekers"
    assert 'id="wat-heb-je-nodig"' in entry["body_html"]
    assert [r["id"] for r in list_entries(db, sector="rijk", kind="practice")] == ["binnenwerk"]
    assert list_entries(db, sector="gemeenten") == []


def test_fts_finds_words_and_ignores_operators(tmp_path):
    folder = tmp_path / "k"
    write_entry(folder, "quotumheffing")
    db = open_db(tmp_path / "h.db")
    store_catalogue(db, load_catalogue(folder).entries)
    assert [r["id"] for r in search_entries(db, "ontbrekende")] == ["quotumheffing"]
    for nasty in ['"', "NEAR(", "a OR", "-x", "'; DROP TABLE entries; --", "*"]:
        search_entries(db, nasty)  # must not raise
    assert db["entries"].count == 1
