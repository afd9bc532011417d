"""The crawl is wired as Scrapy components: named settings, NotConfigured, one store per crawl."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawlers.middlewares import AddressGuardMiddleware, RetryAfterMiddleware
from crawlers.pipelines import StorePipeline
from crawlers.spiders.radar import RadarSpider
from radar.core.settings import Settings
from radar.store import Store
from tests.conftest import ROOT, source_lines, write_config
from tests.mockserver import MockServer


def counting_store(settings: Settings) -> Store:
    """A store factory for RADAR_STORE_OPENER that notes each open in the data dir."""
    with open(settings.data_dir / "opens.txt", "a") as fh:
        fh.write("open\n")
    return Store.in_dir(settings.data_dir)


def test_crawlers_import_nothing_of_radar_but_its_core() -> None:
    bad = []
    for path in sorted((ROOT / "crawlers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.Import) else []
            )
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "radar" and not n.startswith("radar.core")
            ]
    assert bad == []


def test_components_read_named_settings() -> None:
    crawler = get_crawler(
        settings_dict={"RADAR_ALLOW_PRIVATE_NETWORKS": True, "RADAR_RETRY_AFTER_MAX": 7}
    )
    assert AddressGuardMiddleware.from_crawler(crawler).allow_private is True
    assert RetryAfterMiddleware.from_crawler(crawler).max_wait == 7.0


def test_the_store_pipeline_is_off_without_a_store_opener() -> None:
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(get_crawler())


def _run(code: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


CRAWL = """
import json, sys
from scrapy.crawler import CrawlerProcess
from crawlers.settings import scrapy_settings
from crawlers.spiders.radar import RadarSpider
from radar.core.config import effective_settings, load_config

config = load_config(sys.argv[1])
settings = scrapy_settings(effective_settings(config, sys.argv[2]))
opener = "tests.test_crawl_wiring.counting_store"
process = CrawlerProcess({**settings, "RADAR_STORE_OPENER": opener, "LOG_LEVEL": "ERROR"})
crawler = process.create_crawler(RadarSpider)
before = set(vars(crawler))
process.crawl(crawler, config=config, data_dir=sys.argv[2])
process.start()
added = sorted(set(vars(crawler)) - before - {"spider", "crawling", "_engine", "_stats", "_extensions", "_logformatter", "_request_fingerprinter"})
stats = crawler.stats.get_stats()
print(json.dumps({"added": added, "new": stats.get("radar/items/new")}))
"""


def test_one_store_opened_by_the_pipeline_and_nothing_attached_to_the_crawler(
    server: MockServer, tmp_path: Path
) -> None:
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"f": ("feed", "/ok/feed.xml")})
    )
    data = tmp_path / "data"
    data.mkdir()
    out = _run(CRAWL, str(cfg), str(data))
    assert out == {"added": [], "new": 3}
    assert (data / "opens.txt").read_text() == "open\n"
    assert not hasattr(RadarSpider, "closed")
