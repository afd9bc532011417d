"""The files that travel with a sources file: ``themes.yaml`` and ``alerts.yaml``.

They are found from any working folder: a path setting written in the sources file is relative to
that file's folder; a path setting left empty means the file of that name beside the sources file,
then the default shipped inside the package (themes only: alerts need your own channels).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_THEMES", "PATH_SETTINGS", "beside", "relative_to"]

DEFAULT_THEMES = Path(__file__).resolve().parents[1] / "defaults" / "themes.yaml"
PATH_SETTINGS = {"themes_file": "themes.yaml", "alerts_file": "alerts.yaml"}
_PACKAGE_DEFAULTS = {"themes_file": DEFAULT_THEMES}


def relative_to(folder: Path, name: str, value: Any) -> Any:
    """A path setting's value as written in a file in ``folder``: relative paths join it."""
    if name not in PATH_SETTINGS or not isinstance(value, str) or not value.strip():
        return value
    return str(folder / Path(value).expanduser())


def beside(values: Any, config_path: Path | None) -> dict[str, str]:
    """Values for the path settings left empty: the file beside the sources file, else the
    package default. A setting with no file at all stays empty (and is left out)."""
    found = {}
    for name, filename in PATH_SETTINGS.items():
        if values[name]:
            continue
        candidate = config_path.parent / filename if config_path is not None else None
        if candidate is not None and candidate.is_file():
            found[name] = str(candidate)
        elif name in _PACKAGE_DEFAULTS and _PACKAGE_DEFAULTS[name].is_file():
            found[name] = str(_PACKAGE_DEFAULTS[name])
    return found
