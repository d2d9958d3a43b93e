"""Calibrate the refusal thresholds (assistant/scope.yaml) on the public questions (should be answered) and the
out-of-scope questions (should be refused). Prints both error rates for a grid and the current setting.

    python benchmarks/calibrate_refusal.py
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer import strip_placeholders  # noqa: E402
from assistant.evaluate import load_out_of_scope  # noqa: E402
from assistant.scope import ScopeChecker, decide_from_signals, scope_config  # noqa: E402
from indexer.evaluate import load_questions  # noqa: E402
from indexer.search import clean_query  # noqa: E402
from indexer.service import open_searcher  # noqa: E402


def collect(searcher, checker, questions):
    rows = []
    for text in questions:
        query = clean_query(strip_placeholders(text))
        hits = searcher.search(query, k=5)
        rows.append(checker.signals(query, hits, hits.top_dense))
    return rows


def rates(inside, outside, t):
    false_refusal = sum(not decide_from_signals(s, t).in_scope for s in inside) / len(inside)
    refused = sum(not decide_from_signals(s, t).in_scope for s in outside) / len(outside)
    return false_refusal, refused


def main() -> None:
    searcher = open_searcher()
    checker = ScopeChecker(searcher)
    inside = collect(searcher, checker, [q.question for q in load_questions()])
    outside = collect(searcher, checker, [q["question"] for q in load_out_of_scope()])
    current = scope_config()["thresholds"]
    grid = []
    for top, top_en, margin, cov in itertools.product(
        (0.80, 0.82, 0.83, 0.84), (0.78, 0.80, 0.82, 0.84), (0.0, 0.005, 0.01, 0.015), (0.0, 0.1, 0.2, 0.3)
    ):
        t = {"min_top_dense": top, "min_top_dense_english": top_en, "min_margin": margin, "min_coverage": cov}
        fr, refused = rates(inside, outside, t)
        grid.append((fr + (1 - refused), fr, refused, t))
    grid.sort(key=lambda g: g[0])
    print(f"{len(inside)} in-scope questions, {len(outside)} out-of-scope questions")
    print(f"{'false refusal':>14} {'oos refused':>12}  thresholds")
    for _, fr, refused, t in grid[:10]:
        print(f"{fr:>14.3f} {refused:>12.3f}  {t}")
    for limit in (0.05, 0.10):
        ok = [g for g in grid if g[1] <= limit]
        if ok:
            best = max(ok, key=lambda g: g[2])
            print(f"best with false refusal <= {limit}: false refusal {best[1]:.3f}, refused {best[2]:.3f}, {best[3]}")
    fr, refused = rates(inside, outside, current)
    print(f"current {current}: false refusal {fr:.3f}, out-of-scope refused {refused:.3f}")


if __name__ == "__main__":
    main()
