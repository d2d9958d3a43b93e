"""CLI commands of the catalogue: `helpdesk check`, `helpdesk entries` and `helpdesk export`."""

import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import schema, settings
from .loader import load_catalogue
from .store import CatalogueInvalid, list_entries, open_db, sync_knowledge


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path))
def check(folder: Path | None) -> None:
    """Validate the catalogue (default: knowledge/) and print counts; exit 1 with every problem found."""
    folder = folder or settings.knowledge_dir()
    result = load_catalogue(folder)
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(result.problems)} fout(en) in {folder}", err=True)
        sys.exit(1)
    entries = result.entries
    if not entries:
        click.echo(f"Geen onderwerpen gevonden in {folder}", err=True)
        sys.exit(1)
    kinds = Counter(e.kind for e in entries)
    click.echo(f"OK: {len(entries)} onderwerpen in {folder}")
    click.echo("Per soort:")
    for kind in schema.KINDS:
        click.echo(f"  {kind:<12} {kinds.get(kind, 0)}")
    click.echo(f"Status: {dict(Counter(e.status for e in entries))}")
    without_source = [e.id for e in entries if not e.sources]
    click.echo(f"Met ten minste 1 bron: {len(entries) - len(without_source)} van {len(entries)}")
    actions = Counter(a for e in entries for a in e.action_types)
    click.echo("Per actietype (goede voorbeelden):")
    for slug in schema.ACTION_TYPES:
        click.echo(f"  {slug:<40} {actions.get(slug, 0)}")
    sectors = Counter(s for e in entries for s in e.sectors)
    click.echo("Per sector:")
    for slug in schema.SECTORS:
        click.echo(f"  {slug:<40} {sectors.get(slug, 0)}")
    unused = [slug for slug in schema.ACTION_TYPES if not actions.get(slug)]
    if unused:
        click.echo(f"Let op: actietypes zonder goed voorbeeld: {', '.join(unused)}")


@click.command()
@click.option("--kind", type=click.Choice(schema.KINDS), help="Alleen deze soort.")
@click.option("--sector", type=click.Choice(list(schema.SECTORS)), help="Alleen deze sector.")
@click.option("--action-type", type=click.Choice(list(schema.ACTION_TYPES)), help="Alleen dit actietype.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def entries(kind: str | None, sector: str | None, action_type: str | None, as_json: bool) -> None:
    """List catalogue entries (stores knowledge/ in the SQLite store first)."""
    db = load_and_store(quiet=as_json)
    rows = list_entries(db, kind=kind, sector=sector, action_type=action_type)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['kind']:<9} {row['id']:<42} {row['title']}")
    click.echo(f"{len(rows)} onderwerp(en)")


def load_and_store(quiet: bool = False):
    """Validate knowledge/ and sync it into the store; exits with the problems when it is invalid."""
    db = open_db(settings.db_path())
    try:
        _, counts = sync_knowledge(db, settings.knowledge_dir())
    except CatalogueInvalid as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if not quiet and (counts["added"] or counts["changed"] or counts["removed"]):
        click.echo(
            f"Opgeslagen: {counts['added']} nieuw, {counts['changed']} gewijzigd, {counts['removed']} verwijderd.",
            err=True,
        )
    return db


@click.command(name="export")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--all", "include_drafts", is_flag=True, help="Ook concepten (status: draft) exporteren.")
@click.option(
    "--force",
    is_flag=True,
    help="Ook schrijven als de map niet leeg is (bestanden met dezelfde naam worden vervangen).",
)
def export(folder: Path, include_drafts: bool, force: bool) -> None:
    """Write the entries in the SQLite store as markdown files in the format of knowledge/."""
    from .export import KIND_FOLDERS, export_catalogue

    if folder.exists() and not folder.is_dir():
        click.echo(f"{folder} is een bestand, geen map.", err=True)
        sys.exit(1)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        click.echo(f"De map {folder} is niet leeg. Kies een lege of nieuwe map, of gebruik --force.", err=True)
        sys.exit(1)
    db = open_db(settings.db_path())
    rows = list(db.query("SELECT id, kind, status FROM entries"))
    chosen = [r for r in rows if include_drafts or r["status"] == "published"]
    if not rows:
        click.echo(
            f"De database {settings.db_path()} heeft geen onderwerpen. Vul hem eerst met 'helpdesk entries' of "
            "'helpdesk index'.",
            err=True,
        )
        sys.exit(1)
    if not chosen:
        click.echo(f"De database heeft alleen concepten ({len(rows)}); gebruik --all om ze te exporteren.", err=True)
        sys.exit(1)
    count = export_catalogue(db, folder, include_drafts=include_drafts)
    kinds = Counter(r["kind"] for r in chosen)
    per_kind = ", ".join(f"{KIND_FOLDERS[kind]}: {kinds[kind]}" for kind in schema.KINDS if kinds.get(kind))
    click.echo(f"Geëxporteerd: {count} onderwerpen naar {folder} ({per_kind}).")
    skipped = len(rows) - len(chosen)
    if skipped:
        click.echo(f"Niet geëxporteerd: {skipped} concept(en); gebruik --all om ze mee te nemen.")
    written = {folder / KIND_FOLDERS[r["kind"]] / f"{r['id']}.md" for r in chosen}
    others = [p for p in sorted(folder.rglob("*.md")) if p not in written and p.name.lower() != "readme.md"]
    if others:
        click.echo(
            f"Let op: {len(others)} ander(e) .md-bestand(en) in {folder} zijn niet door deze export geschreven, "
            f"bijvoorbeeld {others[0]}. 'helpdesk check {folder}' leest ze ook.",
            err=True,
        )
