"""The download handler of a crawl that may render: plain HTTP/1.1 for every request, and
scrapy-playwright's browser handler built (and Chromium started) on the first request that asks
for it.

The stock handler is imported and started with the engine; most crawls and most `radar add` runs
render nothing, so this one pays neither the import (scrapy-playwright and Playwright's modules)
nor the browser (two Node processes) until a ``playwright`` request comes. Used only where
scrapy-playwright is installed (``crawlers.render.render_problem`` checks).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Request, Response


class LazyPlaywrightHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.browser: Any = None
        self.launch_lock = asyncio.Lock()

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        handler = await self._browser()
        response: Response = await handler.download_request(request)
        return response

    async def _browser(self) -> Any:
        async with self.launch_lock:
            if self.browser is None:
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                # Built after the engine started, so its own launch-on-start never fires.
                handler = ScrapyPlaywrightDownloadHandler(self.crawler)
                await handler._launch()
                self.browser = handler
        return self.browser

    async def close(self) -> None:
        await super().close()
        if self.browser is not None:
            await self.browser.close()
