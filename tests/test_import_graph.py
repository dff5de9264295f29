"""The import graph of ``toolkit``: workflows above the stages, no cycles, no private imports across stages.

Read from the source (``ast``), not by importing, so every import counts: module level or inside a function
(a lazy import still ties two stages together), and every string naming a toolkit module (the maps of
``toolkit.lazy.lazy_exports``, the command modules ``toolkit.cli`` loads with importlib).

Units:

* a stage: a subpackage of ``toolkit`` (forms, entry, ingest, store, text, topics, agenda, brief, sample);
  its public names are what its ``__init__`` exports (``__all__``, the ``_EXPORTS`` map, names it imports);
* a shared module: a top-level module (tables, errors, office, outputs, …);
* the layer above: ``toolkit/__init__`` (lazy re-exports), ``toolkit.workflows`` (runs that fit and render
  across stages) and the command line: ``toolkit.cli``, ``toolkit.demo`` and each stage's ``commands``
  module (a stage's CLI adapter; it may use its own stage's modules, and calls workflows).

A package may keep an old public name working after it moved (a run up into ``toolkit.workflows``, the fake
platform exports from ingest to sample) by listing it in ``_MOVED`` (``toolkit.lazy.lazy_exports(..., moved=)``):
the name resolves with a FutureWarning and the package's own code never calls it, so it is not counted as an
import; test_moved_names_warn checks each one resolves, warns, and would close no cycle if it were counted.
"""

from __future__ import annotations

import ast
import functools
import graphlib
import importlib
import warnings
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "toolkit"
STAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())
ABOVE = {"toolkit", "workflows", "cli", "demo"}
# Shared modules that sit above a stage, and why; any other shared module importing a stage is an offender.
SHARED_USES = {
    "messages": {"text", "store"},  # a message is normalised and masked text; messages are read from a store
    "outputs": {"text"},  # every written cell is masked with the text stage's personal-data detector
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _unit(module: str) -> str:
    """Stage name, shared module name, or one of ABOVE."""
    parts = module.split(".")
    return "toolkit" if len(parts) == 1 else parts[1]


def _layer(module: str) -> str:
    """The node of the cycle check: a stage's ``commands`` module belongs to the command line."""
    parts = module.split(".")
    if len(parts) == 3 and parts[1] in STAGES and parts[2] == "commands":
        return "cli"
    return "cli" if _unit(module) == "demo" else _unit(module)


def _moved_strings(tree: ast.AST) -> set[int]:
    """ids of the string nodes inside ``_MOVED = {...}`` (deprecated aliases, not edges)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_MOVED" for t in node.targets):
            skip |= {id(n) for n in ast.walk(node.value)}
    return skip


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) of every import in ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    moved = _moved_strings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*head, base] if base else head)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                # `from toolkit import tables` imports a module; `from toolkit.text import normalize` a function
                is_module = sub in MODULES and not (_unit(base) in STAGES and alias.name in _public(_unit(base)))
                found.append((sub, None, node.lineno) if is_module else (base, alias.name, node.lineno))
        elif isinstance(node, ast.Constant) and node.value in MODULES and id(node) not in moved:
            found.append((node.value, None, node.lineno))
    return [f for f in found if f[0] == "toolkit" or f[0].startswith("toolkit.")]


@functools.cache
def _public(stage: str) -> set[str]:
    """Names ``toolkit.<stage>`` exports: ``__all__``, keys of ``_EXPORTS`` and names its ``__init__`` binds."""
    tree = ast.parse(MODULES[f"toolkit.{stage}"].read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = {getattr(t, "id", None) for t in node.targets}
            if targets & {"__all__", "_EXPORTS"}:
                names |= {n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return {n for n in names if isinstance(n, str) and not n.startswith("_")}


EDGES = [(m, *imp) for m in sorted(MODULES) for imp in _imports(m)]


def _private_imports() -> list[str]:
    public = {stage: _public(stage) for stage in STAGES}
    offenders = []
    for module, target, name, line in EDGES:
        source, stage = _unit(module), _unit(target)
        if stage not in STAGES or source == stage:
            continue
        if module == "toolkit.cli" and target == f"toolkit.{stage}.commands":
            continue  # the command line's plug-in interface: each stage's register(subparsers)
        if target != f"toolkit.{stage}" or (name is not None and name not in public[stage]):
            offenders.append(
                f"{MODULES[module].relative_to(ROOT.parent)}:{line} imports {target}{'.' + name if name else ''}"
            )
    return offenders


def test_no_stage_imports_another_stages_private_module():
    offenders = _private_imports()
    print("\n".join(offenders))
    assert not offenders, "private imports across stages (export the name in the stage's __init__):\n" + "\n".join(
        offenders
    )


def _graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module, target, _, _ in EDGES:
        a, b = _layer(module), _layer(target)
        if a != b:
            graph[a].add(b)
    return graph


def test_no_cycle_between_stages():
    graph = _graph()
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        cycle = err.args[1]
        sites = [
            f"{MODULES[m].relative_to(ROOT.parent)}:{line} -> {t}"
            for m, t, _, line in EDGES
            if any(_layer(m) == a and _layer(t) == b for a, b in zip(cycle, cycle[1:]))
        ]
        pytest.fail("import cycle " + " -> ".join(cycle) + ":\n" + "\n".join(sites))
    # the check sees the real graph: workflows sit above the stages they run, which sit above text
    assert order.index("text") < order.index("topics") < order.index("workflows") < order.index("cli")
    assert {"agenda", "brief", "topics"} <= graph["workflows"]


def test_stages_and_shared_modules_do_not_import_the_layer_above():
    offenders = [
        f"{MODULES[m].relative_to(ROOT.parent)}:{line} imports {t}"
        for m, t, _, line in EDGES
        if _layer(m) not in ABOVE and _layer(t) in ABOVE
    ]
    assert not offenders, "\n".join(offenders)


def test_shared_modules_import_no_stage():
    offenders = [
        f"{MODULES[m].relative_to(ROOT.parent)}:{line} imports {t}"
        for m, t, _, line in EDGES
        if _unit(m) not in STAGES
        and _unit(m) not in ABOVE
        and _unit(t) in STAGES
        and _unit(t) not in SHARED_USES.get(_unit(m), ())
    ]
    assert not offenders, "shared modules must not depend on a stage:\n" + "\n".join(offenders)


def _moved() -> list[tuple[str, str, str]]:
    """(package, name, new module) of every deprecated alias declared in a ``_MOVED`` map."""
    found = []
    for module, path in MODULES.items():
        if path.name != "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_MOVED" for t in node.targets):
                found += [(module, k.value, v.value) for k, v in zip(node.value.keys, node.value.values)]
    return found


@pytest.mark.parametrize("package,name,target", _moved())
def test_moved_names_warn(package, name, target):
    module = importlib.import_module(package)
    vars(module).pop(name, None)  # resolve afresh even if another test used the alias
    with pytest.warns(FutureWarning, match=f"{package}.{name}"):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(target), name)
    users = [f"{m}:{line}" for m, t, n, line in EDGES if (t, n) == (package, name)]
    assert not users, f"toolkit's own code still uses the old name {package}.{name}: {users}"
    if _layer(target) not in ABOVE:  # a name moved sideways, counted as an import, closes no cycle either
        graph = _graph()
        graph[_layer(package)].add(_layer(target))
        graphlib.TopologicalSorter(graph).prepare()


def test_old_names_of_moved_runs_still_work():
    """Notebooks written before the move still run: ``from toolkit.agenda import rank_file`` and friends."""
    import toolkit
    import toolkit.workflows as workflows

    assert {("toolkit.agenda", "rank_file"), ("toolkit.brief", "build_brief")} <= {(p, n) for p, n, _ in _moved()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from toolkit.agenda import rank_file
        from toolkit.brief import build_brief
        from toolkit.demo import run_demo
    assert (rank_file, build_brief, run_demo) == (workflows.rank_file, workflows.build_brief, workflows.run_demo)
    assert (toolkit.rank_file, toolkit.build_brief, toolkit.run_demo) == (rank_file, build_brief, run_demo)
