"""App code imports no domain module by name.

`importlib.import_module("cases.demo")`, `import_string(path)` over a settings list of dotted paths,
`__import__(…)`: an import by string hides a dependency from the reader and from import-linter, so an
upward import (members → cases, core → anything) slips through the contracts in pyproject.toml. A lower
app that must reach a higher one gets a registry filled from the higher app's `AppConfig.ready()`
(volunteering/ledger.py is the model).

The walk reads every non-test, non-migration Python file outside `config/` (settings may name dotted
paths; the code that imports them may not) and looks at the argument of each call to `import_module`,
`import_string`, `__import__` or `resolve_name` (aliases included). The argument is followed back to its
strings: a literal, an f-string's or a `+`'s leading text, a module-level constant, a loop or
comprehension variable, `settings.NAME` or `getattr(settings, "NAME", …)` (read from the live settings).
The call is an offender when one of those strings is a domain path, or when they cannot be found at all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PATH = re.compile(r"^(members|volunteering|cases|evaluations|core)(\.|$)")
IMPORT_BY_NAME = {"import_module", "import_string", "__import__", "resolve_name"}
SKIPPED_DIRS = {"config", "tests", "migrations", "static", "templates", "node_modules", "var", "scripts"}

# The offenders on record, as "<app>:<enclosing function>" so that a file moving inside its app keeps its
# entry. The lead is replacing each by a registry; empty this set as they go — the test fails both on a
# new offender and on an entry that is no longer one, so the set only shrinks.
KNOWN: set[str] = set()  # every one replaced by a registry or a direct import


def app_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") for part in parts) or SKIPPED_DIRS.intersection(parts[:-1]):
            continue
        if path.name.startswith("test_") or path.name == "conftest.py":
            continue
        files.append(path)
    return files


class _Finder(ast.NodeVisitor):
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.names = set(IMPORT_BY_NAME)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                self.names |= {a.asname for a in node.names if a.name in IMPORT_BY_NAME and a.asname}
        self.found: list[tuple[str, int, list[str] | None]] = []

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in self.names and node.args:
            strings = self.strings(node.args[0], node, depth=0)
            if strings is None or any(DOMAIN_PATH.match(s) for s in strings):
                self.found.append((self.qualname(node), node.lineno, strings))
        self.generic_visit(node)

    def qualname(self, node: ast.AST) -> str:
        names = []
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(node.name)
        return ".".join(reversed(names)) or "<module>"

    def strings(self, expr: ast.AST, at: ast.AST, depth: int) -> list[str] | None:
        """The strings `expr` can hold, or None if they cannot be told."""
        if depth > 8:
            return None
        if isinstance(expr, ast.Constant):
            return [expr.value] if isinstance(expr.value, str) else []
        if isinstance(expr, ast.JoinedStr):
            lead = expr.values[0] if expr.values else None
            return [lead.value] if isinstance(lead, ast.Constant) else None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.strings(expr.left, at, depth + 1)
        if isinstance(expr, ast.List | ast.Tuple | ast.Set):
            return self._all([self.strings(e, at, depth + 1) for e in expr.elts])
        if isinstance(expr, ast.Starred | ast.Subscript):
            return self.strings(expr.value, at, depth + 1)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "settings"
        ):
            return _flatten(getattr(settings, expr.attr, None))
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "getattr"
            and len(expr.args) >= 2
            and isinstance(expr.args[0], ast.Name)
            and expr.args[0].id == "settings"
            and isinstance(expr.args[1], ast.Constant)
        ):
            default = self.strings(expr.args[2], at, depth + 1) if len(expr.args) > 2 else []
            return self._all([_flatten(getattr(settings, expr.args[1].value, None)), default])
        if isinstance(expr, ast.Name):
            sources = self.bindings(expr.id, at)
            if not sources:
                return None
            return self._all([self.strings(s, s, depth + 1) for s in sources])
        return None

    def bindings(self, name: str, at: ast.AST) -> list[ast.AST]:
        """The expressions `name` is bound from, looked up from `at` outwards: comprehension and loop
        variables give their iterable, assignments their value."""
        node = at
        while True:
            scope = self.parents.get(node)
            if scope is None:
                return []
            node = scope
            found: list[ast.AST] = []
            if isinstance(scope, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                found = [g.iter for g in scope.generators if _binds(g.target, name)]
            elif isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                for inner in ast.walk(scope):
                    if isinstance(inner, ast.For | ast.AsyncFor) and _binds(inner.target, name):
                        found.append(inner.iter)
                    elif isinstance(inner, ast.Assign) and any(_binds(t, name) for t in inner.targets):
                        found.append(inner.value)
                    elif isinstance(inner, ast.AnnAssign | ast.AugAssign) and _binds(inner.target, name):
                        found.append(inner.value or ast.Constant(None))
                    elif isinstance(inner, ast.withitem) and _binds(
                        inner.optional_vars or ast.Tuple([]), name
                    ):
                        found.append(inner.context_expr)
            if found:
                return found

    @staticmethod
    def _all(parts: list[list[str] | None]) -> list[str] | None:
        if any(p is None for p in parts):
            return None
        return [s for p in parts if p is not None for s in p]


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _flatten(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for v in value for s in (_flatten(v) or [])]
    if isinstance(value, dict):
        return [s for v in value.values() for s in (_flatten(v) or [])]
    return [] if value is None else None


def string_imports(source: str) -> list[tuple[str, int, list[str] | None]]:
    """(enclosing function, line, the strings the argument can hold or None) of each import by name of
    a domain path in `source`."""
    finder = _Finder(ast.parse(source))
    finder.visit(finder.tree)
    return finder.found


def test_app_code_imports_no_domain_module_by_name():
    offenders: dict[str, str] = {}
    for path in app_files():
        relative = path.relative_to(ROOT)
        for where, line, strings in string_imports(path.read_text(encoding="utf-8")):
            domain = [s for s in strings or [] if DOMAIN_PATH.match(s)]
            held = (
                ", ".join(domain[:2]) + (" …" if len(domain) > 2 else "") if domain else "an unknown string"
            )
            offenders[f"{relative.parts[0]}:{where}"] = f"{relative}:{line} imports {held} by name"
    new = {key: offenders[key] for key in offenders.keys() - KNOWN}
    fixed = KNOWN - offenders.keys()
    assert not new, (
        "Import the module, or register it from the higher app's AppConfig.ready():\n"
        + "\n".join(f"  {key}  ({detail})" for key, detail in sorted(new.items()))
    )
    assert not fixed, f"No longer an offender; remove from KNOWN in {Path(__file__).name}: {sorted(fixed)}"


# The walk itself, on small sources.
def test_a_literal_an_fstring_and_an_alias_are_found():
    source = """
import importlib
from django.utils.module_loading import import_string as load

def a():
    importlib.import_module("cases.demo")

def b(app):
    __import__(f"volunteering.{app}")

def c():
    load("members.selectors.x")
"""
    assert [where for where, _, _ in string_imports(source)] == ["a", "b", "c"]


def test_a_module_constant_and_a_settings_list_are_followed(settings):
    # the product's settings name no domain path any more; this one stands for one that would
    settings.RETENTION_PURGES = ["members.retention.purge_roster_imports"]
    source = """
from importlib import import_module
from django.conf import settings
from django.utils.module_loading import import_string

SEEDS = ["volunteering.demo", "cases.demo"]

class Command:
    def handle(self):
        for name in SEEDS:
            import_module(name)

def purge():
    return [import_string(path) for path in settings.RETENTION_PURGES]
"""
    assert [where for where, _, _ in string_imports(source)] == ["Command.handle", "purge"]


def test_a_library_path_is_not_an_offender_but_an_unknown_one_is():
    source = """
from importlib import import_module
from django.conf import settings

def sessions():
    return import_module(settings.SESSION_ENGINE)

def anything(path):
    return import_module(path)
"""
    assert [(where, strings) for where, _, strings in string_imports(source)] == [("anything", None)]
