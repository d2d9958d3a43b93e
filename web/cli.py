"""The `helpdesk` command: a thin click shell over the packages' own commands."""

import click

from catalogue.commands import check, entries


@click.group()
@click.version_option(package_name="banenafspraak-helpdesk")
def cli() -> None:
    """Banenafspraak helpdesk: catalogus, zoeken, antwoorden en quotumcalculator."""


cli.add_command(check)
cli.add_command(entries)
