"""Add a competitor or sources to ``sources.yaml`` and keep the file as its author wrote it.

ruamel.yaml's round-trip mode keeps comments, key order, quoting and the file's indentation
(guessed from the file). The new text is checked by the real loader before it replaces the file,
so an edit can never leave a sources file that `radar crawl` refuses.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from radar.core.config import load_config
from radar.core.errors import ConfigError


def add_sources(
    path: Path, competitor: dict[str, Any], sources: list[dict[str, Any]], existing: str | None
) -> None:
    """Append ``sources`` to competitor ``existing`` (an id), or add ``competitor`` with them."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    yaml, root = _load(text, path)
    competitors = root.get("competitors")
    if competitors is None:
        competitors = root["competitors"] = CommentedSeq()
    if not competitors:  # `competitors: []` grows as a block list, like the rest of the file
        competitors.fa.set_block_style()
    if existing is not None:
        entry = _find(competitors, existing, path)
        entry.setdefault("sources", CommentedSeq()).extend(_map(s) for s in sources)
    else:
        competitors.append(_map({**competitor, "sources": [_map(s) for s in sources]}))
    _write_checked(path, _dump(yaml, root))


def _load(text: str, path: Path) -> tuple[YAML, CommentedMap]:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    if not text.strip():
        yaml.indent(mapping=2, sequence=4, offset=2)
        return yaml, CommentedMap()
    try:
        root, indent, offset = load_yaml_guess_indent(text)
    except Exception as exc:  # ruamel raises several parser errors; the loader names the line
        raise ConfigError(f"{path}: cannot edit the file, it is not valid YAML ({exc})") from None
    if not isinstance(root, CommentedMap):
        raise ConfigError(f"{path}: cannot edit the file: the top level is not a mapping")
    if indent and offset is not None:
        yaml.indent(mapping=max(indent - offset, 2), sequence=indent, offset=offset)
    else:  # no block sequence to learn from: the layout of `radar init`'s template
        yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml, root


def _find(competitors: Any, competitor_id: str, path: Path) -> CommentedMap:
    from radar.core.config import slugify

    for entry in competitors:
        cid = entry.get("id") or slugify(str(entry.get("name", "")))
        if cid == competitor_id:
            if entry.get("sources") is None:
                entry["sources"] = CommentedSeq()
            return entry  # type: ignore[no-any-return]
    raise ConfigError(f"{path}: no competitor with id '{competitor_id}'")


def _map(values: dict[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for key, value in values.items():
        if value is not None and value is not False:
            out[key] = value
    return out


def _dump(yaml: YAML, root: CommentedMap) -> str:
    buf = io.StringIO()
    yaml.dump(root, buf)
    return buf.getvalue()


def _write_checked(path: Path, text: str) -> None:
    """Write next to the file, load it with the real loader, then replace the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        load_config(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
