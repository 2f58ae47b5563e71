"""The apps' layering holds: who may import whom, read from the source itself.

- `core` imports no project app: it sits under all of them.
- `org` imports none of surveys, the board, dashboards, the API, home or demo.
- `surveys` and `feedback` never import each other.
- Only the API, demo, benchmarks, `home` (the pages that combine apps) and
  `config` (which wires every app) import `dashboards`.
- Nothing imports `demo`.

A template's `{% load x %}` of another app's tag library counts as an import by
the template's app. Tests are left out: they may reach anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "config", "org", "surveys", "feedback", "dashboards", "api", "home")
ALL = (*APPS, "demo", "benchmarks")

# importer -> the packages it must not import
FORBIDDEN: dict[str, set[str]] = {
    "core": set(ALL) - {"core"},
    "org": {"surveys", "feedback", "dashboards", "api", "home", "demo"},
    "surveys": {"feedback", "dashboards", "api", "home", "demo"},
    "feedback": {"surveys", "dashboards", "api", "home", "demo"},
}
# config wires every app, the dashboards' tick included (config/scheduler.py).
MAY_IMPORT_DASHBOARDS = {"dashboards", "config", "api", "demo", "benchmarks", "home"}
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _owner(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def _python_files() -> list[Path]:
    return [path for package in ALL for path in (ROOT / package).rglob("*.py")]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _tag_libraries() -> dict[str, str]:
    """Template tag library name -> the app that defines it."""
    return {
        path.stem: _owner(path)
        for path in ROOT.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def _template_loads() -> list[tuple[Path, int, str]]:
    """(template, line, app whose tags it loads) for our own tag libraries."""
    libraries = _tag_libraries()
    found = []
    for path in ROOT.glob("*/templates/**/*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in LOAD.finditer(line):
                for name in match.group(1).split():
                    if name in libraries:
                        found.append((path, number, libraries[name]))
    return found


def _edges() -> list[tuple[str, str, str]]:
    """(importer app, imported app, where) across the project's own packages."""
    edges = []
    for path in _python_files():
        for line, package in _imports(path):
            if package in ALL:
                where = f"{path.relative_to(ROOT)}:{line}"
                edges.append((_owner(path), package, where))
    for path, line, app in _template_loads():
        edges.append((_owner(path), app, f"{path.relative_to(ROOT)}:{line}"))
    return edges


def _broken(rule) -> list[str]:
    return [
        f"{where} imports {imported} ({importer} must not)"
        for importer, imported, where in _edges()
        if importer != imported and rule(importer, imported)
    ]


def test_the_source_is_found():
    importers = {importer for importer, _, _ in _edges()}
    assert {"org", "surveys", "feedback", "dashboards"} <= importers


def test_core_imports_no_app_and_org_surveys_feedback_keep_their_walls():
    assert _broken(lambda a, b: b in FORBIDDEN.get(a, set())) == []


def test_only_the_api_demo_benchmarks_home_and_config_import_dashboards():
    assert (
        _broken(lambda a, b: b == "dashboards" and a not in MAY_IMPORT_DASHBOARDS) == []
    )


def test_nothing_imports_demo():
    assert _broken(lambda a, b: b == "demo") == []


def test_a_template_load_counts_as_an_import(tmp_path):
    # The checker itself: a template of org loading the board's tags is caught.
    (tmp_path / "org" / "templates" / "org").mkdir(parents=True)
    (tmp_path / "feedback" / "templatetags").mkdir(parents=True)
    (tmp_path / "feedback" / "templatetags" / "board.py").write_text("")
    (tmp_path / "org" / "templates" / "org" / "x.html").write_text(
        "<p>\n{% load static board %}\n"
    )
    globals()["ROOT"], saved = tmp_path, ROOT
    try:
        loads = _template_loads()
    finally:
        globals()["ROOT"] = saved
    assert [(p.name, line, app) for p, line, app in loads] == [
        ("x.html", 2, "feedback")
    ]
