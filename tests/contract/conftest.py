"""The backend contract: every search backend must pass `test_backend_contract.py`.

Add a backend by adding a factory to FACTORIES (and its name to BACKENDS); a factory takes
pytest's tmp_path and returns a fresh, empty backend, or calls `pytest.skip` where it cannot run.
After `index()` or `delete()` returns, the change must be visible to the next search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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
