"""The run lock: one run at a time; a stale lock from a killed run is taken over."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from radar.lock import LockedError, RunLock


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "daily.lock"
    with RunLock(lock), pytest.raises(LockedError, match="another run holds"):
        RunLock(lock).__enter__()
    assert not lock.exists()


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a pid that no longer runs
    lock = tmp_path / "daily.lock"
    lock.write_text(
        json.dumps({"pid": proc.pid, "host": socket.gethostname(), "started": time.time()})
    )
    with RunLock(lock) as held:
        assert held.took_over and held.took_over["pid"] == proc.pid
        assert json.loads(lock.read_text())["pid"] != proc.pid
