"""Natural-language quota questions: parsing Dutch phrasings, missing fields, clarification and routing."""

import pytest

from assistant.quota import calculate_quota, parse_quota_request
from assistant.quota_parse import (
    clarification_question,
    looks_like_quota_question,
    parse_quota_question,
    to_number,
)


def own(count, hours):
    return {"count": count, "hours_per_week": hours, "relation": "own"}


def hired(count, hours):
    return {"count": count, "hours_per_week": hours, "relation": "hired"}


def sroi(count, hours):
    return {"count": count, "hours_per_week": hours, "relation": "sroi"}


GOV = {"sector": "overheid"}

# (question, expected inputs) — all complete, so missing must be [].
PHRASINGS = [
    (
        "gemeente, 300 fte van 38 uur, 2022, 4 mensen uit de doelgroep van 20 uur — hoeveel banen moeten we hebben?",
        {**GOV, "year": 2022, "fte": 300, "hours_per_week": 38, "target_group": [own(4, 20)]},
    ),
    (
        "Wij zijn een provincie met 1.200 fte (36-urige werkweek). Hoeveel banen moeten we in 2024 hebben?",
        {**GOV, "year": 2024, "fte": 1200, "hours_per_week": 36},
    ),
    (
        "Waterschap, 60 fte van 38 uur, in 2024, 2 × 24 uur uit de doelgroep. Wat is ons tekort?",
        {**GOV, "year": 2024, "fte": 60, "hours_per_week": 38, "target_group": [own(2, 24)]},
    ),
    (
        "Ons bedrijf heeft 45 medewerkers van 36 uur. Hoeveel banen moeten we in 2022 hebben?",
        {"sector": "markt", "year": 2022, "employees": 45, "hours_per_week": 36},
    ),
    (
        "Een gemeente met 300 fte van 38 uur in 2024 heeft 4 eigen medewerkers uit de doelgroep van 25,5 uur en "
        "3 uitzendkrachten uit de doelgroep van 20 uur. Hoe hoog is de heffing?",
        {**GOV, "year": 2024, "fte": 300, "hours_per_week": 38, "target_group": [own(4, 25.5), hired(3, 20)]},
    ),
    (
        "Gemeente, 300 fte van 38 uur, 2024. Wij hebben 4 mensen uit de doelgroep van 25,5 uur en 3 mensen van "
        "20 uur via social return. Wat is ons quotum?",
        {**GOV, "year": 2024, "fte": 300, "hours_per_week": 38, "target_group": [own(4, 25.5), sroi(3, 20)]},
    ),
    (
        "Wat is het quotum voor een universiteit met 1000 fte van 36u in 2024 met 30 mensen uit de doelgroep die "
        "elk 20 uur werken?",
        {**GOV, "year": 2024, "fte": 1000, "hours_per_week": 36, "target_group": [own(30, 20)]},
    ),
    (
        "Quotumheffing voor de overheid in 2024 bij 100.000 verloonde uren en 1.331 verloonde uren van de doelgroep?",
        {**GOV, "year": 2024, "annual_hours": 100000, "target_group_annual_hours": 1331},
    ),
    (
        "Ministerie, twintig fte van 38 uur, 2024: hoeveel banen?",
        {**GOV, "year": 2024, "fte": 20, "hours_per_week": 38},
    ),
    (
        "Hoe hoog is de quotumheffing voor een hogeschool met vijfentwintig fte van 38 uur in 2024?",
        {**GOV, "year": 2024, "fte": 25, "hours_per_week": 38},
    ),
    (
        "Wij hebben 30 man personeel, 40-urige werkweek, gemeente. Hoeveel banen moeten we hebben in 2022?",
        {**GOV, "year": 2022, "employees": 30, "hours_per_week": 40},
    ),
    (
        "Defensieonderdeel 2018, 1.000 fte van 40 uur, 25 mensen met een arbeidsbeperking van 30 uur: tekort?",
        {**GOV, "year": 2018, "fte": 1000, "hours_per_week": 40, "target_group": [own(25, 30)]},
    ),
    (
        "Bij 300 fte van 38 uur in 2023, hoe hoog is de boete voor een gemeente?",
        {**GOV, "year": 2023, "fte": 300, "hours_per_week": 38},
    ),
    (
        "Overheid 2024, 22 fte van 36 uur, vorig jaar 41.000 verloonde uren. Hoeveel banen?",
        {**GOV, "year": 2024, "fte": 22, "hours_per_week": 36, "previous_year_annual_hours": 41000},
    ),
    (
        "Gemeente, 2024, 22 fte van 36 uur, 39.000 verloonde uren in het vorige jaar. Heffing?",
        {**GOV, "year": 2024, "fte": 22, "hours_per_week": 36, "previous_year_annual_hours": 39000},
    ),
    (
        "Een BV met 50 medewerkers van 38 uur, hoeveel banen moet ik in 2024 hebben?",
        {"sector": "markt", "year": 2024, "employees": 50, "hours_per_week": 38},
    ),
    (
        "provincie 2024 300 fte 38 uur 2x24 uur en 1x20 uur doelgroep quotum?",
        {**GOV, "year": 2024, "fte": 300, "hours_per_week": 38, "target_group": [own(2, 24), own(1, 20)]},
    ),
    (
        "Gemeente, 2024, 100 fte van 36 uur, één medewerker uit de doelgroep van 20 uur. Hoeveel banen tekort?",
        {**GOV, "year": 2024, "fte": 100, "hours_per_week": 36, "target_group": [own(1, 20)]},
    ),
    (
        "Gemeente 2024 met 100 fte van 36 uur: 2 mensen uit de doelgroep van 18 uur en 1 van 30 uur. Quotum?",
        {**GOV, "year": 2024, "fte": 100, "hours_per_week": 36, "target_group": [own(2, 18), own(1, 30)]},
    ),
    (
        "Provincie, 2024, 300 fte van 38 uur, 3 gedetacheerden vanuit het sw-bedrijf van 20 uur. Wat is ons tekort?",
        {**GOV, "year": 2024, "fte": 300, "hours_per_week": 38, "target_group": [hired(3, 20)]},
    ),
    (
        "Hoeveel banen moet een gemeente hebben met 250 werknemers die 32 uur werken in 2022?",
        {**GOV, "year": 2022, "employees": 250, "hours_per_week": 32},
    ),
    (
        "Wij zijn een umc met 3.000 fte van 36 uur in 2024 en hebben 40 mensen uit de doelgroep van 25,5 uur. "
        "Hoeveel plekken moeten we nog invullen?",
        {**GOV, "year": 2024, "fte": 3000, "hours_per_week": 36, "target_group": [own(40, 25.5)]},
    ),
    (
        "Onze school heeft 60 fte, werkweek van 38 uur, 2024, en 2 mensen met een arbeidsbeperking van 24 uur. "
        "Wat is het tekort?",
        {**GOV, "year": 2024, "fte": 60, "hours_per_week": 38, "target_group": [own(2, 24)]},
    ),
    (
        "Overheid, 2024, 500.000 verloonde uren, doelgroep 2.662 uur per jaar: heffing?",
        {**GOV, "year": 2024, "annual_hours": 500000, "target_group_annual_hours": 2662},
    ),
    (
        "Gemeente 2022: 300 fte van 38 uur en 3 × 20 uur ingeleend via uitzendbureau, hoeveel banen?",
        {**GOV, "year": 2022, "fte": 300, "hours_per_week": 38, "target_group": [hired(3, 20)]},
    ),
    (
        "Hoeveel banen van 25,5 uur moet een gemeente met 300 fte van 36 uur in 2022 hebben?",
        {**GOV, "year": 2022, "fte": 300, "hours_per_week": 36},
    ),
    (
        "Ministerie in 2024: 320 fte à 38 uur, 10 medewerkers uit de doelgroep à 25,5 uur. Hoe groot is het tekort?",
        {**GOV, "year": 2024, "fte": 320, "hours_per_week": 38, "target_group": [own(10, 25.5)]},
    ),
    (
        "Wij hebben 12 mensen uit de doelgroep in dienst, die elk 20 uur werken; gemeente, 300 fte, 36 uur, 2024. "
        "Quotum?",
        {**GOV, "year": 2024, "fte": 300, "hours_per_week": 36, "target_group": [own(12, 20)]},
    ),
    (
        "Hoeveel mensen uit de doelgroep moet een politie-eenheid met 500 fte van 36 uur dit jaar hebben?",
        {**GOV, "year": 2026, "fte": 500, "hours_per_week": 36},
    ),
    (
        "Wat was ons quotum vorig jaar als gemeente met 300 fte van 38 uur?",
        {**GOV, "year": 2025, "fte": 300, "hours_per_week": 38},
    ),
    (
        "Rijksoverheid, 2024, 320 fte van 38 uur, geen mensen uit de doelgroep. Hoe hoog is de boete?",
        {**GOV, "year": 2024, "fte": 320, "hours_per_week": 38, "target_group": []},
    ),
    (
        "Waterschap 2024, 60 fte, 38 uur per week, 2 mensen uit de doelgroep van 24 uur. Quotumtekort?",
        {**GOV, "year": 2024, "fte": 60, "hours_per_week": 38, "target_group": [own(2, 24)]},
    ),
]


@pytest.mark.parametrize(("question", "expected"), PHRASINGS)
def test_phrasing_parsed(question, expected):
    inputs, missing = parse_quota_question(question, default_year=2026)
    assert inputs == expected
    assert missing == []
    parse_quota_request(inputs)  # every complete parse is valid calculator input


def test_enough_phrasings():
    assert len(PHRASINGS) >= 25


def test_brief_example_end_to_end():
    question = PHRASINGS[0][0]
    inputs, missing = parse_quota_question(question)
    assert missing == []
    result = calculate_quota(parse_quota_request(inputs))
    assert result["required_jobs"] == 12.03
    assert result["realised_jobs"] == 3.14
    assert result["shortfall"] == 8.8
    assert result["levy_eur"] == 44_000
    assert result["levy_levied"] is False


def test_example_21_end_to_end():
    question = (
        "Gemeente, 300 fte van 38 uur, 2024. Eigen mensen uit de doelgroep: 4 × 25,5 uur, "
        "ingeleend via een uitzendbureau: 3 × 20 uur. Hoeveel banen tekort?"
    )
    inputs, missing = parse_quota_question(question)
    assert missing == []
    assert inputs["target_group"] == [own(4, 25.5), hired(3, 20)]
    result = calculate_quota(parse_quota_request(inputs))
    assert (result["required_jobs"], result["realised_jobs"], result["shortfall"]) == (12.34, 6.35, 5.9)


# --------------------------------------------------------------------------- missing fields


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Gemeente met 300 fte van 38 uur. Hoeveel banen moeten we hebben?", ["year"]),
        ("Wat is het quotum van een gemeente met 300 fte van 38 uur dit jaar?", ["year"]),  # no default year
        ("Gemeente, 2024, 300 fte. Hoeveel banen?", ["hours_per_week"]),
        ("Wij hebben 300 fte van 38 uur. Hoeveel banen moeten we in 2024 hebben?", ["sector"]),
        ("Hoeveel banen moet een gemeente in 2024 hebben?", ["fte", "hours_per_week"]),
        ("Hoeveel banen moeten we hebben? We zijn een school met 80 fte.", ["year", "hours_per_week"]),
        (
            "Gemeente met 300 fte, 38 uur per week, in 2024, 4 mensen uit de doelgroep: wat is het tekort?",
            ["target_group_hours"],
        ),
        ("Wat is ons quotum?", ["year", "sector", "fte", "hours_per_week"]),
        ("Een bedrijf dat voor de gemeente werkt, 2024, 50 fte van 38 uur: hoeveel banen?", ["sector"]),
    ],
)
def test_missing_fields(question, missing):
    assert parse_quota_question(question)[1] == missing


def test_relative_years_use_the_default():
    question = "Gemeente met 300 fte van 38 uur, hoeveel banen moeten we {} hebben?"
    assert parse_quota_question(question.format("dit jaar"), default_year=2024)[0]["year"] == 2024
    assert parse_quota_question(question.format("volgend jaar"), default_year=2024)[0]["year"] == 2025
    assert "year" not in parse_quota_question(question.format("dit jaar"))[0]


def test_out_of_range_year_is_kept_for_validation():
    inputs, missing = parse_quota_question("Gemeente met 200 fte van 36 uur, hoeveel banen in 2035?")
    assert inputs["year"] == 2035 and missing == []
    with pytest.raises(ValueError):
        parse_quota_request(inputs)


def test_sector_words():
    for word in ("gemeente", "provincie", "waterschap", "ministerie", "politie", "defensie", "universiteit", "umc"):
        assert parse_quota_question(f"Wij zijn een {word}, 2024, 300 fte van 36 uur")[0]["sector"] == "overheid"
    for word in ("bedrijf", "onderneming", "winkel", "BV"):
        assert parse_quota_question(f"Wij zijn een {word}, 2024, 300 fte van 36 uur")[0]["sector"] == "markt"
    # the sw-bedrijf is where hired people come from, not the asker's sector
    question = "Provincie, 2024, 300 fte van 38 uur, 3 gedetacheerden van het sw-bedrijf van 20 uur"
    inputs, _ = parse_quota_question(question)
    assert inputs["sector"] == "overheid"


def test_number_words_and_notation():
    assert to_number("twintig") == 20
    assert to_number("vijfentwintig") == 25
    assert to_number("tweeëntwintig") == 22
    assert to_number("1.200") == 1200
    assert to_number("25,5") == 25.5


def test_clarification_question():
    assert clarification_question([]) == ""
    one = clarification_question(["year"])
    assert one.startswith("Om het quotum te berekenen") and "welk jaar" in one
    assert "hours" not in one
    several = clarification_question(["sector", "hours_per_week"])
    assert "1. " in several and "2. " in several
    assert "overheidswerkgever" in several and "uur per week" in several
    assert "jaar?" not in several.split("\n")[1]  # asks exactly for the listed fields, nothing else
    assert "fte" in clarification_question(["fte"])
    assert "doelgroep" in clarification_question(["target_group_hours"])


def test_empty_or_odd_text():
    assert parse_quota_question("") == ({}, ["year", "sector", "fte", "hours_per_week"])
    assert looks_like_quota_question("") is False
    assert looks_like_quota_question(None) is False  # type: ignore[arg-type]
    looks_like_quota_question("1" * 10_000 + " fte quotum")  # long input must not hang


# --------------------------------------------------------------------------- routing

QUOTA_QUESTIONS = [
    "gemeente, 300 fte van 38 uur, 2022, 4 mensen uit de doelgroep van 20 uur — hoeveel banen moeten we hebben?",
    "Wij zijn een provincie met 1.200 fte. Hoeveel banen moeten we in 2024 hebben?",
    "Hoe hoog is onze boete met 1.200 fte?",
    "Wat is ons quotum bij 100.000 verloonde uren in 2024?",
    "Hoeveel plekken uit de doelgroep moet een waterschap van 80 fte hebben?",
    "We zijn een provincie met 450 medewerkers. Hoeveel mensen uit de doelgroep moeten we aannemen?",
    "Wat is de quotumheffing bij 300 fte van 38 uur in 2024?",
    "Gemeente met 250 werknemers: wat is ons tekort?",
    "Hoeveel banen moet ons bedrijf met 80 werknemers hebben?",
    "Ministerie, twintig fte van 38 uur, 2024: hoeveel banen?",
    "Wij hebben 30 man personeel; hoe groot is ons quotum?",
    "Bij 300 fte van 38 uur in 2023, hoe hoog is de boete voor een gemeente?",
    "Quotumheffing voor de overheid in 2024 bij 500.000 verloonde uren?",
    "Onze school heeft 60 fte en 2 mensen met een arbeidsbeperking van 24 uur. Wat is het tekort?",
    "Hoeveel arbeidsplaatsen voor de doelgroep moet een gemeente met 300 fte van 36 uur realiseren?",
    "Wij hebben 80 mensen in dienst. Hoeveel banen uit de doelgroep moeten we hebben?",
]

OTHER_QUESTIONS = [
    "Hoeveel uur is één baan?",
    "Wat is de quotumheffing?",
    "Hoe lang krijg ik loonkostensubsidie?",
    "Telt een medewerker van 20 uur mee voor de banenafspraak?",
    "Wat was het quotumpercentage in 2024?",
    "Ik heb 2 werknemers uit de doelgroep van 20 uur, hoeveel loonkostenvoordeel krijg ik?",
    "Hoeveel LKV krijg ik voor 3 medewerkers van 30 uur?",
    "Wij hebben 300 fte. Hoe vind ik kandidaten uit de doelgroep?",
    "Hoeveel banen moeten er bij komen voor 125.000 mensen?",
    "Hoeveel banen heeft de overheid sinds 2015 gerealiseerd?",
    "Geldt de quotumregeling ook voor scholen?",
    "We hebben 45 werknemers, moeten we een no-riskpolis aanvragen?",
    "Hoe lang duurt een proefplaatsing van 2 maanden bij UWV?",
    "Wat doet een jobcoach voor iemand die 20 uur werkt?",
    "Is de quotumheffing in 2024 opgelegd?",
    "Hoeveel extra banen zijn er in 2022 bij gekomen?",
]


@pytest.mark.parametrize("question", QUOTA_QUESTIONS)
def test_routes_quota_questions(question):
    assert looks_like_quota_question(question) is True


@pytest.mark.parametrize("question", OTHER_QUESTIONS)
def test_leaves_other_questions(question):
    assert looks_like_quota_question(question) is False
