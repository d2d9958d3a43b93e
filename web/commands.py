"""`helpdesk serve`: prepare everything (model, catalogue, index) with progress, then serve with waitress."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Prepare the helpdesk and serve it (JSON API for now) with waitress."""
    from catalogue.store import CatalogueInvalid
    from indexer.search import SearchError
    from indexer.service import reindex

    from .app import create_app

    click.echo("Model, catalogus en zoekindex voorbereiden…", err=True)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=f"Passages inbedden ({total})", show_pos=True, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        stats = reindex(progress=progress)
    except (SearchError, CatalogueInvalid) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(stats.summary(), err=True)
    app = create_app()
    with app.app_context():
        from .services import services

        services().assistant  # load model, index and assistant before the first request  # noqa: B018
    from waitress import serve as waitress_serve

    click.echo(f"De helpdesk draait op http://{host}:{port}/ (stoppen: Ctrl+C)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="helpdesk")
