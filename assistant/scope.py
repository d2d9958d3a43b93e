"""Is a question in scope? Settings in `assistant/scope.yaml`, fitted by `benchmarks/calibrate_refusal.py`, see
docs/adr/0003-refusal.md.

- A question that names a person is refused (personal advice about a named person is out of scope).
- The best dense score of the catalogue (`top_dense`) must reach a floor (lower for English).
- `key_best` is the similarity to the nearest employer question of the catalogue (front-matter `questions:`);
  `key_contrast` is `key_best` minus the similarity to the nearest example of a question the catalogue does not
  answer (`out_of_scope_questions.yaml`), `key_contrast5` the same with the mean of the nearest five of each;
  `key_margin` is `key_best` minus the similarity to the nearest listed out-of-scope topic.
- English: `key_contrast` must reach a threshold (the Dutch topics and the Dutch word overlap say little there).
- Dutch: a logistic model weighs `top_dense`, its margin over the nearest out-of-scope topic (`margin`),
  `key_margin` and `key_contrast5`. Without employer questions in the catalogue, thresholds on the topic margin and
  on coverage (the rarity-weighted share of the question's words found in the top passages) decide instead.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from indexer.keyword import STOPWORDS, WORD, fold, looks_english, thesaurus_terms_per_word
from indexer.store import atomic_write_bytes

SCOPE_FILE = Path(__file__).with_name("scope.yaml")
NEAREST = 5  # key_contrast5: mean of the nearest five employer questions minus that of the nearest five examples
# Questions employers ask that the catalogue does not answer: the counterpart of the entries' employer questions.
OUT_OF_SCOPE_QUESTIONS_FILE = Path(__file__).with_name("out_of_scope_questions.yaml")
QUESTION_WORDS = frozenset(
    "hoe wat welke welk wie waar wanneer waarom hoeveel kan kunnen moet moeten mag mogen krijg krijgt krijgen "
    "heeft hebben ben bent zijn wordt worden gaat doen doe vraag vragen aan recht eigenlijk".split()
)
# The noun in any case ("Medewerker", "employee"), the name that follows only capitalised: "employee under the
# policy" names nobody.
PERSON_NOUNS = (
    r"(?i:medewerker|medewerkster|werknemer|collega|sollicitant|kandidaat|meneer|mevrouw|dhr\.?|mw\.?"
    r"|employee|colleague|mr\.?|mrs\.?|ms\.?)"
)
NAME = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
INFIX = r"(?:(?:van der|van den|van de|van|de|der|den|ter|ten|te)\s+)?"
FULL_NAME = re.compile(rf"\b({NAME})\s+{INFIX}({NAME})\b")
NOUN_NAME = re.compile(rf"\b{PERSON_NOUNS},?\s+({NAME})\b")


@lru_cache(maxsize=1)
def scope_config() -> dict:
    return yaml.safe_load(SCOPE_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def out_of_scope_questions() -> list[str]:
    return [str(q) for q in yaml.safe_load(OUT_OF_SCOPE_QUESTIONS_FILE.read_text(encoding="utf-8")) or []]


@dataclass
class ScopeDecision:
    in_scope: bool
    reason: str  # "ok" | "low_score" | "off_topic" | "low_coverage" | "named_person"
    top_dense: float | None
    margin: float | None
    coverage: float | None


class ScopeChecker:
    """Built once per process from the searcher (vocabulary, document frequencies, topic vectors)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        config = scope_config()
        self.thresholds = config["thresholds"]
        self.classifier = config.get("classifier")
        topics = config["out_of_scope_topics"]
        # the topics as passages (against the catalogue's text) and as queries (against employer questions)
        wanted = [("passages", topics), ("queries", topics), ("queries", out_of_scope_questions())]
        self.topic_vectors, self.topic_query_vectors, self.negative_vectors = (
            cached_vectors(searcher, kind, texts) for kind, texts in wanted
        )
        remove_other_cached_vectors(searcher, wanted)
        self.doc_freq: dict[str, int] = {}
        for passage in searcher.passage_list:
            for word in set(_words(passage)):
                self.doc_freq[word] = self.doc_freq.get(word, 0) + 1
        self.n_docs = max(1, len(searcher.passage_list))

    def names_a_person(self, question: str, english: bool = False) -> bool:
        """'medewerker Fatima', or (Dutch) a first name + surname, whose words the catalogue does not know.
        English capitalises many nouns ("the Jobs Agreement Act"), so there only the first form counts."""
        for match in NOUN_NAME.finditer(question):
            if not self._known(match.group(1)):
                return True
        if english:
            return False
        for match in FULL_NAME.finditer(question):
            if not self._known(match.group(1)) and not self._known(match.group(2)):
                return True
        return False

    def _known(self, word: str) -> bool:
        folded = fold(word)
        return folded in self.doc_freq or folded in STOPWORDS or folded in QUESTION_WORDS

    def coverage(self, question: str, hits) -> float:
        """Share (weighted by rarity) of the question's content words found in the top passages."""
        words = [
            w
            for w in dict.fromkeys(WORD.findall(fold(question)))
            if w not in STOPWORDS and w not in QUESTION_WORDS and len(w) >= 3
        ]
        if not words:
            return 1.0
        tokens: set[str] = set()
        for hit in hits[:3]:
            tokens.update(_words(hit.passage))
        total = sum(self._idf(w) for w in words)
        # a word also counts as found when one of its own thesaurus terms is in the passages ("boete" → quotumheffing)
        extra = thesaurus_terms_per_word(question)
        found = sum(
            self._idf(w) for w in words if _matches(w, tokens) or any(_matches(e, tokens) for e in extra.get(w, ()))
        )
        return found / total if total else 1.0

    def _idf(self, word: str) -> float:
        return math.log((self.n_docs + 1) / (self.doc_freq.get(word, 0) + 0.5))

    def signals(self, question: str, hits, top_dense: float | None, ignore_keys_above: float | None = None) -> dict:
        """The raw measurements a decision is based on (also used for calibration)."""
        english = looks_english(question)
        vector = self.searcher.query_vector(question)
        margin = None
        if top_dense is not None and not english:
            margin = float(top_dense - np.max(self.topic_vectors @ vector))
        key_top = self.searcher.top_question_similarities(question, NEAREST, ignore_keys_above)
        key_best = key_top[0] if key_top else None
        key_margin = None if key_best is None else float(key_best - np.max(self.topic_query_vectors @ vector))
        # nearer the catalogue's employer questions than the examples of questions the catalogue does not answer?
        # The nearest one of each (English), and the mean of the nearest five of each (Dutch model: one example that
        # shares a few words with the question weighs less).
        negatives = np.sort(self.negative_vectors @ vector)
        key_contrast = None if key_best is None else float(key_best - negatives[-1])
        key_contrast5 = None if key_top is None else float(np.mean(key_top) - np.mean(negatives[-NEAREST:]))
        return {
            "named_person": self.names_a_person(question, english),
            "english": english,
            "top_dense": top_dense,
            "margin": margin,
            "coverage": None if english else self.coverage(question, hits),
            "key_best": key_best,
            "key_margin": key_margin,
            "key_contrast": key_contrast,
            "key_contrast5": key_contrast5,
        }

    def decide(self, question: str, hits, top_dense: float | None) -> ScopeDecision:
        s = self.signals(question, hits, top_dense)
        return decide_from_signals(s, self.thresholds, self.classifier)


def cached_vectors(searcher, kind: str, texts: list[str]) -> np.ndarray:
    """`encode_passages` or `encode_queries` of `texts`, kept beside the index (about 3 s saved per start) and in
    memory; the file name holds a hash of model, kind and texts, so any change is embedded afresh."""
    embedder = searcher.embedder
    path = _cache_file(searcher, kind, texts)
    key = path.name
    if key in _VECTOR_CACHE:
        return _VECTOR_CACHE[key]
    try:
        vectors = np.load(path)
    except (OSError, ValueError):
        encode = embedder.encode_passages if kind == "passages" else embedder.encode_queries
        vectors = np.asarray(encode(texts), dtype="float32")
        try:
            atomic_write_bytes(path, _npy_bytes(vectors))
        except OSError:
            pass  # a read-only index folder: embed again next start
    _VECTOR_CACHE[key] = vectors
    return vectors


_VECTOR_CACHE: dict[str, np.ndarray] = {}


def remove_other_cached_vectors(searcher, wanted: list[tuple[str, list[str]]]) -> None:
    """Delete cached vectors of texts no longer in use (an edited topic list leaves its old file behind)."""
    keep = {_cache_file(searcher, kind, texts).name for kind, texts in wanted}
    for path in Path(searcher.index_dir).glob("scope-*.npy"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def _cache_file(searcher, kind: str, texts: list[str]) -> Path:
    key = hashlib.sha256("\x1f".join([searcher.embedder.model_id, kind, *texts]).encode()).hexdigest()[:20]
    return Path(searcher.index_dir) / f"scope-{key}.npy"


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def decide_from_signals(s: dict, t: dict, classifier: dict | None = None) -> ScopeDecision:
    """Refuse on a named person or a low best score; a Dutch question with all measurements is then judged by the
    classifier (without one, or without employer questions in the catalogue: by the margin and coverage
    thresholds). The reason names the weakest signal, for the questions dashboard."""
    top, margin, coverage = s["top_dense"], s["margin"], s["coverage"]

    def decision(in_scope: bool, reason: str) -> ScopeDecision:
        return ScopeDecision(in_scope, reason, top, margin, coverage)

    if s["named_person"]:
        return decision(False, "named_person")
    min_top = t["min_top_dense_english"] if s["english"] else t["min_top_dense"]
    if top is None or top < min_top:
        return decision(False, "low_score")
    if s["english"] and s.get("key_contrast") is not None:
        near_catalogue = s["key_contrast"] >= t["min_key_contrast_english"]
        return decision(near_catalogue, "ok" if near_catalogue else "off_topic")
    features = [s.get(name) for name in (classifier or {}).get("features", ())]
    if classifier and not s["english"] and features and None not in features:
        if in_scope_probability(features, classifier) >= classifier["threshold"]:
            return decision(True, "ok")
        if margin < t["min_margin"] or s["key_margin"] < 0:
            return decision(False, "off_topic")
        return decision(False, "low_coverage" if coverage < t["min_coverage"] else "low_score")
    if margin is not None and margin < t["min_margin"]:
        return decision(False, "off_topic")
    if coverage is not None and coverage < t["min_coverage"]:
        return decision(False, "low_coverage")
    return decision(True, "ok")


def in_scope_probability(features: list[float], classifier: dict) -> float:
    """Logistic model over standardised features: 1 / (1 + exp(-(bias + Σ weight × (x - mean) / scale)))."""
    z = classifier["bias"] + sum(
        w * (x - m) / sd
        for w, x, m, sd in zip(classifier["weights"], features, classifier["mean"], classifier["scale"], strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _words(passage: dict) -> list[str]:
    return WORD.findall(fold(f"{passage['title']} {passage['heading']} {passage['text']}"))


def _matches(word: str, tokens: set[str]) -> bool:
    """Exact, or part of a compound either way ("heffing" in "quotumheffing", "subsidie" in a longer word)."""
    if word in tokens:
        return True
    return any((len(word) >= 4 and word in t) or (len(t) >= 5 and t in word) for t in tokens)
