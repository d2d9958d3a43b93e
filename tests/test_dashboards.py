"""Curator dashboards: entries that need review (catalogue.review) and the feedback loop (assistant.gaps)."""

import csv
import datetime as dt
import io
import json
import re
import shutil

import pytest

from assistant.gaps import (
    DEFAULT_THRESHOLD,
    draft_context,
    frequent_questions,
    groups_to_csv,
    question_vectors,
    thumbs_down,
    thumbs_down_to_csv,
    unanswered_groups,
)
from assistant.history import log_question
from catalogue import schema
from catalogue.review import PROBLEMS, csv_text, items_to_csv, review_counts, review_items
from catalogue.store import open_db, sync_knowledge
from tests.conftest import PROJECT

TODAY = dt.date(2026, 11, 23)

# (shipped file, replacements) — each edit creates one of the review problems relative to TODAY.
EDITS = {
    "rules/jobcoach.md": {
        "valid_until:\n": "valid_until: 2026-11-13\n",
        "review_by: 2027-05-23": "review_by: 2026-11-22",
    },
    "rules/loonkostensubsidie.md": {"valid_until:\n": "valid_until: 2026-12-05\n"},
    "rules/quotumregeling.md": {"valid_until:\n": "valid_until: 2027-01-22\n"},  # 60 days: still "expiring"
    "rules/quotumheffing.md": {"valid_until:\n": "valid_until: 2027-01-23\n"},  # 61 days: no problem
    "practices/binnenwerk.md": {"review_by: 2027-11-23": "review_by: 2026-10-24"},
    "sectors/sector-rijk.md": {"review_by: 2027-05-23": "review_by: 2026-11-18"},
}


@pytest.fixture
def review_db(tmp_path):
    folder = tmp_path / "knowledge"
    for name, replacements in EDITS.items():
        text = (PROJECT / "knowledge" / name).read_text(encoding="utf-8")
        for old, new in replacements.items():
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    db = open_db(tmp_path / "h.db")
    sync_knowledge(db, folder)
    # The loader refuses an entry without sources, so an old or hand-edited store is the only way to get one.
    db.execute("DELETE FROM sources WHERE entry_id = 'sector-rijk'")
    db.conn.commit()
    return db


def test_review_items_kinds_days_labels_and_order(review_db):
    items = review_items(review_db, TODAY)
    assert [(i["entry_id"], i["problem"], i["days"]) for i in items] == [
        ("jobcoach", "rule_expired", 10),
        ("sector-rijk", "no_source", None),
        ("binnenwerk", "review_overdue", 30),
        ("sector-rijk", "review_overdue", 5),
        ("jobcoach", "review_overdue", 1),
        ("loonkostensubsidie", "rule_expiring", 12),
        ("quotumregeling", "rule_expiring", 60),
    ]
    assert [i["urgency"] for i in items] == sorted(i["urgency"] for i in items)
    by_key = {(i["entry_id"], i["problem"]): i for i in items}
    assert by_key["jobcoach", "rule_expired"]["date"] == "2026-11-13"
    assert by_key["jobcoach", "rule_expired"]["label"] == "Regel geldt niet meer (gold tot en met 13 november 2026)"
    assert by_key["binnenwerk", "review_overdue"]["label"] == "Controle was nodig vóór 24 oktober 2026"
    assert by_key["binnenwerk", "review_overdue"]["kind"] == "practice"
    assert by_key["loonkostensubsidie", "rule_expiring"]["label"] == (
        "Regel loopt af over 12 dagen (geldt tot en met 5 december 2026)"
    )
    assert by_key["sector-rijk", "no_source"] | {"urgency": 0} == {
        "entry_id": "sector-rijk",
        "title": by_key["sector-rijk", "no_source"]["title"],
        "kind": "sector",
        "status": "published",
        "problem": "no_source",
        "label": "Geen bron",
        "date": None,
        "days": None,
        "urgency": 0,
    }
    assert review_counts(items) == {
        "rule_expired": 1,
        "no_source": 1,
        "review_overdue": 3,
        "rule_expiring": 2,
        "total": 7,
    }
    # The day a rule ends it is still valid ("vandaag"); the day after it has expired.
    last_day = {(i["entry_id"], i["problem"]): i for i in review_items(review_db, dt.date(2026, 12, 5))}
    assert last_day["loonkostensubsidie", "rule_expiring"]["label"].startswith("Regel loopt vandaag af")
    assert ("loonkostensubsidie", "rule_expired", 1) in [
        (i["entry_id"], i["problem"], i["days"]) for i in review_items(review_db, dt.date(2026, 12, 6))
    ]


def test_review_items_csv_parses_back(review_db):
    items = review_items(review_db, TODAY)
    rows = list(csv.reader(io.StringIO(items_to_csv(items))))
    assert rows[0] == ["Id", "Titel", "Soort", "Status", "Probleem", "Toelichting", "Datum", "Dagen"]
    assert len(rows) == len(items) + 1
    assert rows[1][:3] == ["jobcoach", items[0]["title"], "Regel"]
    assert rows[1][4:] == [PROBLEMS["rule_expired"], items[0]["label"], "2026-11-13", "10"]
    assert rows[2][6:] == ["", ""]  # no date, no days


def test_review_on_the_shipped_catalogue(tmp_path):
    shutil.copytree(PROJECT / "knowledge", tmp_path / "knowledge")
    db = open_db(tmp_path / "h.db")
    entries, _ = sync_knowledge(db, tmp_path / "knowledge")
    items = review_items(db, TODAY)
    counts = review_counts(items)
    assert set(counts) == {*PROBLEMS, "total"} and counts["total"] == len(items) == sum(counts[p] for p in PROBLEMS)
    assert counts["no_source"] == 0  # the loader requires sources
    assert {i["entry_id"] for i in items} <= {e.id for e in entries}
    assert all(i["kind"] in schema.KINDS and i["label"] for i in items)
    assert items_to_csv(items).count("\n") == len(items) + 1


def test_csv_text_neutralises_formulas():
    text = csv_text(["Vraag", "Aantal"], [["=cmd|' /C calc'!A0", 3], ["+1", None], ["-2", -2], ["@SUM(A1)", "a,b"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["Vraag", "Aantal"], ["'=cmd|' /C calc'!A0", "3"], ["'+1", ""], ["'-2", "-2"], ["'@SUM(A1)", "a,b"]]


# --------------------------------------------------------------------------------------------------
# Feedback loop
# --------------------------------------------------------------------------------------------------

JOBCOACH = [  # (phrasing, times asked)
    ("Kan ik subsidie krijgen voor een jobcoach?", 3),
    ("Is er een vergoeding voor een jobcoach?", 1),
    ("Krijg ik als werkgever geld voor een jobcoach?", 1),
    ("Wie betaalt de jobcoach van mijn nieuwe medewerker?", 1),
    ("Subsidie jobcoach aanvragen", 1),
    ("Kunnen wij een tegemoetkoming krijgen voor jobcoaching?", 1),
]
WERKPLEK = [
    ("Wat kost een werkplekaanpassing?", 2),
    ("Hoeveel kost het om een werkplek aan te passen?", 1),
    ("Wat zijn de kosten van een aangepaste werkplek?", 1),
    ("Wie betaalt de aanpassing van de werkplek?", 1),
    ("Kosten werkplekaanpassing voor iemand met een beperking", 1),
    ("Is een werkplekaanpassing duur voor de werkgever?", 1),
]
OTHERS = [
    ("Hoe hoog is de quotumheffing in 2026?", 1),
    ("Wanneer is het doelgroepregister opgericht?", 1),
    ("Mag ik vragen naar iemands diagnose bij een sollicitatie?", 1),
    ("Hoeveel banen moeten gemeenten realiseren?", 1),
]


def stamp(day: int, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T10:{minute:02d}:00+00:00"


@pytest.fixture
def log_db(tmp_path):
    """A question log: the three sets above as no_answer (jobcoach on day 10-12, the rest on day 15), plus answered
    questions on day 16."""
    db = open_db(tmp_path / "h.db")
    minute = 0
    for day, questions in ((10, JOBCOACH), (15, WERKPLEK + OTHERS)):
        for question, times in questions:
            for _ in range(times):
                minute += 1
                log_question(
                    db,
                    created_at=stamp(day + (minute % 3 if day == 10 else 0), minute),
                    question=question,
                    status="no_answer",
                    citations="[]",
                )
    answered = (
        ("Kan ik subsidie krijgen voor een jobcoach?", "answered"),
        ("Wat kost een werkplekaanpassing?", "calculated"),
        ("Wat kost een werkplekaanpassing?", "needs_clarification"),
    )
    for minute, (question, status) in enumerate(answered):
        log_question(
            db,
            created_at=stamp(16, minute),
            question=question,
            status=status,
            citations=json.dumps(["jobcoach#wat-houdt-het-in"]),
        )
    return db


def test_unanswered_groups_paraphrases_together_topics_apart(log_db, st_embedder):
    groups = unanswered_groups(log_db, st_embedder)
    assert [g["count"] for g in groups] == [8, 7, 1, 1, 1, 1]
    jobcoach, werkplek = groups[0], groups[1]
    assert jobcoach["question"] == "Kan ik subsidie krijgen voor een jobcoach?"
    assert {q["question"] for q in jobcoach["questions"]} == {q for q, _ in JOBCOACH}
    assert jobcoach["questions"][0] == {"question": "Kan ik subsidie krijgen voor een jobcoach?", "count": 3}
    assert jobcoach["first_seen"] == stamp(10, 3) and jobcoach["last_seen"] == stamp(12, 8)
    assert len(jobcoach["log_ids"]) == 8 and jobcoach["statuses"] == {"no_answer": 8}
    assert werkplek["question"] == "Wat kost een werkplekaanpassing?"
    assert {q["question"] for q in werkplek["questions"]} == {q for q, _ in WERKPLEK}
    assert sorted(g["question"] for g in groups[2:]) == sorted(q for q, _ in OTHERS)
    assert sorted(i for g in groups for i in g["log_ids"]) == list(range(1, 20))

    since = unanswered_groups(log_db, st_embedder, since="2026-11-13")
    assert [g["count"] for g in since] == [7, 1, 1, 1, 1]
    assert unanswered_groups(log_db, st_embedder, since="2026-11-17") == []
    # Much stricter than calibrated: the rewordings fall apart (the threshold is what keeps them together).
    assert len(unanswered_groups(log_db, st_embedder, threshold=0.95)) > 8
    assert 0.86 < DEFAULT_THRESHOLD < 0.91


class CountingEmbedder:
    """The real embedder, counting the phrasings it is asked to embed."""

    def __init__(self, embedder) -> None:
        self.embedder, self.model_id, self.embedded = embedder, embedder.model_id, []

    def encode_queries(self, texts):
        self.embedded += list(texts)
        return self.embedder.encode_queries(texts)


def test_a_second_view_embeds_only_new_phrasings(log_db, st_embedder, monkeypatch):
    from assistant import gaps

    monkeypatch.setattr(gaps, "_vector_cache", type(gaps._vector_cache)())
    counting = CountingEmbedder(st_embedder)
    first = unanswered_groups(log_db, counting)
    phrasings = len(counting.embedded)
    assert phrasings == len({q["question"] for g in first for q in g["questions"]}) > 10
    assert unanswered_groups(log_db, counting) == first  # same groups, nothing embedded again
    assert len(counting.embedded) == phrasings
    texts = ["Wat kost een jobcoach?", "Hoeveel kost een jobcoach per uur?"]
    cached = question_vectors(counting, texts)
    assert counting.embedded[phrasings:] == texts  # new phrasings are embedded once, in one call
    assert cached.shape == (2, 384) and abs(float(cached[0] @ cached[0]) - 1) < 1e-4
    assert (question_vectors(counting, texts[::-1]) == cached[::-1]).all() and len(counting.embedded) == phrasings + 2
    monkeypatch.setattr(gaps, "MAX_CACHED_VECTORS", 1)
    question_vectors(counting, texts)
    assert len(gaps._vector_cache) == 1  # least recently used vectors are dropped beyond the limit


def test_frequent_questions_count_statuses(log_db, st_embedder):
    groups = frequent_questions(log_db, st_embedder)
    assert [g["count"] for g in groups[:2]] == [9, 9]
    werkplek, jobcoach = groups[0], groups[1]  # equal counts: the most recently asked first
    assert werkplek["question"] == "Wat kost een werkplekaanpassing?" and jobcoach["last_seen"] < werkplek["last_seen"]
    assert werkplek["statuses"] == {"no_answer": 7, "calculated": 1, "needs_clarification": 1}
    assert werkplek["answered"] == 1 and werkplek["answered_share"] == pytest.approx(1 / 9)
    assert jobcoach["statuses"] == {"no_answer": 8, "answered": 1} and jobcoach["answered_share"] == pytest.approx(
        1 / 9
    )
    assert jobcoach["questions"][0] == {"question": "Kan ik subsidie krijgen voor een jobcoach?", "count": 4}

    rows = list(csv.reader(io.StringIO(groups_to_csv(groups))))
    assert rows[0][:6] == ["Vraag", "Aantal", "Eerste keer", "Laatste keer", "Formuleringen", "Deel beantwoord (%)"]
    assert rows[1][:2] == ["Wat kost een werkplekaanpassing?", "9"] and rows[1][5:] == ["11", "0", "1", "1", "7"]


def test_thumbs_down_joins_the_question(log_db):
    rows = [
        (1, "2026-11-20T09:00:00+00:00", 0, "=cmd|' /C calc'!A0"),
        (20, "2026-11-21T09:00:00+00:00", 0, "Klopt niet"),
        (21, "2026-11-22T09:00:00+00:00", 1, "Top"),
    ]
    for log_id, created_at, helpful, reason in rows:
        log_db.execute(
            "INSERT INTO feedback (log_id, created_at, helpful, reason) VALUES (?, ?, ?, ?)",
            [log_id, created_at, helpful, reason],
        )
    log_db.conn.commit()
    down = thumbs_down(log_db)
    assert down == [
        {
            "log_id": 20,
            "question": "Kan ik subsidie krijgen voor een jobcoach?",
            "status": "answered",
            "reason": "Klopt niet",
            "created_at": "2026-11-21T09:00:00+00:00",
            "citations": ["jobcoach#wat-houdt-het-in"],
        },
        {
            "log_id": 1,
            "question": JOBCOACH[0][0],
            "status": "no_answer",
            "reason": "=cmd|' /C calc'!A0",
            "created_at": "2026-11-20T09:00:00+00:00",
            "citations": [],
        },
    ]
    assert [r["log_id"] for r in thumbs_down(log_db, since="2026-11-21")] == [20]

    parsed = list(csv.reader(io.StringIO(thumbs_down_to_csv(down))))
    assert parsed[0] == ["Log-id", "Datum", "Vraag", "Status", "Reden", "Bronnen"]
    assert parsed[1] == [
        "20",
        "2026-11-21T09:00:00+00:00",
        JOBCOACH[0][0],
        "Beantwoord",
        "Klopt niet",
        "jobcoach#wat-houdt-het-in",
    ]
    assert parsed[2][4] == "'=cmd|' /C calc'!A0" and parsed[2][3] == "Geen antwoord"


def test_groups_csv_and_draft_context():
    group = {
        "question": "=cmd|' /C calc'!A0",
        "count": 6,
        "questions": [{"question": "=cmd|' /C calc'!A0", "count": 5}, {"question": "Zie [bron 1] *nu*", "count": 1}],
        "first_seen": stamp(1),
        "last_seen": stamp(2),
        "log_ids": [1, 2, 3, 4, 5, 6],
        "statuses": {"no_answer": 6},
    }
    rows = list(csv.reader(io.StringIO(groups_to_csv([group]))))
    assert rows[0] == ["Vraag", "Aantal", "Eerste keer", "Laatste keer", "Formuleringen"]
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[1][1] == "6"
    assert rows[1][4].startswith("'=cmd")

    text = draft_context(group)
    assert text.startswith("Vragen die de helpdesk nog niet kon beantwoorden:\n\n- ")
    assert "(5×)\n" in text and "(1×)\n" in text
    assert not re.search(schema.SOURCE_MARKER, text)  # a question must not turn into a citation in the draft
    assert draft_context(group | {"count": 9}).endswith("- en 3× anders geformuleerd\n")
