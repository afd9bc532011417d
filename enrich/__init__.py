"""Enrichment: embeddings, configured and discovered themes, move types, mentions, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from enrich.base import MOVE_TYPES, DiscoveredTheme, Embedder, FitResult, ThemeEvent
from enrich.pipeline import Enricher, EnrichSummary

__all__ = [
    "MOVE_TYPES",
    "DiscoveredTheme",
    "Embedder",
    "EnrichSummary",
    "Enricher",
    "FitResult",
    "ThemeEvent",
    "build_embedder",
    "build_enricher",
]


def build_embedder(settings: Any) -> Embedder:
    """The embedder named by the `embedding_model` setting ('hash' is a model-free test embedder)."""
    from enrich.embed import HashEmbedder, SentenceTransformerEmbedder

    if settings["embedding_model"] == "hash":
        return HashEmbedder()
    return SentenceTransformerEmbedder(
        settings["embedding_model"],
        device=settings["embedding_device"],
        batch_size=settings["embedding_batch_size"],
        precision=settings["embedding_precision"],
    )


def build_enricher(
    store: Any, settings: Any, config: Any = None, embedder: Embedder | None = None
) -> Enricher:
    """Every step with its default, configured from settings and the sources config."""
    from enrich.discover import ThemeModel
    from enrich.events import EventGrouper
    from enrich.mentions import MentionFinder
    from enrich.moves import MoveClassifier
    from enrich.themes import ConfiguredThemes, load_learned, load_theme_specs

    embedder = embedder or build_embedder(settings)
    configured = None
    themes_file = Path(settings["themes_file"])
    if settings["themes_file"] and themes_file.is_file():
        specs = load_theme_specs(themes_file)
        store.save_configured_themes(specs)
        configured = ConfiguredThemes(specs, embedder, learned=load_learned(themes_file))
    return Enricher(
        store,
        embedder,
        configured=configured,
        theme_model=ThemeModel(min_items=settings["min_cluster_items"], embedder=embedder),
        moves=MoveClassifier(embedder),
        mentions=MentionFinder.from_config(config) if config is not None else None,
        events=EventGrouper(settings["event_similarity"], settings["event_window_days"]),
    )
