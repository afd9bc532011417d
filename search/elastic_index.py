"""The Elasticsearch index lifecycle: template, versioned physical index, alias, reindexing.

Documents live in ``<index>-v<MAPPING_VERSION>`` behind the alias ``<index>``; a new
MAPPING_VERSION creates the new index, reindexes the old one(s) into it and moves the alias.
"""

from __future__ import annotations

import logging
from typing import Any

from radar.core.errors import BackendError
from search import elastic_mappings as layout
from search.elastic_client import body_of, one_line, reason_of, status_of

logger = logging.getLogger(__name__)

REINDEX_TIMEOUT = 3600


class AliasedIndex:
    """The alias `alias` and the physical indices behind it, on one client."""

    def __init__(self, client: Any, alias: str, dialect: str = "elasticsearch"):
        self.client, self.alias, self.dialect = client, alias, dialect

    def targets(self) -> list[str]:
        """The physical indices behind the alias ([] before the first `radar index`)."""
        try:
            found = body_of(self.client.indices.get_alias(name=self.alias))
        except Exception as exc:
            if status_of(exc) == 404:
                return []
            raise
        return sorted(found)

    def ensure(self, dims: int) -> None:
        """Template, versioned index and alias; reindex when MAPPING_VERSION changed."""
        target = layout.physical_name(self.alias)
        self.client.indices.put_index_template(
            name=layout.template_name(self.alias),
            body=layout.index_template(self.alias, dims, self.dialect),
        )
        current = self.targets()
        if target in current:
            return
        if not self.client.indices.exists(index=target):
            self._create(target, dims)
        if current:
            self._migrate(current, target)
        else:
            self._point_alias([], target)

    def _create(self, target: str, dims: int) -> None:
        body = {
            "settings": layout.index_settings(self.dialect),
            "mappings": layout.mappings(dims, self.dialect),
        }
        try:
            self.client.indices.create(index=target, body=body)
        except Exception as exc:  # another worker created it first
            if "resource_already_exists" not in reason_of(exc):
                raise

    def _migrate(self, old: list[str], target: str) -> None:
        logger.info("search mapping changed: reindexing %s into %s", ", ".join(old), target)
        client = self.client
        if hasattr(client, "options"):
            client = client.options(request_timeout=REINDEX_TIMEOUT)
        body = {"source": {"index": ",".join(old)}, "dest": {"index": target}}
        resp = body_of(client.reindex(body=body, refresh=True, wait_for_completion=True))
        if resp.get("failures"):
            raise BackendError(
                one_line(f"reindexing {', '.join(old)} into {target} failed: {resp['failures'][0]}")
            )
        self._point_alias(old, target)
        logger.info("alias %s now on %s; %s kept (delete when done)", self.alias, target, old)

    def _point_alias(self, old: list[str], target: str) -> None:
        """Move the alias from `old` to `target` in one atomic update, `target` written to."""
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": target, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(body={"actions": actions})
