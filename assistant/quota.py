"""Quota calculator for the quotumregeling (Wfsv 38g/38h): pure functions over the dated data in quota_params.yaml."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PARAMS_PATH = Path(__file__).with_name("quota_params.yaml")

MIN_YEAR = 2015
MAX_YEAR = 2030
SECTORS = ("overheid", "markt")
RELATIONS = ("own", "hired", "sroi")
MAX_TARGET_ROWS = 200
MAX_FTE = Decimal(1_000_000)
MAX_EMPLOYEES = 1_000_000
MAX_HOURS_PER_WEEK = Decimal(60)
MAX_ROW_COUNT = 100_000
MAX_ANNUAL_HOURS = Decimal(2_000_000_000)
MAX_PERCENTAGE = Decimal(100)
MAX_TEXT_NUMBER = 40  # longer strings are junk, not numbers

INPUT_SOURCE = "uw eigen gegevens"

SECTOR_ALIASES = {"overheid": "overheid", "markt": "markt", "niet-overheid": "markt", "marktsector": "markt"}
RELATION_ALIASES = {
    "own": "own",
    "eigen": "own",
    "hired": "hired",
    "ingeleend": "hired",
    "inleen": "hired",
    "uitzend": "hired",
    "detachering": "hired",
    "sroi": "sroi",
    "social return": "sroi",
}

# field name -> (label after "Vul een getal in voor", subject of a sentence about its range)
FIELD_LABELS = {
    "fte": ("fte", "Het aantal fte"),
    "employees": ("het aantal medewerkers", "Het aantal medewerkers"),
    "hours_per_week": ("uren per week", "Het aantal uren per week"),
    "annual_hours": ("verloonde uren per jaar", "Het aantal verloonde uren per jaar"),
    "target_group_annual_hours": ("uren van de doelgroep per jaar", "Het aantal uren van de doelgroep per jaar"),
    "previous_year_annual_hours": ("verloonde uren van vorig jaar", "Het aantal verloonde uren van vorig jaar"),
    "assumed_quota_percentage": ("het zelf gekozen quotumpercentage", "Het zelf gekozen quotumpercentage"),
}
KNOWN_FIELDS = frozenset({"year", "sector", "target_group", *FIELD_LABELS})
ROW_FIELDS = frozenset({"count", "hours_per_week", "relation"})


class QuotaInputError(ValueError):
    """Invalid calculator input: `field` names the input, `message` says in Dutch (B1) what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TargetGroupRow:
    """People from the doelgroep with the same weekly hours: own staff, hired (uitzend/Wsw-detachering) or SROI."""

    count: int
    hours_per_week: Decimal
    relation: str = "own"


@dataclass(frozen=True)
class QuotaInput:
    """Validated calculator input; exactly one of fte, employees or annual_hours is set."""

    year: int
    sector: str
    fte: Decimal | None = None
    employees: int | None = None
    hours_per_week: Decimal | None = None
    annual_hours: Decimal | None = None
    target_group: tuple[TargetGroupRow, ...] = ()
    target_group_annual_hours: Decimal | None = None
    previous_year_annual_hours: Decimal | None = None
    assumed_quota_percentage: Decimal | None = None


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class QuotaParams:
    """The parsed quota_params.yaml: constants as exact fractions, per-year percentages and levy status, sources."""

    sources: dict[str, dict[str, str]]
    cites: dict[str, str]
    constants: dict[str, dict[str, Any]]
    threshold: Fraction
    job_hours_per_week: Fraction
    job_hours_per_year: Fraction
    weeks_per_year: Fraction
    levy_per_job: Fraction
    shortfall_decimals: int
    activation: dict[str, dict[str, Any]]
    percentages: dict[str, dict[int, dict[str, Any]]]
    levy_reasons: dict[str, dict[str, Any]]
    levy_years: dict[int, dict[str, Any]]

    def constant_sources(self, name: str) -> list[str]:
        """Source ids of one constant."""
        return list(self.constants[name].get("sources", []))


def _exact(value: Any) -> Fraction:
    """An exact fraction from a YAML number or numeric string (floats go through str, so 25.5 stays 25.5)."""
    return Fraction(Decimal(str(value)))


@lru_cache(maxsize=1)
def load_params(path: Path = PARAMS_PATH) -> QuotaParams:
    """Read and check quota_params.yaml once."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    sources: dict[str, dict[str, str]] = {}
    cites: dict[str, str] = {}
    for key, src in raw["sources"].items():
        sources[key] = {k: str(src[k]) for k in ("title", "publisher", "date", "locator", "url") if src.get(k)}
        cites[key] = str(src.get("cite") or src["title"])
    constants = raw["constants"]
    percentages: dict[str, dict[int, dict[str, Any]]] = {}
    for sector in SECTORS:
        years = raw["quota_percentages"].get(sector) or {}
        percentages[sector] = {int(y): dict(entry) for y, entry in years.items()}
    levy_years = {int(y): dict(entry) for y, entry in raw["levy_status"]["years"].items()}
    params = QuotaParams(
        sources=sources,
        cites=cites,
        constants=constants,
        threshold=_exact(constants["threshold_annual_hours"]["value"]),
        job_hours_per_week=_exact(constants["job_hours_per_week"]["value"]),
        job_hours_per_year=_exact(constants["job_hours_per_year"]["value"]),
        weeks_per_year=_exact(constants["weeks_per_year"]["value"]),
        levy_per_job=_exact(constants["levy_per_job_eur"]["value"]),
        shortfall_decimals=int(constants["shortfall_rounding"]["decimals"]),
        activation={s: dict(raw["quota_activation"][s]) for s in SECTORS},
        percentages=percentages,
        levy_reasons=raw["levy_status"]["reasons"],
        levy_years=levy_years,
    )
    _check_params(params)
    return params


def _check_params(p: QuotaParams) -> None:
    """Fail loudly on a broken parameter file: every year covered, never levied, every source id known."""
    years = set(range(MIN_YEAR, MAX_YEAR + 1))
    if set(p.levy_years) != years:
        raise ValueError("quota_params.yaml: levy_status.years must cover 2015-2030")
    if set(p.percentages["overheid"]) != years:
        raise ValueError("quota_params.yaml: quota_percentages.overheid must list every year 2015-2030")
    if p.percentages["markt"]:
        raise ValueError("quota_params.yaml: the market has no quotumpercentage")
    refs: list[str] = []
    for entry in p.levy_years.values():
        if entry.get("levied") is not False or entry.get("reason") not in p.levy_reasons:
            raise ValueError("quota_params.yaml: every levy year needs levied: false and a known reason")
    for reason in p.levy_reasons.values():
        refs += reason.get("sources", [])
    for entry in p.percentages["overheid"].values():
        if entry.get("value") is None and not str(entry.get("note", "")).startswith("niet gevonden"):
            raise ValueError("quota_params.yaml: a missing percentage needs the note 'niet gevonden'")
        refs += entry.get("sources", [])
    for const in p.constants.values():
        refs += const.get("sources", [])
    for act in p.activation.values():
        refs += act.get("sources", [])
    unknown = sorted(set(refs) - set(p.sources))
    if unknown:
        raise ValueError(f"quota_params.yaml: unknown source ids {unknown}")


def quota_percentage_for(sector: str, year: int) -> Decimal | None:
    """The quotumpercentage found for this sector and year, or None when none was found (no borrowing)."""
    entry = load_params().percentages.get(sector, {}).get(year)
    if not entry or entry.get("value") is None:
        return None
    return Decimal(str(entry["value"]))


# --------------------------------------------------------------------------- numbers

_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_PLAIN = re.compile(r"^(?:\d+(?:[.,]\d+)?|[.,]\d+)$")


def parse_dutch_number(text: str) -> Decimal | None:
    """'25,5' -> 25.5, '1.200' -> 1200, '1.200,5' -> 1200.5, '25.5' -> 25.5; None when not a plain number."""
    s = text.strip().replace("\u00a0", "")
    negative = s.startswith("-")
    if negative or s.startswith("+"):
        s = s[1:].strip()
    if _THOUSANDS.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _PLAIN.match(s):
        s = s.replace(",", ".")
    else:
        return None
    value = Decimal(s)
    return -value if negative else value


def floor_to_one_decimal(value: Fraction | Decimal | int) -> Decimal:
    """Round down to one decimal without float error: 2.48 -> 2.4, 12.03 -> 12.0 (Besluit Wfsv 2.23 lid 3)."""
    return Decimal(math.floor(Fraction(value) * 10)).scaleb(-1)


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Round half up to `places` decimals, exactly."""
    n = math.floor(Fraction(value) * 10**places + Fraction(1, 2))
    return Decimal(n).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_number(value: Fraction | Decimal | int | float, places: int | None = None) -> str:
    """Dutch notation: 1.234,5; with `places` a fixed number of decimals, without at most 2, trailing zeros cut."""
    if isinstance(value, float):
        value = Decimal(str(value))
    if places is None:
        d = round_half_up(value, 2).normalize()
        if d == d.to_integral_value():
            d = d.quantize(Decimal(1))
        text = format(d, ",f")
    else:
        text = format(round_half_up(value, places), f",.{places}f")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_euro(value: Fraction | Decimal | int) -> str:
    """Euro amount in Dutch notation, whole euros: € 29.500."""
    return "€ " + format_number(value, 0)


# --------------------------------------------------------------------------- validation


def _absent(value: Any) -> bool:
    """JSON null or an empty form field counts as not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def _to_decimal(value: Any, field: str, label: str) -> Decimal:
    """A finite number from int/float/Decimal or a numeric string in Dutch notation."""
    bad = QuotaInputError(field, f"Vul een getal in voor {label}.")
    if isinstance(value, bool):
        raise bad
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise bad
        return Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise bad
        return value
    if isinstance(value, str) and len(value) <= MAX_TEXT_NUMBER:
        try:
            parsed = parse_dutch_number(value)
        except InvalidOperation:
            parsed = None
        if parsed is not None and parsed.is_finite():
            return parsed
    raise bad


def _to_whole(value: Any, field: str, label: str) -> int:
    """A whole number (int, integral float or string)."""
    number = _to_decimal(value, field, label)
    if number != number.to_integral_value():
        raise QuotaInputError(field, f"Vul een heel getal in voor {label}.")
    return int(number)


def _in_range(number: Decimal, field: str, subject: str, high: Decimal | int, allow_zero: bool = False) -> Decimal:
    """Check 0 < number <= high (or 0 <= number <= high)."""
    low_ok = number >= 0 if allow_zero else number > 0
    if not low_ok or number > high:
        start = "0 of meer zijn" if allow_zero else "meer dan 0 zijn"
        raise QuotaInputError(field, f"{subject} moet {start} en hoogstens {format_number(high)}.")
    return number


def _number_field(data: dict, field: str, high: Decimal | int, allow_zero: bool = False) -> Decimal | None:
    """An optional numeric top-level field, validated and range-checked."""
    value = data.get(field)
    if _absent(value):
        return None
    label, subject = FIELD_LABELS[field]
    return _in_range(_to_decimal(value, field, label), field, subject, high, allow_zero)


def _parse_year(value: Any) -> int:
    """The calculation year, 2015-2030."""
    if _absent(value):
        raise QuotaInputError("year", "Vul het jaar in, bijvoorbeeld 2024.")
    try:
        year = _to_whole(value, "year", "het jaar")
    except QuotaInputError as exc:
        raise QuotaInputError("year", "Vul een jaartal in, bijvoorbeeld 2024.") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise QuotaInputError("year", f"Kies een jaar van {MIN_YEAR} tot en met {MAX_YEAR}.")
    return year


def _parse_sector(value: Any) -> str:
    """'overheid' or 'markt'."""
    if _absent(value):
        raise QuotaInputError("sector", "Kies de sector: overheid of markt.")
    if not isinstance(value, str) or value.strip().lower() not in SECTOR_ALIASES:
        raise QuotaInputError("sector", "Kies de sector: overheid of markt.")
    return SECTOR_ALIASES[value.strip().lower()]


def _parse_row(index: int, row: Any) -> TargetGroupRow:
    """One target-group row {count, hours_per_week, relation}."""
    where = f"regel {index + 1} van de doelgroep"
    prefix = f"target_group[{index}]"
    if not isinstance(row, dict):
        raise QuotaInputError(prefix, f"De gegevens in {where} hebben niet de goede vorm.")
    for key in row:
        if key not in ROW_FIELDS:
            raise QuotaInputError(f"{prefix}.{key}", f"Dit veld kennen wij niet in {where}: {key}.")
    if _absent(row.get("count")):
        raise QuotaInputError(f"{prefix}.count", f"Vul het aantal personen in bij {where}.")
    count_label = f"het aantal personen in {where}"
    count = _to_whole(row["count"], f"{prefix}.count", count_label)
    _in_range(Decimal(count), f"{prefix}.count", f"Het aantal personen in {where}", MAX_ROW_COUNT)
    if _absent(row.get("hours_per_week")):
        raise QuotaInputError(f"{prefix}.hours_per_week", f"Vul de uren per week in bij {where}.")
    hours = _to_decimal(row["hours_per_week"], f"{prefix}.hours_per_week", f"de uren per week in {where}")
    _in_range(hours, f"{prefix}.hours_per_week", f"Het aantal uren per week in {where}", MAX_HOURS_PER_WEEK)
    relation = row.get("relation")
    if _absent(relation):
        relation = "own"
    if not isinstance(relation, str) or relation.strip().lower() not in RELATION_ALIASES:
        raise QuotaInputError(
            f"{prefix}.relation",
            f"Kies bij {where}: eigen dienst (own), ingeleend (hired) of social return (sroi).",
        )
    return TargetGroupRow(count=count, hours_per_week=hours, relation=RELATION_ALIASES[relation.strip().lower()])


def parse_quota_request(data: dict) -> QuotaInput:
    """Validate a JSON-like dict into a QuotaInput, or raise QuotaInputError naming the field (Dutch message)."""
    if not isinstance(data, dict):
        raise QuotaInputError("data", "De gegevens hebben niet de goede vorm. Stuur een lijst met velden en waarden.")
    for key in data:
        if key not in KNOWN_FIELDS:
            name = key if isinstance(key, str) and len(key) <= 40 else "?"
            raise QuotaInputError(name, f"Dit veld kennen wij niet: {name}.")
    year = _parse_year(data.get("year"))
    sector = _parse_sector(data.get("sector"))

    sizes = [k for k in ("fte", "employees", "annual_hours") if not _absent(data.get(k))]
    if not sizes:
        raise QuotaInputError(
            "fte", "Vul het aantal fte, het aantal medewerkers of het aantal verloonde uren per jaar in."
        )
    if len(sizes) > 1:
        raise QuotaInputError(
            sizes[1], "Vul maar één van deze in: het aantal fte, het aantal medewerkers of de uren per jaar."
        )
    fte = _number_field(data, "fte", MAX_FTE)
    employees = None
    if sizes[0] == "employees":
        label, subject = FIELD_LABELS["employees"]
        employees = _to_whole(data["employees"], "employees", label)
        _in_range(Decimal(employees), "employees", subject, MAX_EMPLOYEES)
    annual_hours = _number_field(data, "annual_hours", MAX_ANNUAL_HOURS)
    hours = _number_field(data, "hours_per_week", MAX_HOURS_PER_WEEK)
    if annual_hours is None and hours is None:
        raise QuotaInputError(
            "hours_per_week", "Vul in hoeveel uur per week een medewerker werkt, bijvoorbeeld 36 of 38 uur."
        )
    if annual_hours is not None and hours is not None:
        raise QuotaInputError("hours_per_week", "Vul geen uren per week in als u de verloonde uren per jaar al invult.")

    rows_raw = data.get("target_group")
    rows: tuple[TargetGroupRow, ...] = ()
    if not _absent(rows_raw):
        if not isinstance(rows_raw, list | tuple):
            raise QuotaInputError("target_group", "Geef de mensen uit de doelgroep als een lijst.")
        if len(rows_raw) > MAX_TARGET_ROWS:
            raise QuotaInputError(
                "target_group", f"U kunt hoogstens {MAX_TARGET_ROWS} regels met mensen uit de doelgroep invullen."
            )
        rows = tuple(_parse_row(i, row) for i, row in enumerate(rows_raw))
    target_annual = _number_field(data, "target_group_annual_hours", MAX_ANNUAL_HOURS, allow_zero=True)
    if rows and target_annual is not None:
        raise QuotaInputError(
            "target_group_annual_hours",
            "Vul de doelgroep in als lijst met mensen of als uren per jaar, niet allebei.",
        )
    return QuotaInput(
        year=year,
        sector=sector,
        fte=fte,
        employees=employees,
        hours_per_week=hours,
        annual_hours=annual_hours,
        target_group=rows,
        target_group_annual_hours=target_annual,
        previous_year_annual_hours=_number_field(data, "previous_year_annual_hours", MAX_ANNUAL_HOURS, True),
        assumed_quota_percentage=_number_field(data, "assumed_quota_percentage", MAX_PERCENTAGE),
    )


# --------------------------------------------------------------------------- calculation


class _Trace:
    """Collects steps, notes and the sources they use, in order."""

    def __init__(self, params: QuotaParams):
        self.params = params
        self.steps: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.source_ids: list[str] = []

    def use(self, ids: list[str]) -> str:
        """Record source ids and return their short citation."""
        for sid in ids:
            if sid not in self.source_ids:
                self.source_ids.append(sid)
        return "; ".join(self.params.cites[sid] for sid in ids) if ids else INPUT_SOURCE

    def step(self, label: str, formula: str, value: str, ids: list[str]) -> None:
        """Add one calculation step."""
        self.steps.append({"label": label, "formula": formula, "value": value, "source": self.use(ids)})

    def note(self, text: str, ids: list[str] | None = None) -> None:
        """Add one Dutch note."""
        if ids:
            self.use(ids)
        self.notes.append(text)

    def sources(self) -> list[dict[str, str]]:
        """Source dicts used, in order of first use."""
        return [dict(self.params.sources[sid]) for sid in self.source_ids]


def _weekly_hours(q: QuotaInput, p: QuotaParams, t: _Trace) -> tuple[Fraction, Fraction]:
    """W (weekly hours of own employees) and A (annual verloonde uren), with their steps."""
    weeks = format_number(p.weeks_per_year)
    week_ids = p.constant_sources("weeks_per_year")
    if q.annual_hours is not None:
        annual = Fraction(q.annual_hours)
        weekly = annual / p.weeks_per_year
        t.step("Verloonde uren per jaar", "door u opgegeven", f"{format_number(annual)} uur", [])
        t.step(
            "Uren per week van uw werknemers",
            f"{format_number(annual)} ÷ {weeks} weken",
            f"{format_number(weekly)} uur per week",
            week_ids,
        )
        return weekly, annual
    hours = Fraction(q.hours_per_week)
    if q.fte is not None:
        weekly = Fraction(q.fte) * hours
        formula = f"{format_number(q.fte)} fte × {format_number(q.hours_per_week)} uur"
    else:
        weekly = q.employees * hours
        formula = f"{format_number(q.employees)} medewerkers × {format_number(q.hours_per_week)} uur"
        t.note(
            f"U gaf het aantal medewerkers. Wij rekenen alsof iedereen {format_number(q.hours_per_week)} uur per week"
            " werkt. Werken mensen deeltijd, vul dan liever het aantal fte in."
        )
    annual = weekly * p.weeks_per_year
    t.step("Uren per week van uw werknemers", formula, f"{format_number(weekly)} uur per week", [])
    t.step(
        "Verloonde uren per jaar",
        f"{format_number(weekly)} × {weeks} weken",
        f"{format_number(annual)} uur",
        week_ids,
    )
    return weekly, annual


def _liability(q: QuotaInput, annual: Fraction, p: QuotaParams, t: _Trace) -> tuple[bool, str]:
    """Whether the employer falls under the quotumregeling this year, with the reason."""
    threshold = format_number(p.threshold)
    threshold_ids = p.constant_sources("threshold_annual_hours")
    if q.sector == "markt":
        ids = p.activation["markt"].get("sources", [])
        t.note(
            "Voor werkgevers in de markt is de quotumregeling nooit ingegaan. Er is geen quotumpercentage,"
            " geen quotum en geen quotumheffing.",
            ids,
        )
        return False, "U bent een werkgever in de markt. De quotumregeling is voor de markt nooit ingegaan."
    active_from = p.activation["overheid"]["active_from"]
    if q.year < active_from:
        t.use(p.activation["overheid"].get("sources", []))
        return False, (
            f"In {q.year} was het quotum nog niet geactiveerd. Voor de overheid geldt het quotum"
            f" sinds 1 januari {active_from}."
        )
    enough = annual >= p.threshold
    t.step(
        f"Minstens {threshold} verloonde uren in {q.year} (drempel)",
        f"{format_number(annual)} uur tegenover de drempel van {threshold} uur",
        "ja" if enough else "nee",
        threshold_ids,
    )
    if not enough:
        return False, (
            f"U had in {q.year} {format_number(annual)} verloonde uren. Dat is minder dan {threshold} uur."
            " Daarom valt u niet onder de quotumregeling."
        )
    previous = q.previous_year_annual_hours
    if previous is None:
        t.note(
            f"U gaf de verloonde uren van {q.year - 1} niet op. Wij gaan ervan uit dat u ook in {q.year - 1}"
            f" minstens {threshold} verloonde uren had.",
            threshold_ids,
        )
    elif Fraction(previous) < p.threshold:
        t.step(
            f"Minstens {threshold} verloonde uren in {q.year - 1} (drempel vorig jaar)",
            f"{format_number(previous)} uur tegenover de drempel van {threshold} uur",
            "nee",
            threshold_ids,
        )
        return False, (
            f"U had in {q.year - 1} {format_number(previous)} verloonde uren. Dat is minder dan {threshold} uur."
            " Wie in het jaar ervoor onder de drempel zat, valt niet onder de quotumregeling."
        )
    else:
        t.step(
            f"Minstens {threshold} verloonde uren in {q.year - 1} (drempel vorig jaar)",
            f"{format_number(previous)} uur tegenover de drempel van {threshold} uur",
            "ja",
            threshold_ids,
        )
    return True, (
        f"U bent een overheidswerkgever met minstens {threshold} verloonde uren per jaar, in {q.year} en in"
        f" {q.year - 1}."
    )


def _percentage(q: QuotaInput, p: QuotaParams, t: _Trace) -> tuple[Decimal | None, list[str]]:
    """The quotumpercentage to use (official for the year, or the user's explicit assumption) and its sources."""
    if q.sector != "overheid" or q.year < p.activation["overheid"]["active_from"]:
        return None, []
    entry = p.percentages["overheid"][q.year]
    official = quota_percentage_for("overheid", q.year)
    if q.assumed_quota_percentage is not None:
        assumed = q.assumed_quota_percentage
        known = (
            f"Het gevonden percentage voor {q.year} is {format_number(official)}%."
            if official is not None
            else f"Een quotumpercentage voor {q.year} hebben wij niet gevonden."
        )
        t.note(
            f"U rekent met een zelf gekozen quotumpercentage van {format_number(assumed)}%. Dat is een aanname,"
            f" geen officieel percentage. {known}"
        )
        return assumed, []
    if official is None:
        t.note(
            f"Het quotumpercentage voor {q.year} hebben wij niet gevonden. Wij gebruiken geen percentage van"
            " een ander jaar. Daarom rekenen wij het quotum, het tekort en de heffing niet uit."
        )
        return None, []
    return official, list(entry.get("sources", []))


def _realised(q: QuotaInput, weekly: Fraction, annual: Fraction, p: QuotaParams, t: _Trace) -> Fraction:
    """Z: realised jobs from own and hired doelgroep hours; SROI rows never count."""
    job_week = format_number(p.job_hours_per_week)
    job_ids = p.constant_sources("job_hours_per_week")
    if q.target_group_annual_hours is not None:
        hours = Fraction(q.target_group_annual_hours)
        realised = hours / p.job_hours_per_year
        t.step(
            "Gerealiseerde banen",
            f"{format_number(hours)} uur per jaar ÷ {format_number(p.job_hours_per_year)} uur per baan",
            f"{format_number(realised, 2)} banen",
            p.constant_sources("job_hours_per_year"),
        )
        if hours > annual:
            t.note("Let op: de uren van de doelgroep zijn meer dan alle verloonde uren samen. Kloppen de getallen?")
        return realised

    counted = [r for r in q.target_group if r.relation in ("own", "hired")]
    sroi = [r for r in q.target_group if r.relation == "sroi"]
    if not q.target_group:
        t.note("U gaf geen mensen uit de doelgroep op. Wij rekenen met 0 gerealiseerde banen.")
    total = sum((r.count * Fraction(r.hours_per_week) for r in counted), Fraction(0))
    realised = total / p.job_hours_per_week
    parts = " + ".join(f"{r.count} × {format_number(r.hours_per_week)} uur" for r in counted) or "0 uur"
    formula = f"({parts}) ÷ {job_week}" if len(counted) > 1 else f"{parts} ÷ {job_week}"
    ids = list(job_ids)
    if any(r.relation == "hired" for r in counted):
        ids += ["wfsv_2024_38g"]
    t.step("Gerealiseerde banen", formula, f"{format_number(realised, 2)} banen", ids)
    if any(r.relation == "hired" for r in counted):
        t.note(
            "Ingeleende mensen uit de doelgroep (uitzendkrachten en Wsw-detacheringen) tellen mee bij u:"
            " de werkgever waar zij echt werken.",
            ["wfsv_2024_38g"],
        )
    if sroi:
        sroi_hours = sum((r.count * Fraction(r.hours_per_week) for r in sroi), Fraction(0))
        sroi_parts = " + ".join(f"{r.count} × {format_number(r.hours_per_week)} uur" for r in sroi)
        t.step(
            "Banen via social return (SROI)",
            f"{sroi_parts} ÷ {job_week} = {format_number(sroi_hours / p.job_hours_per_week, 2)} banen",
            "telt niet mee voor uw quotum",
            ["seed001_sroi"],
        )
        t.note(
            "Banen via social return (SROI) bij een leverancier tellen niet mee voor het quotum van de overheid."
            " Die banen tellen voor de banenafspraak mee bij de markt: bij de leverancier.",
            ["seed001_sroi"],
        )
    own_hours = sum((r.count * Fraction(r.hours_per_week) for r in counted if r.relation == "own"), Fraction(0))
    if own_hours > weekly:
        t.note(
            "Let op: de uren van uw eigen mensen uit de doelgroep zijn meer dan de uren van al uw werknemers"
            " samen. Kloppen de getallen?"
        )
    return realised


def calculate_quota(q: QuotaInput) -> dict:
    """Compute liability, required and realised jobs, tekort and the (never levied) heffing, with steps and sources."""
    p = load_params()
    t = _Trace(p)
    weekly, annual = _weekly_hours(q, p, t)
    liable, reason = _liability(q, annual, p, t)
    percentage, pct_ids = _percentage(q, p, t)
    job_week = format_number(p.job_hours_per_week)

    required: Fraction | None = None
    if percentage is not None:
        candidate = Fraction(percentage) / 100 * weekly / p.job_hours_per_week
        pct_label = "zelf gekozen" if q.assumed_quota_percentage is not None else str(q.year)
        if liable:
            origin = "door u gekozen aanname" if q.assumed_quota_percentage is not None else "gevonden percentage"
            t.step(f"Quotumpercentage ({pct_label})", origin, f"{format_number(percentage)}%", pct_ids)
            required = candidate
            t.step(
                "Verplichte banen (quotum)",
                f"{format_number(percentage)}% × {format_number(weekly)} uur per week ÷ {job_week}",
                f"{format_number(required, 2)} banen",
                ["wfsv_2024_38g", *p.constant_sources("job_hours_per_week")],
            )
        else:
            t.note(
                f"Ter informatie: als u wel onder de quotumregeling zou vallen, zou uw quotum"
                f" {format_number(candidate, 2)} banen zijn ({format_number(percentage)}% × {format_number(weekly)}"
                f" uur per week ÷ {job_week})."
            )

    realised = _realised(q, weekly, annual, p, t)

    shortfall: Decimal | None = None
    levy: Decimal | None = None
    if required is not None:
        shortfall = floor_to_one_decimal(max(Fraction(0), required - realised))
        t.step(
            "Quotumtekort",
            f"{format_number(required, 2)} − {format_number(realised, 2)}, niet lager dan 0, naar beneden"
            " afgerond op één decimaal (gerekend met de niet-afgeronde getallen)",
            f"{format_number(shortfall, 1)} banen",
            p.constant_sources("shortfall_rounding"),
        )
        levy = round_half_up(Fraction(shortfall) * p.levy_per_job, 2)
        t.step(
            "Quotumheffing (rekenvoorbeeld)",
            f"{format_number(shortfall, 1)} × {format_euro(p.levy_per_job)}",
            format_euro(levy),
            p.constant_sources("levy_per_job_eur"),
        )

    levy_status = p.levy_years[q.year]
    if q.sector == "overheid":
        reason_entry = p.levy_reasons[levy_status["reason"]]
        if levy is not None:
            t.note("De quotumheffing hierboven is alleen een rekenvoorbeeld. De heffing is nooit opgelegd.")
        t.note(" ".join(str(reason_entry["text"]).split()), list(reason_entry.get("sources", [])))

    return {
        "year": q.year,
        "sector": q.sector,
        "liable": liable,
        "liable_reason": reason,
        "quota_percentage": float(percentage) if percentage is not None else None,
        "required_jobs": float(round_half_up(required, 2)) if required is not None else None,
        "realised_jobs": float(round_half_up(realised, 2)),
        "shortfall": float(shortfall) if shortfall is not None else None,
        "levy_eur": int(levy) if levy is not None else None,
        "levy_levied": bool(levy_status["levied"]),
        "notes": t.notes,
        "steps": t.steps,
        "sources": t.sources(),
    }


# --------------------------------------------------------------------------- text


def _jobs_text(value: float | None, places: int) -> str:
    """A jobs number in Dutch notation, or 'niet berekend'."""
    return "niet berekend" if value is None else f"{format_number(Decimal(str(value)), places)} banen"


def format_quota_text(result: dict) -> str:
    """Readable Dutch (B1) text of a calculate_quota result, with every step, for the CLI and the chat."""
    year, sector = result["year"], result["sector"]
    liable = {True: "Ja.", False: "Nee.", None: "Dat weten wij niet zeker."}[result["liable"]]
    lines = [f"Quotumberekening {year}, sector {sector}", ""]
    lines.append(f"Valt u onder de quotumregeling? {liable} {result['liable_reason']}")
    pct = result["quota_percentage"]
    active_from = load_params().activation["overheid"]["active_from"]
    if sector == "markt":
        lines.append("Quotumpercentage: geen (de quotumregeling is voor de markt nooit ingegaan).")
    elif year < active_from:
        lines.append(f"Quotumpercentage {year}: geen (het quotum geldt voor de overheid pas sinds {active_from}).")
    elif pct is None:
        lines.append(f"Quotumpercentage {year}: niet bekend.")
    else:
        lines.append(f"Quotumpercentage {year}: {format_number(Decimal(str(pct)))}%.")
    lines += ["", "Zo rekenen wij:"]
    for i, step in enumerate(result["steps"], 1):
        lines.append(f"{i}. {step['label']}: {step['value']}")
        if step["formula"]:
            lines.append(f"   Berekening: {step['formula']}")
        lines.append(f"   Bron: {step['source']}")
    lines += ["", "Uitkomst:"]
    lines.append(f"- Verplichte banen (quotum): {_jobs_text(result['required_jobs'], 2)}")
    lines.append(f"- Gerealiseerde banen: {_jobs_text(result['realised_jobs'], 2)}")
    lines.append(f"- Quotumtekort: {_jobs_text(result['shortfall'], 1)}")
    if result["levy_eur"] is None:
        lines.append("- Quotumheffing: niet berekend.")
    else:
        levied = "" if result["levy_levied"] else " Deze heffing is niet opgelegd."
        lines.append(f"- Quotumheffing (rekenvoorbeeld): {format_euro(result['levy_eur'])}.{levied}")
    if result["notes"]:
        lines += ["", "Let op:"]
        lines += [f"- {note}" for note in result["notes"]]
    if result["sources"]:
        lines += ["", "Bronnen:"]
        for src in result["sources"]:
            url = f" {src['url']}" if src.get("url") else ""
            lines.append(f"- {src['title']} ({src['publisher']}, {src['date']}; {src['locator']}).{url}")
    return "\n".join(lines)
