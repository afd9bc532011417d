"""The store contract's fixtures: each test gets a store on SQLite and one on PostgreSQL.

PostgreSQL comes from RADAR_TEST_PG_URL or build/postgres.env (`make postgres`); each test gets
a schema of its own (its URL sets the search_path), dropped afterwards. Without a server those tests skip, saying so in the
summary line, unless RADAR_REQUIRE_POSTGRES=1 (CI), where a missing server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from radar.core.settings import Settings
from tests import pg_testserver

NO_SERVER = "PostgreSQL store tests: no server (run `make postgres` or set RADAR_TEST_PG_URL)"


def _admin_url() -> str:
    url = pg_testserver.url_from_env()
    if not url:
        if os.environ.get("RADAR_REQUIRE_POSTGRES") == "1":
            pytest.fail(NO_SERVER + "; RADAR_REQUIRE_POSTGRES=1 requires one")
        pytest.skip(NO_SERVER)
    pytest.importorskip("psycopg", reason="PostgreSQL store tests need the postgres extra")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose tables go to a fresh schema of their own (the search_path); dropped after."""
    import psycopg

    from radar.store.pg import close_pools

    admin = _admin_url()
    name = f"radar_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{admin}{'&' if '?' in admin else '?'}options=-csearch_path%3D{name}"
    finally:
        close_pools()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def settings_for(kind: str, tmp_path: Path, request: Any) -> Settings:
    """Settings naming a store of `kind` (sqlite | postgres); the environment is not read."""
    values = {"data_dir": str(tmp_path / "data")}
    if kind == "postgres":
        values["store_url"] = request.getfixturevalue("pg_url")
    return Settings(values, env={})


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: Any, tmp_path: Path) -> Settings:
    return settings_for(request.param, tmp_path, request)


@pytest.fixture
def store(settings: Settings) -> Iterator[Any]:
    from radar.store import open_store

    opened = open_store(settings)
    yield opened
    opened.close()
