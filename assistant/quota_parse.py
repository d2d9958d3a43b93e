"""Natural-language quota questions (Dutch): spot them and turn them into input for parse_quota_request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.quota import MAX_HOURS_PER_WEEK, parse_dutch_number

# --------------------------------------------------------------------------- numbers (digits or Dutch words)

_UNIT_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
}
_TEEN_WORDS = {
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
}
_TENS_WORDS = {
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
}


def _build_number_words() -> dict[str, int]:
    """Dutch number words 1-99, the hundreds and 'duizend' (e.g. 'vijfentwintig', 'tweeëntwintig')."""
    words: dict[str, int] = {**_UNIT_WORDS, **_TEEN_WORDS, **_TENS_WORDS}
    for unit, u in _UNIT_WORDS.items():
        for tens, t in _TENS_WORDS.items():
            joiner = "ën" if unit.endswith("e") else "en"
            words[f"{unit}{joiner}{tens}"] = u + t
            words[f"{unit}en{tens}"] = u + t
    words["honderd"] = 100
    for unit, u in _UNIT_WORDS.items():
        if u > 1:
            words[f"{unit}honderd"] = u * 100
    words["duizend"] = 1000
    return words


NUMBER_WORDS = _build_number_words()
_WORDS_ALT = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
NUM = rf"(?:(?<![\d.,]){_DIGITS}(?![\d]|[.,]\d)|\b(?:{_WORDS_ALT})\b)"


def to_number(text: str) -> Decimal | None:
    """A number written in digits (Dutch notation) or as a Dutch word."""
    text = text.strip().lower()
    if text in NUMBER_WORDS:
        return Decimal(NUMBER_WORDS[text])
    return parse_dutch_number(text)


def _plain(value: Decimal) -> int | float:
    """JSON-friendly number: int when whole, else float."""
    return int(value) if value == value.to_integral_value() else float(str(value))


# --------------------------------------------------------------------------- vocabulary

_OVERHEID = re.compile(
    r"\b(?:gemeente\w*|provincie\w*|waterschap\w*|ministerie\w*|rijksoverheid|rijksdienst\w*|het rijk|"
    r"politie\w*|defensie\w*|universiteit\w*|umc\w*|academisch ziekenhuis|school|scholen|schoolbestuur\w*|"
    r"scholengroep\w*|basisschool|hogeschool\w*|roc|mbo-instelling\w*|onderwijsinstelling\w*|"
    r"onderzoeksinstelling\w*|overheid\w*|veiligheidsregio\w*|omgevingsdienst\w*)\b"
)
_MARKT = re.compile(
    r"\b(?:bedrijf\w*|onderneming\w*|ondernemer\w*|markt|marktsector|marktpartij\w*|marktwerkgever\w*|"
    r"winkel\w*|supermarkt\w*|webshop\w*|fabriek\w*|mkb|mkb-\w+|firma|(?:b\.v\.|bv)(?=\s|$|[,.;]))"
)
# phrases that name a company but say nothing about the asker's own sector
_SECTOR_NOISE = re.compile(r"\b(?:w?sw-bedrijf\w*|sociaal werkbedrijf|uitzendbureau\w*|leverancier\w*)\b")

_INDICATOR = re.compile(
    r"doelgroep|arbeidsbeperk|beperking|banenafspraak|wajong|participatiewet|\bw?sw\b|sw-bedrijf|social return|"
    r"\bsroi\b|uitzendkracht|ingeleend|inleen|gedetacheerd|detacher|garantiebaan|participatiebaan"
)
_SROI_WORDS = re.compile(r"social return|\bsroi\b|leverancier|inkoop|aanbesteding")
_HIRED_WORDS = re.compile(r"uitzend|ingeleend|inleen|gedetacheerd|detacher|sw-bedrijf|\bw?sw\b")
_SIZE_NOUN = re.compile(r"\bfte|voltijd|medewerkers\b|werknemers\b|personeelsleden\b")
_SEPARATOR = re.compile(r"[.,](?!\d)|[;!?\n]|\ben\b|\bwaarvan\b|\bmaar\b|\bplus\b")

_QUOTA_WORDS = re.compile(
    r"\bquotum\w*|heffing\w*|\btekort\w*|\bboete\w*|\bbanen\b|\bbaan\b|\bplekk?en\b|\bplek\b|\barbeidsplaatsen\b|"
    r"hoeveel\s+(?:mensen|personen|plekken|plaatsen|medewerkers|werknemers)\b[^.?!]*"
    r"(?:doelgroep|arbeidsbeperking|beperking)"
)

_HOUR_UNIT = r"(?:uur|uren|u(?=\s|$|[,.;?!]))"
_NOUN_WORD = r"(?!(?:uur|uren|u|fte|verloonde)\b)[^\W\d_][\w'\-]*"
_TARGET_NOUN = rf"(?:{_NOUN_WORD},?\s+){{0,8}}?"
_ROW_TIMES = re.compile(rf"(?P<count>{NUM})\s*(?:×|x|\*|keer)\s*(?P<hours>{NUM})\s*(?:-\s*urig\w*|{_HOUR_UNIT})")
_ROW_NOUN = re.compile(
    rf"(?P<count>{NUM})\s+(?P<noun>{_TARGET_NOUN})(?:,\s*)?(?:van|met|die|à|a)?\s*"
    rf"(?:elk|ieder|allemaal|gemiddeld|steeds)?\s*(?P<hours>{NUM})\s*(?:-\s*urig\w*|{_HOUR_UNIT})"
)
_ROW_NO_HOURS = re.compile(
    rf"(?P<count>{NUM})\s+(?P<noun>(?:[^\W\d_][\w'\-]*\s+){{0,3}}?)"
    r"(?:uit\s+(?:de\s+|het\s+)?(?:doelgroep\w*|doelgroepregister)|met\s+een\s+arbeidsbeperking)"
)
_TARGET_ANNUAL = [
    re.compile(
        rf"(?P<n>{NUM})\s*(?P<verloond>verloonde\s+)?(?:uur|uren)(?P<jaar>\s+per\s+jaar)?\s+(?:van|voor|uit)\s+"
        r"(?:mensen\s+uit\s+)?de\s+doelgroep"
    ),
    re.compile(rf"doelgroep\w*\s*:?\s*(?P<n>{NUM})\s*(?P<verloond>verloonde\s+)?(?:uur|uren)(?P<jaar>\s+per\s+jaar)?"),
]
_NOBODY = re.compile(r"\b(?:geen|niemand)\b[^.,;?!]{0,20}\b(?:uit de doelgroep|met een arbeidsbeperking)")

_ANNUAL_NUM = r"(?:(?<![\d.,])(?:\d{1,3}(?:\.\d{3})+|\d{4,})(?![\d]|[.,]\d))"
# annual hours: "41.000 uur" (a four-digit number or more) or "N verloonde uren" / "N uur per jaar"
_ANNUAL_HOURS = (
    rf"(?:(?P<n>{NUM})\s*verloonde\s+(?:uur|uren)|(?P<m>{NUM})\s*(?:uur|uren)\s+per\s+jaar"
    rf"|(?P<k>{_ANNUAL_NUM})\s*(?:uur|uren))"
)
_PREVIOUS_PHRASE = r"(?:vorig(?:e)? jaar|het jaar ervoor|het jaar daarvoor|(?:het )?voorgaande jaar)"
_PREVIOUS_YEAR = [
    re.compile(rf"{_PREVIOUS_PHRASE}[^.;?!\n]*?{_ANNUAL_HOURS}"),
    re.compile(rf"{_ANNUAL_HOURS}\s+(?:in|over)\s+(?:het\s+)?{_PREVIOUS_PHRASE}"),
]
_FTE = re.compile(rf"(?P<n>{NUM})\s*(?:fte(?:'s)?|voltijdsbanen|voltijdbanen|formatieplaatsen)\b")
_EMPLOYEES = re.compile(
    rf"(?P<n>{NUM})\s+(?:medewerkers|werknemers|personeelsleden|man|ambtenaren|collega's|"
    r"mensen(?=\s+(?:in dienst|op de loonlijst|personeel)))\b"
    r"(?!\s+(?:uit|met|van|in)\s+(?:de\s+|het\s+|een\s+)?(?:doelgroep|arbeidsbeperking|beperking|banenafspraak))"
)
_ANNUAL = re.compile(rf"(?P<n>{NUM})\s*(?P<verloond>verloonde\s+)?(?:uur|uren)\b(?P<per>\s+per\s+(?:jaar|week))?")
_HOURS_ATTACHED = re.compile(
    rf"(?:fte(?:'s)?|medewerkers|werknemers|personeelsleden|man|ambtenaren|collega's|in dienst)\s*,?\s*"
    rf"(?:van|à|a|x|×|met|die)?\s*(?:elk|ieder|gemiddeld|allemaal)?\s*(?P<n>{NUM})\s*(?:-\s*urig\w*|{_HOUR_UNIT})"
)
_HOURS_WEEK = [
    re.compile(rf"(?P<n>{NUM})\s*-?\s*urige"),
    re.compile(
        rf"(?:werkweek|fulltime|voltijd|volledige baan|een fte|1 fte)\s*(?:van|is|=|:|bij ons is)?\s*"
        rf"(?P<n>{NUM})\s*{_HOUR_UNIT}"
    ),
    re.compile(rf"(?<!banen van )(?<!baan van )(?P<n>{NUM})\s*{_HOUR_UNIT}(?!\s+per\s+jaar)"),
]
_YEAR = re.compile(
    r"(?<![\w.,])(?P<y>20[0-4]\d)(?![\w]|[.,]\d)"
    r"(?!\s*(?:fte|uur|uren|u\b|medewerkers|werknemers|man\b|mensen|personen|banen|euro|verloonde))"
)
_RELATIVE_YEARS = [
    (re.compile(r"\b(?:dit jaar|dit kalenderjaar|het huidige jaar|huidig jaar)\b"), 0),
    (re.compile(r"\b(?:volgend jaar|volgende jaar|komend jaar|komende jaar)\b"), 1),
    (re.compile(r"\b(?:vorig jaar|vorige jaar|afgelopen jaar)\b"), -1),
]

QUESTIONS = {
    "year": "Over welk jaar gaat het? Bijvoorbeeld 2024.",
    "sector": (
        "Is uw organisatie een overheidswerkgever (zoals een gemeente, provincie, waterschap of school)"
        " of een bedrijf in de markt?"
    ),
    "fte": (
        "Hoe groot is uw organisatie? Noem het aantal fte, het aantal medewerkers of het aantal verloonde"
        " uren per jaar."
    ),
    "hours_per_week": "Hoeveel uur per week werkt een medewerker met een volledige baan bij u? Bijvoorbeeld 36 of 38.",
    "target_group_hours": "Hoeveel uur per week werken de mensen uit de doelgroep?",
}


# --------------------------------------------------------------------------- extraction


@dataclass
class _Text:
    """Lower-cased question whose used parts are blanked out, so later patterns cannot read them twice."""

    text: str
    rows: list[dict] = field(default_factory=list)

    def blank(self, start: int, end: int) -> None:
        """Hide a used span (keeps positions stable)."""
        self.text = self.text[:start] + "#" * (end - start) + self.text[end:]


def _normalise(text: str) -> str:
    """Lower case, unify dashes, brackets and spaces."""
    text = text.replace("\u00a0", " ").replace("\u2009", " ")
    text = re.sub(r"[–—]", ",", text)
    text = re.sub(r"[()\[\]]", ",", text)
    text = re.sub(r"[ \t]+", " ", text)
    return text.lower()


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start of the clause before `start` and end of the clause after `end`."""
    left = 0
    for m in _SEPARATOR.finditer(text, 0, start):
        left = m.end()
    right_match = _SEPARATOR.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _relation(context: str) -> str:
    """own, hired or sroi from the words around a target-group row."""
    if _SROI_WORDS.search(context):
        return "sroi"
    if _HIRED_WORDS.search(context):
        return "hired"
    return "own"


def _extract_target_rows(doc: _Text) -> None:
    """Find rows like '4 mensen uit de doelgroep van 20 uur', '2 × 24 uur', '3 uitzendkrachten … van 20 uur'."""
    found: list[tuple[int, int, re.Match, bool]] = []
    for m in _ROW_TIMES.finditer(doc.text):
        found.append((m.start(), m.end(), m, True))
    taken = [(s, e) for s, e, _, _ in found]
    for m in _ROW_NOUN.finditer(doc.text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append((m.start(), m.end(), m, False))
    found.sort(key=lambda item: item[0])

    previous_end = 0
    previous_was_row = False
    for index, (start, end, m, times) in enumerate(found):
        next_start = found[index + 1][0] if index + 1 < len(found) else len(doc.text)
        left, right = _clause_bounds(doc.text, start, end)
        leading = doc.text[max(left, previous_end) : start]
        trailing = doc.text[end : min(right, next_start)]
        noun = "" if times else m.group("noun")
        context = f"{leading} {noun} {trailing}"
        is_row = times
        if not times:
            if _SIZE_NOUN.search(noun) and not _INDICATOR.search(noun):
                is_row = False
            elif _INDICATOR.search(context):
                is_row = True
            else:
                # "… van 24 uur en 1 van 30 uur": a bare continuation of the row before it
                is_row = not noun.strip() and previous_was_row
        previous_end = end
        previous_was_row = is_row
        if not is_row:
            continue
        count, hours = to_number(m.group("count")), to_number(m.group("hours"))
        if count is None or hours is None or not 0 < hours <= MAX_HOURS_PER_WEEK:
            continue
        doc.rows.append({"count": _plain(count), "hours_per_week": _plain(hours), "relation": _relation(context)})
        doc.blank(start, end)

    for m in _ROW_NO_HOURS.finditer(doc.text):
        count = to_number(m.group("count"))
        if count is None:
            continue
        left, right = _clause_bounds(doc.text, m.start(), m.end())
        context = doc.text[left:right]
        doc.rows.append({"count": _plain(count), "hours_per_week": None, "relation": _relation(context)})
        doc.blank(m.start(), m.end())


def _first(pattern: re.Pattern, doc: _Text, *, blank: bool = True) -> re.Match | None:
    """First match of a pattern in the unused text, blanked out when used."""
    m = pattern.search(doc.text)
    if m and blank:
        doc.blank(m.start(), m.end())
    return m


def _find_hours(doc: _Text) -> Decimal | None:
    """Weekly contract hours: attached to fte/medewerkers first, then a werkweek phrase, then any 'N uur' ≤ 60."""
    for pattern in (_HOURS_ATTACHED, *_HOURS_WEEK):
        for m in pattern.finditer(doc.text):
            value = to_number(m.group("n"))
            if value is not None and 0 < value <= MAX_HOURS_PER_WEEK:
                start = m.start("n")
                doc.blank(start, m.end())
                return value
    return None


def _find_sector(original: str, lowered: str) -> str | None:
    """overheid or markt from the words used; None when absent or when both appear."""
    cleaned = _SECTOR_NOISE.sub(" ", lowered)
    overheid = bool(_OVERHEID.search(cleaned))
    markt = bool(_MARKT.search(cleaned)) or bool(re.search(r"\bB\.?V\.?(?=\s|$|[,.;])", original))
    if overheid == markt:
        return None
    return "overheid" if overheid else "markt"


def _extract(text: str, default_year: int | None) -> tuple[dict, list[str]]:
    """Parse a question into (inputs, missing)."""
    lowered = _normalise(text)
    doc = _Text(lowered)
    inputs: dict = {}

    _extract_target_rows(doc)
    target_annual = None
    for pattern in _TARGET_ANNUAL:
        for m in pattern.finditer(doc.text):
            value = to_number(m.group("n"))
            if value is not None and (m.group("verloond") or m.group("jaar") or value > MAX_HOURS_PER_WEEK):
                target_annual = value
                doc.blank(m.start(), m.end())
                break
        if target_annual is not None:
            break
    if doc.rows:
        inputs["target_group"] = doc.rows
    elif target_annual is not None:
        inputs["target_group_annual_hours"] = _plain(target_annual)
    elif _NOBODY.search(lowered):
        inputs["target_group"] = []

    used_previous_phrase = False
    for pattern in _PREVIOUS_YEAR:
        m = _first(pattern, doc)
        if m and (value := to_number(m.group("n") or m.group("m") or m.group("k"))) is not None:
            inputs["previous_year_annual_hours"] = _plain(value)
            used_previous_phrase = True
            break

    year_match = _first(_YEAR, doc)
    if year_match:
        inputs["year"] = int(year_match.group("y"))
    elif default_year is not None:
        for pattern, offset in _RELATIVE_YEARS:
            if offset == -1 and used_previous_phrase:
                continue
            if pattern.search(lowered):
                inputs["year"] = default_year + offset
                break

    sector = _find_sector(text, lowered)
    if sector:
        inputs["sector"] = sector

    fte = _first(_FTE, doc, blank=False)
    employees = _first(_EMPLOYEES, doc, blank=False)
    hours = _find_hours(doc)
    if fte and (value := to_number(fte.group("n"))) is not None:
        inputs["fte"] = _plain(value)
    elif employees and (value := to_number(employees.group("n"))) is not None:
        inputs["employees"] = _plain(value)
    else:
        for m in _ANNUAL.finditer(doc.text):
            value = to_number(m.group("n"))
            per = (m.group("per") or "").strip()
            if value is None or per.endswith("week"):
                continue
            if m.group("verloond") or per.endswith("jaar") or value > 1000:
                inputs["annual_hours"] = _plain(value)
                break
    if hours is not None and "annual_hours" not in inputs:
        inputs["hours_per_week"] = _plain(hours)

    missing: list[str] = []
    if "year" not in inputs:
        missing.append("year")
    if "sector" not in inputs:
        missing.append("sector")
    if not any(k in inputs for k in ("fte", "employees", "annual_hours")):
        missing.append("fte")
    if "annual_hours" not in inputs and "hours_per_week" not in inputs:
        missing.append("hours_per_week")
    if any(row["hours_per_week"] is None for row in inputs.get("target_group", [])):
        missing.append("target_group_hours")
    return inputs, missing


# --------------------------------------------------------------------------- public API


def parse_quota_question(text: str, default_year: int | None = None) -> tuple[dict, list[str]]:
    """Turn a Dutch question into (inputs for parse_quota_request, list of fields still missing)."""
    if not isinstance(text, str) or not text.strip():
        return {}, ["year", "sector", "fte", "hours_per_week"]
    return _extract(text[:2000], default_year)


def looks_like_quota_question(text: str) -> bool:
    """True when the text gives an organisation size (fte, medewerkers, annual hours) and asks about the quotum."""
    if not isinstance(text, str) or not text.strip():
        return False
    inputs, _ = _extract(text[:2000], None)
    has_size = any(k in inputs for k in ("fte", "employees", "annual_hours"))
    return has_size and bool(_QUOTA_WORDS.search(_normalise(text)))


def clarification_question(missing: list[str]) -> str:
    """A Dutch (B1) question asking for exactly the missing fields; empty when nothing is missing."""
    questions = [QUESTIONS.get(name, f"Wat is de waarde voor {name}?") for name in missing]
    if not questions:
        return ""
    if len(questions) == 1:
        return f"Om het quotum te berekenen, heb ik nog één gegeven nodig. {questions[0]}"
    lines = ["Om het quotum te berekenen, heb ik nog een paar gegevens nodig:"]
    lines += [f"{i}. {q}" for i, q in enumerate(questions, 1)]
    return "\n".join(lines)
