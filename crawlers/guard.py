"""What may leave the crawler: http(s) URLs with a host name, to public addresses only.

Two checks, both needed: :class:`~crawlers.middlewares.AddressGuardMiddleware` refuses a request
early with a message that names the address, and :class:`GuardedResolver` (Scrapy's
``TWISTED_DNS_RESOLVER``) checks the answer that Scrapy actually connects to, so a name that
answers a public address first and a private one next (DNS rebinding) is refused too.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 prefixes whose last 32 bits are an IPv4 address: IPv4-compatible, NAT64 (RFC 6052, 8215).
_EMBEDDING = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48"))


def is_public(ip: IPAddress) -> bool:
    """A global unicast address, also when an IPv6 form embeds an IPv4 one (mapped, 6to4, ...)."""
    if not ip.is_global or ip.is_multicast:
        return False
    embedded = embedded_ipv4(ip)
    return embedded is None or is_public(embedded)


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (``::ffff:a.b.c.d``, ``2002:AABB:CCDD::``, ...)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in _EMBEDDING):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def first_blocked(addresses: Sequence[str]) -> str | None:
    """The first address of ``addresses`` that is not public (or not an address at all)."""
    for addr in addresses:
        try:
            ip = ipaddress.ip_address(addr.split("%", 1)[0])
        except ValueError:
            return addr
        if not is_public(ip):
            return addr
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched at all (scheme, missing host), whatever it resolves to."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        scheme = f"{parts.scheme}:" if parts.scheme else "relative"
        return f"refused a {scheme} URL (only http and https URLs are fetched)"
    if not parts.hostname:
        return "refused a URL without a host name"
    return None


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    """Every address ``host`` resolves to; empty when the lookup fails."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    return tuple(sorted({str(info[4][0]) for info in infos}))


def address_problem(host: str) -> str | None:
    """Why ``host`` may not be reached: a failed lookup or a non-public address."""
    addresses = resolve(host.strip("[]"))
    if not addresses:
        return "DNS lookup failed: the host name does not resolve"
    blocked = first_blocked(addresses)
    if blocked:
        return refusal(host, blocked)
    return None


def refusal(host: str, address: str) -> str:
    return (
        f"refused {host}: it resolves to the non-public address {address} "
        "(set allow_private_networks: true to crawl it)"
    )


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses non-public answers at connect time.

    Installed as ``TWISTED_DNS_RESOLVER``; off (plain caching) with
    ``RADAR_ALLOW_PRIVATE_NETWORKS``. A refused answer fails like a failed lookup.
    """

    allow_private = False

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("RADAR_ALLOW_PRIVATE_NETWORKS")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        d: defer.Deferred[str] = super().getHostByName(name, timeout)
        return d if self.allow_private else d.addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        if first_blocked([address]):
            message = refusal(name, address)
            logger.warning("%s (at connect time)", message)
            raise DNSLookupError(message)
        return address
