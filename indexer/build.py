"""(Re)index the catalogue: passages into SQLite, vectors for new passages only, then a fresh FAISS file.

Crash safety: new vectors are computed before anything is written; passages and vectors change in one SQLite
transaction; the FAISS file and its metadata are replaced atomically afterwards. A build killed at any point
leaves either the old or the new state, and the searcher ignores FAISS ids it cannot find in SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils

from catalogue.loader import Entry

from . import store
from .keyword import stem_text
from .passages import Passage, split_into_passages

EMBED_BATCH = 128  # passages per progress step; large so the model can sort texts by length


@dataclass
class IndexPlan:
    passages: list[Passage]
    to_add: list[Passage]
    to_remove: list[str]
    to_embed: list[Passage]
    changed: int
    catalogue_hash: str
    full: bool = False
    questions_to_embed: list[str] = field(default_factory=list)

    @property
    def work(self) -> int:
        """Roughly how many passage embeddings this plan costs (a short question costs about a fifth)."""
        return len(self.to_embed) + len(self.questions_to_embed) // 5

    @property
    def nothing_to_embed(self) -> bool:
        return not self.to_embed and not self.questions_to_embed


@dataclass
class IndexStats:
    passages: int
    added: int
    changed: int
    removed: int
    unchanged: int
    embedded: int
    seconds: float
    backend: str = ""
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.passages} passages: {self.added} nieuw, {self.changed} gewijzigd, {self.removed} verwijderd, "
            f"{self.unchanged} ongewijzigd; {self.embedded} ingebed"
            + (f", {self.extra['questions_embedded']} vragen ingebed" if self.extra.get("questions_embedded") else "")
            + f" in {self.seconds:.1f} s"
        )


def catalogue_passages(entries: Iterable[Entry]) -> list[Passage]:
    """Passages of every published entry."""
    passages: list[Passage] = []
    for entry in entries:
        if entry.status == "published":
            passages.extend(split_into_passages(entry))
    return passages


def catalogue_hash(passages: Iterable[Passage]) -> str:
    """Changes when a passage or the employer questions of a passage change."""
    keys = sorted(p.id + ("\x1f" + "\x1f".join(p.questions) if p.questions else "") for p in passages)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def plan_reindex(db: sqlite_utils.Database, passages: list[Passage], model_id: str, full: bool = False) -> IndexPlan:
    """What a reindex must do: which passages are new, which go, which need a vector."""
    stored = store.stored_passage_ids(db)
    current = {p.id: p for p in passages}
    to_add = [p for p in passages if p.id not in stored]
    to_remove = [pid for pid in stored if pid not in current]
    # A changed passage is a removed one whose slot (entry, section) is taken by a new one.
    removed_slots = [stored[pid] for pid in to_remove]
    changed = 0
    for p in to_add:
        slot = (p.entry_id, p.heading)
        if slot in removed_slots:
            removed_slots.remove(slot)
            changed += 1
    if full:
        have_vectors, sentence_counts, have_questions = set(), {}, set()
    else:
        have_vectors, sentence_counts, have_questions = (
            set(store.stored_vectors(db, model_id)),
            store.stored_sentence_counts(db, model_id),
            store.stored_question_texts(db, model_id),
        )
    questions = list(dict.fromkeys(q for p in passages for q in p.questions if q not in have_questions))
    # A passage needs embedding without its vector, or when its sentences are split differently than stored.
    to_embed = [p for p in passages if p.id not in have_vectors or sentence_counts.get(p.id) != len(p.sentences)]
    return IndexPlan(passages, to_add, to_remove, to_embed, changed, catalogue_hash(passages), full, questions)


def apply_reindex(
    db: sqlite_utils.Database,
    plan: IndexPlan,
    embedder,
    index_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStats:
    """Embed what the plan needs, write SQLite in one transaction, then swap in a new FAISS index."""
    started = time.perf_counter()
    total = len(plan.to_embed) + len(plan.questions_to_embed)
    vectors, sentence_vectors = embed_passages(embedder, plan.to_embed, _offset(progress, 0, total))
    question_vectors = embed_questions(embedder, plan.questions_to_embed, _offset(progress, len(plan.to_embed), total))
    with db.conn:
        for pid in plan.to_remove:
            db.execute("DELETE FROM passages WHERE id = ?", [pid])
            db.execute("DELETE FROM passage_vectors WHERE passage_id = ?", [pid])
            db.execute("DELETE FROM sentence_vectors WHERE passage_id = ?", [pid])
        for passage in plan.to_add:
            row = store.passage_row(passage, stem_text(f"{passage.title} {passage.heading} {passage.text}"))
            db.execute(
                f"INSERT INTO passages ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
            )
        for passage, vector in zip(plan.to_embed, vectors, strict=True):
            db.execute(
                "INSERT OR REPLACE INTO passage_vectors (passage_id, model_id, vector) VALUES (?, ?, ?)",
                [passage.id, embedder.model_id, store.vector_to_blob(vector)],
            )
        for passage, matrix in zip(plan.to_embed, sentence_vectors, strict=True):
            db.execute(
                "DELETE FROM sentence_vectors WHERE passage_id = ? AND model_id = ?", [passage.id, embedder.model_id]
            )
            for position, vector in enumerate(matrix):
                db.execute(
                    "INSERT INTO sentence_vectors (passage_id, model_id, position, vector) VALUES (?, ?, ?, ?)",
                    [passage.id, embedder.model_id, position, store.vector_to_blob(vector)],
                )
        for question, vector in zip(plan.questions_to_embed, question_vectors, strict=True):
            db.execute(
                "INSERT OR REPLACE INTO question_vectors (question, model_id, vector) VALUES (?, ?, ?)",
                [question, embedder.model_id, store.vector_to_blob(vector)],
            )
        # Positions can shift without the text changing (an earlier section was edited), and the employer
        # questions of a section can change on their own: keep both current.
        for passage in plan.passages:
            questions = json.dumps(list(passage.questions), ensure_ascii=False)
            db.execute(
                "UPDATE passages SET position = ?, questions = ? WHERE id = ? "
                "AND (position != ? OR questions IS NOT ?)",
                [passage.position, questions, passage.id, passage.position, questions],
            )
        db.execute(
            "DELETE FROM question_vectors WHERE model_id = ? AND question NOT IN "
            "(SELECT q.value FROM passages p, json_each(p.questions) q)",
            [embedder.model_id],
        )
    ids, matrix = store.vectors_for_current_passages(db, embedder.model_id)
    meta = {
        "model_name": embedder.model_name,
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "passage_count": len(plan.passages),
        "catalogue_hash": plan.catalogue_hash,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "backend": embedder.backend,
    }
    store.write_faiss(index_dir, ids, matrix, embedder.dim, meta)
    return IndexStats(
        passages=len(plan.passages),
        added=len(plan.to_add) - plan.changed,
        changed=plan.changed,
        removed=len(plan.to_remove) - plan.changed,
        unchanged=len(plan.passages) - len(plan.to_add),
        embedded=len(plan.to_embed),
        extra={"questions_embedded": len(plan.questions_to_embed)},
        seconds=time.perf_counter() - started,
        backend=embedder.backend,
    )


def _offset(progress, done_before: int, total: int):
    """A progress callback for one part of the work: reports (done_before + done, total)."""
    if progress is None:
        return None
    return lambda done, _part_total: progress(done_before + done, total)


def embed_questions(embedder, questions: list[str], progress=None) -> np.ndarray:
    """Vectors of employer questions, embedded as queries (question-to-question similarity), in batches."""
    out = []
    for start in range(0, len(questions), EMBED_BATCH):
        out.append(embedder.encode_queries(questions[start : start + EMBED_BATCH]))
        if progress:
            progress(min(start + EMBED_BATCH, len(questions)), len(questions))
    return np.vstack(out) if out else np.zeros((0, getattr(embedder, "dim", 0)), dtype="float32")


def embed_passages(embedder, passages: list[Passage], progress=None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Vectors of each passage and of each of its sentences, in batches, reporting (done, total) passages."""
    passage_vectors, sentence_vectors = [], []
    total = len(passages)
    for start in range(0, total, EMBED_BATCH):
        batch = passages[start : start + EMBED_BATCH]
        sentence_texts = [p.sentence_embed_texts for p in batch]
        passage_vectors.append(embedder.encode_passages([p.embed_text for p in batch]))
        # Sentences in a call of their own: mixed with long passages they would be padded to passage length.
        encoded = embedder.encode_passages([t for texts in sentence_texts for t in texts])
        offset = 0
        for texts in sentence_texts:
            sentence_vectors.append(encoded[offset : offset + len(texts)])
            offset += len(texts)
        if progress:
            progress(min(start + EMBED_BATCH, total), total)
    if not passage_vectors:
        return np.zeros((0, getattr(embedder, "dim", 0)), dtype="float32"), []
    return np.vstack(passage_vectors), sentence_vectors
