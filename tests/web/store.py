"""A small store for the web tests: real store, real index, hostile crawled text.

Built in-process (no subprocess, no model): items through `Store`, configured and discovered
themes, hash-embedder vectors, the embedded index, source health, a revision, a multi-source
event and an archived digest. Dates are relative to today, so trends and rising themes have data.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from radar.core.records import Item, SourceResult
from radar.core.settings import Settings

PWN_SCRIPT = "<script>window.__pwned = 1</script>"
PWN_ONERROR = "<img src=x onerror=\"document.title='pwned'\">"
HOSTILE_TITLE = f"Acme {PWN_SCRIPT} ships {PWN_ONERROR} usage pricing"
HOSTILE_BODY = (
    f"Usage pricing arrives.{PWN_SCRIPT} Broken <div><p>markup <a href='javascript:alert(1)'>"
    f'click</a> {PWN_ONERROR} and <svg onload="window.__pwned=2"> more pricing text.'
)
JS_URL = "javascript:window.__pwned=3"
EVIL_THEME_LABEL = "<script>window.__pwned=4</script> Pricing pressure"
EVIL_COMPETITOR = 'evil"><img src=x onerror="document.title=\'pwned\'">'
TAMPERED_WEEK = "2020-W01"  # an archived digest with a script in it: the CSP must stop it

COMPETITORS = ("acme", "globex", "initech")
THEMES = {"pricing": "Pricing & packaging", "ai-ml": "AI & machine learning",
          "security": "Security", "integrations": "Integrations"}  # fmt: skip
MOVES = ("launch", "pricing", "improvement", "fix", "security", "integration")


def _item(n: int, today: date, **fields: object) -> Item:
    competitor = COMPETITORS[n % 3]
    theme = list(THEMES)[n % 4]
    data: dict[str, object] = dict(
        id=f"item{n:03d}", source_id=f"{competitor}-changelog", kind="changelog_entry",
        title=f"{competitor.title()} release {n}: {theme} update with dashboards",
        body=f"Release {n} of {competitor} improves {theme} for teams. Dashboards load faster.",
        url=f"https://{competitor}.example/changelog#r{n}", competitor=competitor,
        version=f"1.{n}.0", published=(today - timedelta(days=(n * 3) % 120)).isoformat(),
        themes=[{"id": theme, "score": 0.8}], move_type=MOVES[n % len(MOVES)],
    )  # fmt: skip
    data.update(fields)
    return Item(**data)  # type: ignore[arg-type]


def items(today: date) -> list[Item]:
    out = [_item(n, today) for n in range(40)]
    out += [
        _item(100, today, title=HOSTILE_TITLE, body=HOSTILE_BODY, url=JS_URL,
              themes=[{"id": "pricing", "score": 0.9}, {"id": "d-evil", "score": 0.7}],
              published=today.isoformat(), move_type="pricing"),
        _item(101, today, competitor=EVIL_COMPETITOR, source_id="evil-blog", kind="blog",
              title="Evil competitor blog post about pricing", url="data:text/html,<b>x</b>",
              published=(today - timedelta(days=1)).isoformat()),
        _item(102, today, title="Globex launches AI assistant for pricing", competitor="globex",
              source_id="globex-blog", kind="blog", event_id="ev-1", move_type="launch",
              themes=[{"id": "ai-ml", "score": 0.9}, {"id": "pricing", "score": 0.6}],
              published=(today - timedelta(days=2)).isoformat()),
        _item(103, today, title="Globex unveils an AI pricing assistant", competitor=None,
              source_id="technews", kind="news", event_id="ev-1", mentions=["globex"],
              url="https://news.example/globex-ai", move_type=None,
              themes=[{"id": "ai-ml", "score": 0.85}],
              published=(today - timedelta(days=2)).isoformat()),
    ]  # fmt: skip
    for n in range(6):  # a burst of AI items this week: a rising theme
        out.append(_item(200 + n, today, title=f"Copilot agents wave {n}", body="Agents copilot.",
                         themes=[{"id": "ai-ml", "score": 0.9}], published=today.isoformat()))  # fmt: skip
    return out


def settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings({"data_dir": str(data_dir), "embedding_model": "hash", **overrides}, env={})


def build_store(data_dir: Path, today: date | None = None) -> Settings:
    from enrich.base import DiscoveredTheme, ThemeEvent
    from enrich.embed import HashEmbedder
    from radar.store import Store
    from search import get_backend
    from search.indexer import Indexer

    today = today or date.today()
    conf = settings(data_dir)
    store = Store(data_dir / "radar.db")
    store.save_configured_themes(
        [SimpleNamespace(id=k, name=v, keywords=[k, "teams"]) for k, v in THEMES.items()]
    )
    embedder = HashEmbedder()
    evil = DiscoveredTheme(id="d-evil", label=EVIL_THEME_LABEL, keywords=["pricing", "<b>bold</b>"],
                           centroid=embedder.embed(["pricing"])[0], radius=0.5, size=2,
                           representatives=["item100"])  # fmt: skip
    store.save_themes([evil], [ThemeEvent("new", ["d-evil"])])
    all_items = items(today)
    store.import_items(all_items)
    store.upsert_item(_item(0, today, body="Release 0 of acme improves pricing for teams. Now with a free tier."))  # fmt: skip
    vectors = embedder.embed([f"{i.title}\n{i.body}" for i in all_items])
    hashes = {i.id: i.content_hash for i in all_items}
    store.cache_embeddings({hashes[i.id]: np.asarray(v) for i, v in zip(all_items, vectors, strict=True)},
                           embedder.name)  # fmt: skip
    _health(store)
    backend = get_backend(conf, store_path=data_dir / "radar.db")
    Indexer(store, backend).run()
    _digests(conf, store, backend, today)
    backend.close()
    store.close()
    return conf


def _health(store: object) -> None:
    ok = SimpleNamespace(id="acme-changelog", competitor="acme", type="changelog",
                         url="https://acme.example/changelog")  # fmt: skip
    bad = SimpleNamespace(id="globex-blog", competitor="globex", type="feed",
                          url="javascript:alert(1)")  # fmt: skip
    store.record_source_result(ok, SourceResult("acme-changelog", ok=True, seen_ids=["item000"]))  # type: ignore[attr-defined]
    store.record_source_result(  # type: ignore[attr-defined]
        bad, SourceResult("globex-blog", ok=False, error=f"HTTP 500 {PWN_SCRIPT}")
    )


def _digests(conf: Settings, store: object, backend: object, today: date) -> None:
    from radar.digest import build_digest
    from radar.digest_render import render_html, render_markdown

    iso = today.isocalendar()
    built = build_digest(backend, store, None, week=f"{iso.year}-W{iso.week:02d}", today=today)  # type: ignore[arg-type]
    folder = conf.data_dir / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{built.week}.html").write_text(render_html(built), encoding="utf-8")
    (folder / f"{built.week}.md").write_text(render_markdown(built), encoding="utf-8")
    tampered = f"<!DOCTYPE html><html><head><title>t</title></head><body><h1>Tampered</h1>{PWN_SCRIPT}</body></html>"  # fmt: skip
    (folder / f"{TAMPERED_WEEK}.html").write_text(tampered, encoding="utf-8")
    (folder / "notes.txt").write_text("not a digest", encoding="utf-8")
