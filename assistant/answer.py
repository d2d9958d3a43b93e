"""The helpdesk's answering: validate, redact, route (calculator or retrieval), quote, cite, or refuse.

An answer is made only of sentences copied verbatim from cited passages (`Citation.passage` holds the passage
text each quoted sentence is a substring of), or a fixed refusal, or a worked quota calculation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass, field

from indexer.keyword import WORD, fold, looks_english
from indexer.passages import passage_sentences, plain_passage_text
from indexer.search import ANSWER_MODE, Filters, QueryError, clean_query

from . import history, messages
from .privacy import redact
from .scope import ScopeChecker

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
STATUSES = ("answered", "calculated", "needs_clarification", "no_answer")
TOP_PASSAGES = 4  # sentences come from the best few passages (with DIVERSITY_PENALTY: 3: 0.857, 4: 0.868, 5: 0.862)
MAX_SENTENCES = 4
SENTENCE_MARGIN = 0.03
SENTENCE_WEIGHT = 0.7  # a sentence's relevance: 0.7 × its own cosine + 0.3 × its passage's dense score
# "Wat is een no-riskpolis?" asks for a definition: prefer the entry's opening section and its first sentences.
DEFINITION_QUESTION = re.compile(r"^\s*(wat\s+(is|zijn|betekent|betekenen|houdt)|what\s+(is|are|does))\b", re.I)
DEFINITION_SECTIONS = ("wat-is-het", "wat-houdt-het-in")
DEFINITION_BONUS = 0.02
# A sentence that leans on the one before it ("Dan …", "Ook …", "Dit …") reads badly when quoted alone.
LEANING_START = re.compile(r"^(dan|ook|dit|dat|die|deze|daarom|daarna|daarbij|hij|zij|ze|het|maar|en|of)\b", re.I)
LEANING_PENALTY = 0.015  # extra sentences must score within this of the best one
# Each sentence already quoted from a passage lowers that passage's next sentence by this much, so an answer shows
# the best sentences of several passages rather than three from one (answers cite 2.1 → 2.9 passages on average;
# correct citation 0.841 → 0.868 public, 0.854 → 0.890 on the FAQ held-out set).
DIVERSITY_PENALTY = 0.01
# Two passages often state one fact in nearly the same words ("Eén baan is 25,5 uur per week."); an answer quotes it
# once: a sentence is skipped when it has the same numbers as a sentence already quoted and shares this part of its
# words with it (shared words / words of the longer one, so a short sentence inside a long, different one is none).
NEAR_DUPLICATE_OVERLAP = 0.7
YEAR = re.compile(r"\b(20[1-3]\d)\b")
# "Hoe reken ik uit hoeveel plekken wij moeten invullen?" without the figures the calculator needs: the cited rule,
# plus a pointer to the calculator (a fixed notice, not an answer).
CALCULATION_REQUEST = re.compile(
    r"\b(hoeveel|(?:uit)?reken\w*|bereken\w*)\b[^?]*\b(moet\w*|verplicht\w*|quotum\w*|nodig)\b"
    r"|\bquotum\w*\b[^?]*\b((?:uit)?reken\w*|bereken\w*)\b",
    re.I,
)
FOLLOW_UP_START = re.compile(
    r"^\s*(en|maar|ook|of|dus|wat als|en als|hoe zit het met|geldt dat ook|and|what about|how about)\b", re.I
)
SECTOR_WORDS = {
    "gemeente": "gemeenten",
    "gemeenten": "gemeenten",
    "provincie": "provincies",
    "provincies": "provincies",
    "waterschap": "waterschappen",
    "waterschappen": "waterschappen",
    "rijk": "rijk",
    "rijksoverheid": "rijk",
    "ministerie": "rijk",
    "ministeries": "rijk",
    "defensie": "defensie",
    "politie": "politie",
    "umc": "umc",
    "umcs": "umc",
    "ziekenhuizen": "umc",
    "mbo": "mbo",
    "hbo": "hbo",
    "hogescholen": "hbo",
    "wo": "wo",
    "universiteiten": "wo",
    "universiteit": "wo",
    "onderzoeksinstellingen": "onderzoeksinstellingen",
    "basisscholen": "primair onderwijs",
    "scholen": "onderwijs",
    "markt": "markt",
    "bedrijven": "markt",
}


class QuestionInvalid(ValueError):
    """The question cannot be answered as given; `message` is Dutch and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Answer:
    status: str
    answer: str
    conversation_id: str
    citations: list[dict] = field(default_factory=list)
    calculation: dict | None = None
    notices: list[str] = field(default_factory=list)
    question: str = ""  # redacted
    search_query: str = ""
    top_score: float | None = None
    scope_reason: str | None = None
    personal_data: list[str] = field(default_factory=list)
    log_id: int | None = None

    def to_api(self) -> dict:
        return {
            "status": self.status,
            "answer": self.answer,
            "citations": self.citations,
            "calculation": self.calculation,
            "conversation_id": self.conversation_id,
            "notices": self.notices,
            "answer_id": self.log_id,  # for feedback on this answer
        }


def validate_question(question) -> str:
    if not isinstance(question, str):
        raise QuestionInvalid(messages.QUESTION_NOT_TEXT)
    question = question.strip()
    if not question or not clean_or_empty(question):
        raise QuestionInvalid(messages.QUESTION_EMPTY)
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionInvalid(messages.QUESTION_TOO_LONG.format(max=f"{MAX_QUESTION_CHARS:,}".replace(",", ".")))
    return question


def clean_or_empty(text: str) -> str:
    try:
        return clean_query(text)
    except QueryError:
        return ""


def rewrite_follow_up(question: str, previous: str | None) -> str:
    """Make a follow-up ("en voor provincies?") answerable alone, using the previous question."""
    if not previous:
        return question
    words = WORD.findall(fold(question))
    new_sectors = [SECTOR_WORDS[w] for w in words if w in SECTOR_WORDS]
    is_follow_up = bool(FOLLOW_UP_START.match(question)) or len(words) <= 4
    if not is_follow_up:
        return question
    if new_sectors:
        replaced, count = previous, 0
        for word in dict.fromkeys(WORD.findall(fold(previous))):
            if word in SECTOR_WORDS and SECTOR_WORDS[word] != new_sectors[0]:
                replaced, n = re.subn(rf"\b{re.escape(word)}\b", new_sectors[0], replaced, flags=re.I)
                count += n
        if count:
            return replaced
    rest = FOLLOW_UP_START.sub("", question).strip(" ?")
    return f"{previous.rstrip(' ?')} {rest}".strip() + "?"


PLACEHOLDER = re.compile(r"\[(?:BSN|e-mail|telefoonnummer|IBAN)\]")


def strip_placeholders(text: str) -> str:
    """Redaction placeholders say nothing about the topic: leave them out of the search."""
    stripped = " ".join(PLACEHOLDER.sub(" ", text).split())
    return stripped or text


def _gives_details(text: str) -> bool:
    """Does a reply to a clarification question carry details (a number, a sector)?"""
    words = WORD.findall(fold(text))
    return bool(re.search(r"\d", text)) or any(w in SECTOR_WORDS or w in ("overheid", "markt") for w in words)


def validity_notice(citation: dict, on_date: dt.date) -> str:
    """'Let op: …' for a cited rule that is not valid on the date the answer is about."""
    date = on_date.strftime("%d-%m-%Y")
    start = citation.get("valid_from")
    if start and start > on_date.isoformat():
        text = messages.NOT_YET_VALID.format(start=dt.date.fromisoformat(start).strftime("%d-%m-%Y"), date=date)
    else:
        text = messages.OUTDATED.format(date=date)
    return f"{text} [{citation['n']}]"


def near_duplicate(sentence: str, other: str) -> bool:
    """Whether two sentences say nearly the same: the same numbers, and most of the words of each in the other."""
    a, b = set(WORD.findall(fold(sentence))), set(WORD.findall(fold(other)))
    if not a or not b or {w for w in a if w.isdigit()} != {w for w in b if w.isdigit()}:
        return False
    return len(a & b) / max(len(a), len(b)) >= NEAR_DUPLICATE_OVERLAP


def asks_to_calculate(question: str) -> bool:
    """A Dutch question asking how many jobs an organisation needs (one the calculator could work out given the
    figures), not from a company: companies have no quotum."""
    from .quota_parse import parse_quota_question

    if not CALCULATION_REQUEST.search(question) or looks_english(question):
        return False
    inputs, _ = parse_quota_question(question)  # only the sector is used
    return inputs.get("sector") != "markt"


def question_year(text: str) -> int | None:
    years = [int(y) for y in YEAR.findall(text)]
    return years[-1] if years else None


class Assistant:
    """Answers questions; holds the searcher, scope checker and store. Create once per process."""

    def __init__(self, searcher, db, today: dt.date | None = None) -> None:
        self.searcher = searcher
        self.db = db
        self.scope = ScopeChecker(searcher)
        self.today = today

    def ask(self, question, conversation_id: str | None = None) -> Answer:
        started = time.perf_counter()
        question = validate_question(question)
        redacted, kinds = redact(question)
        notices = []
        if kinds:
            labels = ", ".join(messages.PII_KIND_LABELS[k] for k in kinds)
            notices.append(messages.PII_REMOVED.format(kinds=labels))
        if not conversation_id or not history.conversation_exists(self.db, conversation_id):
            conversation_id = history.new_conversation(self.db)
        turns = history.last_turns(self.db, conversation_id)
        english = looks_english(redacted)
        if english:
            notices.append(messages.ENGLISH_NOTICE)

        answer = self._calculate(redacted, turns) or self._retrieve(redacted, turns)
        answer.conversation_id = conversation_id
        answer.notices = notices + answer.notices
        answer.question = redacted
        answer.personal_data = kinds
        answer.log_id = history.log_question(
            self.db,
            conversation_id=conversation_id,
            question=redacted,
            status=answer.status,
            top_score=answer.top_score,
            scope_reason=answer.scope_reason,
            personal_data=",".join(kinds),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            citations=json.dumps([f"{c['entry_id']}#{c['anchor']}" for c in answer.citations]),
        )
        history.add_turn(
            self.db, conversation_id, redacted, answer.search_query, answer.status, answer.to_api(), answer.log_id
        )
        log.info("answered status=%s log_id=%s", answer.status, answer.log_id)  # never the question itself
        return answer

    # -- calculator ------------------------------------------------------------------------------------------
    def _calculate(self, question: str, turns: list[dict]) -> Answer | None:
        from .quota import QuotaInputError, calculate_quota, format_quota_text, parse_quota_request
        from .quota_parse import clarification_question, looks_like_quota_question, parse_quota_question

        text = question
        answers_clarification = turns and turns[-1]["status"] == "needs_clarification" and _gives_details(question)
        if answers_clarification:
            text = f"{turns[-1]['search_query']} {question}"  # the earlier question plus the missing details
        elif not looks_like_quota_question(question):
            return None
        today = self.today or dt.date.today()
        inputs, missing = parse_quota_question(text, default_year=today.year)
        if missing and inputs.get("sector") == "markt" and not answers_clarification:
            return None  # a company has no quotum whatever its size: the catalogue's cited rule says so
        if missing:
            return Answer("needs_clarification", clarification_question(missing), "", search_query=text)
        try:
            result = calculate_quota(parse_quota_request(inputs))
        except QuotaInputError as exc:
            return Answer("needs_clarification", exc.message, "", search_query=text)
        text_answer = f"{messages.CALCULATED_INTRO}\n\n{format_quota_text(result)}"
        return Answer("calculated", text_answer, "", calculation=result, search_query=text)

    # -- retrieval -------------------------------------------------------------------------------------------
    def _retrieve(self, question: str, turns: list[dict]) -> Answer:
        previous = next((t["search_query"] for t in reversed(turns) if t["status"] == "answered"), None)
        search_query = clean_query(rewrite_follow_up(strip_placeholders(question), previous))
        year = question_year(search_query)
        today = self.today or dt.date.today()
        if year:  # a rule that ended before that year is left out; one that starts later is quoted with a notice
            filters = Filters(on_date=dt.date(year, 7, 1), outdated="exclude_ended")
        else:
            filters = Filters(on_date=today, outdated="mark")
        hits = self.searcher.search(search_query, k=5, mode=ANSWER_MODE, filters=filters)
        decision = self.scope.decide(search_query, hits, hits.top_dense)
        if not decision.in_scope or not hits:
            return self._refusal(search_query, decision)
        citations, sentences = self._quote(search_query, hits[:TOP_PASSAGES], today)
        if not sentences:
            return self._refusal(search_query, decision)
        text = " ".join(f"{sentence} [{n}]" for sentence, n in sentences)
        notices = [validity_notice(c, filters.on_date) for c in citations if c["outdated"]]
        if asks_to_calculate(question):
            notices.append(messages.CALCULATOR_HINT)
        return Answer(
            "answered",
            text,
            "",
            citations=citations,
            notices=notices,
            search_query=search_query,
            top_score=decision.top_dense,
            scope_reason=decision.reason,
        )

    def _refusal(self, search_query: str, decision) -> Answer:
        lead = messages.PERSONAL_REFUSAL if decision.reason == "named_person" else messages.REFUSAL
        return Answer(
            "no_answer",
            f"{lead} {messages.REFERRAL}",
            "",
            search_query=search_query,
            top_score=decision.top_dense,
            scope_reason=decision.reason,
        )

    def _quote(self, query: str, hits, today: dt.date) -> tuple[list[dict], list[tuple[str, int]]]:
        """Pick the sentences closest to the question from the top passages; number citations by first use."""
        scores = self.searcher.sentence_scores(query, [h.passage["id"] for h in hits])
        definition = bool(DEFINITION_QUESTION.match(query))
        candidates = []
        for rank, hit in enumerate(hits):
            opening = definition and hit.passage["anchor"] in DEFINITION_SECTIONS
            sentences = passage_sentences(hit.passage["text"])
            for position, (sentence, score) in enumerate(
                zip(sentences, scores.get(hit.passage["id"], []), strict=False)
            ):
                relevance = SENTENCE_WEIGHT * float(score) + (1 - SENTENCE_WEIGHT) * float(hit.dense_score or 0)
                if opening:
                    relevance += DEFINITION_BONUS / (1 + position)
                if LEANING_START.match(sentence):
                    relevance -= LEANING_PENALTY
                candidates.append((relevance, rank, position, sentence))
        if not candidates:
            return [], []
        candidates.sort(reverse=True)
        best = candidates[0][0]
        seen: set[str] = set()
        chosen = []
        per_passage: dict[int, int] = {}
        pool = [c for c in candidates if c[0] >= best - SENTENCE_MARGIN]
        while pool and len(chosen) < MAX_SENTENCES:  # best first; a passage already quoted counts a little less
            pick = max(pool, key=lambda c: c[0] - DIVERSITY_PENALTY * per_passage.get(c[1], 0))
            pool.remove(pick)
            if not any(near_duplicate(pick[3], other) for other in seen):  # a fact from several passages: once
                seen.add(pick[3])
                chosen.append(pick)
                per_passage[pick[1]] = per_passage.get(pick[1], 0) + 1
        chosen.sort(key=lambda c: (c[1], c[2]))  # reading order: passage rank, then position in the passage
        numbers: dict[int, int] = {}
        citations: list[dict] = []
        quoted: list[tuple[str, int]] = []
        for _, rank, _, sentence in chosen:
            if rank not in numbers:
                hit = hits[rank]
                numbers[rank] = len(numbers) + 1
                citations.append(self._citation(numbers[rank], hit))
            citations[numbers[rank] - 1]["sentences"].append(sentence)
            quoted.append((sentence, numbers[rank]))
        return citations, quoted

    @staticmethod
    def _citation(n: int, hit) -> dict:
        p = hit.passage
        return {
            "n": n,
            "entry_id": p["entry_id"],
            "title": p["title"],
            "section": p["heading"],
            "anchor": p["anchor"],
            "url": f"/catalogus/{p['entry_id']}#{p['anchor']}",
            "passage": plain_passage_text(p["text"]),
            "sentences": [],
            "outdated": hit.outdated,
            "valid_from": p.get("valid_from"),
            "valid_until": p.get("valid_until"),
        }
