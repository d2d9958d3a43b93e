"""Search benchmark: query latency per mode on the shipped catalogue and on a synthetic 10.000-passage corpus,
full index time of the shipped catalogue, and time from one edited entry to searchable.

Runs in temporary folders (never touches var/). Prints a table. Usage: python benchmarks/search_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_catalogue  # noqa: E402 - benchmarks/scratch.py

from catalogue.store import open_db  # noqa: E402
from indexer import service  # noqa: E402
from indexer.embedder import shared_embedder  # noqa: E402
from indexer.evaluate import load_questions, percentile  # noqa: E402
from indexer.keyword import stem_text  # noqa: E402
from indexer.passages import Passage, passage_id  # noqa: E402
from indexer.search import MODES, Searcher  # noqa: E402


def time_queries(searcher: Searcher, queries: list[str], mode: str) -> tuple[float, float]:
    searcher.search(queries[0], k=5, mode=mode)  # warm
    times = []
    for q in queries:
        started = time.perf_counter()
        searcher.search(q, k=5, mode=mode)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 95)


def synthetic_corpus(db, embedder, index_dir: Path, base: list[dict], n: int) -> None:
    """n passages made by shuffling sentences of real ones; passage and sentence vectors by perturbing real
    vectors (fast), so the dense search does the same work as on a real corpus of that size."""
    import numpy as np

    from indexer import store

    rng = random.Random(7)
    vectors = store.stored_vectors(db, embedder.model_id)
    sentences = [s for p in base for s in p["text"].split(". ") if len(s) > 20]
    passages, rows = [], []
    for i in range(n - len(base)):
        src = rng.choice(base)
        text = ". ".join(rng.sample(sentences, 6)) + "."
        p = Passage(
            passage_id(f"synth-{i}", src["heading"], text),
            f"synth-{i}",
            src["title"],
            src["heading"],
            src["anchor"],
            src["kind"],
            text,
            0,
        )
        noise = np.random.default_rng(i).normal(0, 0.02, embedder.dim).astype("float32")
        v = vectors[src["id"]] + noise
        passages.append(p)
        rows.append((p, v / np.linalg.norm(v)))
    with db.conn:
        for p, v in rows:
            row = store.passage_row(p, stem_text(p.text))
            db.execute(
                f"INSERT INTO passages ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
            )
            db.execute(
                "INSERT INTO passage_vectors VALUES (?, ?, ?)", [p.id, embedder.model_id, store.vector_to_blob(v)]
            )
            for position in range(len(p.sentences)):
                sv = v + np.random.default_rng(position).normal(0, 0.05, embedder.dim).astype("float32")
                db.execute(
                    "INSERT INTO sentence_vectors VALUES (?, ?, ?, ?)",
                    [p.id, embedder.model_id, position, store.vector_to_blob(sv / np.linalg.norm(sv))],
                )
    ids, matrix = store.vectors_for_current_passages(db, embedder.model_id)
    meta = store.read_meta(index_dir)
    store.write_faiss(index_dir, ids, matrix, embedder.dim, {**meta, "passage_count": len(ids)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer queries")
    args = parser.parse_args()
    rows = []
    with scratch_catalogue("bench") as tmp:
        started = time.perf_counter()
        embedder = shared_embedder("st")
        load_s = time.perf_counter() - started
        db = open_db(tmp / "var" / "helpdesk.db")
        started = time.perf_counter()
        stats = service.reindex(db=db, embedder=embedder, full=True)
        full_s = time.perf_counter() - started
        rows.append(("model load (st, fresh process)", f"{load_s:.1f} s"))
        rows.append((f"full index of shipped catalogue ({stats.passages} passages)", f"{full_s:.1f} s"))

        # One edited entry → searchable, in a running process (model loaded): reindex + reload the searcher.
        searcher = Searcher(db, service.index_dir(), embedder)
        path = tmp / "knowledge" / "rules" / "jobcoach.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nDe jobcoach helpt ook bij de inwerkperiode.\n")
        started = time.perf_counter()
        edit = service.reindex(db=db, embedder=embedder)
        searcher.refresh()
        hits = searcher.search("helpt de jobcoach bij de inwerkperiode?", k=3)
        edit_s = time.perf_counter() - started
        found = any("inwerkperiode" in h.passage["text"] for h in hits)
        rows.append((f"one edited entry → searchable ({edit.embedded} re-embedded, found={found})", f"{edit_s:.2f} s"))

        queries = [q.question for q in load_questions()]
        if args.quick:
            queries = queries[:30]
        for mode in MODES:
            p50, p95 = time_queries(searcher, queries, mode)
            rows.append(
                (f"query {mode}, shipped ({searcher.index.ntotal} passages)", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            )

        base = list(searcher.by_faiss_id.values())
        synthetic_corpus(db, embedder, service.index_dir(), base, 10_000)
        searcher.refresh()
        for mode in MODES:
            p50, p95 = time_queries(searcher, queries, mode)
            rows.append(
                (f"query {mode}, synthetic ({searcher.index.ntotal} passages)", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  result")
    print("-" * (width + 30))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
