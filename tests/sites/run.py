"""Discover several test sites in one process (Scrapy's reactor runs once per process).

    python -m tests.sites.run GITHUB_BASE URL [URL...]   → JSON: one proposal per URL

Run with ``http_proxy`` pointing at the sites server (see tests/sites/server.py).
"""

from __future__ import annotations

import json
import sys

from crawlers.discovery_spider import discover
from radar.add import propose
from radar.core.settings import Settings


def main(github: str, targets: list[str]) -> None:
    settings = Settings(
        {"allow_private_networks": True, "github_base_url": github, "download_timeout": 20}
    )
    out = []
    for found in discover(targets, settings):
        entry = {"target": found.target, "error": found.error, "requests": found.requests,
                 "render_problem": found.render_problem}  # fmt: skip
        if not found.error:
            entry["proposal"] = propose(found, None).to_json()
        out.append(entry)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
