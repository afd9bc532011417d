"""Crawled text in the digest is inert: Markdown and HTML (issue 10.3)."""

from __future__ import annotations

import re
from datetime import date

from radar.digest import Digest, Move
from radar.digest_render import render_html, render_markdown

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _move(title: str, url: str, sources: list[tuple[str, str]] | None = None) -> Move:
    return Move(
        title=title, url=url, day="2026-11-18", kind="changelog_entry", move_type="launch",
        themes=[], sources=sources or [("acme-log", url)], importance=1.0,
    )  # fmt: skip


def _digest(*moves: Move, **extra: object) -> Digest:
    d = Digest("2026-W47", date(2026, 11, 16), date(2026, 11, 22), total=len(moves), **extra)  # type: ignore[arg-type]
    d.competitors = {"Acme": {"launch": list(moves)}}
    return d


def _links(markdown: str) -> list[str]:
    """Targets of every live Markdown link or image: an unescaped `](`."""
    return re.findall(r"(?<!\\)\]\(([^)\s]*)", markdown)


def test_raw_html_in_a_title_stays_text() -> None:
    md = render_markdown(
        _digest(_move('<img src="https://evil.example/t.gif"> New', "https://a.example/1"))
    )
    assert re.search(r"(?<!\\)<", md) is None and "\\<img" in md  # shown, not loaded
    assert _links(md) == ["https://a.example/1"] * 2


def test_only_http_links_survive() -> None:
    moves = [
        _move("one", "javascript:alert(1)"),
        _move("two", "data:text/html;base64,PHNjcmlwdD4="),
        _move("three", "https://a.example/3", sources=[("x", "JavaScript:alert(2)")]),
    ]
    md = render_markdown(_digest(*moves))
    assert all(link.startswith("https://") for link in _links(md)), _links(md)
    assert "one" in md and "two" in md  # the move is listed, without a link


def test_a_parenthesis_in_a_url_cannot_open_an_injected_image() -> None:
    url = "https://a.example/x)![pixel](https://evil.example/p.gif"
    md = render_markdown(_digest(_move("fine", url)))
    assert "![pixel](https://evil" not in md
    assert all(link.startswith("https://a.example/x") for link in _links(md)), _links(md)
    assert "evil.example" not in "".join(re.findall(r"(?<!\\)!\[[^\]]*\]\(([^)]*)", md))


def test_a_title_cannot_inject_a_link_image_or_emphasis() -> None:
    md = render_markdown(
        _digest(
            _move(
                "[Reset](https://evil.example/phish) ![p](https://evil.example/p)",
                "https://a.example/1",
            )
        )
    )
    assert _links(md) == ["https://a.example/1"] * 2


def test_bidi_overrides_are_removed_and_titles_cut() -> None:
    title = "Invoice \u202egpj.exe\u202c " + "A" * 9_000_000
    broken = [{"id": "src", "last_error": "\u2066boom\u2069 " * 100_000, "suspect": None}]
    d = _digest(_move(title, "https://a.example/1"), broken=broken)
    for out in (render_markdown(d), render_html(d)):
        assert not set(out) & BIDI
        assert "Invoice gpj.exe" in out
        assert len(out) < 20_000


def test_html_has_no_tag_and_no_foreign_scheme() -> None:
    d = _digest(_move('<img src="https://evil.example/t.gif">', "data:text/html,x"))
    html = render_html(d)
    assert '<img src="https://evil' not in html and 'href="data:' not in html
