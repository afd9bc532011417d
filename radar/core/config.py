"""Load and validate ``config/sources.yaml``.

Every error names the file, the line and the key, so a user can fix it without guessing:
``config/sources.yaml line 12: `url` is missing for source 'acme-blog'``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from radar.core import configfiles, yamlnodes
from radar.core.errors import ConfigError
from radar.core.settings import SETTINGS, Settings

SOURCE_TYPES = ("changelog", "feed", "github_releases", "page")
SOURCE_KEYS = {
    "id",
    "type",
    "url",
    "repo",
    "selectors",
    "selector",
    "full_text",
    "schedule",
    "enabled",
    "auth",
    "render",
}
SELECTOR_KEYS = {"heading", "container"}
AUTH_KEYS = {"username", "password"}
COMPETITOR_KEYS = {"id", "name", "aliases", "homepage", "sources"}
TOP_KEYS = {"settings", "competitors", "industry"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class BasicAuth:
    username: str
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class SourceConfig:
    id: str
    type: str
    url: str
    competitor: str | None = None
    repo: str | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    selector: str | None = None
    full_text: bool = False
    schedule: str | None = None
    enabled: bool = True
    auth: BasicAuth | None = field(default=None, repr=False)
    render: bool = False  # fetch through a headless browser (crawlers.render)

    @property
    def is_industry(self) -> bool:
        return self.competitor is None


@dataclass(frozen=True)
class Competitor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    homepage: str | None = None


@dataclass
class Config:
    path: Path
    competitors: list[Competitor]
    sources: list[SourceConfig]
    settings: dict[str, Any]

    def source(self, source_id: str) -> SourceConfig:
        for src in self.sources:
            if src.id == source_id:
                return src
        known = ", ".join(s.id for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source with id '{source_id}' (known: {known})")

    def competitor(self, competitor_id: str | None) -> Competitor | None:
        return next((c for c in self.competitors if c.id == competitor_id), None)


def effective_settings(config: Config | None, data_dir: str | None = None) -> Settings:
    """The one way to build settings: defaults, the sources file's ``settings:``, the environment
    (``RADAR_*``), then an explicit data dir; themes and alerts files left empty are looked up
    beside the sources file, then in the package (``configfiles``)."""
    settings = Settings(config.settings if config else {})
    found = configfiles.beside(settings, config.path if config else None)
    return settings.with_overrides(data_dir=data_dir, **found)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def load_config(path: str | os.PathLike[str], env: dict[str, str] | None = None) -> Config:
    """Parse and validate a sources file; raise ConfigError with file and line on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found (run `radar init` to write a starter config)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return _Loader(path, os.environ if env is None else env).load(text)


class _Loader(yamlnodes.NodeReader):
    def __init__(self, path: Path, env: Any):
        super().__init__(path)
        self.env = env

    def load(self, text: str) -> Config:
        root = self.compose(text)
        if root is None:
            raise ConfigError(
                f"{self.path}: the file is empty (expected `competitors:` and/or `industry:`)"
            )
        top = self.mapping(root, "the top level", TOP_KEYS)
        competitors, sources = self.competitors(top.get("competitors"))
        sources += self.industry(top.get("industry"))
        self.check_unique(sources)
        settings = self.settings(top.get("settings"))
        return Config(self.path, competitors, [s for s, _ in sources], settings)

    # -- node helpers ---------------------------------------------------------------------------
    def sequence(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> list[yaml.Node]:
        if entry is None:
            return []
        key_node, node = entry
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(key_node, f"`{key_node.value}` in {what} must be a list")
        return list(node.value)

    def scalar(
        self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str, kind: type = str
    ) -> Any:
        if key not in fields:
            return None
        key_node, node = fields[key]
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(key_node, f"`{key}` of {what} must be a {kind.__name__}")
        value = yamlnodes.value(node)
        if kind is bool:
            if not isinstance(value, bool):
                raise self.fail(
                    key_node, f"`{key}` of {what} must be true or false, got {node.value!r}"
                )
            return value
        if value is None:
            raise self.fail(key_node, f"`{key}` of {what} is empty")
        return self.expand(str(value), key_node, key, what)

    def expand(self, value: str, node: yaml.Node, key: str, what: str) -> str:
        def sub(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in self.env:
                return str(self.env[name])
            if default is not None:
                return default
            raise self.fail(
                node, f"`{key}` of {what} uses ${{{name}}} but that environment variable is not set"
            )

        return _ENV_RE.sub(sub, value)

    # -- sections -------------------------------------------------------------------------------
    def competitors(
        self, entry: Any
    ) -> tuple[list[Competitor], list[tuple[SourceConfig, yaml.Node]]]:
        competitors: list[Competitor] = []
        sources: list[tuple[SourceConfig, yaml.Node]] = []
        for node in self.sequence(entry, "the top level"):
            fields = self.mapping(node, "a competitor", COMPETITOR_KEYS)
            name = self.scalar(fields, "name", "a competitor")
            if not name:
                raise self.fail(node, "`name` is missing for a competitor")
            what = f"competitor '{name}'"
            cid = self.scalar(fields, "id", what) or slugify(name)
            if any(c.id == cid for c in competitors):
                raise self.fail(node, f"duplicate competitor id '{cid}'")
            aliases = tuple(self.strings(fields.get("aliases"), what))
            competitors.append(
                Competitor(cid, name, aliases, self.scalar(fields, "homepage", what))
            )
            for src_node in self.sequence(fields.get("sources"), what):
                sources.append((self.source(src_node, cid, default_type=None), src_node))
        return competitors, sources

    def industry(self, entry: Any) -> list[tuple[SourceConfig, yaml.Node]]:
        return [
            (self.source(n, None, default_type="feed"), n)
            for n in self.sequence(entry, "the top level")
        ]

    def strings(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> list[str]:
        out = []
        for node in self.sequence(entry, what):
            if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
                raise self.fail(node, f"`aliases` of {what} must be a list of names")
            out.append(str(node.value))
        return out

    def source(
        self, node: yaml.Node, competitor: str | None, default_type: str | None
    ) -> SourceConfig:
        fields = self.mapping(node, "a source", SOURCE_KEYS)
        sid = self.scalar(fields, "id", "a source")
        if not sid:
            raise self.fail(node, "`id` is missing for a source")
        if not _ID_RE.match(sid):
            raise self.fail(
                fields["id"][0], f"`id` '{sid}' must be lower-case letters, digits, '.', '_' or '-'"
            )
        what = f"source '{sid}'"
        stype = self.scalar(fields, "type", what) or default_type
        if stype is None:
            raise self.fail(
                node, f"`type` is missing for {what} (one of {', '.join(SOURCE_TYPES)})"
            )
        if stype not in SOURCE_TYPES:
            raise self.fail(
                fields["type"][0],
                f"`type` of {what} is '{stype}'; expected one of {', '.join(SOURCE_TYPES)}",
            )
        url, repo = self.scalar(fields, "url", what), self.scalar(fields, "repo", what)
        if stype == "github_releases" and not url and not repo:
            raise self.fail(node, f"`repo` (owner/name) or `url` is missing for {what}")
        if stype != "github_releases" and not url:
            raise self.fail(node, f"`url` is missing for {what}")
        if url and not re.match(r"^https?://[^/\s]+", url):
            raise self.fail(
                fields["url"][0], f"`url` of {what} must be an http(s) URL, got {url!r}"
            )
        if repo and not re.match(r"^[\w.-]+/[\w.-]+$", repo):
            raise self.fail(
                fields["repo"][0], f"`repo` of {what} must look like owner/name, got {repo!r}"
            )
        return SourceConfig(
            id=sid,
            type=stype,
            url=url or "",
            competitor=competitor,
            repo=repo,
            selectors=self.selectors(fields.get("selectors"), what),
            selector=self.scalar(fields, "selector", what),
            full_text=bool(self.scalar(fields, "full_text", what, bool)),
            schedule=self.scalar(fields, "schedule", what),
            enabled=self.scalar(fields, "enabled", what, bool) is not False,
            auth=self.auth(fields.get("auth"), what),
            render=bool(self.scalar(fields, "render", what, bool)),
        )

    def auth(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> BasicAuth | None:
        if entry is None:
            return None
        fields = self.mapping(entry[1], f"`auth` of {what}", AUTH_KEYS)
        user = self.scalar(fields, "username", f"`auth` of {what}")
        if not user:
            raise self.fail(entry[0], f"`username` is missing in `auth` of {what}")
        return BasicAuth(user, self.scalar(fields, "password", f"`auth` of {what}") or "")

    def selectors(self, entry: tuple[yaml.Node, yaml.Node] | None, what: str) -> dict[str, str]:
        if entry is None:
            return {}
        fields = self.mapping(entry[1], f"`selectors` of {what}", SELECTOR_KEYS)
        return {key: self.scalar(fields, key, f"`selectors` of {what}") for key in fields}

    def settings(self, entry: tuple[yaml.Node, yaml.Node] | None) -> dict[str, Any]:

        if entry is None:
            return {}
        fields = self.mapping(entry[1], "`settings`", {s.name for s in SETTINGS})
        values: dict[str, Any] = {}
        for key, (key_node, value_node) in fields.items():
            value = yamlnodes.value(value_node)
            if isinstance(value, str):
                value = self.expand(value, key_node, key, "`settings`")
            value = configfiles.relative_to(self.path.parent, key, value)
            try:
                Settings({key: value}, env={})
            except ConfigError as exc:
                raise self.fail(key_node, str(exc)) from None
            values[key] = value
        return values

    def check_unique(self, sources: list[tuple[SourceConfig, yaml.Node]]) -> None:
        seen: dict[str, yaml.Node] = {}
        for src, node in sources:
            if src.id in seen:
                first = seen[src.id].start_mark.line + 1
                raise self.fail(
                    node, f"duplicate source id '{src.id}' (first defined on line {first})"
                )
            seen[src.id] = node
