"""`radar daily` on a large synthetic configuration: per-stage time and memory, then a no-op rerun.

Usage: .venv/bin/python bench/daily_bench.py [--competitors 20] [--servers 2]
Generates, per competitor, 5 Markdown changelogs, 5 RSS blogs and 2 pricing pages (plus 4
industry news feeds), every entry dated in the last 4 weeks; serves them with `python -m
radar.devserver` on 127.0.0.1; writes alerts.yaml with rules delivering to a local JSON webhook
(tests/receivers.py); runs `radar daily --json` twice as child processes with the real default
embedding model. Per stage: seconds and peak from the JSON (the process's peak RSS; the crawl's is the
process's RSS so far); RSS sampled from /proc every 0.1 s, split at the crawl's end ("Spider
closed" in the run log) and the stages' seconds.
Writes bench/results/daily.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from crawl_bench import start_servers  # noqa: E402

from tests.receivers import WebhookReceiver  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "daily.json"
NAMES = "Acme Globex Initech Umbrella Hooli Stark Wayne Tyrell Cyberdyne Soylent Wonka Oscorp "
NAMES += "Vandelay Aperture Gringotts Dunder Nakatomi Virtucon Massive Prestige Blaze Duff"
FEATURES = [
    "SAML single sign-on", "audit log export", "dashboard sharing", "Postgres CDC connector",
    "Snowflake sync", "role-based access control", "scheduled reports", "session replay",
    "webhook signing", "custom domains", "data retention policies", "SCIM provisioning",
    "the mobile SDK", "the query cache", "CSV import", "Slack notifications", "API rate limits",
    "workspace templates", "anomaly detection", "EU data residency", "passkey login",
    "the ingestion pipeline", "the GraphQL API", "embedded analytics", "usage reports",
]  # fmt: skip
PARTNERS = ["Salesforce", "HubSpot", "Jira", "GitHub", "Zapier", "BigQuery", "Okta", "Segment"]
PLANS = ["Starter", "Team", "Pro", "Business", "Enterprise"]
TITLES = {
    "launch": ["Introducing {f}", "{F} is now generally available", "{F} beta opens to all workspaces", "New: {f} for {plan} customers"],
    "ai": ["AI assistant now summarises {f}", "Ask questions about {f} in natural language", "Copilot drafts {f} with a large language model"],
    "pricing": ["{plan} plan now ${n} per seat per month", "{F} moves to the {plan} plan", "Free tier now includes {n},000 events", "Usage-based pricing for {f}"],
    "security": ["Patched an SSRF vulnerability in {f}", "Security advisory: token leak in {f} (CVE-2026-{n}{n})", "Fixed an authorization bypass in {f}", "{F} now enforces two-factor authentication"],
    "deprecation": ["Deprecated the v{n} API of {f}", "{F} v1 will be removed in 90 days", "Breaking change: {f} endpoints now require OAuth"],
    "integration": ["New {partner} integration for {f}", "{F} now syncs with {partner}", "{partner} connector for {f}"],
    "performance": ["{F} is now {n}x faster", "Reduced {f} latency by {n}0%", "Fewer timeouts in {f} under load"],
    "fix": ["Fixed a bug where {f} showed stale data", "Fixed {f} failing on empty workspaces", "Fixed a crash in {f} on Safari"],
}  # fmt: skip
BODIES = {
    "launch": ["You can now use {f} from every workspace.", "Admins turn it on under Settings.", "It was the most requested feature of the year."],
    "ai": ["The assistant uses a large language model and never trains on your data.", "Answers cite the rows they come from.", "Generative AI features are included in {plan}."],
    "pricing": ["Existing customers keep their price until renewal.", "Annual billing saves two months.", "Seats above 50 are discounted."],
    "security": ["An attacker with a valid token could read another workspace's data.", "No customer data was accessed; please rotate your API keys.", "We thank the researcher who reported it through our bug bounty."],
    "deprecation": ["Migrate to the v{n} endpoints before the removal date.", "Old clients will receive HTTP 410 afterwards.", "The migration guide lists every change."],
    "integration": ["Records sync both ways every five minutes.", "Connect it from the integrations page.", "Field mappings can be customised."],
    "performance": ["Large workspaces benefit the most.", "p95 latency fell from seconds to milliseconds.", "We moved the hot path to a columnar cache."],
    "fix": ["Thanks to everyone who reported it.", "The fix is live for all regions.", "No action is needed."],
}  # fmt: skip
SECTION = {"launch": "Added", "ai": "Added", "pricing": "Changed", "security": "Security", "deprecation": "Deprecated", "integration": "Added", "performance": "Changed", "fix": "Fixed"}  # fmt: skip
WEIGHTS = [("launch", 3), ("ai", 2), ("pricing", 1), ("security", 1), ("deprecation", 1), ("integration", 2), ("performance", 2), ("fix", 4)]  # fmt: skip


def entry(rng: random.Random, move: str | None = None) -> tuple[str, str, str]:
    move = move or rng.choices([m for m, _ in WEIGHTS], [w for _, w in WEIGHTS])[0]
    f = rng.choice(FEATURES)
    fill = {"f": f, "F": f[0].upper() + f[1:], "plan": rng.choice(PLANS), "n": rng.randint(2, 9)}
    fill["partner"] = rng.choice(PARTNERS)
    title = rng.choice(TITLES[move]).format(**fill)
    body = " ".join(b.format(**fill) for b in rng.sample(BODIES[move], rng.randint(2, 3)))
    return move, title, body


def days_ago(rng: random.Random, n: int) -> list[date]:
    return sorted(
        (date.today() - timedelta(days=rng.randint(0, 27)) for _ in range(n)), reverse=True
    )


def changelog(rng: random.Random, name: str) -> str:
    lines = [f"# {name} changelog", "", "All notable changes to this product.", ""]
    for n, day in enumerate(days_ago(rng, rng.randint(24, 30))):
        lines += [f"## [3.{40 - n}.{rng.randint(0, 9)}] - {day}", ""]
        for _ in range(rng.randint(1, 2)):
            move, title, body = entry(rng)
            lines += [f"### {SECTION[move]}", "", f"- {title}. {body}", ""]
    return "\n".join(lines)


def feed(rng: random.Random, name: str, path: str, news: list[str] | None = None) -> str:
    items = []
    for n, day in enumerate(days_ago(rng, rng.randint(24, 30) if news is None else 40)):
        _, title, body = entry(rng)
        if news is not None:
            title = f"{rng.choice(news)}: {title[0].lower()}{title[1:]}"
        when = format_datetime(datetime(day.year, day.month, day.day, 9 + n % 9, n % 60))
        items.append(
            f"<item><title>{title}</title><link>{{{{BASE_URL}}}}{path}post-{n}.html</link>"
            f'<guid isPermaLink="false">{path}{n}</guid><pubDate>{when}</pubDate>'
            f"<description>{body}</description></item>"
        )
    head = f"<rss version='2.0'><channel><title>{name}</title><link>{{{{BASE_URL}}}}{path}</link>"
    return f"<?xml version='1.0' encoding='UTF-8'?>\n{head}{''.join(items)}</channel></rss>\n"


def pricing(rng: random.Random, name: str) -> str:
    plans = "".join(
        f"<div class='plan'><h2>{p}</h2><p>${rng.randint(5, 90)} per seat per month</p>"
        f"<ul><li>{rng.choice(FEATURES)}</li><li>{rng.choice(FEATURES)}</li></ul></div>"
        for p in PLANS[:4]
    )
    return f"<!DOCTYPE html><html><head><title>Pricing · {name}</title></head><body><main><h1>Plans</h1>{plans}</main></body></html>"


def generate(site: Path, competitors: int, urls: list[str]) -> str:
    """Write the site; return the sources config (YAML)."""
    rng, names = random.Random(11), NAMES.split()[:competitors]
    lines = ["settings:", "  allow_private_networks: true", "  autothrottle: false"]
    lines += ["  concurrent_requests: 16", "  concurrent_requests_per_domain: 16", "competitors:"]
    n = 0
    for name in names:
        slug = name.lower()
        (site / slug).mkdir()
        lines += [f"  - name: {name} Cloud", f"    aliases: [{name}]", "    sources:"]
        for kind, count in (("changelog", 5), ("feed", 5), ("page", 2)):
            for i in range(count):
                n += 1
                rel = {"changelog": f"{slug}/CHANGELOG-{i}.md", "feed": f"{slug}/blog-{i}/rss.xml", "page": f"{slug}/pricing-{i}.html"}[kind]  # fmt: skip
                text = (
                    changelog(rng, name)
                    if kind == "changelog"
                    else feed(rng, name, f"/{slug}/blog-{i}/")
                    if kind == "feed"
                    else pricing(rng, name)
                )
                (site / rel).parent.mkdir(exist_ok=True)
                (site / rel).write_text(text, encoding="utf-8")
                url = f"{urls[n % len(urls)]}/{rel}"
                lines.append(f'      - {{id: {slug}-{kind}-{i}, type: {kind}, url: "{url}"}}')
    lines.append("industry:")
    for i in range(4):
        (site / f"news{i}").mkdir()
        (site / f"news{i}/rss.xml").write_text(feed(rng, f"News {i}", f"/news{i}/", names))
        lines.append(
            f'  - {{id: news-{i}, type: feed, url: "{urls[i % len(urls)]}/news{i}/rss.xml"}}'
        )
    return "\n".join(lines) + "\n"


def alerts_yaml(url: str) -> str:
    rules = [
        ("security-moves", "move_type: security"),
        ("pricing-changes", "move_type: pricing"),
        ("ai-launches", "theme: ai-ml\n    move_type: launch"),
        ("news-about-acme", "kind: news\n    query: acme"),
    ]
    body = "".join(f"  - id: {rid}\n    {spec}\n    channels: [hook]\n" for rid, spec in rules)
    return f'channels:\n  hook: "{url}"\nrules:\n{body}'


def run_daily(config: Path, env: dict[str, str], log: Path) -> dict[str, Any]:
    """One `radar daily --json` child: wall time, RSS (wait4 + /proc samples), the stages."""
    cmd = [sys.executable, "-m", "radar", "daily", "--json", "--config", str(config)]
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryFile("w+") as out:
        start = time.time()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.DEVNULL)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                try:
                    status = Path(f"/proc/{proc.pid}/status").read_text()
                except OSError:
                    return
                kib = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")), 0)  # fmt: skip
                samples.append((time.time(), kib / 1024))

        threading.Thread(target=sample, daemon=True).start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        wall = time.time() - start
        out.seek(0)
        text = out.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"radar daily exited {code}: {text[-2000:]}")
    summary = json.loads(text)
    # the crawl's end: Scrapy's "Spider closed" line in the run log (local time, ms)
    closed = [line for line in log.read_text().splitlines() if "Spider closed" in line][-1]
    crawl_end = datetime.strptime(closed[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    stages, edge = [], crawl_end
    for s in summary["stages"]:
        lo, hi = (start, crawl_end) if s["name"] == "crawl" else (edge, edge + s["seconds"])
        edge = hi if s["name"] != "crawl" else edge
        rss = max((m for t, m in samples if lo <= t <= hi + 0.1), default=0.0)
        stages.append({**s, "rss_max_mib": round(rss, 1)})
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "stages": stages,
        "exit_code": summary["exit_code"],
        "process_start_to_crawl_end_s": round(crawl_end - start, 2),
        **store_facts(log.parents[1] / "radar.db"),
    }


def alert_lines(post: dict[str, Any]) -> int:
    return sum(line.startswith("- ") for line in str(post.get("message", "")).splitlines())


def store_facts(db: Path) -> dict[str, Any]:
    """The crawl's own run record (whole seconds); events that span several competitors."""
    from radar.store import Store

    store = Store(db)
    try:
        run = next(r for r in store.runs(limit=1000) if r["command"] == "crawl")
        events: dict[str | None, list[str]] = {}
        for item in store.items():
            if item.competitor is not None:
                events.setdefault(item.event_id, []).append(item.competitor)
    finally:
        store.close()
    start, end = (datetime.fromisoformat(run[k].replace("Z", "+00:00")) for k in ("started", "finished"))  # fmt: skip
    mixed = [len(c) for c in events.values() if len(set(c)) > 1]
    return {"crawl_run_record_s": (end - start).total_seconds(), "events_across_competitors": len(mixed), "items_in_them": sum(mixed)}  # fmt: skip


def items_of(stage: dict[str, Any]) -> str:
    c = stage["counts"]
    keys = ("new", "processed", "indexed", "matched", "delivered")
    return ", ".join(f"{k} {c[k]}" for k in keys if isinstance(c.get(k), int))


def table(run: dict[str, Any]) -> str:
    head = f"{'stage':<8} {'seconds':>8} {'peak RSS MiB (JSON)':>21} {'RSS max MiB':>12}  items"
    rows = [head, "-" * len(head)]
    for s in run["stages"]:
        peak = f"{s['peak_mib']} (RSS)" if s["name"] == "crawl" else s["peak_mib"]
        rows.append(f"{s['name']:<8} {s['seconds']:>8} {peak:>21} {s['rss_max_mib']:>12}  {items_of(s)}")  # fmt: skip
    rows.append(f"total wall {run['wall_s']} s, CPU {run['cpu_s']} s, child peak RSS {run['peak_rss_mib']} MiB (wait4); process start to crawl end {run['process_start_to_crawl_end_s']} s")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--competitors", type=int, default=20)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--model", default="default", help="embedding_model ('hash': smoke test)")
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="daily-bench-") as tmp_name, WebhookReceiver() as hook:
        tmp = Path(tmp_name)
        (tmp / "site").mkdir()
        procs, urls = start_servers(tmp / "site", args.servers)
        try:
            config = tmp / "sources.yaml"
            config.write_text(generate(tmp / "site", args.competitors, urls), encoding="utf-8")
            (tmp / "alerts.yaml").write_text(alerts_yaml(hook.url), encoding="utf-8")
            env = {**os.environ, "RADAR_HOME": str(tmp / "data"), "RADAR_ALERTS_FILE": str(tmp / "alerts.yaml")}  # fmt: skip
            env["RADAR_THEMES_FILE"] = str(ROOT / "config" / "themes.yaml")
            env["RADAR_EMBEDDING_MODEL"] = args.model
            log = tmp / "data" / "logs" / "daily.log"
            first = run_daily(config, env, log)
            posts_first = len(hook.posts)
            lines_first = sum(alert_lines(p) for p in hook.posts)
            second = run_daily(config, env, log)
            posts_second = len(hook.posts) - posts_first
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait()
        sources = sum(1 for line in config.read_text().splitlines() if "type:" in line)
    result = {
        "sources": sources,
        "competitors": args.competitors,
        "embedding_model": args.model,
        "cpus": os.cpu_count(),
        "load_avg_before": load_before,
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "first": {**first, "webhook_posts": posts_first, "alert_lines_received": lines_first},
        "second": {**second, "webhook_posts": posts_second},
        "second_over_first": round(second["wall_s"] / first["wall_s"], 3),
    }
    print(f"first run ({sources} sources):\n{table(first)}")
    print(f"webhook: {posts_first} posts, {lines_first} alert lines; events spanning several competitors: {first['events_across_competitors']} ({first['items_in_them']} items)\n")  # fmt: skip
    print(f"second run, nothing new:\n{table(second)}")
    print(f"second/first wall: {result['second_over_first']:.1%} (target <= 10 %); webhook posts: {posts_second} (target 0)")  # fmt: skip
    print(f"load avg before {load_before}, after {result['load_avg_after']} ({os.cpu_count()} CPUs)")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
