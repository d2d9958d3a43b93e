"""Quota calculator: the §8.2 worked examples of the fact sheet (exact values), the traps, validation and parameters."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from assistant.quota import (
    PARAMS_PATH,
    QuotaInput,
    QuotaInputError,
    calculate_quota,
    floor_to_one_decimal,
    format_number,
    format_quota_text,
    load_params,
    parse_dutch_number,
    parse_quota_request,
    quota_percentage_for,
)

RESULT_KEYS = {
    "year",
    "sector",
    "liable",
    "liable_reason",
    "quota_percentage",
    "required_jobs",
    "realised_jobs",
    "shortfall",
    "levy_eur",
    "levy_levied",
    "notes",
    "steps",
    "sources",
}
JOB_HOURS_PER_YEAR_VIA_WEEKS = Decimal("25.5") * Decimal("52.2")  # 1.331,1: R = q × A ÷ 52,2 ÷ 25,5


def calc(**data) -> dict:
    """Validate and calculate in one go."""
    return calculate_quota(parse_quota_request(data))


def numbers(result: dict) -> tuple:
    """(R, Z, T, levy) of a result."""
    return result["required_jobs"], result["realised_jobs"], result["shortfall"], result["levy_eur"]


def rows(*specs) -> list[dict]:
    """Target-group rows from (count, hours[, relation]) tuples."""
    return [{"count": s[0], "hours_per_week": s[1], "relation": s[2] if len(s) > 2 else "own"} for s in specs]


def text_of(result: dict) -> str:
    """All notes and the reason as one string, for wording checks."""
    return " ".join([result["liable_reason"], *result["notes"]])


# --------------------------------------------------------------------------- §8.2 worked examples, exact values

# (example number, input, R, Z, T, levy) — R and Z to 2 decimals, T floored to 1 decimal, levy T × € 5.000.
EXAMPLES = [
    (1, dict(year=2022, sector="overheid", fte=300, hours_per_week=38), 12.03, 0.00, 12.0, 60_000),
    # #2 and #3: the 2023 percentage is unknown, so the calculator only reproduces them with an explicit
    # assumed percentage (lower bound 2,69 / 2024 value 2,76 as the fact sheet states); see test_2023_unknown.
    (
        2,
        dict(year=2023, sector="overheid", fte=320, hours_per_week=38, assumed_quota_percentage="2,69"),
        12.83,
        0.00,
        12.8,
        64_000,
    ),
    (
        3,
        dict(year=2023, sector="overheid", fte=320, hours_per_week=38, assumed_quota_percentage="2,76"),
        13.16,
        0.00,
        13.1,
        65_500,
    ),
    (4, dict(year=2022, sector="overheid", fte=300, hours_per_week=36), 11.39, 0.00, 11.3, 56_500),
    (5, dict(year=2022, sector="overheid", fte=300, hours_per_week=40), 12.66, 0.00, 12.6, 63_000),
    (
        11,
        dict(year=2022, sector="overheid", fte=30, hours_per_week=36, target_group=rows((1, 20))),
        1.14,
        0.78,
        0.3,
        1_500,
    ),
    (
        13,
        dict(year=2024, sector="overheid", fte=60, hours_per_week=38, target_group=rows((2, 24))),
        2.47,
        1.88,
        0.5,
        2_500,
    ),
    (
        14,
        dict(year=2022, sector="overheid", fte=60, hours_per_week=36, target_group=rows((3, 30))),
        2.28,
        3.53,
        0.0,
        0,
    ),
    (
        16,
        dict(year=2024, sector="overheid", fte=22, hours_per_week=36, previous_year_annual_hours=41_000),
        0.86,
        0.00,
        0.8,
        4_000,
    ),
    (
        17,
        dict(year=2024, sector="overheid", fte=320, hours_per_week=38, target_group=rows((10, "25,5"))),
        13.16,
        10.00,
        3.1,
        15_500,
    ),
    (
        18,
        dict(year=2024, sector="overheid", fte="1.000", hours_per_week=36, target_group=rows((30, 20))),
        38.96,
        23.53,
        15.4,
        77_000,
    ),
    (19, dict(year=2018, sector="overheid", fte=1000, hours_per_week=40), 30.27, 0.00, 30.2, 151_000),
    (
        20,
        dict(year=2018, sector="overheid", fte=1000, hours_per_week=40, target_group=rows((25, 30))),
        30.27,
        29.41,
        0.8,
        4_000,
    ),
    (
        21,
        dict(
            year=2024,
            sector="overheid",
            fte=300,
            hours_per_week=38,
            target_group=rows((4, 25.5, "own"), (3, 20, "hired")),
        ),
        12.34,
        6.35,
        5.9,
        29_500,
    ),
    (
        22,
        dict(
            year=2024,
            sector="overheid",
            fte=300,
            hours_per_week=38,
            target_group=rows((4, 25.5, "own"), (3, 20, "sroi")),
        ),
        12.34,
        4.00,
        8.3,
        41_500,
    ),
    (
        23,
        dict(year=2024, sector="overheid", annual_hours=100_000, target_group_annual_hours=1_331),
        2.07,
        1.00,
        1.0,
        5_000,
    ),
    (
        24,
        dict(year=2024, sector="overheid", fte=100, hours_per_week=36, target_group=rows((2, 18))),
        3.90,
        1.41,
        2.4,
        12_000,
    ),
]


@pytest.mark.parametrize(("number", "data", "required", "realised", "shortfall", "levy"), EXAMPLES)
def test_worked_example_exact(number, data, required, realised, shortfall, levy):
    result = calc(**data)
    assert result["liable"] is True, number
    assert numbers(result) == (required, realised, shortfall, levy), number
    assert result["levy_levied"] is False


def test_example_12_market_never_activated():
    result = calc(year=2022, sector="markt", fte=30, hours_per_week=36, target_group=rows((1, 20)))
    assert result["liable"] is False
    assert result["quota_percentage"] is None
    assert numbers(result) == (None, 0.78, None, None)
    assert "nooit" in text_of(result)
    assert "markt" in result["liable_reason"]


def test_example_15_below_threshold():
    # 20 fte × 38 h = 760 h/week ⇒ 39.672 h/year < 40.575: not liable; the quotum (0,82) is shown only as information.
    result = calc(year=2024, sector="overheid", fte=20, hours_per_week=38)
    assert result["liable"] is False
    assert "39.672" in result["liable_reason"] and "40.575" in result["liable_reason"]
    assert numbers(result) == (None, 0.00, None, None)
    assert any("0,82" in note for note in result["notes"])


def test_example_16_hours_not_heads_decide():
    # 22 fte (fewer than 25 people) but 41.342,4 h/year ≥ 40.575: liable.
    result = calc(year=2024, sector="overheid", fte=22, hours_per_week=36)
    assert result["liable"] is True
    assert any("41.342,4" in step["formula"] for step in result["steps"])
    assert any("2023" in note and "40.575" in note for note in result["notes"])  # prior year assumed


def test_example_25_year_2026_percentage_unknown_and_new_regime():
    result = calc(year=2026, sector="overheid", fte=300, hours_per_week=38)
    assert result["liable"] is True
    assert result["quota_percentage"] is None
    assert numbers(result)[0] is None and numbers(result)[2:] == (None, None)
    notes = text_of(result)
    assert "2026" in notes and "ander jaar" in notes
    assert "122na" in notes and "tekst 2026" in notes and "artikel 2 van de Wet banenafspraak" in notes
    assert "inclusiviteitsopslag" in notes


def test_example_10_one_job_unit():
    # 25,5 h/week is one job; 110,92 h/month × 12 = 1.331,04 h/year is one job too.
    weekly = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, target_group=rows((1, "25,5")))
    yearly = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, target_group_annual_hours="1.331,04")
    assert weekly["realised_jobs"] == 1.00
    assert yearly["realised_jobs"] == 1.00


# #6–#9 are given in the sources as jobs (doel/quotum and realisatie), not as hours. The calculator takes hours,
# so each is entered as annual hours that reproduce the source's jobs: A = R × 1.331,1 ÷ q (rounded up to a whole
# hour, so R shows as the source value) and C = Z × 1.331. #7–#9 are 2022 and use the real 2,69%. #8, #9 are
# sector aggregates, not one employer (fact sheet §7); they test the arithmetic only. #6 (Tilburg University,
# 2019) has no known 2019 percentage; it is entered with an explicit assumed 1% (any q works, because only
# q × A matters), which the result flags as an assumption.
AGGREGATES = [
    (7, 2022, None, "5144", "3749", 5144.00, 3749.00, 1395.0, 6_975_000),
    (8, 2022, None, "763", "418.7", 763.00, 418.70, 344.3, 1_721_500),
    (9, 2022, None, "4725", "6490", 4725.00, 6490.00, 0.0, 0),
    (6, 2019, "1", "56.3", "36.2", 56.30, 36.20, 20.1, 100_500),
]


@pytest.mark.parametrize(
    ("number", "year", "assumed", "required_src", "realised_src", "required", "realised", "shortfall", "levy"),
    AGGREGATES,
)
def test_worked_examples_given_as_jobs(
    number, year, assumed, required_src, realised_src, required, realised, shortfall, levy
):
    q = Decimal(assumed or quota_percentage_for("overheid", year)) / 100
    annual = math.ceil(Decimal(required_src) * JOB_HOURS_PER_YEAR_VIA_WEEKS / q)
    data = dict(
        year=year,
        sector="overheid",
        annual_hours=annual,
        target_group_annual_hours=str(Decimal(realised_src) * 1331),
    )
    if assumed:
        data["assumed_quota_percentage"] = assumed
    result = calc(**data)
    assert numbers(result) == (required, realised, shortfall, levy), number


def test_example_6_without_assumption_has_no_2019_quotum():
    result = calc(year=2019, sector="overheid", annual_hours=7_494_093, target_group_annual_hours="48.182,2")
    assert result["quota_percentage"] is None
    assert numbers(result) == (None, 36.20, None, None)


# --------------------------------------------------------------------------- traps


def test_2023_unknown_percentage_is_not_borrowed():
    result = calc(year=2023, sector="overheid", fte=320, hours_per_week=38)
    assert result["liable"] is True
    assert result["quota_percentage"] is None  # not 2,69 (2022) and not 2,76 (2024)
    assert numbers(result) == (None, 0.0, None, None)
    assert any("2023" in note and "niet gevonden" in note and "ander jaar" in note for note in result["notes"])


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2023, 2025, 2026, 2027, 2030])
def test_years_without_a_found_percentage(year):
    assert quota_percentage_for("overheid", year) is None
    assert calc(year=year, sector="overheid", fte=300, hours_per_week=38)["quota_percentage"] is None


def test_found_percentages():
    assert quota_percentage_for("overheid", 2018) == Decimal("1.93")
    assert quota_percentage_for("overheid", 2022) == Decimal("2.69")
    assert quota_percentage_for("overheid", 2024) == Decimal("2.76")
    assert all(quota_percentage_for("markt", year) is None for year in range(2015, 2031))


def test_assumed_percentage_is_flagged():
    result = calc(year=2023, sector="overheid", fte=320, hours_per_week=38, assumed_quota_percentage=2.69)
    assert result["quota_percentage"] == 2.69
    assert any("aanname" in note and "niet gevonden" in note for note in result["notes"])
    known = calc(year=2024, sector="overheid", fte=320, hours_per_week=38, assumed_quota_percentage=3)
    assert any("2,76%" in note for note in known["notes"])


def test_previous_year_below_threshold_is_not_liable():
    result = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, previous_year_annual_hours="39.000")
    assert result["liable"] is False
    assert "2023" in result["liable_reason"] and "39.000" in result["liable_reason"]
    assert numbers(result) == (None, 0.0, None, None)


def test_previous_year_assumed_when_not_given():
    result = calc(year=2024, sector="overheid", fte=300, hours_per_week=38)
    assert any("Wij gaan ervan uit" in note for note in result["notes"])
    given = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, previous_year_annual_hours=600_000)
    assert not any("Wij gaan ervan uit" in note for note in given["notes"])


def test_threshold_is_inclusive():
    # 40.575 / 52,2 = 777,29 h/week; annual input exactly at the threshold is liable.
    assert calc(year=2024, sector="overheid", annual_hours=40_575)["liable"] is True
    assert calc(year=2024, sector="overheid", annual_hours="40.574,9")["liable"] is False


def test_sroi_never_counts_and_says_why():
    result = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, target_group=rows((3, 20, "sroi")))
    assert result["realised_jobs"] == 0.0
    assert any("social return" in note and "markt" in note for note in result["notes"])
    assert any(src["locator"].startswith("001_dfffd999890bd244.txt, r. 73-78") for src in result["sources"])


def test_hired_counts_at_the_hiring_employer():
    result = calc(year=2024, sector="overheid", fte=300, hours_per_week=38, target_group=rows((3, 20, "hired")))
    assert result["realised_jobs"] == 2.35
    assert any("uitzendkrachten" in note and "Wsw" in note for note in result["notes"])
    assert any("38g" in src["title"] for src in result["sources"])


def test_2018_postponement_reason():
    result = calc(year=2018, sector="overheid", fte=1000, hours_per_week=40)
    assert result["levy_levied"] is False
    assert result["levy_eur"] == 151_000
    assert any("uitgesteld" in note and "34 956" in note for note in result["notes"])


def test_2019_to_2025_reason_is_wfsv_122na_text_2024():
    for year in (2019, 2022, 2024, 2025):
        notes = text_of(calc(year=year, sector="overheid", fte=300, hours_per_week=38))
        assert "122na" in notes and "tekst 2024" in notes and "1 januari 2026" in notes


def test_before_2018_quotum_not_activated():
    for year in (2015, 2016, 2017):
        result = calc(year=year, sector="overheid", fte=300, hours_per_week=38)
        assert result["liable"] is False
        assert "quotum nog niet geactiveerd" in result["liable_reason"]
        assert result["quota_percentage"] is None
        assert numbers(result) == (None, 0.0, None, None)
        assert result["levy_levied"] is False


def test_levy_never_levied_any_year():
    for year in range(2015, 2031):
        for sector in ("overheid", "markt"):
            assert calc(year=year, sector=sector, fte=300, hours_per_week=38)["levy_levied"] is False


def test_shortfall_floor_is_decimal_safe():
    # 25 × 40 h = 1.000 h/week; 2,76% × 1.000 − 19,95 = 7,65 = exactly 0,3 job. Float arithmetic gives 0,2999….
    assert 0.0276 * 1000 / 25.5 - 19.95 / 25.5 < 0.3
    result = calc(year=2024, sector="overheid", employees=25, hours_per_week=40, target_group=rows((1, "19,95")))
    assert result["shortfall"] == 0.3
    assert result["levy_eur"] == 1_500


def test_floor_to_one_decimal():
    assert floor_to_one_decimal(Decimal("2.48")) == Decimal("2.4")
    assert floor_to_one_decimal(Fraction(30666, 2550)) == Decimal("12.0")  # 12,0259 → 12,0
    assert floor_to_one_decimal(Decimal("56.3") - Decimal("36.2")) == Decimal("20.1")
    assert floor_to_one_decimal(Fraction(3, 10)) == Decimal("0.3")
    assert floor_to_one_decimal(0) == Decimal("0.0")


def test_over_fulfilment_gives_zero_shortfall():
    result = calc(year=2022, sector="overheid", fte=60, hours_per_week=36, target_group=rows((3, 30)))
    assert result["shortfall"] == 0.0 and result["levy_eur"] == 0


def test_employees_input_and_its_note():
    result = calc(year=2024, sector="overheid", employees=300, hours_per_week=38)
    assert result["required_jobs"] == 12.34
    assert any("medewerkers" in note and "fte" in note for note in result["notes"])


def test_no_target_group_note():
    result = calc(year=2024, sector="overheid", fte=300, hours_per_week=38)
    assert any("geen mensen uit de doelgroep" in note for note in result["notes"])


def test_implausible_target_hours_warn():
    result = calc(year=2024, sector="overheid", fte=10, hours_per_week=36, target_group=rows((20, 36)))
    assert any("Kloppen de getallen" in note for note in result["notes"])


# --------------------------------------------------------------------------- result shape and text


def test_result_shape():
    result = calc(**EXAMPLES[13][1])  # #21
    assert set(result) == RESULT_KEYS
    assert result["year"] == 2024 and result["sector"] == "overheid"
    assert result["quota_percentage"] == 2.76
    assert isinstance(result["levy_eur"], int)
    for step in result["steps"]:
        assert set(step) == {"label", "formula", "value", "source"}
        assert step["label"] and step["value"] and step["source"]
    for src in result["sources"]:
        assert {"title", "publisher", "date", "locator"} <= set(src) <= {"title", "publisher", "date", "locator", "url"}
    labels = [step["label"] for step in result["steps"]]
    assert "Verplichte banen (quotum)" in labels and "Quotumtekort" in labels
    assert "Quotumheffing (rekenvoorbeeld)" in labels


def test_result_is_json_serialisable():
    import json

    json.dumps(calc(**EXAMPLES[13][1]))


def test_format_quota_text():
    text = format_quota_text(calc(**EXAMPLES[13][1]))
    assert "Quotumberekening 2024, sector overheid" in text
    assert "Quotumpercentage 2024: 2,76%" in text
    assert "12,34 banen" in text and "6,35 banen" in text and "5,9 banen" in text
    assert "€ 29.500" in text and "niet opgelegd" in text
    assert "Bron:" in text and "Wfsv art. 38h lid 4" in text
    assert "https://wetten.overheid.nl/" in text


def test_format_quota_text_market_and_unknown():
    market = format_quota_text(calc(year=2022, sector="markt", fte=30, hours_per_week=36))
    assert "Nee." in market and "nooit ingegaan" in market and "niet berekend" in market
    unknown = format_quota_text(calc(year=2023, sector="overheid", fte=300, hours_per_week=38))
    assert "Quotumpercentage 2023: niet bekend" in unknown


def test_format_number_dutch():
    assert format_number(Decimal("1200")) == "1.200"
    assert format_number(Decimal("25.5")) == "25,5"
    assert format_number(Fraction(1203, 100), 2) == "12,03"
    assert format_number(Decimal("595080.0")) == "595.080"


# --------------------------------------------------------------------------- validation


def test_dutch_number_strings():
    q = parse_quota_request(
        {"year": "2024", "sector": "Overheid", "fte": "1.200", "hours_per_week": "25,5", "target_group": []}
    )
    assert isinstance(q, QuotaInput)
    assert q.fte == Decimal("1200") and q.hours_per_week == Decimal("25.5")
    assert parse_dutch_number("1.200,5") == Decimal("1200.5")
    assert parse_dutch_number("25.5") == Decimal("25.5")
    assert parse_dutch_number("veel") is None


def test_empty_strings_and_none_count_as_absent():
    q = parse_quota_request(
        {"year": 2024, "sector": "overheid", "fte": 300, "hours_per_week": 38, "employees": "", "annual_hours": None}
    )
    assert q.fte == Decimal(300) and q.employees is None


def test_relation_aliases():
    q = parse_quota_request(
        {"year": 2024, "sector": "overheid", "fte": 300, "hours_per_week": 38, "target_group": rows((1, 20, "eigen"))}
    )
    assert q.target_group[0].relation == "own"


BASE = {"year": 2024, "sector": "overheid", "fte": 300, "hours_per_week": 38}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fte": "veel"}, "fte"),
        ({"fte": -5}, "fte"),
        ({"fte": 0}, "fte"),
        ({"fte": 2_000_000}, "fte"),
        ({"fte": True}, "fte"),
        ({"fte": float("nan")}, "fte"),
        ({"fte": "NaN"}, "fte"),
        ({"fte": float("inf")}, "fte"),
        ({"fte": {"a": 1}}, "fte"),
        ({"fte": [300]}, "fte"),
        ({"fte": "3" * 100}, "fte"),
        ({"year": 1850}, "year"),
        ({"year": 2031}, "year"),
        ({"year": True}, "year"),
        ({"year": "vorig jaar"}, "year"),
        ({"year": 2024.5}, "year"),
        ({"year": None}, "year"),
        ({"sector": "gemeente"}, "sector"),
        ({"sector": 1}, "sector"),
        ({"sector": None}, "sector"),
        ({"hours_per_week": 61}, "hours_per_week"),
        ({"hours_per_week": -1}, "hours_per_week"),
        ({"hours_per_week": None}, "hours_per_week"),
        ({"employees": 45}, "employees"),
        ({"fte": None}, "fte"),
        ({"fte": None, "employees": 12.5}, "employees"),
        ({"fte": None, "hours_per_week": None, "annual_hours": 3e9}, "annual_hours"),
        ({"fte": None, "annual_hours": 100_000}, "hours_per_week"),
        ({"target_group": "vier mensen"}, "target_group"),
        ({"target_group": rows(*[(1, 20)] * 201)}, "target_group"),
        ({"target_group": [5]}, "target_group[0]"),
        ({"target_group": [{"count": [1], "hours_per_week": 20}]}, "target_group[0].count"),
        ({"target_group": [{"count": 0, "hours_per_week": 20}]}, "target_group[0].count"),
        ({"target_group": [{"count": 1.5, "hours_per_week": 20}]}, "target_group[0].count"),
        ({"target_group": [{"count": 100_001, "hours_per_week": 20}]}, "target_group[0].count"),
        ({"target_group": [{"count": 1, "hours_per_week": 70}]}, "target_group[0].hours_per_week"),
        ({"target_group": [{"count": 1}]}, "target_group[0].hours_per_week"),
        ({"target_group": [{"count": 1, "hours_per_week": 20, "relation": "vriend"}]}, "target_group[0].relation"),
        ({"target_group": [{"count": 1, "hours_per_week": 20, "extra": {"x": 1}}]}, "target_group[0].extra"),
        ({"target_group": rows((1, 20)), "target_group_annual_hours": 100}, "target_group_annual_hours"),
        ({"target_group_annual_hours": -1}, "target_group_annual_hours"),
        ({"previous_year_annual_hours": "heel veel"}, "previous_year_annual_hours"),
        ({"assumed_quota_percentage": 0}, "assumed_quota_percentage"),
        ({"onbekend": 1}, "onbekend"),
    ],
)
def test_validation_errors_name_the_field(change, field):
    data = {**BASE, **change}
    with pytest.raises(QuotaInputError) as info:
        parse_quota_request(data)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    assert info.value.message.endswith(".")
    assert info.value.message[0].isupper()


def test_validation_message_examples():
    with pytest.raises(QuotaInputError) as info:
        parse_quota_request({**BASE, "fte": "veel"})
    assert info.value.message == "Vul een getal in voor fte."
    with pytest.raises(QuotaInputError) as info:
        parse_quota_request({**BASE, "year": 1850})
    assert "2015" in info.value.message and "2030" in info.value.message
    with pytest.raises(QuotaInputError) as info:
        parse_quota_request({**BASE, "target_group": rows(*[(1, 20)] * 201)})
    assert "200" in info.value.message


def test_not_a_dict():
    with pytest.raises(QuotaInputError) as info:
        parse_quota_request(["year", 2024])  # type: ignore[arg-type]
    assert info.value.field == "data"


# --------------------------------------------------------------------------- parameters file


def test_params_file_is_complete_and_sourced():
    raw = yaml.safe_load(PARAMS_PATH.read_text(encoding="utf-8"))
    params = load_params()
    assert params.threshold == 40_575 and params.levy_per_job == 5_000
    assert params.job_hours_per_week == Fraction(51, 2) and params.job_hours_per_year == 1_331
    assert raw["constants"]["weeks_per_year"]["derived"] is True
    assert raw["constants"]["shortfall_rounding"] == {**raw["constants"]["shortfall_rounding"], "mode": "down"}
    assert raw["quota_percentages"]["markt"] is None
    assert raw["quota_activation"]["markt"]["active_from"] is None
    assert raw["quota_activation"]["overheid"]["active_from"] == 2018
    found = {y: e["value"] for y, e in raw["quota_percentages"]["overheid"].items() if e["value"] is not None}
    assert found == {2018: "1.93", 2022: "2.69", 2024: "2.76"}
    for year, entry in raw["quota_percentages"]["overheid"].items():
        if entry["value"] is None:
            assert entry["note"].startswith("niet gevonden"), year
        else:
            assert entry["sources"], year
    assert sorted(raw["levy_status"]["years"]) == list(range(2015, 2031))
    assert all(entry["levied"] is False for entry in raw["levy_status"]["years"].values())
    for key, src in raw["sources"].items():
        assert {"title", "publisher", "date", "locator"} <= set(src), key
        if src["publisher"] == "wetten.overheid.nl":
            assert src["url"].startswith("https://wetten.overheid.nl/"), key
    assert "Artikel2.21" in raw["sources"]["besluit_wfsv_2_21"]["url"]
