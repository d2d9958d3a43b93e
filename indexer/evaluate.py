"""Retrieval evaluation on the public question set (`benchmarks/questions.yaml`).

Each question lists the entries (and optionally sections) that answer it. A retrieved passage is relevant when its
entry matches and, if a section is given, its section anchor too. Prints Recall@1, Recall@5 and MRR@10 per mode
and subset (direct / reworded / english), and query latency p50/p95.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from catalogue.settings import PROJECT_ROOT

QUESTIONS_FILE = PROJECT_ROOT / "benchmarks" / "questions.yaml"
SUBSETS = ("direct", "reworded", "english")


@dataclass
class Question:
    id: str
    question: str
    lang: str
    style: str
    relevant: list[dict]

    @property
    def subset(self) -> str:
        return "english" if self.lang == "en" else self.style

    def is_relevant(self, passage: dict) -> bool:
        return any(
            passage["entry_id"] == r["entry"] and (not r.get("section") or passage["anchor"] == r["section"])
            for r in self.relevant
        )


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        Question(q["id"], q["question"], q.get("lang", "nl"), q.get("style", "direct"), q["relevant"]) for q in data
    ]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def evaluate_mode(searcher, questions: list[Question], mode: str) -> dict:
    """Metrics for one mode: overall and per subset, plus latencies in ms."""
    per_question = []
    latencies = []
    for q in questions:
        started = time.perf_counter()
        hits = searcher.search(q.question, k=10, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        first = next((h.rank for h in hits if q.is_relevant(h.passage)), None)
        per_question.append((q, first))
    result = {"mode": mode, "latency_p50_ms": percentile(latencies, 50), "latency_p95_ms": percentile(latencies, 95)}
    for subset in ("all", *SUBSETS):
        rows = [(q, r) for q, r in per_question if subset == "all" or q.subset == subset]
        result[subset] = metrics([r for _, r in rows])
    result["misses_at_5"] = [q.id for q, r in per_question if r is None or r > 5]
    return result


def metrics(first_ranks: list[int | None]) -> dict:
    n = len(first_ranks)
    if not n:
        return {"n": 0, "r1": 0.0, "r5": 0.0, "mrr10": 0.0}
    return {
        "n": n,
        "r1": sum(1 for r in first_ranks if r == 1) / n,
        "r5": sum(1 for r in first_ranks if r and r <= 5) / n,
        "mrr10": sum(1 / r for r in first_ranks if r and r <= 10) / n,
    }


def format_table(results: list[dict]) -> str:
    lines = [
        f"{'mode':<13}{'subset':<10}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR@10':>8}",
        "-" * 51,
    ]
    for res in results:
        for subset in ("all", *SUBSETS):
            m = res[subset]
            lines.append(f"{res['mode']:<13}{subset:<10}{m['n']:>4}{m['r1']:>8.3f}{m['r5']:>8.3f}{m['mrr10']:>8.3f}")
        lines.append(f"{'':<13}latency p50 {res['latency_p50_ms']:.1f} ms, p95 {res['latency_p95_ms']:.1f} ms")
    return "\n".join(lines)
