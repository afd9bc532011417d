"""One root exception with a few subclasses; each carries a message a user can act on."""

from __future__ import annotations


class RadarError(Exception):
    """Root of every error Market Radar raises on purpose."""

    exit_code = 1


class ConfigError(RadarError):
    """Invalid configuration: names the file, the line and the key where possible."""


class SourceError(RadarError):
    """A source could not be fetched (HTTP error, timeout, refused address...)."""


class ExtractionError(RadarError):
    """A response was fetched but its content could not be turned into items."""


class BackendError(RadarError):
    """The search backend is unreachable or answered with an error."""


class DeliveryError(RadarError):
    """An alert or digest could not be delivered."""


class StoreCorruptError(RadarError):
    """The store file is damaged: restore it, or export what can still be read."""

    exit_code = 3


class StoreWriteError(RadarError):
    """The store could not be written (disk full, read-only, I/O error): the run stops."""

    exit_code = 5
