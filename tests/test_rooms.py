"""The rooms of the code (docs/architecture.md) and the one rule between them: no
module imports from a room above its own, and the API and the pages, side by side,
never import each other."""

import ast
from pathlib import Path

import pytest

import claims
import devtools

ROOT = Path(claims.__file__).parent.parent

#: Each room, by the package that holds it, with its floor: a module may import a
#: room whose floor is lower than its own, or its own room.
ROOMS = {
    "claims": 0,  # the domain
    "claims.exchange": 1,  # bundle import, archive, intake and export formats
    "claims.api": 2,  # the REST API
    "claims.web": 2,  # the reviewer pages
    "devtools": 3,  # corpus generator, benchmark, soak
}


def room_of(module: str) -> str | None:
    """The room of a dotted module name: the longest room package holding it."""
    found = None
    for room in ROOMS:
        if module == room or module.startswith(f"{room}."):
            if found is None or len(room) > len(found):
                found = room
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, text: str) -> list[tuple[int, str]]:
    """Every module that ``text``, the source of ``path``, imports, at any depth
    (imports inside functions too), relative imports made absolute."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from claims import web`` names a room by its attribute.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def application_modules() -> list[Path]:
    return [
        path
        for tree in (Path(claims.__file__).parent, Path(devtools.__file__).parent)
        for path in sorted(tree.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def violations(path: Path, text: str | None = None) -> list[str]:
    own = room_of(module_name(path))
    found = []
    text = path.read_text() if text is None else text
    for line, target in imports_of(path, text):
        other = room_of(target)
        if other is None or other == own:
            continue
        if ROOMS[other] >= ROOMS[own]:
            found.append(f"{path.relative_to(ROOT)}:{line} imports {target} ({other})")
    return sorted(set(found))


def test_every_module_of_the_application_is_in_a_room():
    modules = application_modules()
    assert len(modules) > 40
    assert all(room_of(module_name(path)) for path in modules)
    rooms = {room_of(module_name(path)) for path in modules}
    assert rooms == set(ROOMS)


def test_no_module_imports_from_a_room_above_its_own():
    found = [v for path in application_modules() for v in violations(path)]
    assert found == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("claims/selectors.py", "from claims.api import serializers", "claims.api"),
        ("claims/selectors.py", "from claims.web.charts import axis_for", "claims.web"),
        ("claims/models/claims.py", "from claims import web", "claims.web"),
        ("claims/services.py", "import claims.exchange.bundle", "claims.exchange"),
        ("claims/web/views.py", "from claims.api.permissions import x", "claims.api"),
        ("claims/api/views.py", "from ..web import presentation", "claims.web"),
        ("claims/exchange/bundle.py", "from claims.web import forms", "claims.web"),
        ("claims/search.py", "def f():\n    from devtools import corpus", "devtools"),
    ],
)
def test_the_walk_finds_an_import_from_a_room_above(module, source, expected):
    path = ROOT / module
    found = violations(path, f"{path.read_text()}\n{source}\n")
    assert any(f"({expected})" in v for v in found), found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("claims/web/views.py", "from claims import selectors"),
        ("claims/api/views.py", "from claims.exchange import bundle"),
        ("devtools/corpus.py", "from claims.api import serializers"),
        ("claims/exchange/archive.py", "from claims.models import Claim"),
    ],
)
def test_the_walk_lets_a_room_import_the_rooms_below(module, source):
    path = ROOT / module
    assert violations(path, f"{path.read_text()}\n{source}\n") == []
