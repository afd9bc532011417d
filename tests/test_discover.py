"""Discovered themes: clustering without k, labels, stable ids, merges and splits, assignment."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from enrich.base import ThemeEvent
from enrich.discover import AutoKMeans, ThemeModel
from enrich.labels import CTfidfLabeler, make_label

DIM = 32
PLANTED = {
    0: "pricing seats plans",
    1: "outage latency incident",
    2: "webhook integration partner",
    3: "funding series investors",
}
FILLER = "product team customers update release week today blog announce users".split()


def blobs(
    per_blob: int = 60,
    groups: tuple[int, ...] = (0, 1, 2, 3),
    seed: int = 0,
    prefix: str = "i",
    noise: float = 0.08,
) -> tuple[npt.NDArray[np.float32], list[str], list[str], list[int]]:
    """Well-separated groups: orthogonal centres, small noise; texts carry the planted words."""
    rng = np.random.default_rng(seed)
    vectors, texts, ids, gold = [], [], [], []
    for group in groups:
        centre = np.eye(DIM, dtype=np.float32)[group]
        for k in range(per_blob):
            vectors.append(centre + rng.normal(0, noise, DIM).astype(np.float32))
            filler = " ".join(rng.choice(FILLER, 6))
            texts.append(f"{PLANTED[group]} {filler}")
            ids.append(f"{prefix}{group}-{k}")
            gold.append(group)
    x = np.asarray(vectors, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), texts, ids, gold


class FixedLabels:
    """A clusterer that returns the labels it is given (to force merges and splits)."""

    def __init__(self, labels: list[int]):
        self.labels = np.asarray(labels)

    def fit_predict(self, x: Any) -> npt.NDArray[np.int_]:
        assert len(x) == len(self.labels)
        return self.labels


def theme_of_group(assignments: list[str | None], gold: list[int]) -> dict[int, str]:
    """The one theme id each planted group went to (fails if a group is split or an outlier)."""
    found: dict[int, set[str | None]] = {}
    for theme, group in zip(assignments, gold, strict=True):
        found.setdefault(group, set()).add(theme)
    assert all(len(themes) == 1 and None not in themes for themes in found.values()), found
    return {group: str(next(iter(themes))) for group, themes in found.items()}


def test_four_blobs_give_four_themes_with_planted_labels() -> None:
    x, texts, ids, gold = blobs()
    result = ThemeModel().fit(x, texts, ids)
    assert result.message is None
    assert [t.id for t in result.themes] == ["d0001", "d0002", "d0003", "d0004"]
    assert [t.size for t in result.themes] == [60, 60, 60, 60]
    groups = theme_of_group(result.assignments, gold)
    assert sorted(groups.values()) == ["d0001", "d0002", "d0003", "d0004"]
    by_id = {t.id: t for t in result.themes}
    for group, words in PLANTED.items():
        theme = by_id[groups[group]]
        assert set(words.split()) <= set(theme.keywords[:6]), theme.keywords
        assert all(word in words for word in theme.label.split(" · ")), theme.label
        assert len(theme.representatives) == 3
        assert all(r.startswith(f"i{group}-") for r in theme.representatives)
        assert np.isclose(np.linalg.norm(theme.centroid), 1.0)
        assert 0 < theme.radius < 0.2
    assert result.events == [ThemeEvent("new", [t.id]) for t in result.themes]


def test_ids_stay_stable_after_refit_with_ten_percent_new_items() -> None:
    x, texts, ids, gold = blobs(per_blob=60, seed=1)
    first = ThemeModel().fit(x, texts, ids)
    x2, texts2, ids2, gold2 = blobs(per_blob=6, seed=2, prefix="new")
    window = (np.vstack([x, x2]), texts + texts2, ids + ids2)
    for known in (dict(zip(ids, first.assignments, strict=True)), None):
        second = ThemeModel(seed=5).fit(
            *window,
            previous=first.themes,
            used_ids={"d0001", "d0002", "d0003", "d0004"},
            previous_assignments=known,
        )
        assert second.assignments[: len(ids)] == first.assignments
        assert theme_of_group(second.assignments[len(ids) :], gold2) == theme_of_group(
            first.assignments, gold
        )
        assert second.events == []
        assert sorted(t.size for t in second.themes) == [66, 66, 66, 66]


def test_forced_merge_is_recorded_and_keeps_one_old_id() -> None:
    x, texts, ids, gold = blobs()
    first = ThemeModel().fit(x, texts, ids)
    groups = theme_of_group(first.assignments, gold)
    merged = [0 if g in (0, 1) else g for g in gold]
    for known in (dict(zip(ids, first.assignments, strict=True)), None):
        second = ThemeModel(clusterer=FixedLabels(merged)).fit(
            x,
            texts,
            ids,
            previous=first.themes,
            used_ids=set(groups.values()),
            previous_assignments=known,
        )
        assert len(second.themes) == 3
        merged_id = second.assignments[0]
        assert merged_id in (groups[0], groups[1])
        assert second.events == [ThemeEvent("merge", [merged_id], sorted([groups[0], groups[1]]))]
        assert theme_of_group(second.assignments, gold)[2] == groups[2]


def test_forced_split_is_recorded_with_a_fresh_id() -> None:
    x, texts, ids, gold = blobs()
    merged = [0 if g in (0, 1) else g for g in gold]
    first = ThemeModel(clusterer=FixedLabels(merged)).fit(x, texts, ids)
    old = theme_of_group(first.assignments, gold)
    assert old[0] == old[1]
    for known in (dict(zip(ids, first.assignments, strict=True)), None):
        second = ThemeModel().fit(
            x,
            texts,
            ids,
            previous=first.themes,
            used_ids={"d0001", "d0002", "d0003"},
            previous_assignments=known,
        )
        new = theme_of_group(second.assignments, gold)
        assert {new[0], new[1]} == {old[0], "d0004"}
        assert (new[2], new[3]) == (old[2], old[3])
        [event] = second.events
        assert (event.kind, event.from_ids) == ("split", [old[0]])
        assert event.theme_ids == sorted([old[0], "d0004"])


def test_vanished_group_is_retired_and_unseen_group_is_new() -> None:
    x, texts, ids, gold = blobs(groups=(0, 1, 2))
    first = ThemeModel().fit(x, texts, ids)
    old = theme_of_group(first.assignments, gold)
    x2, texts2, ids2, gold2 = blobs(groups=(0, 1, 3), seed=3, prefix="w2-")
    second = ThemeModel().fit(
        x2, texts2, ids2, previous=first.themes, used_ids={"d0001", "d0002", "d0003", "d0009"}
    )
    new = theme_of_group(second.assignments, gold2)
    assert (new[0], new[1]) == (old[0], old[1])
    assert new[3] == "d0010"  # above every id ever used
    assert second.events == [ThemeEvent("new", ["d0010"]), ThemeEvent("retired", [old[2]])]


def test_too_few_items_give_a_message_and_no_themes() -> None:
    x, texts, ids, _ = blobs(per_blob=3)
    result = ThemeModel().fit(x, texts, ids)
    assert (result.themes, result.assignments, result.events) == ([], [None] * 12, [])
    assert result.message == "too few items to cluster (12 < 50)"
    empty = ThemeModel().fit(np.zeros((0, DIM), dtype=np.float32), [], [])
    assert (empty.themes, empty.assignments) == ([], [])
    assert empty.message == "too few items to cluster (0 < 50)"
    assert ThemeModel().assign(np.zeros((0, DIM), dtype=np.float32), []) == []


def test_identical_vectors_make_one_theme() -> None:
    x = np.tile(np.eye(DIM, dtype=np.float32)[5], (60, 1))
    result = ThemeModel().fit(x, ["pricing seats"] * 60, [f"i{k}" for k in range(60)])
    [theme] = result.themes
    assert (theme.size, theme.radius, set(result.assignments)) == (60, 0.0, {theme.id})
    assert ThemeModel().assign(x[:1], result.themes) == [(theme.id, pytest.approx(1.0))]


def test_assign_puts_near_points_in_their_theme_and_far_points_nowhere() -> None:
    x, texts, ids, gold = blobs()
    model = ThemeModel()
    result = model.fit(x, texts, ids)
    groups = theme_of_group(result.assignments, gold)
    near, *_ = blobs(per_blob=5, groups=(2,), seed=9, noise=0.03)
    far = np.eye(DIM, dtype=np.float32)[[20]]
    assigned = model.assign(np.vstack([near, far]), result.themes)
    assert [theme for theme, _ in assigned] == [groups[2]] * 5 + [None]
    assert all(sim > 0.9 for _, sim in assigned[:5])
    assert abs(assigned[5][1]) < 0.2
    assert model.assign(far, []) == [(None, 0.0)]


def test_large_windows_cluster_a_sample_and_assign_the_rest() -> None:
    x, texts, ids, gold = blobs(per_blob=100)
    result = ThemeModel(max_fit_items=120).fit(x, texts, ids)
    assert [t.size for t in result.themes] == [100, 100, 100, 100]
    groups = theme_of_group(result.assignments, gold)  # KMeans partitions: the rest join too
    assert sorted(groups.values()) == ["d0001", "d0002", "d0003", "d0004"]


def test_clusterer_outliers_rejoin_only_within_a_radius() -> None:
    x, texts, ids, gold = blobs()
    far = np.eye(DIM, dtype=np.float32)[20:25]
    labels = [g if k % 60 else -1 for k, g in enumerate(gold)] + [-1] * 5  # 4 members, 5 far
    result = ThemeModel(clusterer=FixedLabels(labels)).fit(
        np.vstack([x, far]), texts + ["noise"] * 5, ids + [f"far{k}" for k in range(5)]
    )
    assert result.assignments[-5:] == [None] * 5
    assert theme_of_group(result.assignments[:-5], gold) == {
        0: "d0001",
        1: "d0002",
        2: "d0003",
        3: "d0004",
    }


def test_auto_kmeans_chooses_k_by_silhouette() -> None:
    x, *_ = blobs(per_blob=30, groups=(0, 1, 2))
    clusterer = AutoKMeans()
    labels = clusterer.fit_predict(x)
    assert clusterer.k_ == 3
    assert max(clusterer.scores_, key=lambda k: clusterer.scores_[k]) == 3
    assert len(set(labels.tolist())) == 3


def test_ctfidf_keywords_and_label() -> None:
    docs = {
        7: ["Said the pricing plans change: per-seat pricing.", "New pricing plans said today"],
        8: ["Said the outage hit the EU region.", "Outage report said EU region restored"],
        9: [],
    }
    keywords = CTfidfLabeler().label(docs, top_n=3)
    assert keywords == {
        7: ["pricing", "plans", "pricing plans"],  # ties in vocabulary order
        8: ["eu", "eu region", "outage"],
        9: [],
    }
    assert make_label(keywords[7]) == "pricing · plans"
    assert make_label(["pricing plans", "pricing", "seats", "plans", "billing"]) == (
        "pricing plans · seats · billing"
    )
    assert CTfidfLabeler().label({1: ["the and of", "123"]}) == {1: []}
