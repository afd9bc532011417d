"""The `radar` command, at the edge: every command registered here, explicitly.

Each module holds a few commands and lists them in ``COMMANDS``; none imports this package, so
there is no import circle. The commands call the application layer (``radar.*`` services).
"""

from __future__ import annotations

from radar.cli import add, alerts, crawl, data, digest, enrich, search, web
from radar.cli.base import main

for _module in (crawl, add, enrich, search, digest, alerts, data, web):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
