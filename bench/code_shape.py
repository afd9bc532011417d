"""The shape of the code: function sizes, long modules, import cycles, imports of the shell.

    python bench/code_shape.py            # a report; exit 1 on a violation
    python bench/code_shape.py --json     # the same figures as JSON

Function size is `end_lineno - lineno + 1` of every `def` and `async def` (nested ones and methods
included, decorators not). Violations, which fail `make test`: a module over MAX_LINES lines, an
import cycle among our modules (imports inside functions count; `if TYPE_CHECKING:` ones do not),
an import of the application shell (`radar.*` other than `radar.core`) from a work package, and a
module directly under `radar` that the layers contract does not name (it would go unchecked).
The layers themselves are import-linter's contracts in pyproject.toml (`lint-imports`).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import statistics
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("radar", "crawlers", "enrich", "search")
WORK = ("crawlers", "enrich", "search")
CORE = "radar.core"
MAX_LINES = 400


@dataclass
class Shape:
    functions: int
    median: float
    p90: float
    long_modules: dict[str, int] = field(default_factory=dict)
    cycles: list[list[str]] = field(default_factory=list)
    shell_imports: list[str] = field(default_factory=list)
    unlayered: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.long_modules or self.cycles or self.shell_imports or self.unlayered)


def python_files(root: Path, packages: Iterable[str]) -> Iterator[Path]:
    for package in packages:
        yield from sorted((root / package).rglob("*.py"))


def function_sizes(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def line_count(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def percentile(values: list[int], share: float) -> float:
    """The `share` quantile (nearest rank, as the project's earlier figures were taken)."""
    ordered = sorted(values)
    return float(ordered[max(0, round(share * len(ordered)) - 1)]) if ordered else 0.0


def import_edges(graph: Any) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports directly, from a grimp graph."""
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle: the strongly connected groups of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = _pop_group(stack, node)
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(cycles)


def _pop_group(stack: list[str], root: str) -> list[str]:
    group = []
    while True:
        node = stack.pop()
        group.append(node)
        if node == root:
            return group


def shell_imports(edges: dict[str, set[str]]) -> list[str]:
    """`importer -> imported` for every import of `radar.*` (not the core) by a work package."""
    return sorted(
        f"{src} -> {dst}"
        for src, targets in edges.items()
        if src.split(".")[0] in WORK
        for dst in targets
        if _is_shell(dst)
    )


def _is_shell(module: str) -> bool:
    return module.startswith("radar") and not (module == CORE or module.startswith(CORE + "."))


def unlayered(modules: Iterable[str], layers: Iterable[str]) -> list[str]:
    """Modules directly under `radar` that no layer of the layers contract names."""
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    children = {".".join(m.split(".")[:2]) for m in modules if m.startswith("radar.")}
    return sorted(children - named)


def contract_layers(root: Path = ROOT) -> list[str]:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return [layer for c in contracts if c["type"] == "layers" for layer in c["layers"]]


def build_edges(packages: Iterable[str]) -> dict[str, set[str]]:
    import grimp  # installed with import-linter (the dev extra)

    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    return import_edges(graph)


def measure(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> Shape:
    files = list(python_files(root, packages))
    sizes = [n for path in files for n in function_sizes(path)]
    lines = {str(path.relative_to(root)): line_count(path) for path in files}
    edges = build_edges(packages)
    return Shape(
        functions=len(sizes),
        median=statistics.median(sizes) if sizes else 0.0,
        p90=percentile(sizes, 0.9),
        long_modules={name: n for name, n in sorted(lines.items()) if n > MAX_LINES},
        cycles=find_cycles(edges),
        shell_imports=shell_imports(edges),
        unlayered=unlayered(edges, contract_layers(root)),
    )


def report(shape: Shape) -> str:
    lines = [
        f"functions: {shape.functions}, median {shape.median:g} lines, p90 {shape.p90:g}",
        f"modules over {MAX_LINES} lines: {len(shape.long_modules)}",
        *(f"  {name}: {n}" for name, n in shape.long_modules.items()),
        f"import cycles: {len(shape.cycles)}",
        *(f"  {' <-> '.join(group)}" for group in shape.cycles),
        f"imports of the application shell from {', '.join(WORK)}: {len(shape.shell_imports)}",
        *(f"  {edge}" for edge in shape.shell_imports),
        f"modules of radar in no layer of the import contract: {len(shape.unlayered)}",
        *(f"  {name}" for name in shape.unlayered),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    shape = measure()
    print(json.dumps(asdict(shape), indent=2) if args.json else report(shape))
    return 1 if shape.failed else 0


if __name__ == "__main__":
    sys.exit(main())
