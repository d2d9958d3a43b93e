"""Markdown to safe HTML: the only way catalogue text becomes HTML anywhere in the app."""

import re

import markdown
import nh3

from .text import slugify

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "mark",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "abbr": {"title"},
    "th": {"scope"},
    "td": set(),
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
SOURCE_MARKER = re.compile(r"\[bron (\d+)\]")


def render_markdown(text: str, source_links: bool = False) -> str:
    """Render markdown and sanitise it: no scripts, no event handlers, only http(s)/mailto links.

    With `source_links`, `[bron N]` markers become links to `#bron-N` (the entry page's source list).
    """
    if source_links:
        text = SOURCE_MARKER.sub(r'<a href="#bron-\1">[bron \1]</a>', text)
    html = markdown.markdown(
        text,
        extensions=["toc", "tables", "sane_lists"],
        extension_configs={"toc": {"slugify": lambda value, sep: slugify(value)}},
        output_format="html",
    )
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
