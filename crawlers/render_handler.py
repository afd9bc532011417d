"""scrapy-playwright's download handler, started on the first rendered request only.

The stock handler starts Playwright (a Node process) when the engine starts, once per scheme;
most crawls and most `radar add` runs render nothing, so this one waits for the first request
that asks for the browser. Imported only where scrapy-playwright is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        for receiver in (self._maybe_launch_in_thread, self._engine_started):
            with contextlib.suppress(Exception):  # only one of them is connected
                crawler.signals.disconnect(receiver, signal=signals.engine_started)
        self.launch_lock = asyncio.Lock()
        self.launched = False

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        async with self.launch_lock:
            if not self.launched:
                await self._launch()
                self.launched = True
        response: Response = await super()._download_request(request, spider)
        return response
