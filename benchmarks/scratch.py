"""A private copy of the shipped catalogue for a benchmark run: HELPDESK_KNOWLEDGE_DIR and HELPDESK_DATA_DIR point
into a temporary folder (store, index, edits), removed afterwards. The real `var/` is never touched."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def scratch_catalogue(name: str) -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix=f"helpdesk-{name}-"))
    shutil.copytree(PROJECT_ROOT / "knowledge", tmp / "knowledge")
    os.environ.update({"HELPDESK_KNOWLEDGE_DIR": str(tmp / "knowledge"), "HELPDESK_DATA_DIR": str(tmp / "var")})
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
