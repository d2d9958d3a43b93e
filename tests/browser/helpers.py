"""Accessibility checks with axe-core and screenshots, for the real-browser tests."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-output" / "screenshots"
WCAG_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
}"""


def axe_violations(page, tags=WCAG_AA) -> list[dict]:
    """Run axe-core on the page; each violation has id, impact, help, nodes (count) and up to 3 node targets.

    The source goes in through page.evaluate (the DevTools protocol), which the site's strict CSP does not block,
    unlike add_script_tag's inline <script>.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if not AXE_JS.is_file():
            raise FileNotFoundError(f"{AXE_JS} is missing: run `make browser` (npm ci)")
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            raise RuntimeError("axe-core did not define window.axe")
    return page.evaluate(_RUN_AXE, list(tags))


def format_violations(violations: list[dict]) -> str:
    """One readable block per violation, for assertion messages."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['nodes']} node(s)] " + "; ".join(v["targets"])
        for v in violations
    )


def screenshot(page, name: str) -> Path:
    """A full-page PNG at test-output/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def click_and_load(page, target) -> None:
    """Click a link or button (a locator or a selector) and wait for the new page: a count right after a click may
    still see the old one."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()
