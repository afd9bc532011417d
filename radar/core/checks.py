"""Types and ranges of configuration values: each check turns a raw value (YAML or an environment
string) into the value used, or raises ValueError saying what the value must be.

``check(value, default)`` -> value. The message completes "setting 'x' ...", e.g. "must be an
integer from 1 to 100".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _scalar(value: Any, kind: str) -> Any:
    if isinstance(value, list | dict | tuple | set) or value is None:
        raise ValueError(f"must be a {kind}")
    return value


@dataclass(frozen=True)
class Bool:
    def __call__(self, value: Any, default: Any = None) -> bool:
        if isinstance(value, bool):
            return value
        lowered = str(_scalar(value, "bool")).strip().lower()
        if lowered not in _TRUE | _FALSE:
            raise ValueError("must be a bool (true or false)")
        return lowered in _TRUE


@dataclass(frozen=True)
class Int:
    low: int
    high: int

    def __call__(self, value: Any, default: Any = None) -> int:
        if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
            raise ValueError("must be a int")
        try:
            number = int(_scalar(value, "int"))
        except (TypeError, ValueError):
            raise ValueError("must be a int") from None
        if not self.low <= number <= self.high:
            raise ValueError(f"must be an integer from {self.low} to {self.high}")
        return number


@dataclass(frozen=True)
class Float:
    low: float
    high: float

    def __call__(self, value: Any, default: Any = None) -> float:
        if isinstance(value, bool):
            raise ValueError("must be a float")
        try:
            number = float(_scalar(value, "float"))
        except (TypeError, ValueError):
            raise ValueError("must be a float") from None
        if not self.low <= number <= self.high:  # also refuses nan
            raise ValueError(f"must be a number from {self.low:g} to {self.high:g}")
        return number


@dataclass(frozen=True)
class Text:
    required: bool = False
    pattern: str | None = None
    hint: str = ""

    def __call__(self, value: Any, default: Any = None) -> str:
        text = str(_scalar(value, "str"))
        if any(c in text for c in "\r\n\x00"):
            raise ValueError("must be one line")
        if self.required and not text.strip():
            raise ValueError("must not be empty")
        if self.pattern and text and not re.fullmatch(self.pattern, text):
            raise ValueError(f"must be {self.hint or 'like ' + self.pattern}")
        return text


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    upper: bool = False  # log levels are written in capitals

    def __call__(self, value: Any, default: Any = None) -> str:
        text = str(_scalar(value, "str")).strip()
        text = text.upper() if self.upper else text.lower()
        if text not in self.options:
            raise ValueError(f"must be one of {', '.join(self.options)}")
        return text


@dataclass(frozen=True)
class Url:
    schemes: tuple[str, ...] = ("http", "https")

    def __call__(self, value: Any, default: Any = None) -> str:
        text = Text(required=True)(value)
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = urlsplit("")
        if parts.scheme.lower() not in self.schemes or not (
            parts.netloc or parts.scheme == "mailto"
        ):
            raise ValueError(
                f"must be a URL starting with {' or '.join(s + ':' for s in self.schemes)}"
            )
        return text


@dataclass(frozen=True)
class Template:
    """A one-line text whose only ``{placeholders}`` are ``fields``."""

    fields: tuple[str, ...]

    def __call__(self, value: Any, default: Any = None) -> str:
        text = Text(required=True)(value)
        try:
            text.format(**dict.fromkeys(self.fields, ""))
        except (KeyError, IndexError, ValueError):
            allowed = ", ".join("{" + f + "}" for f in self.fields)
            raise ValueError(
                f"may use only {allowed} as placeholders (write {{{{ for a brace)"
            ) from None
        return text


@dataclass(frozen=True)
class File:
    """A path; one that is given (not empty, not the default) must name an existing file."""

    def __call__(self, value: Any, default: Any = None) -> str:
        text = Text()(value)
        if text and text != default and not Path(text).is_file():
            raise ValueError("must name an existing file")
        return text


@dataclass(frozen=True)
class StoreUrl:
    """Where the store lives: empty is the SQLite file in the data dir, else a PostgreSQL URL."""

    schemes: tuple[str, ...] = ("postgresql", "postgres")

    def __call__(self, value: Any, default: Any = None) -> str:
        text = Text()(value).strip()
        if text and urlsplit(text).scheme.lower() not in self.schemes:
            raise ValueError("must be empty (the SQLite store in data_dir) or a postgresql:// URL")
        return text


@dataclass(frozen=True)
class Workers:
    """A number of worker processes from 0 to ``high``, or ``auto`` (one per core)."""

    high: int

    def __call__(self, value: Any, default: Any = None) -> int | str:
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        try:
            return Int(0, self.high)(value)
        except ValueError:
            raise ValueError(f"must be auto or an integer from 0 to {self.high}") from None
