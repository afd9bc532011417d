"""Basic auth for a source, from its URL (``https://user:pass@host/``) or its ``auth`` option.

Requests go out with the credentials removed from the URL and set as Scrapy's per-request
``http_user`` / ``http_pass`` meta, limited to the source's host (``http_auth_domain``), so
Scrapy's HttpAuthMiddleware sends them and no URL that is logged, stored or shown carries them.
Where a URL is shown as text, :func:`redact` writes ``user:***@``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@]*)(?::[^/\s@]*)?@")


def strip_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its user info, and the user name and password it carried."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    host = parts.netloc.rsplit("@", 1)[1]
    clean = urlunsplit(parts._replace(netloc=host))
    return clean, unquote(parts.username or ""), unquote(parts.password or "")


def redact(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:***@", text)


def auth_meta(url: str, auth: Any = None) -> dict[str, str]:
    """Scrapy request meta for basic auth: the ``auth`` option first, else the URL's user info."""
    clean, user, password = strip_credentials(url)
    if auth is not None:
        user, password = auth.username, auth.password
    if not user and not password:
        return {}
    return {
        "http_user": user or "",
        "http_pass": password or "",
        "http_auth_domain": urlsplit(clean).netloc.lower(),  # Scrapy compares host:port
    }
