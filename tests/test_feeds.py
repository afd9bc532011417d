"""Feed parsing, discovery and sniffing: golden pairs in tests/data/feeds plus unit cases."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawlers.feeds import discover_feeds, html_to_text, looks_like_feed, parse_feed
from radar.core.errors import ExtractionError

DATA = Path(__file__).parent / "data" / "feeds"
FEED_URL = "https://example.test/feed"
CASES = sorted(p for p in DATA.iterdir() if not p.name.endswith(".expected.json"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))


def test_there_are_golden_pairs() -> None:
    assert len(CASES) >= 12
    for case in CASES:
        assert case.with_name(case.stem + ".expected.json").exists(), case.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_golden_pair(path: Path) -> None:
    expected = _expected(path)
    if "error" in expected:
        with pytest.raises(ExtractionError, match=expected["error"]) as info:
            parse_feed(path.read_bytes(), FEED_URL)
        assert "\n" not in str(info.value)
    else:
        assert parse_feed(path.read_bytes(), FEED_URL).to_json() == expected


def test_full_entry_fields() -> None:
    feed = parse_feed((DATA / "rss20_basic.xml").read_bytes(), FEED_URL)
    first = feed.entries[0]
    assert feed.link == "https://acme.example/blog/"
    assert first.author == "Jane Roe"
    assert first.content == (
        "Offline sync\nEvery widget keeps a local journal.\nConflicts are merged on reconnect."
    )
    assert feed.entries[1].content == ""
    assert feed.warning is None


def test_atom_xhtml_content_and_xml_base() -> None:
    feed = parse_feed((DATA / "atom10_xmlbase.atom").read_bytes(), FEED_URL)
    assert feed.link == "https://hooli.example/changelog/"
    assert feed.entries[0].content == "Ranking is 40% faster.\nSee the query docs."
    assert feed.entries[0].author == "Gavin B."


def test_json_feed_content_and_author() -> None:
    feed = parse_feed((DATA / "jsonfeed11.json").read_bytes(), FEED_URL)
    assert feed.link == "https://umbrella.example/"
    assert feed.entries[0].content == "The Hive region is live.\nLatency drops by half."
    assert feed.entries[0].author == "A. Wesker"
    assert feed.entries[1].content == "Status page redesigned."


def test_json_feed_version_1_and_bom() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "T",
        "items": [{"id": "1", "url": "https://a.example/1", "author": {"name": "Ann"}}],
    }
    feed = parse_feed(b"\xef\xbb\xbf" + json.dumps(doc).encode(), FEED_URL)
    assert [(e.id, e.url, e.author) for e in feed.entries] == [("1", "https://a.example/1", "Ann")]


def test_recovered_entries_carry_a_one_line_warning() -> None:
    feed = parse_feed((DATA / "malformed_recoverable.xml").read_bytes(), FEED_URL)
    assert len(feed.entries) == 2
    assert feed.warning is not None
    assert "undefined entity" in feed.warning and "\n" not in feed.warning


def test_wrong_declared_encoding_is_recovered_with_warning() -> None:
    feed = parse_feed((DATA / "latin1_declared_utf8.xml").read_bytes(), FEED_URL)
    assert feed.entries[0].title == "Café opens at Cyberdyne"
    assert "windows-1252" in (feed.warning or "")


def test_charset_from_http_headers() -> None:
    body = (
        '<rss version="2.0"><channel><title>Новости</title><link>https://r.example/</link>'
        "<item><title>Привет, мир</title><link>https://r.example/1</link></item>"
        "</channel></rss>"
    ).encode("windows-1251")
    headers = {"Content-Type": "application/rss+xml; charset=windows-1251"}
    feed = parse_feed(body, FEED_URL, headers)
    assert (feed.title, feed.entries[0].title) == ("Новости", "Привет, мир")
    assert feed.warning is None


def test_whitespace_before_xml_declaration_is_not_a_warning() -> None:
    body = b"\n\n  " + (DATA / "rss20_basic.xml").read_bytes()
    feed = parse_feed(body, FEED_URL)
    assert feed.warning is None
    assert len(feed.entries) == 2


def test_junk_before_xml_declaration_is_skipped_with_warning() -> None:
    body = b"<b>Warning</b>: PHP notice\n" + (DATA / "rss20_basic.xml").read_bytes()
    feed = parse_feed(body, FEED_URL)
    assert len(feed.entries) == 2
    assert feed.warning is not None and "junk" in feed.warning


def test_garbage_in_xml_declaration_is_recovered() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf\xe2-8"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Caf\xc3\xa9</title><link>https://a.example/1</link></item></channel></rss>"
    )
    assert [e.title for e in parse_feed(body, FEED_URL).entries] == ["Café"]


def test_gzip_body_without_content_encoding() -> None:
    body = gzip.compress((DATA / "rss091.xml").read_bytes())
    assert [e.title for e in parse_feed(body, FEED_URL).entries][
        0
    ] == "Globex opens a Lisbon office"


def test_broken_gzip_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="gzip"):
        parse_feed(b"\x1f\x8b\x08\x00garbage", FEED_URL)


def test_well_formed_feed_without_entries_is_empty_not_an_error() -> None:
    body = b'<rss version="2.0"><channel><title>Quiet</title><link>https://q.example/</link></channel></rss>'
    feed = parse_feed(body, FEED_URL)
    assert (feed.title, feed.entries, feed.warning) == ("Quiet", [], None)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        b"\x00" * 10,
        b"\xff\xfe",
        b"{",
        b"[]",
        b'{"version": 3}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}',
        b"<",
        b"<<<>>>",
        b"<rss",
        b"<?xml version='1.0'?>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        b"\x1f\x8b",
        "<rss>\ud800</rss>".encode("utf-8", "surrogatepass"),
        bytes(range(256)),
    ],
)
def test_bad_input_raises_only_extraction_error(body: bytes) -> None:
    try:
        parse_feed(body, FEED_URL)
    except ExtractionError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_not_bytes_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="bytes"):
        parse_feed("<rss/>", FEED_URL)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- looks_like_feed


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0">', "text/html", True),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", None, True),
        (b"<!-- c --><rdf:RDF xmlns:rdf='x'>", None, True),
        ('<?xml version="1.0" encoding="utf-16"?><rss>'.encode("utf-16"), None, True),
        (b'{"version": "https:\\/\\/jsonfeed.org\\/version\\/1.1"}', "application/json", True),
        (b'{"data": []}', "application/json", False),
        (b"<!DOCTYPE html><html><head>", "application/rss+xml", False),
        (b"<html><body>", None, False),
        (b"", "application/atom+xml", True),
        (b"", "text/plain", False),
    ],
)
def test_looks_like_feed(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected


# --------------------------------------------------------------------------- discover_feeds

PAGE = """<!doctype html><html><head>
<base href="https://blog.example/sub/">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href=" /atom.xml ">
<link rel="alternate" type="application/feed+json" href="https://other.example/feed.json">
<link rel="alternate" type="application/json" href="https://blog.example/wp-json/wp/v2/pages/2">
<link rel="alternate" type="application/json+oembed" href="https://blog.example/oembed">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="feed.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml">
</head><body><link rel="alternate" type="application/json" href="/feed.json"></body></html>"""


def test_discover_feeds_in_order_absolute_and_deduplicated() -> None:
    assert discover_feeds(PAGE, "https://blog.example/post/1") == [
        "https://blog.example/sub/feed.xml",
        "https://blog.example/atom.xml",
        "https://other.example/feed.json",
        "https://blog.example/feed.json",
    ]


def test_discover_feeds_resolves_against_page_url_without_base() -> None:
    html = b'<html><head><link rel="alternate" type="application/atom+xml" href="../a.atom"></head></html>'
    assert discover_feeds(html, "https://x.example/blog/post/") == ["https://x.example/blog/a.atom"]


@pytest.mark.parametrize("html", ["", b"", "   ", "<html></html>", "plain text", b"\x00\xff"])
def test_discover_feeds_nothing_found(html: str | bytes) -> None:
    assert discover_feeds(html, "https://x.example/") == []


# --------------------------------------------------------------------------- html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", ""),
        ("plain   text\n\n here", "plain text\nhere"),
        ("<p>One</p><p>Two &amp; <b>three</b></p>", "One\nTwo & three"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<script>x()</script><style>p{}</style>kept<!-- hidden -->", "kept"),
        ("Fish &amp;amp; chips &eacute;", "Fish &amp; chips é"),
        ("<ul><li>a</li><li>b</li></ul>tail", "a\nb\ntail"),
        ('<?xml version="1.0" encoding="utf-8"?><p>x</p>', "x"),
        ("bad\x00\x08chars", "badchars"),
        ("<div>" * 3000 + "deep" + "</div>" * 3000, "deep"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
