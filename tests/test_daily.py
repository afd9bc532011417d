"""`radar daily` end to end against local servers: stages, run record, lock, exit codes, alerts."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from radar.store import Store
from tests.conftest import run_radar, source_lines, write_config
from tests.mockserver import MockServer
from tests.receivers import WebhookReceiver

CHANGELOG = "# Changelog\n\n" + "".join(
    f"## [1.{n}.0] - {date.today() - timedelta(days=n)}\n### Security\n- Patched token leak number {n} in the webhook signer.\n\n"
    for n in range(5)
)


def _setup(server: MockServer, tmp_path: Path, hook_url: str) -> tuple[Path, dict[str, str]]:
    server.set_content("/acme/CHANGELOG.md", CHANGELOG.encode(), "text/markdown; charset=utf-8")
    cfg = write_config(
        tmp_path / "s.yaml",
        source_lines(
            server.url,
            {"cl": ("changelog", "/acme/CHANGELOG.md"), "feed": ("feed", "/ok/feed.xml")},
        ),
    )
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(
        f'channels:\n  hook: "{hook_url}"\nrules:\n  - id: security\n    move_type: security\n    channels: [hook]\n'
    )
    env = {
        "RADAR_EMBEDDING_MODEL": "hash",
        "RADAR_ALERTS_FILE": str(alerts),
        "RADAR_HOME": str(tmp_path / "data"),
        "RADAR_THEMES_FILE": str(Path(__file__).resolve().parents[1] / "config" / "themes.yaml"),
    }
    return cfg, env


@pytest.mark.slow
def test_daily_runs_every_stage_and_a_second_run_sends_nothing(
    server: MockServer, tmp_path: Path
) -> None:
    with WebhookReceiver() as hook:
        cfg, env = _setup(server, tmp_path, hook.url)
        first = run_radar("daily", "--config", str(cfg), "--json", env=env)
        assert first.returncode == 0, first.stderr[-2000:]
        summary = json.loads(first.stdout)
        assert [s["name"] for s in summary["stages"]] == ["crawl", "enrich", "index", "alerts"]
        stages = {s["name"]: s for s in summary["stages"]}
        assert stages["crawl"]["counts"]["new"] == 8
        assert stages["enrich"]["counts"]["processed"] == 8
        assert stages["index"]["counts"]["indexed"] == 8
        assert stages["alerts"]["counts"]["delivered"] >= 1
        posts = len(hook.posts)
        second = json.loads(run_radar("daily", "--config", str(cfg), "--json", env=env).stdout)
        stages = {s["name"]: s for s in second["stages"]}
        assert (
            stages["crawl"]["counts"]["new"] == 0 and stages["enrich"]["counts"]["processed"] == 0
        )
        assert stages["alerts"]["counts"]["matched"] == 0 and len(hook.posts) == posts
        runs = Store.in_dir(tmp_path / "data").runs(limit=5)
        assert [r["command"] for r in runs[:2]] == [
            "crawl",
            "daily",
        ]  # the daily run holds its crawl's run
        assert runs[1]["status"] == "done" and set(runs[1]["sources"]) == {
            "crawl",
            "enrich",
            "index",
            "alerts",
        }
        assert all(
            runs[1]["sources"][stage]["seconds"] >= 0 for stage in ("enrich", "index", "alerts")
        )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_a_failing_stage_after_the_crawl_exits_3_and_names_the_stage(
    server: MockServer, tmp_path: Path
) -> None:
    with WebhookReceiver() as hook:
        cfg, env = _setup(server, tmp_path, hook.url)
        env |= {
            "RADAR_SEARCH_BACKEND": "elasticsearch",
            "RADAR_ES_URL": f"http://127.0.0.1:{_closed_port()}",
            "RADAR_ES_TIMEOUT": "2",
        }
        result = run_radar("daily", "--config", str(cfg), env=env)
        assert result.returncode == 3
        assert "stage 'index' failed" in result.stderr
        assert "index   FAILED:" in result.stdout or "index    FAILED:" in result.stdout


def test_a_second_daily_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "s.yaml", industry='  - {id: n, url: "http://127.0.0.1:9/x"}\n')
    data = tmp_path / "data"
    data.mkdir()
    (data / "daily.lock").write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()})
    )
    result = run_radar("daily", "--config", str(cfg), "--data-dir", str(data))
    assert result.returncode == 4
    assert "another run holds" in result.stderr
