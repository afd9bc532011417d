"""Parsing in worker processes (`parse_workers`): the same items as in-process, and a worker
that dies fails only its own source."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from crawlers.parsing import Failed, Fetched, ParseJob, parse_job
from radar.core.config import SourceConfig
from radar.core.errors import ConfigError
from radar.core.settings import Settings
from radar.store import Store
from tests.conftest import CORPUS, ROOT, run_radar, source_lines, write_config
from tests.mockserver import MockServer

CORPUS_FILES = [
    ("changelogs/markdown/axios/CHANGELOG.md", "changelog", "text/markdown; charset=utf-8"),
    ("changelogs/html/almalinux/release-notes-9.4.html", "changelog", "text/html"),
    ("feeds/miniflux/encoding_WINDOWS-1251.xml", "feed", "application/rss+xml"),
    ("feeds/miniflux/large_atom.xml", "feed", "application/atom+xml"),
]


def _serve_corpus(server: MockServer) -> dict[str, tuple[str, str]]:
    """Real changelogs and feeds from the shared corpus, where it is present (read, not copied)."""
    out = {}
    for n, (rel, stype, ctype) in enumerate(CORPUS_FILES):
        path = CORPUS / rel
        if path.is_file():
            server.set_content(f"/corpus/{n}", path.read_bytes(), ctype)
            out[f"corpus{n}"] = (stype, f"/corpus/{n}")
    return out


def _stored(data: Path) -> dict[str, dict[str, Any]]:
    store = Store.in_dir(data)
    try:
        items = {i.id: asdict(i) for i in store.items()}
    finally:
        store.close()
    for item in items.values():  # times of the crawl itself differ between the two crawls
        del item["first_seen"], item["last_seen"]
        if item["extra"].get("published_from") == "first_seen":
            del item["published"]
    return items


def _results(run: Any) -> dict[str, Any]:
    keep = ("ok", "error", "new", "entries", "skipped", "warnings", "not_modified")
    return {sid: {k: s.get(k) for k in keep} for sid, s in run.data["sources"].items()}


@pytest.mark.slow
def test_parse_workers_store_the_same_items_as_parsing_in_process(
    server: MockServer, tmp_path: Path
) -> None:
    article = b"<html><body><article><h1>Launch</h1><p>" + b"Testco ships a thing. " * 40
    server.set_content("/a/1.html", article + b"</p></article></body></html>", "text/html")
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
<item><title>Launch</title><link>{server.url}/a/1.html</link><guid>n-1</guid>
<description>Teaser.</description></item></channel></rss>""".encode()
    server.set_content("/full.xml", feed, "application/rss+xml")
    sources = {
        "md": ("changelog", "/ok/changelog.md"),
        "html": ("changelog", "/ok/changelog.html"),
        "feed": ("feed", "/ok/feed.xml"),
        "page": ("page", "/ok/page.html"),
        "dup": ("changelog", "/duplicate-entries.md"),
        "discover": ("feed", "/html-as-feed"),
        "bad": ("feed", "/malformed.xml"),
        "empty": ("changelog", "/empty"),
        **_serve_corpus(server),
    }
    lines = source_lines(server.url, sources)
    lines += f'      - {{id: full, type: feed, url: "{server.url}/full.xml", full_text: true}}\n'
    cfg = write_config(tmp_path / "s.yaml", lines)
    runs = {}
    for workers in ("0", "2"):
        data = str(tmp_path / f"data{workers}")
        args = ("crawl", "--config", str(cfg), "--data-dir", data, "--json")
        runs[workers] = run_radar(*args, env={"RADAR_PARSE_WORKERS": workers})
    assert _results(runs["0"]) == _results(runs["2"])
    in_process, pooled = _stored(tmp_path / "data0"), _stored(tmp_path / "data2")
    assert len(in_process) >= 5 and any(i["changes"] for i in in_process.values())
    assert in_process == pooled
    assert not runs["2"].data["sources"]["empty"]["ok"]  # failures travel back as failures


def test_parse_workers_setting_is_checked() -> None:
    assert Settings({"parse_workers": 3}, env={})["parse_workers"] == 3
    assert Settings({"parse_workers": "AUTO"}, env={})["parse_workers"] == "auto"
    with pytest.raises(ConfigError, match="parse_workers.*auto or an integer from 0 to"):
        Settings({"parse_workers": -1}, env={})


class CrashingFetch(Fetched):
    """A response whose parse kills the worker process, as a crash in a C extension would."""

    def response(self) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)


def _job(n: int, crash: bool = False) -> ParseJob:
    body = f"# Changelog\n\n## [1.{n}.0] - 2026-11-0{1 + n % 9}\n- Change {n}.\n".encode()
    kind = CrashingFetch if crash else Fetched
    headers = {b"Content-Type": [b"text/markdown; charset=utf-8"]}
    fetched = kind("scrapy.http.TextResponse", f"http://127.0.0.1/{n}.md", 200, headers, body)
    source = SourceConfig(id=f"s{n}", type="changelog", url=fetched.url)
    return ParseJob(source, fetched.url, "2026-12-01T00:00:00Z", "parse_start", fetched)


def pool_child() -> None:
    """In a child process (a reactor of its own): eight jobs on two workers, one of them
    killing its worker, then two more jobs; print each job's outcome as JSON."""
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    import asyncio

    from twisted.internet import defer, reactor

    from crawlers.parsepool import ParsePool

    pool = ParsePool(2)

    async def main() -> None:
        jobs = [_job(n, crash=n == 3) for n in range(8)]
        first = await asyncio.gather(*(pool.parse(job, None) for job in jobs))
        after = await asyncio.gather(*(pool.parse(_job(n), None) for n in (8, 9)))
        pool.close()
        print(json.dumps([_outcome(outs) for outs in first + after]))

    done = defer.Deferred.fromFuture(asyncio.ensure_future(main()))
    done.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]


def _outcome(outputs: list[Any]) -> str:
    failed = [o.message for o in outputs if isinstance(o, Failed)]
    return failed[0] if failed else f"{sum(type(o).__name__ == 'Emit' for o in outputs)} entries"


@pytest.mark.slow
def test_a_dead_worker_fails_only_its_own_source_and_the_pool_goes_on() -> None:
    code = "from tests.test_crawl_parse_workers import pool_child; pool_child()"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcomes = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outcomes[3] == "the parser process died while parsing http://127.0.0.1/3.md"
    assert outcomes[:3] + outcomes[4:] == ["1 entries"] * 9


def test_a_parse_job_is_the_same_in_process_and_after_pickling() -> None:
    import pickle

    job = _job(1)
    assert pickle.loads(pickle.dumps(parse_job(job))) == parse_job(pickle.loads(pickle.dumps(job)))
    assert len(parse_job(job)) == 2  # validators and one entry
