"""Split sources between N workers by a stable hash of their ids (``--shard i/N``)."""

from __future__ import annotations

import hashlib

from radar.core.errors import ConfigError


def parse_shard(spec: str) -> tuple[int, int]:
    try:
        index, total = (int(x) for x in spec.split("/"))
    except ValueError:
        raise ConfigError(f"--shard must look like i/N (e.g. 1/4), got {spec!r}") from None
    if total < 1 or not 1 <= index <= total:
        raise ConfigError(f"--shard {spec}: i must be between 1 and N")
    return index, total


def in_shard(source_id: str, spec: str) -> bool:
    index, total = parse_shard(spec)
    bucket = int.from_bytes(hashlib.sha1(source_id.encode()).digest()[:8], "big") % total
    return bucket == index - 1
