"""Passages, their vectors and their keyword tables in the SQLite store; the FAISS file and its metadata.

Vectors are float32 little-endian blobs keyed by (passage id, model id), so a reindex embeds only passages it has
no vector for. The FAISS index is always rebuilt from those vectors into a temporary file and swapped in with
`os.replace`, and its metadata (model, dimension, passage count, catalogue hash) is written the same way.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import sqlite_utils

from catalogue.store import migration

from .passages import Passage

FAISS_FILE = "passages.faiss"
META_FILE = "passages.json"
INDEX_FORMAT = 1


@migration
def m002_passages(db: sqlite_utils.Database) -> None:
    db["passages"].create(
        {
            "id": str,
            "faiss_id": int,
            "entry_id": str,
            "title": str,
            "heading": str,
            "anchor": str,
            "kind": str,
            "text": str,
            "embed_text": str,
            "position": int,
            "sectors": str,
            "action_types": str,
            "valid_from": str,
            "valid_until": str,
            "stems": str,
        },
        pk="id",
    )
    db["passages"].create_index(["faiss_id"], unique=True)
    db["passages"].create_index(["entry_id"])
    db["passage_vectors"].create({"passage_id": str, "model_id": str, "vector": bytes}, pk=("passage_id", "model_id"))
    db["passages"].enable_fts(["title", "heading", "text"], create_triggers=True, tokenize="trigram")
    db.execute(
        "CREATE VIRTUAL TABLE passages_stem USING fts5(stems, content='passages', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.executescript(
        """
        CREATE TRIGGER passages_stem_ai AFTER INSERT ON passages BEGIN
          INSERT INTO passages_stem(rowid, stems) VALUES (new.rowid, new.stems);
        END;
        CREATE TRIGGER passages_stem_ad AFTER DELETE ON passages BEGIN
          INSERT INTO passages_stem(passages_stem, rowid, stems) VALUES ('delete', old.rowid, old.stems);
        END;
        CREATE TRIGGER passages_stem_au AFTER UPDATE ON passages BEGIN
          INSERT INTO passages_stem(passages_stem, rowid, stems) VALUES ('delete', old.rowid, old.stems);
          INSERT INTO passages_stem(rowid, stems) VALUES (new.rowid, new.stems);
        END;
        """
    )


@migration
def m003_sentence_vectors(db: sqlite_utils.Database) -> None:
    db["sentence_vectors"].create(
        {"passage_id": str, "model_id": str, "position": int, "vector": bytes},
        pk=("passage_id", "model_id", "position"),
    )


@migration
def m009_question_keys(db: sqlite_utils.Database) -> None:
    """Employer questions as search keys: the questions of each passage's section, and one vector per question
    text (shared by every passage of the section, kept across reindexes like passage vectors)."""
    db["passages"].add_column("questions", str)
    db["question_vectors"].create({"question": str, "model_id": str, "vector": bytes}, pk=("question", "model_id"))


def vector_to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def blob_to_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def passage_row(passage: Passage, stems: str) -> dict:
    return {
        "id": passage.id,
        "faiss_id": passage.faiss_id,
        "entry_id": passage.entry_id,
        "title": passage.title,
        "heading": passage.heading,
        "anchor": passage.anchor,
        "kind": passage.kind,
        "text": passage.text,
        "embed_text": passage.embed_text,
        "position": passage.position,
        "sectors": json.dumps(list(passage.sectors)),
        "action_types": json.dumps(list(passage.action_types)),
        "valid_from": passage.valid_from,
        "valid_until": passage.valid_until,
        "stems": stems,
        "questions": json.dumps(list(passage.questions), ensure_ascii=False),
    }


def stored_passage_ids(db: sqlite_utils.Database) -> dict[str, tuple[str, str]]:
    """Passage id → (entry id, heading) of every stored passage."""
    return {r["id"]: (r["entry_id"], r["heading"]) for r in db.query("SELECT id, entry_id, heading FROM passages")}


def stored_vectors(db: sqlite_utils.Database, model_id: str) -> dict[str, np.ndarray]:
    rows = db.query("SELECT passage_id, vector FROM passage_vectors WHERE model_id = ?", [model_id])
    return {r["passage_id"]: blob_to_vector(r["vector"]) for r in rows}


def stored_sentence_counts(db: sqlite_utils.Database, model_id: str) -> dict[str, int]:
    """Passage id → number of sentence vectors stored for this model."""
    rows = db.query(
        "SELECT passage_id, count(*) AS n FROM sentence_vectors WHERE model_id = ? GROUP BY passage_id", [model_id]
    )
    return {r["passage_id"]: r["n"] for r in rows}


def sentence_matrix(db: sqlite_utils.Database, model_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(owning passage faiss ids, vectors) of every sentence of every stored passage."""
    return _ids_and_vectors(
        db,
        "SELECT p.faiss_id, s.vector FROM sentence_vectors s JOIN passages p ON p.id = s.passage_id "
        "WHERE s.model_id = ? ORDER BY p.faiss_id, s.position",
        model_id,
    )


def stored_question_texts(db: sqlite_utils.Database, model_id: str) -> set[str]:
    return {r["question"] for r in db.query("SELECT question FROM question_vectors WHERE model_id = ?", [model_id])}


def question_matrix(db: sqlite_utils.Database, model_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(owning passage faiss ids, vectors) of every question key of every stored passage."""
    return _ids_and_vectors(
        db,
        "SELECT p.faiss_id, v.vector FROM passages p, json_each(p.questions) q "
        "JOIN question_vectors v ON v.question = q.value AND v.model_id = ? ORDER BY p.faiss_id, q.key",
        model_id,
    )


def vectors_for_current_passages(db: sqlite_utils.Database, model_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(faiss ids, vectors) of every stored passage, for building the FAISS index."""
    return _ids_and_vectors(
        db,
        "SELECT p.faiss_id, v.vector FROM passages p JOIN passage_vectors v ON v.passage_id = p.id "
        "AND v.model_id = ? ORDER BY p.faiss_id",
        model_id,
    )


def _ids_and_vectors(db: sqlite_utils.Database, sql: str, model_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (faiss_id, vector blob) as an int64 id array and a float32 matrix."""
    rows = list(db.query(sql, [model_id]))
    ids = np.array([r["faiss_id"] for r in rows], dtype="int64")
    if not rows:
        return ids, np.zeros((0, 0), dtype="float32")
    return ids, np.vstack([blob_to_vector(r["vector"]) for r in rows]).astype("float32")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path` (all or nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_faiss(index_dir: Path, ids: np.ndarray, vectors: np.ndarray, dim: int, meta: dict) -> None:
    """Build an inner-product FAISS index with ids and swap it and its metadata in atomically."""
    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype="float32"), ids)
    data = faiss.serialize_index(index).tobytes()
    atomic_write_bytes(index_dir / FAISS_FILE, data)
    atomic_write_bytes(index_dir / META_FILE, json.dumps({"format": INDEX_FORMAT, **meta}, indent=2).encode())


def read_meta(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_faiss(index_dir: Path):
    import faiss

    data = np.frombuffer((index_dir / FAISS_FILE).read_bytes(), dtype="uint8")
    return faiss.deserialize_index(data)
