"""Two nodes, one cluster, one failure: `radar index` and searches while a node is SIGKILLed.

Two real Elasticsearch nodes (tests/es_testserver/engines.py) form one cluster on loopback; the
index has one replica, so each shard has a copy on both nodes. A store of 50,000 synthetic items
(384-dim vectors cached as enrichment leaves them) is indexed by `radar index` in a subprocess
pointed at the node that stays up. Once a fifth of the items are acknowledged, the node holding
the primary shard is killed with SIGKILL, so the replica must be promoted mid-run (the survivor is
made the elected master first: a two-node cluster votes through one node only, and losing that
one leaves no master). A thread searches every 0.2 s throughout. When the first run stops with an
error, the test does what the error line tells a user: it runs `radar index` again. At the end
the index holds exactly the store's items. Figures are printed (run with -s to see them).
RADAR_FAILOVER_ITEMS sets a smaller store for a quick local look.

Skips with the reason when Java, Maven or the engine artifacts are not available.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from radar.core.records import Item, item_id
from radar.store import Store
from tests.es_testserver import engines

pytestmark = pytest.mark.slow
pytest.importorskip("elasticsearch", reason="the Elasticsearch backend needs the es extra")

ROOT = Path(__file__).resolve().parents[1]
ITEMS = int(os.environ.get("RADAR_FAILOVER_ITEMS", "50000"))  # smaller for a quick local look
DIM, MODEL = 384, "synthetic-384"
KILL_AFTER = ITEMS // 5  # items acknowledged (index state saved) before the node is killed
WORDS = "pricing launch webhook sso audit export latency billing region plugin".split()


# -- the store -----------------------------------------------------------------------------------
def fill_store(data_dir: Path, n: int = ITEMS) -> int:
    """A store of `n` active items with one cached embedding each (as `radar enrich` leaves it)."""
    rng = np.random.default_rng(7)
    store = Store(data_dir / "radar.db")
    for start in range(0, n, 5000):
        items = [_item(k, rng) for k in range(start, min(n, start + 5000))]
        store.upsert_items(items)
        vectors = rng.normal(size=(len(items), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.cache_embeddings(
            {i.content_hash: v for i, v in zip(items, vectors, strict=True)}, MODEL
        )
    count = store.count_items_since(0)
    store.close()
    return count


def _item(k: int, rng: np.random.Generator) -> Item:
    words = " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), 12))
    comp = f"comp{k % 10}"
    return Item(
        id=item_id(f"{comp}-log", f"https://{comp}.example/changelog", f"entry {k}"),
        source_id=f"{comp}-log", kind="changelog_entry", competitor=comp,
        title=f"Release {k}: {words[:40]}", body=f"{words} item{k}.",
        url=f"https://{comp}.example/changelog#{k}", published=f"2025-{1 + k % 12:02d}-{1 + k % 28:02d}",
    )  # fmt: skip


# -- the cluster ---------------------------------------------------------------------------------
def unavailable(name: str) -> str | None:
    """Why real `name` nodes cannot run here, or None."""
    if not shutil.which("java") and not Path(engines.JAVA17).is_dir():
        return "no Java to run the engine"
    version = engines.ES_VERSION if name == "elasticsearch" else engines.OS_VERSION
    coords = f"org.{name}.distribution.integ-test-zip:{name}:{version}:zip"
    ready = (engines.ENGINES_DIR / f"{name}-{version}" / ".ready").is_file()
    if not ready and not engines._m2_path(coords).is_file() and not shutil.which("mvn"):
        return f"no Maven and no cached {coords}"
    return None


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[engines.Node]]:
    reason = unavailable("elasticsearch")
    if reason:
        pytest.skip(reason)
    try:
        nodes = engines.start_cluster("elasticsearch", count=2)
    except (engines.EngineError, OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"two Elasticsearch nodes did not start: {str(exc)[:300]}")
    try:
        yield nodes
    finally:
        for node in nodes:
            engines.stop(node)
        shutil.rmtree(nodes[0].folder.parent, ignore_errors=True)


def get_json(url: str, method: str = "GET") -> object:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=60) as resp:
        return json.loads(resp.read() or b"null")


def elected_master(url: str) -> str:
    return str(get_json(f"{url}/_cat/master?format=json")[0]["node"])  # type: ignore[index]


def shard_copies(url: str, index: str) -> dict[str, str]:
    """Node name -> "p" or "r" for the copies of the index's (one) shard."""
    rows = get_json(f"{url}/_cat/shards/{index}-v*?format=json&h=node,prirep,state")
    return {r["node"]: r["prirep"] for r in rows if r["state"] == "STARTED"}  # type: ignore[attr-defined]


def hand_over_master(url: str, away_from: str) -> None:
    """Make the other node the elected master (two nodes vote through one: it must survive)."""
    get_json(f"{url}/_cluster/voting_config_exclusions?node_names={away_from}&timeout=60s", "POST")
    deadline = time.monotonic() + 60
    while elected_master(url) == away_from:
        assert time.monotonic() < deadline, f"{away_from} is still master after 60 s"
        time.sleep(0.2)
    get_json(f"{url}/_cluster/voting_config_exclusions?wait_for_removal=false", "DELETE")


def choose_victim(nodes: list[engines.Node], index: str) -> tuple[engines.Node, engines.Node]:
    """(survivor, victim): the victim holds the primary (so the replica must be promoted), the
    survivor is the elected master (the two-node voting configuration holds only the master)."""
    deadline = time.monotonic() + 120
    while len(copies := shard_copies(nodes[0].url, index)) < 2:
        assert time.monotonic() < deadline, f"the replica never started: {copies}"
        time.sleep(0.5)
    victim = next(n for n in nodes if copies.get(n.folder.name) == "p")
    survivor = next(n for n in nodes if n is not victim)
    if elected_master(survivor.url) == victim.folder.name:
        hand_over_master(survivor.url, victim.folder.name)
    return survivor, victim


def create_index(url: str, index: str, data_dir: Path) -> None:
    """The index as `radar index` creates it, holding the store's first item (sent again later)."""
    from search.elastic import ElasticsearchBackend
    from search.indexer import to_doc

    store = Store(data_dir / "radar.db")
    item = store.items_since(0, 1)[0].item
    vector = store.cached_embeddings([item.content_hash], MODEL)[item.content_hash].tolist()
    store.close()
    backend = ElasticsearchBackend(url, index=index, timeout=60)
    backend.index([to_doc(item, {}, vector)])
    backend.close()


# -- searching throughout ------------------------------------------------------------------------
@dataclass(eq=False)
class Searcher(threading.Thread):
    url: str
    index: str
    answered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    after_kill: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    killed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        threading.Thread.__init__(self, daemon=True)

    def run(self) -> None:
        from search.base import SearchQuery
        from search.elastic import ElasticsearchBackend

        backend = ElasticsearchBackend(self.url, index=self.index)
        rng = np.random.default_rng(3)
        while not self.stopping.wait(0.2):
            vector = rng.normal(size=DIM).tolist()
            mode = "hybrid" if self.answered % 2 else "text"
            try:
                backend.search(SearchQuery(text=str(rng.choice(WORDS)), mode=mode, vector=vector))
                self.answered += 1
                self.after_kill += self.killed.is_set()
            except Exception as exc:  # any failure counts; the first few are kept for the report
                self.failed += 1
                self.errors.append(str(exc)[:200])
        backend.close()


# -- the test ------------------------------------------------------------------------------------
def radar_index(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "radar", "index", "--data-dir", str(data_dir)],
        cwd=data_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def acknowledged(data_dir: Path, backend: str = "elasticsearch") -> int:
    """Items the running `radar index` has had acknowledged (its saved high-water mark)."""
    store = Store(data_dir / "radar.db")
    try:
        state = store.index_state(backend)
        return store.count_active_up_to(state.seq) if state else 0
    finally:
        store.close()


@dataclass
class Figures:
    items: int
    victim: str = ""  # the node killed: it held the primary shard
    acknowledged_at_kill: int = 0
    kill_at_s: float = 0.0
    resumed_after_s: float | None = None  # first batch acknowledged after the kill
    done_after_s: float = 0.0  # index complete, counted from the kill
    runs: list[tuple[int, str]] = field(default_factory=list)  # (exit code, last stderr line)


@pytest.mark.timeout(1800)  # two nodes start in ~4 min on 2 busy cores; 50,000 items take minutes
def test_indexing_and_search_survive_a_node_killed_mid_run(
    cluster: list[engines.Node], tmp_path: Path
) -> None:
    figures = Figures(fill_store(tmp_path))
    index = f"radar-failover-{uuid.uuid4().hex[:8]}"
    create_index(cluster[0].url, index, tmp_path)
    survivor, victim = choose_victim(cluster, index)
    figures.victim = victim.folder.name
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(PYTHONPATH=str(ROOT), RADAR_SEARCH_BACKEND="elasticsearch", RADAR_ES_URL=survivor.url,
               RADAR_ES_INDEX=index, RADAR_ES_TIMEOUT="60", RADAR_CONFIG=str(tmp_path / "none.yaml"))  # fmt: skip
    searcher = Searcher(survivor.url, index)
    searcher.start()
    out = run_with_kill(tmp_path, env, victim, figures, searcher)
    searcher.stopping.set()
    searcher.join(timeout=60)
    indexed, health = final_state(survivor.url, index)
    print(
        f"\nfailover: {figures}; index count {indexed}; searches answered {searcher.answered}"
        f" ({searcher.after_kill} after the kill), failed {searcher.failed} {searcher.errors[:3]};"
        f" cluster {health.get('status')} with {health.get('number_of_nodes')} node(s)"
    )
    assert figures.runs[-1][0] == 0, figures.runs
    assert f"{figures.items} documents in elasticsearch" in out, out
    assert indexed == figures.items
    assert searcher.failed == 0, searcher.errors[:5]
    assert searcher.after_kill > 0
    assert (health.get("number_of_nodes"), health.get("status")) == (1, "yellow")


def run_with_kill(
    data_dir: Path, env: dict[str, str], victim: engines.Node, figures: Figures, searcher: Searcher
) -> str:
    """`radar index`, the victim SIGKILLed once KILL_AFTER items are acknowledged, and `radar
    index` again when the first run stops with an error (what its error line tells the user)."""
    started = time.monotonic()
    proc = radar_index(data_dir, env)
    figures.acknowledged_at_kill = wait_for(lambda: acknowledged(data_dir), KILL_AFTER, proc)
    os.kill(victim.pid, signal.SIGKILL)
    searcher.killed.set()
    killed = time.monotonic()
    figures.kill_at_s = round(killed - started, 1)
    for _ in range(3):  # the first run, and at most two more
        if figures.resumed_after_s is None:
            more = wait_for(
                lambda: acknowledged(data_dir),
                figures.acknowledged_at_kill + 1,
                proc,
                quit_early=True,
            )
            if more > figures.acknowledged_at_kill:
                figures.resumed_after_s = round(time.monotonic() - killed, 1)
        out, err = proc.communicate(timeout=600)
        figures.runs.append((proc.returncode, (err.strip().splitlines() or [""])[-1]))
        if proc.returncode == 0:
            break
        assert "run `radar index` again" in figures.runs[-1][1], err[-2000:]
        proc = radar_index(data_dir, env)
    figures.done_after_s = round(time.monotonic() - killed, 1)
    return str(out)


def final_state(url: str, index: str) -> tuple[int, dict[str, object]]:
    from search.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(url, index=index)
    try:
        return backend.count(), engines.health(url)
    finally:
        backend.close()


def wait_for(
    read: Callable[[], int],
    at_least: int,
    proc: subprocess.Popen[str],
    deadline_s: float = 600,
    quit_early: bool = False,
) -> int:
    """Poll `read()` until it reaches `at_least`; when `proc` ends first, fail (or return the
    value read, with `quit_early`)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        value = read()
        if value >= at_least:
            return value
        if proc.poll() is not None:
            if quit_early:
                return read()
            why = proc.stderr.read()[-2000:] if proc.stderr else ""
            pytest.fail(f"`radar index` ended before {at_least} items: {why}")
        time.sleep(0.1)
    pytest.fail(f"fewer than {at_least} items acknowledged in {deadline_s:.0f} s")
