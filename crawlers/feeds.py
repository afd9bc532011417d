"""Feed parsing (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1/1.1) and feed auto-discovery.

Pure functions: bytes in, dataclasses out, no network. Content that cannot be turned into
entries raises :class:`~radar.core.errors.ExtractionError` with one readable line; no other
exception escapes :func:`parse_feed`.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from crawlers.feeds_fast import fast_parse
from crawlers.feeds_json import parse_json_feed
from crawlers.feeds_model import (
    FeedEntry,
    ParsedFeed,
    absolute,
    hash_id,
    one_line,
    string_to_iso,
    struct_to_iso,
)
from crawlers.text import collapse, html_to_text
from radar.core.errors import ExtractionError

__all__ = [
    "FeedEntry",
    "ParsedFeed",
    "collapse",
    "discover_feeds",
    "html_to_text",
    "looks_like_feed",
    "parse_feed",
]

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
# feedparser sets bozo for these although the document parsed fine.
BENIGN_BOZO = (feedparser.NonXMLContentType,)
MAX_GUNZIPPED = 64 * 1024 * 1024


# --------------------------------------------------------------------------- text helpers


def _detail_text(value: str | None, detail: Mapping[str, Any] | None) -> str:
    """Text of a feedparser text construct, stripping markup only when it is HTML."""
    if not value:
        return ""
    ctype = str((detail or {}).get("type") or "text/html")
    return html_to_text(value) if "html" in ctype else collapse(value, keep_lines=True)


# --------------------------------------------------------------------------- sniffing

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_LEADING_MARKUP = re.compile(
    rb"^\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!doctype[^>]*>\s*)*", re.S | re.I
)


def _head(body: bytes, size: int = 2048) -> bytes:
    """The start of the document as lower-case ASCII-ish bytes (UTF-16 folded), BOMs dropped."""
    head = body[: size * 2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        head = head.replace(b"\x00", b"")
    while head.startswith(_BOMS):
        head = head[3:] if head.startswith(_BOMS[0]) else head[2:]
    return head[:size].lower()


def _root_tag(body: bytes) -> str:
    """Name of the first element (after XML declaration, comments, doctype), lower-case."""
    head = _LEADING_MARKUP.sub(b"", _head(body), count=1)
    match = re.match(rb"<([a-z][\w.:-]*)", head)
    return match.group(1).decode("ascii", "replace") if match else ""


def _looks_like_html(body: bytes) -> bool:
    head = _head(body)
    return _root_tag(body) in ("html", "head", "body") or b"<!doctype html" in head[:200]


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    """Whether a response is probably a feed (by its first element, else its content type)."""
    root = _root_tag(body)
    if root in ("rss", "feed", "rdf:rdf", "rdf"):
        return True
    ctype = (content_type or "").split(";")[0].strip().lower()
    if _head(body).lstrip().startswith(b"{"):
        marker = b"jsonfeed.org/version" in _head(body, 8192).replace(b"\\/", b"/")
        return marker or ctype == "application/feed+json"
    if root in ("html", "head", "body"):
        return False
    return ctype in FEED_TYPES - {"application/json"} or ctype == "application/rdf+xml"


def _maybe_gunzip(body: bytes) -> bytes:
    """Gzip bytes stored or served without Content-Encoding are common in the wild."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            data = fh.read(MAX_GUNZIPPED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ExtractionError(f"gzip-compressed body could not be decompressed: {exc}") from None
    if len(data) > MAX_GUNZIPPED:
        raise ExtractionError("gzip-compressed body is larger than 64 MiB once decompressed")
    return data


# --------------------------------------------------------------------------- parsing


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse an RSS, Atom or JSON Feed document fetched from ``url``.

    ``headers`` are the HTTP response headers (charset and content location are honoured).
    Raises ExtractionError, and only that, when no entries can be used.
    """
    try:
        return _parse_feed(body, url, headers or {})
    except ExtractionError:
        raise
    except Exception as exc:  # bad web input must not crash a run; keep the reason
        logger.exception("unexpected error while parsing feed %s", url)
        raise ExtractionError(
            f"malformed feed, the parser failed on it ({type(exc).__name__}: {one_line(exc)})"
        ) from exc


def _parse_feed(
    body: bytes, url: str, headers: Mapping[str, str], *, fast: bool = True
) -> ParsedFeed:
    """``fast=False`` skips the lxml fast path (tests compare both paths)."""
    if not isinstance(body, bytes | bytearray):
        raise ExtractionError(f"feed body must be bytes, got {type(body).__name__}")
    body = _maybe_gunzip(bytes(body))
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ExtractionError("empty response: no feed content")
    if _head(body).lstrip().startswith((b"{", b"[")):
        return parse_json_feed(body, url)
    body, junk = _strip_leading_junk(body)
    response_headers = {k.lower(): v for k, v in headers.items()}
    response_headers.setdefault("content-type", "application/xml")
    response_headers["content-location"] = url
    parsed = fast_parse(body, url, response_headers) if fast else None
    if parsed is None:
        parsed = _feedparser(body, response_headers)
    if not parsed["entries"]:
        _raise_for_empty(parsed, body)
    atom = str(parsed.get("version", "")).startswith("atom")
    entries = [_entry_from_feedparser(e, url, atom) for e in parsed["entries"]]
    feed = parsed.get("feed", {})
    title = _detail_text(feed.get("title"), feed.get("title_detail")).replace("\n", " ")
    return ParsedFeed(
        title=title,
        link=absolute(feed.get("link"), url) or None,
        entries=entries,
        warning=_bozo_reason(parsed) if _is_bad_bozo(parsed) else junk,
    )


_XML_DECL = re.compile(r"^\ufeff?\s*<\?xml[^>]*>")


def _feedparser(body: bytes, headers: dict[str, str]) -> Any:
    try:
        return feedparser.parse(body, response_headers=headers, sanitize_html=True)
    except (UnicodeError, ValueError, LookupError) as exc:
        # feedparser's charset sniffing trips on bad bytes in the XML declaration or on NULs:
        # retry once with the text decoded here, declaration dropped, as UTF-8.
        logger.info("feedparser failed (%r); retrying with the document re-encoded", exc)
        text = _XML_DECL.sub("", body.decode("utf-8", "replace")).replace("\x00", "")
        utf8 = {**headers, "content-type": "application/xml; charset=utf-8"}
        return feedparser.parse(text.encode("utf-8"), response_headers=utf8, sanitize_html=True)


def _strip_leading_junk(body: bytes) -> tuple[bytes, str | None]:
    """Drop whitespace or junk (PHP warnings, HTML) before the XML declaration.

    Expat refuses a declaration that is not at the very start; feedparser then falls back to
    its loose parser, which handles namespaces and content less well.
    """
    bom = b"\xef\xbb\xbf" if body.startswith(b"\xef\xbb\xbf") else b""
    pos = body.find(b"<?xml", len(bom), 4096)
    if pos <= len(bom):
        return body, None
    prefix = body[len(bom) : pos]
    if not prefix.strip(b" \t\r\n\xef\xbb\xbf"):
        return bom + body[pos:], None
    return bom + body[pos:], f"ignored {len(prefix)} bytes of junk before the XML declaration"


def _raise_for_empty(parsed: Any, body: bytes) -> None:
    """A document without entries: fine when it is a well-formed feed, an error otherwise."""
    if _looks_like_html(body) and not parsed.get("version"):
        raise ExtractionError(
            "not a feed: got an HTML page (use type: page, or auto-discovery on the page URL)"
        )
    if _is_bad_bozo(parsed):
        raise ExtractionError(f"malformed feed, no entries recovered: {_bozo_reason(parsed)}")
    if not parsed.get("version"):
        root = _root_tag(body) or "?"
        raise ExtractionError(f"not a feed: document starts with <{root}>, not RSS, Atom or JSON")


def _is_bad_bozo(parsed: Any) -> bool:
    return bool(parsed.get("bozo")) and not isinstance(parsed.get("bozo_exception"), BENIGN_BOZO)


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    line = getattr(exc, "getLineNumber", lambda: None)()
    where = f" (line {line})" if line else ""
    return f"{type(exc).__name__}: {one_line(exc)}{where}"


def _entry_from_feedparser(e: Any, feed_url: str, atom: bool) -> FeedEntry:
    title = _detail_text(e.get("title"), e.get("title_detail")).replace("\n", " ")
    link = _entry_link(e, feed_url, atom)
    # dict.get: FeedParserDict maps updated -> published with a DeprecationWarning
    published = struct_to_iso(dict.get(e, "published_parsed") or dict.get(e, "updated_parsed"))
    if published is None:
        published = string_to_iso(dict.get(e, "published") or dict.get(e, "updated"))
    summary = _detail_text(e.get("summary"), e.get("summary_detail"))
    content = "\n".join(
        t for t in (_detail_text(c.get("value"), c) for c in e.get("content") or []) if t
    )
    author = collapse(str(e.get("author") or "")) or None
    entry_id = collapse(str(e.get("id") or "")) or link or hash_id(title, published)
    return FeedEntry(entry_id, title, link, published, summary, content, author)


def _entry_link(e: Any, feed_url: str, atom: bool) -> str:
    """The entry's web page: its link, else an RSS permalink guid; http(s) URLs only.

    feedparser copies an Atom <id> into ``link`` when there is no link; an Atom id is a name
    (often a tag: URI), not an address, so that copy is ignored.
    """
    candidates = [e.get("link")] if not (atom and e.get("guidislink")) else []
    candidates += [x.get("href") for x in e.get("links") or [] if x.get("rel") == "alternate"]
    for candidate in candidates:
        link = absolute(candidate, feed_url)
        if urlsplit(link).scheme in ("http", "https"):
            return link
    return ""


# --------------------------------------------------------------------------- discovery


def discover_feeds(html: str | bytes, url: str) -> list[str]:
    """Absolute URLs of the ``<link rel="alternate">`` feeds of an HTML page, in page order."""
    if not html.strip():
        return []
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    parser = etree.HTMLParser(encoding="utf-8" if isinstance(html, str) else None)
    try:
        root = etree.fromstring(data, parser)
    except (etree.ParserError, ValueError):
        return []
    if root is None:
        return []
    base = urljoin(url, (root.xpath("string(//base/@href)") or "").strip())
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        ctype = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or ctype not in FEED_TYPES or not href:
            continue
        if ctype == "application/json" and "/wp-json/" in href:
            continue  # WordPress REST API resource, not a feed
        feed_url = absolute(href, base)
        if urlsplit(feed_url).scheme in ("http", "https") and feed_url not in found:
            found.append(feed_url)
    return found
