"""The public site reads only aggregate selectors, never case rows (STYLE.md habit 12): no module under
ilm/public imports a models module of cases, channels, recruitment or jobs, directly or as
`from ilm.cases import models`."""

from __future__ import annotations

import ast
from pathlib import Path

import ilm.public

FORBIDDEN_APPS = ("cases", "channels", "recruitment", "jobs")
FORBIDDEN = {f"ilm.{app}.models" for app in FORBIDDEN_APPS}
PUBLIC = Path(ilm.public.__file__).parent


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            names |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return names


def _violations(source: str) -> set[str]:
    return {
        name
        for name in _imports(ast.parse(source))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    }


def test_no_public_module_imports_case_models() -> None:
    modules = sorted(PUBLIC.rglob("*.py"))
    assert len(modules) >= 5  # the app, urls, views, publication, suppression
    found = {str(path.relative_to(PUBLIC)): _violations(path.read_text()) for path in modules}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_catches_every_spelling() -> None:
    assert _violations("import ilm.cases.models")
    assert _violations("from ilm.cases import models")
    assert _violations("from ilm.cases.models import Worker")
    assert _violations("from ilm.jobs import models as m")
    assert _violations("importlib.import_module('ilm.channels.models')")
    assert not _violations("from ilm.cases import statistics")
    assert not _violations("from ilm.network.models import Country")
