"""The Flask application factory."""

from __future__ import annotations

import os

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from catalogue import settings


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then HELPDESK_* environment variables, then `config` (tests). Nothing heavy loads here."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app = Flask(__name__)
    from indexer.service import index_dir

    app.config.update(
        HELPDESK_DB=str(settings.db_path()),
        HELPDESK_INDEX_DIR=str(index_dir()),
        HELPDESK_RATE_LIMIT=int(os.environ.get("HELPDESK_RATE_LIMIT", "30")),  # questions per client per minute
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from .services import Services

    app.extensions["helpdesk"] = Services(app)

    from . import api

    app.register_blueprint(api.bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.path == "/healthz":
            messages = {
                404: "Niet gevonden.",
                405: "Deze methode is hier niet toegestaan.",
                413: "Het verzoek is te groot (maximaal 16 KB).",
            }
            return api.error_response(exc.code or 500, messages.get(exc.code, exc.description or "Fout."))
        return exc

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return api.error_response(500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")
        return "Er ging iets mis aan onze kant. Probeer het later opnieuw.", 500

    return app
