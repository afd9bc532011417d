"""YAML with line numbers: compose to nodes (libyaml when present) and turn nodes into values."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML document; each node knows its line (``node.start_mark.line``)."""
    return yaml.compose(text, Loader=_Loader)


def value(node: yaml.Node) -> Any:
    """The plain Python value of a node, as yaml.safe_load would give it."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
