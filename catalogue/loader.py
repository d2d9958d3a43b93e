"""Load the markdown catalogue and validate it against the schema.

Every problem becomes a `Problem(path, line, field, message)` printed as `file:line: field: message`. One bad file
never hides the problems of the others: `load_catalogue` always reads every file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import schema
from .text import slugify

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
MAX_SUMMARY_CHARS = 400


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so a bad date becomes a problem with a line, not a crash."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class Section:
    heading: str
    anchor: str
    text: str
    position: int
    line: int


@dataclass
class Source:
    title: str
    publisher: str
    date: str
    locator: str
    url: str | None = None


@dataclass
class Entry:
    id: str
    title: str
    kind: str
    summary: str
    sectors: list[str]
    sources: list[Source]
    review_by: dt.date
    last_reviewed: dt.date
    status: str
    body: str
    sections: list[Section]
    path: Path
    action_types: list[str] = field(default_factory=list)
    organisation: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    questions: dict[str, list[str]] = field(default_factory=dict)  # section anchor → employer questions

    def is_valid_on(self, day: dt.date) -> bool:
        """False when the entry's validity period has ended before `day` (or has not started)."""
        if self.valid_until and self.valid_until < day:
            return False
        return not (self.valid_from and self.valid_from > day)


@dataclass
class LoadResult:
    entries: list[Entry]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def load_catalogue(folder: Path) -> LoadResult:
    """Read and validate every `*.md` under `folder`; report problems of all files together."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    folder = Path(folder)
    if not folder.is_dir():
        return LoadResult([], [Problem(folder, 0, "map", "map bestaat niet")])
    for path in sorted(folder.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        entry, file_problems = parse_entry_file(path)
        problems.extend(file_problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(path, 1, "id", f"dubbel id '{entry.id}' (ook in {seen[entry.id]})"))
            continue
        seen[entry.id] = path
        if not file_problems:
            entries.append(entry)
    return LoadResult(entries, problems)


def parse_entry_file(path: Path) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file; returns the entry (None when unusable) and its problems."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "bestand", f"geen geldige UTF-8 (byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(path, 0, "bestand", f"kan niet lezen: {exc.strerror}")]
    return parse_entry_text(text, path)


def parse_entry_text(text: str, path: Path) -> tuple[Entry | None, list[Problem]]:
    """Parse entry markdown (front matter + body); `path` names it in problems and gives the expected id."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, "front matter", "bestand begint niet met '---'")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(path, 1, "front matter", "geen afsluitende '---'")]
    yaml_text = "\n".join(lines[1:end])
    body_offset = end + 1  # 0-based index of the first body line
    try:
        node = yaml.compose(yaml_text, Loader=_FrontMatterLoader)
        data = yaml.load(yaml_text, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(path, line, "front matter", f"ongeldige YAML: {problem}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 2, "front matter", "geen lijst van velden (key: waarde)")]
    key_lines = _key_lines(node)
    body = "\n".join(lines[body_offset:])
    return _validate(data, key_lines, body, body_offset, path)


def _key_lines(node: Any) -> dict[str, int]:
    """Map 'field' and 'field[i]' / 'field[i].sub' to 1-based file lines (front matter starts on line 2)."""
    found: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key_node, value_node in node.value:
        name = str(key_node.value)
        found[name] = key_node.start_mark.line + 2
        if isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                found[f"{name}[{i}]"] = item.start_mark.line + 2
                if isinstance(item, yaml.MappingNode):
                    for sub_key, _ in item.value:
                        found[f"{name}[{i}].{sub_key.value}"] = sub_key.start_mark.line + 2
    return found


def _validate(
    data: dict, key_lines: dict[str, int], body: str, body_offset: int, path: Path
) -> tuple[Entry | None, list[Problem]]:
    problems: list[Problem] = []

    def report(name: str, message: str, line: int | None = None) -> None:
        problems.append(Problem(path, line or key_lines.get(name, key_lines.get(name.split("[")[0], 1)), name, message))

    kind = data.get("kind")
    required = list(schema.REQUIRED_FIELDS)
    if kind == "practice":
        required += schema.PRACTICE_FIELDS
    elif kind == "rule":
        required += schema.RULE_FIELDS
    for name in required:
        if name not in data:
            report(name, "ontbreekt", 1)
        elif data[name] in (None, "", []) and name not in schema.RULE_FIELDS and name != "contact":
            report(name, "is leeg")
    for name in data:
        if name not in schema.KNOWN_FIELDS:
            report(str(name), "onbekend veld")

    entry_id = _text(data.get("id"))
    if entry_id:
        if not ID_PATTERN.match(entry_id):
            report("id", f"'{entry_id}' is geen geldige slug (alleen a-z, 0-9 en -)")
        if entry_id != path.stem:
            report("id", f"'{entry_id}' is niet gelijk aan de bestandsnaam '{path.stem}'")
    if kind is not None and kind not in schema.KINDS:
        report("kind", f"onbekende soort '{kind}' (kies uit: {', '.join(schema.KINDS)})")
    status = data.get("status")
    if status is not None and status not in schema.STATUSES:
        report("status", f"onbekende status '{status}' (kies uit: {', '.join(schema.STATUSES)})")
    summary = _text(data.get("summary"))
    if len(summary) > MAX_SUMMARY_CHARS:
        report("summary", f"te lang ({len(summary)} tekens, maximaal {MAX_SUMMARY_CHARS})")

    sectors = _string_list(data.get("sectors"), "sectors", report)
    for i, sector in enumerate(sectors):
        if sector not in schema.SECTORS:
            report(f"sectors[{i}]", f"onbekende sector '{sector}'")
    action_types = _string_list(data.get("action_types"), "action_types", report)
    for i, action in enumerate(action_types):
        if action not in schema.ACTION_TYPES:
            report(f"action_types[{i}]", f"onbekend actietype '{action}'")
    if action_types and kind != "practice":
        report("action_types", "alleen voor goede voorbeelden (kind: practice)")

    review_by = _date(data.get("review_by"), "review_by", report)
    last_reviewed = _date(data.get("last_reviewed"), "last_reviewed", report)
    valid_from = _date(data.get("valid_from"), "valid_from", report, optional=True)
    valid_until = _date(data.get("valid_until"), "valid_until", report, optional=True)
    if valid_from and valid_until and valid_until < valid_from:
        report("valid_until", f"{valid_until} ligt vóór valid_from {valid_from}")

    contact = data.get("contact") or {}
    if not isinstance(contact, dict):
        report("contact", "moet een lijst van key: waarde zijn (bijv. website: https://…)")
        contact = {}
    for key, value in contact.items():
        if key in ("website", "url") and not _is_http_url(_text(value)):
            report("contact", f"{key} '{value}' is geen http(s)-adres")

    sources = _sources(data.get("sources"), report)
    sections = _sections(body, body_offset, path, problems)
    if kind in schema.REQUIRED_SECTIONS:
        headings = [s.heading for s in sections]
        for needed in schema.REQUIRED_SECTIONS[kind]:
            if needed not in headings:
                problems.append(Problem(path, body_offset + 1, "body", f"sectie '## {needed}' ontbreekt"))
    for n, line_no in _source_markers(body, body_offset):
        if n < 1 or n > len(sources):
            problems.append(
                Problem(
                    path,
                    line_no,
                    "body",
                    f"[bron {n}] verwijst naar een bron die niet bestaat ({len(sources)} bronnen)",
                )
            )

    questions = _questions(data.get("questions"), {s.anchor for s in sections}, report)

    if problems:
        return None, problems
    entry = Entry(
        id=entry_id,
        title=_text(data["title"]),
        kind=kind,
        summary=summary,
        sectors=sectors,
        sources=sources,
        review_by=review_by,
        last_reviewed=last_reviewed,
        status=status,
        body=body.strip("\n") + "\n",
        sections=sections,
        path=path,
        action_types=action_types,
        organisation=_text(data.get("organisation")) or None,
        contact={str(k): _text(v) for k, v in contact.items()},
        valid_from=valid_from,
        valid_until=valid_until,
        questions=questions,
    )
    return entry, []


def _questions(value: Any, anchors: set[str], report) -> dict[str, list[str]]:
    """`questions:` maps a section anchor (`wat-houdt-het-in`) to a list of questions ending in '?'."""
    if value in (None, {}, ""):
        return {}
    if not isinstance(value, dict):
        report("questions", "moet per sectie (bijv. wat-houdt-het-in:) een lijst vragen geven")
        return {}
    out: dict[str, list[str]] = {}
    for anchor, items in value.items():
        anchor = _text(anchor)
        if anchor not in anchors:
            report("questions", f"'{anchor}' is geen sectie van dit item (kies uit: {', '.join(sorted(anchors))})")
            continue
        if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
            report("questions", f"{anchor}: geef een lijst vragen (elke regel begint met '- ')")
            continue
        if len(items) > schema.MAX_QUESTIONS_PER_SECTION:
            report("questions", f"{anchor}: te veel vragen ({len(items)}, maximaal {schema.MAX_QUESTIONS_PER_SECTION})")
        for question in items:
            question = question.strip()
            if not question.endswith("?") or len(question) > schema.MAX_QUESTION_CHARS or len(question.split()) < 2:
                report(
                    "questions",
                    f"{anchor}: '{question[:60]}' moet een vraag zijn van 2 woorden tot "
                    f"{schema.MAX_QUESTION_CHARS} tekens, eindigend op '?'",
                )
        out[anchor] = [q.strip() for q in items]
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_http_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s<>\"']+$", value))


def _string_list(value: Any, name: str, report) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report(name, "moet een lijst van woorden zijn, bijv. [gemeenten, rijk]")
        return []
    return [v.strip() for v in value]


def _date(value: Any, name: str, report, optional: bool = False) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        report(name, f"'{value}' is geen geldige datum (gebruik JJJJ-MM-DD)")
        return None


def _sources(value: Any, report) -> list[Source]:
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        report("sources", "moet een lijst van bronnen zijn")
        return []
    sources = []
    for i, item in enumerate(value):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            report(where, "moet title, publisher, date en locator hebben")
            continue
        for key in schema.SOURCE_FIELDS:
            if _text(item.get(key)) == "":
                report(f"{where}.{key}" if key in item else where, f"{key} ontbreekt of is leeg")
        for key in item:
            if key not in (*schema.SOURCE_FIELDS, "url"):
                report(f"{where}.{key}", "onbekend veld in bron")
        date_value = item.get("date")
        date_text = date_value.isoformat() if isinstance(date_value, dt.date) else _text(date_value)
        if date_text and not PARTIAL_DATE.match(date_text):
            report(f"{where}.date", f"'{date_text}' is geen geldige datum (JJJJ, JJJJ-MM of JJJJ-MM-DD)")
        elif len(date_text) == 10:
            try:
                dt.date.fromisoformat(date_text)
            except ValueError:
                report(f"{where}.date", f"'{date_text}' is geen bestaande datum")
        url = _text(item.get("url")) or None
        if url and not _is_http_url(url):
            report(f"{where}.url", f"'{url}' is geen http(s)-adres")
        sources.append(
            Source(
                title=_text(item.get("title")),
                publisher=_text(item.get("publisher")),
                date=date_text,
                locator=_text(item.get("locator")),
                url=url,
            )
        )
    return sources


def body_sections(body: str) -> list[Section]:
    """The `##` sections of an entry body as the loader reads them (code fences skipped); problems are left to a
    full load."""
    return _sections(body, 0, Path("body"), [])


def _sections(body: str, body_offset: int, path: Path, problems: list[Problem]) -> list[Section]:
    """Split the body at `##` headings; text before the first heading and empty sections are problems."""
    sections: list[Section] = []
    current: tuple[str, int] | None = None
    buffer: list[str] = []
    in_fence = False
    lead: list[str] = []

    def close() -> None:
        if current is None:
            return
        heading, line = current
        content = "\n".join(buffer).strip()
        if not content:
            problems.append(Problem(path, line, "body", f"sectie '## {heading}' is leeg"))
        sections.append(Section(heading, slugify(heading), content, len(sections), line))

    for i, line in enumerate(body.split("\n")):
        line_no = body_offset + i + 1
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and len(match.group(1)) == 1:
            problems.append(Problem(path, line_no, "body", "gebruik geen '# ' kop: de titel staat in de front matter"))
            continue
        if match and len(match.group(1)) == 2:
            close()
            current, buffer = (match.group(2), line_no), []
            continue
        (buffer if current else lead).append(line)
    close()
    if "\n".join(lead).strip():
        problems.append(Problem(path, body_offset + 1, "body", "tekst vóór de eerste '## ' sectie"))
    if not sections:
        problems.append(Problem(path, body_offset + 1, "body", "geen '## ' secties"))
    return sections


def _source_markers(body: str, body_offset: int):
    for i, line in enumerate(body.split("\n")):
        for match in re.finditer(schema.SOURCE_MARKER, line):
            yield int(match.group(1)), body_offset + i + 1
