"""Crawl throughput: `radar crawl` against plain Scrapy fetching the same URLs, same settings.

Usage: .venv/bin/python bench/crawl_bench.py [--pages 2000] [--concurrency 16] [--per-domain 16]
Generates N synthetic pages (half Markdown changelogs, half RSS feeds) with one source each,
serves them from separate `python -m radar.devserver` processes on 127.0.0.1, then runs, in
child processes, plain Scrapy (B) and `radar crawl` on a fresh store (A), alternating, --repeat
times each, keeping the best; then `radar crawl` again with nothing changed (C: 304s).
Wall times are measured around the child process (interpreter start-up included in both);
CPU time and peak RSS are the child's own with its waited-for descendants (os.wait4: radar's
parse workers and their fork server are included). Prints a table with CPU per page; writes
bench/results/crawl.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "crawl.json"
COMPETITORS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"]
WORDS = (
    "dashboard export API webhook pipeline workspace billing invoice audit SSO SAML role query "
    "latency cache region cluster token quota schema migration connector alert report retention "
    "search index sync upload preview sandbox deploy rollback metric trace log policy"
).split()
SECTIONS = ["Added", "Changed", "Fixed", "Deprecated", "Security"]


def sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def changelog(rng: random.Random, name: str) -> str:
    lines = [f"# {name} changelog", "", "All notable changes are documented here.", ""]
    major, minor = rng.randint(1, 9), rng.randint(0, 30)
    for n in range(rng.randint(10, 30)):
        day = 1 + (n * 11) % 28
        lines += [f"## [{major}.{minor - n % 10 + 10}.{n}] - 2026-{12 - n % 12:02d}-{day:02d}", ""]
        for section in rng.sample(SECTIONS, rng.randint(1, 3)):
            lines += [f"### {section}", ""]
            lines += [f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))] + [""]
    return "\n".join(lines)


def feed(rng: random.Random, name: str, comp: str) -> str:
    base, items = f"/{comp}/", []
    for n in range(rng.randint(10, 20)):
        items.append(
            f"<item><title>{sentence(rng, 4, 9)}</title><link>{{{{BASE_URL}}}}{base}post-{n}.html</link>"
            f'<guid isPermaLink="false">{name}-{n}</guid>'
            f"<pubDate>{1 + n % 28:02d} Nov 2026 10:{n % 60:02d}:00 GMT</pubDate>"
            f"<description>{' '.join(sentence(rng) for _ in range(rng.randint(2, 5)))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{name} blog</title><link>{{{{BASE_URL}}}}{base}</link><description>News</description>"
        + "\n".join(items)
        + "</channel></rss>\n"
    )


def generate_site(site: Path, pages: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    """Write the pages; return (competitor, source id, type, path) for each."""
    rng = random.Random(seed)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    out = []
    for i in range(pages):
        comp = COMPETITORS[i % len(COMPETITORS)]
        if i % 2 == 0:
            stype, rel, body = "changelog", f"/{comp}/CHANGELOG-{i}.md", changelog(rng, comp)
        else:
            stype, rel, body = "feed", f"/{comp}/feed-{i}.xml", feed(rng, f"{comp}-{i}", comp)
        (site / comp).mkdir(exist_ok=True)
        (site / rel[1:]).write_text(body, encoding="utf-8")
        out.append((comp, f"{comp}-{stype}-{i}", stype, rel))
    return out


def write_config(
    path: Path, pages: list[tuple[str, str, str, str]], urls: list[str], args: Any
) -> None:
    lines = [
        "settings:",
        "  allow_private_networks: true",
        "  autothrottle: false",
        f"  concurrent_requests: {args.concurrency}",
        f"  concurrent_requests_per_domain: {args.per_domain}",
        *([f"  parse_workers: {args.parse_workers}"] if args.parse_workers is not None else []),
        "competitors:",
    ]
    for comp in COMPETITORS:
        lines += [f"  - name: {comp.capitalize()}", "    sources:"]
        for i, (c, sid, stype, rel) in enumerate(pages):
            if c == comp:
                url = urls[i % len(urls)] + rel
                lines.append(f'      - {{id: {sid}, type: {stype}, url: "{url}"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_servers(
    site: Path, count: int, latency: float = 0.0
) -> tuple[list[subprocess.Popen[str]], list[str]]:
    procs, urls = [], []
    for _ in range(count):
        cmd = [
            sys.executable,
            "-m",
            "radar.devserver",
            str(site),
            "--port",
            "0",
            "--latency",
            str(latency),
        ]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        urls.append(proc.stdout.readline().strip())  # type: ignore[union-attr]
    return procs, urls


def measured(cmd: list[str]) -> dict[str, Any]:
    """Run a child; return its wall time, peak RSS (MiB) and stdout."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode not in (0, 2):
        raise SystemExit(f"{cmd[:4]} failed with exit code {proc.returncode}")
    rss = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    cpu = round(usage.ru_utime + usage.ru_stime, 2)
    return {"wall_s": round(wall, 2), "cpu_s": cpu, "peak_rss_mib": rss, "stdout": text}


def run_radar(config: Path, data_dir: Path, pages: int) -> dict[str, Any]:
    cmd = [sys.executable, *"-m radar crawl --json --config".split(), str(config)]
    res = measured([*cmd, "--data-dir", str(data_dir)])
    counts = json.loads(res.pop("stdout"))["counts"]
    ok = counts["sources"] - counts["failed"]
    res.update(pages=pages, ok=ok, pages_per_s=round(pages / res["wall_s"], 1))
    res.update(cpu_ms_per_page=round(1000 * res["cpu_s"] / pages, 2))
    res.update(not_modified=counts["not_modified"], new=counts["new"], failed=counts["failed"])
    return res


def run_plain(urls_file: Path, config: Path, pages: int) -> dict[str, Any]:
    settings_file = config.with_name("plain_settings.json")  # the child imports no radar code
    settings_file.write_text(json.dumps(plain_settings(config)), encoding="utf-8")
    cmd = [
        sys.executable,
        __file__,
        "--plain-scrapy",
        str(urls_file),
        "--config",
        str(settings_file),
    ]
    res = measured(cmd)
    res.update(json.loads(res.pop("stdout").strip().splitlines()[-1]))
    res.update(pages=pages, pages_per_s=round(pages / res["wall_s"], 1))
    res.update(cpu_ms_per_page=round(1000 * res["cpu_s"] / pages, 2))
    return res


def plain_settings(config: Path) -> dict[str, Any]:
    """Radar's Scrapy settings without its pipeline, its middlewares and its settings object."""
    from crawlers.settings import scrapy_settings
    from radar.core.config import load_config
    from radar.core.settings import Settings

    settings = scrapy_settings(Settings(load_config(config).settings))
    for key in ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MODULES"):
        settings.pop(key)
    settings.pop("NEWSPIDER_MODULE")
    return settings


def plain_scrapy(urls_file: Path, settings_file: Path) -> None:
    """Child process of run B: fetch every URL, read the body length, nothing else."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = urls_file.read_text().split()
    stats = {"ok": 0, "bytes": 0}

    class PlainSpider(scrapy.Spider):
        name = "plain"

        async def start(self) -> Any:
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response: Any) -> None:
            stats["ok"] += 1
            stats["bytes"] += len(response.body)

    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    process = CrawlerProcess({**settings, "LOG_INSTALL_ROOT_HANDLER": False})
    process.crawl(PlainSpider)
    process.start()
    print(json.dumps(stats))


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    head = (
        f"{'run':<34} {'wall s':>7} {'pages/s':>8} {'CPU s':>6} {'CPU ms/page':>11} {'ok':>5}"
        f" {'304s':>5} {'RSS MiB':>8}"
    )
    lines = [head, "-" * len(head)]
    for label, r in rows:
        lines.append(
            f"{label:<34} {r['wall_s']:>7} {r['pages_per_s']:>8} {r['cpu_s']:>6}"
            f" {r['cpu_ms_per_page']:>11} {r['ok']:>5} {r.get('not_modified', '-'):>5}"
            f" {r['peak_rss_mib']:>8}"
        )
    return "\n".join(lines)


def run_rounds(args: Any, tmp: Path, urls: list[str], pages: list[Any]) -> dict[str, Any]:
    """B then A, --repeat times; then C on the best A's store."""
    config, urls_file = tmp / "sources.yaml", tmp / "urls.txt"
    write_config(config, pages, urls, args)
    urls_file.write_text("\n".join(f"{urls[i % len(urls)]}{p[3]}" for i, p in enumerate(pages)))
    plain, radar = [], []
    for n in range(args.repeat):
        plain.append(run_plain(urls_file, config, args.pages))
        radar.append(run_radar(config, tmp / f"data{n}", args.pages))
        print(
            f"round {n + 1}: plain {plain[-1]['wall_s']} s, radar {radar[-1]['wall_s']} s",
            flush=True,
        )
    best_a = min(radar, key=lambda r: r["wall_s"])
    rerun = run_radar(config, tmp / f"data{radar.index(best_a)}", args.pages)
    best_b = min(plain, key=lambda r: r["wall_s"])
    return {
        "plain_scrapy": best_b,
        "radar": best_a,
        "radar_rerun": rerun,
        "all_runs": {"plain_scrapy": plain, "radar": radar},
        "ratio_pages_per_s": round(best_a["pages_per_s"] / best_b["pages_per_s"], 3),
        "ratio_cpu_per_page": round(best_b["cpu_s"] / best_a["cpu_s"], 3),
        "rerun_share_304": round(rerun["not_modified"] / args.pages, 3),
    }


def benchmark(args: Any, tmp: Path) -> dict[str, Any]:
    site = tmp / "site"
    site.mkdir()
    pages = generate_site(site, args.pages)
    sizes = sorted((site / rel[1:]).stat().st_size for *_, rel in pages)
    procs, urls = start_servers(site, args.servers, args.latency)
    try:
        runs = run_rounds(args, tmp, urls, pages)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
    settings = {
        k: getattr(args, k)
        for k in ("concurrency", "per_domain", "servers", "repeat", "latency", "parse_workers")
    }
    load = [round(x, 2) for x in os.getloadavg()]  # 1/5/15 min: other work on the machine
    size = {"min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1], "sum": sum(sizes)}
    info = {"pages": args.pages, "cpus": os.cpu_count(), "load_avg_after": load}
    return {**info, "settings": settings, "page_bytes": size, **runs}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent_requests")
    parser.add_argument("--per-domain", type=int, default=16, help="..._per_domain (project: 2)")
    parser.add_argument("--servers", type=int, default=2, help="devserver processes (ports)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of B and A; best kept")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the servers wait before answering (a network round trip)",
    )
    parser.add_argument(
        "--parse-workers", help="radar's parse_workers for run A and C (default: the setting's)"
    )
    parser.add_argument("--plain-scrapy", type=Path, metavar="URLS_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.plain_scrapy:
        plain_scrapy(args.plain_scrapy, args.config)
        return 0
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        result = benchmark(args, Path(tmp))
    rows = [
        ("B plain Scrapy (best)", result["plain_scrapy"]),
        ("A radar crawl, fresh store (best)", result["radar"]),
        ("C radar crawl, nothing changed", result["radar_rerun"]),
    ]
    print(table(rows))
    print(
        f"ratio A/B pages/s: {result['ratio_pages_per_s']} (target >= 0.7), by CPU time: "
        f"{result['ratio_cpu_per_page']}; load avg after: {result['load_avg_after']}\n"
        f"C answered 304: {result['rerun_share_304']:.0%}; {result['settings']}, "
        f"autothrottle off, {result['cpus']} CPUs"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
