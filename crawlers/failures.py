"""Turn a Twisted failure or an exception into one line a user can act on."""

from __future__ import annotations

import re
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import response_status_message
from twisted.internet import defer
from twisted.internet import error as tx


def describe_failure(failure: Any, timeout: float | None = None) -> str:
    """One readable line for a failed request."""
    exc = getattr(failure, "value", failure)
    if isinstance(exc, HttpError):
        return _http_error(exc)
    if isinstance(exc, IgnoreRequest):
        return _ignored(exc)
    if isinstance(exc, CannotResolveHostError | tx.DNSLookupError):
        return "DNS lookup failed: the host name does not resolve"
    if isinstance(exc, DownloadConnectionRefusedError | tx.ConnectionRefusedError):
        return "connection refused: nothing is listening at that address"
    if isinstance(
        exc, DownloadTimeoutError | tx.TimeoutError | tx.TCPTimedOutError | defer.TimeoutError
    ):
        limit = f" after {timeout:g}s" if timeout else ""
        return f"timed out{limit} waiting for the server"
    if isinstance(exc, DownloadCancelledError | defer.CancelledError):
        return _too_large(str(exc))
    if isinstance(exc, ResponseDataLossError):
        return "connection lost before the whole response arrived (truncated body)"
    if isinstance(exc, DownloadFailedError | tx.ConnectError | tx.ConnectionLost):
        return f"download failed: {exc}" if str(exc) else f"download failed ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


def _too_large(text: str) -> str:
    """Scrapy cancels a download only when it passes DOWNLOAD_MAXSIZE (or a StopDownload)."""
    sizes = re.findall(r"\d+", text)
    if len(sizes) >= 2:
        return f"response too large: {sizes[0]} bytes, over download_maxsize ({sizes[1]} bytes)"
    return "response too large: the body passed download_maxsize and the download was cancelled"


def _http_error(exc: HttpError) -> str:
    response = exc.response
    line = f"HTTP {response_status_message(response.status)}"
    wait = response.request.meta.get("retry_after") if response.request else None
    if wait is not None:
        line += f" (the server asked to retry after {wait:g}s)"
    return line


def _ignored(exc: IgnoreRequest) -> str:
    text = str(exc)
    lowered = text.lower()
    if "robots.txt" in lowered:
        return "disallowed by robots.txt (set obey_robots: false only if you have permission)"
    if "redirect" in lowered:
        return "too many redirects (a redirect loop?)"
    if "decompression" in lowered:
        return "response too large once decompressed (over download_maxsize)"
    return text or "request ignored"
