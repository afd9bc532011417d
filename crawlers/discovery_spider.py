"""Find a site's sources the way a person would, through the crawl's own Scrapy stack.

The spider fetches the home page, requests the candidates it offers (:mod:`crawlers.discovery`)
and tries each with the real extractors (:mod:`crawlers.discovery_probe`). robots.txt, the
address guard, size limits and timeouts apply as in a crawl; at most ``max_requests`` requests
per site, two at a time per host. A changelog page that is a JavaScript shell is rendered in the
browser when rendering is available, and otherwise reported as needing it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawlers.discovery import (
    BLOG,
    CHANGELOG,
    PRICING,
    Candidate,
    guessed_candidates,
    page_candidates,
    site_key,
    site_name,
    sitemap_candidates,
    start_url,
)
from crawlers.discovery_probe import Finding, probe_changelog, probe_feed, probe_pricing
from crawlers.failures import describe_failure
from crawlers.render import render_meta, render_problem, render_settings
from crawlers.sources import content_type, header_map, is_html
from radar.core.settings import Settings

logger = logging.getLogger(__name__)

MAX_REQUESTS = 40
MAX_TIMEOUT = 8


@dataclass
class Discovery:
    """What was found on one site: its home, a name for it, and every candidate tried."""

    target: str
    home: str | None = None
    name: str | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    requests: int = 0
    render_problem: str | None = None


class DiscoverySpider(scrapy.Spider):
    name = "radar-discover"

    def __init__(self, discovery: Discovery, settings: Settings, render: bool, **kwargs: Any):
        super().__init__(**kwargs)
        self.discovery = discovery
        self.settings_ = settings
        self.render = render
        self.key = site_key(start_url(discovery.target))
        self.seen: set[str] = set()
        self.order: dict[str, int] = {}

    async def start(self) -> Any:
        home = Candidate("home", start_url(self.discovery.target), "", "the home page")
        request = self.request(home, self.on_home, self.on_home_failed)
        if request is not None:
            yield request

    # -- requests ------------------------------------------------------------------------------
    def request(
        self, candidate: Candidate, callback: Any = None, errback: Any = None, **meta: Any
    ) -> scrapy.Request | None:
        url = self.fetch_url(candidate)
        again = meta.get("playwright", False)
        if (url in self.seen and not again) or self.discovery.requests >= MAX_REQUESTS:
            return None
        self.seen.add(url)
        self.order.setdefault(candidate.url, len(self.order))
        self.discovery.requests += 1
        return scrapy.Request(
            url,
            callback=callback or self.on_candidate,
            errback=errback or self.on_failed,
            dont_filter=True,
            priority=10 if candidate.strong else 0,
            meta={"candidate": candidate, "dont_retry": True, **meta},
        )

    def fetch_url(self, candidate: Candidate) -> str:
        if candidate.kind == "github_releases" and candidate.repo:
            base = self.settings_["github_base_url"].rstrip("/")
            return f"{base}/{candidate.repo}/releases.atom"
        return candidate.url

    def schedule(self, candidates: list[Candidate]) -> Iterator[scrapy.Request]:
        for candidate in candidates:
            request = self.request(candidate)
            if request is not None:
                yield request

    # -- callbacks -----------------------------------------------------------------------------
    def on_home(self, response: Response) -> Iterator[scrapy.Request]:
        self.discovery.home = response.url
        self.key = site_key(response.url)
        body = response.body if isinstance(response, TextResponse) else b""
        self.discovery.name = site_name(body, response.url)
        found = page_candidates(body, response.url, self.key, "the home page")
        covered = {c.role for c in found if c.kind != "github_releases"}
        root = urljoin(response.url, "/")
        yield from self.schedule(
            found + guessed_candidates(root, {CHANGELOG, BLOG, PRICING} - covered)
        )

    def on_home_failed(self, failure: Any) -> None:
        self.discovery.error = f"{failure.request.url}: {self.why(failure)}"

    def why(self, failure: Any) -> str:
        reason = describe_failure(failure, self.settings_["download_timeout"])
        if "ConnectionDone" in reason or "ConnectionLost" in reason:
            return "the server closed the connection without answering"
        return reason

    def on_candidate(self, response: Response) -> Iterator[scrapy.Request]:
        candidate: Candidate = response.meta["candidate"]
        handlers = {
            "changelog": self.changelog,
            "feed": self.feed,
            "github_releases": self.feed,
            "pricing": self.pricing,
            "scan": self.scan,
            "sitemap": self.sitemap,
        }
        yield from handlers[candidate.kind](candidate, response)

    def on_failed(self, failure: Any) -> None:
        """A failed link is worth a line in the table (robots.txt, 404); a failed guess is not."""
        candidate: Candidate = failure.request.meta["candidate"]
        if not candidate.strong or candidate.kind in ("scan", "sitemap"):
            return
        reason = self.why(failure)
        kind = {"pricing": "page", "changelog": "changelog"}.get(candidate.kind, candidate.kind)
        self.found(Finding(kind, candidate.url, candidate.role, candidate.how, reason, False,
                           repo=candidate.repo))  # fmt: skip

    # -- one handler per candidate kind -------------------------------------------------------
    def changelog(self, candidate: Candidate, response: Response) -> Iterator[scrapy.Request]:
        rendered = bool(response.meta.get("playwright"))
        finding = probe_changelog(
            candidate, response.body, response.url, content_type(response), rendered
        )
        if finding.render and not rendered:
            if self.render:
                request = self.request(candidate, **render_meta(self.settings_))
                if request is not None:
                    yield request
                    return
            if self.discovery.render_problem:
                finding.found += f" ({self.discovery.render_problem})"
        self.found(finding)

    def feed(self, candidate: Candidate, response: Response) -> Iterator[scrapy.Request]:
        finding = probe_feed(candidate, response.body, response.url, header_map(response))
        if candidate.kind == "github_releases":
            finding = replace(finding, url=candidate.url)
        elif not finding.ok and is_html(response) and candidate.strong is False:
            yield from self.scan(replace(candidate, kind="scan"), response)
            return
        self.found(finding)

    def pricing(self, candidate: Candidate, response: Response) -> Iterator[scrapy.Request]:
        self.found(probe_pricing(candidate, response.body, response.url))
        yield from ()

    def scan(self, candidate: Candidate, response: Response) -> Iterator[scrapy.Request]:
        """A page that leads elsewhere (blog index, docs home): its feeds and relevant links."""
        if not is_html(response):
            return
        where = urlsplit(response.url).path or "/"
        found = page_candidates(response.body, response.url, self.key, where)
        yield from self.schedule([c for c in found if c.kind != "scan"])

    def sitemap(self, candidate: Candidate, response: Response) -> Iterator[scrapy.Request]:
        yield from self.schedule(sitemap_candidates(response.body, self.key))

    def found(self, finding: Finding) -> None:
        finding.order = self.order.get(finding.url, len(self.order))
        self.discovery.findings.append(finding)


def discover(targets: list[str], settings: Settings) -> list[Discovery]:
    """Discover the sources of each target site in one Scrapy run (its reactor runs once)."""
    from scrapy.crawler import CrawlerProcess

    from crawlers.settings import scrapy_settings

    problem = render_problem(settings)
    config = {
        **scrapy_settings(settings),
        "ITEM_PIPELINES": {},
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": min(settings["download_timeout"], MAX_TIMEOUT),
        "LOG_INSTALL_ROOT_HANDLER": False,
        **({} if problem else render_settings(settings)),
    }
    process = CrawlerProcess(config)
    found = [Discovery(t, render_problem=problem) for t in targets]
    for discovery in found:
        process.crawl(DiscoverySpider, discovery=discovery, settings=settings, render=not problem)
    process.start()
    return found
