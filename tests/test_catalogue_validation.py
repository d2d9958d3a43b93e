"""Each kind of broken entry is reported as `file:line: field: message`, and one bad file hides no others."""

from pathlib import Path

import pytest

from catalogue.loader import load_catalogue
from tests.helpers import PRACTICE, RULE, write_entry


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in load_catalogue(folder).problems]


def test_valid_rule_and_practice_load(tmp_path):
    write_entry(tmp_path, "quotumheffing")
    write_entry(tmp_path, "binnenwerk", PRACTICE, "practices")
    result = load_catalogue(tmp_path)
    assert result.problems == []
    assert sorted(e.id for e in result.entries) == ["binnenwerk", "quotumheffing"]
    rule = next(e for e in result.entries if e.kind == "rule")
    assert [s.heading for s in rule.sections][:2] == ["Wat houdt het in?", "Voor wie?"]
    assert rule.sections[0].anchor == "wat-houdt-het-in"
    assert rule.valid_until is None and str(rule.valid_from) == "2018-01-01"


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ({"title: Quotumheffing\n": ""}, "x.md:1: title: ontbreekt"),
        (
            {"sectors: [gemeenten, rijk]": "sectors: [gemeenten, bakkers]"},
            "x.md:6: sectors[1]: onbekende sector 'bakkers'",
        ),
        ({"review_by: 2027-06-01": "review_by: 2027-13-01"}, "x.md:15: review_by: '2027-13-01' is geen geldige datum"),
        (
            {"valid_until:\n": "valid_until: 2017-01-01\n"},
            "x.md:14: valid_until: 2017-01-01 ligt vóór valid_from 2018-01-01",
        ),
        ({"id: x": "id: y"}, "x.md:2: id: 'y' is niet gelijk aan de bestandsnaam 'x'"),
        ({"kind: rule": "kind: regel"}, "x.md:4: kind: onbekende soort 'regel'"),
        ({"status: published": "status: klaar"}, "x.md:17: status: onbekende status 'klaar'"),
        ({"summary: Een": "summary: [Een"}, "x.md:6: front matter: ongeldige YAML"),
        ({"Werkgevers in de sector overheid.\n": ""}, "x.md:24: body: sectie '## Voor wie?' is leeg"),
        ({"## Let op": "## Opmerkingen"}, "body: sectie '## Let op' ontbreekt"),
        (
            {"## Wat houdt het in?\n\nDe": "# Titel\n\n## Wat houdt het in?\n\nDe"},
            "x.md:20: body: gebruik geen '# ' kop",
        ),
        (
            {"ontbrekende baan. [bron 1]": "ontbrekende baan. [bron 3]"},
            "x.md:22: body: [bron 3] verwijst naar een bron die niet bestaat",
        ),
        ({"    url: https://wetten": "    url: javascript://wetten"}, "x.md:12: sources[0].url: 'javascript://wetten"),
        ({"    date: 2024-01-01": "    date: gisteren"}, "x.md:10: sources[0].date: 'gisteren' is geen geldige datum"),
        ({"status: published": "status: published\ncolour: red"}, "x.md:18: colour: onbekend veld"),
    ],
)
def test_each_problem_names_file_line_and_field(tmp_path, replace, expected):
    write_entry(tmp_path, "x", **replace)
    found = problems_of(tmp_path)
    assert any(expected in p for p in found), found
    assert all(p.startswith(str(tmp_path / "rules" / "x.md")) for p in found)


def test_entry_without_sources(tmp_path):
    text = RULE.format(id="x")
    start = text.index("sources:")
    end = text.index("valid_from:")
    path = tmp_path / "x.md"
    path.write_text(text[:start] + "sources: []\n" + text[end:], encoding="utf-8")
    found = problems_of(tmp_path)
    assert any(p.endswith("x.md:7: sources: is leeg") for p in found), found
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert any(p.endswith("x.md:1: sources: ontbreekt") for p in problems_of(tmp_path))


def test_practice_needs_known_action_types(tmp_path):
    write_entry(
        tmp_path,
        "p",
        PRACTICE,
        "practices",
        **{"[centralisatie-aansturing-financiering]": "[centralisatie, delen-van-goede-voorbeelden]"},
    )
    found = problems_of(tmp_path)
    assert any("p.md:7: action_types[0]: onbekend actietype 'centralisatie'" in p for p in found), found
    write_entry(tmp_path, "p", PRACTICE, "practices", **{"organisation: UBR\n": ""})
    assert any("p.md:1: organisation: ontbreekt" in p for p in problems_of(tmp_path))


def test_duplicate_id_is_reported(tmp_path):
    write_entry(tmp_path, "dubbel")
    write_entry(tmp_path, "dubbel", sub="sectors")
    found = problems_of(tmp_path)
    assert any("dubbel.md:1: id: dubbel id 'dubbel'" in p for p in found), found


def test_non_utf8_file(tmp_path):
    (tmp_path / "kapot.md").write_bytes(b"---\nid: kapot\ntitle: caf\xe9\n---\n")
    assert problems_of(tmp_path) == [f"{tmp_path / 'kapot.md'}:3: bestand: geen geldige UTF-8 (byte 24)"]


def test_missing_front_matter(tmp_path):
    (tmp_path / "los.md").write_text("## Wat is het?\n\nTekst\n", encoding="utf-8")
    assert problems_of(tmp_path) == [f"{tmp_path / 'los.md'}:1: front matter: bestand begint niet met '---'"]


def test_one_bad_file_hides_no_others(tmp_path):
    write_entry(tmp_path, "goed")
    write_entry(tmp_path, "a", **{"title: Quotumheffing\n": ""})
    write_entry(tmp_path, "b", **{"sectors: [gemeenten, rijk]": "sectors: [bakkers]"})
    (tmp_path / "c.md").write_bytes(b"\xff\xfe")
    result = load_catalogue(tmp_path)
    files = {p.path.name for p in result.problems}
    assert files == {"a.md", "b.md", "c.md"}
    assert [e.id for e in result.entries] == ["goed"]


def test_check_command_prints_every_problem(tmp_path):
    from click.testing import CliRunner

    from web.cli import cli

    write_entry(tmp_path, "a", **{"title: Quotumheffing\n": ""})
    write_entry(tmp_path, "b", **{"review_by: 2027-06-01": "review_by: morgen"})
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "a.md:1: title: ontbreekt" in result.output
    assert "b.md:15: review_by: 'morgen' is geen geldige datum" in result.output
    assert "2 fout(en)" in result.output
