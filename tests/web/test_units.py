"""Fast tests of the web's pure parts: safe links, snippets, charts, diffs, URLs, the service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from radar.web import charts, views
from radar.web.models import SearchParams
from radar.web.pages import search_url, toggle
from radar.web.security import safe_url, snippet_html
from radar.web.service import BadRequest, NotFound, Service
from search import Hit
from tests.web.store import settings


@pytest.mark.parametrize(
    "url",
    ["https://acme.example/changelog#v2", "http://news.example/a?b=1", " https://x.example/ "],
)
def test_http_urls_are_links(url: str) -> None:
    assert safe_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
     "vbscript:x", "//evil.example/x", "/items/1", "http:/nohost", "https://a.example/\nx",
     "mailto:a@b.example", "", None, 42],
)  # fmt: skip
def test_anything_else_is_no_link(url: object) -> None:
    assert safe_url(url) is None


def test_snippet_keeps_only_marks() -> None:
    assert str(snippet_html("a <mark>price</mark> &lt;b&gt;")) == "a <mark>price</mark> &lt;b&gt;"
    broken = "<script>x()</script><mark>price <img onerror=y>"  # a backend that broke the promise
    assert str(snippet_html(broken)) == (
        "&lt;script&gt;x()&lt;/script&gt;<mark>price &lt;img onerror=y&gt;</mark>"
    )


def test_bar_chart_has_a_bar_per_week_and_escapes_labels() -> None:
    svg = str(charts.bar_chart(["2026-11-02", "2026-11-09", "2026-11-16"], [1, 0, 7], "<b>t</b>"))
    assert svg.count("<rect") == 3
    assert "<title>week of 2026-11-16: 7 items</title>" in svg
    assert "&lt;b&gt;t&lt;/b&gt;" in svg and "<b>" not in svg
    assert "style=" not in svg  # the CSP allows no inline style


def test_line_chart_draws_points_per_series() -> None:
    svg = str(
        charts.line_chart(["2026-11-02", "2026-11-09"], [("<a>", [1, 2]), ("b", [0, 3])], "t")
    )
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4
    assert "&lt;a&gt;, week of 2026-11-09: 2" in svg


@pytest.mark.parametrize(("peak", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (480, 500)])
def test_nice_max(peak: int, top: int) -> None:
    assert charts.nice_max(peak) == top


def test_diff_splits_long_lines_into_sentences() -> None:
    old = "First sentence stays the same here. " * 3 + "Price is nine dollars. " + "Tail. " * 20
    new = old.replace("nine", "twelve")
    lines = views.diff("T", old, "T", new)
    assert [(d.op, d.text) for d in lines if d.op in "+-"] == [
        ("-", "Price is nine dollars."),
        ("+", "Price is twelve dollars."),
    ]
    assert lines[0].op == "@"


def test_moves_grouped_by_week_then_importance() -> None:
    def hit(n: int, day: str, move: str | None) -> Hit:
        return Hit(id=f"h{n}", score=0, title=f"t{n}", snippet="", url="", kind="release",
                   source="s", published=day, move_type=move)  # fmt: skip

    weeks = views.weeks_of_moves(
        [hit(1, "2026-11-25", "fix"), hit(2, "2026-11-24", "launch"), hit(3, "2026-11-17", None)]
    )
    assert [(w.week, [g.move_type for g in w.groups]) for w in weeks] == [
        ("2026-11-23", ["launch", "fix"]),
        ("2026-11-16", ["other"]),
    ]


def test_digest_archive_lists_only_digest_files(tmp_path: Path) -> None:
    for name in ("2026-W48.html", "2026-W48.md", "2026-W47.md", "x.html", "2026-W1.html"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = views.digest_archive(tmp_path)
    assert [(d.week, d.formats) for d in found] == [
        ("2026-W48", ["html", "md"]),
        ("2026-W47", ["md"]),
    ]
    assert views.digest_archive(tmp_path / "missing") == []


def test_search_urls_toggle_filters() -> None:
    p = SearchParams(q="ai pricing", competitor=["acme"], since="2026-01-01")
    assert search_url(p) == "/?q=ai+pricing&competitor=acme&since=2026-01-01"
    assert toggle(p, "competitor", "acme") == "/?q=ai+pricing&since=2026-01-01"
    assert (
        toggle(p, "theme", "a&b") == "/?q=ai+pricing&competitor=acme&theme=a%26b&since=2026-01-01"
    )
    assert search_url(SearchParams(offset=20)) == "/?offset=20"


# -- the service over the hostile store ------------------------------------------------------------
@pytest.fixture(scope="module")
def service(web_data: Path) -> Service:
    return Service(settings(web_data), web_data / "radar.db", workers=1)


def test_search_gives_facets_and_a_weekly_histogram(service: Service) -> None:
    page = service.search(SearchParams(q="pricing", mode="text", limit=5))
    assert page.total > 5 and len(page.hits) == 5
    assert {"competitor", "theme", "move_type", "kind", "source"} <= set(page.facets)
    assert sum(b.count for b in page.histogram) == page.total  # every item here is dated
    themes = {f.value: f.label for f in page.facets["theme"]}
    assert themes["pricing"] == "Pricing & packaging"
    narrowed = service.search(SearchParams(q="pricing", mode="text", competitor=["globex"]))
    assert 0 < narrowed.total < page.total
    assert all(h.competitor == "globex" for h in narrowed.hits)
    assert [f.value for f in narrowed.facets["competitor"] if f.selected] == ["globex"]


def test_semantic_search_embeds_with_the_index_model(service: Service) -> None:
    page = service.search(SearchParams(q="copilot agents", mode="semantic", limit=3))
    assert page.query.mode == "semantic" and not page.notes
    assert page.hits[0].title.startswith("Copilot agents")


def test_semantic_without_words_says_what_it_did(service: Service) -> None:
    page = service.search(SearchParams(mode="semantic", limit=1))
    assert page.query.mode == "text"
    assert page.notes == ["semantic search needs words: showing all matches"]


def test_unknown_ids_are_not_found(service: Service) -> None:
    for call, arg in ((service.item, "nope"), (service.theme, "nope"),
                      (service.competitor, "nope"), (service.digest, "2031-W01")):  # fmt: skip
        with pytest.raises(NotFound):
            call(arg)


def test_trends_refuse_an_inverted_range(service: Service) -> None:
    with pytest.raises(BadRequest, match=re.escape("since (2026-02-01) is after until (2026-01-01)")):  # fmt: skip
        service.trends("theme", "week", "2026-02-01", "2026-01-01", "", 8)


def test_item_has_revisions_with_a_diff_and_other_sources(service: Service) -> None:
    item = service.item("item000")
    assert [(d.op, d.text) for d in item.revisions[0].diff if d.op in "+-"] == [
        ("-", "Release 0 of acme improves pricing for teams. Dashboards load faster."),
        ("+", "Release 0 of acme improves pricing for teams. Now with a free tier."),
    ]
    event = service.item("item102")
    assert [o.id for o in event.other_sources] == ["item103"]


def test_sources_needing_attention_come_first(service: Service) -> None:
    assert [(s.id, s.state) for s in service.sources()] == [
        ("globex-blog", "failing"),
        ("acme-changelog", "ok"),
    ]


def test_answer_cache_keeps_answers_for_a_while_and_only_a_few() -> None:
    from radar.web.cache import AnswerCache

    now = [0.0]
    cache = AnswerCache(size=2, ttl=10, clock=lambda: now[0])
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    answers = [cache.get(k, lambda k=k: compute(k)) for k in ("a", "a", "b", "c", "a")]
    assert answers == ["A", "A", "B", "C", "A"]
    assert calls == ["a", "b", "c", "a"]  # "a" was pushed out by b and c
    now[0] = 11
    assert cache.get("a", lambda: compute("a")) == "A" and calls[-1] == "a"  # expired
