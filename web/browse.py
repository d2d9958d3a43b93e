"""Catalogue browsing: `/catalogus` (facets, search) and `/catalogus/<id>`, each with a `.json` twin."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from catalogue import schema

from .highlight import highlight, wanted_sentences
from .services import services

bp = Blueprint("catalogue", __name__)

FACETS = (
    ("kind", "Soort", schema.KIND_LABELS),
    ("sector", "Sector", schema.SECTORS),
    ("action_type", "Soort aanpak", schema.ACTION_TYPES),
)
MAX_SEARCH_CHARS = 200
MAX_ENTRY_ID = 100


def selected_filters() -> tuple[dict[str, str], list[str]]:
    """The facet values in the URL, and a Dutch message for each unknown value (ignored, shown escaped)."""
    chosen, problems = {}, []
    for name, label, allowed in FACETS:
        value = request.args.get(name, "").strip()
        if not value:
            continue
        if value in allowed:
            chosen[name] = value
        else:
            problems.append(f"{label} '{value[:60]}' kennen wij niet. Dit filter is niet gebruikt.")
    return chosen, problems


def facet_values(entry: dict, name: str) -> list[str]:
    """The values an entry has for one facet: its kind, its sectors or its action types."""
    return [entry["kind"]] if name == "kind" else entry["sectors" if name == "sector" else "action_types"]


def matches(entry: dict, filters: dict[str, str], skip: str | None = None) -> bool:
    return all(value in facet_values(entry, name) for name, value in filters.items() if name != skip)


def facet_counts(entries: list[dict], filters: dict[str, str]) -> list[dict]:
    """For each facet: every value with the number of entries it would show, given the *other* chosen filters."""
    facets = []
    for name, label, allowed in FACETS:
        pool = [e for e in entries if matches(e, filters, skip=name)]
        values = []
        for value, value_label in allowed.items():
            count = sum(value in facet_values(e, name) for e in pool)
            if count or filters.get(name) == value:
                values.append(
                    {"value": value, "label": value_label, "count": count, "url": list_url(filters, name, value)}
                )
        facets.append({"name": name, "label": label, "selected": filters.get(name), "values": values})
    return facets


def list_url(filters: dict[str, str], name: str, value: str | None, query: str = "") -> str:
    """The list URL with one facet set to `value` (or removed when it is already chosen / None)."""
    params = dict(filters)
    if value is None or params.get(name) == value:
        params.pop(name, None)
    else:
        params[name] = value
    if query:
        params["q"] = query
    return url_for("catalogue.listing") + (f"?{urlencode(params)}" if params else "")


def search_order(query: str) -> tuple[list[str], dict[str, str], str | None]:
    """Entry ids ranked by the hybrid search, the best-matching section per entry, or an error message."""
    from indexer.search import QueryError

    try:
        hits = services().searcher.search(query[:MAX_SEARCH_CHARS], k=60)
    except QueryError as exc:
        return [], {}, str(exc)
    order, sections = [], {}
    for hit in hits:
        entry_id = hit.passage["entry_id"]
        if entry_id not in sections:
            order.append(entry_id)
            sections[entry_id] = hit.passage["heading"]
    return order, sections, None


def catalogue_listing() -> dict:
    from catalogue.store import list_entries

    filters, problems = selected_filters()
    query = " ".join(request.args.get("q", "").split())[:MAX_SEARCH_CHARS]
    everything = list_entries(services().db)
    shown = [e for e in everything if matches(e, filters)]
    sections: dict[str, str] = {}
    if query:
        order, sections, error = search_order(query)
        if error:
            problems.append(error)
        else:
            rank = {entry_id: i for i, entry_id in enumerate(order)}
            shown = sorted((e for e in shown if e["id"] in rank), key=lambda e: rank[e["id"]])
    for entry in shown:
        entry["url"] = url_for("catalogue.entry_page", entry_id=entry["id"])
        entry["kind_label"] = schema.KIND_LABELS.get(entry["kind"], entry["kind"])
        entry["matched_section"] = sections.get(entry["id"])
    return {
        "query": query,
        "filters": filters,
        "problems": problems,
        "facets": facet_counts(everything, filters),
        "total": len(everything),
        "entries": shown,
    }


@bp.get("/catalogus")
def listing():
    data = catalogue_listing()
    json_params = {**data["filters"], **({"q": data["query"]} if data["query"] else {})}
    json_url = url_for("catalogue.listing_json") + (f"?{urlencode(json_params)}" if json_params else "")
    return render_template(
        "catalogue_list.html",
        **data,
        clear_url=url_for("catalogue.listing"),
        json_url=json_url,
        sector_labels=schema.SECTORS,
    )


@bp.get("/catalogus.json")
def listing_json():
    data = catalogue_listing()
    for facet in data["facets"]:
        for value in facet["values"]:
            value.pop("url")
    return jsonify(data)


def published_entry(entry_id: str) -> dict:
    from catalogue.store import get_entry

    found = get_entry(services().db, entry_id) if len(entry_id) <= MAX_ENTRY_ID else None
    if found is None or found["status"] != "published":
        abort(404)
    found.pop("path", None)
    return found


def validity(entry: dict, today: dt.date) -> dict:
    """Validity facts for a rule: from/until as Dutch dates and whether it is outdated today."""
    until = dt.date.fromisoformat(entry["valid_until"]) if entry.get("valid_until") else None
    return {
        "from": dutch_date(entry.get("valid_from")),
        "until": dutch_date(entry.get("valid_until")),
        "outdated": bool(until and until < today),
    }


MONTHS = ("januari februari maart april mei juni juli augustus september oktober november december").split()


def dutch_date(value: str | None) -> str | None:
    """`2024-01-01` → `1 januari 2024`; a bare year stays a year; empty stays None."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@bp.get("/catalogus/<entry_id>")
def entry_page(entry_id: str):
    if entry_id.endswith(".json"):
        return entry_json(entry_id.removesuffix(".json"))
    entry = published_entry(entry_id)
    sentences = wanted_sentences(request.args.getlist("markeer"))
    body_html, marked = highlight(entry["body_html"], sentences)
    related = []
    from catalogue.store import get_entry

    for other_id in services().searcher.related_entries(entry_id, k=3):
        other = get_entry(services().db, other_id)
        if other and other["status"] == "published":
            related.append({"id": other_id, "title": other["title"], "summary": other["summary"]})
    return render_template(
        "entry.html",
        entry=entry,
        body_html=body_html,
        highlighted=marked,
        asked_highlights=len(sentences),
        validity=validity(entry, dt.date.today()),
        kind_label=schema.KIND_LABELS.get(entry["kind"], entry["kind"]),
        sector_labels=schema.SECTORS,
        action_labels=schema.ACTION_TYPES,
        related=related,
        dutch_date=dutch_date,
    )


@bp.get("/catalogus/<entry_id>.json")
def entry_json(entry_id: str):
    entry = published_entry(entry_id)
    entry.pop("body_text", None)
    entry["validity"] = validity(entry, dt.date.today()) if entry["kind"] == "rule" else None
    entry["url"] = url_for("catalogue.entry_page", entry_id=entry_id)
    return jsonify(entry)
