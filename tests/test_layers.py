"""Imports run one way: a module imports only from its own layer or the layers below it.

The layers, lowest first (``docs/architecture.md``, section "Layers", says the same):

1. **inputs** — what the user gives and pure helpers over it: errors, validation, readers,
   ``Problem``, the project card, training-log readers, metrics, the decomposition and
   curve numerics, slice search, budgets;
2. **report types** — ``findings`` (``Finding``, ``Intervention``, ``Report``) and the
   stored last diagnosis (``state``): the vocabulary every later layer speaks, so it sits
   right above the inputs (checks make findings; they cannot import them from above);
3. **measurements** — what checks share: the context, the registry, the baselines and
   their fits, the signal test, the domain classifier and the leakage rule (the production gate
   shares these two), component attribution;
4. **checks** — ``checks/``, the runner, the training-log rules;
5. **advice** — ranking and the plan, the production gate's judgement;
6. **report** — assembling a report (``pipeline``, its options checked by ``parameters``) and
   acting on one (``tryout``);
7. **render** — ``render/`` and the gate's HTML;
8. **cli** — ``cli/``, ``assistant/``.

The renderers read only the inputs and the report types: they lay out a report, fresh or
re-read from its JSON, and never reach for the checks that made it. The registry imports the
(empty) ``checks`` package to discover the check modules by name: the one upward edge, by design.

Beside them, the **ledger** and **cost** import only the inputs and the report types (and
themselves); the advice layer and above may import them.

A check module is a leaf: only other checks import it (the registry finds it by name);
what a check shares with another part lives in the context or a helper module.

Every import counts, the ones inside functions included: a lazy import is still a
dependency, only a later one. Imports under ``if TYPE_CHECKING:`` never run, so they cannot
make a cycle; they still follow the direction rule, but for the few listed in
:data:`TYPES_ONLY` (an annotation naming a type from above, each with its reason).
``from unstuck import X`` is resolved through the package's lazy exports, so a check that
imports ``unstuck.diagnose`` is caught as importing the pipeline.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import unstuck

SOURCE = Path(unstuck.__file__).parent
PACKAGE = "unstuck"

#: The layers, lowest first; a module belongs to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "inputs",
        (
            "unstuck",  # the package itself: its body imports nothing of unstuck (its exports are lazy)
            "unstuck.errors",
            "unstuck.frozen",  # read-only containers: the problem's and the report types' fields
            "unstuck.validation",
            "unstuck.arguments",  # what each public entry point accepts, and the one check of it
            "unstuck.io",
            "unstuck.problem",
            "unstuck.splits",
            "unstuck.data",
            "unstuck.runs",
            "unstuck.training_log.log",
            "unstuck.training_log.readers",
            "unstuck.training_log.formats",
            "unstuck.training_log.mlflow_store",
            "unstuck.training_log.synthetic",
            "unstuck.card",
            "unstuck.tags",
            "unstuck.budget",
            "unstuck.metrics",
            "unstuck.units",
            "unstuck.text",  # text detection, representations and near-copy search
            "unstuck.images",  # image folders and tables of paths, properties, the small ConvNet
            "unstuck.embedding_space",  # text and image rows as vectors
            "unstuck.decomposition",
            "unstuck.curves",
            "unstuck.curve_families",
            "unstuck.slices",
            "unstuck.demo",
            "unstuck.schemas",
        ),
    ),
    (
        "report types",
        ("unstuck.findings", "unstuck.state", "unstuck.report_file", "unstuck.view", "unstuck.measured"),
    ),
    (
        "measurements",
        (
            "unstuck.context",
            "unstuck.registry",
            "unstuck.baselines",
            "unstuck.out_of_fold",  # every train row scored by a model that never saw it, shared by checks
            "unstuck.fits",
            "unstuck.early_stopping",
            "unstuck.workers",
            "unstuck.signal",
            "unstuck.shift",  # telling two samples apart: the shift check's and the gate's domain classifier
            "unstuck.leakage",  # the leakage rule: the copy checks' and the gate's
            "unstuck.coverage",  # regions train barely covers and the targeted refit: the coverage check's
            "unstuck.components",
            "unstuck.training_log",  # the training-curve rules: pure functions of a log, shared by its checks
        ),
    ),
    ("checks", ("unstuck.checks", "unstuck.runner")),
    ("advice", ("unstuck.advice", "unstuck.plan", "unstuck.layer_choice", "unstuck.layer_decision", "unstuck.gate")),
    (
        "report",
        (
            "unstuck.pipeline",
            "unstuck.assembly",
            "unstuck.schemas.generate",  # writes the report's JSON Schema from every check's declared result
            "unstuck.parameters",
            "unstuck.tryout",
            "unstuck.baseline_curve",
            "unstuck.command_curve",
            "unstuck.error_sample",
        ),
    ),
    ("render", ("unstuck.render", "unstuck.gate.html")),
    ("cli", ("unstuck.cli", "unstuck.assistant")),
)
#: Layers beside the chain: they import only these layers (and themselves) ...
BESIDE: dict[str, tuple[str, ...]] = {"ledger": ("unstuck.ledger",), "cost": ("unstuck.cost",)}
BESIDE_MAY_IMPORT = ("inputs", "report types")
#: ... and are imported only from this layer upwards.
BESIDE_USED_FROM = "advice"
#: Layers that read only below the advice: a renderer lays out a report (fresh or re-read from its
#: JSON) with the view each check declares in its own module (found through the registry), and
#: never reaches for the advice or the pipeline.
READS_ONLY = {"render": ("inputs", "report types", "measurements", "checks")}
#: Plugin discovery: the registry imports the (empty) checks package to find its modules by name.
#: That is the one upward import by design; the check modules themselves are never named.
DISCOVERY = frozenset({("unstuck.registry", "unstuck.checks")})
#: The package registers, by type name, the notebook display of a Report: after ``import unstuck``
#: alone a report shows as HTML in IPython, and the renderer is imported only when one is shown.
NOTEBOOK_DISPLAY = frozenset({("unstuck", "unstuck.render.html")})

#: Backward edges another change is removing. This list MUST be empty: it only lets work that
#: lands in steps pass meanwhile; remove an entry with the import it names (a stale entry fails).
KNOWN_BACKWARD: frozenset[tuple[str, str]] = frozenset({})

#: Backward imports allowed because they run only for the type checker (under ``if TYPE_CHECKING:``).
TYPES_ONLY: frozenset[tuple[str, str]] = frozenset(
    {
        # the gate's page is drawn from the gate's result, which the gate's judgement (advice layer) builds
        ("unstuck.gate.html", "unstuck.gate.result"),
        # MLflow is read (training logs) and written (a report logged back): the writer names the Report type
        ("unstuck.training_log.mlflow_store", "unstuck.findings"),
    }
)

#: Import cycles another change is removing (each as its sorted modules). This list MUST be empty too.
KNOWN_CYCLES: frozenset[tuple[str, ...]] = frozenset()

#: A check module is a leaf: only other checks import it (the registry finds it by name). What two
#: checks and another part share belongs in the context or a helper module, not in a check.
CHECKS = "unstuck.checks"
#: Imports of a check module from outside ``checks/`` that another change is removing. MUST be empty.
KNOWN_CHECK_IMPORTS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line``; ``when`` is ``module`` (at import time),
    ``function`` (inside a function: lazily) or ``types`` (under ``if TYPE_CHECKING:``)."""

    source: str
    target: str
    line: int
    when: str

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line}, {self.when})"


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _lazy_exports(tree: ast.Module) -> dict[str, str]:
    """The package's ``_EXPORTS`` table (name -> module) when it has one."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_EXPORTS" for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, dict)
            return {str(k): str(v) for k, v in value.items()}
    return {}


def _contexts(tree: ast.Module) -> dict[int, str]:
    """For each node id under a function or a TYPE_CHECKING block, which of the two (types wins)."""
    where: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                where.setdefault(id(inner), "function")
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for deeper in ast.walk(inner):
                    where[id(deeper)] = "types"
    return where


def import_edges(root: Path) -> Iterator[Edge]:
    """Every import of one module of the package at ``root`` by another, lazy ones included."""
    modules = module_names(root)
    package = root.name
    exports = _lazy_exports(ast.parse(modules[package].read_text(encoding="utf-8")))
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = _contexts(tree)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = source.split(".") if path.name == "__init__.py" else source.split(".")[:-1]
                    parent = parent[: len(parent) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    if submodule in modules:
                        targets.append(submodule)
                    elif base == package and alias.name in exports:
                        targets.append(exports[alias.name])
                    else:
                        targets.append(base)
            for target in dict.fromkeys(targets):
                if target in modules and target != source:
                    yield Edge(source, target, node.lineno, where.get(id(node), "module"))


def layer_of(module: str) -> str:
    """The layer of ``module``: the longest prefix in :data:`LAYERS` or :data:`BESIDE` that names it."""
    best, length = "", -1
    for layer, prefixes in (*LAYERS, *BESIDE.items()):
        for prefix in prefixes:
            below = module.startswith(prefix + ".") and prefix != PACKAGE  # the package names itself only
            if (module == prefix or below) and len(prefix) > length:
                best, length = layer, len(prefix)
    return best


RANK = {layer: rank for rank, (layer, _) in enumerate(LAYERS)}


def allowed(source: str, target: str) -> bool:
    """Whether ``source`` may import ``target`` under the layer rule."""
    upper, lower = layer_of(source), layer_of(target)
    if upper == lower or (source, target) in DISCOVERY | NOTEBOOK_DISPLAY:
        return True
    if upper in READS_ONLY:
        return lower in READS_ONLY[upper]
    if upper in BESIDE:
        return lower in BESIDE_MAY_IMPORT
    if lower in BESIDE:
        return RANK[upper] >= RANK[BESIDE_USED_FROM]
    return RANK[lower] <= RANK[upper]


def backward_edges(edges: list[Edge]) -> list[Edge]:
    """The edges that break the layer rule (but the types-only imports of :data:`TYPES_ONLY`)."""
    return [
        e
        for e in edges
        if not allowed(e.source, e.target) and not (e.when == "types" and (e.source, e.target) in TYPES_ONLY)
    ]


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The import cycles (strongly connected components of two or more modules), types-only imports left out."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.when != "types":
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return list(import_edges(SOURCE))


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in module_names(SOURCE) if not layer_of(m)]
    assert not unplaced, f"place these modules in a layer of tests/test_layers.py: {unplaced}"


def test_no_import_runs_backwards(edges: list[Edge]) -> None:
    backward = [e for e in backward_edges(edges) if (e.source, e.target) not in KNOWN_BACKWARD]
    assert not backward, "imports that run backwards:\n" + "\n".join(
        f"  {e}: {layer_of(e.source)} -> {layer_of(e.target)}" for e in backward
    )


def test_types_only_exceptions_are_still_needed(edges: list[Edge]) -> None:
    present = {(e.source, e.target) for e in edges if e.when == "types" and not allowed(e.source, e.target)}
    stale = sorted(TYPES_ONLY - present)
    assert not stale, f"these TYPES_ONLY entries are gone; remove them from the list: {stale}"


def test_known_backward_edges_still_exist(edges: list[Edge]) -> None:
    present = {(e.source, e.target) for e in backward_edges(edges)}
    stale = sorted(KNOWN_BACKWARD - present)
    assert not stale, f"these KNOWN_BACKWARD entries are gone; remove them from the list: {stale}"


def test_no_import_cycle(edges: list[Edge]) -> None:
    found = [c for c in cycles(edges) if tuple(c) not in KNOWN_CYCLES]
    assert not found, "import cycles:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


def test_known_cycles_still_exist(edges: list[Edge]) -> None:
    stale = sorted(KNOWN_CYCLES - {tuple(c) for c in cycles(edges)})
    assert not stale, f"these KNOWN_CYCLES entries are gone; remove them from the list: {stale}"


def check_module_imports(edges: list[Edge]) -> list[Edge]:
    """Imports of a check module (``unstuck.checks.<name>``) from outside the checks package."""
    return [
        e
        for e in edges
        if e.target.startswith(CHECKS + ".") and not e.source.startswith(CHECKS + ".") and e.when != "types"
    ]


#: A check's typed result is its public product: the report reads the decomposition's errors and
#: gaps from it, and the terminal renderer the decomposition and the baseline ladder. These
#: imports name the result types only (and the check's module is where the type lives).
RESULT_READERS: frozenset[tuple[str, str]] = frozenset(
    {
        ("unstuck.assembly", "unstuck.checks.decomposition"),
        ("unstuck.render.text", "unstuck.checks.baselines"),
        ("unstuck.render.text", "unstuck.checks.decomposition"),
    }
)


def test_only_checks_import_a_check_module(edges: list[Edge]) -> None:
    allowed = KNOWN_CHECK_IMPORTS | RESULT_READERS
    found = [e for e in check_module_imports(edges) if (e.source, e.target) not in allowed]
    assert not found, (
        "a check module imported from outside checks/ (move what is shared to the context or a helper):\n"
        + ("\n".join(f"  {e}" for e in found))
    )


def test_known_check_imports_still_exist(edges: list[Edge]) -> None:
    stale = sorted(KNOWN_CHECK_IMPORTS - {(e.source, e.target) for e in check_module_imports(edges)})
    assert not stale, f"these KNOWN_CHECK_IMPORTS entries are gone; remove them from the list: {stale}"


def _planted(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "unstuck"
    for name, text in {"__init__.py": "_EXPORTS = {'diagnose': 'unstuck.pipeline'}\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_scan_sees_lazy_relative_facade_and_type_imports(tmp_path: Path) -> None:
    root = _planted(
        tmp_path,
        {
            "checks/__init__.py": "",
            "checks/labels.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from unstuck.advice import rank\n"
                "def f():\n    from unstuck import diagnose\n    return diagnose\n"
                "from ..metrics import accuracy\n"
            ),
            "pipeline.py": "import unstuck.checks.labels\n",
            "advice.py": "",
            "metrics.py": "",
        },
    )
    found = {(e.source, e.target, e.when) for e in import_edges(root)}
    assert found == {
        ("unstuck.checks.labels", "unstuck.advice", "types"),
        ("unstuck.checks.labels", "unstuck.pipeline", "function"),
        ("unstuck.checks.labels", "unstuck.metrics", "module"),
        ("unstuck.pipeline", "unstuck.checks.labels", "module"),
    }
    backward = {(e.source, e.target) for e in backward_edges(list(import_edges(root)))}
    assert backward == {("unstuck.checks.labels", "unstuck.pipeline"), ("unstuck.checks.labels", "unstuck.advice")}
    assert cycles(list(import_edges(root))) == [["unstuck.checks.labels", "unstuck.pipeline"]]
    assert [(e.source, e.target) for e in check_module_imports(list(import_edges(root)))] == [
        ("unstuck.pipeline", "unstuck.checks.labels")
    ]


def test_the_layer_rule_on_planted_pairs() -> None:
    assert allowed("unstuck.checks.labels", "unstuck.context")
    assert not allowed("unstuck.context", "unstuck.checks.slices")
    assert allowed("unstuck.ledger.coverage", "unstuck.findings")
    assert not allowed("unstuck.ledger.views", "unstuck.plan")
    assert allowed("unstuck.layer_decision", "unstuck.plan")
    assert not allowed("unstuck.checks.labels", "unstuck.ledger.store")
    assert allowed("unstuck.cli.ledger", "unstuck.ledger.store")
    assert not allowed("unstuck.cost.report", "unstuck.ledger.record")
    assert layer_of("unstuck.gate.html") == "render"
    assert layer_of("unstuck.gate.result") == "advice"
    assert layer_of("unstuck") == "inputs" and layer_of("unstuck.not_placed") == ""
    assert allowed("unstuck.render.layout", "unstuck.registry")  # a check's declared view, by name
    assert not allowed("unstuck.render.html", "unstuck.pipeline")  # a renderer never runs the diagnosis
    assert not allowed("unstuck.render.text", "unstuck.advice")
    assert allowed("unstuck.render.html", "unstuck.findings")
    assert allowed("unstuck.registry", "unstuck.checks")
    assert not allowed("unstuck.registry", "unstuck.checks.slices")
