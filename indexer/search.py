"""The search API every later part uses: `Searcher.search(query, k, mode, filters)`.

Modes: `dense` (FAISS, cosine of e5 vectors), `keyword` (FTS5 trigram + compound splitting, BM25), `keyword-stem`
(FTS5 over Dutch snowball stems; measured alternative) and `hybrid` (reciprocal rank fusion of dense and keyword).
The default mode is chosen by `helpdesk eval` (see docs/adr/0002-default-search-mode.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils

from . import store
from .config import retrieval_config
from .keyword import WORD, fold, looks_english, stem_query, thesaurus_terms, trigram_query, with_thesaurus

MODES = ("dense", "keyword", "keyword-stem", "hybrid")
DEFAULT_MODE = retrieval_config()["default_mode"]  # chosen by `helpdesk eval`: docs/adr/0002-default-search-mode.md
ANSWER_MODE = retrieval_config()["answer_mode"]  # the assistant's search: see retrieval.yaml
MAX_QUERY_CHARS = 1000
SENTENCE_CANDIDATES = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class SearchError(Exception):
    """A problem the user can fix; the message is Dutch and says how."""


class QueryError(SearchError):
    pass


class IndexMissing(SearchError):
    pass


class IndexMismatch(SearchError):
    pass


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    sector: str | None = None
    action_type: str | None = None
    on_date: dt.date | None = None
    # "mark": keep rules not valid on `on_date` but flag them; "exclude": drop them; "exclude_ended": drop rules that
    # ended before `on_date`, flag those that start later (they often also describe the years before)
    outdated: str = "mark"


@dataclass
class Hit:
    passage: dict
    score: float
    rank: int
    mode: str
    outdated: bool = False
    dense_score: float | None = None

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "mode": self.mode,
            "outdated": self.outdated,
            "passage_id": p["id"],
            "entry_id": p["entry_id"],
            "title": p["title"],
            "section": p["heading"],
            "anchor": p["anchor"],
            "kind": p["kind"],
            "text": p["text"],
            "valid_from": p["valid_from"],
            "valid_until": p["valid_until"],
        }


class SearchResults(list):
    """The hits of one search (a list of Hit) plus `top_dense`: the best dense score in the whole catalogue."""

    def __init__(self, hits=(), top_dense: float | None = None) -> None:
        super().__init__(hits)
        self.top_dense = top_dense


def _flat_index(vectors: np.ndarray):
    """An in-memory inner-product FAISS index over the rows of `vectors` (ids = row numbers)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1] if len(vectors) else 1)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype="float32"))
    return index


def clean_query(text: str | None) -> str:
    """Normalise a user query; raises QueryError when nothing searchable is left."""
    if text is None:
        raise QueryError("Typ een vraag of zoekwoord.")
    text = unicodedata.normalize("NFC", str(text)).replace("\x00", "")
    text = CONTROL.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        raise QueryError("Typ een vraag of zoekwoord.")
    return text[:MAX_QUERY_CHARS]


@dataclass
class Searcher:
    """Holds the passages, the FAISS index and the embedder; load once per process."""

    db: sqlite_utils.Database
    index_dir: Path
    embedder: object
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index_dir = Path(self.index_dir)
        self.meta = store.read_meta(self.index_dir) or {}
        if not self.meta or not (self.index_dir / store.FAISS_FILE).exists():
            raise IndexMissing("Er is nog geen zoekindex. Maak hem met: helpdesk index")
        if self.meta.get("model_id") != self.embedder.model_id or self.meta.get("dim") != self.embedder.dim:
            raise IndexMismatch(
                f"De zoekindex is gemaakt met model {self.meta.get('model_id')} ({self.meta.get('dim')} dimensies), "
                f"maar nu is {self.embedder.model_id} ({self.embedder.dim}) ingesteld. "
                "Maak de index opnieuw met: helpdesk index --full"
            )
        self.index = store.read_faiss(self.index_dir)
        self._query_cache: dict[str, np.ndarray] = {}
        self.reload_passages()

    def reload_passages(self) -> None:
        rows = list(self.db.query("SELECT rowid, * FROM passages"))
        for row in rows:
            row["questions"] = json.loads(row.get("questions") or "[]")
            row["sectors"] = json.loads(row["sectors"] or "[]")
            row["action_types"] = json.loads(row["action_types"] or "[]")
            row.pop("stems", None)
        self.by_faiss_id = {r["faiss_id"]: r for r in rows}
        self.by_rowid = {r["rowid"]: r for r in rows}
        self.passage_list = list(self.by_faiss_id.values())
        self.by_id = {r["id"]: r for r in rows}
        position = {r["faiss_id"]: i for i, r in enumerate(self.passage_list)}
        owners, sentence_vectors = store.sentence_matrix(self.db, self.embedder.model_id)
        self.sentence_owner = np.array([position.get(int(o), -1) for o in owners], dtype="int64")
        self.sentence_index = _flat_index(sentence_vectors)
        owners, question_vectors = store.question_matrix(self.db, self.embedder.model_id)
        self.question_owner = np.array([position.get(int(o), -1) for o in owners], dtype="int64")
        self.question_index = _flat_index(question_vectors)
        self.position = position
        faiss_ids = np.array([r["faiss_id"] for r in self.passage_list], dtype="int64")
        order = np.argsort(faiss_ids)
        self.sorted_faiss_ids, self.sorted_positions = faiss_ids[order], order
        self._entry_vectors: tuple[list[str], np.ndarray] | None = None
        self.vocabulary = frozenset(
            w for r in rows for w in WORD.findall(fold(r["text"] + " " + r["title"])) if len(w) >= 4
        )

    @classmethod
    def open(cls, db_path: Path, index_dir: Path, embedder) -> Searcher:
        from catalogue.store import open_db

        return cls(open_db(db_path), Path(index_dir), embedder)

    def refresh(self) -> None:
        """Reload the FAISS file and passages after a reindex."""
        self.meta = store.read_meta(self.index_dir) or {}
        self.index = store.read_faiss(self.index_dir)
        self.reload_passages()

    # -- search ---------------------------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, mode: str = DEFAULT_MODE, filters: Filters | None = None) -> SearchResults:
        """The best `k` passages for `query`, best first, with the best dense score of the whole catalogue
        (`top_dense`, dense and hybrid modes) for refusal decisions. Raises QueryError for an empty query."""
        if mode not in MODES:
            raise QueryError(f"Onbekende zoekmethode '{mode}'. Kies uit: {', '.join(MODES)}.")
        query = clean_query(query)
        k = max(1, min(int(k), 100))
        filters = filters or Filters()
        top_dense = None
        if mode in ("dense", "hybrid"):
            dense, top_dense = self._dense(query)
        if mode == "dense":
            ranked = dense
        elif mode == "keyword":
            ranked = self._keyword(query, stemmed=False)
        elif mode == "keyword-stem":
            ranked = self._keyword(query, stemmed=True)
        else:
            ranked = self._hybrid(query, list(itertools.islice(dense, 100)))
        hits = SearchResults(top_dense=top_dense)
        for passage, score, dense_score in ranked:
            outdated = self._is_outdated(passage, filters.on_date)
            if not self._matches(passage, filters) or (outdated and self._excluded(passage, filters)):
                continue
            hits.append(Hit(passage, score, len(hits) + 1, mode, outdated, dense_score))
            if len(hits) == k:
                break
        return hits

    def _dense(self, query: str) -> tuple[Iterator[tuple[dict, float, float]], float | None]:
        """Passages by (1 - w) × passage cosine + w × best sentence cosine (w = retrieval.yaml sentence_weight),
        blended with the employer questions of their section, best first, lazily (callers usually need only the
        first few); and the best score without the questions, for refusal decisions (an off-topic question
        resembles some employer question more than it resembles the catalogue's text)."""
        if self.index.ntotal == 0 or not self.passage_list:
            return iter(()), None
        vector = self.query_vector(query)[None, :]
        scores, ids = self.index.search(vector, self.index.ntotal)
        # Map FAISS ids to positions; an id from an interrupted build that SQLite no longer has is skipped.
        slot = np.searchsorted(self.sorted_faiss_ids, ids[0])
        slot = np.minimum(slot, len(self.sorted_faiss_ids) - 1)
        found = self.sorted_faiss_ids[slot] == ids[0]
        passage_scores = np.full(len(self.passage_list), np.nan, dtype="float32")
        passage_scores[self.sorted_positions[slot[found]]] = scores[0][found]
        combined = passage_scores
        weight = float(retrieval_config()["sentence_weight"])
        if weight and self.sentence_index.ntotal:
            # FAISS, not numpy: OpenBLAS threads left spinning after a numpy product slow the next torch encode 4x.
            # The best SENTENCE_CANDIDATES sentences are enough: a passage without one keeps its passage score.
            best = self._best_per_passage(self.sentence_index, self.sentence_owner, vector, SENTENCE_CANDIDATES)
            combined = (1 - weight) * passage_scores + weight * np.where(np.isfinite(best), best, passage_scores)
        valid = np.flatnonzero(~np.isnan(combined))
        if not len(valid):
            return iter(()), None
        top_plain = float(np.max(combined[valid]))
        keyed = self._with_question_keys(vector, combined)

        def ranked() -> Iterator[tuple[dict, float, float]]:
            for i in valid[np.argsort(-keyed[valid], kind="stable")]:
                yield self.passage_list[i], float(keyed[i]), float(keyed[i])

        return ranked(), top_plain

    def _with_question_keys(self, vector: np.ndarray, combined: np.ndarray) -> np.ndarray:
        """Blend in how close the query is to the employer questions of each passage's section (retrieval.yaml
        `question_weight`); a passage without questions keeps its own score."""
        weight = float(retrieval_config().get("question_weight", 0))
        if not weight or not self.question_index.ntotal:
            return combined
        best = self._best_per_passage(self.question_index, self.question_owner, vector, self.question_index.ntotal)
        return (1 - weight) * combined + weight * np.where(np.isfinite(best), best, combined)

    def _best_per_passage(self, index, owners: np.ndarray, vector: np.ndarray, limit: int) -> np.ndarray:
        """Per passage, the best cosine of the query to one of its rows in `index` (sentences or employer
        questions) among the `limit` nearest rows; -inf for a passage without one."""
        sims, rows = index.search(vector, min(limit, index.ntotal))
        owner = owners[rows[0]]
        known = (rows[0] >= 0) & (owner >= 0)
        best = np.full(len(self.passage_list), -np.inf, dtype="float32")
        np.maximum.at(best, owner[known], sims[0][known])
        return best

    def top_question_similarities(self, query: str, k: int, ignore_above: float | None = None) -> list[float] | None:
        """The `k` highest cosines between the query and the catalogue's employer questions, best first (None
        without any). `ignore_above` skips near-copies, so calibration on questions that are also keys stays
        honest."""
        if not self.question_index.ntotal:
            return None
        sims, _ = self.question_index.search(self.query_vector(clean_query(query))[None, :], k + 10)
        kept = [float(x) for x in sims[0] if ignore_above is None or x < ignore_above]
        return kept[:k] or None

    def query_vector(self, query: str) -> np.ndarray:
        """The vector of the query plus its thesaurus terms; the last few are cached (an answer needs it for
        search, scope and sentence choice)."""
        cached = self._query_cache.get(query)
        if cached is None:
            cached = np.asarray(self.embedder.encode_queries([with_thesaurus(query)]), dtype="float32")[0]
            if len(self._query_cache) >= 64:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[query] = cached
        return cached

    def sentence_scores(self, query: str, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """Cosine of the query to each sentence of the given passages (in `Passage.sentences` order)."""
        vector = self.query_vector(clean_query(query))
        wanted = {self.position[self.by_id[pid]["faiss_id"]]: pid for pid in passage_ids if pid in self.by_id}
        out: dict[str, list[float]] = {pid: [] for pid in wanted.values()}
        sims, rows = self.sentence_index.search(vector[None, :], self.sentence_index.ntotal)
        by_row = dict(zip(rows[0].tolist(), sims[0].tolist(), strict=True))
        for row, owner in enumerate(self.sentence_owner):
            if int(owner) in wanted:
                out[wanted[int(owner)]].append(by_row[row])
        return {pid: np.array(values) for pid, values in out.items()}

    def related_entries(self, entry_id: str, k: int = 3) -> list[str]:
        """The ids of the `k` published entries whose mean passage vector is closest to this entry's."""
        ids, matrix = self._entry_matrix()
        if entry_id not in ids:
            return []
        sims = matrix @ matrix[ids.index(entry_id)]
        order = [int(i) for i in np.argsort(-sims) if ids[int(i)] != entry_id]
        return [ids[i] for i in order[:k]]

    def _entry_matrix(self) -> tuple[list[str], np.ndarray]:
        """One normalised vector per entry (the mean of its passage vectors), computed once per index load."""
        if self._entry_vectors is None:
            groups: dict[str, list[np.ndarray]] = {}
            for passage in self.passage_list:
                groups.setdefault(passage["entry_id"], []).append(self.index.reconstruct(int(passage["faiss_id"])))
            ids = sorted(groups)
            matrix = np.array([np.mean(groups[i], axis=0) for i in ids], dtype="float32").reshape(len(ids), -1)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            self._entry_vectors = (ids, matrix)
        return self._entry_vectors

    def _keyword(self, query: str, stemmed: bool, limit: int = 500) -> list[tuple[dict, float, None]]:
        if stemmed:
            fts, table = stem_query(query), "passages_stem"
        else:
            fts, table = trigram_query(query, self.vocabulary), "passages_fts"
        if not fts:
            return []
        rows = self.db.execute(
            f"SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT ?",
            [fts, limit],
        ).fetchall()
        return [(self.by_rowid[rowid], -rank, None) for rowid, rank in rows if rowid in self.by_rowid]

    def _hybrid(self, query: str, dense: list) -> list[tuple[dict, float, float | None]]:
        """Weighted reciprocal rank fusion of dense and keyword; English without thesaurus hits uses dense only."""
        config = retrieval_config()
        if config["english_dense_only"] and looks_english(query) and not thesaurus_terms(query):
            return [(p, 1.0 / (config["rrf_k"] + rank), d) for rank, (p, _, d) in enumerate(dense, start=1)]
        fused: dict[str, float] = {}
        dense_score: dict[str, float] = {}
        by_id: dict[str, dict] = {}
        rankings = ((dense, 1.0), (self._keyword(query, stemmed=False, limit=100), float(config["keyword_weight"])))
        for ranking, weight in rankings:
            for rank, (passage, _, dense_value) in enumerate(ranking, start=1):
                fused[passage["id"]] = fused.get(passage["id"], 0.0) + weight / (config["rrf_k"] + rank)
                by_id[passage["id"]] = passage
                if dense_value is not None:
                    dense_score[passage["id"]] = dense_value
        order = sorted(fused, key=fused.get, reverse=True)
        return [(by_id[pid], fused[pid], dense_score.get(pid)) for pid in order]

    @staticmethod
    def _matches(passage: dict, filters: Filters) -> bool:
        if filters.kind and passage["kind"] != filters.kind:
            return False
        if filters.sector and filters.sector not in passage["sectors"] and "alle" not in passage["sectors"]:
            return False
        return not (filters.action_type and filters.action_type not in passage["action_types"])

    @staticmethod
    def _excluded(passage: dict, filters: Filters) -> bool:
        """Is an outdated passage left out (rather than flagged) under these filters?"""
        if filters.outdated == "exclude":
            return True
        until = passage.get("valid_until")
        return filters.outdated == "exclude_ended" and bool(until and until < filters.on_date.isoformat())

    @staticmethod
    def _is_outdated(passage: dict, on_date: dt.date | None) -> bool:
        if not on_date:
            return False
        until, start = passage.get("valid_until"), passage.get("valid_from")
        return bool((until and until < on_date.isoformat()) or (start and start > on_date.isoformat()))
