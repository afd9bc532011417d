"""Export and import of items as JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

from radar.core.records import EXPORT_FIELDS
from tests.conftest import run_radar

GOOD = {
    "source_id": "acme-blog",
    "kind": "blog",
    "title": "Acme launches SSO",
    "url": "https://acme.example/sso",
    "body": "Single sign-on for every plan.",
    "competitor": "acme",
    "published": "2026-11-20",
}


def test_import_reports_bad_lines_by_number_and_keeps_going(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "kind": "tweet"}),
        json.dumps([1, 2]),
        "",
        json.dumps({**GOOD, "title": "Acme raises prices", "url": "https://acme.example/pricing"}),
        json.dumps({k: v for k, v in GOOD.items() if k != "url"}),
        json.dumps({**GOOD, "colour": "red"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_radar("import", str(src), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported: 2 new; 5 bad lines"
    errors = result.stderr.strip().splitlines()
    assert [e.split(":")[0] for e in errors] == [
        "skipped line 2",
        "skipped line 3",
        "skipped line 4",
        "skipped line 7",
        "skipped line 8",
    ]
    assert "kind 'tweet' is not one of" in errors[1]
    assert "missing or empty url" in errors[3]
    assert "unknown field(s) colour" in errors[4]

    again = run_radar("import", str(src), "--data-dir", str(tmp_path / "d"))
    assert again.stdout.strip() == "imported: 2 unchanged; 5 bad lines"  # no duplicates


def test_export_round_trips_through_import(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    run_radar("import", str(src), "--data-dir", str(tmp_path / "a"))
    out = tmp_path / "out.jsonl"
    result = run_radar(
        "export", "--format", "jsonl", "--out", str(out), "--data-dir", str(tmp_path / "a")
    )
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert list(row) == list(EXPORT_FIELDS)
    assert {k: row[k] for k in GOOD} == GOOD
    run_radar("import", str(out), "--data-dir", str(tmp_path / "b"))
    result_b = run_radar("export", "--data-dir", str(tmp_path / "b"))
    assert json.loads(result_b.stdout) == row
