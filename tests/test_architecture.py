"""Every write goes through a service: no module outside the writers saves, deletes
or bulk-writes rows of the domain."""

import ast
from pathlib import Path

import claims
import devtools

ROOT = Path(claims.__file__).parent
#: Every tree of application code: the domain and its rooms, the developer tools.
TREES = [ROOT, Path(devtools.__file__).parent]
#: The modules allowed to write rows: the services, and the bulk paths that write
#: their history with the bulk helpers (import, corpus, archive restore, seed).
WRITERS = {
    "services.py",
    "bundle.py",
    "corpus.py",
    "archive.py",
    "seed.py",
    "bulk_history.py",
    "history.py",
    "permissions.py",  # the auth groups and their permissions, not domain rows
}
WRITE_CALLS = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
#: Calls whose receiver is a queryset or manager (``Claim.objects.create``, ...).
QUERYSET_WRITES = {"create", "update"}


def writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = ast.unparse(node.func.value)
        if receiver == "cache" or receiver.endswith(".cache"):
            continue  # the cache, not a row
        name = node.func.attr
        if name in WRITE_CALLS or (
            name in QUERYSET_WRITES
            and any(word in receiver for word in ("objects", "_manager", "filter("))
        ):
            found.append(
                f"{path.relative_to(ROOT.parent)}:{node.lineno} {receiver}.{name}"
            )
    return found


def domain_modules() -> list[Path]:
    return [
        path
        for tree in TREES
        for path in sorted(tree.rglob("*.py"))
        if "migrations" not in path.parts
        and "management" not in path.parts
        and path.name not in WRITERS
        and path.parent.name != "models"
    ]


def test_no_module_but_the_services_and_bulk_paths_writes_rows():
    modules = domain_modules()
    assert any(path.name == "admin.py" for path in modules)
    assert any(path.parts[-2:] == ("api", "views.py") for path in modules)
    found = [write for path in modules for write in writes_in(path)]
    assert found == []


def test_the_scan_finds_the_writes_of_the_services():
    found = writes_in(ROOT / "services.py")
    assert any(".save" in write for write in found)
    assert any(".delete" in write for write in found)
