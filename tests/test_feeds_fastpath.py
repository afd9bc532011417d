"""The lxml fast path of parse_feed gives exactly what the feedparser path gives, or steps aside."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import resolve_relative_uris

from crawlers.feeds import ParsedFeed, _parse_feed
from crawlers.feeds_fast import _Walker, fast_parse
from radar.core.errors import ExtractionError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "feeds"
CORPUS = ROOT / ".." / "shared" / "corpus" / "feeds"
URL = "https://example.test/feed"
HEADERS = {"content-type": "application/xml", "content-location": URL}
GOLDEN = sorted(p for p in DATA.iterdir() if not p.name.endswith(".expected.json"))


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    spec = importlib.util.spec_from_file_location("eval_feeds", ROOT / "bench" / "eval_feeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.feed_files(CORPUS))


def _synthetic(count: int = 12) -> list[bytes]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import crawl_bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rng = random.Random(3)
    return [
        crawl_bench.feed(rng, f"acme-{i}", "acme").replace("{{BASE_URL}}", "http://h.test").encode()
        for i in range(count)
    ]


def _both(body: bytes, headers: dict[str, str] | None = None) -> tuple[object, object]:
    out = []
    for fast in (True, False):
        try:
            out.append(_parse_feed(body, URL, headers or {}, fast=fast))
        except ExtractionError as exc:
            out.append(("error", str(exc)))
    return out[0], out[1]


def _takes_fast_path(body: bytes, headers: dict[str, str] | None = None) -> bool:
    return fast_parse(body, URL, {**HEADERS, **(headers or {})}) is not None


def _assert_same(fast: object, slow: object) -> None:
    assert isinstance(fast, ParsedFeed) and isinstance(slow, ParsedFeed)
    assert (fast.title, fast.link, fast.warning) == (slow.title, slow.link, slow.warning)
    assert len(fast.entries) == len(slow.entries)
    for mine, theirs in zip(fast.entries, slow.entries, strict=True):
        assert mine.__dict__ == theirs.__dict__


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_feeds_same_on_both_paths(path: Path) -> None:
    fast, slow = _both(path.read_bytes())
    if _takes_fast_path(path.read_bytes()):
        _assert_same(fast, slow)
    else:
        assert fast == slow


def test_fast_path_is_taken_for_ordinary_golden_feeds() -> None:
    taken = {p.name for p in GOLDEN if _takes_fast_path(p.read_bytes())}
    assert {"rss20_basic.xml", "html_in_titles.xml", "missing_dates.xml"} <= taken
    assert not taken & {"rss091.xml", "rss10_rdf.xml", "atom03.atom", "malformed_recoverable.xml"}


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS.resolve()}")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_feeds_same_on_both_paths(path: Path) -> None:
    body = path.read_bytes()
    fast, slow = _both(body)
    if isinstance(slow, ParsedFeed) and isinstance(fast, ParsedFeed):
        _assert_same(fast, slow)
    else:
        assert fast == slow


def test_synthetic_crawl_feeds_take_the_fast_path_and_match() -> None:
    for body in _synthetic():
        assert _takes_fast_path(body)
        _assert_same(*_both(body))


RSS = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"{ns}><channel><title>T</title>'
    "<link>https://s.example/</link><item>{item}</item></channel></rss>"
)
ITEM = (
    "<title>A</title><link>/a</link><guid>g1</guid><pubDate>Tue, 03 Jun 2025 09:39:21 GMT</pubDate>"
)


def _rss(item: str = ITEM, ns: str = "") -> bytes:
    return RSS.format(item=item, ns=ns).encode()


def test_ordinary_rss_variants_match() -> None:
    cases = [
        _rss(),
        _rss(ITEM + "<description><![CDATA[<p>Hi &amp; <b>there</b><script>x</script></p>]]>"
             "</description>"),
        _rss(ITEM + "<description>Fish &amp;amp; chips &#150; caf\u00c3\u00a9</description>"),
        _rss("<title>AT&amp;amp;T &lt;b&gt;bold&lt;/b&gt;</title><guid isPermaLink='false'>x</guid>"),
        _rss("<title>Only guid</title><guid>https://s.example/p?a=1&amp;b=2</guid>"),
        _rss(ITEM + "<content:encoded><![CDATA[<p>Full</p>]]></content:encoded>"
             "<description>Short</description><dc:creator>Ann</dc:creator>",
             ns=' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
             ' xmlns:dc="http://purl.org/dc/elements/1.1/"'),
        _rss(ITEM.replace("Tue, 03 Jun 2025 09:39:21 GMT", "not a date")),
        _rss(ITEM + '<media:content url="https://m.example/x.jpg"/><wfw:commentRss>/c</wfw:commentRss>',
             ns=' xmlns:media="http://search.yahoo.com/mrss/"'
             ' xmlns:wfw="http://wellformedweb.org/CommentAPI/"'),
    ]  # fmt: skip
    for body in cases:
        assert _takes_fast_path(body), body
        _assert_same(*_both(body))


def test_charset_from_http_header_is_honoured() -> None:
    body = _rss("<title>Привет</title>").replace(b"utf-8", b"windows-1251")
    body = body.decode("utf-8").encode("windows-1251")
    headers = {"content-type": "application/rss+xml; charset=windows-1251"}
    assert _takes_fast_path(body, headers)
    _assert_same(*_both(body, headers))


ODD = {
    "rss 0.91": _rss().replace(b'version="2.0"', b'version="0.91"'),
    "rdf": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel>'
    b"<item><title>A</title></item></rdf:RDF>",
    "atom 0.3": b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>'
    b"<entry><title>A</title></entry></feed>",
    "doctype": _rss().replace(b"\n<rss", b'\n<!DOCTYPE rss [<!ENTITY x "y">]><rss'),
    "undefined entity": _rss("<title>A&nbsp;B</title>"),
    "not well-formed": _rss("<title>A</title"),
    "undeclared cp1252": _rss("<title>caf\xe9</title>".encode("latin-1").decode("utf-8", "replace"))
    .replace("\ufffd".encode(), b"\xe9"),
    "utf-16": _rss().decode().replace("utf-8", "utf-16").encode("utf-16"),
    "xml:base": _rss(ITEM.replace("<link>", '<link xml:base="https://o.example/">')),
    "itunes author": _rss(ITEM + "<itunes:author>Bob</itunes:author>",
                          ns=' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'),
    "media title": _rss(ITEM + "<media:title>M</media:title>",
                        ns=' xmlns:media="http://search.yahoo.com/mrss/"'),
    "unknown ns reusing a handled prefix": _rss(ITEM + "<dc:title>X</dc:title>",
                                                ns=' xmlns:dc="urn:other"'),
    "repeated title": _rss(ITEM + "<title>B</title>"),
    "markup inside title": _rss("<title>A <b>bold</b></title>"),
    "content in RSS": _rss(ITEM + "<content>x</content>"),
    "xhtml atom content": b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>'
    b'<title>A</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
    b"</content></entry></feed>",
    "no items": _rss("").replace(b"<item></item>", b""),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_inputs_fall_back(name: str) -> None:
    body = ODD[name]
    assert not _takes_fast_path(body)
    fast, slow = _both(body)
    assert fast == slow


def test_text_xml_without_charset_and_non_ascii_falls_back() -> None:
    body = _rss("<title>café</title>")
    assert not _takes_fast_path(body, {"content-type": "text/xml"})
    assert _takes_fast_path(body, {"content-type": "application/rss+xml"})


def test_gzip_is_left_to_the_caller() -> None:
    import gzip

    assert fast_parse(gzip.compress(_rss()), URL, HEADERS) is None


def test_plain_text_shortcut_matches_feedparser_sanitizer() -> None:
    rng = random.Random(5)
    alphabet = "ab é\n\r\t>\"'=/;#!-xyz\u00a0\u2028"
    walker = _Walker(_rss(), URL, HEADERS)
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))).strip()
        slow = _sanitize_html(
            resolve_relative_uris(text, URL, "utf-8", "text/html"), "utf-8", "text/html"
        )
        assert walker.sanitize(text, "text/html") == slow, repr(text)
