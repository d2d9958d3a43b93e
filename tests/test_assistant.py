"""The assistant on the real catalogue and model: quoting, refusing, privacy, follow-ups, routing."""

import logging

import pytest

from assistant import messages
from assistant.answer import Assistant, QuestionInvalid, asks_to_calculate, near_duplicate, rewrite_follow_up
from assistant.evaluate import evaluate_answers, quoted_sentences, verbatim_violations
from catalogue.store import open_db


@pytest.fixture(scope="module")
def assistant(searcher, tmp_path_factory):
    return Assistant(searcher, open_db(tmp_path_factory.mktemp("assistant") / "log.db"))


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Typ een vraag"),
        ("   \n\t", "Typ een vraag"),
        ("x" * 1001, "maximaal 1.000 tekens"),
        (None, "als tekst"),
        (42, "als tekst"),
        ("\x00\x01", "Typ een vraag"),
    ],
)
def test_invalid_questions_get_a_dutch_message(assistant, question, message):
    with pytest.raises(QuestionInvalid, match=message):
        assistant.ask(question)


def test_answer_quotes_sentences_verbatim_with_citations(assistant):
    answer = assistant.ask("Hoe lang krijg ik loonkostensubsidie?").to_api()
    assert answer["status"] == "answered"
    assert answer["citations"] and all(c["url"].startswith("/catalogus/") for c in answer["citations"])
    assert "loonkostensubsidie" in {c["entry_id"] for c in answer["citations"]}
    assert verbatim_violations(answer) == []
    assert 1 <= answer["answer"].count("[") <= 4


def test_eval_set_every_answer_is_verbatim_and_clear_junk_is_refused(assistant):
    report = evaluate_answers(assistant)
    assert report["verbatim_violations"] == []
    assert set(report["statuses"]) <= {"answered", "calculated", "needs_clarification", "no_answer"}
    assert report["statuses"]["answered"] > report["public_questions"] / 2


@pytest.mark.parametrize(
    "question",
    [
        "Wat voor weer wordt het morgen in Utrecht?",
        "Hoe maak ik een goede erwtensoep?",
        "Wie won de Champions League vorig jaar?",
        "Moet ik Jan de Vries ontslaan?",
        "Heeft mijn medewerker Fatima recht op een Wajong-uitkering?",
        "Hoeveel vakantiedagen heeft een werknemer?",
    ],
)
def test_out_of_scope_questions_are_refused_with_referral(assistant, question):
    answer = assistant.ask(question)
    assert answer.status == "no_answer"
    assert answer.citations == []
    assert "werkgeversservicepunt" in answer.answer


def test_follow_up_is_answered_in_context(assistant):
    first = assistant.ask("Wat was de realisatie van gemeenten in 2022?")
    assert "sector-gemeenten" in {c["entry_id"] for c in first.citations}
    follow = assistant.ask("en voor provincies?", first.conversation_id)
    assert follow.conversation_id == first.conversation_id
    assert follow.search_query == "Wat was de realisatie van provincies in 2022?"
    assert "sector-provincies" in {c["entry_id"] for c in follow.citations}


def test_rewrite_keeps_standalone_questions():
    assert rewrite_follow_up("Wat is een no-riskpolis?", "Wat is de quotumheffing?") == "Wat is een no-riskpolis?"
    assert rewrite_follow_up("en de provincie?", "Hoeveel banen had de gemeente?") == "Hoeveel banen had de provincies?"


def test_english_question_gets_dutch_quotes_and_a_notice(assistant):
    answer = assistant.ask("How long can I get a wage cost subsidy from the municipality?")
    assert answer.status == "answered"
    assert any("Dutch catalogue" in n for n in answer.notices)
    assert "loonkostensubsidie" in {c["entry_id"] for c in answer.citations}


def test_personal_data_is_redacted_before_storing_or_logging(searcher, tmp_path, caplog):
    db_path = tmp_path / "pii.db"
    assistant = Assistant(searcher, open_db(db_path))
    secrets = ["111222333", "jan.jansen@example.nl", "06-12345678", "NL91ABNA0417164300"]
    with caplog.at_level(logging.DEBUG):
        answer = assistant.ask(
            f"Mijn werknemer heeft BSN {secrets[0]}, mail {secrets[1]}, bel {secrets[2]}, IBAN {secrets[3]}. "
            "Wat is een no-riskpolis?"
        )
    assert answer.personal_data == ["bsn", "email", "iban", "phone"]
    assert any("persoonsgegevens" in n for n in answer.notices)
    assert "[BSN]" in answer.question and secrets[0] not in answer.question
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("pii.db*"))
    logged = caplog.text
    for secret in secrets:
        assert secret.encode() not in stored
        assert secret not in logged
    assert b"[BSN]" in stored


def test_quota_question_is_calculated(assistant):
    answer = assistant.ask(
        "gemeente, 300 fte van 38 uur, 2022, 4 mensen uit de doelgroep van 20 uur — hoeveel banen moeten we hebben?"
    )
    assert answer.status == "calculated"
    assert answer.calculation["required_jobs"] == 12.03
    assert answer.calculation["shortfall"] == 8.8
    assert answer.citations == []


def test_missing_quota_details_are_asked_back_then_used(assistant):
    first = assistant.ask("Wij zijn een gemeente met 300 fte. Hoeveel banen moeten we hebben in 2024?")
    assert first.status == "needs_clarification"
    assert "uur" in first.answer
    second = assistant.ask("38 uur per week", first.conversation_id)
    assert second.status == "calculated"
    assert second.calculation["required_jobs"] == pytest.approx(12.34, abs=0.01)


def test_outdated_rule_is_flagged_today_and_a_named_year_filters(assistant):
    today = assistant.ask("Bestaat de mobiliteitsbonus nog?")
    cited = {c["entry_id"]: c for c in today.citations}
    assert cited["mobiliteitsbonus"]["outdated"]
    assert any("geldt niet meer" in n for n in today.notices)
    in_2017 = assistant.ask("Hoe werkte de mobiliteitsbonus in 2017?")
    assert all(not c["outdated"] for c in in_2017.citations)


def test_question_log_holds_status_and_score(assistant):
    answer = assistant.ask("Wat is de quotumheffing?")
    row = assistant.db.execute(
        "SELECT question, status, top_score FROM question_log WHERE id = ?", [answer.log_id]
    ).fetchone()
    assert row[0] == "Wat is de quotumheffing?" and row[1] == "answered" and row[2] > 0.8


def test_a_company_asking_about_the_quotum_gets_the_cited_rule_not_questions_back(assistant):
    """A company (markt) has no quotum whatever its size: no need to ask for the year or the working week."""
    answer = assistant.ask("Wij zijn een bedrijf met 30 man, geldt het quotum voor ons?")
    assert answer.status == "answered"
    assert "quotumregeling" in {c["entry_id"] for c in answer.citations}
    asked = assistant.ask("Wij zijn een gemeente met 300 medewerkers, hoeveel banen moeten we hebben?")
    assert asked.status == "needs_clarification"


def test_workplace_adjustment_is_answered_but_equal_treatment_law_is_not(assistant):
    """Both mention a disability at work; only the first is in the catalogue (werkplekaanpassingen)."""
    adjustment = assistant.ask("Wie betaalt een aangepast toilet op het werk voor mijn medewerker met een handicap?")
    assert adjustment.status == "answered"
    assert "werkplekaanpassingen" in {c["entry_id"] for c in adjustment.citations}
    law = assistant.ask("Wat zegt de Wet gelijke behandeling over mijn plichten als werkgever?")
    assert law.status == "no_answer"


@pytest.mark.parametrize(
    "question",
    [
        "Wie betaalt er mee aan een participatiebaan als onze afdelingen dat niet willen?",
        "Telt een uitzendkracht mee voor ons quotum?",
    ],
)
def test_answers_quote_the_passages_of_the_answer_mode_not_the_search_page(assistant, searcher, question):
    """Answers search with retrieval.yaml `answer_mode` (dense: with employer questions as keys, keyword fusion no
    longer helps answers); the search page keeps hybrid. These questions rank differently in the two modes."""
    from indexer.search import ANSWER_MODE, DEFAULT_MODE

    def top(mode):
        return {(h.passage["entry_id"], h.passage["anchor"]) for h in searcher.search(question, k=4, mode=mode)}

    assert ANSWER_MODE == "dense" and DEFAULT_MODE == "hybrid"
    assert top(ANSWER_MODE) != top(DEFAULT_MODE)
    answer = assistant.ask(question)
    assert answer.status == "answered"
    cited = {(c["entry_id"], c["anchor"]) for c in answer.citations}
    assert cited <= top(ANSWER_MODE)
    assert not cited <= top(DEFAULT_MODE)


def test_near_duplicates_need_the_same_numbers_and_most_words():
    assert near_duplicate("Eén baan in de banenafspraak is 25,5 uur per week.", "Eén baan is 25,5 uur per week.")
    assert near_duplicate(
        "Social return (SROI) is een afspraak in een contract met een leverancier.",
        "Social return (SROI, social return on investment) is een afspraak in een contract met een leverancier.",
    )
    # another number is another fact; a short sentence inside a long, different one is no copy of it
    assert not near_duplicate("Een werknemer werkt 20 uur per week.", "Een werknemer werkt 25,5 uur per week.")
    assert not near_duplicate(
        "Wajongers met arbeidsvermogen.", "Wajongers zonder arbeidsvermogen die in loondienst werken, tellen ook mee."
    )
    assert not near_duplicate("", "Eén baan is 25,5 uur per week.")


@pytest.mark.parametrize(
    "question", ["Hoeveel uur is een baan voor de banenafspraak?", "Wat is social return?", "Wat betekent FTA?"]
)
def test_a_fact_several_passages_state_is_quoted_once(assistant, question):
    """These facts stand in nearly the same words in several entries; the answer gives each once."""
    answer = assistant.ask(question).to_api()
    assert answer["status"] == "answered" and verbatim_violations(answer) == []
    sentences = [s for s, _ in quoted_sentences(answer)]
    assert sentences  # one sentence can be the whole answer
    assert [(a, b) for i, a in enumerate(sentences) for b in sentences[i + 1 :] if near_duplicate(a, b)] == []


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Hoe reken ik uit hoeveel plekken wij als gemeente moeten invullen?", True),
        ("Hoeveel mensen met een beperking moet ik aannemen?", True),
        ("Hoe bereken ik ons quotum?", True),
        ("Hoe kom ik erachter hoeveel mensen uit de doelgroep ik in dienst moet nemen?", True),
        ("Wij zijn een bedrijf met 30 man, hoeveel mensen moeten we aannemen?", False),  # no quotum for companies
        ("Hoeveel banen zijn er al gerealiseerd?", False),
        ("Hoeveel kost een jobcoach?", False),
        ("Hoe lang moet ik iemand in dienst nemen?", False),
        ("How many people with a disability must we hire?", False),  # the notice is Dutch
    ],
)
def test_questions_asking_how_many_jobs_are_needed(question, asks):
    assert asks_to_calculate(question) is asks


def test_a_how_to_calculate_question_gets_the_rule_and_a_pointer_to_the_calculator(assistant):
    answer = assistant.ask("Hoe reken ik uit hoeveel banen wij als provincie moeten hebben?")
    assert answer.status == "answered" and answer.citations
    assert messages.CALCULATOR_HINT in answer.notices
    assert messages.CALCULATOR_HINT not in answer.answer  # a notice beside the quotes, not part of them
    assert messages.CALCULATOR_HINT not in assistant.ask("Wat is de quotumheffing?").notices
