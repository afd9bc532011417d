"""A full disk mid-crawl: the run stops with one line and exit code 5, the store stays whole, and
the next run (with space again) records every source.

The disk is a real one: a 2 MiB tmpfs (mounting needs root; skipped with the reason otherwise).
"""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from radar.core.errors import StoreWriteError
from radar.writefail import finish_run, is_write_failure
from tests.conftest import run_radar, write_config
from tests.mockserver import MockServer

SOURCES = 60


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>Post {n}-{i}</title><link>http://x.test/{n}/{i}</link><guid>g{n}-{i}</guid>"
        f"<description>{f'word{n * 100 + i} ' * 300}</description></item>"
        for i in range(30)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T{n}</title>'
        f"<link>http://x.test/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_a_full_disk_stops_the_crawl_in_one_line_and_the_next_run_records_it(
    server: MockServer, small_disk: Path, tmp_path: Path
) -> None:
    lines = ["  - name: Testco", "    sources:"]
    for n in range(SOURCES):
        server.set_content(f"/f{n}.xml", _feed(n), "application/rss+xml")
        lines.append(f'      - {{id: s{n}, type: feed, url: "{server.url}/f{n}.xml"}}')
    config = write_config(tmp_path / "sources.yaml", "\n".join(lines) + "\n")
    args = ("crawl", "--config", str(config), "--data-dir", str(small_disk))

    full = run_radar(*args)
    assert full.returncode == 5, full.stderr[-3000:]
    assert "Traceback" not in full.stderr and "Logging error" not in full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "database or disk is full" in errors[0]
    assert errors[0].startswith(f"error: the run stopped: cannot write to {small_disk}")
    db = sqlite3.connect(small_disk / "radar.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = run_radar(*args, "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["counts"]["failed"] == 0
    db = sqlite3.connect(small_disk / "radar.db")
    runs = db.execute("SELECT status FROM runs ORDER BY id").fetchall()
    assert runs == [("failed",), ("done",)]
    assert db.execute("SELECT COUNT(DISTINCT source_id) FROM items").fetchone() == (SOURCES,)


def test_write_failures_are_told_from_other_errors() -> None:
    assert is_write_failure(sqlite3.OperationalError("database or disk is full"))
    assert is_write_failure(sqlite3.OperationalError("attempt to write a readonly database"))
    assert is_write_failure(OSError(errno.ENOSPC, "No space left on device"))
    assert not is_write_failure(sqlite3.OperationalError("no such table: items"))
    assert not is_write_failure(OSError(errno.ENOENT, "No such file"))


def test_a_full_disk_when_the_run_ends_is_one_line_too() -> None:
    class FullStore:
        path = "/data/radar.db"

        def finish_run(self, *args: object) -> None:
            raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(StoreWriteError, match="cannot write to /data/radar.db") as info:
        finish_run(FullStore(), 1, "done", {}, {})  # injected at the store seam
    assert info.value.exit_code == 5 and "\n" not in str(info.value)
