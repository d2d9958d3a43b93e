"""Curation pages (`/beheer`): log in, write and edit entries, review and publish, history, dashboards.

Every permission is checked here, on the server: editors edit drafts for their own sectors; reviewers and admins
also approve, publish and withdraw; admins manage accounts. A refused action is a 403, logged and audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from pathlib import Path

import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from catalogue import curation, schema
from catalogue.loader import ID_PATTERN, body_sections
from catalogue.render import render_markdown
from catalogue.text import slugify

from . import accounts
from .api import within_rate_limit
from .services import services

bp = Blueprint("admin", __name__, url_prefix="/beheer")
log = logging.getLogger(__name__)

SOURCE_ROWS = 6  # empty source rows in a new form; an entry with more sources gets one empty row extra
MAX_SOURCES = 40
FORM_FIELDS = ("id", "title", "kind", "summary", "organisation", "contact_website", "contact_note", "body")
DATE_FIELDS = ("valid_from", "valid_until", "review_by", "last_reviewed")
SOURCE_FIELDS = ("title", "publisher", "date", "locator", "url")
QUESTION_FIELD_PREFIX = "vragen__"  # one textarea per section: vragen__<anchor>, a question per line
ANCHOR = re.compile(r"^[\w-]{1,80}$")
MAX_FIELD_CHARS = {"summary": 600, "body": curation.MAX_MARKDOWN_CHARS, "contact_note": 500}
LOGIN_FAILED = "Deze combinatie van naam en wachtwoord klopt niet, of het account is tijdelijk geblokkeerd."
SECTIONS_TEMPLATE = {
    kind: "\n\n".join(f"## {h}\n\n" for h in headings) for kind, headings in schema.REQUIRED_SECTIONS.items()
}


# -- sessions and permissions --------------------------------------------------------------------------------


@bp.before_request
def load_user():
    g.user = None
    name = session.get("curator")
    if name:
        user = accounts.get_user(services().db, name)
        if user is None or user["disabled"] or user["session_version"] != session.get("curator_version"):
            session.pop("curator", None)
            session.pop("curator_version", None)
        else:
            g.user = user
    if g.user is None and request.endpoint not in ("admin.login",):
        return redirect(url_for("admin.login", volgende=request.path))
    return None


def forbidden(reason: str):
    """Refuse: log and audit it, answer 403."""
    actor = g.user["name"] if g.user else "?"
    log.warning("forbidden: %s tried %s %s (%s)", actor, request.method, request.path, reason)
    curation.audit(services().db, actor, "geweigerd", None, f"{request.method} {request.path}: {reason}")
    abort(403)


def requires(check):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not check(g.user):
                forbidden(view.__name__)
            return view(*args, **kwargs)

        return wrapped

    return decorator


reviewer_only = requires(accounts.may_publish)
admin_only = requires(lambda user: user["role"] == "admin")


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("beheer/login.html", name="")
    name = request.form.get("name", "").strip()[:40]
    password = request.form.get("password", "")[:200]
    if not within_rate_limit("HELPDESK_LOGIN_LIMIT"):
        return render_template("beheer/login.html", name=name, error=LOGIN_FAILED), 429
    user = accounts.authenticate(services().db, name, password)
    if user is None:
        return render_template("beheer/login.html", name=name, error=LOGIN_FAILED), 401
    session.clear()
    session["curator"] = user["name"]
    session["curator_version"] = user["session_version"]
    curation.audit(services().db, user["name"], "ingelogd")
    target = request.args.get("volgende", "")
    return redirect(target if target.startswith("/beheer") and "//" not in target else url_for("admin.home"), 303)


@bp.post("/uitloggen")
def logout():
    session.clear()
    flash("U bent uitgelogd.", "ok")
    return redirect(url_for("admin.login"), 303)


# -- start page ------------------------------------------------------------------------------------------------


@bp.get("")
def home():
    from catalogue.review import review_counts, review_items
    from catalogue.store import list_entries

    db = services().db
    work = curation.work_list(db)
    for row in work:
        row["state_label"] = curation.STATE_LABELS[row["state"]]
    editable = [e for e in list_entries(db) if accounts.may_edit(g.user, e["sectors"])]
    counts = review_counts(review_items(db, dt.date.today()))
    return render_template(
        "beheer/home.html", work=work, editable=editable, review_counts=counts, kinds=schema.KIND_LABELS
    )


# -- the entry form --------------------------------------------------------------------------------------------


def empty_form(kind: str) -> dict:
    today = dt.date.today()
    form = {name: "" for name in FORM_FIELDS + DATE_FIELDS}
    form.update(
        kind=kind,
        sectors=list(g.user["sectors"][:1]) if g.user["role"] == "editor" else [],
        action_types=[],
        sources=[dict.fromkeys(SOURCE_FIELDS, "") for _ in range(SOURCE_ROWS)],
        body=SECTIONS_TEMPLATE.get(kind, ""),
        questions={},
        last_reviewed=today.isoformat(),
        review_by=(today + dt.timedelta(days=365)).isoformat(),
    )
    return form


def form_from_request() -> dict:
    """The entry form as sent: trimmed strings, cut to size; lists for sectors, action types and sources."""
    f = request.form
    form = {name: f.get(name, "").strip()[: MAX_FIELD_CHARS.get(name, 300)] for name in FORM_FIELDS + DATE_FIELDS}
    form["body"] = f.get("body", "").replace("\r\n", "\n")[: MAX_FIELD_CHARS["body"]]
    form["sectors"] = [s for s in f.getlist("sectors") if s in schema.SECTORS]
    form["action_types"] = [a for a in f.getlist("action_types") if a in schema.ACTION_TYPES]
    rows = [i for i in range(MAX_SOURCES) if any(f"src{i}_{key}" in f for key in SOURCE_FIELDS)]
    form["sources"] = [{key: f.get(f"src{i}_{key}", "").strip()[:500] for key in SOURCE_FIELDS} for i in rows]
    form["questions"] = {}
    for name in f:
        anchor = name[len(QUESTION_FIELD_PREFIX) :]
        if name.startswith(QUESTION_FIELD_PREFIX) and ANCHOR.match(anchor):
            # cut only far beyond the limits, so the loader reports a question or list that is too long
            lines = [q.strip()[: schema.MAX_QUESTION_CHARS + 50] for q in f.get(name, "").splitlines()]
            if any(lines):
                form["questions"][anchor] = [q for q in lines if q][: schema.MAX_QUESTIONS_PER_SECTION + 5]
    return form


def question_sections(form: dict) -> list[tuple[str, str]]:
    """(anchor, heading) of every `##` section in the form's body, then any questions' anchor the body lacks."""
    sections = [(s.anchor, s.heading) for s in body_sections(form["body"])]
    known = {anchor for anchor, _ in sections}
    return sections + [(anchor, anchor) for anchor in form.get("questions", {}) if anchor not in known]


def form_to_markdown(form: dict) -> str:
    """The entry file text for a form, in the format of the shipped files (status: draft until published)."""
    from catalogue.export import entry_to_markdown

    practice, rule = form["kind"] == "practice", form["kind"] == "rule"
    sources = [s for s in form["sources"] if any(s.values())]
    return entry_to_markdown(
        {
            "id": form["id"],
            "title": form["title"],
            "kind": form["kind"],
            "summary": form["summary"],
            "sectors": form["sectors"],
            "action_types": form["action_types"] if practice else [],
            "organisation": form["organisation"] if practice else None,
            "contact": {k: form[f"contact_{k}"] for k in ("website", "note") if form[f"contact_{k}"]}
            if practice
            else {},
            "sources": [{**s, "url": s["url"] or None, "position": i} for i, s in enumerate(sources, start=1)],
            "valid_from": (form["valid_from"] or None) if rule else None,
            "valid_until": (form["valid_until"] or None) if rule else None,
            "review_by": form["review_by"],
            "last_reviewed": form["last_reviewed"],
            "status": "draft",
            "body": form["body"].strip() + "\n",
            "questions": {anchor: items for anchor, items in form.get("questions", {}).items() if items},
        }
    )


def markdown_to_form(markdown: str) -> dict:
    """Fill the form from an entry text (front matter read as plain YAML, so drafts with problems load too)."""
    text = markdown.replace("\r\n", "\n")
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
    form = {name: str(data.get(name) or "") for name in FORM_FIELDS + DATE_FIELDS}
    form.update(contact_website=str(contact.get("website") or ""), contact_note=str(contact.get("note") or ""))
    form["sectors"] = [str(s) for s in data.get("sectors") or []]
    form["action_types"] = [str(a) for a in data.get("action_types") or []]
    sources = [s for s in data.get("sources") or [] if isinstance(s, dict)]
    form["sources"] = [{k: str(s.get(k) or "") for k in SOURCE_FIELDS} for s in sources]
    form["sources"] += [dict.fromkeys(SOURCE_FIELDS, "") for _ in range(max(1, SOURCE_ROWS - len(sources)))]
    form["body"] = "\n".join(lines[end + 1 :]).strip() if end else text
    questions = data.get("questions") if isinstance(data.get("questions"), dict) else {}
    form["questions"] = {
        str(anchor): [str(q) for q in items] for anchor, items in questions.items() if isinstance(items, list)
    }
    return form


def problems_by_field(problems) -> dict[str, list[str]]:
    """Loader problems keyed by form field (`sources[1].date` → `src1_date`, `contact.note` → `contact_note`)."""
    out: dict[str, list[str]] = {}
    for p in problems:
        name = p.field
        if name.startswith("sources[") and "]." in name:
            index, key = name[len("sources[") :].split("].", 1)
            name = f"src{index}_{key}"
        elif name.startswith("contact."):
            name = "contact_" + name.split(".", 1)[1]
        elif name.split("[")[0] in ("sectors", "action_types", "sources", "questions"):
            name = name.split("[")[0]
        elif name not in FORM_FIELDS + DATE_FIELDS:
            name = "body"
        out.setdefault(name, []).append(p.message)
    return out


def render_form(form, *, version=None, problems=None, preview=None, conflict=None, status=200, is_new=False):
    return (
        render_template(
            "beheer/edit.html",
            form=form,
            version=version,
            errors=problems_by_field(problems or []),
            preview=preview,
            conflict=conflict,
            is_new=is_new,
            question_sections=question_sections(form),
            sectors=schema.SECTORS,
            action_types=schema.ACTION_TYPES,
            kinds=schema.KIND_LABELS,
            states=curation.STATE_LABELS,
            history=curation.history(services().db, form["id"]) if form.get("id") and not is_new else [],
            may_publish=accounts.may_publish(g.user),
        ),
        status,
    )


def check_sector_rights(sectors: list[str]) -> None:
    if not accounts.may_edit(g.user, sectors):
        forbidden(f"sectors {sectors} not all in {g.user['sectors']}")


@bp.get("/nieuw")
def new_entry():
    kind = request.args.get("kind", "practice")
    if kind not in schema.KINDS:
        abort(404)
    return render_form(empty_form(kind), is_new=True)


@bp.post("/nieuw")
def create_entry():
    form = form_from_request()
    if form["kind"] not in schema.KINDS:
        abort(400)
    form["id"] = slugify(form["id"] or form["title"])[:80]
    check_sector_rights(form["sectors"])
    markdown = form_to_markdown(form)
    problems = curation.validate_markdown(markdown, form["id"])
    if request.form.get("action") == "preview":
        return render_form(form, problems=problems, preview=render_markdown(form["body"], True), is_new=True)
    if not form["id"]:
        return render_form(form, problems=[_problem("id", "Vul een titel in.")], status=400, is_new=True)
    if curation.id_is_taken(services().db, form["id"]):
        message = f"Er is al een onderwerp met id '{form['id']}'. Kies een andere titel of id."
        return render_form(form, problems=[_problem("id", message)], status=409, is_new=True)
    curation.save_draft(services().db, form["id"], form["kind"], markdown, g.user["name"], "nieuw concept", 0)
    flash("Het concept is bewaard." + (" Er zijn nog fouten; zie hieronder." if problems else ""), "ok")
    return redirect(url_for("admin.edit_entry", entry_id=form["id"]), 303)


def _problem(field: str, message: str):
    from catalogue.loader import Problem

    return Problem(Path("-"), 1, field, message)


def knowledge() -> Path:
    return Path(current_app.config["HELPDESK_KNOWLEDGE_DIR"])


def current_or_404(entry_id: str) -> dict:
    current = curation.latest(services().db, knowledge(), entry_id) if ID_PATTERN.match(entry_id) else None
    if current is None:
        abort(404)
    return current


def entry_sectors(current: dict) -> list[str]:
    return markdown_to_form(current["markdown"])["sectors"]


@bp.get("/onderwerp/<entry_id>")
def edit_entry(entry_id: str):
    current = current_or_404(entry_id)
    check_sector_rights(entry_sectors(current))
    form = markdown_to_form(current["markdown"])
    problems = curation.validate_markdown(current["markdown"], entry_id)
    return render_form(form, version=current, problems=problems)


@bp.post("/onderwerp/<entry_id>")
def save_entry(entry_id: str):
    db = services().db
    current = current_or_404(entry_id)
    check_sector_rights(entry_sectors(current))
    form = form_from_request()
    form["id"], form["kind"] = entry_id, current["kind"]  # id and kind never change on an existing entry
    check_sector_rights(form["sectors"])
    markdown = form_to_markdown(form)
    problems = curation.validate_markdown(markdown, entry_id)
    action = request.form.get("action", "save")
    if action == "preview":
        return render_form(form, version=current, problems=problems, preview=render_markdown(form["body"], True))
    try:
        base = int(request.form.get("version", "-1"))
    except ValueError:
        abort(400)
    if action == "submit" and problems:
        flash("Herstel eerst de fouten; daarna kunt u het onderwerp indienen.", "error")
        return render_form(form, version=current, problems=problems, status=400)
    try:
        saved = curation.save_draft(db, entry_id, current["kind"], markdown, g.user["name"], "", base)
        if action == "submit":
            curation.change_state(db, knowledge(), entry_id, "review", g.user["name"], "ingediend", saved["version"])
            flash("Ingediend. Een beoordelaar bekijkt het onderwerp.", "ok")
        else:
            flash("Bewaard." + (" Er zijn nog fouten; zie hieronder." if problems else ""), "ok")
    except curation.VersionConflict as exc:
        return render_form(
            form,
            version=exc.latest,
            problems=problems,
            conflict={"message": str(exc), "latest": exc.latest},
            status=409,
        )
    return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)


@bp.post("/voorbeeld")
def preview():
    """Live preview for the editor's script: markdown in, sanitised HTML out (same renderer as the site)."""
    body = request.form.get("body", "")[: curation.MAX_MARKDOWN_CHARS]
    return Response(render_markdown(body, source_links=True), mimetype="text/html")


# -- review, publish, withdraw, history --------------------------------------------------------------------------


@bp.get("/onderwerp/<entry_id>/beoordelen")
@reviewer_only
def review(entry_id: str):
    db = services().db
    current = current_or_404(entry_id)
    published = curation.published_markdown(db, knowledge(), entry_id)
    return render_template(
        "beheer/review.html",
        current=current,
        diff=curation.diff(published, current["markdown"]),
        is_new=published is None,
        problems=curation.validate_markdown(current["markdown"], entry_id),
        preview=render_markdown(markdown_to_form(current["markdown"])["body"], True),
        states=curation.STATE_LABELS,
    )


def base_version() -> int:
    try:
        return int(request.form.get("version", "-1"))
    except ValueError:
        abort(400)


def update_index():
    """Store and reindex the knowledge folder with the loaded model, then let the searcher see the new index."""
    from indexer.service import reindex

    s = services()
    stats = reindex(
        db=s.db,
        embedder=s.searcher.embedder,
        knowledge=current_app.config["HELPDESK_KNOWLEDGE_DIR"],
        index=current_app.config["HELPDESK_INDEX_DIR"],
    )
    s.searcher.refresh()
    return stats


@bp.post("/onderwerp/<entry_id>/publiceren")
@reviewer_only
def publish(entry_id: str):
    current_or_404(entry_id)
    comment = request.form.get("comment", "").strip()[:500]
    try:
        result = curation.publish(
            services().db,
            knowledge(),
            entry_id,
            g.user["name"],
            comment,
            base_version(),
            update_index,
        )
    except curation.VersionConflict as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.review", entry_id=entry_id), 303)
    except Exception as exc:  # noqa: BLE001 - any failure: the old file, store and index stay; say what happened
        log.exception("publish of %s failed", entry_id)
        flash(f"Publiceren is niet gelukt; de vorige versie blijft online. Fout: {type(exc).__name__}: {exc}", "error")
        return redirect(url_for("admin.review", entry_id=entry_id), 303)
    flash(
        f"Gepubliceerd en doorzoekbaar in {result.seconds:.1f} s ({result.passages_embedded} passages ingebed).", "ok"
    )
    return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)


@bp.post("/onderwerp/<entry_id>/terugsturen")
@reviewer_only
def send_back(entry_id: str):
    current_or_404(entry_id)
    comment = request.form.get("comment", "").strip()[:1000]
    if not comment:
        flash("Schrijf erbij wat er beter moet.", "error")
        return redirect(url_for("admin.review", entry_id=entry_id), 303)
    try:
        curation.change_state(services().db, knowledge(), entry_id, "draft", g.user["name"], comment, base_version())
    except curation.VersionConflict as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.review", entry_id=entry_id), 303)
    flash("Teruggestuurd naar de redacteur, met uw opmerking.", "ok")
    return redirect(url_for("admin.home"), 303)


@bp.post("/onderwerp/<entry_id>/intrekken")
@reviewer_only
def withdraw(entry_id: str):
    current_or_404(entry_id)
    try:
        curation.withdraw(
            services().db,
            knowledge(),
            entry_id,
            g.user["name"],
            request.form.get("comment", "").strip()[:500] or "ingetrokken",
            base_version(),
            update_index,
        )
    except curation.CurationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)
    flash("Ingetrokken: het onderwerp staat niet meer online. De geschiedenis blijft bewaard.", "ok")
    return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)


@bp.get("/onderwerp/<entry_id>/versie/<int:number>")
def version(entry_id: str, number: int):
    current = current_or_404(entry_id)
    check_sector_rights(entry_sectors(current))
    old = curation.get_version(services().db, entry_id, number)
    if old is None:
        abort(404)
    return render_template(
        "beheer/version.html",
        old=old,
        current=current,
        diff=curation.diff(old["markdown"], current["markdown"]),
        states=curation.STATE_LABELS,
    )


@bp.post("/onderwerp/<entry_id>/versie/<int:number>/terugzetten")
def restore(entry_id: str, number: int):
    current = current_or_404(entry_id)
    check_sector_rights(entry_sectors(current))
    try:
        curation.restore(services().db, entry_id, number, g.user["name"], base_version())
    except curation.CurationError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Versie {number} is teruggezet als nieuw concept.", "ok")
    return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)


# -- dashboards, audit log, users --------------------------------------------------------------------------------


def csv_response(text: str, name: str) -> Response:
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{dt.date.today().isoformat()}.csv"'},
    )


@bp.get("/controle")
def review_dashboard():
    from catalogue.review import items_to_csv, review_counts, review_items

    items = review_items(services().db, dt.date.today())
    if request.args.get("formaat") == "csv":
        return csv_response(items_to_csv(items), "controle")
    return render_template("beheer/review_dashboard.html", items=items, counts=review_counts(items))


@bp.get("/vragen")
def questions_dashboard():
    from assistant.gaps import frequent_questions, groups_to_csv, thumbs_down, thumbs_down_to_csv, unanswered_groups
    from assistant.history import recent_questions

    db, embedder = services().db, services().searcher.embedder
    view = request.args.get("lijst", "onbeantwoord")
    if view not in ("onbeantwoord", "duim-omlaag", "vaak-gesteld", "alle"):
        abort(404)
    if view == "alle":
        rows = recent_questions(db)
        if request.args.get("formaat") == "csv":
            from catalogue.review import csv_text

            header = ["Wanneer", "Vraag", "Status", "Beste score", "Nuttig", "Reden"]
            keys = ("created_at", "question", "status", "top_score", "helpful", "reason")
            return csv_response(csv_text(header, [[r[k] for k in keys] for r in rows]), "vragen-alle")
        return render_template("beheer/questions.html", view=view, rows=rows)
    if view == "duim-omlaag":
        rows = thumbs_down(db)
        csv_text = thumbs_down_to_csv(rows) if request.args.get("formaat") == "csv" else None
    else:
        rows = unanswered_groups(db, embedder) if view == "onbeantwoord" else frequent_questions(db, embedder)
        csv_text = groups_to_csv(rows) if request.args.get("formaat") == "csv" else None
    if csv_text is not None:
        return csv_response(csv_text, f"vragen-{view}")
    return render_template("beheer/questions.html", view=view, rows=rows)


@bp.post("/vragen/concept")
def draft_from_questions():
    """ "Maak concept": a new draft practice whose body lists the questions, for an editor to write."""
    from assistant.gaps import draft_context, unanswered_groups

    db = services().db
    groups = unanswered_groups(db, services().searcher.embedder)
    try:
        group = groups[int(request.form.get("group", "-1"))]
    except (ValueError, IndexError):
        abort(400)
    form = empty_form("practice")
    form["title"] = group["question"][:120]
    base_id = slugify(f"concept {group['question']}")[:60] or "concept"
    entry_id, n = base_id, 1
    while curation.id_is_taken(db, entry_id):
        n += 1
        entry_id = f"{base_id}-{n}"
    form["id"] = entry_id
    form["body"] = f"{draft_context(group)}\n\n{form['body']}"
    curation.save_draft(db, entry_id, "practice", form_to_markdown(form), g.user["name"], "concept uit vragen", 0)
    flash("Concept gemaakt met de vragen erin. Schrijf nu de tekst en vul de bronnen in.", "ok")
    return redirect(url_for("admin.edit_entry", entry_id=entry_id), 303)


@bp.get("/logboek")
@reviewer_only
def audit_page():
    return render_template("beheer/audit.html", rows=curation.audit_log(services().db))


@bp.get("/gebruikers")
@admin_only
def users():
    return render_template("beheer/users.html", users=accounts.list_users(services().db), roles=accounts.ROLE_LABELS)


@bp.post("/gebruikers/<name>/uitschakelen")
@admin_only
def disable_user(name: str):
    if accounts.disable_user(services().db, name):
        curation.audit(services().db, g.user["name"], "account uitgeschakeld", None, name)
        flash(f"Account {name} is uitgeschakeld; de sessies van dit account zijn beëindigd.", "ok")
    return redirect(url_for("admin.users"), 303)
