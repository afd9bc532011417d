"""The digest in words: highlight changes per competitor, the rest counted, quiet competitors, news
summaries, read from the store (an index that lags is named, never taken for an empty crawl)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from radar.cli import main
from radar.core.records import Change, Item, item_id
from radar.core.settings import Settings
from radar.digest import build_digest
from radar.digest_lines import in_words
from radar.digest_render import render_html, render_markdown
from radar.store import Store
from search import get_backend

WEEK = "2026-W47"


class _Competitor:
    def __init__(self, cid: str, name: str):
        self.id, self.name, self.aliases = cid, name, ()


class _Config:
    competitors = [
        _Competitor("acme", "Acme Analytics"),
        _Competitor("globex", "Globex Cloud"),
        _Competitor("initech", "Initech"),
    ]


def _change(text: str, move: str, importance: float, noise: bool = False) -> Change:
    return Change(text, None, move, importance, noise)


def _release(
    competitor: str, version: str, day: str, changes: list[Change], move: str | None = None
) -> Item:
    item = Item(
        id=item_id(f"{competitor}-log", f"https://{competitor}.example/changelog", version),
        source_id=f"{competitor}-log",
        kind="changelog_entry",
        title=version,
        body=" ".join(c.text for c in changes) or version,
        url=f"https://{competitor}.example/changelog#{version}",
        competitor=competitor,
        published=day,
    )
    item.changes = changes
    typed = [c for c in changes if not c.noise]
    item.move_type = move or (
        max(typed, key=lambda c: c.importance).move_type if typed else "other"
    )
    return item


def _news(title: str, summary: str) -> Item:
    item = Item(
        id=item_id("news", "https://news.example/", title),
        source_id="news",
        kind="news",
        title=title,
        body=summary + " More text.",
        url="https://news.example/" + title.replace(" ", "-"),
        published="2026-11-19",
    )
    item.mentions, item.extra = ["acme"], {"summary": summary}
    return item


ACME_2 = [
    _change("Added OpenID Connect login for every workspace", "launch", 0.7),
    _change("Removed the v1 query filters; use the v2 filter syntax", "deprecation", 0.95),
    _change("Fixed CSV export of empty dashboards", "fix", 0.3),
    _change("Fixed a crash when a chart has no series", "fix", 0.3),
    _change("Bump lodash from 4.17.20 to 4.17.21", "other", 0.0, noise=True),
]
ACME_21 = [
    _change("Patched SSRF in webhook previews (CVE-2026-1234)", "security", 0.95),
    _change("Dashboards load 30% faster", "performance", 0.5),
    _change("Improved keyboard navigation in the query editor", "improvement", 0.45),
    _change("Fixed a typo in the billing page", "fix", 0.3),
    _change("Fixed time zones in scheduled reports", "fix", 0.3),
    _change("ci: run tests on Node 22", "other", 0.0, noise=True),
]


def _store(tmp_path: Path, items: list[Item]) -> Store:
    store = Store(tmp_path / "radar.db")
    for item in items:
        store.upsert_item(item)
    store.save_enrichment(items)
    return store


def _week(tmp_path: Path) -> list[Item]:
    return [
        _release("acme", "2.0.0", "2026-11-17", ACME_2),
        _release("acme", "2.1.0", "2026-11-20", ACME_21),
        _release("globex", "v3.4.0 (2026-11-18)", "2026-11-18", [], move="launch"),
        _news("Acme patches a webhook flaw", "Acme fixed a server-side request forgery."),
        _release("initech", "9.0.0", "2026-10-01", [_change("Old news", "launch", 0.7)]),
    ]


def test_highlights_are_changes_in_words_breaking_and_security_first(tmp_path: Path) -> None:
    d = build_digest(None, _store(tmp_path, _week(tmp_path)), _Config(), WEEK)
    acme = d.highlights["Acme Analytics"]
    assert [(h.move_type, h.text, h.release) for h in acme] == [
        ("deprecation", "Removed the v1 query filters; use the v2 filter syntax", "2.0.0"),
        ("security", "Patched SSRF in webhook previews (CVE-2026-1234)", "2.1.0"),
        ("launch", "Added OpenID Connect login for every workspace", "2.0.0"),
        ("performance", "Dashboards load 30% faster", "2.1.0"),
        ("improvement", "Improved keyboard navigation in the query editor", "2.1.0"),
    ]
    assert acme[0].url == "https://acme.example/changelog#2.0.0"
    assert d.rest["Acme Analytics"] == "… and 6 more changes in 2 releases: 4 fixes, 2 chores"
    assert d.quiet == ["Initech"]  # released only before the week


def test_a_release_without_changes_is_never_a_version_line(tmp_path: Path) -> None:
    d = build_digest(None, _store(tmp_path, _week(tmp_path)), _Config(), WEEK)
    assert d.highlights["Globex Cloud"] == []  # its title is only a version and a date
    assert d.rest["Globex Cloud"] == "1 release: 1 new feature"
    for lines in d.highlights.values():
        assert all(in_words(h.text) for h in lines)


def test_the_markdown_reads_in_two_minutes_and_keeps_the_complete_list(tmp_path: Path) -> None:
    md = render_markdown(build_digest(None, _store(tmp_path, _week(tmp_path)), _Config(), WEEK))
    assert (
        "- **Breaking** · Removed the v1 query filters; use the v2 filter syntax ·"
        " [2.0.0](https://acme.example/changelog#2.0.0), 2026-11-17" in md
    )
    assert "Quiet this week: Initech." in md
    assert "— Acme fixed a server-side request forgery." in md  # the news item's summary
    assert "Bump lodash" not in md  # noise is counted, never highlighted
    complete = md[md.index("## All moves this week") :]
    assert re.findall(r"\d · \[([^\]]+)\]\(https://", complete) == [
        "2.1.0", "v3.4.0 \\(2026-11-18\\)", "2.0.0",
    ]  # fmt: skip


def test_the_digest_reads_the_store_and_names_a_lagging_index(tmp_path: Path) -> None:
    store = _store(tmp_path, _week(tmp_path))
    backend = get_backend(Settings({"data_dir": str(tmp_path)}, env={}), tmp_path / "radar.db")
    try:
        d = build_digest(backend, store, _Config(), WEEK)  # nothing indexed yet
    finally:
        backend.close()
    assert d.total == 4 and not d.empty
    assert d.notes == [
        "Rising themes may be incomplete: the search index is 5 items behind: run `radar index`."
    ]
    assert "nothing was crawled" not in render_markdown(d)


def test_radar_digest_after_crawl_and_enrich_without_index(tmp_path: Path) -> None:
    """`radar crawl; radar enrich; radar digest` lists the week (it said 'nothing was crawled')."""
    _store(tmp_path, _week(tmp_path)).close()
    out = tmp_path / "d.md"
    args = ["digest", "--week", WEEK, "--format", "md", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "nothing was crawled" not in text
    assert "Removed the v1 query filters" in text and "Patched SSRF" in text
    assert "the search index is 5 items behind: run `radar index`" in text


def test_an_empty_week_in_a_full_store_says_how_many_items_are_stored(tmp_path: Path) -> None:
    d = build_digest(None, _store(tmp_path, _week(tmp_path)), _Config(), "2026-W30")
    assert d.empty
    assert "(5 items are stored, none dated in this week)" in render_markdown(d)


def test_a_10000_item_week_fits_gmail_and_the_markdown_has_every_move(tmp_path: Path) -> None:
    kinds = ["launch", "fix", "security", "improvement"]
    items = [
        _release(
            ["acme", "globex"][n % 2],
            f"{n}.0.0",
            f"2026-11-{16 + n % 7}",
            [_change(f"Change {n} of the product line: item {k}", kinds[k], 0.1 * k) for k in range(4)],
        )
        for n in range(10_000)
    ]  # fmt: skip
    store = Store(tmp_path / "radar.db")
    store.upsert_items(items)
    d = build_digest(None, store, _Config(), WEEK)
    html = render_html(d)
    assert d.total == 10_000
    assert len(html.encode("utf-8")) < 102 * 1024  # Gmail clips larger messages
    assert d.rest["Acme Analytics"] == (
        "… and 19,995 more changes in 5,000 releases:"
        " 5,000 fixes, 5,000 improvements, 5,000 new features, 4,995 security fixes"
    )
    md = render_markdown(d)
    assert all(f"[{n}.0.0]" in md for n in range(0, 10_000, 97))  # the complete list


def test_a_release_without_changes_speaks_through_its_first_sentence(tmp_path: Path) -> None:
    item = _release("globex", "3.5.0", "2026-11-18", [], move="launch")
    item = Item(**{**item.__dict__, "body": "Globex Edge Functions are generally available. More."})
    item.move_type = "launch"
    d = build_digest(None, _store(tmp_path, [item]), _Config(), WEEK)
    assert [(h.text, h.release) for h in d.highlights["Globex Cloud"]] == [
        ("Globex Edge Functions are generally available", "3.5.0")
    ]
