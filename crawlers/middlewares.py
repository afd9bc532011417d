"""Downloader middlewares: refuse private addresses, honour Retry-After, obey robots.txt."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawlers.guard import address_problem, url_problem

logger = logging.getLogger(__name__)


class RefusedAddress(IgnoreRequest):
    """The URL is not http(s), has no host, or resolves to an address this crawler must not reach."""


class AddressGuardMiddleware:
    """Only http(s) URLs with a host leave the crawler, and only to public addresses (SSRF guard).

    Every request passes here, redirects included (they are scheduled again). The connect-time
    check is :class:`crawlers.guard.GuardedResolver`; this one refuses early with a clear message.
    """

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler.settings.getbool("RADAR_ALLOW_PRIVATE_NETWORKS"))

    def process_request(self, request: Request) -> None:
        problem = url_problem(request.url)
        if problem is None and not self.allow_private:
            problem = address_problem(urlparse_cached(request).hostname or "")
        if problem:
            raise RefusedAddress(problem)
        return None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Wait for a 429/503's Retry-After before Scrapy's RetryMiddleware retries.

    Sits just outside RetryMiddleware (560 > 550), so its process_response runs first. A wait
    longer than ``retry_after_max`` gives up at once instead of stalling the crawl.
    """

    def __init__(self, max_wait: float):
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("RADAR_RETRY_AFTER_MAX", 30.0))

    async def process_response(self, request: Request, response: Response) -> Any:
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return response
        raw = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(raw.decode("latin-1") if raw else None)
        if wait is None:
            return response
        request.meta["retry_after"] = wait
        if wait > self.max_wait:
            request.meta["dont_retry"] = True
            return response
        await asyncio.sleep(wait)
        return response


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with concurrent waiters fixed.

    Scrapy 2.19 lets every request for a host await the same Deferred while robots.txt is being
    fetched; the first waiter's callback returns None, so the third and later requests saw no
    parser and were let through, disallowed paths included. Each waiter here gets its own relay.
    """

    async def robot_parser(self, request: Request) -> Any:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result

            pending.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
