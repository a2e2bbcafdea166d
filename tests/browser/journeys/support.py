"""What every journey checks on every page it reaches (`Journey.check`), and the screenshots it keeps.

On each page: no console error or uncaught script error, no Content-Security-Policy violation (the console's
report and the `securitypolicyviolation` event, caught by a listener the harness installs before any page
script), no sideways scrolling (`document.scrollingElement.scrollWidth <= window.innerWidth`), and no
`serious` or `critical` accessibility violation found by axe-core. axe is vendored (tests/browser/vendor/,
MPL-2.0, with its licence) and injected by the test, never served by the product: the browser context
answers AXE_URL itself from the vendored file (`context.route`), and `page.add_script_tag(url=AXE_URL)` loads
it as a same-origin script, which the page's policy (script-src 'self') allows. (`add_script_tag(path=…)`
inlines the file, and the policy rightly refuses inline scripts.)

Screenshots go to test-artifacts/journeys/<journey>/NN-<step>.png (or under $JOURNEY_ARTIFACTS), full page,
at the viewport the person uses: OFFICE 1366×900, PHONE 390×844.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

OFFICE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

VENDOR = Path(__file__).resolve().parent.parent / "vendor"
AXE = VENDOR / "axe.min.js"
AXE_URL = "/__journeys__/axe.min.js"  # answered by the harness (Journey.__init__), not by the product
ARTIFACTS = Path(
    os.environ.get("JOURNEY_ARTIFACTS") or Path(__file__).resolve().parents[3] / "test-artifacts"
)

# Listens for the browser's own report of a refused resource: the harness's init script runs before the
# page's scripts and is not subject to the page's policy.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : ""));
});
"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1, 3).join("; "))}));
}"""


def slug(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "-", text).strip("-") or "page"


class Journey:
    """One person's path through the product in one browser context. `check(step)` after each page."""

    def __init__(self, name: str, page, console, *, folder: Path | None = None, menu_must_fit: bool = False):
        self.name = name
        # the menu scrolls inside itself (overflow-x: auto), so the page never does: with the grouped menu
        # every entry must be reachable without that inner scrolling either
        self.menu_must_fit = menu_must_fit
        self.page = page
        self.console = console
        self.folder = folder or ARTIFACTS / "journeys" / slug(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # what a previous run left
            old.unlink()
        self.steps = 0
        self.checked: list[str] = []
        page.context.add_init_script(CSP_LISTENER)
        page.context.route(
            f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
        )

    def check(self, step: str, *, axe: bool = True) -> None:
        """Screenshot the page, then assert everything a journey page must hold."""
        page = self.page
        started = time.monotonic()
        page.wait_for_load_state("load")
        self.steps += 1
        shot = self.folder / f"{self.steps:02d}-{slug(step)}.png"
        page.screenshot(path=str(shot), full_page=True)
        shot_at = time.monotonic()
        problems: list[str] = []
        fits = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if fits[0] > fits[1]:
            problems.append(f"scrolls sideways: {fits[0]} px wide in a {fits[1]} px window")
        if self.menu_must_fit:
            hidden = page.evaluate(
                "[...document.querySelectorAll('nav')].filter(n => n.scrollWidth > n.clientWidth + 1).length"
            )
            if hidden:
                problems.append("the menu scrolls sideways: some of its entries are out of sight")
        problems += [f"CSP violation: {v}" for v in page.evaluate("window.__cspViolations || []")]
        axe_at = time.monotonic()
        if axe:
            problems += [
                f"axe {v['impact']} {v['id']} ({v['help']}):\n      " + "\n      ".join(v["nodes"])
                for v in run_axe(page)
            ]
        problems += self.console.problems
        self.console.problems = []
        self.checked.append(page.url)
        if os.environ.get("JOURNEY_TIMES"):
            now = time.monotonic()
            print(
                f"{step}: screenshot {shot_at - started:.1f}s, checks {axe_at - shot_at:.1f}s, axe {now - axe_at:.1f}s"
            )
        assert not problems, f"{self.name} · {step} ({page.url}, {shot}):\n  - " + "\n  - ".join(problems)


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(AXE_RUN)


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
