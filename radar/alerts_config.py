"""Load and validate ``config/alerts.yaml``: channels (apprise URLs) and rules."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from radar.core import yamlnodes
from radar.core.checks import Choice, Float, Int, Text
from radar.core.errors import ConfigError
from radar.core.records import KINDS
from radar.core.themes import MOVE_TYPES

RULE_KEYS = {
    "id",
    "theme",
    "competitor",
    "move_type",
    "kind",
    "query",
    "semantic",
    "min_score",
    "spike",
    "channels",
    "batch",
}
SPIKE_KEYS = {"window_days", "baseline_weeks", "ratio", "min_count"}
RULE_CHECKS = {  # the type and range of every rule field that is not a list of names
    "move_type": Choice(MOVE_TYPES),
    "kind": Choice(KINDS),
    "query": Text(required=True),
    "semantic": Text(required=True),
    "min_score": Float(0, 1),
    "batch": Int(1, 1000),
}
SPIKE_CHECKS = {
    "window_days": Int(1, 365),
    "baseline_weeks": Int(1, 104),
    "ratio": Float(1, 1000),
    "min_count": Int(1, 10**6),
}
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class Spike:
    window_days: int = 7
    baseline_weeks: int = 4
    ratio: float = 2.0
    min_count: int = 3


@dataclass(frozen=True)
class Rule:
    id: str
    channels: tuple[str, ...]
    theme: tuple[str, ...] = ()
    competitor: tuple[str, ...] = ()
    move_type: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    query: str | None = None
    semantic: str | None = None
    min_score: float = 0.5
    spike: Spike | None = None
    batch: int = 20


@dataclass
class AlertsConfig:
    path: Path
    channels: dict[str, str] = field(default_factory=dict)  # name -> apprise URL (secrets expanded)
    rules: list[Rule] = field(default_factory=list)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise ConfigError(
            f"{self.path}: no rule with id '{rule_id}' (known: {', '.join(r.id for r in self.rules) or 'none'})"
        )


def load_alerts(path: str | Path, env: Any = None) -> AlertsConfig:
    path = Path(path)
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    root = yamlnodes.NodeReader(path).compose(text)
    config = AlertsConfig(path)
    if root is None:
        return config
    top = _mapping(path, root, "the top level", {"channels", "rules"})
    if "channels" in top:
        for key_node, value_node in _mapping(path, top["channels"][1], "`channels`", None).values():
            config.channels[str(key_node.value)] = _channel(path, key_node, value_node, env)
    if "rules" in top:
        seen: set[str] = set()
        for node in _sequence(path, top["rules"]):
            rule = _rule(path, node, config.channels)
            if rule.id in seen:
                raise _fail(path, node, f"duplicate rule id '{rule.id}'")
            seen.add(rule.id)
            config.rules.append(rule)
    return config


def _fail(path: Path, node: yaml.Node | None, message: str) -> ConfigError:
    return yamlnodes.NodeReader(path).fail(node, message)


def _mapping(path: Path, node: yaml.Node, what: str, allowed: set[str] | None) -> yamlnodes.Fields:
    return yamlnodes.NodeReader(path).mapping(node, what, allowed)


def _sequence(path: Path, entry: tuple[yaml.Node, yaml.Node]) -> list[yaml.Node]:
    if not isinstance(entry[1], yaml.SequenceNode):
        raise _fail(path, entry[0], f"`{entry[0].value}` must be a list")
    return list(entry[1].value)


def _value(node: yaml.Node) -> Any:
    return yamlnodes.value(node)


def _channel(path: Path, key_node: yaml.Node, node: yaml.Node, env: Any) -> str:
    raw = _value(node)
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(path, key_node, f"channel `{key_node.value}` must be an apprise URL")

    whole = _ENV_RE.fullmatch(raw.strip()) is not None

    def sub(match: re.Match[str]) -> str:
        # A variable holding the whole URL goes in as it is; one inside a URL (a password, a
        # token) is percent-encoded, so `/`, `#`, `@` or `?` in a secret cannot break the URL.
        if match.group(1) in env:
            value = str(env[match.group(1)])
            return value if whole else quote(value, safe="")
        if match.group(2) is not None:
            return match.group(2)
        raise _fail(
            path,
            key_node,
            f"channel `{key_node.value}` uses ${{{match.group(1)}}} but that environment variable is not set",
        )

    url = _ENV_RE.sub(sub, raw)
    import apprise

    if not apprise.Apprise().add(url):
        scheme = url.split("://", 1)[0] if "://" in url else url[:20]
        raise _fail(
            path,
            key_node,
            f"channel `{key_node.value}` is not a URL apprise understands (scheme '{scheme}')",
        )
    return url


def _strings(path: Path, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> tuple[str, ...]:
    if entry is None:
        return ()
    value = _value(entry[1])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise _fail(
            path, entry[0], f"`{entry[0].value}` of {what} must be a name or a list of names"
        )
    return tuple(values)


def _rule(path: Path, node: yaml.Node, channels: dict[str, str]) -> Rule:
    fields = _mapping(path, node, "a rule", RULE_KEYS)
    rid = _value(fields["id"][1]) if "id" in fields else None
    if not isinstance(rid, str) or not rid:
        raise _fail(path, node, "`id` is missing for a rule")
    what = f"rule '{rid}'"
    names = _channels(path, node, fields, what, channels)
    spike = _spike(path, fields["spike"], what) if "spike" in fields else None
    filters: dict[str, Any] = {
        k: _names(path, fields, k, what) for k in ("theme", "competitor", "move_type", "kind")
    }
    values = {
        k: _checked(path, fields[k][0], f"`{k}` of {what}", RULE_CHECKS[k], _value(fields[k][1]))
        for k in ("query", "semantic", "min_score", "batch")
        if k in fields
    }
    if not (any(filters.values()) or values.get("query") or values.get("semantic") or spike):
        raise _fail(
            path,
            node,
            f"{what} matches everything: give a theme, competitor, move_type, kind, query, semantic or spike",
        )
    return Rule(rid, names, spike=spike, **values, **filters)


def _channels(
    path: Path, node: yaml.Node, fields: yamlnodes.Fields, what: str, channels: dict[str, str]
) -> tuple[str, ...]:
    names = _strings(path, fields.get("channels"), what)
    if not names:
        raise _fail(path, node, f"`channels` is missing for {what}")
    for name in names:
        if name not in channels:
            raise _fail(
                path,
                fields["channels"][0],
                f"{what} uses channel '{name}', which `channels` does not define",
            )
    return names


def _names(path: Path, fields: yamlnodes.Fields, key: str, what: str) -> tuple[str, ...]:
    """A filter's names; move types and kinds checked against the known ones."""
    names = _strings(path, fields.get(key), what)
    check = RULE_CHECKS.get(key)
    if check is None:
        return names
    return tuple(_checked(path, fields[key][0], f"`{key}` of {what}", check, n) for n in names)


def _spike(path: Path, entry: tuple[yaml.Node, yaml.Node], what: str) -> Spike:
    spec = _mapping(path, entry[1], f"`spike` of {what}", SPIKE_KEYS)
    return Spike(
        **{
            k: _checked(path, key_node, f"`spike.{k}` of {what}", SPIKE_CHECKS[k], _value(node))
            for k, (key_node, node) in spec.items()
        }
    )


def _checked(path: Path, node: yaml.Node, what: str, check: Any, value: Any) -> Any:
    """The value passed through its check (type and range), or a one-line error naming its line."""
    try:
        return check(value)
    except ValueError as exc:
        raise _fail(path, node, f"{what} {exc}, got {value!r}") from None
