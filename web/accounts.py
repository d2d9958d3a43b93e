"""Curator accounts: editors (their own sectors), reviewers (approve and publish) and admins (users).

Passwords are hashed with scrypt (werkzeug); repeated failed logins lock the account for a while; a disabled
account's sessions end on its next request (the session carries the account's `session_version`).
"""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue import schema
from catalogue.store import WRITE_LOCK, migration

ROLES = ("editor", "reviewer", "admin")
ROLE_LABELS = {"editor": "Redacteur", "reviewer": "Beoordelaar", "admin": "Beheerder"}
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_CHARS = 12
PASSWORD_METHOD = "scrypt"
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone", method=PASSWORD_METHOD)


class AccountError(ValueError):
    """A Dutch message for the person at the keyboard."""


@migration
def m006_users(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "name": str,
            "password_hash": str,
            "role": str,
            "sectors": str,
            "disabled": int,
            "failed_logins": int,
            "locked_until": str,
            "session_version": int,
            "created_at": str,
        },
        pk="name",
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def valid_name(name: str) -> bool:
    return 2 <= len(name) <= 40 and all(c.isalnum() or c in "._-" for c in name)


def add_user(db, name: str, password: str, role: str, sectors: list[str] | tuple[str, ...] = ()) -> dict:
    """Create an account; raises AccountError (Dutch) for a bad name, role, sector, weak password or clash."""
    if not valid_name(name):
        raise AccountError("Een naam heeft 2 tot 40 tekens: letters, cijfers, punt, streepje of liggend streepje.")
    if role not in ROLES:
        raise AccountError(f"Onbekende rol. Kies uit: {', '.join(ROLES)}.")
    unknown = [s for s in sectors if s not in schema.SECTORS]
    if unknown:
        raise AccountError(f"Onbekende sector: {', '.join(unknown)}. Kies uit: {', '.join(schema.SECTORS)}.")
    if role == "editor" and not sectors:
        raise AccountError("Een redacteur hoort bij ten minste één sector (--sector).")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_CHARS} tekens hebben.")
    row = {
        "name": name,
        "password_hash": generate_password_hash(password, method=PASSWORD_METHOD),
        "role": role,
        "sectors": json.dumps(sorted(set(sectors))),
        "disabled": 0,
        "failed_logins": 0,
        "locked_until": None,
        "session_version": 1,
        "created_at": now().isoformat(timespec="seconds"),
    }
    with WRITE_LOCK, db.conn:
        if db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise AccountError(f"Er is al een account met de naam {name}.")
        db["users"].insert(row)
    return get_user(db, name)


def get_user(db, name: str) -> dict | None:
    row = db.execute(
        "SELECT name, role, sectors, disabled, session_version, failed_logins, locked_until FROM users WHERE name = ?",
        [name],
    ).fetchone()
    if row is None:
        return None
    keys = ("name", "role", "sectors", "disabled", "session_version", "failed_logins", "locked_until")
    user = dict(zip(keys, row, strict=True))
    user["sectors"] = json.loads(user["sectors"] or "[]")
    user["disabled"] = bool(user["disabled"])
    return user


def list_users(db) -> list[dict]:
    return [get_user(db, r[0]) for r in db.execute("SELECT name FROM users ORDER BY name").fetchall()]


def disable_user(db, name: str) -> bool:
    """Disable an account and end its sessions; False when there is no such account."""
    with WRITE_LOCK, db.conn:
        cursor = db.execute(
            "UPDATE users SET disabled = 1, session_version = session_version + 1 WHERE name = ?", [name]
        )
    return cursor.rowcount == 1


def authenticate(db, name: str, password: str) -> dict | None:
    """The account when name and password are right and it is neither disabled nor locked; else None.

    Every failure looks the same to the caller (no hint whether the name exists); five wrong passwords in a row
    lock the account for 15 minutes."""
    row = db.execute(
        "SELECT password_hash, disabled, failed_logins, locked_until FROM users WHERE name = ?", [name]
    ).fetchone()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    password_hash, disabled, failed, locked_until = row
    locked = locked_until and dt.datetime.fromisoformat(locked_until) > now()
    good = check_password_hash(password_hash, password)
    if locked or disabled:
        return None
    with WRITE_LOCK, db.conn:
        if good:
            db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", [name])
        else:
            failed += 1
            until = (now() + dt.timedelta(minutes=LOCK_MINUTES)).isoformat() if failed >= MAX_FAILED_LOGINS else None
            db.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                [0 if until else failed, until, name],
            )
    return get_user(db, name) if good else None


def may_edit(user: dict, entry_sectors: list[str]) -> bool:
    """Reviewers and admins edit everything; an editor only entries whose sectors are all theirs."""
    if user["role"] in ("reviewer", "admin"):
        return True
    return bool(entry_sectors) and set(entry_sectors) <= set(user["sectors"])


def may_publish(user: dict) -> bool:
    return user["role"] in ("reviewer", "admin")
