"""Screenshots of the web UI over the demo store, for the README (1280x900 PNGs).

Usage: .venv/bin/radar demo   (once; writes radar-data/demo)
       .venv/bin/python -m tests.web.screenshots [--data-dir radar-data/demo] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from radar.core.settings import Settings
from radar.web import create_app
from tests.web.browser import Tab, chromium
from tests.web.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def pages(db: Path) -> dict[str, str]:
    """Screenshot name -> path, picking the demo's most telling theme, competitor and item."""
    con = sqlite3.connect(db)
    theme = con.execute(
        "SELECT json_extract(t.value, '$.id'), COUNT(*) FROM items, json_each(items.themes) t"
        " GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()[0]
    competitor = con.execute(
        "SELECT competitor FROM items WHERE competitor IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1"  # fmt: skip
    ).fetchone()[0]
    revised = con.execute("SELECT item_id FROM revisions ORDER BY id LIMIT 1").fetchone()
    item = revised[0] if revised else con.execute("SELECT id FROM items LIMIT 1").fetchone()[0]
    con.close()
    return {
        "search": "/?q=pricing",
        "search-facets": f"/?q=release&mode=text&competitor={competitor}",
        "trends": "/trends",
        "theme": f"/themes/{theme}",
        "competitor": f"/competitors/{competitor}",
        "item": f"/items/{item}",
        "digests": "/digests",
        "digest-page": "/digests/2026-W48",
        "sources": "/sources",
        "digest-2026-W48": "/digests/2026-W48/html",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT / "radar-data" / "demo"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    data_dir, out = Path(args.data_dir), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(Settings({"data_dir": str(data_dir)}), warm=True)
    with LiveServer(app) as server, chromium() as browser:
        tab = Tab(browser, server.url)
        for name, path in pages(data_dir / "radar.db").items():
            tab.page.goto(path)
            tab.page.wait_for_load_state("load")
            tab.page.screenshot(path=str(out / f"{name}.png"))
            print(f"{out / f'{name}.png'}  <- {path}")
        tab.close()


if __name__ == "__main__":
    main()
