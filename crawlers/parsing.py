"""What a source's responses say, as plain data: the pure half of a crawl.

:func:`parse_job` turns one fetched response (a picklable :class:`Fetched`) into a list of
outputs: :class:`Emit` (an item the crawl may keep), :class:`FollowUp` (a request to make),
:class:`Note` (a warning, a 304, validators, a page's text) and at most one :class:`Failed`,
last. It touches no store and no reactor, so it runs the same in the crawl's process or in a
parse worker (:mod:`crawlers.parsepool`); the stateful half (duplicates, unchanged items, the
result) is :class:`crawlers.sources.SourceCrawl`.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy.http import Headers, Response, TextResponse
from scrapy.utils.misc import load_object
from w3lib.encoding import http_content_type_encoding

from crawlers.articles import extract_article
from crawlers.changelog import ChangelogEntry, segment
from crawlers.feeds import FeedEntry, discover_feeds, parse_feed
from crawlers.pagewatch import visible_text
from crawlers.render import empty_shell
from radar.core.config import SourceConfig
from radar.core.errors import ExtractionError, RadarError
from radar.core.records import Item, item_id, sha1

_VERSION_RE = re.compile(r"v?(\d+(?:\.\d+)+(?:[-+][\w.]+)?)")


@dataclass
class FollowUp:
    """A request to make for a source; ``parse`` names the :class:`SourceParser` method."""

    url: str
    parse: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Emit:
    item: Item
    fingerprint: str | None = None
    where: str = "on the page"
    fetch_url: str | None = None


@dataclass
class Note:
    """``warning`` (text), ``not_modified``, ``validators`` (url, dict) or ``page`` (PageText)."""

    kind: str
    value: Any = None


@dataclass
class PageText:
    url: str
    text: str
    hash: str
    title: str | None


@dataclass
class Failed:
    """The parse failed: ``message`` is the source's error line; ``trace`` is set for a bug."""

    message: str
    trace: str | None = None


@dataclass
class Fetched:
    """A response as plain data: rebuilt as the same Scrapy response class where it is parsed."""

    cls: str
    url: str
    status: int
    headers: dict[bytes, list[bytes]]
    body: bytes

    @classmethod
    def of(cls, response: Response) -> Fetched:
        kind = type(response)
        headers = {bytes(k): list(v) for k, v in response.headers.items()}
        name = f"{kind.__module__}.{kind.__qualname__}"
        return cls(name, response.url, response.status, headers, response.body)

    def response(self) -> Response:
        kind = load_object(self.cls)
        return kind(self.url, status=self.status, headers=Headers(self.headers), body=self.body)  # type: ignore[no-any-return]


@dataclass
class ParseJob:
    """Everything one parse needs: the source, the response, and the request's parse meta."""

    source: SourceConfig
    start_url: str
    now: str
    parse: str
    fetched: Fetched
    meta: dict[str, Any] = field(default_factory=dict)


def parse_job(job: ParseJob, response: Response | None = None) -> list[Any]:
    """The outputs of one response, in order; a failure is the last output and ends the list.

    ``response`` saves rebuilding it from ``job.fetched`` when parsing in the crawl's process.
    """
    parser = SourceParser(job.source, job.start_url, job.now)
    response = job.fetched.response() if response is None else response
    out: list[Any] = []
    try:
        out.extend(getattr(parser, job.parse)(response, job.meta))
    except RadarError as exc:
        shell = None if job.source.render else empty_shell(response.body)
        out.append(Failed(f"{exc}; {shell}" if shell else str(exc)))
    except Exception as exc:  # bad input must never stop the run
        reason = f"internal error while parsing {response.url} ({type(exc).__name__}: {exc})"
        out.append(Failed(reason, traceback.format_exc()))
    return out


class SourceParser:
    """The parsers of one source: response in, outputs out."""

    def __init__(self, source: SourceConfig, start_url: str, now: str):
        self.source = source
        self.start_url = start_url
        self.now = now

    def new_item(self, kind: str, key: str, **fields: Any) -> Item:
        return Item(
            id=item_id(self.source.id, self.start_url, key),
            source_id=self.source.id,
            competitor=self.source.competitor,
            kind=kind,
            **fields,
        )

    def parse_start(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        if response.status == 304:
            yield Note("not_modified")
            return
        yield Note("validators", (self.start_url, validators(response)))
        parsers = {
            "changelog": self.parse_changelog,
            "feed": self.parse_feed,
            "github_releases": self.parse_feed,
            "page": self.parse_page,
        }
        yield from parsers[self.source.type](response, meta)

    # -- changelog ----------------------------------------------------------------------------
    def parse_changelog(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        entries = segment(
            body_of(response), response.url, content_type(response), self.source.selectors or None
        )
        if not entries:
            raise ExtractionError(
                f"no release entries found on {response.url} ({describe_body(response)})"
            )
        for entry in entries:
            yield Emit(self.changelog_item(entry))

    def changelog_item(self, entry: ChangelogEntry) -> Item:
        key = entry.version or entry.anchor or entry.title
        return self.new_item(
            "changelog_entry",
            key,
            title=entry.title,
            body=entry.body,
            url=entry.url,
            version=entry.version,
            published=entry.date,
            changes=entry.changes,
        )

    # -- feeds and GitHub releases -------------------------------------------------------------
    def parse_feed(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        try:
            feed = parse_feed(response.body, response.url, header_map(response))
        except ExtractionError:
            found = discover_feeds(body_of(response), response.url) if is_html(response) else []
            if not found or meta.get("discovered"):
                raise
            yield FollowUp(found[0], "parse_feed", {"discovered": True})
            return
        if feed.warning:
            yield Note("warning", feed.warning)
        if not feed.entries:
            yield Note("warning", "the feed has no entries")
        for entry in feed.entries:
            yield self.feed_entry(entry)

    def feed_entry(self, entry: FeedEntry) -> Emit:
        if self.source.type == "github_releases":
            kind = "release"
        else:
            kind = "blog" if self.source.competitor else "news"
        item = self.new_item(
            kind,
            entry.id,
            title=entry.title or entry.url,
            body=entry.content or entry.summary,
            url=entry.url,
            version=release_version(entry) if kind == "release" else None,
            published=entry.published,
        )
        if not entry.published:
            item.published = self.now
            item.extra["published_from"] = "first_seen"
        fingerprint = sha1(entry.title, entry.summary, entry.content, entry.url)[:20]
        fetch = entry.url if self.source.full_text else None
        return Emit(item, fingerprint, "in the feed", fetch)

    def parse_article(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        """The full text of a feed item; when it cannot be extracted, the feed summary stays."""
        item: Item = meta["item"]
        try:
            article = extract_article(body_of(response), response.url)
        except ExtractionError as exc:
            yield Note("warning", f"article {item.url}: {exc}; kept the feed summary")
            yield item
            return
        item.body = article.text
        item.content_hash = ""
        item.__post_init__()
        yield item

    # -- page watch -----------------------------------------------------------------------------
    def parse_page(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            raise ExtractionError(
                f"not a web page: got {content_type(response) or 'unknown content'}"
            )
        text = visible_text(response.text, self.source.selector)
        if not text:
            where = f" matching selector {self.source.selector!r}" if self.source.selector else ""
            raise ExtractionError(f"the page has no visible text{where}")
        yield Note("page", PageText(response.url, text, sha1(text)[:20], page_title(response)))


def release_version(entry: FeedEntry) -> str | None:
    tag = entry.id.rsplit("/", 1)[-1]
    for text in (tag, entry.title):
        match = _VERSION_RE.search(text or "")
        if match:
            return match.group(1)
    return None


def validators(response: Response) -> dict[str, str]:
    out = {}
    for header, key in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
        value = response.headers.get(header)
        if value:
            out[key] = value.decode("latin-1")
    return out


def header_map(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }


def content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def is_html(response: Response) -> bool:
    ctype = (content_type(response) or "").lower()
    return "html" in ctype or response.body.lstrip()[:200].lower().startswith(
        (b"<!doctype html", b"<html")
    )


def body_of(response: Response) -> str | bytes:
    """The body as text when the HTTP header names its charset; else the bytes, which the
    extractors decode themselves (BOM, then the document's own declaration, then UTF-8)."""
    charset = http_content_type_encoding(content_type(response) or "")
    if charset:
        try:
            return response.body.decode(charset, errors="replace")
        except LookupError:
            pass
    return response.body


def describe_body(response: Response) -> str:
    size = len(response.body)
    return (
        "empty response"
        if not response.body.strip()
        else f"{size} bytes of {content_type(response) or 'unknown type'}"
    )


def page_title(response: Response) -> str | None:
    if not isinstance(response, TextResponse):
        return None
    title = (
        response.xpath("normalize-space(//title)").get()
        or response.xpath("normalize-space(//h1)").get()
    )
    return title or None
