"""Builders for test catalogue files."""

from pathlib import Path

RULE = """---
id: {id}
title: Quotumheffing
kind: rule
summary: Een overheidswerkgever met te weinig banen kan een heffing krijgen.
sectors: [gemeenten, rijk]
sources:
  - title: Wet financiering sociale verzekeringen
    publisher: wetten.overheid.nl
    date: 2024-01-01
    locator: artikel 38h lid 4
    url: https://wetten.overheid.nl/BWBR0017745/2024-01-01#Artikel38h
valid_from: 2018-01-01
valid_until:
review_by: 2027-06-01
last_reviewed: 2026-11-23
status: published
---

## Wat houdt het in?

De quotumheffing is € 5.000 per ontbrekende baan. [bron 1]

## Voor wie?

Werkgevers in de sector overheid.

## Bedragen en getallen

- € 5.000 per ontbrekende baan per jaar. [bron 1]

## Waar aanvragen?

U hoeft niets aan te vragen.

## Let op

De quotumheffing is nooit opgelegd.
"""

PRACTICE = """---
id: {id}
title: Binnenwerk
kind: practice
summary: Binnenwerk zorgt voor banen bij het Rijk.
sectors: [rijk]
action_types: [centralisatie-aansturing-financiering]
organisation: UBR
contact:
  website: https://www.ubrijk.nl/
sources:
  - title: Onderzoek
    publisher: De Beleidsonderzoekers
    date: 2023
    locator: r. 1-2
status: published
review_by: 2027-06-01
last_reviewed: 2026-11-23
---

## Wat is het?

Binnenwerk is een organisatie. [bron 1]

## Hoe werkt het?

1. Stap een.

## Resultaten

Geen cijfers.

## Wat heb je nodig?

Geld.

## Contact en meer weten

Zie de website.
"""


def write_entry(folder: Path, entry_id: str, template: str = RULE, sub: str = "rules", **replace: str) -> Path:
    """Write an entry file; `replace` maps exact substrings of the template to their replacements."""
    text = template.format(id=entry_id)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / sub / f"{entry_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def app_on(store: dict, **config):
    """The real app on a store/index (a `shipped_index` or `copy_of_shipped` dict); `config` overrides the test
    defaults (no rate limits, a fixed secret)."""
    from web.app import create_app

    settings = {
        "HELPDESK_DB": str(store["db_path"]),
        "HELPDESK_INDEX_DIR": str(store["index_dir"]),
        "HELPDESK_RATE_LIMIT": 0,
        "HELPDESK_LOGIN_LIMIT": 0,
        "SECRET_KEY": "test-secret",
    }
    if "knowledge" in store:
        settings["HELPDESK_KNOWLEDGE_DIR"] = str(store["knowledge"])
    return create_app({**settings, **config})


CURATORS = (
    ("els", "editor", ["gemeenten"]),
    ("piet", "editor", ["gemeenten"]),
    ("ria", "reviewer", []),
    ("ad", "admin", []),
)
CURATOR_PASSWORD = "een-lang-wachtwoord-2026"


def add_curators(app) -> None:
    """Two editors for gemeenten (els, piet), a reviewer (ria) and an admin (ad), all with CURATOR_PASSWORD."""
    from web import accounts
    from web.services import services

    with app.app_context():
        for name, role, sectors in CURATORS:
            accounts.add_user(services().db, name, CURATOR_PASSWORD, role, sectors)
