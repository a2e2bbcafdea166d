"""The import contracts in pyproject.toml ([tool.importlinter]) hold: `lint-imports`, run from the
repository root as `make lint` runs it, exits 0.

Until it does, the broken imports it reports must be exactly the KNOWN ones: a new broken import fails
this test, and so does a KNOWN one that is gone (remove it from the set; when the set is empty the test
asks for exit 0 and nothing else).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# Broken imports on record, as "importer -> imported" (an indirect chain as "a -> b -> c"), whatever
# contract reports them. None: core imports no domain app since the kernel commit.
KNOWN: set[str] = set()

# "- core.admin -> members.privacy (l.143, l.152)" (a forbidden contract writes "-   ") opens a chain; an
# indented "  a -> b (l.3)" continues it.
LINK = re.compile(r"^(?P<start>-\s+)?(?P<importer>[\w.]+) -> (?P<imported>[\w.]+)(?: \(l\.[^)]*\))?$")


def broken_imports(output: str) -> set[str]:
    chains: list[list[str]] = []
    for line in output.splitlines():
        match = LINK.match(line.strip())
        if not match:
            continue
        if match["start"] or not chains:
            chains.append([match["importer"], match["imported"]])
        else:
            chains[-1].append(match["imported"])
    return {" -> ".join(chain) for chain in chains}


def test_import_contracts_hold():
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr  # 1: a broken contract; else a bad config
    if not KNOWN:
        assert run.returncode == 0, run.stdout
        return
    broken = broken_imports(run.stdout + run.stderr)
    assert broken, run.stdout + run.stderr
    assert not broken - KNOWN, f"New broken imports: {sorted(broken - KNOWN)}\n\n{run.stdout}"
    assert not KNOWN - broken, (
        f"No longer broken; remove from KNOWN in {Path(__file__).name}: {sorted(KNOWN - broken)}"
    )


def test_the_output_is_read_chain_by_chain():
    output = """
core is not allowed to import members:

- core.admin -> members.privacy (l.143, l.152, l.182)

- members.a -> members.b (l.3)
  members.b -> evaluations.c (l.7)

cases is not allowed to import evaluations:

-   cases.models -> members.models (l.14)
    members.models -> evaluations (l.6)
"""
    assert broken_imports(output) == {
        "core.admin -> members.privacy",
        "members.a -> members.b -> evaluations.c",
        "cases.models -> members.models -> evaluations",
    }
