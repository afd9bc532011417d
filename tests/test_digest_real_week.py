"""A real week's digest from real changelogs of ../shared/corpus (skipped where it is absent).

The digest is written by bench/real_week_digest.py into a temporary folder here: the corpus text
never enters the repository.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "changelogs" / "markdown"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS}"),
]


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "real_week_digest", ROOT / "bench" / "real_week_digest.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_real_week_names_every_competitor_that_released_with_a_change_in_words(
    tmp_path: Path,
) -> None:
    bench = _bench()
    d, markdown, result = bench.real_week(CORPUS, None, tmp_path)
    assert len(result["released"]) >= 6  # a week where several products released
    assert result["named_with_a_change"] == result["released"]
    assert result["not_in_words"] == []  # no highlight line is only a version or a date
    assert result["markdown_lines"] <= 90
    for name in result["released"]:
        assert f"## {name}" in markdown
        assert bench.in_words(d.highlights[name][0].text)
