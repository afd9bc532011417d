"""Alert delivery under channel failures: items delivered against items matched, over scripted runs.

Usage: .venv/bin/python bench/alerts_bench.py [--per-run 30] [--batch 10]
Each run adds --per-run new items matching the rule (move_type: security) and as many that do not,
then runs AlertEngine with the real AppriseNotifier against a local JSON webhook
(tests/receivers.py). The channel behaves per run as scripted:
  ok       the receiver answers 200
  http500  the receiver answers 500
  timeout  a socket that accepts the connection and never answers (rto=1: the client gives up;
           nothing is received)
  late     the receiver answers after 3 s (the client gives up after 1 s, but the receiver
           keeps the message: delivered, yet recorded as failed)
  crash    the message is sent, then the process "dies" before the delivery log is written (the
           notifier raises a BaseException; the store is closed and reopened, as after a restart)
At the end, the multiset of delivered items (parsed from the receiver's messages) is compared with
the set matched. Scenarios: "main" (the issue's sequence) and "late-twice" (two late answers in a
row). Writes bench/results/alerts.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from radar.alerts import AlertEngine, AppriseNotifier  # noqa: E402
from radar.alerts_config import AlertsConfig, Rule  # noqa: E402
from radar.core.records import Item, item_id  # noqa: E402
from radar.store import Store  # noqa: E402
from tests.receivers import WebhookReceiver  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "alerts.json"
SCENARIOS = {
    "main": "ok http500 ok timeout http500 ok crash ok late ok".split(),
    "late-twice": "ok late late ok".split(),
}
LATE_DELAY = 3.0


class Crash(BaseException):
    """The process dies: nothing after the send runs (BaseException: no handler catches it)."""


class CrashAfterSend:
    def __init__(self) -> None:
        self.inner = AppriseNotifier()

    def send(self, url: str, title: str, body: str) -> None:
        self.inner.send(url, title, body)
        raise Crash("killed after the send, before the delivery log write")


def add_items(store: Store, run: int, per_run: int) -> set[str]:
    """Add per_run matching (security) and per_run other (fix) enriched items; return matching URLs."""
    items, matching = [], set()
    for n in range(2 * per_run):
        security = n % 2 == 0
        url = f"https://acme.example/changelog/{run}-{n}"
        title = f"{'Patched token leak' if security else 'Fixed export bug'} {run}.{n}"
        item = Item(
            id=item_id("acme-changelog", url, title),
            source_id="acme-changelog",
            kind="changelog_entry",
            title=title,
            body=f"{title}. Please upgrade.",
            url=url,
            competitor="acme",
            published=date.today().isoformat(),
        )
        item.move_type = "security" if security else "fix"
        items.append(item)
        if security:
            matching.add(url)
    store.upsert_items(items, now=f"{date.today()}T12:00:00Z")
    store.save_enrichment(items)
    return matching


def delivered_urls(posts: list[dict[str, Any]]) -> list[str]:
    lines = (line for p in posts for line in str(p.get("message", "")).splitlines())
    return [line.rsplit(" ", 1)[-1] for line in lines if line.startswith("- **")]


def scenario(name: str, modes: list[str], per_run: int, batch: int, tmp: Path) -> dict[str, Any]:
    db = tmp / f"{name}.db"
    store = Store(db)
    silent = socket.create_server(("127.0.0.1", 0), backlog=64)  # accepts, never answers
    timeout_url = f"json://127.0.0.1:{silent.getsockname()[1]}/hook?rto=1&cto=1"
    matched: set[str] = set()
    runs, arrived = [], []  # arrived: (run number, post) per message the receiver kept
    with WebhookReceiver() as hook:
        hook.delay = LATE_DELAY
        for run, mode in enumerate(modes, 1):
            matched |= add_items(store, run, per_run)
            hook.mode = {"http500": "error", "late": "slow"}.get(mode, "ok")
            url = timeout_url if mode == "timeout" else hook.url
            config = AlertsConfig(
                tmp / "alerts.yaml",
                {"hook": url},
                [Rule("security", ("hook",), move_type=("security",), batch=batch)],
            )
            notifier = CrashAfterSend() if mode == "crash" else AppriseNotifier()
            before, started = len(hook.posts), time.perf_counter()
            try:
                summary = AlertEngine(store, config, notifier=notifier).run().to_json()
            except Crash as exc:
                summary = {"crashed": str(exc)}
                store.close()
                store = Store(db)  # the restart
            seconds = round(time.perf_counter() - started, 2)
            if mode == "late":
                time.sleep(LATE_DELAY + 0.5)  # let the receiver keep what it answers late
            arrived += [(run, p) for p in hook.posts[before:]]
            summary.pop("errors", None)
            runs.append({"run": run, "mode": mode, "seconds": seconds, **summary})
            runs[-1]["received_lines"] = len(delivered_urls(hook.posts[before:]))
    silent.close()
    pending = store.count_unsent_alerts()
    store.close()
    copies = Counter(delivered_urls([p for _, p in arrived]))
    where: dict[str, list[str]] = {}
    for run, post in arrived:
        for url in delivered_urls([post]):
            where.setdefault(url, []).append(modes[run - 1])
    dups = {u: n for u, n in copies.items() if n > 1}
    causes = Counter(
        "+".join(sorted({m for m in where[u] if m in ("crash", "late")})) or "unexplained"
        for u in dups
    )
    return {
        "modes": modes,
        "per_run": per_run,
        "batch": batch,
        "runs": runs,
        "matched": len(matched),
        "delivered_distinct": len(set(copies) & matched),
        "delivered_lines": sum(copies.values()),
        "missing": len(matched - set(copies)),
        "unexpected": len(set(copies) - matched),
        "duplicated_items": len(dups),
        "extra_copies": sum(n - 1 for n in dups.values()),
        "max_copies": max(copies.values(), default=0),
        "duplicate_causes": dict(causes),
        "still_pending": pending,
    }


def verdict(r: dict[str, Any]) -> str:
    ok = r["missing"] == 0 and r["unexpected"] == 0 and r["max_copies"] <= 2
    ok = ok and "unexplained" not in r["duplicate_causes"]
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--per-run", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    result: dict[str, Any] = {"load_avg_before": load_before}
    with tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp:
        for name, modes in SCENARIOS.items():
            r = result[name] = scenario(name, modes, args.per_run, args.batch, Path(tmp))
            print(f"\nscenario {name} ({args.per_run} matching items a run, batch {args.batch}):")
            print(f"{'run':>3} {'channel':<8} {'matched':>7} {'delivered':>9} {'failed':>6} {'received':>8} {'s':>6}")  # fmt: skip
            for x in r["runs"]:
                crashed = "  (crashed after a send)" if "crashed" in x else ""
                print(
                    f"{x['run']:>3} {x['mode']:<8} {x.get('matched', '-'):>7} {x.get('delivered', '-'):>9} "
                    f"{x.get('failed', '-'):>6} {x['received_lines']:>8} {x['seconds']:>6}{crashed}"
                )
            print(
                f"matched {r['matched']}, delivered {r['delivered_distinct']} distinct in {r['delivered_lines']} lines; "
                f"missing {r['missing']}, unexpected {r['unexpected']}, duplicated items {r['duplicated_items']} "
                f"(max copies {r['max_copies']}, causes {r['duplicate_causes']}), still pending {r['still_pending']}"
            )
            print(f"target (all delivered, duplicates only from send-without-log, <= 1 extra): {verdict(r)}")  # fmt: skip
            r["target"] = verdict(r)
    result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nload avg before {load_before}, after {result['load_avg_after']} ({os.cpu_count()} CPUs)")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
