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
