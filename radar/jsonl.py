"""Import and export items as JSON Lines (the fields are listed in the README)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from radar.core.records import EXPORT_FIELDS, KINDS, Change, Item, item_id

REQUIRED = ("source_id", "kind", "title", "url")
_LISTS = ("themes", "mentions", "changes")


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def export_items(items: Iterable[Item], out: IO[str]) -> int:
    n = 0
    for item in items:
        out.write(json.dumps(item.to_export(), ensure_ascii=False) + "\n")
        n += 1
    return n


def parse_line(line: str, number: int) -> Item:
    """One JSONL line to an Item; ValueError with 'line N: ...' when it is invalid."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"line {number}: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(EXPORT_FIELDS))
    if unknown:
        raise ValueError(f"line {number}: unknown field(s) {', '.join(unknown)}")
    missing = [k for k in REQUIRED if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise ValueError(f"line {number}: missing or empty {', '.join(missing)}")
    if data["kind"] not in KINDS:
        raise ValueError(f"line {number}: kind {data['kind']!r} is not one of {', '.join(KINDS)}")
    for key in _LISTS:
        if data.get(key) is not None and not isinstance(data[key], list):
            raise ValueError(f"line {number}: {key} must be a list")
    data = {k: v for k, v in data.items() if v is not None or k not in _LISTS}
    data.setdefault("body", "")
    data.setdefault(
        "id", item_id(data["source_id"], data["url"], data.get("version") or data["title"])
    )
    data.pop("content_hash", None)  # recomputed from title and body
    data["changes"] = [_change(c, number) for c in data.get("changes", [])]
    return Item(**data)


def _change(data: Any, number: int) -> Change:
    """One exported change back to a record; ValueError 'line N: ...' when it is not one."""
    if isinstance(data, str):
        return Change(data)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValueError(f"line {number}: each change must be an object with a text")
    importance = data.get("importance", 0.0)
    if not isinstance(importance, int | float) or isinstance(importance, bool):
        raise ValueError(f"line {number}: a change's importance must be a number")
    return Change(
        data["text"],
        data.get("section"),
        data.get("move_type"),
        float(importance),
        bool(data.get("noise", False)),
    )


def read_items(lines: Iterable[str], report: ImportReport) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield parse_line(line, number)
        except ValueError as exc:
            report.errors.append(str(exc))


def import_items(store: Any, lines: Iterable[str]) -> ImportReport:
    report = ImportReport()
    report.counts = store.import_items(read_items(lines, report))
    return report
