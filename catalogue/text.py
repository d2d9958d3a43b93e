"""Small text helpers shared by the store, the renderer and the indexer."""

import re
import unicodedata

from markdown.extensions.toc import slugify_unicode

MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
HEADING_MARK = re.compile(r"^\s*#{1,6}\s+", re.M)
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M)


def slugify(heading: str) -> str:
    """The anchor of a heading, identical to the id the markdown renderer gives it."""
    return slugify_unicode(heading, "-")


def markdown_to_plain(text: str) -> str:
    """Markdown to readable plain text: keeps words and sentences, drops markup."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = EMPHASIS.sub(r"\2", text)
    text = TABLE_RULE.sub("", text)
    text = HEADING_MARK.sub("", text)
    text = LIST_MARK.sub("", text)
    text = text.replace("|", " ")
    return unicodedata.normalize("NFC", text).strip()
