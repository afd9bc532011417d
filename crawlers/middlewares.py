"""Downloader middlewares: refuse private addresses, honour Retry-After, obey robots.txt."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class RefusedAddress(IgnoreRequest):
    """The URL resolves to an address this crawler must not reach."""


@lru_cache(maxsize=4096)
def _resolve(host: str) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return ()
    return tuple(sorted({str(info[4][0]) for info in infos}))


def blocked_address(host: str) -> str | None:
    """The first private / loopback / link-local / reserved address `host` resolves to, if any."""
    for addr in _resolve(host.strip("[]")):
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return addr
    return None


class AddressGuardMiddleware:
    """Refuse requests to private, loopback, link-local and metadata addresses (SSRF guard).

    Redirects pass through again, so a public URL redirecting to 169.254.169.254 is refused too.
    """

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        radar = crawler.settings.getdict("RADAR_SETTINGS")
        return cls(bool(radar.get("allow_private_networks", False)))

    def process_request(self, request: Request) -> None:
        if self.allow_private:
            return None
        host = urlsplit(request.url).hostname or ""
        addr = blocked_address(host)
        if addr:
            raise RefusedAddress(
                f"refused {host}: it resolves to the non-public address {addr} "
                "(set allow_private_networks: true to crawl it)"
            )
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
        radar = crawler.settings.getdict("RADAR_SETTINGS")
        return cls(float(radar.get("retry_after_max", 30)))

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
