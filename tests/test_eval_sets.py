"""The eval sets and the pooled relevance judgements point at sections the shipped catalogue has, so a renamed
entry or section cannot silently turn right answers into misses."""

from collections import Counter

import pytest

from assistant.evaluate import FAQ_FILES, JUDGEMENTS_FILE, judged_citations, load_judgements
from catalogue.loader import load_catalogue
from catalogue.settings import PROJECT_ROOT
from indexer.evaluate import QUESTIONS_FILE, Question, load_questions

QUESTION_FILES = {"public": QUESTIONS_FILE, **FAQ_FILES}


@pytest.fixture(scope="module")
def anchors() -> dict[str, set[str]]:
    result = load_catalogue(PROJECT_ROOT / "knowledge")
    assert result.ok, result.problems
    return {e.id: {s.anchor for s in e.sections} for e in result.entries}


@pytest.fixture(scope="module")
def questions() -> dict[str, list[Question]]:
    return {name: load_questions(path) for name, path in QUESTION_FILES.items()}


def test_question_ids_are_unique_across_the_sets(questions):
    counts = Counter(q.id for qs in questions.values() for q in qs)
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("name", QUESTION_FILES)
def test_labels_name_existing_entries_and_sections(questions, anchors, name):
    wrong = [
        (q.id, r["entry"], r.get("section"))
        for q in questions[name]
        for r in q.relevant
        if r["entry"] not in anchors or (r.get("section") and r["section"] not in anchors[r["entry"]])
    ]
    assert wrong == []


def test_judgements_are_complete_records_of_known_answerable_questions(questions, anchors):
    lines = [line for line in JUDGEMENTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    judgements = load_judgements()
    assert len(judgements) == len(lines) > 1000  # one line per (question, section), no repeats
    answerable = {q.id for qs in questions.values() for q in qs if q.relevant}
    assert {qid for qid, _, _ in judgements} <= answerable
    assert [(e, a) for _, e, a in judgements if a not in anchors.get(e, set())] == []
    assert 0.2 < sum(judgements.values()) / len(judgements) < 0.8  # both verdicts occur


def test_judged_citations_counts_relevant_and_unjudged_sections():
    q = Question("q999", "?", "nl", "direct", [{"entry": "x"}])
    judgements = {("q999", "a", "s1"): False, ("q999", "b", "s2"): True}

    def answer(*cited, status="answered"):
        return {"status": status, "citations": [{"entry_id": e, "anchor": a} for e, a in cited]}

    assert judged_citations(q, answer(("a", "s1"), ("b", "s2")), judgements) == (True, 0)
    assert judged_citations(q, answer(("a", "s1"), ("c", "s3")), judgements) == (False, 1)
    assert judged_citations(q, answer(("b", "s2"), status="no_answer"), judgements) == (False, 0)
