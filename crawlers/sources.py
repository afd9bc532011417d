"""What a crawl does with each source type, as plain objects the spider drives.

A :class:`SourceCrawl` turns the responses of one source into items and exactly one
:class:`SourceResult`. Follow-up requests (article pages, auto-discovered feeds) are returned as
:class:`FollowUp` objects; the spider turns them into Scrapy requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from scrapy.http import Response, TextResponse
from w3lib.encoding import http_content_type_encoding

from crawlers.articles import extract_article
from crawlers.changelog import ChangelogEntry, segment
from crawlers.credentials import auth_meta, redact, strip_credentials
from crawlers.feeds import FeedEntry, discover_feeds, parse_feed
from crawlers.pagewatch import change_body, diff_lines, visible_text
from radar.core.config import Config, SourceConfig
from radar.core.errors import ExtractionError
from radar.core.protocols import CrawlStore
from radar.core.records import Item, SourceResult, item_id, sha1, utcnow
from radar.core.settings import Settings

_VERSION_RE = re.compile(r"v?(\d+(?:\.\d+)+(?:[-+][\w.]+)?)")


@dataclass
class FollowUp:
    url: str
    parse: Callable[[Response], Iterator[Any]]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourceDone:
    """A source's last item: its result, and the source as the store records it (URL redacted)."""

    source: SourceConfig
    result: SourceResult


def start_url(source: SourceConfig, settings: Settings) -> str:
    """The first URL of a source, without credentials (they travel as request meta)."""
    if source.url:
        return strip_credentials(source.url)[0]
    return f"{settings['github_base_url'].rstrip('/')}/{source.repo}/releases.atom"


class SourceCrawl:
    """The state of one source during one crawl."""

    def __init__(self, source: SourceConfig, config: Config, settings: Settings, store: CrawlStore):
        self.source = source
        self.store = store
        self.start_url = start_url(source, settings)
        self.auth = auth_meta(source.url, source.auth) if source.url else {}
        self.shown = replace(source, url=redact(source.url), auth=None)
        self.known = store.known_hashes(source.id)
        self.result = SourceResult(source.id, ok=True, removals=source.type == "changelog")
        self.seen: set[str] = set()
        self.pending = 0
        self.done = False
        self.now = utcnow()

    # -- bookkeeping ------------------------------------------------------------------------
    def fail(self, reason: str) -> None:
        if self.result.ok:
            self.result.ok = False
            self.result.error = reason

    def finish_if_done(self, force: bool = False) -> Iterator[SourceDone]:
        if not self.done and (self.pending <= 0 or force):
            self.done = True
            self.result.seen_ids = sorted(self.seen)
            yield SourceDone(self.shown, self.result)

    def emit(
        self,
        item: Item,
        fingerprint: str | None = None,
        where: str = "on the page",
        fetch_url: str | None = None,
    ) -> Iterator[Item | FollowUp]:
        """Yield a new or changed item (or, with ``fetch_url``, the request for its full text);
        skip a duplicate on this page with a reason, and an item unchanged since last time."""
        if item.id in self.seen:
            self.result.skipped.append(f"duplicate entry {item.title!r} {where}: kept the first")
            return
        self.seen.add(item.id)
        if fingerprint:
            item.extra["fingerprint"] = fingerprint
        if self.known.get(item.id) == (fingerprint or item.content_hash):
            return
        if fetch_url:
            yield FollowUp(fetch_url, self.parse_article, {"item": item})
        else:
            yield item

    def new_item(self, kind: str, key: str, **fields: Any) -> Item:
        return Item(
            id=item_id(self.source.id, self.start_url, key),
            source_id=self.source.id,
            competitor=self.source.competitor,
            kind=kind,
            **fields,
        )

    # -- entry point --------------------------------------------------------------------------
    def parse_start(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.result.not_modified = True
            return
        self.result.validators[self.start_url] = validators(response)
        parsers = {
            "changelog": self.parse_changelog,
            "feed": self.parse_feed,
            "github_releases": self.parse_feed,
            "page": self.parse_page,
        }
        yield from parsers[self.source.type](response)

    # -- changelog ----------------------------------------------------------------------------
    def parse_changelog(self, response: Response) -> Iterator[Any]:
        entries = segment(
            body_of(response), response.url, content_type(response), self.source.selectors or None
        )
        if not entries:
            raise ExtractionError(
                f"no release entries found on {response.url} ({describe_body(response)})"
            )
        for entry in entries:
            yield from self.emit(self.changelog_item(entry))

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
    def parse_feed(self, response: Response) -> Iterator[Any]:
        try:
            feed = parse_feed(response.body, response.url, header_map(response))
        except ExtractionError:
            found = discover_feeds(body_of(response), response.url) if is_html(response) else []
            if not found or response.meta.get("discovered"):
                raise
            yield FollowUp(found[0], self.parse_feed, {"discovered": True})
            return
        if feed.warning:
            self.result.warnings.append(feed.warning)
        if not feed.entries:
            self.result.warnings.append("the feed has no entries")
        for entry in feed.entries:
            yield from self.feed_entry(entry)

    def feed_entry(self, entry: FeedEntry) -> Iterator[Any]:
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
        yield from self.emit(item, fingerprint, "in the feed", fetch)

    def parse_article(self, response: Response) -> Iterator[Item]:
        item: Item = response.meta["item"]
        try:
            article = extract_article(body_of(response), response.url)
        except ExtractionError as exc:
            yield from self.follow_up_failed(item, str(exc))
            return
        item.body = article.text
        item.content_hash = ""
        item.__post_init__()
        yield item

    def follow_up_failed(self, item: Item, reason: str) -> Iterator[Item]:
        self.result.warnings.append(f"article {item.url}: {reason}; kept the feed summary")
        yield item

    # -- page watch -----------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Item]:
        if not isinstance(response, TextResponse):
            raise ExtractionError(
                f"not a web page: got {content_type(response) or 'unknown content'}"
            )
        text = visible_text(response.text, self.source.selector)
        if not text:
            where = f" matching selector {self.source.selector!r}" if self.source.selector else ""
            raise ExtractionError(f"the page has no visible text{where}")
        new_hash = sha1(text)[:20]
        old = self.store.snapshot(self.source.id)
        self.result.snapshot = {"url": response.url, "text": text, "hash": new_hash}
        if old is None or old == text:
            return
        added, removed = diff_lines(old, text)
        title = page_title(response) or self.start_url
        yield self.new_item(
            "page_change",
            new_hash,
            title=f"{title} changed: {len(added)} lines added, {len(removed)} removed",
            body=change_body(added, removed),
            url=response.url,
            published=self.now,
        )


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
