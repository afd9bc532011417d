"""`radar add` wall time per site, on the local test sites (tests/sites), one command per site.

Usage: .venv/bin/python bench/add_bench.py [--sites footer,spa,...]
Each site is discovered by its own `python -m radar add URL --json` child process, as a user
runs it (interpreter start-up, Scrapy, robots.txt, every probe; Chromium start-up for the
single-page app where Chromium is installed). Prints one line per site and writes
bench/results/add.json. The issue's budget: at most 10 s per site.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "add.json"

from tests.sites.catalog import GITHUB  # noqa: E402
from tests.sites.harness import radar, sites_server  # noqa: E402

BUDGET_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="", help="comma-separated site names (default: all)")
    args = parser.parse_args()
    wanted = set(filter(None, args.sites.split(",")))
    rows = []
    with sites_server() as (server, catalog, sites), tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "sources.yaml"
        config.write_text(f"settings:\n  allow_private_networks: true\n"
                          f"  github_base_url: {catalog.url(GITHUB, '')}\n", encoding="utf-8")  # fmt: skip
        for site in [s for s in sites if not wanted or s.name in wanted]:
            start = time.perf_counter()
            proc = radar(server, "add", catalog.url(site.host), "--json", "--config", str(config))
            seconds = time.perf_counter() - start
            found = len(json.loads(proc.stdout)["sources"]) if proc.returncode == 0 else 0
            rows.append({"site": site.name, "seconds": round(seconds, 2), "exit": proc.returncode,
                         "sources": found, "requests": len(server.requests_to(site.host))})  # fmt: skip
            print(f"{site.name:10} {seconds:6.2f} s  exit {proc.returncode}  {found} source(s)")
    floor = startup_floor()
    print(f"start-up floor (python -c 'import radar.cli, radar.add'): {floor:.2f} s")
    times = [r["seconds"] for r in rows]
    summary = {"sites": len(rows), "startup_floor_s": round(floor, 2), "median_s": statistics.median(times), "max_s": max(times),
               "over_budget": [r["site"] for r in rows if r["seconds"] > BUDGET_S], "rows": rows}  # fmt: skip
    print(f"median {summary['median_s']:.2f} s, max {summary['max_s']:.2f} s, "
          f"over {BUDGET_S:g} s: {summary['over_budget'] or 'none'}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2), encoding="utf-8")


def startup_floor() -> float:
    """What any `radar add` pays before its first request: the interpreter and the imports."""
    import subprocess

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import radar.cli, radar.add"], cwd=ROOT, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
