"""`radar demo`: the whole product on a bundled demo site served on 127.0.0.1.

Day 1: `radar daily` (crawl, enrich, index, alerts). The site then moves to day 2 (a new release,
an edited one, a removed entry, a price change, new news) and `radar daily` runs again. Then the
weekly digest is built and a few searches are shown. Each `radar` step runs as its own process,
exactly as a user or a scheduler would run it; the site and an alert receiver are served from
this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rich.console import Console

from radar.core.errors import RadarError
from radar.devserver import DEMO_SITE, SiteServer, demo_layers

console = Console()
DEMO_CONFIG = DEMO_SITE / "sources.yaml"
THEMES = Path(__file__).resolve().parents[1] / "config" / "themes.yaml"
ALERTS = """channels:
  demo-webhook: "json://127.0.0.1:{port}/alerts"
rules:
  - id: security-moves
    move_type: security
    channels: [demo-webhook]
  - id: pricing-changes
    move_type: pricing
    channels: [demo-webhook]
  - id: ai-news
    theme: ai-ml
    kind: news
    channels: [demo-webhook]
"""


class AlertReceiver:
    """A local webhook that collects the alerts the demo sends."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.messages.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_demo(data_dir: Path, keep: bool = False, serve: bool = False) -> int:
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    receiver = AlertReceiver()
    (data_dir / "alerts.yaml").write_text(ALERTS.format(port=receiver.port), encoding="utf-8")
    try:
        with SiteServer(demo_layers(1)) as server:
            env = _env(server.url, data_dir)
            console.rule(f"[bold]Demo site on {server.url} — day 1: `radar daily`")
            _radar(env, "daily", allowed=(0, 2))
            server.set_layers(demo_layers(2))
            console.rule(
                "[bold]Day 2: the competitors shipped, edited and removed things — `radar daily` again"
            )
            code = _radar(env, "daily", allowed=(0, 2))
            _showcase(env, data_dir, receiver)
            if serve:
                console.print(f"serving the demo site on {server.url} (Ctrl-C to stop)")
                with contextlib.suppress(KeyboardInterrupt):
                    threading.Event().wait()
    finally:
        receiver.close()
    return code


def _env(url: str, data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DEMO_URL": url,
        "RADAR_CONFIG": str(DEMO_CONFIG),
        "RADAR_HOME": str(data_dir),
        "RADAR_ALERTS_FILE": str(data_dir / "alerts.yaml"),
        "COLUMNS": os.environ.get("COLUMNS", "120"),
    }
    if THEMES.exists():
        env["RADAR_THEMES_FILE"] = str(THEMES)
    return env


def _radar(env: dict[str, str], *args: str, allowed: tuple[int, ...] = (0,)) -> int:
    proc = subprocess.run([sys.executable, "-m", "radar", *args], env=env, check=False)
    if proc.returncode not in allowed:
        raise RadarError(
            f"the demo step `radar {' '.join(args)}` failed with exit code {proc.returncode}"
        )
    return proc.returncode


def _showcase(env: dict[str, str], data_dir: Path, receiver: AlertReceiver) -> None:
    console.rule("[bold]Weekly competitor-moves digest — `radar digest`")
    _radar(env, "digest", "--week", "2026-W48")
    console.rule('[bold]Trend search — `radar search "AI assistant" --limit 3`')
    _radar(env, "search", "AI assistant", "--limit", "3")
    console.rule("[bold]Themes — `radar themes`")
    _radar(env, "themes")
    console.rule(f"[bold]Alerts received by the demo webhook: {len(receiver.messages)} messages")
    for message in receiver.messages:
        console.print(f"[bold]{message.get('title', '')}[/bold]\n{message.get('message', '')}")
    console.rule("[bold]Where the data is")
    console.print(f"store and search index (SQLite):  {data_dir / 'radar.db'}")
    console.print(f"weekly digest:                    {data_dir / 'digests' / '2026-W48.html'}")
    console.print(f"run logs:                         {data_dir / 'logs'}")
    console.print(f"try:  RADAR_HOME={data_dir} .venv/bin/radar status")
    console.print(
        f'      RADAR_HOME={data_dir} .venv/bin/radar search "pricing" --competitor globex-cloud'
    )
    console.print(
        f"      RADAR_HOME={data_dir} .venv/bin/radar serve      # then open http://127.0.0.1:8080"
    )
