"""`radar add` on 20+ local sites shaped like real ones: recall, precision, robots.txt, errors.

Every site is discovered once, in one subprocess (tests/sites/run.py). The per-site table of
expected and found sources is printed (run with -s to see it; it is in the failure otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sites.catalog import CORPUS, Catalog, Site
from tests.sites.harness import chosen, discover_sites, sites_server
from tests.sites.server import SitesServer

pytestmark = pytest.mark.slow

Run = tuple[SitesServer, Catalog, list[Site], dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with sites_server() as (server, catalog, sites):
        yield server, catalog, sites, discover_sites(server, catalog, sites)


def score(sites: list[Site], results: dict[str, dict[str, Any]]) -> tuple[float, float, str]:
    expected_n = found_n = hits = 0
    lines = []
    for site in sites:
        expected, found = set(site.expected), set(chosen(results[site.name]))
        hits += len(expected & found)
        expected_n, found_n = expected_n + len(expected), found_n + len(found)
        mark = "ok " if expected == found else "MISS"
        lines.append(f"{mark} {site.name:10} ({site.what})\n     expected {sorted(expected)}\n"
                     f"     found    {sorted(found)}")  # fmt: skip
        if expected != found:
            tried = results[site.name].get("proposal", {}).get("tried", [])
            lines += [f"     tried    {t['type']} {t['url']}: {t['found']}" for t in tried]
    return hits / expected_n, hits / max(found_n, 1), "\n".join(lines)


def test_there_are_at_least_20_sites(run: Run) -> None:
    sites = run[2]
    assert len([s for s in sites if not s.corpus]) >= 20
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus sites need {CORPUS} (absent here)")
    assert any(s.corpus for s in sites)


def test_recall_and_precision_of_the_sources_a_person_would_choose(run: Run) -> None:
    _, _, sites, results = run
    recall, precision, table = score(sites, results)
    print(f"\n{table}\nrecall {recall:.3f}  precision {precision:.3f}")
    assert recall >= 0.9, table
    assert precision >= 0.9, table


def test_no_request_reaches_a_path_robots_txt_forbids(run: Run) -> None:
    server, _, sites, results = run
    guarded = [s for s in sites if s.forbidden]
    assert guarded
    for site in guarded:
        paths = server.requests_to(site.host)
        assert "/robots.txt" in paths and "/" in paths  # the site was crawled
        assert not [p for p in paths if any(p.startswith(f) for f in site.forbidden)], paths
        tried = results[site.name]["proposal"]["tried"]
        assert any("robots.txt" in t["found"] for t in tried), tried


def test_a_domain_answering_nothing_is_one_error_and_no_sources(run: Run) -> None:
    result = run[3]["silent"]
    assert result["error"].startswith("http://silent.localhost:")
    assert "proposal" not in result


def test_a_few_dozen_requests_per_site_at_most(run: Run) -> None:
    server, _, sites, results = run
    assert all(0 < results[s.name]["requests"] <= 40 for s in sites)
    assert max(len(server.requests_to(s.host)) for s in sites) <= 41  # + robots.txt


def test_found_says_how_many_entries_and_the_newest(run: Run) -> None:
    sources = run[3]["footer"]["proposal"]["sources"]
    assert [(s["id"], s["found"], s["confidence"]) for s in sources] == [
        ("footer-changelog", "5 entries, newest 2026-11-24", "high")
    ]
