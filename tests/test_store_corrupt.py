"""A damaged store file is named in one line with its own exit code, never a traceback."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from radar.cli import main
from radar.core.errors import StoreCorruptError
from radar.core.records import Item, item_id
from radar.store import Store


def _filled(data_dir: Path, n: int = 300) -> Path:
    path = data_dir / "radar.db"
    store = Store(path)
    for k in range(n):
        url = f"https://acme.example/log#{k}"
        store.upsert_item(
            Item(id=item_id("src", url, str(k)), source_id="src", kind="news",
                 title=f"Release {k}", body="Widgets and gizmos. " * 40, url=url)
        )  # fmt: skip
    store.close()
    return path


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random(path: Path) -> None:
    size = path.stat().st_size
    path.write_bytes(random.Random(7).randbytes(size))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _page_one(path: Path) -> None:
    """The header survives; the schema page after it is garbage."""
    data = bytearray(path.read_bytes())
    data[100:4096] = random.Random(3).randbytes(3996)
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "random": _random,
    "zero-byte": _empty,
    "schema page overwritten": _page_one,
}
COMMANDS = {
    "status": ["status"],
    "export": ["export"],
    "search": ["search", "widgets", "--mode", "text"],
    "index": ["index"],
    "digest": ["digest"],
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_opening_a_damaged_store_raises_store_corrupt_error(tmp_path: Path, damage: str) -> None:
    path = _filled(tmp_path)
    DAMAGE[damage](path)
    with pytest.raises(StoreCorruptError) as info:
        Store(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    assert "restore it from a backup, or `radar export` what can still be read" in message


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_cli_names_a_damaged_store_in_one_line(tmp_path: Path, damage: str, command: str) -> None:
    path = _filled(tmp_path)
    DAMAGE[damage](path)
    args = [*COMMANDS[command], "--data-dir", str(tmp_path), "--config", str(tmp_path / "none")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == StoreCorruptError.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: the store {path} is damaged")


def test_a_healthy_store_opens_again_and_keeps_its_items(tmp_path: Path) -> None:
    path = _filled(tmp_path, n=50)
    assert Store(path).count_items() == 50


def test_a_new_store_is_created_where_there_is_no_file(tmp_path: Path) -> None:
    assert Store(tmp_path / "new" / "radar.db").count_items() == 0


def _middle_page(path: Path) -> None:
    """Header and schema intact; a page in the middle of the items is garbage."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle : middle + 4096] = random.Random(5).randbytes(4096)
    path.write_bytes(bytes(data))


def test_damage_past_the_check_on_open_is_named_when_met(tmp_path: Path) -> None:
    path = _filled(tmp_path)
    _middle_page(path)
    with pytest.raises(StoreCorruptError, match="is damaged"):
        list(Store(path).items())
    args = ["export", "--data-dir", str(tmp_path), "--config", str(tmp_path / "none")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.strip().startswith(f"error: the store {path} is damaged")
