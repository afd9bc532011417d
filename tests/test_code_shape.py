"""bench/code_shape.py: cycles found on a tiny fake package, shell imports, function sizes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shape() -> ModuleType:
    spec = importlib.util.spec_from_file_location("code_shape", ROOT / "bench" / "code_shape.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["code_shape"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for module, text in files.items():
        (root / name / f"{module}.py").write_text(text)


def test_a_cycle_through_a_lazy_import_is_found(
    shape: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path, "fakepkg", {
        "a": "from fakepkg import b\n",
        "b": "def f():\n    from fakepkg import c\n",
        "c": "import fakepkg.a\n",
        "d": "import fakepkg.a\n",  # imports into the cycle, is not part of it
        "e": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import fakepkg.d\n",
    })  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    edges = shape.build_edges(["fakepkg"])
    assert shape.find_cycles(edges) == [["fakepkg.a", "fakepkg.b", "fakepkg.c"]]


def test_no_cycle_and_two_separate_cycles(shape: ModuleType) -> None:
    assert shape.find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    edges = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c", "a"}}
    assert shape.find_cycles(edges) == [["a", "b"], ["c", "d"]]


def test_work_packages_may_import_only_the_core_of_radar(shape: ModuleType) -> None:
    edges = {
        "crawlers.x": {"radar.core.errors", "radar.store", "enrich.base"},
        "search.y": {"radar.core", "radar.alerts"},
        "radar.cli.base": {"radar.store"},
    }
    assert shape.shell_imports(edges) == ["crawlers.x -> radar.store", "search.y -> radar.alerts"]


def test_function_sizes_count_def_to_last_line(shape: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(
        "@dec\ndef f():\n    x = 1\n    return x\n\nclass C:\n    async def g(self):\n        pass\n"
    )
    assert sorted(shape.function_sizes(path)) == [2, 3]
    assert shape.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9.0


def test_a_radar_module_outside_every_layer_is_reported(shape: ModuleType) -> None:
    modules = ["radar", "radar.cli.base", "radar.core.errors", "radar.newthing", "search.base"]
    layers = ["radar.cli : radar.web", "radar.daily", "search | radar.store", "radar.core"]
    assert shape.unlayered(modules, layers) == ["radar.newthing"]
    assert "radar.services" in "".join(shape.contract_layers())  # read from pyproject.toml
