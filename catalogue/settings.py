"""Where things live: the knowledge folder, the data folder and the SQLite file, all overridable by environment."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def knowledge_dir() -> Path:
    """The markdown catalogue (HELPDESK_KNOWLEDGE_DIR, default `knowledge/` in the project)."""
    return Path(os.environ.get("HELPDESK_KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")


def data_dir() -> Path:
    """Generated data: SQLite store, indexes, model (HELPDESK_DATA_DIR, default `var/` in the project)."""
    return Path(os.environ.get("HELPDESK_DATA_DIR") or PROJECT_ROOT / "var")


def db_path() -> Path:
    """The SQLite store (HELPDESK_DB, default `<data dir>/helpdesk.db`)."""
    return Path(os.environ.get("HELPDESK_DB") or data_dir() / "helpdesk.db")
