"""A write error on the store (disk full, a read-only file or file system) stops the run.

Carrying on would only mark every later source as failed, a failure the full disk cannot record
either. The transaction that failed is rolled back, so the store stays as it was before it; the
sources not yet recorded keep their health, and the next run (with space again) records them.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

from radar.core.errors import StoreWriteError

logger = logging.getLogger(__name__)
_SQLITE_WRITE_FAILURES = ("disk is full", "readonly database")
_OS_WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def is_write_failure(exc: BaseException | None) -> bool:
    """True for the errors that say the disk, not the data, is the problem."""
    if isinstance(exc, sqlite3.OperationalError):
        return any(text in str(exc).lower() for text in _SQLITE_WRITE_FAILURES)
    return isinstance(exc, OSError) and exc.errno in _OS_WRITE_FAILURES


def write_error(where: Any, exc: BaseException) -> StoreWriteError:
    """The one line a user sees: what failed, where, and what to do."""
    return StoreWriteError(
        f"the run stopped: cannot write to {where} ({exc}); free some space (or fix the"
        " file's permissions), then run again: the store is as it was before the failed write"
    )


class StopOnWriteFailure:
    """Watches a Scrapy crawler: the first store write failure stops the crawl, ``check`` raises it."""

    def __init__(self, crawler: Any, where: Any):
        from scrapy import signals

        self.crawler = crawler
        self.where = where
        self.error: BaseException | None = None
        crawler.signals.connect(self._failed, signal=signals.item_error, weak=False)
        crawler.signals.connect(self._failed, signal=signals.spider_error, weak=False)

    def _failed(self, failure: Any, **_: Any) -> None:
        if self.error is None and is_write_failure(failure.value):
            from scrapy.utils.defer import deferred_from_coro

            self.error = failure.value
            logger.info("stopping the crawl: the store cannot be written (%s)", failure.value)
            deferred_from_coro(self.crawler.stop_async())

    def check(self) -> None:
        if self.error is not None:
            raise write_error(self.where, self.error)


def finish_run(store: Any, run_id: int | None, status: str, counts: Any, sources: Any) -> None:
    """Record the end of a run; a write failure here is one line too, never a traceback."""
    try:
        store.finish_run(run_id, status, counts, sources)
    except (sqlite3.OperationalError, OSError) as exc:
        if not is_write_failure(exc):
            raise
        raise write_error(getattr(store, "path", "the store"), exc) from None
