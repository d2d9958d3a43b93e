"""Entry bodies are rendered from markdown and sanitised: no script, no event handlers, only safe links."""

from catalogue.render import render_markdown


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Tekst <script>alert('x')</script> verder")
    assert "<script" not in html and "alert" not in html
    assert "Tekst" in html and "verder" in html


def test_event_handlers_are_removed():
    html = render_markdown('<img src="x" onerror="alert(1)"> <a href="https://a.nl" onclick="evil()">a</a>')
    assert "onerror" not in html and "onclick" not in html
    assert 'href="https://a.nl"' in html


def test_javascript_links_are_removed():
    html = render_markdown("[klik](javascript:alert(1)) en <a href='JaVaScRiPt:alert(2)'>b</a>")
    assert "javascript" not in html.lower()


def test_headings_get_anchor_ids_and_source_markers_link():
    html = render_markdown("## Wat is het?\n\nFeit. [bron 2]", source_links=True)
    assert '<h2 id="wat-is-het">' in html
    assert '<a href="#bron-2"' in html
