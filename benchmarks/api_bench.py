"""Server-side latency of POST /api/ask (warm, Flask app in process, real model and index).

python benchmarks/api_bench.py [--n 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_catalogue  # noqa: E402 - benchmarks/scratch.py

from indexer.evaluate import load_questions, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100, help="number of questions to time")
    args = parser.parse_args()
    with scratch_catalogue("api-bench"):
        from indexer.service import reindex
        from web.app import create_app

        reindex()
        app = create_app({"HELPDESK_RATE_LIMIT": 0})
        client = app.test_client()
        questions = [q.question for q in load_questions()][: args.n]
        client.post("/api/ask", json={"question": questions[0]})  # warm: loads model, index, assistant
        times, statuses = [], {}
        for question in questions:
            started = time.perf_counter()
            response = client.post("/api/ask", data=json.dumps({"question": question}), content_type="application/json")
            times.append((time.perf_counter() - started) * 1000)
            status = response.get_json()["status"]
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"POST /api/ask, {len(times)} questions, warm: p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms; statuses {statuses}"
        )


if __name__ == "__main__":
    main()
