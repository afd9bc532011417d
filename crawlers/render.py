"""Pages that only show their content after JavaScript runs: detect them, and render them.

A source with ``render: true`` is fetched by scrapy-playwright driving the Chromium named by the
``chromium_path`` setting (Debian's ``/usr/bin/chromium``; Playwright's own browser download is
never used). Only requests that carry :func:`render_meta` go to the browser; every other request
keeps Scrapy's plain HTTP handler. The browser's own requests (scripts, JSON) pass
:class:`BrowserGuard`: http(s) only, public addresses only (unless private networks are allowed),
and no images, fonts or media.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree, html

from crawlers.guard import address_problem, url_problem
from crawlers.settings import DOWNLOAD_HANDLERS_OFF
from radar.core.settings import Settings

logger = logging.getLogger(__name__)

HANDLER = "crawlers.render_handler.LazyPlaywrightHandler"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"]  # fmt: skip
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
MOUNT_IDS = frozenset({"root", "app", "__next", "__nuxt", "svelte", "main-app", "application"})
SHELL_TEXT_CHARS = 400


def render_problem(settings: Settings) -> str | None:
    """Why ``render: true`` cannot work here, as one line naming what to install; None if it can."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return "rendering needs scrapy-playwright: pip install 'market-radar[render]'"
    chromium = Path(settings["chromium_path"])
    if not chromium.is_file():
        return (
            f"rendering needs Chromium at {chromium}: apt-get install -y chromium "
            "(or set chromium_path)"
        )
    return None


def render_settings(settings: Settings) -> dict[str, Any]:
    """Scrapy settings that add the browser handler (used only by requests with ``render_meta``)."""
    return {
        "DOWNLOAD_HANDLERS": {**DOWNLOAD_HANDLERS_OFF, "http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": settings["chromium_path"],
            "headless": True,
            "args": BROWSER_ARGS,
        },
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings["render_timeout"] * 1000,
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings["render_concurrency"],
        "PLAYWRIGHT_ABORT_REQUEST": BrowserGuard(settings["allow_private_networks"]),
    }


def render_meta(settings: Settings) -> dict[str, Any]:
    """Request meta that sends one request through the browser and waits for the page to settle."""
    timeout = settings["render_timeout"]
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "networkidle", "timeout": timeout * 1000},
        "download_timeout": timeout,
    }


class BrowserGuard:
    """``PLAYWRIGHT_ABORT_REQUEST``: True (abort) for what a rendered page may not fetch."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def __call__(self, request: Any) -> bool:
        if request.resource_type in SKIPPED_RESOURCES:
            return True
        url = request.url
        if urlsplit(url).scheme in ("data", "blob"):
            return False
        problem = url_problem(url)
        if problem is None and not self.allow_private:
            problem = address_problem(urlsplit(url).hostname or "")
        if problem:
            logger.warning("rendering: %s: %s", url, problem)
        return problem is not None


def empty_shell(body: str | bytes) -> str | None:
    """Why an HTML page with no extractable entries looks like a JavaScript shell, else None.

    A shell has scripts and either an empty mount point (``<div id="root">``) or hardly any text.
    """
    root = _parse(body)
    if root is None:
        return None
    scripts = len(root.xpath("//script"))
    if not scripts:
        return None
    mounts = [el for el in root.xpath("//*[@id]") if el.get("id") in MOUNT_IDS]
    empty_mount = any(not el.text_content().strip() for el in mounts)
    for el in root.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    chars = len(" ".join(root.text_content().split()))
    if not empty_mount and chars >= SHELL_TEXT_CHARS:
        return None
    return (
        f"the page is an empty shell ({scripts} script{'s' if scripts > 1 else ''}, "
        f"{chars} characters of text): its content appears only after JavaScript runs; "
        "set `render: true` on this source"
    )


def _parse(body: str | bytes) -> Any:
    if not body or not body.strip():
        return None
    try:
        return html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
