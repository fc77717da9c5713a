"""Measure the shape of ``src/unstuck``: largest modules, the import graph, ``check="..."`` literals.

Run from the repository root::

    python docs/architecture_measures.py            # prints the measures as Markdown
    python docs/architecture_measures.py --json     # the same numbers as JSON

It reads the source with :mod:`ast` only (nothing is imported), so it measures any
checkout, broken or not. Every ``import`` counts, including those inside functions
(a lazy import is still a dependency: it only delays the cycle); imports under
``if TYPE_CHECKING:`` are counted apart, because they exist for the type checker only.

The layer map below follows ``docs/architecture.md`` (section "Layers"): a module may
import from its own layer and the layers before it; ``ledger`` and ``cost`` sit beside
the chain and may import only the inputs and the report types. The report types
(``findings``: ``Finding``, ``Report``) are the vocabulary every layer speaks, so importing
them is never backward; importing the root package (``from unstuck import __version__``)
is not an edge, since Python loads it before any submodule anyway. A module listed in
no layer is reported as unmapped, so a new package cannot slip past the measure.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "unstuck"

#: The layer map and rule live once, in the test that enforces them (``tests/test_layers.py``);
#: this script reads them from there, so the measures and the test cannot disagree.
LAYER_TEST = ROOT / "tests" / "test_layers.py"


@functools.cache
def _layer_rule() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("unstuck_layer_rule", LAYER_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function
    type_only: bool  # under ``if TYPE_CHECKING:``


@dataclass
class Measures:
    modules: dict[str, int] = field(default_factory=dict)  # module -> lines
    edges: list[Edge] = field(default_factory=list)
    check_literals: int = 0


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import statement with (inside a function, under TYPE_CHECKING)."""

    def walk(node: ast.AST, lazy: bool, type_only: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, lazy, type_only
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, True, type_only)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    yield from walk(ast.Module(body=[stmt], type_ignores=[]), lazy, True)
                for stmt in child.orelse:
                    yield from walk(ast.Module(body=[stmt], type_ignores=[]), lazy, type_only)
            else:
                yield from walk(child, lazy, type_only)

    yield from walk(tree, False, False)


def measure(src: Path) -> Measures:
    files = sorted((src / PACKAGE).rglob("*.py"))
    names = {module_name(f, src) for f in files}
    result = Measures()
    for path in files:
        module = module_name(path, src)
        text = path.read_text(encoding="utf-8")
        result.modules[module] = len(text.splitlines())
        tree = ast.parse(text)
        for node, lazy, type_only in _imports(tree):
            for target in _targets(node, module, path.name == "__init__.py", names):
                if target != module:
                    result.edges.append(Edge(module, target, node.lineno, lazy, type_only))
        result.check_literals += sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword)
            and node.arg == "check"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
    return result


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, names: set[str]) -> Iterable[str]:
    """The unstuck modules an import statement loads (``from a import b`` loads ``a.b`` when it is a module)."""
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = _resolve(module, is_package, node.level, node.module)
        candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in names else base for alias in node.names]
    for name in candidates:
        while name and name not in names:
            name = name.rpartition(".")[0]
        if name.startswith(PACKAGE + ".") and name in names:
            yield name


def layer_of(module: str) -> str | None:
    return _layer_rule().layer_of(module) or None


def is_backward(source: str, target: str) -> bool:
    return not _layer_rule().allowed(source, target)


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Components of more than one module (Kosaraju): each is a cycle of imports."""
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    reverse: dict[str, set[str]] = {n: set() for n in graph}
    for a, b in edges:
        graph[a].add(b)
        reverse[b].add(a)
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(graph[start])))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(sorted(graph[child]))))
    components: list[list[str]] = []
    assigned: set[str] = set()
    for start in reversed(order):
        if start in assigned:
            continue
        component, todo = [], [start]
        assigned.add(start)
        while todo:
            node = todo.pop()
            component.append(node)
            for parent in reverse[node] - assigned:
                assigned.add(parent)
                todo.append(parent)
        if len(component) > 1:
            components.append(sorted(component))
    return sorted(components)


@dataclass(frozen=True)
class Summary:
    modules: int
    lines: int
    largest: list[tuple[str, int]]
    over_600: int
    import_edges: int
    lazy_only_edges: int
    type_checking_edges: int
    cycles: list[list[str]]
    cycles_top_level: list[list[str]]
    layer_edges: dict[str, int]
    backward_edges: list[str]
    unmapped: list[str]
    check_literals: int


def summary(m: Measures) -> Summary:
    runtime = [e for e in m.edges if not e.type_only]
    pairs = {(e.source, e.target) for e in runtime}
    top_level = {(e.source, e.target) for e in runtime if not e.lazy}
    layer_edges: Counter[tuple[str, str]] = Counter()
    backward: list[str] = []
    for source, target in sorted(pairs):
        a, b = layer_of(source), layer_of(target)
        if a is None or b is None:
            continue
        if a != b:
            layer_edges[(a, b)] += 1
        if is_backward(source, target):
            backward.append(f"{source} ({a}) -> {target} ({b})")
    return Summary(
        modules=len(m.modules),
        lines=sum(m.modules.values()),
        largest=sorted(m.modules.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        over_600=sum(1 for lines in m.modules.values() if lines > 600),
        import_edges=len(pairs),
        lazy_only_edges=len(pairs - top_level),
        type_checking_edges=len({(e.source, e.target) for e in m.edges if e.type_only} - pairs),
        cycles=strongly_connected(m.modules, pairs),
        cycles_top_level=strongly_connected(m.modules, top_level),
        layer_edges={f"{a} -> {b}": n for (a, b), n in sorted(layer_edges.items())},
        backward_edges=backward,
        unmapped=sorted(name for name in m.modules if layer_of(name) is None),
        check_literals=m.check_literals,
    )


def markdown(s: Summary) -> str:
    lines = [f"- modules: {s.modules}, lines: {s.lines:,}, modules over 600 lines: {s.over_600}"]
    lines.append("- largest modules (lines):")
    lines += [f"  {n:>5}  {name}" for name, n in s.largest]
    lines.append(
        f"- import edges between modules: {s.import_edges} ({s.lazy_only_edges} only inside functions; "
        f"{s.type_checking_edges} for the type checker only)"
    )
    for cycles, label in ((s.cycles, "all imports"), (s.cycles_top_level, "module-level imports only")):
        lines.append(f"- import cycles ({label}): {len(cycles)}")
        lines += [f"  - {' <-> '.join(c)}" for c in cycles]
    lines.append(f"- backward edges between layers: {len(s.backward_edges)}")
    lines += [f"  - {edge}" for edge in s.backward_edges]
    lines.append("- edges between layers (module pairs): " + ", ".join(f"{k}: {v}" for k, v in s.layer_edges.items()))
    if s.unmapped:
        lines.append("- modules in no layer: " + ", ".join(s.unmapped))
    lines.append(f'- `check="..."` string literals: {s.check_literals}')
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the folder that holds the unstuck package")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    s = summary(measure(args.src))
    print(json.dumps(asdict(s), indent=2) if args.json else markdown(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
