"""Connections to a PostgreSQL store: one pool per URL, rows that read like ``sqlite3.Row``.

`PgDb` speaks the same small interface as the SQLite `Db` (execute, rows, one, scalar,
executemany, transaction, next_seq), so the store's dialect-neutral statements run on it
unchanged: a ``?`` placeholder becomes ``%s`` here. Each `PgDb` holds one pooled connection
(autocommit outside `transaction()`, as the SQLite store does) until it is closed.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from radar.core.errors import RadarError
from radar.store.db import Db

try:
    import psycopg
    from psycopg.types.string import TextLoader
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - the optional extra is missing
    psycopg = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)
POOL_MAX = 8  # connections per process and URL (a store is used by one thread at a time)
CONNECT_TIMEOUT = 10
_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


class PgStoreError(RadarError):
    """The PostgreSQL store cannot be reached or refused a statement."""


def shown_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))


class Row(tuple[Any, ...]):
    """A result row read by position, by column name, or as a dict (like ``sqlite3.Row``)."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            key = self.names[key]
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: Any) -> Any:
    names = {col.name: i for i, col in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


@functools.lru_cache(maxsize=512)
def to_pg(sql: str) -> str:
    """An SQLite-style statement's ``?`` placeholders as psycopg's ``%s``."""
    return sql.replace("%", "%%").replace("?", "%s")


def _configure(conn: Any) -> None:
    for name in ("json", "jsonb"):  # JSON columns come back as text, as SQLite's do
        conn.adapters.register_loader(name, TextLoader)
    conn.row_factory = _row_factory


def _reset(conn: Any) -> None:
    conn.execute("RESET ALL")  # undoes a read-only session


def pool(url: str) -> ConnectionPool:
    """This process's pool for a URL, opened (and the server probed) on first use."""
    with _pools_lock:
        if url not in _pools:
            _probe(url)
            new = ConnectionPool(
                url, min_size=1, max_size=POOL_MAX, kwargs={"autocommit": True},
                configure=_configure, reset=_reset, open=False, name="radar-store",
            )  # fmt: skip
            new.open(wait=True, timeout=CONNECT_TIMEOUT)
            _pools[url] = new
        return _pools[url]


def _probe(url: str) -> None:
    """Connect once, so an unreachable server is named in one line, not a pool timeout."""
    if psycopg is None:
        raise RadarError(
            "store_url names PostgreSQL, which needs psycopg: pip install 'market-radar[postgres]'"
        )
    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PgStoreError(f"cannot open the PostgreSQL store {shown_url(url)}: {first}") from None


def close_pools() -> None:
    """Close every pool of this process (tests, and before a database is dropped)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for each in pools:
        each.close()


class PgDb(Db):
    """One pooled connection to a PostgreSQL store; `next_seq` draws from the items_seq sequence."""

    def __init__(self, url: str, read_only: bool = False):  # Db's __init__ opens a file: not here
        self.url = url
        self._pool = pool(url)
        self.pg: psycopg.Connection[Any] = self._pool.getconn()
        self._held = True
        try:
            from radar.store.pg.schema import migrate

            migrate(self.pg, shown_url(url))
            if read_only:
                self.pg.execute("SET default_transaction_read_only = on")
        except BaseException:
            self._pool.putconn(self.pg)
            raise

    def execute(self, sql: str, args: Iterable[Any] = ()) -> Any:
        try:
            return self.pg.execute(to_pg(sql), tuple(args))
        except psycopg.OperationalError as exc:  # the server went away, or refused us
            raise self._lost(exc) from None

    def _lost(self, exc: BaseException) -> PgStoreError:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return PgStoreError(f"the PostgreSQL store {shown_url(self.url)} failed: {first}")

    def rows(self, sql: str, args: Iterable[Any] = ()) -> Iterator[Any]:
        yield from self.execute(sql, args)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = list(rows)
        if not batch:
            return
        try:
            with self.pg.cursor() as cur:
                cur.executemany(to_pg(sql), batch)
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from None

    def one(self, sql: str, args: Iterable[Any] = ()) -> Any:
        return self.execute(sql, args).fetchone()

    def close(self) -> None:
        if self._held:  # a second close is harmless, as sqlite3's is
            self._held = False
            self._pool.putconn(self.pg)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; the rows it writes stay locked by it until it commits."""
        with self.pg.transaction():
            yield

    def next_seq(self) -> int:
        """The next item sequence number, from a sequence: safe with writers in other processes."""
        return int(self.scalar("SELECT nextval('items_seq')"))
