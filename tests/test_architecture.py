"""The layers of `src/barberbot`, read from the source: no import cycles, nothing imports upward.

`core` is the bottom (settings, database, HTTP plumbing), `models` sits on it, the features
(auth, shops, forms, inquiries, streaming, analytics, customers, campaigns, ...) on both and on
each other without a cycle, and the edges (`web`, `dashboard`, `cli`, `app`, `__main__`) on top.

The graph is built from every module's AST: `import barberbot.x` and `from barberbot.x import y`
wherever they are, at module level, inside functions (an import moved into a function to dodge
a cycle is still the same dependency) and under `if TYPE_CHECKING:` (a type-only import is
still a dependency of the design: the two modules cannot be understood, or split, apart), and
`"barberbot.x:y"` strings, the way uvicorn is given an app factory.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "barberbot"
ROOT = "barberbot"  # the top-level `barberbot/__init__.py` (the version), a node of its own

CORE = "core"
MODELS = "models"
MIGRATIONS = "migrations"
EDGES = frozenset({"web", "dashboard", "cli", "app", "__main__"})

# Package-level imports allowed to close a cycle, each waiting for the change that removes it,
# e.g. ("inquiries", "streaming") until the one capture pipeline of issue 15 took the outbox out
# of inquiries/intake.py. Delete an entry once its import is gone (the test below insists): the
# test then holds the line for good.
PENDING: set[tuple[str, str]] = set()

_ENTRY_POINT = re.compile(r"^barberbot(?:\.\w+)+:\w+$")

Edge = tuple[str, str]  # (importing module, imported module), dotted names


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str:
    """The module a dotted name lives in: `barberbot.models.Shop` is `barberbot.models`."""
    while name not in modules() and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _imported(module: str, node: ast.AST) -> Iterator[str]:
    """The barberbot modules one AST node imports, resolved to modules."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from the importing module's package
            is_package = modules()[module].name == "__init__.py"
            parts = module.split(".")[: len(module.split(".")) - node.level + is_package]
            base = ".".join([*parts, base] if base else parts)
        names = [f"{base}.{alias.name}" for alias in node.names]
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        names = [node.value.split(":")[0]] if _ENTRY_POINT.match(node.value) else []
    else:
        return
    for name in names:
        if name == ROOT or name.startswith(ROOT + "."):
            yield _resolve(name)


@cache
def module_edges() -> frozenset[Edge]:
    found: set[Edge] = set()
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            found.update((module, target) for target in _imported(module, node) if target != module)
    return frozenset(found)


def package_of(module: str) -> str:
    """The top-level package (or module: `app`, `cli`) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def package_edges() -> dict[Edge, list[Edge]]:
    """(package, package) -> the module imports that make it."""
    found: dict[Edge, list[Edge]] = {}
    for source, target in sorted(module_edges()):
        pair = (package_of(source), package_of(target))
        if pair[0] != pair[1]:
            found.setdefault(pair, []).append((source, target))
    return found


def cycles(edges: Iterable[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _imports(pair: Edge, imports: list[Edge], most: int = 3) -> str:
    """`a -> b: a.x imports b.y, ...`, the first few of them."""
    shown = [
        f"{s.removeprefix(ROOT + '.')} imports {t.removeprefix(ROOT + '.')}" for s, t in imports
    ]
    more = f" (and {len(shown) - most} more)" if len(shown) > most else ""
    return f"    {pair[0]} -> {pair[1]}: " + ", ".join(shown[:most]) + more


def _explain(components: list[list[str]], edges: dict[Edge, list[Edge]]) -> str:
    """Each cycle with the imports inside it, for the failure message."""
    lines = []
    for component in components:
        lines.append(" <-> ".join(component))
        lines += [
            _imports(pair, imports)
            for pair, imports in sorted(edges.items())
            if pair[0] in component and pair[1] in component
        ]
    return "\n".join(lines)


def _breaking(rule: str, pairs: dict[Edge, list[Edge]]) -> str:
    return "\n".join([rule, *(_imports(pair, imports) for pair, imports in sorted(pairs.items()))])


def test_the_graph_sees_every_kind_of_import() -> None:
    """The reader itself: imports inside functions, type-only ones and entry-point strings."""
    edges = module_edges()

    assert ("barberbot.__main__", "barberbot.cli") in edges  # module level
    assert ("barberbot.cli", "barberbot.app") in edges  # "barberbot.app:create_app"
    assert ("barberbot.app", ROOT) in edges  # from barberbot import __version__
    assert len(modules()) > 100


def test_no_package_import_cycle() -> None:
    edges = {pair: imports for pair, imports in package_edges().items() if pair not in PENDING}
    found = cycles(edges)
    assert not found, "packages import each other in a cycle:\n" + _explain(found, edges)


def test_pending_exceptions_are_still_needed() -> None:
    """An allowed import that is gone must leave `PENDING`, so it cannot come back unseen."""
    assert set(PENDING) <= set(package_edges()), set(PENDING) - set(package_edges())


def test_no_module_import_cycle() -> None:
    """Within a package too: two modules that need each other are one module, or a third."""
    found = cycles(module_edges())
    explained = "\n".join(" <-> ".join(component) for component in found)
    assert not found, "modules import each other in a cycle:\n" + explained


def test_core_imports_nothing_above_it() -> None:
    upward = {(a, b): i for (a, b), i in package_edges().items() if a == CORE}
    assert not upward, _breaking("core imports only core:", upward)


def test_models_import_only_core() -> None:
    upward = {(a, b): i for (a, b), i in package_edges().items() if a == MODELS and b != CORE}
    assert not upward, _breaking("models import only core:", upward)


def test_features_import_no_edge() -> None:
    upward = {
        (a, b): i
        for (a, b), i in package_edges().items()
        if a not in EDGES and a != ROOT and b in EDGES
    }
    assert not upward, _breaking("only an edge imports an edge:", upward)


def test_migrations_import_no_feature() -> None:
    """A migration is frozen: it may use the database plumbing and the models' column types,
    never the live code of a feature, which changes after it (and with it the migration)."""
    wrong = {
        (a, b): i
        for (a, b), i in package_edges().items()
        if a == MIGRATIONS and b not in (CORE, MODELS)
    }
    assert not wrong, _breaking("migrations import only core and models:", wrong)


def test_nothing_imports_the_migrations() -> None:
    users = {(a, b): i for (a, b), i in package_edges().items() if b == MIGRATIONS}
    assert not users, _breaking("migrations are run by Alembic, never imported:", users)
