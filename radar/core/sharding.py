"""Split sources between N workers by a stable hash of their ids (``--shard i/N`` or ``auto``).

``i/N`` is 1-based. ``auto`` reads the variables of a Kubernetes Indexed Job: the pod's 0-based
``JOB_COMPLETION_INDEX`` (set by Kubernetes) and ``JOB_COMPLETIONS`` (the Job's ``completions``,
which the manifest must pass in the pod's env: Kubernetes does not set it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from radar.core.errors import ConfigError

AUTO = "auto"
INDEX_VAR, TOTAL_VAR = "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"


def parse_shard(spec: str, env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """(i, N), 1-based, from ``i/N`` or from the Indexed Job's variables for ``auto``."""
    if spec.strip().lower() == AUTO:
        return auto_shard(os.environ if env is None else env)
    try:
        index, total = (int(x) for x in spec.split("/"))
    except ValueError:
        raise ConfigError(
            f"--shard must look like i/N (e.g. 1/4) or be 'auto', got {spec!r}"
        ) from None
    if total < 1 or not 1 <= index <= total:
        raise ConfigError(f"--shard {spec}: i must be between 1 and N")
    return index, total


def auto_shard(env: Mapping[str, str]) -> tuple[int, int]:
    """Shard (index + 1)/completions from a Kubernetes Indexed Job's environment."""
    missing = [name for name in (INDEX_VAR, TOTAL_VAR) if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(
            f"--shard auto needs {INDEX_VAR} (set by a Kubernetes Indexed Job) and {TOTAL_VAR}"
            f" (the Job's completions, set in the pod's env); missing: {', '.join(missing)}"
        )
    raw_index, raw_total = env[INDEX_VAR].strip(), env[TOTAL_VAR].strip()
    try:
        index, total = int(raw_index), int(raw_total)
    except ValueError:
        index, total = -1, 0
    if total < 1 or not 0 <= index < total:
        raise ConfigError(
            f"--shard auto: {INDEX_VAR}={raw_index!r} and {TOTAL_VAR}={raw_total!r} must be whole"
            f" numbers with 0 <= {INDEX_VAR} < {TOTAL_VAR}"
        )
    return index + 1, total


def resolve_shard(spec: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The checked ``i/N`` a spec stands for (``auto`` resolved), or None for no sharding."""
    if spec is None:
        return None
    index, total = parse_shard(spec, env)
    return f"{index}/{total}"


def in_shard(source_id: str, spec: str) -> bool:
    index, total = parse_shard(spec)
    bucket = int.from_bytes(hashlib.sha1(source_id.encode()).digest()[:8], "big") % total
    return bucket == index - 1
