"""The weekly digest: grouping, ranking, escaping, the empty week, a large week, and SMTP."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from radar.core.errors import ConfigError, DeliveryError
from radar.core.records import Item, item_id
from radar.core.settings import Settings
from radar.digest import build_digest, parse_week
from radar.digest_render import render_html, render_markdown, send_digest
from radar.store import Store
from search import get_backend
from search.indexer import Indexer
from tests.receivers import SmtpReceiver, free_port


class _Competitor:
    def __init__(self, cid: str, name: str):
        self.id, self.name, self.aliases = cid, name, ()


class _Config:
    competitors = [_Competitor("acme", "Acme Analytics"), _Competitor("globex", "Globex Cloud")]


def _item(
    source: str,
    title: str,
    day: str,
    competitor: str | None,
    move: str | None,
    kind: str = "changelog_entry",
    event: str | None = None,
    mentions: list[str] | None = None,
) -> Item:
    item = Item(
        id=item_id(source, f"https://{source}.example/", title),
        source_id=source,
        kind=kind,
        title=title,
        body=f"{title}. More text about it.",
        url=f"https://{source}.example/{abs(hash(title))}",
        competitor=competitor,
        published=day,
    )
    item.move_type, item.event_id, item.mentions = move, event, mentions or []
    item.themes = (
        [{"id": "security-compliance", "score": 0.8, "kind": "configured"}]
        if move == "security"
        else []
    )
    return item


def _store(tmp_path: Path, items: list[Item]) -> Store:
    store = Store(tmp_path / "radar.db")
    for item in items:
        store.upsert_item(item)
    store.save_enrichment(items)
    return store


def _digest(tmp_path: Path, items: list[Item], week: str = "2026-W47"):  # type: ignore[no-untyped-def]
    store = _store(tmp_path, items)
    backend = get_backend(Settings({"data_dir": str(tmp_path)}, env={}), tmp_path / "radar.db")
    Indexer(store, backend).run()
    try:
        return build_digest(backend, store, _Config(), week)
    finally:
        backend.close()


def test_moves_are_grouped_by_competitor_and_type_ranked_and_deduplicated(tmp_path: Path) -> None:
    items = [
        _item("acme-log", "Fixed a typo in exports", "2026-11-17", "acme", "fix"),
        _item(
            "acme-log",
            "Patched SSRF in webhooks",
            "2026-11-18",
            "acme",
            "security",
            event="ev-ssrf",
        ),
        _item(
            "acme-blog",
            "Security advisory: webhooks",
            "2026-11-18",
            "acme",
            "security",
            event="ev-ssrf",
        ),
        _item("globex-log", "Pro plan now $24", "2026-11-20", "globex", "pricing"),
        _item(
            "news",
            "Acme patches a webhook flaw",
            "2026-11-19",
            None,
            None,
            kind="news",
            mentions=["acme"],
        ),
        _item("acme-log", "Old release", "2026-11-02", "acme", "launch"),
    ]
    d = _digest(tmp_path, items)
    assert (d.week, d.start, d.end) == ("2026-W47", date(2026, 11, 16), date(2026, 11, 22))
    assert set(d.competitors["Acme Analytics"]) == {"fix", "security"}
    (security,) = d.competitors["Acme Analytics"]["security"]
    assert len(security.sources) == 2  # one event reported by two sources, shown once
    assert security.importance > d.competitors["Acme Analytics"]["fix"][0].importance
    assert [m.title for m in d.competitors["Globex Cloud"]["pricing"]] == ["Pro plan now $24"]
    assert [m.title for m in d.industry] == ["Acme patches a webhook flaw"]
    markdown = render_markdown(d)
    assert markdown.index("### Security") < markdown.index("### Fixes")  # important moves first
    assert "Old release" not in markdown


def test_crawled_text_is_escaped_and_the_html_has_no_scripts(tmp_path: Path) -> None:
    evil = _item(
        "acme-log",
        '<script>alert(1)</script><img src=x onerror="alert(2)">',
        "2026-11-18",
        "acme",
        "launch",
    )
    evil.url = "javascript:alert(3)"
    html = render_html(_digest(tmp_path, [evil]))
    assert "<script>" not in html and 'onerror="alert' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_an_empty_week_says_so(tmp_path: Path) -> None:
    d = _digest(tmp_path, [_item("acme-log", "Elsewhere", "2026-10-01", "acme", "launch")])
    assert d.empty
    assert "No items were recorded in week 2026-W47" in render_markdown(d)
    assert "No items were recorded in week 2026-W47" in render_html(d)


def test_a_week_of_10000_items_renders_in_bounded_time_and_size(tmp_path: Path) -> None:
    items = [
        _item(
            f"src{n % 50}",
            f"Release {n} of the product line",
            f"2026-11-{16 + n % 7}",
            ["acme", "globex"][n % 2],
            ["launch", "fix", "security", "pricing"][n % 4],
        )
        for n in range(10_000)
    ]
    started = time.monotonic()
    d = _digest(tmp_path, items)
    html = render_html(d)
    assert d.total == 10_000
    assert len(html) < 1_000_000  # long lists are cut per move type and counted
    assert "… and" in html
    assert time.monotonic() - started < 300


def test_parse_week_rejects_nonsense() -> None:
    with pytest.raises(ConfigError, match="--week must look like 2026-W47"):
        parse_week("last week")


def test_send_through_a_real_smtp_server_and_a_server_that_is_down(tmp_path: Path) -> None:
    d = _digest(
        tmp_path, [_item("acme-log", "Patched SSRF in webhooks", "2026-11-18", "acme", "security")]
    )
    with SmtpReceiver() as smtp:
        settings = Settings(
            {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_from": "radar@example.com"},
            env={},
        )
        send_digest(d, settings, ["pm@example.com", "cto@example.com"])
        (message,) = smtp.messages
        assert sorted(message.rcpt_tos) == ["cto@example.com", "pm@example.com"]
        assert b"Patched SSRF in webhooks" in message.content and b"text/html" in message.content
        smtp.refuse = True
        with pytest.raises(DeliveryError, match="could not send the digest"):
            send_digest(d, settings, ["pm@example.com"])
    down = Settings({"smtp_host": "127.0.0.1", "smtp_port": free_port()}, env={})
    with pytest.raises(DeliveryError, match="could not send the digest through 127.0.0.1"):
        send_digest(d, down, ["pm@example.com"])
