"""Mark quoted sentences in an entry's sanitised HTML, so a citation link lands on the highlighted words.

The sentences come from the URL, so they are only ever used to *find* text: what is inserted is a `<mark>`
around HTML that the sanitiser already produced, never the sentence itself.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

MAX_SENTENCES = 8
MAX_SENTENCE_CHARS = 600
BLOCK = re.compile(r"<(p|li|td)>(.*?)</\1>", re.S)
NESTED_BLOCK = re.compile(r"<(p|ul|ol|li|table|blockquote|pre|h\d)\b")
TAG = re.compile(r"<[^>]+>")


def normalise(text: str) -> str:
    return " ".join(text.split())


def plain(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return normalise(html.unescape(TAG.sub("", fragment)))


def wanted_sentences(values: list[str]) -> list[str]:
    """The usable sentences from the URL: trimmed, not too long, at most a few, no duplicates."""
    out: list[str] = []
    for value in values[:MAX_SENTENCES]:
        value = normalise(value)
        if 10 <= len(value) <= MAX_SENTENCE_CHARS and value not in out:
            out.append(value)
    return out


def highlight(body_html: str, sentences: list[str]) -> tuple[str, int]:
    """Wrap each sentence in `<mark>`; returns the new HTML and how many sentences were found.

    A sentence that appears as-is in the HTML is marked exactly. One that runs across inline markup (a link, bold
    text) marks the whole paragraph or list item that contains it."""
    found = 0
    for sentence in sentences:
        escaped = html.escape(sentence, quote=False)
        if escaped in body_html:
            body_html = body_html.replace(escaped, f"<mark>{escaped}</mark>", 1)
            found += 1
            continue

        def mark_block(match: re.Match, sentence: str = sentence) -> str:
            tag, inner = match.group(1), match.group(2)
            if "<mark>" in inner or NESTED_BLOCK.search(inner) or sentence not in plain(inner):
                return match.group(0)
            return f"<{tag}><mark>{inner}</mark></{tag}>"

        marked = BLOCK.sub(mark_block, body_html, count=0)
        if marked != body_html:
            body_html = marked
            found += 1
    return body_html, found


def mark_sentences(passage: str, sentences: list[str]) -> Markup:
    """Template filter: the (plain-text) passage escaped, with each quoted sentence in `<mark>`."""
    spans = sorted(
        {(start, start + len(s)) for s in sentences if s and (start := passage.find(s)) >= 0}, key=lambda span: span[0]
    )
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlapping quotes: keep the first
            continue
        out += [escape(passage[at:start]), Markup("<mark>"), escape(passage[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(passage[at:]))
    return Markup("").join(out)
