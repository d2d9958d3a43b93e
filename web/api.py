"""The JSON API: /api/ask, /api/quota, /api/search, /api/entries, /healthz, /api/openapi.json.

Every error is JSON `{"error": "...", "field"?: "..."}` with a 4xx status; bad input never produces a 500.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

from flask import Blueprint, Response, current_app, jsonify, request

from .services import services

bp = Blueprint("api", __name__)

MAX_BODY = 16 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return error_response(exc.status, exc.message, exc.field)


def error_response(status: int, message: str, field: str | None = None):
    body = {"error": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


class RateLimiter:
    """Sliding-window limit per client address (in memory, per process)."""

    def __init__(self) -> None:
        self.calls: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allow(self, client: str, limit: int, window: float) -> bool:
        now = time.monotonic()
        with self.lock:
            calls = self.calls.setdefault(client, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                return False
            calls.append(now)
            if len(self.calls) > 10_000:  # forget idle clients
                for key in [k for k, v in self.calls.items() if not v]:
                    del self.calls[key]
            return True


def within_rate_limit(setting: str = "HELPDESK_RATE_LIMIT") -> bool:
    """Count this request against the client's limit named by `setting` (requests per minute; 0 = no limit):
    HELPDESK_RATE_LIMIT for questions, HELPDESK_LOGIN_LIMIT for login attempts. One limiter per app and setting."""
    limit = current_app.config[setting]
    if not limit:
        return True
    limiter = current_app.extensions.setdefault(f"rate_limiter:{setting}", RateLimiter())
    return limiter.allow(request.remote_addr or "?", limit, 60.0)


def rate_limited() -> None:
    if not within_rate_limit():
        raise ApiError(429, "U stelt te veel vragen achter elkaar. Wacht een minuut en probeer het opnieuw.")


def json_body() -> dict:
    """The request body as a JSON object, or an ApiError (413, 415, 400)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, "Het verzoek is te groot (maximaal 16 KB).")
    if not request.is_json:
        raise ApiError(415, "Stuur de gegevens als JSON (Content-Type: application/json).")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise ApiError(413, "Het verzoek is te groot (maximaal 16 KB).")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "Het verzoek is geen geldige UTF-8-tekst.") from None
    except (ValueError, RecursionError):
        raise ApiError(400, "Het verzoek is geen geldige JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'Stuur een JSON-object, bijvoorbeeld {"question": "..."}.')
    return data


@bp.post("/api/ask")
def ask():
    rate_limited()
    data = json_body()
    from assistant.answer import QuestionInvalid

    question = data.get("question")
    conversation_id = data.get("conversation_id")
    if conversation_id is not None and (not isinstance(conversation_id, str) or len(conversation_id) > 64):
        raise ApiError(400, "conversation_id moet een korte tekst zijn.", "conversation_id")
    try:
        answer = services().assistant.ask(question, conversation_id)
    except QuestionInvalid as exc:
        raise ApiError(400, exc.message, "question") from None
    return jsonify(answer.to_api())


@bp.post("/api/quota")
def quota():
    rate_limited()
    data = json_body()
    from assistant.quota import QuotaInputError, calculate_quota, parse_quota_request

    try:
        result = calculate_quota(parse_quota_request(data))
    except QuotaInputError as exc:
        raise ApiError(400, exc.message, exc.field) from None
    return jsonify(result)


@bp.get("/api/search")
def search():
    from indexer.search import MODES, QueryError

    query = request.args.get("q", "")
    mode = request.args.get("mode", "hybrid")
    if mode not in MODES:
        raise ApiError(400, f"Onbekende zoekmethode. Kies uit: {', '.join(MODES)}.", "mode")
    try:
        k = int(request.args.get("k", "5"))
    except ValueError:
        raise ApiError(400, "k moet een getal zijn.", "k") from None
    if not 1 <= k <= 50:
        raise ApiError(400, "k moet tussen 1 en 50 liggen.", "k")
    try:
        hits = services().searcher.search(query, k=k, mode=mode)
    except QueryError as exc:
        raise ApiError(400, str(exc), "q") from None
    return jsonify({"query": query, "mode": mode, "results": [h.to_dict() for h in hits]})


@bp.get("/api/entries")
def entries():
    from catalogue import schema
    from catalogue.store import list_entries

    filters = {}
    for name, allowed in (("kind", schema.KINDS), ("sector", schema.SECTORS), ("action_type", schema.ACTION_TYPES)):
        value = request.args.get(name)
        if value is not None and value not in allowed:
            raise ApiError(400, f"Onbekende waarde voor {name}.", name)
        filters[name] = value
    return jsonify({"entries": list_entries(services().db, **filters)})


@bp.get("/api/entries/<entry_id>")
def entry(entry_id: str):
    from catalogue.store import get_entry

    found = get_entry(services().db, entry_id) if len(entry_id) <= 100 else None
    if found is None or found["status"] != "published":
        raise ApiError(404, "Dit onderwerp bestaat niet.")
    found.pop("path", None)
    return jsonify(found)


@bp.get("/healthz")
def healthz():
    try:
        searcher = services().searcher
        body = {"status": "ok", "passages": searcher.index.ntotal, "model": searcher.meta.get("model_id")}
        return jsonify(body)
    except Exception as exc:  # noqa: BLE001 - health reports any failure as unavailable
        current_app.logger.warning("health check failed: %s", type(exc).__name__)
        return error_response(503, "De helpdesk is niet klaar: index of model ontbreekt. Draai: helpdesk index")


@bp.get("/api/openapi.json")
def openapi():
    from .openapi import SPEC

    return Response(json.dumps(SPEC, ensure_ascii=False, indent=2), mimetype="application/json")
