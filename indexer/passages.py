"""Split catalogue entries into passages: one per `##` section, long sections cut at paragraphs (~60–200 words).

A passage id is a hash of its entry, heading and text, so an unchanged passage keeps its id (and its stored vector)
across reindexes, and any edit gives a new id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from catalogue.loader import Entry
from catalogue.text import markdown_to_plain

MAX_WORDS = 200
MIN_WORDS = 60
SOURCE_MARKER = re.compile(r"\s*\[bron \d+\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9€\"'(“‘])")


@dataclass(frozen=True)
class Passage:
    id: str
    entry_id: str
    title: str
    heading: str
    anchor: str
    kind: str
    text: str
    position: int
    sectors: tuple[str, ...] = field(default_factory=tuple)
    action_types: tuple[str, ...] = field(default_factory=tuple)
    valid_from: str | None = None
    valid_until: str | None = None
    questions: tuple[str, ...] = ()  # employer questions for this passage's section: extra search keys

    @property
    def faiss_id(self) -> int:
        """A positive int64 for FAISS, derived from the passage id."""
        return int(self.id[:15], 16)

    @property
    def sentences(self) -> list[str]:
        return passage_sentences(self.text)

    @property
    def sentence_embed_texts(self) -> list[str]:
        """What the model sees per sentence: the sentence with its entry title and heading as context."""
        return [f"{self.title} — {self.heading}: {sentence}" for sentence in self.sentences]

    @property
    def embed_text(self) -> str:
        """What the model sees: entry title and section heading give the passage its context."""
        return f"{self.title} — {self.heading}: {plain_passage_text(self.text)}"


def passage_id(entry_id: str, heading: str, text: str) -> str:
    return hashlib.sha256(f"{entry_id}\x1f{heading}\x1f{text}".encode()).hexdigest()[:24]


def split_into_passages(entry: Entry) -> list[Passage]:
    """All passages of one entry, in reading order."""
    passages: list[Passage] = []
    for section in entry.sections:
        for chunk in split_section_text(section.text):
            passages.append(
                Passage(
                    id=passage_id(entry.id, section.heading, chunk),
                    entry_id=entry.id,
                    title=entry.title,
                    heading=section.heading,
                    anchor=section.anchor,
                    kind=entry.kind,
                    text=chunk,
                    position=len(passages),
                    sectors=tuple(entry.sectors),
                    action_types=tuple(entry.action_types),
                    valid_from=entry.valid_from.isoformat() if entry.valid_from else None,
                    valid_until=entry.valid_until.isoformat() if entry.valid_until else None,
                    questions=tuple(entry.questions.get(section.anchor, ())),
                )
            )
    return passages


def plain_passage_text(text: str) -> str:
    """The passage as readers see it quoted: plain text, no markup, no [bron N] markers."""
    return markdown_to_plain(SOURCE_MARKER.sub("", text))


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage's plain text, in order (very short bits dropped); each is a substring of
    `plain_passage_text(text)`, which is what makes quoted answers verifiable."""
    plain = plain_passage_text(text)
    return split_sentences(plain) or [plain.strip()]


QUOTABLE_END = re.compile(r"[.!][)\"'”’]?$")


def split_sentences(text: str, min_words: int = 3) -> list[str]:
    """Quotable sentences of plain text: each line is cut at sentence ends; kept are statements of at least
    `min_words` words that end like a sentence (headings, list labels and questions are left out)."""
    sentences = []
    for line in text.split("\n"):
        for sentence in SENTENCE_END.split(line.strip()):
            sentence = sentence.strip()
            if word_count(sentence) >= min_words and QUOTABLE_END.search(sentence):
                sentences.append(sentence)
    return sentences


def word_count(text: str) -> int:
    return len(text.split())


def split_section_text(text: str, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS) -> list[str]:
    """Cut a section into chunks of at most `max_words`, at paragraph ends (or sentence ends inside a very long
    paragraph), never mid-sentence; a short tail is merged into the chunk before it when that stays near the max."""
    text = text.strip()
    if word_count(text) <= max_words:
        return [text] if text else []
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if word_count(paragraph) <= max_words:
            units.append(paragraph)
        else:
            units.extend(_sentence_groups(paragraph, max_words))
    chunks: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and word_count("\n\n".join([*current, unit])) > max_words:
            chunks.append("\n\n".join(current))
            current = []
        current.append(unit)
    if current:
        tail = "\n\n".join(current)
        if chunks and word_count(tail) < min_words and word_count(chunks[-1]) + word_count(tail) <= max_words * 1.25:
            chunks[-1] = chunks[-1] + "\n\n" + tail
        else:
            chunks.append(tail)
    return chunks


def _sentence_groups(paragraph: str, max_words: int) -> list[str]:
    """A long paragraph (or list) cut into groups of whole lines/sentences of at most `max_words`."""
    pieces: list[str] = []
    for line in paragraph.split("\n"):
        pieces.extend(SENTENCE_END.split(line))
    groups, current = [], []
    for piece in pieces:
        if current and word_count(" ".join([*current, piece])) > max_words:
            groups.append(_join(current))
            current = []
        current.append(piece)
    if current:
        groups.append(_join(current))
    return groups


def _join(pieces: list[str]) -> str:
    """Rejoin pieces: list items keep their own lines, sentences are joined with a space."""
    out = pieces[0]
    for piece in pieces[1:]:
        out += ("\n" if re.match(r"^\s*([-*+]|\d+[.)])\s", piece) else " ") + piece
    return out
