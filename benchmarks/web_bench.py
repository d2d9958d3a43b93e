"""Full response time of the web pages through a real waitress server on loopback (warm, real model and index).

The headline figure is the chat page's form POST (what a visitor without JavaScript waits for): question in,
whole HTML page with the answer out. The other pages are timed with GET.

python benchmarks/web_bench.py [--n 100]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_catalogue  # noqa: E402 - benchmarks/scratch.py

from indexer.evaluate import load_questions, percentile  # noqa: E402

PAGES = (
    "/",
    "/catalogus",
    "/catalogus?kind=practice&sector=gemeenten",
    "/catalogus?q=loonkostensubsidie",
    "/catalogus/no-riskpolis",
    "/quotum?year=2024&sector=overheid&fte=300&hours_per_week=38&tg0_count=4&tg0_hours=25,5",
    "/over",
)


class Browser:
    """A tiny HTTP client that keeps the session cookie (for the CSRF token), like a browser would."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        html = response.read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, html, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100, help="number of questions to post")
    args = parser.parse_args()
    with scratch_catalogue("web-bench"):
        import waitress

        from indexer.service import reindex
        from web.app import create_app
        from web.services import services

        reindex()
        app = create_app({"HELPDESK_RATE_LIMIT": 0})
        with app.app_context():
            services().assistant  # noqa: B018 - load model and index before timing
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        browser = Browser(server.effective_port)
        _, page, _ = browser.request("GET", "/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        questions = [q.question for q in load_questions()][: args.n]
        browser.request("POST", "/", urlencode({"question": questions[0], "csrf_token": token}))  # warm
        times, statuses = [], {}
        for question in questions:  # each question starts a new conversation, as a new visitor would
            status, _, elapsed = browser.request("POST", "/", urlencode({"question": question, "csrf_token": token}))
            times.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
        print(
            f"POST / (chat form, full page), {len(times)} questions, warm: p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms; HTTP statuses {statuses}"
        )
        for path in PAGES:
            page_times = [browser.request("GET", path)[2] for _ in range(20)]
            print(f"GET {path}: p50 {percentile(page_times, 50):.1f} ms, p95 {percentile(page_times, 95):.1f} ms")
        server.close()


if __name__ == "__main__":
    main()
