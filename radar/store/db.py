"""One connection to the store file: a cheap health check on open, migrations, transactions.

A damaged file (empty, truncated, overwritten) is named in one `StoreCorruptError` line instead
of a `sqlite3.DatabaseError` traceback. The check on open reads the 100-byte header and the
schema page, so it costs the same for a 10 kB and a 10 GB store; damage deeper in the file is
reported the same way when a statement meets it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from radar.core.errors import StoreCorruptError
from radar.store.schema import migrate

MAGIC = b"SQLite format 3\x00"
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def corrupt_error(path: Path | str, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"the store {path} is damaged ({problem}): restore it from a backup,"
        " or `radar export` what can still be read"
    )


def is_corruption(exc: BaseException) -> bool:
    """Whether an sqlite3 error means a damaged file (not a lock, a full disk or a bad query)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return isinstance(exc, sqlite3.DatabaseError) and (
        name.startswith(_CORRUPT) or "malformed" in str(exc) or "not a database" in str(exc)
    )


def header_problem(header: bytes, size: int) -> str | None:
    """What is wrong with a store file, judged by its size and its 100-byte header."""
    if size == 0:
        return "the file is empty"
    if len(header) < 100 or not header.startswith(MAGIC):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = pages > 0 and header[24:28] == header[92:96]  # see SQLite's file format
    expected = pages * (65536 if page_size == 1 else page_size)
    if size_is_valid and size < expected:
        return f"truncated: {size} of {expected} bytes"
    return None


def create_file(path: Path) -> None:
    """Write a new store's schema under a temporary name, then link it into place.

    So a store file is never seen empty, even by a process opening it at the same moment, and an
    empty one means damage. When two create it at once, the first link wins; the other opens it.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            migrate(conn, path)
        finally:
            conn.close()
        _link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _link(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links
        if not path.exists():
            os.replace(tmp, path)


def check_file(path: Path) -> None:
    """Raise StoreCorruptError when the file cannot be a healthy store."""
    with path.open("rb") as f:
        header = f.read(100)
    problem = header_problem(header, path.stat().st_size)
    wal = path.with_name(path.name + "-wal")  # a checkpoint cut short (disk full) is whole
    if problem and not (problem.startswith("truncated") and wal.exists() and wal.stat().st_size):
        raise corrupt_error(path, problem)


class Db:
    """The store's connection, its write transactions and the item sequence counter."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self._seq: int | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            create_file(path)
        check_file(path)
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            self._setup(read_only)
        except BaseException:
            self.conn.close()
            raise

    def _setup(self, read_only: bool) -> None:
        self.conn.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.execute(f"PRAGMA {pragma}")
        self.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # reads the schema page
        try:
            migrate(self.conn, self.path)
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None
        if read_only:
            self.execute("PRAGMA query_only = ON")

    def _translate(self, exc: sqlite3.DatabaseError) -> BaseException:
        return corrupt_error(self.path, str(exc)) if is_corruption(exc) else exc

    def execute(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, tuple(args))
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def rows(self, sql: str, args: Iterable[Any] = ()) -> Iterator[sqlite3.Row]:
        """The rows of a query, read lazily; damage met on the way is named like damage on open."""
        try:
            yield from self.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def one(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.execute(sql, args).fetchone()
        return row

    def scalar(self, sql: str, args: Iterable[Any] = ()) -> Any:
        row = self.one(sql, args)
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction. It holds SQLite's write lock, so `seq` can be counted locally."""
        self.execute("BEGIN IMMEDIATE")
        self._seq = None
        try:
            yield
        except BaseException:
            self._seq = None
            self.conn.execute("ROLLBACK")
            raise
        self._seq = None
        self.execute("COMMIT")

    def next_seq(self) -> int:
        """The next item sequence number (every insert, change, removal or enrichment takes one)."""
        if self._seq is None or not self.conn.in_transaction:
            self._seq = int(self.scalar("SELECT COALESCE(MAX(seq), 0) FROM items"))
        self._seq += 1
        return self._seq
