"""`helpdesk serve`: prepare everything (model, catalogue, index) with progress, then serve with waitress."""

from __future__ import annotations

import sys

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
        start_retention(services().db, app.config["HELPDESK_RETENTION_DAYS"])
    from waitress import serve as waitress_serve

    click.echo(f"De helpdesk draait op http://{host}:{port}/ (stoppen: Ctrl+C)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="helpdesk")


def start_retention(db, days: int) -> None:
    """Delete logged questions and feedback older than the retention period now, then once a day (as /over says)."""
    import threading
    import time

    from assistant.history import purge_older_than

    def run() -> None:
        while True:
            counts = purge_older_than(db, days)
            click.echo(f"Bewaartermijn {days} dagen: {counts['question_log']} oude vragen verwijderd.", err=True)
            time.sleep(24 * 3600)

    threading.Thread(target=run, name="retention", daemon=True).start()


@click.group()
def user() -> None:
    """Curator accounts: add, list, disable."""


def _db():
    from catalogue import settings

    from .services import open_store

    return open_store(settings.db_path())


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["editor", "reviewer", "admin"]))
@click.option("--sector", "sectors", multiple=True, help="Sector(en) van een redacteur; mag vaker.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin (voor scripts).")
def user_add(name: str, role: str, sectors: tuple[str, ...], password_stdin: bool) -> None:
    """Add an account; the password is asked (or read from stdin), never given as an argument."""
    from . import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Nog een keer")
    db = _db()
    try:
        accounts.add_user(db, name, password, role, sectors)
    except accounts.AccountError as exc:
        click.echo(f"Fout: {exc}", err=True)
        raise SystemExit(1) from None
    from catalogue.curation import audit

    audit(db, "cli", "account gemaakt", None, f"{name} ({role}{', ' + ', '.join(sectors) if sectors else ''})")
    click.echo(f"Account {name} ({role}) is gemaakt.")


@user.command("list")
def user_list() -> None:
    """List the accounts."""
    from . import accounts

    for u in accounts.list_users(_db()):
        state = "uitgeschakeld" if u["disabled"] else "actief"
        click.echo(f"{u['name']:<20} {u['role']:<9} {state:<13} {', '.join(u['sectors'])}")


@user.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Disable an account; its sessions end at once."""
    from catalogue.curation import audit

    from . import accounts

    db = _db()
    if not accounts.disable_user(db, name):
        click.echo(f"Fout: er is geen account {name}.", err=True)
        raise SystemExit(1)
    audit(db, "cli", "account uitgeschakeld", None, name)
    click.echo(f"Account {name} is uitgeschakeld.")
