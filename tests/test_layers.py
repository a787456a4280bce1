"""The house as drawn: which room of harmreport/ may import which (each room's __init__.py says
so in words), no import running the other way, and no cycle between modules."""

import ast
from pathlib import Path

from harmreport.project import paths

PACKAGE = paths.ROOT / "harmreport"
# Each room, and the rooms below it that it may import; the command line is on top.
ALLOWED = {
    "project": set(),
    "intake": {"project"},
    "analysis": {"intake", "project"},
    "notebooks": {"project"},
    "outputs": {"analysis", "intake", "project"},
    "check": {"analysis", "project"},
    "publishing": {"analysis", "outputs", "project"},
    "foi": {"intake", "project"},
    "pipeline": {
        "analysis",
        "check",
        "foi",
        "intake",
        "notebooks",
        "outputs",
        "project",
        "publishing",
    },
    "cli": {"foi", "pipeline", "project"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(paths.ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every harmreport module `path` imports, at its top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return {m for m in found if m.startswith("harmreport.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imported(path) & set(modules) - {name} for name, path in modules.items()}


def room(module: str) -> str:
    return module.split(".")[1]


def test_every_module_is_in_a_room_that_says_what_it_may_import():
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "cli.py"}
    rooms = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert rooms == set(ALLOWED) - {"cli"}
    for name in rooms:
        init = ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8"))
        docstring = ast.get_docstring(init)
        assert docstring and len(init.body) == 1, f"{name}/__init__.py: a docstring, no code"
        below = ALLOWED[name] if name != "pipeline" else {"every room"}
        for other in below or {"nothing else"}:
            assert other in " ".join(docstring.split()), f"{name}/__init__.py names {other}"


def test_no_import_runs_up_or_across_the_rooms():
    wrong = [
        f"{module} imports {other}"
        for module, imports in sorted(graph().items())
        if module != "harmreport"
        for other in sorted(imports)
        if room(other) != room(module) and room(other) not in ALLOWED[room(module)]
    ]
    assert wrong == []


def test_no_module_imports_itself_round_a_cycle():
    edges, cycles = graph(), []

    def visit(module, trail):
        for other in sorted(edges[module]):
            if other in trail:
                cycles.append(" -> ".join([*trail[trail.index(other) :], other]))
            elif other not in done:
                visit(other, [*trail, other])
        done.add(module)

    done = set()
    for module in sorted(edges):
        if module not in done:
            visit(module, [module])
    assert cycles == []
