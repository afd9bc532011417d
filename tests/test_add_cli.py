"""`radar add` end to end on a local site: the table, --yes writing the file, --json, and a
second run on the same competitor that proposes only what is new."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sites.catalog import GITHUB, Catalog
from tests.sites.harness import radar, sites_server
from tests.sites.server import SitesServer

pytestmark = pytest.mark.slow

HEAD = """# hand-written: keep me
settings:
  allow_private_networks: true   # the test sites are on 127.0.0.1
  github_base_url: {github}
competitors: []
"""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[SitesServer, Catalog]]:
    with sites_server() as (server, catalog, _):
        yield server, catalog


def test_add_prints_the_table_and_writes_with_yes_then_proposes_only_what_is_new(
    site: tuple[SitesServer, Catalog], tmp_path: Path
) -> None:
    server, catalog = site
    path = tmp_path / "sources.yaml"
    path.write_text(HEAD.format(github=catalog.url(GITHUB, "")), encoding="utf-8")
    home = catalog.url("full.localhost")
    first = radar(server, "add", home, "--name", "Full Co", "--yes", "--config", str(path))
    assert first.returncode == 0, first.stderr[-2000:]
    for line in (
        "full-co-changelog",
        "5 entries, newest 2026-11-24",
        "full-co-releases",
        "full/sdk",
    ):
        assert line in first.stdout, first.stdout
    assert f"added 4 source(s) to {path}" in first.stdout
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# hand-written: keep me\n") and "# the test sites are on" in text
    assert "render" not in text

    again = radar(server, "add", home, "--json", "--config", str(path))
    data = json.loads(again.stdout)
    assert (data["existing_competitor"], data["sources"], data["written"]) == (True, [], False)
    assert len(data["already_configured"]) == 4


def test_add_on_a_dead_domain_is_one_line_and_exit_1(
    site: tuple[SitesServer, Catalog], tmp_path: Path
) -> None:
    server, catalog = site
    result = radar(server, "add", catalog.url("silent.localhost"), "--config", str(tmp_path / "s.yaml"),
                   RADAR_ALLOW_PRIVATE_NETWORKS="true")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: cannot read the home page of {catalog.url('silent.localhost')}: "
        f"{catalog.url('silent.localhost')}: the server closed the connection without answering"
    )
    assert not (tmp_path / "s.yaml").exists()
