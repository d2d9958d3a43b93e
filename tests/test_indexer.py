"""Incremental reindex, crash safety and index metadata, on a small catalogue with the torch-free backend."""

import json

import pytest

from catalogue.store import open_db
from indexer import service
from indexer.search import IndexMismatch, IndexMissing, Searcher
from tests.helpers import PRACTICE, write_entry


def index_now(embedder, **kwargs):
    db = open_db(service.settings.db_path())
    return db, service.reindex(db=db, embedder=embedder, **kwargs)


def test_incremental_reindex_embeds_only_changed_passages(isolated, nano_embedder):
    knowledge = isolated / "knowledge"
    write_entry(knowledge, "quotumheffing")
    write_entry(knowledge, "binnenwerk", PRACTICE, "practices")
    db, first = index_now(nano_embedder)
    assert (first.added, first.changed, first.removed, first.embedded) == (10, 0, 0, 10)

    from catalogue.loader import load_catalogue
    from indexer.build import catalogue_passages

    sentences = sum(len(p.sentences) for p in catalogue_passages(load_catalogue(knowledge).entries))
    assert db.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0] == sentences

    db, again = index_now(nano_embedder)
    assert again.embedded == 0 and again.unchanged == 10

    write_entry(knowledge, "binnenwerk", PRACTICE, "practices", **{"Geld.": "Geld en een jobcoach."})
    db, edited = index_now(nano_embedder)
    assert (edited.added, edited.changed, edited.removed, edited.embedded) == (0, 1, 0, 1)

    (knowledge / "rules" / "quotumheffing.md").unlink()
    db, removed = index_now(nano_embedder)
    assert (removed.removed, removed.embedded, removed.passages) == (5, 0, 5)
    assert db.execute("SELECT count(*) FROM passage_vectors").fetchone()[0] == 5

    meta = json.loads((isolated / "var" / "index" / "passages.json").read_text())
    assert meta["passage_count"] == 5 and meta["dim"] == 384 and meta["model_id"] == nano_embedder.model_id

    db, full = index_now(nano_embedder, full=True)
    assert full.embedded == 5


def test_failed_build_leaves_previous_index_serving(isolated, nano_embedder, monkeypatch):
    knowledge = isolated / "knowledge"
    write_entry(knowledge, "quotumheffing")
    db, _ = index_now(nano_embedder)
    searcher = Searcher(db, service.index_dir(), nano_embedder)
    before = [h.passage["id"] for h in searcher.search("ontbrekende baan heffing", k=3)]
    faiss_bytes = (service.index_dir() / "passages.faiss").read_bytes()

    write_entry(knowledge, "quotumheffing", **{"Werkgevers in de sector overheid.": "Nieuwe tekst hier."})
    write_entry(knowledge, "binnenwerk", PRACTICE, "practices")

    def broken(texts):
        raise RuntimeError("model crashed halfway")

    with monkeypatch.context() as patch:
        patch.setattr(nano_embedder, "encode_passages", broken)
        with pytest.raises(RuntimeError):
            index_now(nano_embedder)

    assert (service.index_dir() / "passages.faiss").read_bytes() == faiss_bytes
    assert db.execute("SELECT count(*) FROM passages WHERE entry_id = 'binnenwerk'").fetchone()[0] == 0
    reopened = Searcher(open_db(service.settings.db_path()), service.index_dir(), nano_embedder)
    assert [h.passage["id"] for h in reopened.search("ontbrekende baan heffing", k=3)] == before
    assert not list(service.index_dir().glob(".passages*"))  # no temporary files left behind

    db, stats = index_now(nano_embedder)
    assert stats.embedded == 6 and stats.changed == 1


def test_missing_index_and_model_mismatch_say_how_to_fix(isolated, nano_embedder):
    write_entry(isolated / "knowledge", "quotumheffing")
    db = open_db(service.settings.db_path())
    with pytest.raises(IndexMissing, match="helpdesk index"):
        Searcher(db, service.index_dir(), nano_embedder)
    index_now(nano_embedder)
    meta_path = service.index_dir() / "passages.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "model_id": "other-model", "dim": 768}))
    with pytest.raises(IndexMismatch, match="helpdesk index --full"):
        Searcher(db, service.index_dir(), nano_embedder)


def test_index_and_entries_refuse_an_invalid_catalogue(isolated):
    from click.testing import CliRunner

    from web.cli import cli

    write_entry(isolated / "knowledge", "kapot", **{"title: Quotumheffing\n": ""})
    for command in (["index"], ["entries"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert "kapot.md:1: title: ontbreekt" in result.output
        assert "helpdesk check" in result.output
