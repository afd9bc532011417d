"""`radar demo`: serve the bundled demo site on 127.0.0.1, crawl day 1 and day 2, show the result.

Each crawl runs as its own `radar crawl` process (Scrapy's reactor runs once per process), exactly
as a user or a scheduler would run it; the site is served from this process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from radar.devserver import DEMO_SITE, SiteServer, demo_layers
from radar.errors import RadarError
from radar.jsonl import export_items
from radar.store import Store

console = Console()
DEMO_CONFIG = DEMO_SITE / "sources.yaml"


def run_demo(data_dir: Path, keep: bool = False, serve: bool = False) -> int:
    if data_dir.exists() and not keep:
        shutil.rmtree(data_dir)
    with SiteServer(demo_layers(1)) as server:
        console.rule(f"[bold]Demo site on {server.url} — day 1: first crawl")
        _crawl(server.url, data_dir)
        server.set_layers(demo_layers(2))
        console.rule("[bold]Day 2: the competitors shipped, edited and removed things")
        code = _crawl(server.url, data_dir)
        _show(data_dir)
        if serve:
            console.print(f"serving the demo site on {server.url} (Ctrl-C to stop)")
            _wait_forever()
    return code


def _crawl(url: str, data_dir: Path) -> int:
    env = {**os.environ, "DEMO_URL": url}
    cmd = [
        sys.executable,
        "-m",
        "radar",
        "crawl",
        "--config",
        str(DEMO_CONFIG),
        "--data-dir",
        str(data_dir),
    ]
    proc = subprocess.run(cmd, env=env, check=False)
    if proc.returncode not in (0, 2):
        raise RadarError(f"the demo crawl failed with exit code {proc.returncode}")
    return proc.returncode


def _show(data_dir: Path) -> None:
    store = Store.in_dir(data_dir)
    try:
        items = list(store.items())
        export = data_dir / "items.jsonl"
        with export.open("w", encoding="utf-8") as out:
            export_items(items, out)
        _print_items(items, store)
    finally:
        store.close()
    console.rule("[bold]Where the data is")
    console.print(f"store (SQLite):  {data_dir / 'radar.db'}")
    console.print(f"items (JSONL):   {export}")
    console.print(f"run log:         {data_dir / 'logs' / 'crawl.log'}")
    console.print(f"next:  .venv/bin/radar status --data-dir {data_dir}")
    console.print(f"       .venv/bin/radar export --data-dir {data_dir} | head")


def _print_items(items: list, store: Store) -> None:  # type: ignore[type-arg]
    kinds = Counter(i.kind for i in items)
    console.print("items by kind: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    table = Table(title="what changed on day 2")
    for col in ("change", "competitor", "kind", "title"):
        table.add_column(col)
    day2_start = store.runs(limit=1)[0]["started"]
    changed = [
        i
        for i in items
        if (i.first_seen or "") >= day2_start
        or (i.removed_at or "") >= day2_start
        or store.revisions(i.id)
    ]
    for item in changed:
        change = (
            "removed"
            if item.status == "removed"
            else ("edited" if store.revisions(item.id) else "new")
        )
        table.add_row(change, item.competitor or "industry", item.kind, item.title[:90])
    console.print(table)


def _wait_forever() -> None:
    import threading

    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
