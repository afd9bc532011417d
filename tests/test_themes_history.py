"""Discovered themes on history: the first fit reaches past the window, every item gets its theme."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from enrich.discover import ThemeModel
from enrich.pipeline import Enricher
from radar.cli import main
from radar.core.config import effective_settings
from radar.core.records import Item, item_id
from radar.services import enrich_new
from radar.store import Store

DIM = 16
WORDS = {0: "pricing seats plans", 1: "outage latency incident", 2: "webhook partner connector"}


class PlantedEmbedder:
    """Texts naming group N lie near the N-th axis (deterministic noise); others on axis 15."""

    name, dim = "planted-16", DIM

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            found = re.search(r"group(\d+)", text)
            axis = int(found.group(1)) if found else DIM - 1
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")
            noise = np.random.default_rng(seed).normal(0, 0.08, DIM)
            rows.append(np.eye(DIM)[axis] + noise)
        x = np.asarray(rows, dtype=np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def _day(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def _fill(store: Store, per_group: int, days_ago: int, groups: tuple[int, ...] = (0, 1, 2)) -> None:
    """``per_group`` items of each group, published ``days_ago`` days ago and one day older each."""
    for group in groups:
        for k in range(per_group):
            title = f"group{group} {WORDS.get(group, 'misc')} update {days_ago}-{k}"
            store.upsert_item(
                Item(
                    id=item_id("news", "https://news.example/", title),
                    source_id="news",
                    kind="news",
                    title=title,
                    body=f"{WORDS.get(group, 'misc')} story number {k}.",
                    url=f"https://news.example/{group}/{days_ago}/{k}",
                    published=_day(days_ago + k),
                )
            )


def _enricher(store: Store, min_items: int = 50) -> Enricher:
    return Enricher(store, PlantedEmbedder(), theme_model=ThemeModel(min_items=min_items))


def _discovered(store: Store) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in store.items(status="active"):
        tags = [t["id"] for t in item.themes if t.get("kind") == "discovered"]
        out[item.id] = tags[0] if tags else None
    return out


def test_a_window_with_too_few_items_fits_the_newest_history(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=30, days_ago=200)  # 90 items, all outside a 90-day window
    enricher = _enricher(store)
    enricher.run()
    result = enricher.fit(window_days=90)
    assert result.message is None and len(result.themes) == 3
    assert result.notes == [
        "too few in the window: the last 90 days hold 0 items, so the fit used the newest 90"
    ]
    assert result.coverage == (90, 90)
    assert store.discovered_coverage() == (90, 90)
    assert None not in _discovered(store).values()


def test_too_few_items_in_all_the_history_name_the_numbers(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=19, days_ago=200, groups=(0,))
    enricher = _enricher(store)
    enricher.run()
    result = enricher.fit(window_days=90)
    assert result.message == "too few items to cluster (19 < 50)"
    assert result.themes == [] and result.coverage is None
    assert store.discovered_coverage() == (19, 0)


def test_the_first_fit_reaches_past_a_full_window_and_themes_every_item(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=20, days_ago=1)  # 60 items inside the window
    _fill(store, per_group=40, days_ago=120)  # 120 older ones
    enricher = _enricher(store)
    enricher.run()
    result = enricher.fit(window_days=90)
    assert result.notes and result.notes[0].startswith("first fit: the last 90 days hold 60 items")
    assert result.coverage == (180, 180)
    assert len(set(_discovered(store).values())) == 3


def test_a_refit_on_the_window_assigns_old_items_by_the_radius_rule(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=20, days_ago=1)
    _fill(store, per_group=40, days_ago=120)
    enricher = _enricher(store)
    enricher.run()
    enricher.fit(window_days=90)  # the first fit: all 180 items
    first = _discovered(store)
    _fill(store, per_group=5, days_ago=300, groups=(9,))  # old items unlike any theme
    enricher.run()
    result = enricher.fit(window_days=90)  # a re-fit: the 60 window items only
    assert result.notes == [] and len(result.assignments) == 60
    after = _discovered(store)
    far = {i.id for i in store.items(status="active") if "group9" in i.title}
    assert all(after[item] is None for item in far)
    kept = sum(after[item] == theme for item, theme in first.items())
    moved = sum(after[item] not in (theme, None) for item, theme in first.items())
    assert moved == 0 and kept >= 0.9 * len(first)  # ids kept; a few fall outside the radius
    themed = sum(theme is not None for theme in after.values())
    assert result.coverage == (themed, 185)
    assert store.discovered_coverage() == (185, themed)


def test_assigning_again_writes_only_items_whose_theme_changed(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=30, days_ago=5)
    enricher = _enricher(store)
    enricher.run()
    enricher.fit(window_days=90)
    seq = store.newest_seq()
    fitted = dict(_discovered(store))
    assert enricher.assign_all(store.discovered_themes(), fitted) == (90, 90)
    assert store.newest_seq() == seq  # nothing written
    fitted[next(iter(fitted))] = None
    enricher.assign_all(store.discovered_themes(), fitted)
    assert store.newest_seq() == seq + 1  # one item written


def test_enrich_new_on_imported_history_gives_every_item_its_theme(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.db")
    _fill(store, per_group=25, days_ago=150)
    settings = effective_settings(None, str(tmp_path))
    summary = enrich_new(store, settings, None, embedder=PlantedEmbedder())
    assert summary.processed == 75
    assert any(m.startswith("too few in the window") for m in summary.messages)
    assert summary.messages[-1] == (
        "first fit: 3 discovered themes; 75 of 75 items carry one (0.0% outliers)"
    )
    assert store.discovered_coverage() == (75, 75)


def test_radar_themes_reports_the_outlier_share(tmp_path: Path) -> None:
    store = Store(tmp_path / "radar.db")
    _fill(store, per_group=20, days_ago=1)
    enricher = _enricher(store)
    enricher.run()
    enricher.fit(window_days=90)
    _fill(store, per_group=20, days_ago=2, groups=(9,))  # 20 new items, not yet assigned
    store.close()
    result = CliRunner().invoke(main, ["themes", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "discovered themes on 60 of 80 active items (25.0% outliers)" in result.output
