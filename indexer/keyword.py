"""Keyword search support: safe FTS5 queries from free text, Dutch stemming, and compound splitting.

Two FTS5 tables cover Dutch compounds from both sides:
- `passages_fts` (trigram tokenizer) matches any part of a word, so "heffing" finds "quotumheffing";
- a query word that is itself a compound ("loonkostensubsidie") is also split into catalogue words
  ("loonkosten" + "subsidie"), so it finds texts that write the parts apart.
`passages_stem` (unicode61 over Dutch snowball stems) is the alternative measured by `helpdesk eval`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from .config import retrieval_config

WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+")
# Dutch function words that carry no meaning for search (and English ones for English questions).
STOPWORDS = frozenset(
    """de het een en of van voor in op met aan bij als dat die dit deze er is zijn was wordt worden kan kunnen
    moet moeten mag mogen wil willen ik je jij u we wij ze zij hij mijn ons onze uw hun wat wie waar wanneer hoe
    welke welk waarom niet geen wel ook nog al dan om te tot naar over uit door zo heb hebt heeft hebben had
    hoeveel veel meer minder krijg krijgt krijgen moet even the a an of to in on for is are do does what how
    who when which can i we you my our at by be with as it that this from""".split()
)
MIN_PART = 4


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("dutch")


def fold(text: str) -> str:
    """Lower-case and strip accents (é → e), as the FTS tokenizers do."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(text: str) -> list[str]:
    """The meaningful words of a query, folded, without stopwords, in order, unique."""
    seen: dict[str, None] = {}
    for word in WORD.findall(fold(text)):
        if word not in STOPWORDS and (len(word) >= 3 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)[:32]


def stem_text(text: str) -> str:
    """Text as space-separated Dutch stems (for the `passages_stem` table)."""
    return " ".join(_stemmer().stemWords(WORD.findall(fold(text))))


def split_compound(word: str, vocabulary: frozenset[str]) -> tuple[str, str] | None:
    """Split a compound into two catalogue words (allowing a linking s/e/en), or None."""
    if len(word) < 2 * MIN_PART:
        return None
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:i], word[i:]
        if tail not in vocabulary:
            continue
        for candidate in (head, head[:-1] if head.endswith("s") else None, head[:-2] if head.endswith("en") else None):
            if candidate and len(candidate) >= MIN_PART and candidate in vocabulary:
                return head, tail
    return None


# Function words that are English only (not also Dutch like "is", "in", "we", "of", "door").
ENGLISH_WORDS = frozenset(
    "the a an to on for are do does did what how who when which can could you my our with if have has should "
    "must will would there their from about any this that these those it its be been being".split()
)
DUTCH_WORDS = frozenset(
    "de het een en van voor wat hoe wie waar wanneer welke ik wij jij je u mijn onze moet moeten mag kan kunnen "
    "heb heeft hebben zijn wordt worden niet geen ook bij als dat die dit deze er naar over uit met op".split()
)


def looks_english(text: str) -> bool:
    """True when a question reads as English: enough English-only function words, more than Dutch ones."""
    words = WORD.findall(text.lower())
    english = sum(w in ENGLISH_WORDS for w in words)
    dutch = sum(w in DUTCH_WORDS for w in words)
    return english >= max(2, 0.2 * len(words)) and english > dutch


def thesaurus_terms(text: str) -> list[str]:
    """Catalogue terms for the everyday words and phrases in `text` (retrieval.yaml `thesaurus`)."""
    folded = " " + " ".join(WORD.findall(fold(text))) + " "
    terms: dict[str, None] = {}
    for key, values in retrieval_config()["thesaurus"].items():
        if f" {key} " in folded:
            terms.update(dict.fromkeys(fold(v) for v in values))
    return list(terms)


def thesaurus_terms_per_word(text: str) -> dict[str, list[str]]:
    """For each word of `text`: the catalogue terms of the thesaurus keys (words or phrases in `text`) it is part of."""
    folded = " " + " ".join(WORD.findall(fold(text))) + " "
    out: dict[str, list[str]] = {}
    for key, values in retrieval_config()["thesaurus"].items():
        if f" {key} " in folded:
            for word in key.split():
                out.setdefault(word, []).extend(fold(v) for v in values)
    return out


def with_thesaurus(text: str) -> str:
    """The query with its thesaurus terms appended in brackets, so the model also sees the catalogue's words."""
    terms = thesaurus_terms(text)
    return f"{text} ({', '.join(terms)})" if terms else text


def trigram_query(text: str, vocabulary: frozenset[str] = frozenset(), expand: bool = True) -> str:
    """FTS5 query for the trigram table: every word quoted (no operators reach FTS5), OR-ed; a compound also
    matches its two parts together; thesaurus terms are added as alternatives."""
    clauses = []
    words = query_words(text)
    if expand:
        words += [t for t in thesaurus_terms(text) if t not in words]
    for word in words:
        if len(word) < 3:
            continue
        clause = f'"{word}"' if " " not in word else "(" + " AND ".join(f'"{w}"' for w in word.split()) + ")"
        parts = split_compound(word, vocabulary) if vocabulary and " " not in word else None
        if parts:
            clause = f'({clause} OR ("{parts[0]}" AND "{parts[1]}"))'
        clauses.append(clause)
    return " OR ".join(clauses)


def stem_query(text: str) -> str:
    """FTS5 query for the stemmed table: quoted stems OR-ed."""
    stems = dict.fromkeys(_stemmer().stemWords(query_words(text)))
    return " OR ".join(f'"{s}"' for s in stems if s)
