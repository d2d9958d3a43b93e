"""Conversations, the question log and answer feedback in SQLite. Only redacted text ever reaches these tables."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlite_utils

from catalogue.store import WRITE_LOCK, migration

from .privacy import redact

MAX_TURNS = 6
SHOWN_TURNS = 20  # a conversation page shows at most this many turns
MAX_FEEDBACK_CHARS = 500


@migration
def m004_conversations(db: sqlite_utils.Database) -> None:
    db["conversations"].create({"id": str, "created_at": str}, pk="id")
    db["turns"].create(
        {"id": int, "conversation_id": str, "question": str, "search_query": str, "status": str, "created_at": str},
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
    )
    db["turns"].create_index(["conversation_id"])
    db["question_log"].create(
        {
            "id": int,
            "created_at": str,
            "conversation_id": str,
            "question": str,
            "status": str,
            "top_score": float,
            "scope_reason": str,
            "personal_data": str,
            "latency_ms": float,
            "citations": str,
        },
        pk="id",
    )
    db["question_log"].create_index(["created_at"])


@migration
def m005_turn_answers_and_feedback(db: sqlite_utils.Database) -> None:
    """Keep each turn's answer (catalogue quotes only) so a conversation page can be shown again; add feedback."""
    db["turns"].add_column("answer", str)
    db["turns"].add_column("log_id", int)
    db["feedback"].create(
        {"id": int, "log_id": int, "created_at": str, "helpful": int, "reason": str},
        pk="id",
        foreign_keys=[("log_id", "question_log", "id")],
    )
    db["feedback"].create_index(["log_id"], unique=True)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_conversation(db: sqlite_utils.Database) -> str:
    conversation_id = secrets.token_urlsafe(12)
    with WRITE_LOCK, db.conn:
        db.execute("INSERT INTO conversations (id, created_at) VALUES (?, ?)", [conversation_id, now()])
    return conversation_id


def conversation_exists(db: sqlite_utils.Database, conversation_id: str) -> bool:
    return db.execute("SELECT 1 FROM conversations WHERE id = ?", [conversation_id]).fetchone() is not None


def last_turns(db: sqlite_utils.Database, conversation_id: str, n: int = MAX_TURNS) -> list[dict]:
    """The last `n` turns, oldest first."""
    rows = db.query(
        "SELECT question, search_query, status FROM turns WHERE conversation_id = ? ORDER BY id DESC LIMIT ?",
        [conversation_id, n],
    )
    return list(reversed(list(rows)))


def add_turn(
    db: sqlite_utils.Database,
    conversation_id: str,
    question: str,
    search_query: str,
    status: str,
    answer: dict | None = None,
    log_id: int | None = None,
) -> None:
    """One question (redacted) and its answer (as the API returns it) in a conversation."""
    with WRITE_LOCK, db.conn:
        db.execute(
            "INSERT INTO turns (conversation_id, question, search_query, status, created_at, answer, log_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                conversation_id,
                question,
                search_query,
                status,
                now(),
                json.dumps(answer, ensure_ascii=False) if answer is not None else None,
                log_id,
            ],
        )


def conversation_turns(db: sqlite_utils.Database, conversation_id: str, n: int = SHOWN_TURNS) -> list[dict]:
    """The last `n` turns with their answers, oldest first: question, status, answer (dict), log_id, feedback."""
    rows = list(
        db.query(
            "SELECT t.question, t.status, t.answer, t.log_id, f.helpful FROM turns t "
            "LEFT JOIN feedback f ON f.log_id = t.log_id WHERE t.conversation_id = ? ORDER BY t.id DESC LIMIT ?",
            [conversation_id, n],
        )
    )
    for row in rows:
        row["answer"] = json.loads(row["answer"]) if row["answer"] else None
    return list(reversed(rows))


def recent_questions(db: sqlite_utils.Database, limit: int = 500) -> list[dict]:
    """The newest logged questions (already redacted) with status, best score and feedback, newest first."""
    return list(
        db.query(
            "SELECT q.id, q.created_at, q.question, q.status, q.top_score, f.helpful, f.reason FROM question_log q "
            "LEFT JOIN feedback f ON f.log_id = q.id ORDER BY q.id DESC LIMIT ?",
            [limit],
        )
    )


def record_feedback(db: sqlite_utils.Database, log_id: int, helpful: bool, reason: str = "") -> bool:
    """Store (or replace) the feedback on one logged answer; the reason is redacted and cut to size.

    Returns False when there is no such answer."""
    if db.execute("SELECT 1 FROM question_log WHERE id = ?", [log_id]).fetchone() is None:
        return False
    reason = redact(" ".join((reason or "").split())[:MAX_FEEDBACK_CHARS])[0]
    with WRITE_LOCK, db.conn:
        db.execute(
            "INSERT INTO feedback (log_id, created_at, helpful, reason) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(log_id) DO UPDATE SET created_at = excluded.created_at, helpful = excluded.helpful, "
            "reason = excluded.reason",
            [log_id, now(), int(helpful), reason],
        )
    return True


def log_question(db: sqlite_utils.Database, **row) -> int:
    """Append to the question log (redacted text only); returns the row id."""
    row = {"created_at": now(), **row}
    with WRITE_LOCK, db.conn:
        cursor = db.execute(
            f"INSERT INTO question_log ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
        )
    return cursor.lastrowid


# What `purge_older_than` removes, per table, in this order (feedback before the log rows it points at). Each
# condition selects the same rows before and after the deletes above it, so a dry run's counts are exact.
PURGE_WHERE = {
    "feedback": "created_at < :cutoff OR log_id IN (SELECT id FROM question_log WHERE created_at < :cutoff)",
    "turns": "created_at < :cutoff",
    "question_log": "created_at < :cutoff",
    "conversations": (
        "created_at < :cutoff AND NOT EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = conversations.id "
        "AND (t.created_at >= :cutoff OR t.created_at IS NULL))"
    ),
}


def purge_cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment `days` days before `now` (default: this moment), in UTC; a naive `now` is taken as UTC."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days moet een geheel getal van ten minste 1 zijn, niet {days!r}")
    now = now or dt.datetime.now(dt.UTC)
    now = now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)
    try:
        return now - dt.timedelta(days=days)
    except OverflowError:
        raise ValueError(f"{days} dagen terug valt buiten de kalender") from None


def purge_older_than(
    db: sqlite_utils.Database, days: int, now: dt.datetime | None = None, *, dry_run: bool = False
) -> dict[str, int]:
    """Delete what is older than `days` days, in one transaction: feedback (by its own date, and all feedback on a
    log row that goes), question_log, turns, and conversations older than the cut-off with no turns left.

    Returns the number of rows per table; with `dry_run` only counts them. Timestamps are compared as the ISO UTC
    text `now()` writes (`2026-11-23T15:00:00+00:00`)."""
    params = {"cutoff": purge_cutoff(days, now).isoformat(timespec="seconds")}
    counts = {}
    with WRITE_LOCK, db.conn:
        for table, where in PURGE_WHERE.items():
            if dry_run:
                counts[table] = db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
            else:
                counts[table] = db.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
    return counts
