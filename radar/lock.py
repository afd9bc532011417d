"""A lock so two runs never overlap: an OS lock (``flock``) the kernel releases when its holder dies.

The lock file also holds the holder's record (pid, host, start time) for the messages: a run
that finds the lock taken names who holds it, and a run that finds the record of a dead holder
says it took over.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from radar.core.errors import RadarError


class LockedError(RadarError):
    exit_code = 4


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record(fd: int) -> dict[str, Any]:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


class RunLock:
    """``with RunLock(path):`` — an exclusive ``flock`` on ``path``, which holds the holder's record.

    The file is removed on exit while still locked; a run that opened the old file before that
    sees it is no longer the file at ``path`` and opens the new one.
    """

    def __init__(self, path: Path, stale_after: float = 6 * 3600):
        self.path = path
        self.stale_after = stale_after
        self.took_over: dict[str, Any] | None = None
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while self._fd is None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._lock(fd)
            except BaseException:
                os.close(fd)
                raise
        return self

    def _lock(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise self._held(_record(fd)) from None
        if not _same_file(fd, self.path):  # removed by the run that just ended: try again
            os.close(fd)
            return
        previous = _record(fd)
        if previous and self._holder_alive(previous):  # a run that does not use flock
            raise self._held(previous)
        self.took_over = previous or None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self._fd = fd

    def _holder_alive(self, info: dict[str, Any]) -> bool:
        pid = int(info.get("pid", 0) or 0)
        age = time.time() - float(info.get("started", 0) or 0)
        same_host = info.get("host") == socket.gethostname()
        return age <= self.stale_after and not (same_host and pid and not _alive(pid))

    def _held(self, info: dict[str, Any]) -> LockedError:
        if not info:
            return LockedError(f"another run holds {self.path} (it is just starting)")
        age = time.time() - float(info.get("started", 0) or 0)
        return LockedError(
            f"another run holds {self.path} (pid {info.get('pid')} on {info.get('host')}, "
            f"started {age / 60:.0f} min ago); it is still running, or delete the file if you"
            " are sure it is not"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)  # still locked: nobody can take it in between
            os.close(self._fd)
            self._fd = None


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)
