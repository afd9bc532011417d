"""The use cases the CLI, the web UI and the daily job share: one rule each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from radar.services import RangeError, SearchModeError, choose_mode, theme_labels, trend_window
from search import SearchQuery


class FakeEmbedder:
    name = "hash-256"

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.5, 0.5] for _ in texts]


def _mode(text: str, requested: str | None, model: str | None) -> tuple[str, list[str], Any]:
    query = SearchQuery(text=text)
    notes = choose_mode(query, requested, model, FakeEmbedder)
    return query.mode, notes, query.vector


def test_the_default_mode_follows_the_index() -> None:
    assert _mode("pricing", None, "hash-256") == ("hybrid", [], [0.5, 0.5])
    assert _mode("pricing", None, None) == ("text", [], None)


def test_no_words_browse_the_filters_with_a_note_when_a_mode_was_asked() -> None:
    assert _mode("", None, "hash-256") == ("text", [], None)
    assert _mode("(((", "semantic", "hash-256") == (
        "text",
        ["semantic search needs words: showing all matches"],
        None,
    )


@pytest.mark.parametrize("model", [None, "another-model"])
def test_semantic_search_that_cannot_run_is_an_error_and_hybrid_falls_back(
    model: str | None,
) -> None:
    with pytest.raises(SearchModeError, match="run `radar enrich`, then `radar index`"):
        _mode("pricing", "semantic", model)
    mode, notes, vector = _mode("pricing", "hybrid", model)
    assert (mode, vector) == ("text", None) and notes[0].endswith("; searched words only")


def test_theme_labels_map_ids_to_labels() -> None:
    class Store:
        def theme_labels(self) -> dict[str, str]:
            return {"pricing": "Pricing & packaging", "d1": "ai"}

    assert theme_labels(Store()) == {"pricing": "Pricing & packaging", "d1": "ai"}


def test_trend_windows_are_bounded() -> None:
    today = date(2026, 12, 7)
    assert trend_window(None, None, "week", today) == (date(2026, 9, 14), today)
    assert trend_window("2022-01-01", None, "month", today)[0] == date(2022, 1, 1)
    for since, until in (("0001-01-01", None), (None, "9999-12-31"), ("2026-12-08", None)):
        with pytest.raises(RangeError):
            trend_window(since, until, "week", today)
