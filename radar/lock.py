"""A lock file so two runs never overlap; a stale lock left by a killed run is taken over."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from radar.errors import RadarError


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


class RunLock:
    """``with RunLock(path):`` — created atomically (O_EXCL) with pid, host and start time."""

    def __init__(self, path: Path, stale_after: float = 6 * 3600):
        self.path = path
        self.stale_after = stale_after
        self.took_over: dict[str, object] | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._check_existing()
                continue
            with os.fdopen(fd, "w") as out:
                json.dump(
                    {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}, out
                )
            return self
        raise LockedError(f"{self.path}: could not take the lock")

    def _check_existing(self) -> None:
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            info = {}
        pid, host = int(info.get("pid", 0) or 0), info.get("host")
        age = time.time() - float(info.get("started", 0) or 0)
        same_host = host == socket.gethostname()
        if (same_host and pid and not _alive(pid)) or age > self.stale_after or not info:
            self.took_over = info
            self.path.unlink(missing_ok=True)
            return
        raise LockedError(
            f"another run holds {self.path} (pid {pid} on {host}, started {age / 60:.0f} min ago); "
            "it is still running, or delete the file if you are sure it is not"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.path.unlink(missing_ok=True)
