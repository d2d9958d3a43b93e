"""The feedback-loop dashboard: what the helpdesk could not answer, which answers got a thumbs down, what is asked
most. Pure data functions over `question_log` and `feedback` (no Flask); the texts there are already redacted.

Questions are grouped by meaning: each distinct phrasing is embedded (`embedder.encode_queries`) and the phrasings
are clustered by average linkage: two groups merge while the mean cosine between their phrasings is at least
`threshold`. Average linkage, not a comparison with one representative question, because with the e5 model single
pairs overlap (rewordings of one question as low as 0.891, different topics as high as 0.892) while group means
separate clearly (rewordings >= 0.914, different topics <= 0.858); see DEFAULT_THRESHOLD.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable

import numpy as np
import sqlite_utils

from catalogue.review import csv_text

# Calibrated with the real model on 6 + 6 rewordings of two questions and 4 other questions: the last merge within
# a question was at 0.914, the first merge of different topics at 0.858 (jobcoach subsidy vs. workplace costs).
# On a second set (5 topics, looser rewordings) topics first merged at 0.841 and loose rewordings as low as 0.857:
# 0.88 splits a loosely reworded question into two rows rather than hiding one topic inside another.
DEFAULT_THRESHOLD = 0.88
MAX_PHRASINGS = 20  # phrasings listed per group
# Each view embedded every distinct phrasing again (about 11 s per 1,000 phrasings on a 2-core machine); phrasings
# seen before now come from memory: 20,000 vectors of 384 floats are about 30 MB.
MAX_CACHED_VECTORS = 20_000
ANSWERED = ("answered", "calculated")
STATUS_LABELS = {
    "answered": "Beantwoord",
    "calculated": "Berekend",
    "needs_clarification": "Vraag om uitleg",
    "no_answer": "Geen antwoord",
}


def _log_rows(db: sqlite_utils.Database, since: str | None, status: str | None = None) -> list[dict]:
    where, params = ["question IS NOT NULL"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if since:
        where.append("created_at >= ?")
        params.append(since)
    sql = f"SELECT id, created_at, question, status FROM question_log WHERE {' AND '.join(where)} ORDER BY id"
    return list(db.query(sql, params))


def cluster(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clustering of L2-normalised rows: merge the closest two groups while their mean cosine is at
    least `threshold`. Returns lists of row numbers."""
    n = len(vectors)
    vectors = np.asarray(vectors, dtype=np.float64)
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, -np.inf)
    size = np.ones(n)
    members = {i: [i] for i in range(n)}
    best_col = np.argmax(sim, axis=1) if n else np.zeros(0, dtype=int)  # each row's closest group …
    best = sim[np.arange(n), best_col]  # … and its similarity, so that a merge costs O(n), not O(n²)
    while len(members) > 1:
        a = int(np.argmax(best))
        if best[a] < threshold:
            break
        b = int(best_col[a])
        merged = (size[a] * sim[a] + size[b] * sim[b]) / (size[a] + size[b])
        sim[a], sim[:, a] = merged, merged
        sim[b], sim[:, b] = -np.inf, -np.inf
        sim[a, a] = -np.inf
        size[a] += size[b]
        members[a] += members.pop(b)
        best[b] = -np.inf
        # a mean never exceeds the larger of its parts: only rows whose closest group was a or b need a new one
        stale = np.union1d(np.flatnonzero(((best_col == a) | (best_col == b)) & np.isfinite(best)), [a])
        best_col[stale] = np.argmax(sim[stale], axis=1)
        best[stale] = sim[stale, best_col[stale]]
    return sorted(members.values(), key=min)


_vector_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_vector_lock = threading.Lock()


def question_vectors(embedder, texts: list[str]) -> np.ndarray:
    """`embedder.encode_queries(texts)`, embedding only the phrasings not already in the (least recently used)
    in-memory cache, which is keyed by model and text. One view at a time embeds (curators' dashboards only)."""
    model = str(getattr(embedder, "model_id", type(embedder).__name__))
    with _vector_lock:
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in _vector_cache))
        if missing:
            for text, vector in zip(
                missing, np.asarray(embedder.encode_queries(missing), dtype=np.float32), strict=True
            ):
                _vector_cache[(model, text)] = vector
        vectors = []
        for text in texts:
            _vector_cache.move_to_end((model, text))
            vectors.append(_vector_cache[(model, text)])
        while len(_vector_cache) > MAX_CACHED_VECTORS:
            _vector_cache.popitem(last=False)
    return np.asarray(vectors, dtype=np.float64).reshape(len(texts), -1)


def group_questions(rows: Iterable[dict], embedder, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """Group log rows (id, created_at, question, status) by meaning.

    Each group: question (the most frequent phrasing; ties go to the most central), count (log rows), questions
    (distinct phrasings as {question, count}, most frequent first, at most 20), first_seen, last_seen, log_ids and
    statuses (count per status). Sorted by count, then last_seen, both descending."""
    by_text: dict[str, list[dict]] = {}
    for row in rows:
        text = " ".join((row["question"] or "").split())
        if text:
            by_text.setdefault(text, []).append(row)
    texts = list(by_text)
    if not texts:
        return []
    vectors = question_vectors(embedder, texts)
    groups = []
    for members in cluster(vectors, threshold):
        centrality = (vectors[members] @ vectors[members].T).mean(axis=1)
        ranked = sorted(zip(members, centrality, strict=True), key=lambda m: (-len(by_text[texts[m[0]]]), -m[1]))
        log_rows = [row for m in members for row in by_text[texts[m]]]
        groups.append(
            {
                "question": texts[ranked[0][0]],
                "count": len(log_rows),
                "questions": [
                    {"question": texts[m], "count": len(by_text[texts[m]])} for m, _ in ranked[:MAX_PHRASINGS]
                ],
                "first_seen": min(r["created_at"] for r in log_rows),
                "last_seen": max(r["created_at"] for r in log_rows),
                "log_ids": sorted(r["id"] for r in log_rows),
                "statuses": dict(Counter(r["status"] for r in log_rows).most_common()),
            }
        )
    groups.sort(key=lambda g: g["last_seen"], reverse=True)
    groups.sort(key=lambda g: g["count"], reverse=True)
    return groups


def unanswered_groups(
    db: sqlite_utils.Database, embedder, since: str | None = None, threshold: float = DEFAULT_THRESHOLD
) -> list[dict]:
    """Questions logged with status no_answer (at or after `since`, an ISO date or UTC time, when given), grouped
    by meaning; see `group_questions` for the fields."""
    return group_questions(_log_rows(db, since, "no_answer"), embedder, threshold)


def frequent_questions(
    db: sqlite_utils.Database, embedder, since: str | None = None, threshold: float = DEFAULT_THRESHOLD
) -> list[dict]:
    """All logged questions grouped by meaning, as `group_questions`, plus per group `answered` (rows answered or
    calculated) and `answered_share` (0.0 … 1.0)."""
    groups = group_questions(_log_rows(db, since), embedder, threshold)
    for group in groups:
        group["answered"] = sum(group["statuses"].get(s, 0) for s in ANSWERED)
        group["answered_share"] = group["answered"] / group["count"]
    return groups


def thumbs_down(db: sqlite_utils.Database, since: str | None = None) -> list[dict]:
    """Answers marked not helpful (feedback given since `since`, when given), newest first: log_id, question,
    status, reason, created_at (of the feedback) and citations (list of "entry_id#anchor")."""
    sql = (
        "SELECT f.log_id, q.question, q.status, f.reason, f.created_at, q.citations FROM feedback f "
        "JOIN question_log q ON q.id = f.log_id WHERE f.helpful = 0"
    )
    params = []
    if since:
        sql += " AND f.created_at >= ?"
        params.append(since)
    rows = list(db.query(sql + " ORDER BY f.created_at DESC, f.id DESC", params))
    for row in rows:
        row["citations"] = json.loads(row["citations"]) if row["citations"] else []
    return rows


def groups_to_csv(groups: Iterable[dict]) -> str:
    """Question groups as CSV (Dutch header); groups from `frequent_questions` get their status columns too."""
    groups = list(groups)
    with_status = any("answered_share" in g for g in groups)
    header = ["Vraag", "Aantal", "Eerste keer", "Laatste keer", "Formuleringen"]
    if with_status:
        header += ["Deel beantwoord (%)", *STATUS_LABELS.values()]
    rows = []
    for g in groups:
        phrasings = " | ".join(f"{q['question']} ({q['count']}×)" for q in g["questions"])
        row = [g["question"], g["count"], g["first_seen"], g["last_seen"], phrasings]
        if with_status:
            row += [round(100 * g.get("answered_share", 0)), *(g["statuses"].get(s, 0) for s in STATUS_LABELS)]
        rows.append(row)
    return csv_text(header, rows)


def thumbs_down_to_csv(rows: Iterable[dict]) -> str:
    """Thumbs-down feedback as CSV (Dutch header)."""
    header = ["Log-id", "Datum", "Vraag", "Status", "Reden", "Bronnen"]
    return csv_text(
        header,
        (
            (
                r["log_id"],
                r["created_at"],
                r["question"],
                STATUS_LABELS.get(r["status"], r["status"]),
                r["reason"],
                " ".join(r["citations"]),
            )
            for r in rows
        ),
    )


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def draft_context(group: dict) -> str:
    """Dutch markdown to pre-fill a new draft entry: the group's phrasings as a bullet list with their counts."""
    lines = [f"- {q['question'].translate(_MARKDOWN)} ({q['count']}×)" for q in group["questions"]]
    hidden = group["count"] - sum(q["count"] for q in group["questions"])
    if hidden > 0:
        lines.append(f"- en {hidden}× anders geformuleerd")
    return "Vragen die de helpdesk nog niet kon beantwoorden:\n\n" + "\n".join(lines) + "\n"
