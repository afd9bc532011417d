"""The Elasticsearch / OpenSearch index lifecycle: template, physical index generations, alias.

Documents live in ``<index>-v<MAPPING_VERSION>-<generation>`` behind the alias ``<index>``. A new
MAPPING_VERSION, a new vector size (another embedding model) or `clear()` creates a fresh, empty
generation, moves the alias to it in one atomic update and deletes the old one(s): the store is
the source of truth, and the indexer refills an empty index from it. So no long server-side
operation (`_reindex`, `_delete_by_query`) is ever needed, none can time out half-way, and no write
can be lost between a copy and the alias swap.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from radar.core.errors import BackendError
from search import elastic_mappings as layout
from search.elastic_client import body_of, reason_of, status_of

logger = logging.getLogger(__name__)


def generation_name(alias: str) -> str:
    """A new physical index name (lowercase, sortable by creation time)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"{layout.physical_name(alias)}-{stamp}"


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

    def layout_of(self, index: str) -> dict[str, Any]:
        """The `_meta` of a physical index's mapping (mapping_version, dims)."""
        found = body_of(self.client.indices.get_mapping(index=index))
        return dict(found.get(index, {}).get("mappings", {}).get("_meta") or {})

    def ensure(self, dims: int | None) -> None:
        """Template, index and alias; a fresh generation for a new layout or vector size.

        `dims` None (documents without vectors) keeps the current index's vector size.
        """
        current = self.targets()
        meta = self.layout_of(current[0]) if len(current) == 1 else {}
        current_dims = meta.get("dims")
        if meta.get("mapping_version") == layout.MAPPING_VERSION:
            if dims is None or dims == current_dims:
                return
            if self.count(current[0]):
                raise BackendError(
                    f"the search index {self.alias} holds vectors of {current_dims} dimensions,"
                    f" these have {dims} (another embedding model): run `radar index --rebuild`"
                )
        self.replace(current, dims or current_dims or layout.DEFAULT_DIMS)

    def outdated(self) -> bool:
        """Whether the index behind the alias has an older layout (it counts as empty)."""
        current = self.targets()
        if len(current) != 1:
            return bool(current)
        return self.layout_of(current[0]).get("mapping_version") != layout.MAPPING_VERSION

    def count(self, index: str) -> int:
        return int(body_of(self.client.count(index=index))["count"])

    def replace(self, old: list[str], dims: int) -> str:
        """Create a fresh empty generation, move the alias onto it, delete `old`."""
        target = generation_name(self.alias)
        self.client.indices.put_index_template(
            name=layout.template_name(self.alias),
            body=layout.index_template(self.alias, dims, self.dialect),
        )
        body = {
            "settings": layout.index_settings(self.dialect),
            "mappings": layout.mappings(dims, self.dialect),
        }
        try:
            self.client.indices.create(index=target, body=body)
        except Exception as exc:  # another worker created it first
            if "resource_already_exists" not in reason_of(exc):
                raise
        self._point_alias(old, target)
        logger.info("alias %s now on %s (empty); deleting %s", self.alias, target, old)
        for name in old:
            self.client.indices.delete(index=name)
        return target

    def _point_alias(self, old: list[str], target: str) -> None:
        """Move the alias from `old` to `target` in one atomic update, `target` written to."""
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": target, "alias": self.alias, "is_write_index": True}})
        self.client.indices.update_aliases(body={"actions": actions})
