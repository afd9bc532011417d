"""The run lock: one run at a time; a stale lock from a killed run is taken over."""

from __future__ import annotations

import json
import multiprocessing
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

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


def _contend(path: Path, trials: int, barrier: Any, wins: Any) -> None:
    """One contender: in each trial, try the lock together with the others, hold it until every
    contender has tried, then let it go."""
    for trial in range(trials):
        lock = RunLock(path)
        barrier.wait()
        try:
            lock.__enter__()
            held = True
        except LockedError:
            held = False
        if held:
            with wins.get_lock():
                wins[trial] += 1
        barrier.wait()
        if held:
            lock.__exit__(None, None, None)


def test_exactly_one_of_many_threads_holds_the_lock_in_each_of_thousands_of_trials(
    tmp_path: Path,
) -> None:
    trials, contenders = 3000, 4  # each thread opens its own file descriptor
    barrier = threading.Barrier(contenders, timeout=30)
    wins = multiprocessing.Array("i", trials)
    threads = [
        threading.Thread(target=_contend, args=(tmp_path / "daily.lock", trials, barrier, wins))
        for _ in range(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Counter(wins[:]) == {1: trials}


def test_exactly_one_of_several_processes_holds_the_lock_in_each_trial(tmp_path: Path) -> None:
    trials, contenders = 500, 3
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(contenders, timeout=30)
    wins = context.Array("i", trials)
    procs = [
        context.Process(target=_contend, args=(tmp_path / "daily.lock", trials, barrier, wins))
        for _ in range(contenders)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0] * contenders
    assert Counter(wins[:]) == {1: trials}


def test_the_kernel_releases_the_lock_of_a_killed_run(tmp_path: Path) -> None:
    lock = tmp_path / "daily.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"from pathlib import Path; from radar.lock import RunLock; RunLock(Path({str(lock)!r})).__enter__();"
         " print('held', flush=True); import time; time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with pytest.raises(LockedError, match=f"pid {holder.pid} on"):
        RunLock(lock).__enter__()
    holder.kill()
    holder.wait()
    with RunLock(lock) as taken:
        assert taken.took_over and taken.took_over["pid"] == holder.pid
