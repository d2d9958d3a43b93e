"""The shipped catalogue in knowledge/: valid, complete, every number sourced."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from catalogue import schema, settings
from catalogue.loader import load_catalogue
from catalogue.store import open_db, search_entries, store_catalogue

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Every practice and rule the foundation issue names, mapped to the entry that covers it.
NAMED_PRACTICES = {
    "Binnenwerk (Rijk)": "binnenwerk",
    "De Blauwe Baan (Politie)": "de-blauwe-baan",
    "JOPS (Wageningen University & Research)": "jops-wageningen",
    "Stichting De Onderwijsspecialisten": "de-onderwijsspecialisten",
    "Camerabeeldspecialisten (Politie)": "camerabeeldspecialisten-politie",
    "Onbeperkte Denkers (waterschappen)": "onbeperkte-denkers",
    "Defensie centraal loket": "defensie-centraal-loket",
    "Interne Begeleider Arbeidsparticipant (Defensie)": "interne-begeleider-arbeidsparticipant",
    "vijfsporenbeleid (provincies)": "vijfsporenbeleid-provincies",
    "job carving / functiecreatie": "job-carving",
    "HARRIE-training": "harrie-training",
    "SWOM": "swom",
    "AutiTalent": "autitalent",
    "Ctalents": "ctalents",
    "Op naar de 25.000/100.000/125.000": "op-naar-de-125000",
    "De Normaalste Zaak": "de-normaalste-zaak",
    "Sociaal Innovatie Fonds": "sociaal-innovatie-fonds",
    "Team Inclusief / Team Diversiteit & Inclusie (Rijk)": "team-inclusief-rijk",
    "Onbeperkt Talent": "onbeperkt-talent",
    "leercirkels": "leercirkels",
    "werkagenda ondertekend door het bestuur": "werkagenda-bestuur",
    "centrale financiering (centrale pot)": "centrale-financiering",
    "sectorregisseur met voldoende tijd": "sectorregisseur-met-tijd",
    "social return via inkoop (Netwerkorganisatie Social Return)": "social-return-inkoop",
    "meet and greets": "meet-and-greets",
    "proefplaatsing als kennismaking": "proefplaatsing-kennismaking",
    "regionale helpdesk / werkgeversservicepunt": "regionale-helpdesk-werkgeversservicepunt",
}
NAMED_RULES = {
    "doelgroep banenafspraak": "doelgroep-banenafspraak",
    "doelgroepregister": "doelgroepregister",
    "baan = 25,5 uur (FTA)": "baan-25-5-uur",
    "how jobs are counted": "banen-tellen",
    "the targets": "doelstellingen-banenafspraak",
    "the quotumregeling": "quotumregeling",
    "quotumpercentage per year": "quotumpercentage",
    "quotumheffing": "quotumheffing",
    "Wet banenafspraak (36 449)": "wet-banenafspraak-2026",
    "LKV doelgroep banenafspraak": "lkv-doelgroep-banenafspraak",
    "loonkostensubsidie": "loonkostensubsidie",
    "loondispensatie": "loondispensatie",
    "no-riskpolis": "no-riskpolis",
    "jobcoach": "jobcoach",
    "werkplekaanpassingen": "werkplekaanpassingen",
    "proefplaatsing": "proefplaatsing",
    "praktijkroute": "praktijkroute",
    "SROI": "sroi-telt-niet-voor-overheid",
    "werkgeversservicepunten": "werkgeversservicepunten",
    "mobiliteitsbonus": "mobiliteitsbonus",
    "Defensie/politie exceptions": "defensie-politie-uitzondering",
}
NUMBER = re.compile(r"\d")


@pytest.fixture(scope="module")
def catalogue():
    result = load_catalogue(settings.PROJECT_ROOT / "knowledge")
    assert result.problems == [], "\n".join(map(str, result.problems))
    return {e.id: e for e in result.entries}


def test_counts_meet_the_minimum(catalogue):
    kinds = Counter(e.kind for e in catalogue.values())
    assert kinds["practice"] >= 24
    assert kinds["rule"] >= 18
    assert kinds["sector"] == 12
    assert all(e.sources for e in catalogue.values())


def test_every_action_type_is_used_by_a_practice(catalogue):
    used = {a for e in catalogue.values() if e.kind == "practice" for a in e.action_types}
    assert set(schema.ACTION_TYPES) - used == set()


@pytest.mark.parametrize(("name", "entry_id"), [*NAMED_PRACTICES.items(), *NAMED_RULES.items()])
def test_named_practice_or_rule_exists(catalogue, name, entry_id):
    assert entry_id in catalogue, f"{name} is missing ({entry_id})"
    expected_kind = "practice" if name in NAMED_PRACTICES else "rule"
    assert catalogue[entry_id].kind == expected_kind
    assert catalogue[entry_id].status == "published"


def test_every_number_in_bedragen_en_getallen_cites_a_source(catalogue):
    unsourced = []
    for entry in catalogue.values():
        if entry.kind != "rule":
            continue
        section = next(s for s in entry.sections if s.heading == "Bedragen en getallen")
        for line in section.text.splitlines():
            if NUMBER.search(re.sub(schema.SOURCE_MARKER, "", line)) and not re.search(schema.SOURCE_MARKER, line):
                unsourced.append(f"{entry.id}: {line.strip()}")
    assert unsourced == []


def test_sectors_cover_each_sector_with_2022_results(catalogue):
    sectors = [e for e in catalogue.values() if e.kind == "sector"]
    covered = {s for e in sectors for s in e.sectors}
    assert {
        "gemeenten",
        "provincies",
        "waterschappen",
        "rijk",
        "defensie",
        "politie",
        "umc",
        "mbo",
        "hbo",
        "wo",
        "onderzoeksinstellingen",
    } <= covered
    assert {"primair-onderwijs", "voortgezet-onderwijs"} & covered


def test_full_text_search_finds_dutch_words(catalogue, tmp_path):
    db = open_db(tmp_path / "h.db")
    store_catalogue(db, catalogue.values())
    for word, expected in [
        ("quotumheffing", "quotumheffing"),
        ("loonkostensubsidie", "loonkostensubsidie"),
        ("Binnenwerk", "binnenwerk"),
        ("no-riskpolis", "no-riskpolis"),
    ]:
        found = [r["id"] for r in search_entries(db, word, limit=5)]
        assert expected in found, (word, found)


@pytest.mark.skipif(not (SHARED / "tools" / "check_numbers.py").exists(), reason="../shared/tools not beside the repo")
def test_no_number_is_missing_from_the_sources():
    tool = SHARED / "tools" / "check_numbers.py"
    run = subprocess.run(
        [sys.executable, str(tool), str(settings.PROJECT_ROOT / "knowledge")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
