"""Write the entries of the SQLite store back out as markdown files in the format of `knowledge/`.

`export_catalogue` produces a folder that `helpdesk check` accepts and that, synced into a new store, gives the same
entries. What the store does not keep cannot come back: the order of `sectors` and `action_types` (stored as rows
without a position; written in the order of `catalogue/schema.py`), the order of the `contact` keys (stored as
sorted JSON; written website, url, others, note) and the YAML quoting of the original files.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import sqlite_utils
import yaml

from . import schema
from .store import get_entry

KIND_FOLDERS = {"practice": "practices", "rule": "rules", "sector": "sectors"}
YAML_WIDTH = 1 << 20  # never fold a long summary over several lines


class _Flow(list):
    """A list written on one line, as the shipped files write `sectors: [rijk]`."""


class _EntryDumper(yaml.SafeDumper):
    """SafeDumper in the style of the shipped files: nested lists indented, `"…"` quotes, empty values left empty."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" else style  # double quotes can hold anything single quotes can


# The loader keeps dates as text, so a date-like string needs no quotes (`date: 2024-01-01`, as in the files).
_EntryDumper.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
_EntryDumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)
_EntryDumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def _vocabulary_order(values: list[str], vocabulary: dict[str, str]) -> _Flow:
    """Slugs in the order of the controlled list (as the docs list them); unknown ones last."""
    known = list(vocabulary)
    return _Flow(sorted(values, key=lambda v: (known.index(v), "") if v in vocabulary else (len(known), v)))


def _contact_order(key: str) -> tuple[int, str]:
    return ({"website": 0, "url": 1, "note": 3}.get(key, 2), key)


def front_matter(entry: dict) -> dict:
    """The front-matter fields of a stored entry, in the order the shipped files use."""
    kind = entry["kind"]
    data: dict = {
        "id": entry["id"],
        "title": entry["title"],
        "kind": kind,
        "summary": entry["summary"],
        "sectors": _vocabulary_order(entry["sectors"], schema.SECTORS),
    }
    if kind == "practice" or entry["action_types"]:
        data["action_types"] = _vocabulary_order(entry["action_types"], schema.ACTION_TYPES)
    if kind == "practice" or entry["organisation"] is not None:
        data["organisation"] = entry["organisation"]
    contact = entry["contact"] or {}
    if kind == "practice" or contact:
        data["contact"] = {key: contact[key] for key in sorted(contact, key=_contact_order)}
    data["sources"] = [
        {
            "title": source["title"],
            "publisher": source["publisher"],
            "date": source["date"],  # as stored: YYYY, YYYY-MM or YYYY-MM-DD
            "locator": source["locator"],
            **({"url": source["url"]} if source["url"] else {}),
        }
        for source in sorted(entry["sources"], key=lambda s: s["position"])
    ]
    for name in ("valid_from", "valid_until"):
        if kind == "rule" or entry[name] is not None:
            data[name] = entry[name]  # `valid_until:` stays empty for an open-ended rule
    data["review_by"] = entry["review_by"]
    data["last_reviewed"] = entry["last_reviewed"]
    data["status"] = entry["status"]
    if entry.get("questions"):
        data["questions"] = {anchor: list(items) for anchor, items in entry["questions"].items()}
    return data


def entry_to_markdown(entry: dict) -> str:
    """One stored entry (as `catalogue.store.get_entry` returns it) as an entry file: front matter, then the body."""
    header = yaml.dump(
        front_matter(entry),
        Dumper=_EntryDumper,
        sort_keys=False,
        allow_unicode=True,
        width=YAML_WIDTH,
        default_flow_style=False,
    )
    body = entry["body"] if entry["body"].endswith("\n") else entry["body"] + "\n"
    return f"---\n{header}---\n\n{body}"


def entry_file(folder: Path, entry: dict) -> Path:
    return Path(folder) / KIND_FOLDERS[entry["kind"]] / f"{entry['id']}.md"


def write_atomically(path: Path, text: str) -> None:
    """Write via a new temporary file in the same folder and `os.replace`, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as handle:  # "x": never reuse someone else's file
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def exported_ids(db: sqlite_utils.Database, include_drafts: bool = False) -> list[str]:
    sql = "SELECT id FROM entries" + ("" if include_drafts else " WHERE status = 'published'") + " ORDER BY kind, id"
    return [row["id"] for row in db.query(sql)]


def export_catalogue(db: sqlite_utils.Database, folder: Path, include_drafts: bool = False) -> int:
    """Write every published entry (with `include_drafts`, every entry) of the store under `folder`, in
    `practices/`, `rules/` and `sectors/`; existing files with the same name are replaced. Returns the count."""
    count = 0
    for entry_id in exported_ids(db, include_drafts):
        entry = get_entry(db, entry_id)
        write_atomically(entry_file(folder, entry), entry_to_markdown(entry))
        count += 1
    return count
