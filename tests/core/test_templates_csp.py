"""No template relies on what the Content-Security-Policy blocks (script-src 'self'; style-src 'self').

A browser silently ignores an inline handler (onclick=, onchange=…), an inline <script> or a style=
attribute under that policy, so the page just stops working. Behaviour goes in static/js/app.js (data-
attributes), looks in the style sheets. tests/browser checks the rendered pages in a real browser; this
scan covers every template, including pages no browser test opens.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(
    path
    for folder in [*settings.TEMPLATES[0]["DIRS"], *Path(settings.BASE_DIR).glob("*/templates")]
    for path in Path(folder).rglob("*.html")
)
FORBIDDEN = {
    "inline event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_template_has_nothing_the_csp_blocks(template):
    text = template.read_text(encoding="utf-8")
    found = [
        f"{what} at line {text.count(chr(10), 0, match.start()) + 1}: {match.group(0)[:80]}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]
    assert found == []
