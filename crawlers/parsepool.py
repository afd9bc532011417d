"""Parse workers: :func:`crawlers.parsing.parse_job` in a process pool beside the reactor.

Parsing (changelog segmentation and changes, feeds, articles, page text) is most of a crawl's
CPU; in worker processes it uses the other cores while the reactor thread keeps fetching and
storing. Scrapy's scheduling is untouched: a callback awaits its parse like any other I/O.

A worker that dies (a crash in a C extension, the OOM killer) breaks the pool: its jobs are run
again one at a time in a separate one-worker pool, so only the job that kills that one too fails
(its source gets a failure line) and the crawl goes on. Workers leave when the crawl's process
does, even after kill -9 (they watch their parent).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredLock

from crawlers.parsing import Failed, ParseJob, parse_job

logger = logging.getLogger(__name__)

PRELOAD = ["crawlers.parsing"]  # imported once by the fork server, not by every worker


def resolve_workers(value: int | str) -> int:
    """``parse_workers`` as a number: ``auto`` is the cores this process may run on."""
    if value != "auto":
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class ParsePool:
    """Run parse jobs in ``workers`` processes (0: in this process, in the reactor thread)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._solo: ProcessPoolExecutor | None = None
        self._solo_lock = DeferredLock()

    def start(self) -> None:
        """Start all the workers at once (on the first response with a body)."""
        if self.workers and self._pool is None:
            self._pool = new_executor(self.workers)
            for _ in range(self.workers):
                self._pool.submit(os.getpid)

    async def parse(self, job: ParseJob, response: Response | None) -> list[Any]:
        """The outputs of one response (``response`` is used as is when parsing in-process).

        An empty body (a 304, an empty page) has nothing to parse: it stays in this process, so
        a crawl where nothing changed starts no workers."""
        if not self.workers or not job.fetched.body:
            return parse_job(job, response)
        self.start()
        pool = self._pool
        assert pool is not None
        try:
            return await _result(pool.submit(parse_job, job))
        except BrokenProcessPool:
            self._replace(pool)
        return await self._alone(job)

    async def _alone(self, job: ParseJob) -> list[Any]:
        """Retry a job of a broken pool alone: if it breaks this pool too, it is the culprit."""
        await maybe_deferred_to_future(self._solo_lock.acquire())
        try:
            self._solo = self._solo or new_executor(1)
            return await _result(self._solo.submit(parse_job, job))
        except BrokenProcessPool:
            self._solo.shutdown(wait=False)  # type: ignore[union-attr]
            self._solo = None
            logger.error("a parse worker died while parsing %s", job.fetched.url)
            return [Failed(f"the parser process died while parsing {job.fetched.url}")]
        finally:
            self._solo_lock.release()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:
            logger.warning("a parse worker died; starting new workers")
            broken.shutdown(wait=False)
            self._pool = None
            self.start()

    def close(self) -> None:
        """Stop the workers and the fork server (waited for, so their CPU time is counted)."""
        for pool in (self._pool, self._solo):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        if self._pool is not None or self._solo is not None:
            stop_fork_server()
        self._pool = self._solo = None


def stop_fork_server() -> None:
    """The fork server outlives its last pool; CPython's own tests stop it with ``_stop``."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # noqa: SLF001
    if stop is not None:
        stop()


def new_executor(workers: int) -> ProcessPoolExecutor:
    """Workers forked from a fork server that has imported the parsers once (no fork of the
    threaded reactor process, no re-import per worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(workers, context, initializer=watch_parent, initargs=(os.getpid(),))


def watch_parent(crawl_pid: int) -> None:
    """In a worker: exit when the crawl's process is gone (even killed with SIGKILL)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and _alive(crawl_pid):
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="radar-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _result(future: Future[Any]) -> Any:
    """A Deferred fired in the reactor thread with the future's result, as an awaitable."""
    from twisted.internet import reactor

    deferred: Deferred[Any] = Deferred()

    def fire(done: Future[Any]) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))  # type: ignore[attr-defined]
    return maybe_deferred_to_future(deferred)
