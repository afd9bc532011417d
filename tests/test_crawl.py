"""Real Scrapy crawls of a local server: items, identity, change, removal, 304."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from radar.store import Store
from tests.conftest import crawl, source_lines, write_config
from tests.mockserver import MockServer

CHANGELOG_V1 = b"""# Changelog

## [1.2.0] - 2026-11-02
### Added
- Audit log export.

## [1.1.0] - 2026-10-01
### Fixed
- Login loop on Safari.

## [1.0.0] - 2026-09-01
- First stable release.
"""


def _items(data_dir: Path, source_id: str) -> dict[str, sqlite3.Row]:
    store = Store.in_dir(data_dir)
    try:
        return {i.version or i.title: i for i in store.items(source_id=source_id)}  # type: ignore[misc]
    finally:
        store.close()


def test_changelog_feed_and_page_are_stored_and_a_rerun_creates_nothing(
    server: MockServer, tmp_path: Path
) -> None:
    server.set_content("/acme/changelog.md", CHANGELOG_V1, "text/markdown; charset=utf-8")
    sources = {
        "cl": ("changelog", "/acme/changelog.md"),
        "blog": ("feed", "/ok/feed.xml"),
        "html": ("changelog", "/ok/changelog.html"),
        "pricing": ("page", "/ok/page.html"),
    }
    cfg = write_config(tmp_path / "s.yaml", source_lines(server.url, sources))
    first = crawl(cfg, tmp_path / "data")
    assert first.returncode == 0
    assert first.source("cl")["new"] == 3
    assert first.source("blog")["new"] == 3
    assert first.source("html")["new"] >= 1
    assert first.source("pricing").get("new", 0) == 0  # the first crawl of a page is its baseline
    entries = _items(tmp_path / "data", "cl")
    assert entries["1.2.0"].published == "2026-11-02"
    assert entries["1.2.0"].url.startswith(f"{server.url}/acme/changelog.md#")
    assert "Audit log export" in entries["1.2.0"].body

    second = crawl(cfg, tmp_path / "data")
    assert second.returncode == 0
    assert second.data["counts"]["new"] == 0 and second.data["counts"]["changed"] == 0
    store = Store.in_dir(tmp_path / "data")
    assert store.count_items() == first.data["counts"]["new"]
    store.close()


def test_edited_entry_keeps_its_id_and_keeps_a_revision_removed_entry_is_marked(
    server: MockServer, tmp_path: Path
) -> None:
    server.set_content("/acme/changelog.md", CHANGELOG_V1, "text/markdown; charset=utf-8")
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"cl": ("changelog", "/acme/changelog.md")})
    )
    crawl(cfg, tmp_path / "data")
    before = _items(tmp_path / "data", "cl")
    edited = CHANGELOG_V1.replace(b"- Audit log export.", b"- Audit log export (CSV and JSON).")
    edited = edited.replace(b"## [1.1.0] - 2026-10-01\n### Fixed\n- Login loop on Safari.\n\n", b"")
    edited = (
        b"# Changelog\n\n## [1.3.0] - 2026-11-20\n- SSO for all plans.\n\n"
        + edited[len(b"# Changelog\n\n") :]
    )
    server.set_content("/acme/changelog.md", edited, "text/markdown; charset=utf-8")
    result = crawl(cfg, tmp_path / "data")
    stats = result.source("cl")
    assert (stats.get("new"), stats.get("changed"), stats.get("removed")) == (1, 1, 1)
    after = _items(tmp_path / "data", "cl")
    assert after["1.2.0"].id == before["1.2.0"].id
    assert after["1.1.0"].status == "removed" and after["1.1.0"].removed_at
    store = Store.in_dir(tmp_path / "data")
    revisions = store.revisions(after["1.2.0"].id)
    store.close()
    assert len(revisions) == 1 and "CSV" not in revisions[0]["body"]


def test_page_watch_emits_a_change_with_added_and_removed_lines(
    server: MockServer, tmp_path: Path
) -> None:
    page = "<html><head><title>Pricing</title></head><body><h1>Plans</h1><p>Pro: $20/month</p><p>Team: $50/month</p></body></html>"
    server.set_content("/pricing.html", page.encode(), "text/html; charset=utf-8")
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"pricing": ("page", "/pricing.html")})
    )
    assert crawl(cfg, tmp_path / "data").source("pricing").get("new", 0) == 0
    server.set_content(
        "/pricing.html", page.replace("$20", "$25").encode(), "text/html; charset=utf-8"
    )
    assert crawl(cfg, tmp_path / "data").source("pricing")["new"] == 1
    (change,) = Store.in_dir(tmp_path / "data").items(source_id="pricing")
    assert change.kind == "page_change"
    assert change.body == "Added:\n+ Pro: $25/month\n\nRemoved:\n- Pro: $20/month"
    assert crawl(cfg, tmp_path / "data").data["counts"]["new"] == 0


def test_conditional_get_answers_304_and_costs_no_parsing(
    server: MockServer, tmp_path: Path
) -> None:
    cfg = write_config(
        tmp_path / "s.yaml", source_lines(server.url, {"feed": ("feed", "/etag/feed.xml")})
    )
    first = crawl(cfg, tmp_path / "data")
    assert first.source("feed")["new"] == 3
    second = crawl(cfg, tmp_path / "data")
    assert second.source("feed")["not_modified"] is True
    assert second.source("feed").get("new", 0) == 0
    assert [s for m, p, s in server.request_log if p == "/etag/feed.xml"] == [200, 304]


def test_full_text_feed_items_carry_the_article_text(server: MockServer, tmp_path: Path) -> None:
    article = (
        "<html><body><nav>Home | Blog | Careers</nav><article><h1>Testco ships AI summaries</h1>"
        + "<p>Testco now writes a summary of every ticket with a language model running in the EU region. "
        * 3
        + "</p></article><footer>Copyright Testco</footer></body></html>"
    )
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>{server.url}/</link>
<item><title>Testco ships AI summaries</title><link>{server.url}/a/1.html</link><guid>n-1</guid>
<description>Short teaser.</description><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Missing article</title><link>{server.url}/a/404.html</link><guid>n-2</guid>
<description>Teaser only.</description></item></channel></rss>"""
    server.set_content("/news.xml", feed.encode(), "application/rss+xml")
    server.set_content("/a/1.html", article.encode(), "text/html; charset=utf-8")
    cfg = write_config(
        tmp_path / "s.yaml",
        industry=f'  - {{id: news, url: "{server.url}/news.xml", full_text: true}}\n',
    )
    result = crawl(cfg, tmp_path / "data")
    stats = result.source("news")
    assert stats["ok"] and stats["new"] == 2
    assert any("a/404.html" in w and "404" in w for w in stats["warnings"])
    items = {i.title: i for i in Store.in_dir(tmp_path / "data").items()}
    assert "language model running in the EU region" in items["Testco ships AI summaries"].body
    assert "Careers" not in items["Testco ships AI summaries"].body
    assert (
        items["Testco ships AI summaries"].kind == "news"
        and items["Testco ships AI summaries"].competitor is None
    )
    assert items["Missing article"].body == "Teaser only."
    assert items["Missing article"].extra.get("published_from") == "first_seen"
    assert server.hits("/a/1.html") == 1
    crawl(cfg, tmp_path / "data")
    assert server.hits("/a/1.html") == 1  # an unchanged entry is not fetched again
