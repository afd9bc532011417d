"""`radar add` without a network: candidates from pages, probes with the real extractors,
the choice of sources, and the sources-file writer that keeps comments and order."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.discovery import (
    Candidate,
    github_repo,
    guessed_candidates,
    page_candidates,
    role_of,
    site_name,
    sitemap_candidates,
    start_url,
)
from crawlers.discovery_probe import Finding, choose, probe_changelog, probe_feed, probe_pricing
from crawlers.discovery_spider import Discovery
from radar.add import propose, write_proposal
from radar.core.config import load_config
from radar.core.errors import ConfigError
from tests.sites import builders as b

HOME = "https://acme.example/"
LINK = Candidate("changelog", "https://acme.example/changelog", "changelog", "linked")


def test_start_url_accepts_a_domain_or_a_url() -> None:
    assert start_url("acme.example") == "https://acme.example/"
    assert start_url("HTTP://Acme.Example/home") == "http://acme.example/home"


@pytest.mark.parametrize(
    ("url", "text", "role"),
    [
        ("https://a.example/company/whats-new", "What's new", "changelog"),
        ("https://a.example/x", "Release notes", "changelog"),
        ("https://a.example/docs/release-notes/", "", "changelog"),
        ("https://a.example/CHANGELOG.md", "", "changelog"),
        ("https://a.example/blog/", "Blog", "blog"),
        ("https://a.example/newsroom", "", "blog"),
        ("https://a.example/pricing", "Plans", "pricing"),
        ("https://a.example/careers", "Careers", None),
        ("https://a.example/blog/announcing-our-release", "Announcing", "blog"),
    ],
)
def test_role_of_a_link_from_its_text_or_path(url: str, text: str, role: str | None) -> None:
    assert role_of(url, text) == role


def test_github_repositories_but_not_orgs_or_github_pages() -> None:
    assert github_repo("https://github.com/acme/engine") == "acme/engine"
    assert github_repo("https://github.com/acme/engine.git") == "acme/engine"
    assert github_repo("https://github.com/acme/engine/releases") == "acme/engine"
    assert github_repo("https://github.com/acme") is None
    assert github_repo("https://github.com/sponsors/acme") is None
    assert github_repo("https://gitlab.com/acme/engine") is None


def test_page_candidates_feeds_links_github_and_docs_and_not_other_sites() -> None:
    head = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    nav = {"Blog": "/blog", "Pricing": "/pricing", "Docs": "https://docs.acme.example/",
           "GitHub": "https://github.com/acme/cli", "Partner changelog": "https://other.example/changelog"}  # fmt: skip
    html = b.page("Acme", "", nav, {"What's new": "/whats-new"}, head)
    found = [(c.kind, c.url, c.role) for c in page_candidates(html, HOME, "acme.example", "home")]
    assert found == [
        ("feed", "https://acme.example/feed.xml", "blog"),
        ("scan", "https://acme.example/blog", "blog"),
        ("pricing", "https://acme.example/pricing", "pricing"),
        ("scan", "https://docs.acme.example/", "changelog"),
        ("github_releases", "https://github.com/acme/cli", "releases"),
        ("changelog", "https://acme.example/whats-new", "changelog"),
    ]


def test_common_paths_only_for_roles_the_links_missed() -> None:
    found = guessed_candidates(HOME, {"pricing"})
    assert [(c.kind, c.url, c.strong) for c in found] == [
        ("sitemap", "https://acme.example/sitemap.xml", False),
        ("pricing", "https://acme.example/pricing", False),
    ]


def test_sitemap_gives_the_shortest_url_per_role_on_the_site() -> None:
    urls = [
        f"https://acme.example{p}" for p in ("/", "/blog/post-1", "/blog", "/product/release-notes")
    ]
    body = b.sitemap([*urls, "https://else.example/pricing", "https://acme.example/sitemap-2.xml"])
    found = [(c.kind, c.url) for c in sitemap_candidates(body.encode(), "acme.example")]
    assert found == [
        ("sitemap", "https://acme.example/sitemap-2.xml"),
        ("changelog", "https://acme.example/product/release-notes"),
        ("scan", "https://acme.example/blog"),
    ]


def test_site_name_from_og_site_name_or_the_domain() -> None:
    assert site_name(b.page("x", site_name="Acme Analytics"), HOME) == "Acme Analytics"
    assert site_name(b.page("x"), "https://www.acme-labs.example/") == "Acme Labs"
    assert site_name(b.page("x"), "http://footer.localhost:8000/") == "Footer"


def test_a_changelog_must_yield_dated_entries() -> None:
    found = probe_changelog(LINK, b.page("x", b.changelog_html()).encode(), LINK.url, "text/html")
    assert (found.ok, found.found, found.confidence) == (
        True,
        "5 entries, newest 2026-11-24",
        "high",
    )
    undated = b.page("x", "<h2>2.4.0</h2><p>Audit log.</p><h2>2.3.0</h2><p>SSO.</p>")
    found = probe_changelog(LINK, undated.encode(), LINK.url, "text/html")
    assert (found.ok, found.found) == (
        False,
        "2 entries, 0 dated (a changelog needs 2 dated entries)",
    )


def test_an_empty_shell_is_reported_as_needing_rendering() -> None:
    found = probe_changelog(LINK, b.spa_shell().encode(), LINK.url, "text/html")
    assert (found.ok, found.render, found.found) == (False, True, "empty shell: needs rendering")
    assert "set `render: true`" in found.extra["shell"]
    plain = probe_changelog(LINK, b.page("x", "<p>nothing</p>").encode(), LINK.url, "text/html")
    assert (plain.render, plain.found) == (
        False,
        "1 entry, 0 dated (a changelog needs 2 dated entries)",
    )


def test_a_feed_must_parse_and_a_changelog_feed_takes_the_changelog_role() -> None:
    feed = Candidate("feed", "https://acme.example/feed.xml", "blog", "feed link")
    found = probe_feed(feed, b.rss("Acme blog", HOME).encode(), feed.url, {})
    assert (found.ok, found.role, found.found) == (True, "blog", "3 entries, newest 2026-11-20")
    notes = probe_feed(feed, b.atom("Release notes", HOME).encode(), feed.url, {})
    assert notes.role == "changelog"
    broken = probe_feed(feed, b"<html><body>no</body></html>", feed.url, {})
    assert not broken.ok


def test_a_pricing_page_must_show_prices() -> None:
    page = Candidate("pricing", "https://acme.example/pricing", "pricing", "linked")
    found = probe_pricing(page, b.page("x", b.pricing_html()).encode(), page.url)
    assert (found.ok, found.found) == (True, "3 prices ($0 per user, $29/month, $99/month)")
    found = probe_pricing(page, b.page("x", b.pricing_html(False)).encode(), page.url)
    assert (found.ok, found.found) == (False, "no prices on the page")


def finding(type_: str, url: str, role: str, **kw: object) -> Finding:
    return Finding(type_, url, role, "how", "found", kw.pop("ok", True), **kw)  # type: ignore[arg-type]


def test_choose_one_per_role_page_over_feed_and_page_order_on_ties() -> None:
    findings = [
        finding("feed", "https://a.example/changelog.rss", "changelog", count=50, order=0),
        finding("changelog", "https://a.example/changelog", "changelog", count=5, order=1),
        finding("feed", "https://a.example/atom.xml", "blog", count=3, order=3),
        finding("feed", "https://a.example/feed.xml", "blog", count=3, order=2),
        finding("page", "https://a.example/pricing", "pricing", ok=False),
        finding("github_releases", "https://github.com/a/b", "releases", repo="a/b"),
    ]
    assert [f.url for f in choose(findings)] == [
        "https://a.example/changelog",
        "https://a.example/feed.xml",
        "https://github.com/a/b",
    ]


TEMPLATE = """# my sources, hand-written
settings:
  download_timeout: 20   # slow sites

competitors:
  # the one we watch most
  - name: Acme
    homepage: https://acme.example/
    sources:
      - id: acme-changelog     # keep this comment
        type: changelog
        url: https://acme.example/changelog
industry:
  - {id: news, url: https://news.example/rss.xml}
"""


def discovery(home: str = HOME, name: str = "Acme") -> Discovery:
    return Discovery(home, home=home, name=name, findings=[
        finding("changelog", "https://acme.example/changelog", "changelog", count=5),
        finding("feed", "https://acme.example/blog/feed.xml", "blog", count=3),
        finding("github_releases", "https://github.com/acme/cli", "releases", repo="acme/cli"),
    ])  # fmt: skip


def test_an_existing_competitor_gets_only_what_is_new_with_unique_ids(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(TEMPLATE.replace("id: news", "id: acme-blog"), encoding="utf-8")
    proposal = propose(discovery(), load_config(path))
    assert proposal.existing and proposal.competitor_id == "acme"
    assert [p.entry for p in proposal.sources] == [
        {"id": "acme-blog-2", "type": "feed", "url": "https://acme.example/blog/feed.xml"},
        {"id": "acme-releases", "type": "github_releases", "repo": "acme/cli"},
    ]
    assert [f.url for f in proposal.already] == ["https://acme.example/changelog"]
    write_proposal(path, proposal)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(TEMPLATE.replace("id: news", "id: acme-blog").split("industry:")[0])
    assert "# keep this comment" in text and "# the one we watch most" in text
    config = load_config(path)
    assert [s.id for s in config.sources] == [
        "acme-changelog",
        "acme-blog-2",
        "acme-releases",
        "acme-blog",
    ]
    assert config.settings == {"download_timeout": 20}


def test_a_new_competitor_is_appended_after_the_others(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    other = Discovery("https://zeta.example/", home="https://zeta.example/", name="Zeta", findings=[
        finding("changelog", "https://zeta.example/changelog", "changelog", render=True)])  # fmt: skip
    proposal = propose(other, load_config(path))
    write_proposal(path, proposal)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(TEMPLATE.split("industry:")[0])
    assert "  - name: Zeta\n    homepage: https://zeta.example/\n    sources:\n" in text
    config = load_config(path)
    zeta = config.source("zeta-changelog")
    assert (zeta.competitor, zeta.render, zeta.url) == (
        "zeta",
        True,
        "https://zeta.example/changelog",
    )


def test_a_missing_file_is_created_and_an_invalid_one_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sources.yaml"
    write_proposal(path, propose(discovery(), None))
    assert [s.id for s in load_config(path).sources] == [
        "acme-changelog",
        "acme-blog",
        "acme-releases",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("competitors: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        write_proposal(bad, propose(discovery(), None))
    assert bad.read_text(encoding="utf-8") == "competitors: [\n"
