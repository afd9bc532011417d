"""The Elasticsearch-API test server for CI: noida-db (PyPI, a wheel bundling one binary).

noida-db answers as Elasticsearch 8.15 (index templates, aliases, _bulk, _search with bool /
multi_match / terms / range, highlight, terms and date_histogram aggregations, knn on
dense_vector, reindex). It is not Elasticsearch: its scores, its analysis and its speed are its
own, so tests never assert scores or rankings against it, and never report its timings as
Elasticsearch's. Known gaps are listed in GAPS. Test-only code: nothing in the product imports it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

PACKAGE = "noida-db"  # pinned in pyproject's dev extra
GAPS = {
    "significant_terms": "noida-db has no significant_terms / significant_text aggregation",
}


class ServerError(RuntimeError):
    pass


def binary() -> Path:
    try:
        path = Path(str(files("noida_db").joinpath("noida-db")))
    except ModuleNotFoundError:
        raise ServerError(f"the Elasticsearch test server needs: pip install {PACKAGE}") from None
    if not path.is_file():
        raise ServerError(f"{PACKAGE} has no server binary for this platform ({path})")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return "version" in json.loads(resp.read())
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _wait(proc: subprocess.Popen[bytes], url: str, log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            raise ServerError(f"{PACKAGE} exited with {proc.returncode}: {tail}")
        if _answers(url):
            return
        time.sleep(0.05)  # polling interval, bounded by the deadline
    raise ServerError(f"{PACKAGE} did not answer on {url} within {deadline_s} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running(deadline_s: float = 30.0) -> Iterator[str]:
    """Start the test server on 127.0.0.1 (a free port, a throwaway data folder); yield its URL."""
    exe = binary()
    with tempfile.TemporaryDirectory(prefix="radar-es-") as tmp:
        log = Path(tmp) / "server.log"
        for attempt in range(3):  # the free port may be taken between choosing and binding
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            args = [str(exe), "start", "--only", "elasticsearch", "--host", "127.0.0.1",
                    "--elasticsearch-port", str(port), "--data-dir", str(Path(tmp) / "data")]  # fmt: skip
            with log.open("wb") as out:
                proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
            try:
                _wait(proc, url, log, deadline_s)
            except ServerError:
                _stop(proc)
                if attempt == 2:
                    raise
                continue
            try:
                yield url
            finally:
                _stop(proc)
            return
