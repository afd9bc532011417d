"""The built wheel, installed into a fresh virtual environment, works in an empty folder:
`radar init`, `radar daily` against the demo site, `radar digest`.

The fresh environment reuses the project venv's installed dependencies through a ``.pth`` file (no
network, no second copy of torch); only the wheel itself is installed into it. The sources are
copied first, so the build never writes into the working tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from radar.devserver import SiteServer

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("radar", "crawlers", "enrich", "search")
WEEK = "2026-W48"  # the demo site's week (as `radar demo` shows it)


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=540
    )
    assert proc.returncode == 0, f"{args[:3]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:  # symlinks=False: links (radar/defaults) are copied as files
        shutil.copytree(ROOT / package, src / package, ignore=skip)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", tmp / "dist", src)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("market_radar-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    env_dir = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir)
    python = env_dir / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    (Path(site) / "project_venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel)  # fmt: skip
    return env_dir


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    yield _fresh_venv(tmp, _build_wheel(tmp))


def _clean_env(cwd: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "PYTHON"))}
    return {**env, "HOME": str(cwd), "COLUMNS": "120", **extra}


@pytest.mark.slow
@pytest.mark.timeout(900)  # a wheel build, a venv and a daily run with the real model
def test_the_installed_wheel_runs_init_daily_and_digest_in_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    bin_dir, cwd = installed / "bin", tmp_path / "empty"
    cwd.mkdir()
    env = _clean_env(cwd)
    where = _run(bin_dir / "python", "-c", "import radar; print(radar.__file__)", cwd=cwd, env=env)
    assert where.startswith(str(installed)), where  # the wheel, not the working tree

    _run(bin_dir / "radar", "init", cwd=cwd, env=env)
    config = cwd / "config"
    assert sorted(p.name for p in config.iterdir()) == [
        "alerts.yaml",
        "sources.yaml",
        "themes.yaml",
    ]
    demo = Path(where).parent / "demo_site"
    shutil.copy(demo / "sources.yaml", config / "sources.yaml")  # init's themes and alerts stay

    with SiteServer([demo / "day1"]) as site:
        env["DEMO_URL"] = site.url  # the demo sources file reads it
        daily = _run(bin_dir / "radar", "daily", "--json", cwd=cwd, env=env)
    stages = {s["name"]: s for s in json.loads(daily)["stages"]}
    assert stages["enrich"]["counts"]["configured_tagged"] > 0, stages["enrich"]

    exported = _run(bin_dir / "radar", "export", cwd=cwd, env=env)
    items = [json.loads(line) for line in exported.splitlines()]
    tagged = [i for i in items if any(t.get("kind") == "configured" for t in i["themes"])]
    assert items and len(tagged) >= len(items) // 2, f"{len(tagged)} of {len(items)} tagged"

    digest = _run(bin_dir / "radar", "digest", "--week", WEEK, "--format", "md", "--out", "-",
                  cwd=cwd, env=env)  # fmt: skip
    monday = date.fromisocalendar(int(WEEK[:4]), int(WEEK[6:]), 1)
    days = {(monday + timedelta(days=n)).isoformat() for n in range(7)}
    in_week = {i["version"] for i in items if i["version"] and (i["published"] or "")[:10] in days}
    assert in_week and any(version in digest for version in in_week), digest[:3000]
    assert "Acme Analytics" in digest and "Globex Cloud" in digest
