"""The Elasticsearch target of the contract suite: a real cluster, or the CI test server.

With RADAR_ES_URL set (and RADAR_ES_USERNAME / RADAR_ES_PASSWORD / RADAR_ES_API_KEY /
RADAR_ES_VERIFY_CERTS as needed) the backend runs on that cluster, under a unique index name that
is deleted afterwards. Otherwise the test server from `tests.es_testserver` (noida-db, not
Elasticsearch) is started on 127.0.0.1 once per session. Wiring, in tests/contract/conftest.py:

    from tests.contract.es_fixture import es_backend, es_url  # noqa: F401  (fixtures)

    @pytest.fixture(params=["sqlite", "elasticsearch"])
    def backend(request, tmp_path):
        if request.param == "elasticsearch":
            return request.getfixturevalue("es_backend")
        ...

and in a test that needs a feature the test server lacks:
``skip_unsupported(backend, "significant_terms")`` (a no-op on a real cluster and on SQLite).
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from radar.core.settings import Settings
from tests import es_testserver
from tests.es_testserver.engines import ENV_FILE, version_of

pytest.importorskip("elasticsearch", reason="the Elasticsearch backend needs the es extra")

from search.elastic import ElasticsearchBackend  # noqa: E402
from search.opensearch import OpenSearchBackend  # noqa: E402

_EMULATED: set[int] = set()  # id() of the backends running on the test server


def engine_url(name: str) -> str:
    """RADAR_ES_URL / RADAR_OPENSEARCH_URL, else the line `make engines` wrote to build/engines.env."""
    key = "RADAR_ES_URL" if name == "elasticsearch" else "RADAR_OPENSEARCH_URL"
    if os.environ.get(key):
        return os.environ[key]
    lines = ENV_FILE.read_text().splitlines() if ENV_FILE.is_file() else []
    found = dict(line.split("=", 1) for line in lines if "=" in line)
    return found.get(key, "")


def engine_version(name: str) -> str:
    """The engine's name and version from its own API, or why there is none."""
    if name == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    url = engine_url(name) or (_SHARED.get("url") if name == "elasticsearch" else None)
    if not url:
        return f"{name} (no engine: run `make engines`)"
    if name == "elasticsearch" and not real_cluster():
        return f"the Elasticsearch emulator {es_testserver.PACKAGE} at {url} (not a real engine)"
    try:
        return f"{version_of(url)} at {url}"
    except OSError as exc:
        return f"{name} at {url} (version unreadable: {exc})"


def real_cluster() -> bool:
    return bool(engine_url("elasticsearch"))


@contextmanager
def cluster_url() -> Iterator[str]:
    """The URL to test against: RADAR_ES_URL, else a test server started for the duration."""
    if real_cluster():
        yield engine_url("elasticsearch")
        return
    with es_testserver.running() as url:
        yield url


@contextmanager
def backend_on(url: str) -> Iterator[ElasticsearchBackend]:
    """A backend on a fresh unique index; its indices and template are deleted afterwards."""
    backend = _new_backend(url)
    try:
        yield backend
    finally:
        backend.close()


def _drop(backend: ElasticsearchBackend) -> None:
    indices = backend.client.indices
    found = indices.get(index=f"{backend.alias}-v*", ignore_unavailable=True, allow_no_indices=True)
    for name in found:
        indices.delete(index=name)  # by name: clusters refuse wildcard deletes by default
    name = f"{backend.alias}-template"
    if hasattr(backend.client, "options"):  # elasticsearch-py
        backend.client.options(ignore_status=404).indices.delete_index_template(name=name)
    else:  # opensearch-py
        indices.delete_index_template(name=name, ignore=404)


def unsupported(backend: object, feature: str) -> str | None:
    """Why the test server cannot do `feature` (None on a real cluster and on other backends)."""
    return es_testserver.GAPS.get(feature) if id(backend) in _EMULATED else None


def skip_unsupported(backend: object, feature: str) -> None:
    reason = unsupported(backend, feature)
    if reason:
        pytest.skip(f"Elasticsearch test server: {reason}")


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    with cluster_url() as url:
        yield url


@pytest.fixture
def es_backend(es_url: str) -> Iterator[ElasticsearchBackend]:
    with backend_on(es_url) as backend:
        yield backend


# -- the shape of tests/contract/conftest.py's FACTORIES: tmp_path -> a fresh, empty backend ----
_SHARED: dict[str, str] = {}


def _shared_url() -> str:
    """One test server for the whole run (started on first use, stopped when Python exits)."""
    if "url" not in _SHARED:
        stack = ExitStack()
        _SHARED["url"] = stack.enter_context(cluster_url())
        atexit.register(stack.close)
    return _SHARED["url"]


class _Disposable:
    """Drops its unique index and template when closed (test-only)."""

    def close(self) -> None:
        try:
            _drop(self)  # type: ignore[arg-type]
        finally:
            _EMULATED.discard(id(self))
            super().close()  # type: ignore[misc]


class _DisposableBackend(_Disposable, ElasticsearchBackend):
    pass


class _DisposableOpenSearch(_Disposable, OpenSearchBackend):
    pass


def make_os_backend(tmp_path: Path | None = None) -> ElasticsearchBackend:
    """FACTORIES["opensearch"]: a backend on the OpenSearch node `make engines` started."""
    url = engine_url("opensearch")
    if not url:
        pytest.skip(
            "no OpenSearch engine: run `make engines` (Java 17 and mvn) or set RADAR_OPENSEARCH_URL"
        )
    return _DisposableOpenSearch(
        url, index=f"radar-test-{uuid.uuid4().hex[:12]}", initial_backoff=0.1, max_backoff=1.0
    )


def make_es_backend(tmp_path: Path | None = None) -> ElasticsearchBackend:
    """FACTORIES["elasticsearch"]: a backend on a unique index of the shared cluster / server."""
    return _new_backend(_shared_url())


def _new_backend(url: str) -> ElasticsearchBackend:
    settings = Settings(env=os.environ)
    backend = _DisposableBackend(
        url,
        index=f"radar-test-{uuid.uuid4().hex[:12]}",
        username=settings["es_username"] or None,
        password=settings["es_password"] or None,
        api_key=settings["es_api_key"] or None,
        verify_certs=settings["es_verify_certs"],
        timeout=settings["es_timeout"],
        initial_backoff=0.1,
        max_backoff=1.0,
    )
    if not real_cluster():
        _EMULATED.add(id(backend))
    return backend
