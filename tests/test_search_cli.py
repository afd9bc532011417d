"""`radar index`, `radar search` and `radar trends` end to end on a small store (in-process)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from enrich.embed import HashEmbedder
from radar.cli import main
from radar.core.records import Item, item_id
from radar.core.settings import SETTINGS
from radar.store import Store

TODAY = date.today()
HAS_EMBEDDING_SETTING = any(s.name == "embedding_model" for s in SETTINGS)
needs_embedder = pytest.mark.skipif(
    not HAS_EMBEDDING_SETTING, reason="the `embedding_model` setting is not defined yet"
)

ROWS = [  # (competitor, days ago, title, body, theme, move type)
    ("acme", 2, "Usage-based pricing for teams", "Acme bills per seat and per API call now.", "pricing", "pricing_change"),
    ("acme", 3, "Copilot assistant launches", "An assistant writes SQL queries for you.", "ai", "launch"),
    ("globex", 1, "Globex assistant preview", "The assistant drafts replies; quasar mode.", "ai", "launch"),
    ("globex", 4, "Assistant for admins", "An assistant for admin consoles; quasar inside.", "ai", "launch"),
    ("globex", 5, "Quasar assistant GA", "Generally available: the quasar assistant.", "ai", "launch"),
    ("globex", 40, "SAML fixes", "Single sign-on fixes for <b>security</b> teams.", "security", "fix"),
    ("acme", 50, "Dashboard export", "Export dashboards to PDF and CSV.", "reporting", "improvement"),
    ("acme", 60, "Invoice history", "Download every invoice from billing.", "pricing", "improvement"),
]  # fmt: skip


def _build(data_dir: Path, embed: bool = True) -> Store:
    store = Store(data_dir / "radar.db")
    items = []
    for n, (comp, ago, title, body, theme, move) in enumerate(ROWS):
        item = Item(
            id=item_id(f"{comp}-log", f"https://{comp}.example/log", str(n)), source_id=f"{comp}-log",
            kind="changelog_entry", title=title, body=body, url=f"https://{comp}.example/log#{n}",
            competitor=comp, published=(TODAY - timedelta(days=ago)).isoformat(),
        )  # fmt: skip
        store.upsert_item(item)
        item.themes = [{"id": theme, "score": 0.9, "kind": "configured", "label": theme.title()}]
        item.move_type = move
        items.append(item)
    store.save_enrichment(items)
    themes = sorted({row[4] for row in ROWS})
    store.save_configured_themes(
        [SimpleNamespace(id=t, name=t.title(), keywords=[t]) for t in themes]
    )
    if embed:
        embedder = HashEmbedder()
        vectors = embedder.embed([f"{i.title}.\n{i.body}" for i in items])
        store.cache_embeddings(
            {i.content_hash: v for i, v in zip(items, vectors, strict=True)}, embedder.name
        )
    return store


@pytest.fixture
def radar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RADAR_EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("RADAR_HOME", str(tmp_path))
    _build(tmp_path).close()

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, [*args, "--config", str(tmp_path / "none.yaml")])

    return run


def _json(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_index_then_nothing_to_do(radar) -> None:  # type: ignore[no-untyped-def]
    first = _json(radar("index", "--json"))
    assert (first["indexed"], first["total"], first["vector_model"]) == (8, 8, "hash-256")
    again = radar("index")
    assert again.exit_code == 0 and "up to date (8 documents" in again.stdout
    rebuilt = radar("index", "--rebuild")
    assert rebuilt.exit_code == 0 and "indexed 8 items" in rebuilt.stdout


def test_search_text_json_shape_and_filters(radar) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    out = _json(radar("search", "assistant", "--mode", "text", "--competitor", "globex", "--json"))
    assert out["mode"] == "text" and out["total"] == 3
    hit = out["hits"][0]
    assert set(hit) >= {
        "id",
        "title",
        "snippet",
        "url",
        "competitor",
        "published",
        "themes",
        "theme_labels",
    }
    assert {h["competitor"] for h in out["hits"]} == {"globex"}
    assert hit["theme_labels"] == ["Ai"]
    since = (TODAY - timedelta(days=3)).isoformat()
    recent = _json(radar("search", "assistant", "--mode", "text", "--since", since, "--json"))
    assert {h["title"] for h in recent["hits"]} == {
        "Copilot assistant launches",
        "Globex assistant preview",
    }
    by_theme = _json(radar("search", "", "--theme", "security", "--json"))
    assert [h["title"] for h in by_theme["hits"]] == ["SAML fixes"]
    assert "&lt;b&gt;security&lt;/b&gt;" in by_theme["hits"][0]["snippet"]


def test_search_table_output(radar) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    result = radar("search", "quasar", "--mode", "text")
    assert result.exit_code == 0
    assert '3 results for "quasar" (text)' in result.stdout
    assert "globex · " in result.stdout and "https://globex.example/log#" in result.stdout
    assert "themes: Ai" in result.stdout and "<mark>" not in result.stdout


@needs_embedder
def test_semantic_and_hybrid_modes(radar) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    default = _json(radar("search", "quasar assistant", "--json"))
    assert default["mode"] == "hybrid" and "Quasar assistant GA" in [
        h["title"] for h in default["hits"]
    ]
    semantic = _json(
        radar("search", "Export dashboards to PDF and CSV", "--mode", "semantic", "--json")
    )
    assert semantic["hits"][0]["title"] == "Dashboard export"


def test_semantic_without_embeddings_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_HOME", str(tmp_path))
    _build(tmp_path, embed=False).close()
    runner = CliRunner()
    config = ["--config", str(tmp_path / "none.yaml")]
    assert runner.invoke(main, ["index", *config]).exit_code == 0
    failed = runner.invoke(main, ["search", "pricing", "--mode", "semantic", *config])
    assert (
        failed.exit_code == 1
        and "no embeddings" in failed.stderr
        and "Traceback" not in failed.output
    )
    hybrid = _json(
        runner.invoke(main, ["search", "pricing", "--mode", "hybrid", "--json", *config])
    )
    assert hybrid["mode"] == "text" and hybrid["total"] == 1


@pytest.mark.parametrize(
    "raw", ['"unbalanced', "AND OR", "NEAR(", "*", "title:x", "-", "(((", "💥", "x" * 3000, "\\"]
)
def test_hostile_queries_exit_zero(radar, raw: str) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    result = radar("search", raw, "--mode", "text")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_bad_dates_and_a_missing_store(radar, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = radar("search", "x", "--since", "last tuesday")
    assert bad.exit_code == 1 and "--since 'last tuesday' is not a date" in bad.stderr
    missing = CliRunner().invoke(main, ["search", "x", "--data-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no store" in missing.stderr


def test_search_before_indexing_says_so(radar) -> None:  # type: ignore[no-untyped-def]
    result = radar("search", "assistant", "--mode", "text")
    assert result.exit_code == 0
    assert "no results" in result.stdout and "radar index" in result.stdout


def test_trends_table_and_json(radar) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    table = radar("trends", "--by", "competitor")
    assert table.exit_code == 0, table.output
    assert "items per week by competitor" in table.stdout
    assert any(ch in table.stdout for ch in "▁▂▃▄▅▆▇█")
    out = _json(radar("trends", "--by", "theme", "--json"))
    assert out["buckets"][-1] <= TODAY.isoformat() and sum(out["series"]["ai"]) == 4
    assert out["labels"]["ai"] == "Ai" and len(out["series"]["ai"]) == len(out["buckets"])
    monthly = _json(
        radar(
            "trends", "--by", "move_type", "--interval", "month", "--query", "assistant", "--json"
        )
    )
    assert sum(monthly["series"]["launch"]) == 4 and set(monthly["series"]) == {"launch"}


def test_trends_rising(radar) -> None:  # type: ignore[no-untyped-def]
    radar("index")
    out = _json(radar("trends", "rising", "--json"))
    assert [t["theme"] for t in out["themes"]] == ["ai"]
    assert out["themes"][0]["count"] == 4 and out["themes"][0]["label"] == "Ai"
    assert "quasar" in [t["term"] for t in out["terms"]]
    text = radar("trends", "rising")
    assert text.exit_code == 0 and "rising themes:" in text.stdout and "Ai" in text.stdout
