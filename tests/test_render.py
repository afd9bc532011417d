"""`render: true`: a single-page app's changelog through Debian's Chromium, the empty-shell
diagnosis without it, and the one-line error where Chromium is missing.

Browser tests need /usr/bin/chromium (apt-get install -y chromium) and skip with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawlers.render import empty_shell, render_problem
from radar.core.settings import Settings
from radar.store import Store
from tests.sites import builders as b
from tests.sites.catalog import Catalog, Site
from tests.sites.harness import CHROMIUM, discover_sites, radar, sites_server
from tests.sites.server import SitesServer

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)",
)
NO_CHROMIUM = {"RADAR_CHROMIUM_PATH": "/nonexistent/chromium"}

Sites = tuple[SitesServer, Catalog, list[Site]]


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with sites_server() as (server, catalog, all_sites):
        yield server, catalog, [s for s in all_sites if s.name in ("spa", "ssr")]


def test_empty_shell_needs_scripts_and_no_content() -> None:
    message = empty_shell(b.spa_shell())
    assert message == (
        "the page is an empty shell (1 script, 9 characters of text): its content appears only "
        "after JavaScript runs; set `render: true` on this source"
    )
    assert empty_shell(b.page("Acme", b.hero("Acme"))) is None  # no scripts
    assert (
        empty_shell(b.page("Acme", b.hero("Acme") * 2, head="<script src=a.js></script>")) is None
    )
    assert empty_shell(b"") is None


def test_without_chromium_rendering_names_what_to_install() -> None:
    problem = render_problem(Settings({"chromium_path": "/nonexistent/chromium"}, env={}))
    assert problem == (
        "rendering needs Chromium at /nonexistent/chromium: apt-get install -y chromium "
        "(or set chromium_path)"
    )


def config(tmp_path: Path, catalog: Catalog, render: bool) -> Path:
    text = (
        "settings:\n  allow_private_networks: true\n  autothrottle: false\n  retry_times: 0\n"
        "competitors:\n  - name: Spa\n    sources:\n"
        f"      - {{id: spa, type: changelog, url: '{catalog.url('spa.localhost', '/changelog')}'"
        f"{', render: true' if render else ''}}}\n"
        "  - name: Ssr\n    sources:\n"
        f"      - {{id: ssr, type: changelog, url: '{catalog.url('ssr.localhost', '/changelog')}'}}\n"
    )
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def crawl(server: SitesServer, path: Path, data: Path, **env: str) -> dict[str, Any]:
    import json

    proc = radar(server, "crawl", "--config", str(path), "--data-dir", str(data), "--json", **env)
    assert proc.stdout.startswith("{"), proc.stderr[-3000:]
    return json.loads(proc.stdout)["sources"]  # type: ignore[no-any-return]


def entries(data: Path, source_id: str) -> list[tuple[Any, ...]]:
    store = Store.in_dir(data)
    try:
        items = sorted(store.items(source_id=source_id), key=lambda i: i.published or "")
        return [(i.title, i.version, i.published, i.body) for i in items]
    finally:
        store.close()


def test_a_shell_crawled_without_rendering_says_rendering_is_needed(
    sites: Sites, tmp_path: Path
) -> None:
    server, catalog, _ = sites
    result = crawl(server, config(tmp_path, catalog, render=False), tmp_path / "data")
    assert not result["spa"]["ok"]
    assert result["spa"]["error"].startswith("no release entries found on http://spa.localhost:")
    assert result["spa"]["error"].endswith("set `render: true` on this source")
    assert result["ssr"]["ok"] and result["ssr"]["new"] == 5


def test_render_true_without_chromium_fails_in_one_line(sites: Sites, tmp_path: Path) -> None:
    server, catalog, _ = sites
    before = len(server.requests_to("spa.localhost"))
    result = crawl(server, config(tmp_path, catalog, render=True), tmp_path / "data", **NO_CHROMIUM)
    assert result["spa"]["error"] == (
        "rendering needs Chromium at /nonexistent/chromium: apt-get install -y chromium "
        "(or set chromium_path)"
    )
    assert result["ssr"]["ok"]
    assert "/changelog" not in server.requests_to("spa.localhost")[before:]


def test_discovery_without_chromium_reports_the_spa_as_needing_rendering(sites: Sites) -> None:
    server, catalog, spa_sites = sites
    result = discover_sites(server, catalog, spa_sites[:1], **NO_CHROMIUM)["spa"]
    [source] = result["proposal"]["sources"]
    assert (source["render"], source["confidence"]) == (True, "low")
    assert source["found"].startswith("empty shell: needs rendering (rendering needs Chromium")


@needs_chromium
@pytest.mark.slow
def test_render_true_yields_the_same_entries_as_the_server_rendered_twin(
    sites: Sites, tmp_path: Path
) -> None:
    server, catalog, _ = sites
    data = tmp_path / "data"
    result = crawl(server, config(tmp_path, catalog, render=True), data)
    assert result["spa"]["ok"] and result["spa"]["new"] == 5, result["spa"]
    assert entries(data, "spa") == entries(data, "ssr")
    assert len(entries(data, "ssr")) == 5
    paths = server.requests_to("spa.localhost")
    assert "/api/changelog.json" in paths and "/static/app.js" in paths


@needs_chromium
@pytest.mark.slow
def test_discovery_renders_the_spa_and_confirms_its_entries(sites: Sites) -> None:
    server, catalog, spa_sites = sites
    result = discover_sites(server, catalog, spa_sites[:1])["spa"]
    [source] = result["proposal"]["sources"]
    assert (source["type"], source["render"]) == ("changelog", True)
    assert (source["found"], source["confidence"]) == ("5 entries, newest 2026-11-24", "high")
