"""Import rules checked on the source, beside import-linter: the pool, the runs, the cluster's pool and
settings use Qt Core only, the app never imports torch, and the modules the app shares with the worker
(protocol, text chunker) stay standard-library only."""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "localclip"
PROTOCOL = ROOT / "worker_env" / "localclip_worker" / "protocol.py"
TEXT_CHUNKS = ROOT / "worker_env" / "localclip_worker" / "text_chunks.py"
SHARED_WITH_THE_APP = [PROTOCOL, TEXT_CHUNKS]  # worker modules the app imports too
QT_CORE_ONLY = [
    *sorted((APP / "pool").rglob("*.py")),
    *sorted((APP / "runs").rglob("*.py")),
    APP / "cluster" / "pool.py",
    APP / "settings.py",
]
HEAVY = {"torch", "torchaudio"}


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """(module, line) for every absolute import in ``path``, at any depth; ``from a import b`` gives
    ``a.b`` (b may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the package itself
                yield "." * node.level + (node.module or ""), node.lineno
                continue
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def dynamic_imports(path: Path) -> Iterator[tuple[str, int]]:
    """(module, line) for ``importlib.import_module("x")`` and ``__import__("x")`` with a literal name."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            yield node.args[0].value, node.lineno


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_the_files_are_found() -> None:
    assert APP / "pool" / "pool.py" in QT_CORE_ONLY
    assert (APP / "settings.py").is_file()
    assert all(path.is_file() for path in SHARED_WITH_THE_APP)


@pytest.mark.parametrize("path", QT_CORE_ONLY, ids=lambda p: str(p.relative_to(ROOT)))
def test_pool_runs_and_settings_use_qt_core_only(path: Path) -> None:
    bad = [
        f"{where(path, line)} imports {module}"
        for module, line in imported_modules(path)
        if module.split(".")[0] == "PySide6" and module.split(".")[:2] != ["PySide6", "QtCore"]
    ]
    assert not bad, "\n".join(bad)


def test_the_qt_rule_catches_other_modules(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from PySide6.QtCore import QObject\n"
        "from PySide6 import QtCore\n"
        "import PySide6.QtCore\n"
        "def f():\n"
        "    from PySide6 import QtCore, QtWidgets\n"
        "    import PySide6.QtGui as gui\n"
        "    from PySide6.QtMultimedia import QMediaPlayer\n"
        "    import PySide6\n",
        encoding="utf-8",
    )
    modules = [m for m, _ in imported_modules(sample) if m.split(".")[:2] != ["PySide6", "QtCore"]]
    assert modules == ["PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtMultimedia.QMediaPlayer", "PySide6"]


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_never_imports_torch(path: Path) -> None:
    found = [*imported_modules(path), *dynamic_imports(path)]
    bad = [f"{where(path, line)} imports {module}" for module, line in found if module.split(".")[0] in HEAVY]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", SHARED_WITH_THE_APP, ids=lambda p: p.name)
def test_the_modules_shared_with_the_app_are_standard_library_only(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    found = [*imported_modules(path), *dynamic_imports(path)]
    assert found, f"expected some imports in {path.name}"
    bad = [
        f"{where(path, line)} imports {module}"
        for module, line in found
        if module.split(".")[0] not in allowed
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", ["localclip", "localclip_worker"])
def test_no_module_imports_itself_through_others(package: str) -> None:
    """No import loops, TYPE_CHECKING and function-level imports included (grimp sees them all)."""
    import grimp  # import-linter's graph builder

    graph = grimp.build_graph(package)
    loops = sorted(
        {
            tuple(sorted((module, imported)))
            for module in graph.modules
            for imported in graph.find_modules_directly_imported_by(module)
            if graph.chain_exists(importer=imported, imported=module)
        }
    )
    assert not loops, loops
