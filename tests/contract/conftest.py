"""The backend contract: every search backend must pass `test_backend_contract.py`.

Add a backend by adding a factory to FACTORIES (and its name to BACKENDS); a factory takes
pytest's tmp_path and returns a fresh, empty backend, or calls `pytest.skip` where it cannot run.
After `index()` or `delete()` returns, the change must be visible to the next search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from search.base import SearchBackend


def _sqlite(tmp_path: Path) -> SearchBackend:
    from radar.core.settings import Settings
    from search import get_backend

    settings = Settings({"data_dir": str(tmp_path)}, env={})
    return get_backend(settings, store_path=tmp_path / "radar.db")


from tests.contract.es_fixture import make_es_backend, make_os_backend  # noqa: E402

FACTORIES: dict[str, Callable[[Path], SearchBackend]] = {
    "sqlite": _sqlite,
    "elasticsearch": make_es_backend,
    "opensearch": make_os_backend,
}
BACKENDS = ["sqlite", "elasticsearch", "opensearch"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    made = FACTORIES[request.param](tmp_path)
    try:
        yield made
    finally:
        made.close()


# -- per engine: tests run, passed, skipped, with the engine's own version string ---------------
_OUTCOMES: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    engine = next((b for b in BACKENDS if f"[{b}" in report.nodeid), None)
    if engine and (report.when == "call" or report.outcome != "passed"):
        counts = _OUTCOMES.setdefault(engine, {"passed": 0, "failed": 0, "skipped": 0})
        counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.contract.es_fixture import engine_version

    for engine, counts in sorted(_OUTCOMES.items()):
        run = sum(counts.values())
        terminalreporter.write_line(
            f"contract on {engine_version(engine)}: {run} run, {counts['passed']} passed,"
            f" {counts['failed']} failed, {counts['skipped']} skipped"
        )
