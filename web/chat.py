"""The helpdesk chat (`/`): a plain form that works without JavaScript; static/chat.js enhances it via /api/ask."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .api import within_rate_limit
from .services import services

bp = Blueprint("chat", __name__)

EXAMPLE_QUESTIONS = (
    "Wat is de banenafspraak?",
    "Wie hoort bij de doelgroep van de banenafspraak?",
    "Wat is een no-riskpolis?",
    "Hoe kan ik een functie passend maken voor iemand met een beperking?",
    "Gemeente met 300 fte van 38 uur in 2022 en 4 mensen uit de doelgroep van 20 uur: hoeveel banen moeten we hebben?",
)
MAX_CONVERSATION_ID = 64


def conversation_from(value: str | None) -> str | None:
    """A known conversation id from a form or URL, or None (an unknown or odd value starts a new conversation)."""
    from assistant.history import conversation_exists

    if not value or len(value) > MAX_CONVERSATION_ID or not value.replace("-", "").replace("_", "").isalnum():
        return None
    return value if conversation_exists(services().db, value) else None


def chat_page(conversation_id: str | None, error: str | None = None, question: str = "", status: int = 200):
    from assistant.history import conversation_turns

    turns = conversation_turns(services().db, conversation_id) if conversation_id else []
    page = render_template(
        "chat.html",
        turns=turns,
        conversation_id=conversation_id or "",
        examples=EXAMPLE_QUESTIONS,
        error=error,
        question=question,
    )
    return page, status


@bp.get("/")
def index():
    return chat_page(conversation_from(request.args.get("gesprek")))


@bp.post("/")
def ask():
    from assistant.answer import QuestionInvalid

    conversation_id = conversation_from(request.form.get("conversation_id"))
    question = request.form.get("question", "")
    if not within_rate_limit():
        message = "U stelt te veel vragen achter elkaar. Wacht een minuut en probeer het opnieuw."
        return chat_page(conversation_id, message, question[:1000], status=429)
    try:
        answer = services().assistant.ask(question, conversation_id)
    except QuestionInvalid as exc:
        return chat_page(conversation_id, exc.message, question[:1000], status=400)
    return chat_page(answer.conversation_id)


@bp.post("/feedback")
def feedback():
    from assistant.history import record_feedback

    conversation_id = conversation_from(request.form.get("conversation_id"))
    helpful = request.form.get("helpful")
    try:
        answer_id = int(request.form.get("answer_id", ""))
    except ValueError:
        abort(400)
    if helpful not in ("ja", "nee"):
        flash("Kies eerst of u iets aan het antwoord had: ja of nee.", "error")
    elif record_feedback(services().db, answer_id, helpful == "ja", request.form.get("reason", "")):
        flash("Bedankt voor uw reactie. Daarmee maken we de helpdesk beter.", "ok")
    else:
        abort(400)
    query = urlencode({"gesprek": conversation_id}) if conversation_id else ""
    return redirect(url_for("chat.index") + (f"?{query}" if query else "") + f"#antwoord-{answer_id}", code=303)
