"""`helpdesk serve`: prepare everything (model, catalogue, index) with progress, then serve with waitress."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Prepare the helpdesk (model, catalogue, index) and serve the web pages and JSON API with waitress."""
    from indexer.commands import reindex_with_progress

    from .app import create_app

    click.echo("Model, catalogus en zoekindex voorbereiden…", err=True)
    stats = reindex_with_progress()
    click.echo(stats.summary(), err=True)
    app = create_app()
    with app.app_context():
        from .services import services

        services().assistant  # load model, index and assistant before the first request  # noqa: B018
    from waitress import serve as waitress_serve

    click.echo(f"De helpdesk draait op http://{host}:{port}/ (stoppen: Ctrl+C)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="helpdesk")
