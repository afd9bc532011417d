"""What keeps crawled text inert and the app private: headers, the token check, safe links.

Crawled titles and bodies are hostile input: templates autoescape them, snippets keep only
`<mark>`, and a link is rendered only for an http(s) URL. Every response carries a strict CSP
(no script at all), and off loopback every request needs the token.
"""

from __future__ import annotations

import hmac
import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
# the archived digest is our own email-safe HTML: inline styles and a data: PNG, nothing else
DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"  # fmt: skip
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
COOKIE = "radar_token"
OPEN_PATHS = ("/static/",)  # the stylesheet styles the "token needed" page too
_MARK = re.compile(r"(<mark>|</mark>)")

ErrorRenderer = Callable[[Request, int, str], Awaitable[Response]]


def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL with a host; None for javascript:, data: etc."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in text for c in "\x00\r\n\t"):
        return None
    return text


def local_path(path: str) -> str:
    """The path as a redirect target on this site: `//host/x` or `/\\host/x` would leave it."""
    return "/" + path.lstrip("/\\")


def snippet_html(snippet: str) -> Markup:
    """A backend snippet as markup where only <mark> survives; everything else is shown as text.

    The protocol promises escaped text with <mark> tags; unescaping each text part and escaping
    it again holds even for a backend that broke that promise.
    """
    out = []
    for part in _MARK.split(snippet or ""):
        out.append(part if part in ("<mark>", "</mark>") else str(escape(html.unescape(part))))
    opened = sum(1 for p in out if p == "<mark>") - sum(1 for p in out if p == "</mark>")
    return Markup("".join(out) + "</mark>" * max(opened, 0))


def token_matches(given: str | None, token: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), token.encode())


class Guard:
    """ASGI middleware: security headers on every response; the bearer token when one is set.

    The token comes as `Authorization: Bearer <token>`, a `radar_token` cookie, or `?token=`,
    which sets the cookie and (for pages) redirects to the same URL without it.
    """

    def __init__(self, app: ASGIApp, token: str | None, on_error: ErrorRenderer):
        self.app = app
        self.token = token or None
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        set_cookie: list[str] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in HEADERS.items():
                    headers.setdefault(key, value)
                for cookie in set_cookie:
                    headers.append("set-cookie", cookie)
            await send(message)

        if self.token and not scope["path"].startswith(OPEN_PATHS):
            request = Request(scope)
            refusal = await self._check(request, set_cookie)
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:  # an unexpected error: a 500 page, with the headers, never a trace
            logger.exception("error serving %s", scope["path"])
            if started:
                raise
            response = await self.on_error(Request(scope), 500, "internal error (see the log)")
            await response(scope, receive, send_with_headers)

    async def _check(self, request: Request, set_cookie: list[str]) -> Response | None:
        assert self.token is not None
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and token_matches(given.strip(), self.token):
            return None
        if token_matches(request.cookies.get(COOKIE), self.token):
            return None
        if token_matches(request.query_params.get("token"), self.token):
            cookie = Response()
            cookie.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            set_cookie.append(cookie.headers["set-cookie"])
            if request.method == "GET" and not request.url.path.startswith("/api"):
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                location = local_path(request.url.path) + ("?" + urlencode(query) if query else "")
                return RedirectResponse(location, status_code=303)
            return None
        response = await self.on_error(
            request,
            401,
            "this Market Radar needs its token: send `Authorization: Bearer <token>` "
            "or open a page once with ?token=<token>",
        )
        response.headers["www-authenticate"] = "Bearer"
        return response
