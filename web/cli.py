"""The `helpdesk` command: a thin click shell over the packages' own commands."""

import os

import click

from assistant.commands import ask, evaluate, purge, quota
from catalogue.commands import check, entries, export
from indexer.commands import index, search
from web.commands import serve, user

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@click.group()
@click.version_option(package_name="banenafspraak-helpdesk")
def cli() -> None:
    """Banenafspraak helpdesk: catalogus, zoeken, antwoorden en quotumcalculator."""


for command in (check, entries, export, index, search, evaluate, ask, quota, purge, serve, user):
    cli.add_command(command)


if __name__ == "__main__":
    cli()
