"""The quota calculator page (`/quotum`): a GET form, so every result has a shareable, bookmarkable URL.

The form's fields carry the JSON API's names; validation is `assistant.quota.parse_quota_request`, the same code
as `POST /api/quota`, so the page and the API can never disagree.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from assistant.quota import MAX_YEAR, MIN_YEAR

bp = Blueprint("calculator", __name__)

TARGET_ROWS = 4
RELATIONS = (
    ("own", "In eigen dienst"),
    ("hired", "Ingeleend (uitzendkracht of detachering)"),
    ("sroi", "Via social return bij een leverancier"),
)
SIZE_FIELDS = ("fte", "employees", "annual_hours")
NUMBER_FIELDS = (*SIZE_FIELDS, "hours_per_week", "previous_year_annual_hours", "assumed_quota_percentage")


def form_values() -> dict:
    """What the visitor filled in, trimmed and cut to size (shown back in the form)."""
    values = {name: request.args.get(name, "").strip()[:20] for name in ("year", "sector", *NUMBER_FIELDS)}
    values["rows"] = [
        {
            "count": request.args.get(f"tg{i}_count", "").strip()[:20],
            "hours_per_week": request.args.get(f"tg{i}_hours", "").strip()[:20],
            "relation": request.args.get(f"tg{i}_relation", "own").strip()[:10],
        }
        for i in range(TARGET_ROWS)
    ]
    return values


def request_data(values: dict) -> tuple[dict, dict[int, int]]:
    """The API request built from the form: empty fields are left out, empty rows skipped.

    Returns the data and, for error messages, which form row each API row came from."""
    data: dict = {name: values[name] for name in ("year", "sector", *NUMBER_FIELDS) if values[name]}
    rows, row_of = [], {}
    for i, row in enumerate(values["rows"]):
        if row["count"] or row["hours_per_week"]:
            row_of[len(rows)] = i
            rows.append(row)
    if rows:
        data["target_group"] = rows
    return data, row_of


ROW_FIELD = re.compile(r"^target_group\[(\d+)\](?:\.(\w+))?$")
ROW_WORDS = re.compile(r"regel (\d+) van de doelgroep")


def form_error(api_field: str, message: str, row_of: dict[int, int]) -> tuple[str, str]:
    """The form field id and message for an API error: `target_group[1].count` → `tg2_count` when the second
    filled-in row is the form's third; the message then names that form row too."""
    match = ROW_FIELD.match(api_field)
    if match:
        row = row_of.get(int(match.group(1)), 0)
        key = {"hours_per_week": "hours", "relation": "relation"}.get(match.group(2) or "", "count")
        return f"tg{row}_{key}", ROW_WORDS.sub(f"groep {row + 1}", message)
    if api_field in ("target_group", "data") or api_field not in ("year", "sector", *NUMBER_FIELDS):
        return "tg0_count" if api_field == "target_group" else "year", message
    return api_field, message


def years_with_percentage() -> list[int]:
    """The years for which a quotumpercentage for the government was found in a source."""
    from assistant.quota import load_params

    return sorted(y for y, entry in load_params().percentages["overheid"].items() if entry.get("value") is not None)


@bp.get("/quotum")
def quota_page():
    from assistant.quota import QuotaInputError, calculate_quota, parse_quota_request

    values = form_values()
    result, error_field, error = None, None, None
    if "year" in request.args:  # the form was sent
        data, row_of = request_data(values)
        try:
            result = calculate_quota(parse_quota_request(data))
        except QuotaInputError as exc:
            error_field, error = form_error(exc.field, exc.message, row_of)
    status = 400 if error else 200
    return (
        render_template(
            "quota.html",
            values=values,
            result=result,
            error=error,
            error_field=error_field,
            relations=RELATIONS,
            known_years=years_with_percentage(),
            min_year=MIN_YEAR,
            max_year=MAX_YEAR,
        ),
        status,
    )
