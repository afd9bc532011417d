"""YAML with line numbers, shared by every config file reader (sources, themes, alerts).

Compose to nodes (libyaml when present), turn nodes into values, and report problems as one
ConfigError line that names the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from radar.core.errors import ConfigError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Fields = dict[str, tuple[yaml.Node, yaml.Node]]


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML document; each node knows its line (``node.start_mark.line``)."""
    return yaml.compose(text, Loader=_Loader)


def value(node: yaml.Node) -> Any:
    """The plain Python value of a node, as yaml.safe_load would give it."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


class NodeReader:
    """Base of the config readers: errors with file and line, mappings with allowed keys."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> ConfigError:
        where = f" line {node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.path}{where}: {message}")

    def compose(self, text: str) -> yaml.Node | None:
        try:
            return compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"{self.path}{line}: invalid YAML: {problem}") from None

    def mapping(self, node: yaml.Node, what: str, allowed: Collection[str] | None) -> Fields:
        """Key -> (key node, value node); unknown or repeated keys fail on their own line."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        out: Fields = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if allowed is not None and key not in allowed:
                ordered = allowed if isinstance(allowed, list | tuple) else sorted(allowed)
                options = ", ".join(ordered)
                raise self.fail(key_node, f"unknown key `{key}` in {what} (allowed: {options})")
            if key in out:
                raise self.fail(key_node, f"key `{key}` appears twice in {what}")
            out[key] = (key_node, value_node)
        return out
