"""Curation: drafts, review and publishing of catalogue entries, with full history and an audit log.

Every save or state change appends a row to `entry_versions` (entry id, version number, state, the whole entry as
markdown, author, time, comment): that is the history, and the latest row is the entry's current state.
States: draft → review → published, and withdrawn; "send back" is a new draft row with the reviewer's comment.
Saving requires the version the editor started from (optimistic locking): a newer version means a conflict.

Publishing writes the markdown file into the knowledge folder atomically (the files stay the source of truth),
then stores it and updates the search index. When that fails, the old file is put back and the store re-synced,
so the file and the store are either both old or both new, and the previous index keeps serving.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from .export import KIND_FOLDERS, write_atomically
from .loader import ID_PATTERN, parse_entry_text
from .store import WRITE_LOCK, get_entry, migration, sync_knowledge

STATES = ("draft", "review", "published", "withdrawn")
STATE_LABELS = {
    "draft": "Concept",
    "review": "Ter beoordeling",
    "published": "Gepubliceerd",
    "withdrawn": "Ingetrokken",
}
log = logging.getLogger(__name__)
MAX_MARKDOWN_CHARS = 60_000


class CurationError(Exception):
    """A Dutch message for the curator."""


class VersionConflict(CurationError):
    """Someone saved a newer version since this editor started."""

    def __init__(self, latest: dict) -> None:
        super().__init__(
            f"{latest['author']} heeft dit onderwerp intussen ook bewaard (versie {latest['version']}). "
            "Uw tekst is niet opgeslagen. Vergelijk beide teksten hieronder en bewaar daarna opnieuw."
        )
        self.latest = latest


@migration
def m007_entry_versions(db: sqlite_utils.Database) -> None:
    db["entry_versions"].create(
        {
            "id": int,
            "entry_id": str,
            "version": int,
            "state": str,
            "kind": str,
            "markdown": str,
            "author": str,
            "created_at": str,
            "comment": str,
        },
        pk="id",
    )
    db["entry_versions"].create_index(["entry_id", "version"], unique=True)
    db["audit_log"].create({"id": int, "at": str, "actor": str, "action": str, "entry_id": str, "detail": str}, pk="id")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def audit(db, actor: str, action: str, entry_id: str | None = None, detail: str = "") -> None:
    with WRITE_LOCK, db.conn:
        db.execute(
            "INSERT INTO audit_log (at, actor, action, entry_id, detail) VALUES (?, ?, ?, ?, ?)",
            [now(), actor, action, entry_id, detail[:500]],
        )


def audit_log(db, limit: int = 200) -> list[dict]:
    return list(db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit]))


# -- versions ------------------------------------------------------------------------------------------------


def history(db, entry_id: str) -> list[dict]:
    """Every version of an entry, newest first."""
    return list(db.query("SELECT * FROM entry_versions WHERE entry_id = ? ORDER BY version DESC", [entry_id]))


def get_version(db, entry_id: str, version: int) -> dict | None:
    rows = list(db.query("SELECT * FROM entry_versions WHERE entry_id = ? AND version = ?", [entry_id, version]))
    return rows[0] if rows else None


def published_file(db, knowledge: Path, entry_id: str) -> tuple[Path | None, str | None]:
    """The knowledge file of an entry that is in the store, and its text (None, None otherwise)."""
    if (
        not ID_PATTERN.match(entry_id)
        or db.execute("SELECT 1 FROM entries WHERE id = ?", [entry_id]).fetchone() is None
    ):
        return None, None  # (an id is a plain slug, so it is safe in the file pattern below)
    path = next(Path(knowledge).rglob(f"{entry_id}.md"), None)
    return (path, path.read_text(encoding="utf-8")) if path else (None, None)


def latest(db, knowledge: Path, entry_id: str) -> dict | None:
    """The entry's current version; a published entry without history counts as version 0 (its file)."""
    rows = history(db, entry_id)
    if rows:
        return rows[0]
    path, text = published_file(db, knowledge, entry_id)
    if text is None:
        return None
    entry = get_entry(db, entry_id)
    return {
        "entry_id": entry_id,
        "version": 0,
        "state": "published",
        "kind": entry["kind"],
        "markdown": text,
        "author": "knowledge/",
        "created_at": entry["last_reviewed"],
        "comment": f"bestand {path.name}",
    }


def published_markdown(db, knowledge: Path, entry_id: str) -> str | None:
    """The text that is live now (the file in the knowledge folder), or None for a never-published entry."""
    return published_file(db, knowledge, entry_id)[1]


def _append(db, entry_id: str, kind: str, state: str, markdown: str, author: str, comment: str, base: int) -> dict:
    """Add a version on top of `base`; raises VersionConflict when someone else got there first."""
    with WRITE_LOCK, db.conn:
        rows = history(db, entry_id)
        current_version = rows[0]["version"] if rows else 0
        if base != current_version:
            raise VersionConflict(rows[0] if rows else {"author": "iemand", "version": 0, "markdown": ""})
        db.execute(
            "INSERT INTO entry_versions (entry_id, version, state, kind, markdown, author, created_at, comment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [entry_id, current_version + 1, state, kind, markdown, author, now(), comment[:1000]],
        )
    return history(db, entry_id)[0]


def validate_markdown(markdown: str, entry_id: str) -> list:
    """The problems `helpdesk check` would report for this entry text (same loader code)."""
    if len(markdown) > MAX_MARKDOWN_CHARS:
        from .loader import Problem

        return [Problem(Path(f"{entry_id}.md"), 1, "body", f"te lang (maximaal {MAX_MARKDOWN_CHARS} tekens)")]
    _, problems = parse_entry_text(markdown, Path(f"{entry_id}.md"))
    return problems


def id_is_taken(db, entry_id: str) -> bool:
    in_store = db.execute("SELECT 1 FROM entries WHERE id = ?", [entry_id]).fetchone() is not None
    return in_store or db.execute("SELECT 1 FROM entry_versions WHERE entry_id = ?", [entry_id]).fetchone() is not None


def save_draft(db, entry_id: str, kind: str, markdown: str, author: str, comment: str, base: int) -> dict:
    version = _append(db, entry_id, kind, "draft", markdown, author, comment or "bewaard", base)
    audit(db, author, "bewaard", entry_id, f"versie {version['version']}")
    return version


def change_state(db, knowledge: Path, entry_id: str, state: str, author: str, comment: str, base: int) -> dict:
    """A new version with the same text in another state (submit for review, send back)."""
    current = latest(db, knowledge, entry_id)
    if current is None:
        raise CurationError("Dit onderwerp bestaat niet.")
    version = _append(db, entry_id, current["kind"], state, current["markdown"], author, comment, base)
    audit(db, author, {"review": "ingediend", "draft": "teruggestuurd"}.get(state, state), entry_id, comment)
    return version


def restore(db, entry_id: str, version: int, author: str, base: int) -> dict:
    """Make an old version the newest draft again."""
    old = get_version(db, entry_id, version)
    if old is None:
        raise CurationError("Deze versie bestaat niet.")
    return save_draft(db, entry_id, old["kind"], old["markdown"], author, f"versie {version} teruggezet", base)


def diff(old: str | None, new: str) -> list[tuple[str, str]]:
    """A line diff as (kind, line) pairs: kind is 'same', 'added' or 'removed'."""
    out = []
    for line in difflib.ndiff((old or "").splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        out.append(({"+ ": "added", "- ": "removed"}.get(code, "same"), text))
    return out


# -- publishing ----------------------------------------------------------------------------------------------


@dataclass
class PublishResult:
    version: dict
    seconds: float
    passages_embedded: int


def target_path(knowledge: Path, entry_id: str, kind: str) -> Path:
    """Where the entry's file lives: its existing file, or `<knowledge>/<kind folder>/<id>.md` for a new one."""
    if not ID_PATTERN.match(entry_id):
        raise CurationError(f"'{entry_id}' is geen geldig id.")
    return (
        next(Path(knowledge).rglob(f"{entry_id}.md"), None) or Path(knowledge) / KIND_FOLDERS[kind] / f"{entry_id}.md"
    )


def _put(path: Path, text: str | None) -> None:
    """Write `text` to `path` atomically, or remove the file when `text` is None."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, text)


def _swap_file(db, knowledge: Path, path: Path, new_text: str | None, update_index):
    """Put `new_text` at `path` (None: remove the file), store the folder and update the index; returns what
    `update_index` returned. On any failure put the old file back and re-store it, then re-raise."""
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    try:
        _put(path, new_text)
        with WRITE_LOCK:
            sync_knowledge(db, knowledge)
        return update_index()
    except BaseException:
        _put(path, old_text)
        with WRITE_LOCK:
            sync_knowledge(db, knowledge)
        try:  # bring the index back in line with the restored files (a no-op when it was never changed)
            update_index()
        except Exception:  # noqa: BLE001 - the previous index file is still in place and serving
            log.exception("index not updated after restoring %s", path.name)
        raise


def with_status_published(markdown: str) -> str:
    """The entry text with `status: published` in its front matter."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    for i in range(1, end):
        if lines[i].startswith("status:"):
            lines[i] = "status: published"
            break
    else:
        lines.insert(end, "status: published")
    return "\n".join(lines)


def _current_at(db, knowledge: Path, entry_id: str, base: int) -> dict:
    """The current version, which must be the one the curator saw (`base`); else CurationError / VersionConflict."""
    current = latest(db, knowledge, entry_id)
    if current is None:
        raise CurationError("Dit onderwerp bestaat niet.")
    if current["version"] != base:
        raise VersionConflict(current)
    return current


def publish(db, knowledge: Path, entry_id: str, author: str, comment: str, base: int, update_index) -> PublishResult:
    """Publish the current version: write its file, store it, update the index (see the module docstring)."""
    started = time.perf_counter()
    with WRITE_LOCK:  # one publish at a time, and no save can slip in between the file and its version row
        current = _current_at(db, knowledge, entry_id, base)
        text = with_status_published(current["markdown"])
        problems = validate_markdown(text, entry_id)
        if problems:
            details = "; ".join(f"{p.field}: {p.message}" for p in problems)
            raise CurationError(f"Dit onderwerp heeft nog fouten: {details}")
        path = target_path(knowledge, entry_id, current["kind"])
        stats = _swap_file(db, knowledge, path, text if text.endswith("\n") else text + "\n", update_index)
        version = _append(db, entry_id, current["kind"], "published", text, author, comment or "gepubliceerd", base)
    audit(db, author, "gepubliceerd", entry_id, f"versie {version['version']}")
    return PublishResult(version, time.perf_counter() - started, getattr(stats, "embedded", 0))


def withdraw(db, knowledge: Path, entry_id: str, author: str, comment: str, base: int, update_index) -> dict:
    """Take a published entry offline: remove its file, store and reindex; keep its history."""
    with WRITE_LOCK:
        current = _current_at(db, knowledge, entry_id, base)
        path, text = published_file(db, knowledge, entry_id)
        if text is None:
            raise CurationError("Dit onderwerp is niet gepubliceerd.")
        _swap_file(db, knowledge, path, None, update_index)
        version = _append(db, entry_id, current["kind"], "withdrawn", current["markdown"], author, comment, base)
    audit(db, author, "ingetrokken", entry_id, comment)
    return version


def work_list(db) -> list[dict]:
    """The current version of every entry that has a history, newest first (for the curation start page)."""
    return list(
        db.query(
            "SELECT v.* FROM entry_versions v JOIN (SELECT entry_id, MAX(version) AS version FROM entry_versions "
            "GROUP BY entry_id) m ON m.entry_id = v.entry_id AND m.version = v.version ORDER BY v.created_at DESC"
        )
    )
