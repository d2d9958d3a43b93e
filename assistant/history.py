"""Conversations and the question log in SQLite. Only redacted text ever reaches these tables."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlite_utils

from catalogue.store import WRITE_LOCK, migration

MAX_TURNS = 6


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


def add_turn(db: sqlite_utils.Database, conversation_id: str, question: str, search_query: str, status: str) -> None:
    with WRITE_LOCK, db.conn:
        db.execute(
            "INSERT INTO turns (conversation_id, question, search_query, status, created_at) VALUES (?, ?, ?, ?, ?)",
            [conversation_id, question, search_query, status, now()],
        )


def log_question(db: sqlite_utils.Database, **row) -> int:
    """Append to the question log (redacted text only); returns the row id."""
    row = {"created_at": now(), **row}
    with WRITE_LOCK, db.conn:
        cursor = db.execute(
            f"INSERT INTO question_log ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
        )
    return cursor.lastrowid
