"""Retrieval settings from `indexer/retrieval.yaml` (weights, default mode, thesaurus), read once."""

from functools import lru_cache
from pathlib import Path

import yaml

CONFIG_FILE = Path(__file__).with_name("retrieval.yaml")


@lru_cache(maxsize=1)
def retrieval_config() -> dict:
    data = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
    data["thesaurus"] = {str(k).lower(): [str(v) for v in values] for k, values in data["thesaurus"].items()}
    return data
