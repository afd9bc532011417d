"""Shared fixtures: a hostile local HTTP server and a helper that runs `radar crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.mockserver import MockServer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

SETTINGS = """settings:
  allow_private_networks: true
  autothrottle: false
  download_timeout: {timeout}
  retry_times: 1
  retry_after_max: 5
"""


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as srv:
        yield srv


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def source(self, sid: str) -> dict[str, Any]:
        return self.data["sources"][sid]


def write_config(
    path: Path, competitors: str = "", industry: str = "", timeout: int = 5, settings: str = ""
) -> Path:
    text = settings or SETTINGS.format(timeout=timeout)
    if competitors:
        text += "competitors:\n" + competitors
    if industry:
        text += "industry:\n" + industry
    path.write_text(text, encoding="utf-8")
    return path


def source_lines(server_url: str, sources: dict[str, tuple[str, str]], extra: str = "") -> str:
    """YAML for one competitor whose sources are {id: (type, path)}."""
    lines = ["  - name: Testco", "    aliases: [TC]", "    sources:"]
    for sid, (stype, path) in sources.items():
        lines.append(f'      - {{id: {sid}, type: {stype}, url: "{server_url}{path}"{extra}}}')
    return "\n".join(lines) + "\n"


def run_radar(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> CrawlResult:
    proc = subprocess.run(
        [sys.executable, "-m", "radar", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr)


def crawl(config: Path, data_dir: Path, *extra: str) -> CrawlResult:
    result = run_radar(
        "crawl", "--config", str(config), "--data-dir", str(data_dir), "--json", *extra
    )
    assert result.stdout.startswith("{"), result.stderr[-3000:]
    return result
