"""Meta-tests: every hookspec is documented in docs/hooks.md and has a test.

In the manner of datasette's ``test_plugin_hooks_are_documented`` and
``test_plugin_hooks_have_tests``: a hook ``hub_x`` needs a ``## hub_x``
section and a test function named ``test_hook_hub_x`` (or
``test_hook_hub_x_<more>``) under ``tests/`` or ``plugins/*/tests/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hub import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(
    name
    for name, value in vars(hookspecs).items()
    if name.startswith("hub_") and callable(value) and hasattr(value, "hub_spec")
)


def _documented() -> set[str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## (\w+)\s*$", text, flags=re.MULTILINE))


def _test_names() -> set[str]:
    files = [*ROOT.glob("tests/**/test_*.py"), *ROOT.glob("plugins/*/tests/**/test_*.py")]
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_hook_")
        )
    return names


def test_hookspecs_are_found() -> None:
    assert "hub_pull_page" in HOOKS and len(HOOKS) >= 10


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hook_is_documented(hook: str) -> None:
    assert hook in _documented(), f"docs/hooks.md has no '## {hook}' section"


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hook_has_a_test(hook: str) -> None:
    wanted = f"test_hook_{hook}"
    tests = [n for n in _test_names() if n == wanted or n.startswith(wanted + "_")]
    assert tests, f"no test named {wanted}... under tests/ or plugins/*/tests/"


def test_docs_describe_no_hook_that_does_not_exist() -> None:
    stale = sorted(h for h in _documented() if h.startswith("hub_") and h not in HOOKS)
    assert not stale, f"docs/hooks.md documents hooks that are not hookspecs: {stale}"
