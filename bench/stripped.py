"""The framework with its tracing taken out: what tracing costs a request nobody traces.

Issue 7 asks that with no tracer attached a request cost no more (within 3%) than the same
code before tracing existed. That code is rebuilt here rather than kept: the framework's
modules are copied into a temporary package, ``framework_stripped``, with every statement
that only serves tracing removed by the ``ast`` module -- the jump to the traced path,
``recorder`` variables, and each ``if recorder is None: plain else: traced`` reduced to its
plain branch -- and imported beside the real one, so the same user app runs on both in the
same process, interleaved like every other contender.
"""

from __future__ import annotations

import ast
import atexit
import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import framework

PACKAGE = "framework_stripped"


def stripped_framework() -> ModuleType:
    """``framework`` without its tracing branches, imported as ``framework_stripped``."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    folder = Path(tempfile.mkdtemp(prefix="hookscope-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    source = Path(framework.__file__).parent
    target = folder / PACKAGE
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for path in target.rglob("*.py"):
        tree = _WithoutTracing().visit(ast.parse(path.read_text(encoding="utf-8")))
        for node in ast.walk(tree):  # a block left with nothing in it still needs a statement
            if isinstance(getattr(node, "body", None), list) and not node.body:  # type: ignore[attr-defined]
                node.body = [ast.Pass()]  # type: ignore[attr-defined]
        path.write_text(ast.unparse(ast.fix_missing_locations(tree)), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


def _mentions_recorder(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == "recorder")
        or (isinstance(n, ast.Attribute) and n.attr == "recorder")
        for n in ast.walk(node)
    )


class _WithoutTracing(ast.NodeTransformer):
    """Drops what a request runs only because tracing exists."""

    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt] | None:
        self.generic_visit(node)
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
            and _mentions_recorder(test.left)
        ):
            kept = node.body if isinstance(test.ops[0], ast.Is) else node.orelse
            return kept or None
        if isinstance(test, ast.Attribute) and test.attr == "active":  # `if self.tracers.active`
            return None
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | None:
        return None if any(_mentions_recorder(t) for t in node.targets) else node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        return None if _mentions_recorder(node.target) else node


__all__ = ["PACKAGE", "stripped_framework"]
