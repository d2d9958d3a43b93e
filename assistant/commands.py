"""CLI commands of the assistant: `helpdesk ask` and `helpdesk quota`."""

from __future__ import annotations

import json
import re
import sys

import click


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@click.command()
@click.argument("question")
@click.option("--conversation", "conversation_id", default=None, help="Ga verder in dit gesprek.")
@click.option("--json", "as_json", is_flag=True, help="Print dezelfde JSON als /api/ask.")
def ask(question: str, conversation_id: str | None, as_json: bool) -> None:
    """Ask the helpdesk a question; prints the cited answer."""
    from catalogue import settings
    from catalogue.store import open_db
    from indexer.search import SearchError
    from indexer.service import open_searcher

    from .answer import Assistant, QuestionInvalid

    question = question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        db = open_db(settings.db_path())
        answer = Assistant(open_searcher(db=db), db).ask(question, conversation_id)
    except (SearchError, QuestionInvalid) as exc:
        _fail(getattr(exc, "message", str(exc)))
    if as_json:
        click.echo(json.dumps(answer.to_api(), ensure_ascii=False, indent=2))
        return
    for notice in answer.notices:
        click.echo(notice)
    click.echo(answer.answer)
    for citation in answer.citations:
        click.echo(f"[{citation['n']}] {citation['title']} — {citation['section']} ({citation['url']})")
    click.echo(f"(status: {answer.status}; gesprek: {answer.conversation_id})")


ROW = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[x×]\s*(\d+(?:[.,]\d+)?)\s*(?::\s*(own|hired|sroi))?\s*$")


def parse_row(text: str) -> dict:
    """'4x25.5' or '3x20:hired' → a target-group row."""
    match = ROW.match(text)
    if not match:
        raise click.BadParameter(f"'{text}' is geen groep; schrijf bijvoorbeeld 4x25.5 of 3x20:hired")
    count, hours, relation = match.groups()
    return {"count": count.replace(",", "."), "hours_per_week": hours.replace(",", "."), "relation": relation or "own"}


@click.command()
@click.option("--year", type=int, required=True)
@click.option("--sector", type=click.Choice(["overheid", "markt"]), required=True)
@click.option("--fte", type=float, default=None)
@click.option("--employees", type=int, default=None, help="Aantal medewerkers (met --hours).")
@click.option("--hours", "hours_per_week", type=float, default=None, help="Uren per week per fte of medewerker.")
@click.option("--annual-hours", type=float, default=None, help="Verloonde uren per jaar (in plaats van fte).")
@click.option("--target-group", "rows", multiple=True, help="Groep uit de doelgroep: AANTALxUREN[:own|hired|sroi]")
@click.option("--target-group-annual-hours", type=float, default=None)
@click.option("--previous-year-hours", type=float, default=None, help="Verloonde uren vorig jaar.")
@click.option("--json", "as_json", is_flag=True, help="Print dezelfde JSON als /api/quota.")
def quota(
    year,
    sector,
    fte,
    employees,
    hours_per_week,
    annual_hours,
    rows,
    target_group_annual_hours,
    previous_year_hours,
    as_json,
) -> None:
    """Work out the quota: required jobs, shortfall and the (never levied) levy."""
    from .quota import QuotaInputError, calculate_quota, format_quota_text, parse_quota_request

    data = {"year": year, "sector": sector}
    for key, value in (
        ("fte", fte),
        ("employees", employees),
        ("hours_per_week", hours_per_week),
        ("annual_hours", annual_hours),
        ("target_group_annual_hours", target_group_annual_hours),
        ("previous_year_annual_hours", previous_year_hours),
    ):
        if value is not None:
            data[key] = value
    if rows:
        data["target_group"] = [parse_row(r) for r in rows]
    try:
        result = calculate_quota(parse_quota_request(data))
    except QuotaInputError as exc:
        _fail(f"{exc.field}: {exc.message}")
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_quota_text(result))


@click.command(name="eval")
@click.option("--mode", "modes", multiple=True, help="Alleen deze zoekmethode(n).")
@click.option("--answers", is_flag=True, help="Meet ook de antwoorden: juiste bron, weigeren, letterlijk citeren.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def evaluate(modes: tuple[str, ...], answers: bool, as_json: bool) -> None:
    """Measure retrieval (Recall@1/@5, MRR@10, latency) and, with --answers, the answers."""
    from indexer.evaluate import evaluate_mode, format_table, load_questions
    from indexer.search import DEFAULT_MODE, MODES, SearchError
    from indexer.service import open_searcher

    unknown = [m for m in modes if m not in MODES]
    if unknown:
        _fail(f"Onbekende zoekmethode: {', '.join(unknown)}. Kies uit: {', '.join(MODES)}.")
    try:
        searcher = open_searcher()
    except SearchError as exc:
        _fail(str(exc))
    questions = load_questions()
    results = [evaluate_mode(searcher, questions, mode) for mode in (modes or MODES)]
    report = None
    if answers:
        import tempfile
        from pathlib import Path

        from catalogue.store import open_db

        from .answer import Assistant
        from .evaluate import evaluate_answers

        with tempfile.TemporaryDirectory() as scratch:  # the eval's questions stay out of the real question log
            report = evaluate_answers(Assistant(searcher, open_db(Path(scratch) / "eval.db")))
    if as_json:
        click.echo(json.dumps({"retrieval": results, "answers": report}, indent=2))
        return
    click.echo(f"{len(questions)} vragen; standaardmethode: {DEFAULT_MODE}")
    click.echo(format_table(results))
    for res in results:
        if res["misses_at_5"]:
            click.echo(f"{res['mode']}: niet in top 5: {', '.join(res['misses_at_5'])}")
    if report:
        from .evaluate import format_answer_report

        click.echo("\nAntwoorden")
        click.echo(format_answer_report(report))


PERIOD = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
MAX_RETENTION_DAYS = 36_500


def parse_period(text: str) -> int:
    """'90d', '12w' or '90' (days) → a number of days; raises ValueError with a Dutch message."""
    match = PERIOD.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is geen periode; schrijf bijvoorbeeld 90d (dagen) of 12w (weken)")
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if days < 1:
        raise ValueError(f"'{text}' is te kort: bewaar ten minste 1 dag")
    if days > MAX_RETENTION_DAYS:
        raise ValueError(f"'{text}' is te lang: hooguit {MAX_RETENTION_DAYS} dagen")
    return days


@click.command()
@click.option(
    "--older-than",
    "period",
    default=None,
    help="Verwijder wat ouder is dan dit, bijv. 90d of 12w (standaard HELPDESK_RETENTION_DAYS, anders 90 dagen).",
)
@click.option("--dry-run", is_flag=True, help="Tel alleen wat weg zou gaan; verwijder niets.")
def purge(period: str | None, dry_run: bool) -> None:
    """Delete questions, answers, feedback and conversations older than the retention period."""
    import datetime as dt
    import os

    from catalogue import settings
    from catalogue.store import open_db

    from .history import purge_cutoff, purge_older_than

    if period is None:
        period = os.environ.get("HELPDESK_RETENTION_DAYS") or "90"
        source = "HELPDESK_RETENTION_DAYS"
    else:
        source = "--older-than"
    try:
        days = parse_period(period)
    except ValueError as exc:
        _fail(f"{source}: {exc}")
    now = dt.datetime.now(dt.UTC)
    counts = purge_older_than(open_db(settings.db_path()), days, now=now, dry_run=dry_run)
    summary = (
        f"{counts['question_log']} vragen, {counts['feedback']} reacties, {counts['turns']} gespreksbeurten en "
        f"{counts['conversations']} gesprekken ouder dan {days} dagen (vóór {purge_cutoff(days, now).date()})"
    )
    if dry_run:
        click.echo(f"Proefdraai, er is niets verwijderd. Zou verwijderen: {summary}.")
    else:
        click.echo(f"Verwijderd: {summary}.")
