"""`--shard i/N` and `--shard auto` (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX / JOB_COMPLETIONS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from radar.cli import main
from radar.core.errors import ConfigError
from radar.core.sharding import in_shard, parse_shard, resolve_shard
from tests.conftest import run_radar, source_lines, write_config
from tests.mockserver import MockServer

IDS = [f"src-{n:02d}" for n in range(40)]


def job_env(index: str, total: str) -> dict[str, str]:
    return {"JOB_COMPLETION_INDEX": index, "JOB_COMPLETIONS": total}


@pytest.mark.parametrize(
    ("index", "total", "expected"), [("0", "1", "1/1"), ("0", "3", "1/3"), ("2", "3", "3/3")]
)
def test_auto_maps_the_zero_based_completion_index_to_a_one_based_shard(
    index: str, total: str, expected: str
) -> None:
    assert resolve_shard("auto", job_env(index, total)) == expected
    assert resolve_shard(" AUTO ", job_env(f" {index}", f"{total}\n")) == expected


def test_explicit_specs_are_checked_and_kept() -> None:
    assert resolve_shard(None, {}) is None
    assert resolve_shard("2/4", {}) == "2/4"
    with pytest.raises(ConfigError, match=r"i/N \(e.g. 1/4\) or be 'auto', got 'two'"):
        resolve_shard("two", {})


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "missing: JOB_COMPLETION_INDEX, JOB_COMPLETIONS"),
        (job_env("1", ""), "missing: JOB_COMPLETIONS"),
        ({"JOB_COMPLETIONS": "3"}, "missing: JOB_COMPLETION_INDEX"),
    ],
)
def test_auto_without_the_variables_names_them(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_shard("auto", env)
    message = str(raised.value)
    assert message.endswith(missing) and "\n" not in message
    assert message.startswith("--shard auto needs JOB_COMPLETION_INDEX")


@pytest.mark.parametrize(
    ("index", "total"),
    [("3", "3"), ("-1", "3"), ("x", "3"), ("0", "0"), ("0", "two"), ("1.0", "2")],
)
def test_auto_with_malformed_variables_is_one_line_naming_both(index: str, total: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_shard("auto", job_env(index, total))
    assert str(raised.value) == (
        f"--shard auto: JOB_COMPLETION_INDEX={index!r} and JOB_COMPLETIONS={total!r} must be"
        " whole numbers with 0 <= JOB_COMPLETION_INDEX < JOB_COMPLETIONS"
    )


def test_auto_shards_of_one_job_split_the_sources_exactly_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owners: dict[str, list[int]] = {sid: [] for sid in IDS}
    for index in range(3):
        monkeypatch.setenv("JOB_COMPLETION_INDEX", str(index))
        monkeypatch.setenv("JOB_COMPLETIONS", "3")
        assert parse_shard("auto") == (index + 1, 3)
        for sid in IDS:
            if in_shard(sid, "auto"):
                owners[sid].append(index)
                assert in_shard(sid, f"{index + 1}/3")
    assert all(len(found) == 1 for found in owners.values())
    assert {found[0] for found in owners.values()} == {0, 1, 2}


@pytest.mark.parametrize(
    ("command", "target"), [("crawl", "radar.crawl.run_crawl"), ("daily", "radar.daily.run_daily")]
)
def test_cli_resolves_auto_before_any_work(
    command: str, target: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shards: list[str | None] = []

    def stop(*args: Any, shard: str | None = None, **kwargs: Any) -> None:
        shards.append(shard)
        raise ConfigError("stopped here by the test")

    monkeypatch.setattr(target, stop)
    config = write_config(tmp_path / "sources.yaml")
    args = [command, "--config", str(config), "--data-dir", str(tmp_path / "d"), "--shard", "auto"]
    runner = CliRunner()
    result = runner.invoke(main, args, env=job_env("1", "4"))
    assert (result.exit_code, shards) == (1, ["2/4"]), result.output
    refused = runner.invoke(main, args, env=job_env("", ""))
    assert (refused.exit_code, shards) == (1, ["2/4"])  # refused before the work was called
    assert refused.output.strip().splitlines() == [
        "error: --shard auto needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job) and"
        " JOB_COMPLETIONS (the Job's completions, set in the pod's env); missing:"
        " JOB_COMPLETION_INDEX, JOB_COMPLETIONS"
    ]


@pytest.mark.slow  # a real crawl in a subprocess
def test_crawl_with_shard_auto_crawls_only_its_share(server: MockServer, tmp_path: Path) -> None:
    ids = [f"feed-{n}" for n in range(6)]
    sources = {sid: ("feed", f"/ok/feed.xml?copy={sid}") for sid in ids}
    config = write_config(tmp_path / "sources.yaml", source_lines(server.url, sources))
    mine = [sid for sid in ids if in_shard(sid, "2/2")]
    assert 0 < len(mine) < len(ids)  # the ids above fall into both shards
    args = ("--shard", "auto")
    result = run_radar("crawl", "--config", str(config), "--data-dir", str(tmp_path), "--json",
                       *args, env=job_env("1", "2"))  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(result.data["sources"]) == mine
    assert all(result.source(sid)["ok"] for sid in mine)
