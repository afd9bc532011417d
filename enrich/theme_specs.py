"""Configured theme files: ``config/themes.yaml`` parsed into ThemeSpecs, and their sidecar.

Calibrated thresholds are written to a sidecar ``themes.thresholds.json`` next to the YAML file,
so the file the user edits is never rewritten; the loader reads the sidecar back and its values
override ``threshold`` in the YAML. Since version 2 the sidecar also holds the learned theme model
(``model``, see `enrich.theme_learn`); a sidecar without ``version`` (thresholds only) still reads.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from enrich.theme_learn import LearnedThemes
from radar.core import yamlnodes
from radar.core.errors import ConfigError

__all__ = ["ThemeSpec", "load_learned", "load_theme_specs", "sidecar_path", "write_thresholds"]

logger = logging.getLogger(__name__)

THEME_KEYS = ("id", "name", "description", "examples", "keywords", "threshold")
TOP_KEYS = ("themes",)
SIDECAR_NAME = "themes.thresholds.json"
SIDECAR_VERSION = 2  # 1 (no `version` field): thresholds only; 2: thresholds and `model`
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


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read calibrated thresholds: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected an object with `thresholds` (theme id -> number)")
    version = data.get("version", 1)
    if version not in (1, SIDECAR_VERSION):
        raise ConfigError(
            f"{path}: sidecar version {version!r} is not one this radar reads (1 or"
            f" {SIDECAR_VERSION}): upgrade radar or run `radar themes calibrate` again"
        )
    return data


def load_learned(path: str | os.PathLike[str]) -> LearnedThemes | None:
    """The learned theme model in the sidecar of the themes file ``path``, or None (no sidecar,
    or one written before models were learned)."""
    target = sidecar_path(path)
    data = _read_sidecar(target)
    if data is None or data.get("model") is None:
        return None
    return LearnedThemes.from_json(data["model"], str(target))


def _apply_sidecar(path: Path, specs: list[ThemeSpec]) -> None:
    data = _read_sidecar(path)
    if data is None:
        return
    thresholds = data.get("thresholds")
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


def write_thresholds(
    path: str | os.PathLike[str],
    thresholds: dict[str, float],
    learned: LearnedThemes | None = None,
) -> Path:
    """Write calibrated thresholds (and the learned model, if any) for the themes file ``path``
    to its sidecar; return the sidecar.

    The YAML file is left untouched (its comments and layout are the user's); the loader reads
    the sidecar back and its values override the YAML's. Delete the sidecar to go back.
    """
    target = sidecar_path(path)
    payload = {
        "_comment": f"Calibrated thresholds for {Path(path).name}; they override `threshold` there. Delete this file to go back.",
        "version": SIDECAR_VERSION,
        "thresholds": {tid: round(float(v), 4) for tid, v in sorted(thresholds.items())},
        "model": learned.to_json() if learned is not None else None,
    }
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target
