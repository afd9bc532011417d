"""Bad web input: every hostile source ends as a one-line per-source error and the run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from radar.store import Store
from tests.conftest import ROOT, crawl, run_radar, source_lines, write_config
from tests.mockserver import MockServer

# source id -> (type, path, substring of the recorded error, or None when the source must succeed)
HOSTILE = {
    "s404": ("feed", "/status/404", "HTTP 404 Not Found"),
    "s500": ("changelog", "/status/500", "HTTP 500 Internal Server Error"),
    "s503": (
        "feed",
        "/status/503",
        "HTTP 503 Service Unavailable (the server asked to retry after 1s)",
    ),
    "slow-headers": ("feed", "/slow-headers?delay=20", "timed out after 2s"),
    "slow-body": ("page", "/slow-body?delay=20", "timed out after 2s"),
    "loop": ("feed", "/redirect-loop", "too many redirects"),
    "big": ("feed", "/big", "response too large: 20971520 bytes, over download_maxsize"),
    "big-chunked": ("page", "/big-chunked", "response too large"),
    "gzip-bomb": ("feed", "/gzip-bomb", "too large once decompressed"),
    "truncated": ("feed", "/truncated.xml", None),
    "malformed": ("feed", "/malformed.xml", None),
    "wrong-encoding": ("feed", "/wrong-encoding.xml", None),
    "undeclared": ("page", "/undeclared-encoding.html", None),
    "html-feed-no-link": ("feed", "/plain.html", "not a feed"),
    "robots": ("page", "/private/secret.html", "disallowed by robots.txt"),
    "empty": ("changelog", "/empty", "no release entries found"),
    "duplicates": ("changelog", "/duplicate-entries.md", None),
    "dead-host": ("feed", "http://127.0.0.1:9/feed.xml", "connection refused"),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple:  # type: ignore[type-arg]
    tmp = tmp_path_factory.mktemp("hostile")
    with MockServer() as server:
        server.set_content(
            "/plain.html",
            b"<html><head><title>Hi</title></head><body><p>Nothing here</p></body></html>",
            "application/rss+xml",
        )
        lines = ["  - name: Testco", "    sources:"]
        for sid, (stype, path, _) in HOSTILE.items():
            url = path if path.startswith("http") else server.url + path
            lines.append(f'      - {{id: {sid}, type: {stype}, url: "{url}"}}')
        cfg = write_config(tmp / "s.yaml", "\n".join(lines) + "\n", timeout=2)
        started = time.monotonic()
        result = crawl(cfg, tmp / "data")
        elapsed = time.monotonic() - started
        yield result, elapsed, tmp / "data", server


@pytest.mark.slow
@pytest.mark.parametrize("sid", sorted(HOSTILE))
def test_each_hostile_source_is_recorded_in_one_line(hostile_run: tuple, sid: str) -> None:  # type: ignore[type-arg]
    result, _, data_dir, _ = hostile_run
    expected = HOSTILE[sid][2]
    stats = result.source(sid)
    if expected is None:
        assert stats["ok"], stats
    else:
        assert not stats["ok"]
        assert expected in stats["error"]
        assert "\n" not in stats["error"] and "Traceback" not in stats["error"]
    health = {h["id"]: h for h in Store.in_dir(data_dir).source_health()}
    assert (health[sid]["consecutive_failures"] == 1) is (expected is not None)


@pytest.mark.slow
def test_the_run_completes_with_exit_code_0_and_lists_failures(hostile_run: tuple) -> None:  # type: ignore[type-arg]
    result, elapsed, _, server = hostile_run
    assert result.returncode == 0
    assert sorted(result.data["failed"]) == sorted(s for s, v in HOSTILE.items() if v[2])
    assert elapsed < 60  # slow servers are cut by the timeout, not waited out
    (skipped,) = result.source("duplicates")["skipped"]
    assert (
        skipped.startswith("duplicate entry '")
        and "2.0.0" in skipped
        and skipped.endswith("kept the first")
    )
    assert server.hits("/status/503") == 2  # the first try and one retry after Retry-After


def test_exit_code_2_when_every_source_fails(server: MockServer, tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "s.yaml",
        source_lines(server.url, {"a": ("feed", "/status/404"), "b": ("page", "/status/404")}),
    )
    result = crawl(cfg, tmp_path / "data")
    assert result.returncode == 2
    assert sorted(result.data["failed"]) == ["a", "b"]


def test_config_error_exit_code_1_names_file_line_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        "competitors:\n  - name: Acme\n    sources:\n      - id: acme-blog\n        type: feed\n"
    )
    result = run_radar("crawl", "--config", str(cfg), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {cfg} line 4: `url` is missing for source 'acme-blog'"


def test_private_addresses_are_refused_unless_allowed(server: MockServer, tmp_path: Path) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text(
        "settings:\n  autothrottle: false\n"
        + "competitors:\n"
        + source_lines(server.url, {"local": ("feed", "/ok/feed.xml")})
    )
    result = crawl(cfg, tmp_path / "data")
    assert result.returncode == 2
    assert "resolves to the non-public address 127.0.0.1" in result.source("local")["error"]
    assert server.hits("/ok/feed.xml") == 0


def test_scrapy_crawl_works_from_the_repo_root(server: MockServer, tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"feed": ("feed", "/ok/feed.xml")})
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "radar",
            "-a",
            f"config={cfg}",
            "-a",
            f"data_dir={tmp_path / 'data'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RADAR_ALLOW_PRIVATE_NETWORKS": "1",
            "RADAR_AUTOTHROTTLE": "0",
        },
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Store.in_dir(tmp_path / "data").count_items(source_id="feed") == 3


@pytest.mark.slow
def test_sigkill_mid_crawl_loses_nothing_and_a_rerun_makes_no_duplicates(
    server: MockServer, tmp_path: Path
) -> None:
    # 30 fast changelogs, then 5 that answer only after 20 s: the kill lands while those hang.
    for n in range(30):
        body = "".join(
            f"## [{n}.{m}.0] - 2026-0{1 + m % 9}-1{m % 10}\n- Change {m} of product {n}.\n\n"
            for m in range(8)
        )
        server.set_content(
            f"/p{n}/CHANGELOG.md", f"# Changelog\n\n{body}".encode(), "text/markdown; charset=utf-8"
        )
    sources = {f"p{n}": ("changelog", f"/p{n}/CHANGELOG.md") for n in range(30)}
    sources |= {f"slow{n}": ("feed", f"/slow-headers?delay=20&n={n}") for n in range(5)}
    cfg = write_config(tmp_path / "s.yaml", source_lines(server.url, sources), timeout=60)
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radar",
            "crawl",
            "--config",
            str(cfg),
            "--data-dir",
            str(data),
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < 240:
        time.sleep(0.2)
        if (data / "radar.db").exists():
            try:
                stored = _count(data)
            except sqlite3.OperationalError:
                continue
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert stored == 240, "the fast sources should be stored before the kill"
    before = _ids(data)
    result = crawl(cfg, data)
    after = _ids(data)
    assert before <= after
    assert len(after) == 240 and _count(data) == 240
    assert result.data["counts"]["new"] == 0


import sqlite3  # noqa: E402


def _count(data: Path) -> int:
    db = sqlite3.connect(data / "radar.db", timeout=5)
    try:
        return int(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
    finally:
        db.close()


def _ids(data: Path) -> set[str]:
    db = sqlite3.connect(data / "radar.db", timeout=5)
    try:
        return {r[0] for r in db.execute("SELECT id FROM items")}
    finally:
        db.close()
