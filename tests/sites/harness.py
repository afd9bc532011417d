"""Run discovery or `radar` against the test sites, in a subprocess (one reactor per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.sites.catalog import GITHUB, Catalog, Site, serve
from tests.sites.server import SitesServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def sites_server() -> Iterator[tuple[SitesServer, Catalog, list[Site]]]:
    with SitesServer() as server:
        catalog = Catalog(server.port)
        sites = catalog.sites()
        serve(server, sites)
        yield server, catalog, sites


def env_for(server: SitesServer, **extra: str) -> dict[str, str]:
    """Scrapy reaches the *.localhost sites through the server, used as its HTTP proxy."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "http_proxy": server.proxy,
            "no_proxy": "", "NO_PROXY": "", **extra}  # fmt: skip


def discover_sites(
    server: SitesServer, catalog: Catalog, sites: list[Site], **env: str
) -> dict[str, dict[str, Any]]:
    """Each site's discovery result (see tests/sites/run.py), by site name."""
    targets = [catalog.url(s.host) for s in sites]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.sites.run", catalog.url(GITHUB, ""), *targets],
        capture_output=True, text=True, cwd=ROOT, env=env_for(server, **env), timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {s.name: r for s, r in zip(sites, json.loads(proc.stdout), strict=True)}


def chosen(result: dict[str, Any]) -> list[tuple[str, str, bool]]:
    sources = result.get("proposal", {}).get("sources", [])
    return [(s["type"], s.get("repo") or s["url"], bool(s.get("render"))) for s in sources]


def radar(server: SitesServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "radar", *args],
        capture_output=True, text=True, cwd=ROOT, env=env_for(server, **env), timeout=300,
    )  # fmt: skip
