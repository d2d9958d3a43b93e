"""Seconds from "publish" to the new entry being cited in the chat (warm, real model and index, in process).

Each round writes a new practice as a draft, publishes it through catalogue.curation (file written, store synced,
incremental reindex, searcher reloaded) and asks the assistant a question about it.

python benchmarks/publish_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_catalogue  # noqa: E402 - benchmarks/scratch.py

from indexer.evaluate import percentile  # noqa: E402

PLACES = ("Noorderhaven", "Oosterpark", "Westerkwartier", "Zuiderzee", "Middenmeer", "Hoogland", "Laagveld")
ENTRY = """---
id: {id}
title: Drukkerij {place}
kind: practice
summary: "In drukkerij {place} drukken mensen uit de doelgroep banenafspraak folders voor de gemeente."
sectors: [gemeenten]
action_types: [functies-passend-maken]
organisation: Gemeente {place}
contact:
  note: "Vraag het werkgeversservicepunt in uw regio."
sources:
  - title: Jaarverslag drukkerij {place}
    publisher: Gemeente {place}
    date: "2026"
    locator: p. 3
review_by: 2027-11-01
last_reviewed: 2026-11-01
status: draft
---

## Wat is het?

In drukkerij {place} drukken mensen uit de doelgroep banenafspraak folders en posters voor de gemeente. [bron 1]

## Hoe werkt het?

Een vaste werkleider leert elke nieuwe medewerker in drukkerij {place} de drukpers bedienen. [bron 1]

## Resultaten

In drukkerij {place} werken acht mensen uit de doelgroep. [bron 1]

## Wat heb je nodig?

Een drukpers, een werkleider en opdrachten van de gemeente. [bron 1]

## Contact en meer weten

Vraag het werkgeversservicepunt in uw regio naar drukkerij {place}. [bron 1]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with scratch_catalogue("publish-bench"):
        import assistant.history  # noqa: F401 - registers its tables before the store is opened
        from assistant.answer import Assistant
        from catalogue import curation, settings
        from catalogue.store import open_db
        from indexer.service import open_searcher, reindex

        db = open_db(settings.db_path())
        reindex(db=db)
        searcher = open_searcher(db=db)
        helpdesk = Assistant(searcher, db)
        helpdesk.ask("Wat is de banenafspraak?")  # warm

        def update_index():
            stats = reindex(db=db, embedder=searcher.embedder)
            searcher.refresh()
            return stats

        times, cited = [], 0
        for place in PLACES[: args.rounds]:
            entry_id = f"drukkerij-{place.lower()}"
            curation.save_draft(db, entry_id, "practice", ENTRY.format(id=entry_id, place=place), "bench", "", 0)
            started = time.perf_counter()
            curation.publish(db, settings.knowledge_dir(), entry_id, "bench", "", 1, update_index)
            answer = helpdesk.ask(f"Wat doen mensen uit de doelgroep bij drukkerij {place}?")
            times.append(time.perf_counter() - started)
            cited += entry_id in [c["entry_id"] for c in answer.citations]
        print(
            f"publish → cited in the chat, {len(times)} rounds: p50 {percentile(times, 50):.2f} s, "
            f"max {max(times):.2f} s; new entry cited in {cited} of {len(times)} answers"
        )


if __name__ == "__main__":
    main()
