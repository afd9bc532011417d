"""The `radar` command, at the edge: every command registered here, explicitly.

Each module holds a few commands and lists them in ``COMMANDS``; none imports this package, so
there is no import circle. The commands call the application layer (``radar.*`` services). A
module is imported when one of its commands is first used (``tests/test_cli.py`` checks that this
table and the modules' ``COMMANDS`` agree).
"""

from __future__ import annotations

from types import MappingProxyType

from radar.cli.base import main

_MODULES = {
    "radar.cli.crawl": ("init", "crawl", "status", "settings"),
    "radar.cli.add": ("add",),
    "radar.cli.enrich": ("enrich", "themes"),
    "radar.cli.search": ("index", "search", "trends"),
    "radar.cli.digest": ("digest",),
    "radar.cli.alerts": ("alerts", "daily"),
    "radar.cli.data": ("export", "import", "extract", "demo"),
    "radar.cli.web": ("serve",),
}
COMMAND_MODULES = MappingProxyType(
    {name: module for module, names in _MODULES.items() for name in names}
)
main.lazy = COMMAND_MODULES

__all__ = ["COMMAND_MODULES", "main"]
