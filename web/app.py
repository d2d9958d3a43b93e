"""The Flask application factory: configuration, blueprints, CSRF, security headers and error pages."""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from catalogue import settings

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PAGE_ERRORS = {
    401: ("Inloggen nodig", "Log in om deze pagina te zien."),
    403: ("Dit mag u niet", "U heeft geen toestemming voor deze actie. Dit is vastgelegd."),
    400: ("Dit verzoek klopt niet", "De gegevens in het verzoek kloppen niet. Ga terug en probeer het opnieuw."),
    404: ("Deze pagina bestaat niet", "Misschien is het adres verkeerd getypt, of is de pagina verplaatst."),
    405: ("Dit kan hier niet", "Deze pagina werkt niet op deze manier. Ga terug naar de vorige pagina."),
    413: ("Dat is te veel tekst", "U stuurde te veel tekst. Maak het korter en probeer het opnieuw."),
    429: ("Even wachten", "U stelt te veel vragen achter elkaar. Wacht een minuut en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def secret_key() -> str:
    """HELPDESK_SECRET_KEY, or a random key kept in the data folder (so sessions survive a restart)."""
    if os.environ.get("HELPDESK_SECRET_KEY"):
        return os.environ["HELPDESK_SECRET_KEY"]
    path = settings.data_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(f"{path}.{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        os.replace(tmp, path)
    return path.read_text().strip()


def wants_json() -> bool:
    """Errors on the JSON API, /healthz and the `.json` twins are JSON; everywhere else they are pages."""
    return request.path.startswith("/api/") or request.path == "/healthz" or request.path.endswith(".json")


def dutch_number(value, places: int | None = None) -> str:
    """Template filter `nl`: 12.03 → 12,03 and 44000 → 44.000."""
    from assistant.quota import format_number

    return format_number(value, places)


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then HELPDESK_* environment variables, then `config` (tests). Nothing heavy loads here."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app = Flask(__name__)
    from indexer.service import index_dir

    app.config.update(
        HELPDESK_DB=str(settings.db_path()),
        HELPDESK_INDEX_DIR=str(index_dir()),
        HELPDESK_RATE_LIMIT=int(os.environ.get("HELPDESK_RATE_LIMIT", "30")),  # questions per client per minute
        HELPDESK_RETENTION_DAYS=int(os.environ.get("HELPDESK_RETENTION_DAYS", "90")),
        HELPDESK_KNOWLEDGE_DIR=str(settings.knowledge_dir()),
        HELPDESK_LOGIN_LIMIT=int(os.environ.get("HELPDESK_LOGIN_LIMIT", "10")),  # login attempts per client per minute
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("HELPDESK_SECURE_COOKIES", "0") == "1",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a slow reader loses nothing
    )
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key()
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.add_template_filter(dutch_number, "nl")
    from assistant.messages import ENGLISH_NOTICE

    app.jinja_env.globals["english_notice"] = ENGLISH_NOTICE  # marked lang="en" where it is shown (WCAG 3.1.2)
    app.add_template_filter(lambda values, labels: [labels.get(v, v) for v in values], "labels")
    from .highlight import mark_sentences

    app.add_template_filter(mark_sentences, "mark_sentences")

    from .services import Services

    app.extensions["helpdesk"] = Services(app)
    csrf.init_app(app)

    from . import admin, api, browse, calculator, chat, pages

    csrf.exempt(api.bp)  # JSON only: a cross-site form cannot send application/json without a CORS preflight
    for blueprint in (api.bp, chat.bp, browse.bp, calculator.bp, pages.bp, admin.bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = "Het formulier is verlopen of niet geldig. Laad de pagina opnieuw en probeer het nog eens."
        return render_template("error.html", title="Formulier verlopen", message=message, code=400), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        if wants_json():
            messages = {
                404: "Niet gevonden.",
                405: "Deze methode is hier niet toegestaan.",
                413: "Het verzoek is te groot (maximaal 16 KB).",
            }
            return api.error_response(code, messages.get(code, exc.description or "Fout."))
        title, message = PAGE_ERRORS.get(code, PAGE_ERRORS[400] if code < 500 else PAGE_ERRORS[500])
        return render_template("error.html", title=title, message=message, code=code), code

    @app.errorhandler(sqlite3.OperationalError)
    def database_busy(exc: sqlite3.OperationalError):
        """SQLite already waited (busy_timeout); a still-locked database is a clear 503, not a crash."""
        if "locked" not in str(exc) and "busy" not in str(exc):
            return unexpected(exc)
        app.logger.warning("database locked on %s", request.path)
        message = "De database is even bezet. Probeer het over een paar seconden opnieuw; er is niets verloren."
        if wants_json():
            return api.error_response(503, message)
        return render_template("error.html", title="Even bezet", message=message, code=503), 503

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        if wants_json():
            return api.error_response(500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")
        title, message = PAGE_ERRORS[500]
        return render_template("error.html", title=title, message=message, code=500), 500

    return app
