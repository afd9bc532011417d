"""The embedded backend's vectors as memory-mapped files beside the index, so a process maps them.

`<index file>.vectors/` holds raw little-endian arrays, one row per written vector, appended in
write order: `matrix.<epoch>.f32` (rows x dim float32), `ids.<epoch>.i64` (the doc number,
`search_docs.n`) and `lists.<epoch>.i32` (the row's IVF list, -1 before there is an index; -2
marks a deleted doc). A doc written twice has two rows: the last one wins. `header.json`,
replaced atomically after the rows are written, says how many rows are valid and which index
generation they reflect, so a crash leaves a readable prefix and a stale header. A rewrite
(compaction, or rows sorted by IVF list after training) writes a new epoch and then the header.

The SQLite rows (`search_vectors`) stay the source of truth: a missing, foreign or stale
directory is rebuilt from them. `lock` serialises writers with readers checking the generation.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FORMAT = 1
UNASSIGNED, DELETED = -1, -2
PARTS = {"matrix": np.float32, "ids": np.int64, "lists": np.int32}
SUFFIX = {"matrix": "f32", "ids": "i64", "lists": "i32"}


@dataclass
class Header:
    index_id: str
    generation: int
    dim: int
    rows: int = 0
    epoch: int = 0
    sorted_rows: int = 0  # rows [0, sorted_rows) are grouped by IVF list (see `offsets`)
    trained_rows: int = 0  # live rows when the IVF centroids were trained (0: no index)
    dead: int = 0  # rows that a later row or a deletion replaced (an upper bound)
    format: int = FORMAT


@dataclass
class Rows:
    """Rows to write: doc numbers, their vectors (float32, rows x dim) and IVF lists."""

    ids: np.ndarray
    matrix: np.ndarray
    lists: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __post_init__(self) -> None:
        if len(self.lists) != len(self.ids):
            self.lists = np.full(len(self.ids), UNASSIGNED, dtype=np.int32)


@dataclass
class Mapped:
    """What one header makes readable: the arrays (memory-mapped) and the IVF index, if any."""

    header: Header
    matrix: np.ndarray
    ids: np.ndarray
    lists: np.ndarray
    centroids: np.ndarray | None = None
    offsets: np.ndarray | None = None  # list l is rows [offsets[l], offsets[l + 1])


class VectorDir:
    def __init__(self, index_path: Path):
        self.root = Path(str(index_path) + ".vectors")

    def _file(self, part: str, epoch: int) -> Path:
        return self.root / f"{part}.{epoch}.{SUFFIX[part]}"

    def _ivf(self, epoch: int) -> Path:
        return self.root / f"ivf.{epoch}.npz"

    @contextlib.contextmanager
    def lock(self, exclusive: bool) -> Iterator[None]:
        """Held while a header and the index's generation are compared or moved together; a place
        where the lock file cannot be made (read-only, full) goes without (files rebuilt if stale)."""
        with contextlib.ExitStack() as stack:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                handle = stack.enter_context(open(self.root / "lock", "a+b"))
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            except OSError as exc:
                logger.debug("no lock on %s: %s", self.root, exc)
            yield

    def header(self) -> Header | None:
        try:
            data = json.loads((self.root / "header.json").read_text())
            header = Header(**data)
        except (OSError, ValueError, TypeError):
            return None
        return header if header.format == FORMAT else None

    def _write_header(self, header: Header) -> None:
        tmp = self.root / "header.json.tmp"
        tmp.write_text(json.dumps(asdict(header)))
        os.replace(tmp, self.root / "header.json")

    def append(self, header: Header, rows: Rows, generation: int) -> Header:
        """Write rows after the header's valid rows (a crashed append's tail is overwritten)."""
        for part, values in (("matrix", rows.matrix), ("ids", rows.ids), ("lists", rows.lists)):
            data = np.ascontiguousarray(values, dtype=PARTS[part])
            width = header.dim if part == "matrix" else 1
            with open(self._file(part, header.epoch), "r+b") as handle:
                handle.seek(header.rows * width * data.itemsize)
                handle.write(data.tobytes())
                handle.truncate()
        new = Header(**{**asdict(header), "rows": header.rows + len(rows.ids)})
        new.generation = generation
        self._write_header(new)
        return new

    def write(
        self, header: Header, rows: Rows, ivf: tuple[np.ndarray, np.ndarray] | None
    ) -> Header:
        """Write a whole new epoch (rows already in their final order), then point the header at it."""
        old = self.header()
        header.epoch = (old.epoch + 1) if old else 1
        header.rows = len(rows.ids)
        self.root.mkdir(parents=True, exist_ok=True)
        for part, values in (("matrix", rows.matrix), ("ids", rows.ids), ("lists", rows.lists)):
            np.ascontiguousarray(values, dtype=PARTS[part]).tofile(self._file(part, header.epoch))
        if ivf is not None:
            with open(self._ivf(header.epoch), "wb") as handle:
                np.savez(handle, centroids=ivf[0], offsets=ivf[1])
        self._write_header(header)
        self._remove_epochs(keep=header.epoch)
        return header

    def _remove_epochs(self, keep: int) -> None:
        """Older epochs' files (a process that mapped them keeps reading them until it unmaps)."""
        for path in self.root.iterdir():
            parts = path.name.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) != keep:
                path.unlink(missing_ok=True)

    def map(self, header: Header) -> Mapped | None:
        """The header's rows, memory-mapped; None when a file is missing or too short."""
        try:
            arrays = {part: self._map(part, header) for part in PARTS}
            centroids = offsets = None
            if header.trained_rows:
                with np.load(self._ivf(header.epoch)) as ivf:
                    centroids, offsets = ivf["centroids"], ivf["offsets"]
        except (OSError, ValueError, KeyError) as exc:
            logger.info("vector files in %s unreadable (%s): rebuilding them", self.root, exc)
            return None
        return Mapped(header, arrays["matrix"], arrays["ids"], arrays["lists"], centroids, offsets)

    def _map(self, part: str, header: Header) -> np.ndarray:
        width = header.dim if part == "matrix" else 1
        shape: Any = (header.rows, header.dim) if part == "matrix" else (header.rows,)
        if header.rows == 0:
            return np.zeros(shape, dtype=PARTS[part])
        path = self._file(part, header.epoch)
        needed = header.rows * width * np.dtype(PARTS[part]).itemsize
        if path.stat().st_size < needed:
            raise ValueError(f"{path.name} holds fewer rows than its header says")
        return np.memmap(path, dtype=PARTS[part], mode="r", shape=shape)
