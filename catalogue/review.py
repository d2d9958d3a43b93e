"""The "keeping rules current" dashboard: which catalogue entries need a curator's attention, and why.

Pure data functions over the store (no Flask): `review_items` lists one item per problem, most urgent first;
`review_counts` sums them per kind; `items_to_csv` exports them. `csv_text` is the shared, formula-safe CSV writer
(also used by `assistant.gaps`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

import sqlite_utils

from .schema import KIND_LABELS

EXPIRING_WITHIN_DAYS = 60

# Problem kinds in order of urgency, with a short Dutch name (dashboard filters, CSV column).
PROBLEMS = {
    "rule_expired": "Regel verlopen",
    "no_source": "Geen bron",
    "review_overdue": "Controle te laat",
    "rule_expiring": "Regel loopt bijna af",
}

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()
_TIER = 1_000_000  # urgency = tier * _TIER + position within the tier (lower is more urgent)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def dutch_date(day: dt.date) -> str:
    """`2026-03-01` → `1 maart 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _days(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"


def _item(entry: dict, problem: str, label: str, day: dt.date | None, days: int | None, position: int) -> dict:
    return {
        "entry_id": entry["id"],
        "title": entry["title"],
        "kind": entry["kind"],
        "status": entry["status"],
        "problem": problem,
        "label": label,
        "date": day.isoformat() if day else None,
        "days": days,
        "urgency": list(PROBLEMS).index(problem) * _TIER + min(max(position, 0), _TIER - 1),
    }


def review_items(db: sqlite_utils.Database, today: dt.date) -> list[dict]:
    """One item per problem over all entries (drafts too), most urgent first.

    Problems: `rule_expired` (a rule whose valid_until lies before today), `no_source` (no sources stored),
    `review_overdue` (review_by lies before today) and `rule_expiring` (a rule valid until today … today + 60 days).
    Each item: entry_id, title, kind, status, problem, label (short Dutch text), date (ISO, or None), days (days
    overdue / expired, or days left; None for `no_source`) and urgency (sort key, lower is more urgent: expired
    rules, then missing sources, then overdue reviews by days overdue, then expiring rules by days left).
    """
    entries = db.query(
        "SELECT e.id, e.title, e.kind, e.status, e.review_by, e.valid_until, "
        "(SELECT count(*) FROM sources s WHERE s.entry_id = e.id) AS n_sources FROM entries e"
    )
    items = []
    for entry in entries:
        until = dt.date.fromisoformat(entry["valid_until"]) if entry["valid_until"] else None
        if entry["kind"] == "rule" and until and until < today:
            days = (today - until).days
            label = f"Regel geldt niet meer (gold tot en met {dutch_date(until)})"
            items.append(_item(entry, "rule_expired", label, until, days, _TIER - days))
        if not entry["n_sources"]:
            items.append(_item(entry, "no_source", "Geen bron", None, None, 0))
        review_by = dt.date.fromisoformat(entry["review_by"]) if entry["review_by"] else None
        if review_by and review_by < today:
            days = (today - review_by).days
            label = f"Controle was nodig vóór {dutch_date(review_by)}"
            items.append(_item(entry, "review_overdue", label, review_by, days, _TIER - days))
        if entry["kind"] == "rule" and until and 0 <= (until - today).days <= EXPIRING_WITHIN_DAYS:
            days = (until - today).days
            when = "vandaag af" if days == 0 else f"af over {_days(days)}"
            label = f"Regel loopt {when} (geldt tot en met {dutch_date(until)})"
            items.append(_item(entry, "rule_expiring", label, until, days, days))
    return sorted(items, key=lambda i: (i["urgency"], i["title"].casefold(), i["entry_id"]))


def review_counts(items: Iterable[dict]) -> dict[str, int]:
    """Number of items per problem kind (every kind present, zero when none) and `total`."""
    counts = dict.fromkeys(PROBLEMS, 0)
    for item in items:
        counts[item["problem"]] += 1
    counts["total"] = sum(counts.values())
    return counts


def safe_cell(value: object) -> str:
    """A CSV cell as text; None becomes empty and text a spreadsheet could run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV (comma-separated, quoted where needed) with a header row; every cell passes `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def items_to_csv(items: Iterable[dict]) -> str:
    """The review items as CSV with Dutch column names, in the given order."""
    header = ("Id", "Titel", "Soort", "Status", "Probleem", "Toelichting", "Datum", "Dagen")
    rows = (
        (
            i["entry_id"],
            i["title"],
            KIND_LABELS.get(i["kind"], i["kind"]),
            i["status"],
            PROBLEMS[i["problem"]],
            i["label"],
            i["date"],
            i["days"],
        )
        for i in items
    )
    return csv_text(header, rows)
