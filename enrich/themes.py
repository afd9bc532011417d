"""Configured themes: load ``config/themes.yaml``, score items against each theme, calibrate.

A theme is a name, a description, example phrases and optional keywords. An item's score for a
theme comes from embedding similarity to the theme's prototypes (description and examples),
put on a scale learned from the prototypes themselves, plus a keyword bonus, squashed to 0..1.
Because the scale comes from the prototypes (how similar a theme's own phrases are to each other
against how similar they are to other themes' phrases), the same default threshold works for
different embedding models. Every theme whose score passes its threshold is assigned.

Calibrated thresholds are written to a sidecar ``themes.thresholds.json`` next to the YAML file,
so the file the user edits is never rewritten; the loader reads the sidecar back and its values
override ``threshold`` in the YAML.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from enrich.base import Embedder, Vectors
from radar import yamlnodes
from radar.errors import ConfigError

__all__ = [
    "ConfiguredThemes",
    "ThemeSpec",
    "load_theme_specs",
    "sidecar_path",
    "write_thresholds",
]

logger = logging.getLogger(__name__)

THEME_KEYS = ("id", "name", "description", "examples", "keywords", "threshold")
TOP_KEYS = ("themes",)
DEFAULT_THRESHOLD = 0.5
SIDECAR_NAME = "themes.thresholds.json"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class ThemeSpec:
    id: str
    name: str
    description: str
    examples: list[str]
    keywords: list[str] = field(default_factory=list)
    threshold: float | None = None

    @property
    def prototypes(self) -> list[str]:
        """The texts that stand for the theme: the description, then each example."""
        return [t for t in [self.description, *self.examples] if t.strip()]


# --- loading ---------------------------------------------------------------------------------


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Where calibrated thresholds for the themes file ``path`` are kept."""
    return Path(path).with_name(SIDECAR_NAME)


def load_theme_specs(path: str | os.PathLike[str]) -> list[ThemeSpec]:
    """Parse and validate a themes file; raise ConfigError naming file, line and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    specs = _ThemeLoader(path).load(text)
    _apply_sidecar(sidecar_path(path), specs)
    return specs


class _ThemeLoader(yamlnodes.NodeReader):
    def load(self, text: str) -> list[ThemeSpec]:
        root = self.compose(text)
        if root is None:
            raise ConfigError(f"{self.path}: the file is empty (expected `themes:`)")
        top = self.mapping(root, "the top level", TOP_KEYS)
        if "themes" not in top:
            raise self.fail(root, "`themes` is missing at the top level")
        key_node, seq = top["themes"]
        if not isinstance(seq, yaml.SequenceNode):
            raise self.fail(key_node, "`themes` must be a list of themes")
        specs: list[ThemeSpec] = []
        first_line: dict[str, int] = {}
        for node in seq.value:
            spec = self.theme(node)
            if spec.id in first_line:
                raise self.fail(
                    node,
                    f"duplicate theme id '{spec.id}' (first defined on line {first_line[spec.id]})",
                )
            first_line[spec.id] = node.start_mark.line + 1
            specs.append(spec)
        return specs

    def theme(self, node: yaml.Node) -> ThemeSpec:
        fields = self.mapping(node, "a theme", THEME_KEYS)
        tid = self.text(fields, "id", "a theme")
        if not tid:
            raise self.fail(node, "`id` is missing for a theme")
        if not _ID_RE.match(tid):
            raise self.fail(
                fields["id"][0], f"`id` '{tid}' must be lower-case letters, digits, '.', '_' or '-'"
            )
        what = f"theme '{tid}'"
        name = self.text(fields, "name", what)
        if not name:
            raise self.fail(node, f"`name` is missing for {what}")
        description = self.text(fields, "description", what) or ""
        examples = self.strings(fields, "examples", what)
        if not description.strip() and not examples:
            raise self.fail(node, f"{what} needs a `description` or `examples` (or both)")
        return ThemeSpec(
            id=tid,
            name=name,
            description=description.strip(),
            examples=examples,
            keywords=self.strings(fields, "keywords", what),
            threshold=self.threshold(fields, what),
        )

    def text(
        self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str
    ) -> str | None:
        if key not in fields:
            return None
        key_node, node = fields[key]
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(key_node, f"`{key}` of {what} must be text")
        value = yamlnodes.value(node)
        return None if value is None else str(value).strip()

    def strings(
        self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str
    ) -> list[str]:
        if key not in fields:
            return []
        key_node, node = fields[key]
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(key_node, f"`{key}` of {what} must be a list of phrases")
        out = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                raise self.fail(item, f"`{key}` of {what} must be a list of phrases")
            out.append(str(item.value).strip())
        return out

    def threshold(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], what: str) -> float | None:
        if "threshold" not in fields:
            return None
        key_node, node = fields["threshold"]
        value: Any = yamlnodes.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not _valid_threshold(value):
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a collection"
            raise self.fail(
                key_node,
                f"`threshold` of {what} must be a number between 0 and 1 (exclusive), got {shown}",
            )
        return float(value)


def _valid_threshold(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0.0 < value < 1.0


def _apply_sidecar(path: Path, specs: list[ThemeSpec]) -> None:
    if not path.exists():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read calibrated thresholds: {exc}") from None
    thresholds = data.get("thresholds") if isinstance(data, dict) else None
    if not isinstance(thresholds, dict):
        raise ConfigError(f"{path}: expected an object with `thresholds` (theme id -> number)")
    by_id = {s.id: s for s in specs}
    for tid, value in thresholds.items():
        if not _valid_threshold(value):
            raise ConfigError(
                f"{path}: threshold of theme '{tid}' must be a number between 0 and 1 (exclusive), got {value!r}"
            )
        if tid not in by_id:
            logger.warning("%s: ignoring threshold for unknown theme '%s'", path, tid)
            continue
        by_id[tid].threshold = float(value)


def write_thresholds(path: str | os.PathLike[str], thresholds: dict[str, float]) -> Path:
    """Write calibrated thresholds for the themes file ``path`` to its sidecar; return the sidecar.

    The YAML file is left untouched (its comments and layout are the user's); the loader reads
    the sidecar back and its values override the YAML's. Delete the sidecar to go back.
    """
    target = sidecar_path(path)
    payload = {
        "_comment": f"Calibrated thresholds for {Path(path).name}; they override `threshold` there. Delete this file to go back.",
        "thresholds": {tid: round(float(v), 4) for tid, v in sorted(thresholds.items())},
    }
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


# --- scoring ---------------------------------------------------------------------------------


class ConfiguredThemes:
    """Score items against configured themes and assign every theme that passes its threshold.

    ``top_k`` prototypes are averaged (with the best one) for the similarity, which is put on a
    scale where 0 is "as similar as another theme's phrases" and 1 is "as similar as the theme's
    own phrases"; ``keyword_bonus`` is added on that scale when a keyword occurs as a whole word;
    a logistic curve centred on ``midpoint`` maps the result to 0..1. ``keyword_bonus`` and
    ``midpoint`` were chosen on tests/eval/labelled_items.jsonl with all-MiniLM-L6-v2.
    """

    def __init__(
        self,
        specs: list[ThemeSpec],
        embedder: Embedder,
        default_threshold: float | None = None,
        top_k: int = 3,
        keyword_bonus: float = 0.5,
        midpoint: float = 0.75,
        steepness: float = 4.0,
    ):
        if not specs:
            raise ConfigError("no configured themes to score against")
        self.specs = specs
        self.embedder = embedder
        self.default_threshold = default_threshold or DEFAULT_THRESHOLD
        self.top_k = top_k
        self.keyword_bonus = keyword_bonus
        self.midpoint = midpoint
        self.steepness = steepness
        self.ids = [s.id for s in specs]
        self._keyword_res = [_keyword_regex(s.keywords) for s in specs]
        self._prototypes, self._owner = self._embed_prototypes()
        self._low, self._high = self._scale()

    @property
    def thresholds(self) -> dict[str, float]:
        return {
            s.id: s.threshold if s.threshold is not None else self.default_threshold
            for s in self.specs
        }

    def _embed_prototypes(self) -> tuple[Vectors, np.ndarray]:
        texts: list[str] = []
        owner: list[int] = []
        for col, spec in enumerate(self.specs):
            for text in spec.prototypes:
                texts.append(text)
                owner.append(col)
        return self.embedder.embed(texts), np.asarray(owner)

    def _scale(self) -> tuple[np.ndarray, np.ndarray]:
        """Per theme: the score statistic of other themes' phrases (low) and of its own (high).

        Each prototype is scored like an item against every theme, leaving itself out, so the
        scale is measured with the same statistic that :meth:`similarities` gives an item.
        """
        sims = self._prototypes @ self._prototypes.T
        np.fill_diagonal(sims, -np.inf)
        stats = self._statistic(sims)
        low = np.zeros(len(self.specs), dtype=np.float32)
        high = np.zeros(len(self.specs), dtype=np.float32)
        for col in range(len(self.specs)):
            mine = self._owner == col
            others = stats[~mine, col]
            low[col] = float(np.mean(others)) if others.size else 0.0
            own = stats[mine, col]
            own = own[np.isfinite(own)]
            high[col] = float(np.mean(own)) if own.size else 1.0
        high = np.maximum(high, low + 0.05)  # a theme whose phrases are no closer than others'
        return low, high

    def _statistic(self, sims: np.ndarray) -> np.ndarray:
        """(rows, n_themes) from similarities to every prototype: best and top-k mean, averaged."""
        out = np.zeros((sims.shape[0], len(self.specs)), dtype=np.float32)
        for col in range(len(self.specs)):
            block = np.sort(sims[:, self._owner == col], axis=1)[:, ::-1]
            finite = np.where(np.isfinite(block), block, np.nan)
            k = min(self.top_k, block.shape[1])
            with np.errstate(all="ignore"):
                top = np.nanmean(finite[:, :k], axis=1) if block.shape[1] else np.zeros(len(block))
            out[:, col] = 0.5 * block[:, 0] + 0.5 * top
        return out

    def similarities(self, vectors: Vectors) -> np.ndarray:
        """(n, n_themes): mean of the best ``top_k`` prototype similarities and the best one."""
        return self._statistic(np.asarray(vectors, dtype=np.float32) @ self._prototypes.T)

    def keyword_hits(self, texts: list[str]) -> np.ndarray:
        hits = np.zeros((len(texts), len(self.specs)), dtype=np.float32)
        for col, pattern in enumerate(self._keyword_res):
            if pattern is None:
                continue
            for row, text in enumerate(texts):
                hits[row, col] = 1.0 if pattern.search(text) else 0.0
        return hits

    def scores(self, vectors: Vectors, texts: list[str]) -> np.ndarray:
        """(n, n_themes) score in [0, 1]; 0.5 where ``midpoint`` of the way to on-theme."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors but {len(texts)} texts")
        if len(texts) == 0:
            return np.zeros((0, len(self.specs)), dtype=np.float32)
        relative = (self.similarities(vectors) - self._low) / (self._high - self._low)
        relative += self.keyword_bonus * self.keyword_hits(texts)
        return (1.0 / (1.0 + np.exp(-self.steepness * (relative - self.midpoint)))).astype(
            np.float32
        )

    def assign(self, vectors: Vectors, texts: list[str]) -> list[list[tuple[str, float]]]:
        """Per item, every theme whose score passes its threshold, best first."""
        scores = self.scores(vectors, texts)
        limits = np.asarray([self.thresholds[tid] for tid in self.ids], dtype=np.float32)
        out = []
        for row in scores:
            passed = [(self.ids[c], round(float(row[c]), 3)) for c in np.flatnonzero(row >= limits)]
            out.append(sorted(passed, key=lambda pair: (-pair[1], pair[0])))
        return out

    def calibrate(
        self,
        vectors: Vectors,
        texts: list[str],
        labels: list[set[str]],
        beta: float = 1.0,
        min_positives: int = 3,
        apply: bool = True,
    ) -> dict[str, float]:
        """Per theme, the threshold that maximises F-beta on labelled items.

        Themes with fewer than ``min_positives`` labelled items keep their current threshold.
        With ``apply`` the thresholds are used by later calls to :meth:`assign`.
        """
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} label sets")
        scores = self.scores(vectors, texts)
        found: dict[str, float] = {}
        for col, spec in enumerate(self.specs):
            truth = np.asarray([spec.id in lab for lab in labels])
            if truth.sum() < min_positives:
                found[spec.id] = self.thresholds[spec.id]
                continue
            found[spec.id] = best_threshold(scores[:, col], truth, beta)
        if apply:
            for spec in self.specs:
                spec.threshold = found[spec.id]
        return found


def best_threshold(scores: np.ndarray, truth: np.ndarray, beta: float = 1.0) -> float:
    """The cut between two neighbouring scores that maximises F-beta (ties: the middle one)."""
    levels = np.unique(np.round(scores.astype(np.float64), 6))
    cuts = np.concatenate([[levels[0] / 2], (levels[:-1] + levels[1:]) / 2, [(levels[-1] + 1) / 2]])
    b2 = beta * beta
    best: list[float] = []
    best_f = -1.0
    for cut in cuts:
        pred = scores >= cut
        tp = float(np.sum(pred & truth))
        fp = float(np.sum(pred & ~truth))
        fn = float(np.sum(~pred & truth))
        f = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
        if f > best_f + 1e-12:
            best_f, best = f, [float(cut)]
        elif abs(f - best_f) <= 1e-12:
            best.append(float(cut))
    cut = best[len(best) // 2]
    return float(min(max(cut, 1e-3), 1 - 1e-3))


def _keyword_regex(keywords: list[str]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    parts = sorted(
        (re.escape(k.strip()).replace(r"\ ", r"\s+") for k in keywords if k.strip()),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
