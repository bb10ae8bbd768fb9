"""The product's imports run one way: pages → ui → explorer, with no circle anywhere (imports inside functions
count too: a lazy import only hides a circle), and explorer/ never imports Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("explorer", "ui", "deploy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    files = [ROOT / "app.py", *ROOT.glob("pages/*.py")]
    for package in PACKAGES:
        files += ROOT.glob(f"{package}/**/*.py")
    return {module_name(path): path for path in files}


def imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The product modules ``path`` imports (``from ui import server`` names the submodule ui.server)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {module for module in found if module in modules and module != name}


def graph() -> dict[str, set[str]]:
    modules = product_modules()
    return {name: imports(path, name, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_in_the_product():
    edges = graph()
    assert len(edges) > 60 and "ui.i18n" in edges["ui"]  # the walk sees the product, lazy imports included
    assert cycles(edges) == []


def test_imports_run_one_way():
    for name, targets in graph().items():
        if name.startswith("explorer"):
            assert not {t for t in targets if not t.startswith("explorer")}, name
        if name.startswith("ui"):
            assert not {t for t in targets if t.startswith("pages") or t == "app"}, name


def test_explorer_never_imports_streamlit():
    for name, path in product_modules().items():
        if name.startswith("explorer"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            assert not {n for n in names if n.split(".")[0] == "streamlit"}, name


def test_explorer_keeps_its_plan_in_sub_packages():
    """A newcomer reads explorer/ as a few sub-packages by idea (docs/design.md), not a heap of modules."""
    top = sorted(p.stem for p in (ROOT / "explorer").glob("*.py") if p.stem not in ("__init__", "__main__"))
    packages = sorted(p.parent.name for p in (ROOT / "explorer").glob("*/__init__.py"))
    assert len(top) <= 12, top
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert all(f"  {package}/" in design for package in packages), packages  # each one explained there
