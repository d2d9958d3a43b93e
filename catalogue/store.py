"""The SQLite store of the catalogue (sqlite-utils): schema migrations, syncing entries, reading them back.

Tables: entries, sections, sources, sectors / action_types (lookups), entry_sectors / entry_action_types, and an
FTS5 table `entries_fts` over title, summary and the plain text of the body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlite_utils

from . import schema
from .loader import Entry, load_catalogue
from .render import render_markdown
from .text import markdown_to_plain

WRITE_LOCK = threading.RLock()  # one writer at a time on a shared connection
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = []


def migration(func: Callable[[sqlite_utils.Database], None]):
    """Register a schema migration; they run once, in order, each recorded in `_migrations`."""
    MIGRATIONS.append((func.__name__, func))
    return func


@migration
def m001_catalogue(db: sqlite_utils.Database) -> None:
    db["entries"].create(
        {
            "id": str,
            "title": str,
            "kind": str,
            "summary": str,
            "organisation": str,
            "contact": str,
            "valid_from": str,
            "valid_until": str,
            "review_by": str,
            "last_reviewed": str,
            "status": str,
            "path": str,
            "body": str,
            "body_html": str,
            "body_text": str,
            "content_hash": str,
        },
        pk="id",
    )
    db["sections"].create(
        {"id": str, "entry_id": str, "heading": str, "anchor": str, "text": str, "position": int},
        pk="id",
        foreign_keys=[("entry_id", "entries", "id")],
    )
    db["sources"].create(
        {"entry_id": str, "position": int, "title": str, "publisher": str, "date": str, "locator": str, "url": str},
        pk=("entry_id", "position"),
        foreign_keys=[("entry_id", "entries", "id")],
    )
    db["sectors"].create({"slug": str, "label": str}, pk="slug")
    db["action_types"].create({"slug": str, "label": str}, pk="slug")
    db["entry_sectors"].create(
        {"entry_id": str, "sector": str},
        pk=("entry_id", "sector"),
        foreign_keys=[("entry_id", "entries", "id"), ("sector", "sectors", "slug")],
    )
    db["entry_action_types"].create(
        {"entry_id": str, "action_type": str},
        pk=("entry_id", "action_type"),
        foreign_keys=[("entry_id", "entries", "id"), ("action_type", "action_types", "slug")],
    )
    db["sections"].create_index(["entry_id"])
    db["entries"].enable_fts(
        ["title", "summary", "body_text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migration
def m008_entry_questions(db: sqlite_utils.Database) -> None:
    """Employer questions per section (front-matter `questions:`), as JSON {anchor: [question, ...]}."""
    db["entries"].add_column("questions", str)


def open_db(path: Path | str, shared: bool = False) -> sqlite_utils.Database:
    """Open (creating when needed) the store and bring its schema up to date. `shared` allows one connection to
    be used by several threads (a web server); SQLite serialises access, writers also take `WRITE_LOCK`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=not shared))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    db.execute("PRAGMA foreign_keys=ON")
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database has not had yet; returns their names."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db["_migrations"].rows}
    applied = []
    for name, func in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            func(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            )
        applied.append(name)
    return applied


def entry_hash(entry: Entry) -> str:
    """A hash of everything stored about an entry, to skip unchanged ones."""
    return hashlib.sha256(json.dumps(entry_record(entry, with_html=False), sort_keys=True).encode()).hexdigest()


def entry_record(entry: Entry, with_html: bool = True) -> dict:
    record = {
        "id": entry.id,
        "title": entry.title,
        "kind": entry.kind,
        "summary": entry.summary,
        "organisation": entry.organisation,
        "contact": json.dumps(entry.contact, ensure_ascii=False, sort_keys=True),
        "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
        "review_by": entry.review_by.isoformat(),
        "last_reviewed": entry.last_reviewed.isoformat(),
        "status": entry.status,
        "body": entry.body,
        "sectors": entry.sectors,
        "action_types": entry.action_types,
        "sources": [vars(s) for s in entry.sources],
        "questions": json.dumps(entry.questions, ensure_ascii=False),
    }
    if with_html:
        record["body_html"] = render_markdown(entry.body, source_links=True)
        record["body_text"] = markdown_to_plain(entry.body)
    return record


def store_catalogue(db: sqlite_utils.Database, entries: Iterable[Entry]) -> dict[str, int]:
    """Make the store hold exactly these entries, in one transaction; returns counts added/changed/removed."""
    entries = list(entries)
    existing = {row["id"]: row["content_hash"] for row in db.query("SELECT id, content_hash FROM entries")}
    counts = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
    with db.conn:
        for slug, label in schema.SECTORS.items():
            db.execute("INSERT OR REPLACE INTO sectors (slug, label) VALUES (?, ?)", [slug, label])
        for slug, label in schema.ACTION_TYPES.items():
            db.execute("INSERT OR REPLACE INTO action_types (slug, label) VALUES (?, ?)", [slug, label])
        wanted = {e.id for e in entries}
        for entry_id in existing.keys() - wanted:
            _delete_entry(db, entry_id)
            counts["removed"] += 1
        for entry in entries:
            content_hash = entry_hash(entry)
            if existing.get(entry.id) == content_hash:
                counts["unchanged"] += 1
                continue
            counts["changed" if entry.id in existing else "added"] += 1
            _delete_entry(db, entry.id)
            _insert_entry(db, entry, content_hash)
    return counts


class CatalogueInvalid(Exception):
    """The knowledge folder has problems; the message lists every one of them."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{lines}\nDe catalogus heeft fouten; herstel ze eerst (zie 'helpdesk check').")


def sync_knowledge(db: sqlite_utils.Database, folder: Path) -> tuple[list[Entry], dict[str, int]]:
    """Validate a knowledge folder and store it; raises CatalogueInvalid (with every problem) when invalid."""
    result = load_catalogue(folder)
    if result.problems:
        raise CatalogueInvalid(result.problems)
    return result.entries, store_catalogue(db, result.entries)


def _delete_entry(db: sqlite_utils.Database, entry_id: str) -> None:
    for table in ("sections", "sources", "entry_sectors", "entry_action_types"):
        db.execute(f"DELETE FROM {table} WHERE entry_id = ?", [entry_id])
    db.execute("DELETE FROM entries WHERE id = ?", [entry_id])


def _insert_entry(db: sqlite_utils.Database, entry: Entry, content_hash: str) -> None:
    record = entry_record(entry)
    row = {
        k: record[k]
        for k in (
            "id",
            "title",
            "kind",
            "summary",
            "organisation",
            "contact",
            "valid_from",
            "valid_until",
            "review_by",
            "last_reviewed",
            "status",
            "body",
            "body_html",
            "body_text",
            "questions",
        )
    }
    row["path"] = str(entry.path)
    row["content_hash"] = content_hash
    _insert(db, "entries", row)
    for section in entry.sections:
        _insert(
            db,
            "sections",
            {
                "id": f"{entry.id}#{section.anchor}",
                "entry_id": entry.id,
                "heading": section.heading,
                "anchor": section.anchor,
                "text": section.text,
                "position": section.position,
            },
        )
    for position, source in enumerate(entry.sources, start=1):
        _insert(db, "sources", {"entry_id": entry.id, "position": position, **vars(source)})
    for sector in entry.sectors:
        _insert(db, "entry_sectors", {"entry_id": entry.id, "sector": sector})
    for action in entry.action_types:
        _insert(db, "entry_action_types", {"entry_id": entry.id, "action_type": action})


def _insert(db: sqlite_utils.Database, table: str, row: dict) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def get_entry(db: sqlite_utils.Database, entry_id: str) -> dict | None:
    """One stored entry with its sections, sources, sectors and action types, or None."""
    rows = list(db.query("SELECT * FROM entries WHERE id = ?", [entry_id]))
    if not rows:
        return None
    entry = rows[0]
    entry["contact"] = json.loads(entry["contact"] or "{}")
    entry["questions"] = json.loads(entry.get("questions") or "{}")
    entry["sections"] = list(
        db.query(
            "SELECT heading, anchor, text, position FROM sections WHERE entry_id = ? ORDER BY position", [entry_id]
        )
    )
    entry["sources"] = list(
        db.query(
            "SELECT position, title, publisher, date, locator, url FROM sources WHERE entry_id = ? ORDER BY position",
            [entry_id],
        )
    )
    entry["sectors"] = [
        r["sector"] for r in db.query("SELECT sector FROM entry_sectors WHERE entry_id = ? ORDER BY sector", [entry_id])
    ]
    entry["action_types"] = [
        r["action_type"]
        for r in db.query(
            "SELECT action_type FROM entry_action_types WHERE entry_id = ? ORDER BY action_type", [entry_id]
        )
    ]
    return entry


def list_entries(
    db: sqlite_utils.Database,
    kind: str | None = None,
    sector: str | None = None,
    action_type: str | None = None,
    status: str | None = "published",
) -> list[dict]:
    """Entries (id, title, kind, summary, …) matching every given filter, sorted by kind and title."""
    where, params = [], []
    if kind:
        where.append("e.kind = ?")
        params.append(kind)
    if status:
        where.append("e.status = ?")
        params.append(status)
    if sector:
        where.append("e.id IN (SELECT entry_id FROM entry_sectors WHERE sector = ?)")
        params.append(sector)
    if action_type:
        where.append("e.id IN (SELECT entry_id FROM entry_action_types WHERE action_type = ?)")
        params.append(action_type)
    sql = (
        "SELECT e.id, e.title, e.kind, e.summary, e.valid_from, e.valid_until, e.last_reviewed, e.status, "
        "(SELECT group_concat(sector, ',') FROM entry_sectors s WHERE s.entry_id = e.id) AS sectors, "
        "(SELECT group_concat(action_type, ',') FROM entry_action_types a WHERE a.entry_id = e.id) "
        "AS action_types FROM entries e"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY e.kind, e.title COLLATE NOCASE"
    rows = list(db.query(sql, params))
    for row in rows:
        row["sectors"] = sorted((row["sectors"] or "").split(",")) if row["sectors"] else []
        row["action_types"] = sorted(row["action_types"].split(",")) if row["action_types"] else []
    return rows


def search_entries(db: sqlite_utils.Database, words: str, limit: int = 20) -> list[dict]:
    """Full-text search over titles, summaries and bodies; any word may match, best first."""
    query = fts_query(words)
    if not query:
        return []
    return list(
        db.query(
            "SELECT e.id, e.title, e.kind, e.summary, bm25(entries_fts) AS rank FROM entries_fts "
            "JOIN entries e ON e.rowid = entries_fts.rowid WHERE entries_fts MATCH ? ORDER BY rank LIMIT ?",
            [query, limit],
        )
    )


def fts_query(words: str) -> str:
    """Turn free user text into a safe FTS5 query: each word quoted (no operators), joined with OR."""
    tokens = [t for t in "".join(c if c.isalnum() else " " for c in words).split() if t]
    return " OR ".join(f'"{t}"' for t in tokens[:32])
