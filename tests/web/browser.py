"""Headless Chromium from Debian (/usr/bin/chromium) driven by Playwright, never a downloaded one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 900}


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """A page on one server that records dialogs and every request leaving that server."""

    def __init__(self, browser: Any, base_url: str):
        self.context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.remote: list[str] = []
        self.page.on("dialog", self._dialog)
        self.context.route("**/*", self._route(base_url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, base_url: str) -> Any:
        def handle(route: Any) -> None:
            url = route.request.url
            if url.startswith((base_url, "data:", "about:")):
                route.continue_()
            else:
                self.remote.append(url)
                route.abort()

        return handle

    def close(self) -> None:
        self.context.close()
