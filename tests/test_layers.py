"""The package is laid out in floors that import only downward: no import circle anywhere in
flake8_hybrid/, deferred imports (inside functions) included, and no module grows past the size
a reader can hold (DESIGN.md, "Layers and data flow")."""

from __future__ import annotations

import ast
from pathlib import Path

from flake8_hybrid.analysis.graphs import strongly_connected

PACKAGE = Path(__file__).resolve().parent.parent / "flake8_hybrid"
MAX_LINES = 800
#: Modules over MAX_LINES today, each at most its size when this test was written: they may
#: only shrink (the incremental engine splits them), and no other module may join them.
OVERSIZED = {
    "analysis/project.py": 1673,
    "analysis/summary.py": 1452,
    "rules/graph_safety.py": 1171,
    "catalog/graph_safety_retracing.py": 1139,
}


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at module level or inside a function."""
    paths = {module_name(path, package): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names if alias.name in paths}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parents = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(parents + ([node.module] if node.module else []))
                for alias in node.names:
                    imported = f"{base}.{alias.name}"
                    if imported in paths:
                        graph[name].add(imported)  # a submodule
                    elif base in paths:
                        graph[name].add(base)  # a name from a module
    for name in graph:
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module."""
    components = strongly_connected(sorted(graph), lambda module: sorted(graph[module]))
    return sorted(sorted(component) for component in components if len(component) > 1)


def test_no_import_circle_in_the_package() -> None:
    assert cycles(import_graph()) == []


def test_the_circle_finder_finds_circles(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.sub.c import g\n")  # deferred: still an edge
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "c.py").write_text("from .. import a\n")
    (package / "d.py").write_text("import pkg.a\n")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]


def test_modules_stay_small() -> None:
    sizes = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
             for path in PACKAGE.rglob("*.py")}
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert set(over) <= set(OVERSIZED), f"over {MAX_LINES} lines: {sorted(set(over) - set(OVERSIZED))}"
    grown = {name: (lines, OVERSIZED[name]) for name, lines in over.items() if lines > OVERSIZED[name]}
    assert not grown, f"grew past their recorded size (split them instead): {grown}"
