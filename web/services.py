"""The heavy objects (store, model, index, assistant), created once per process and shared by all requests."""

from __future__ import annotations

import threading

from flask import Flask, current_app

_lock = threading.RLock()  # re-entrant: building the assistant builds the searcher


def open_store(path, shared: bool = False):
    """Open the SQLite store with every table the web app uses: the modules that register migrations are imported
    first, so `open_db` brings all of them up to date (the server and the `helpdesk user` commands share this)."""
    import assistant.history  # noqa: F401
    import catalogue.curation  # noqa: F401
    import web.accounts  # noqa: F401
    from catalogue.store import open_db

    return open_db(path, shared=shared)


class Services:
    """Lazily opened once per process: the database connection, the searcher and the assistant."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self._db = None
        self._searcher = None
        self._assistant = None

    @property
    def db(self):
        """One connection shared by the server's threads (writes are serialised with catalogue.store.WRITE_LOCK)."""
        if self._db is None:
            with _lock:
                if self._db is None:
                    self._db = open_store(self.config["HELPDESK_DB"], shared=True)
        return self._db

    @property
    def searcher(self):
        if self._searcher is None:
            with _lock:
                if self._searcher is None:
                    from indexer.search import Searcher
                    from indexer.service import get_embedder

                    self._searcher = Searcher(self.db, self.config["HELPDESK_INDEX_DIR"], get_embedder())
        return self._searcher

    @property
    def assistant(self):
        if self._assistant is None:
            with _lock:
                if self._assistant is None:
                    from assistant.answer import Assistant

                    self._assistant = Assistant(self.searcher, self.db)
        return self._assistant


def services() -> Services:
    return current_app.extensions["helpdesk"]
