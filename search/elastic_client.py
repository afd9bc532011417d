"""The Elasticsearch / OpenSearch connection: the client, its import, and readable errors.

The client package is imported only when a backend is built (`client_module`), so the es extra
stays optional. Every client exception becomes one line that names the cluster (without its
password) and what to check (`describe_error`, `translated`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from radar.core.errors import BackendError, RadarError

INSTALL_HINT = "the Elasticsearch backend needs: pip install 'market-radar[es]'"


def client_module(dialect: str) -> Any:
    """The client package of `dialect` (with its helpers), or an error naming the install."""
    try:
        if dialect == "opensearch":
            import opensearchpy
            import opensearchpy.helpers

            return opensearchpy
        import elasticsearch
        import elasticsearch.helpers

        return elasticsearch
    except ImportError:
        if dialect == "opensearch":
            raise RadarError("the OpenSearch dialect needs: pip install opensearch-py") from None
        raise RadarError(INSTALL_HINT) from None


def make_client(
    url: str,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    verify_certs: bool = True,
    timeout: float = 10,
    dialect: str = "elasticsearch",
) -> Any:
    """The dialect's client (elasticsearch-py or opensearch-py) with retries on 429/502/503/504
    and timeouts; the two clients spell the timeout and the credentials differently."""
    module = client_module(dialect)
    opensearch = dialect == "opensearch"
    options: dict[str, Any] = {
        "timeout" if opensearch else "request_timeout": timeout,
        "max_retries": 3,
        "retry_on_timeout": True,
        "retry_on_status": (429, 502, 503, 504),
    }
    if api_key and opensearch:
        options["headers"] = {"authorization": f"ApiKey {api_key}"}
    elif api_key:
        options["api_key"] = api_key
    elif username:
        options["http_auth" if opensearch else "basic_auth"] = (username, password or "")
    if url.startswith("https:"):
        options["verify_certs"] = verify_certs
    if opensearch:
        return module.OpenSearch([url], **options)
    return module.Elasticsearch(url, **options)


def body_of(resp: Any) -> dict[str, Any]:
    """The JSON body of a response (elasticsearch-py wraps it; opensearch-py does not)."""
    body = getattr(resp, "body", resp)
    return body if isinstance(body, dict) else {}


# -- errors (pure) -------------------------------------------------------------------------------
def safe_url(url: str) -> str:
    """The URL without user:password@ (URLs go into messages and logs; passwords never do)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def status_of(exc: BaseException) -> int | None:
    """The HTTP status a client exception carries (None for connection errors)."""
    status = getattr(getattr(exc, "meta", None), "status", None)
    if status is None:
        status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def reason_of(exc: BaseException) -> str:
    """The server's `type: reason` of a client exception, else its text."""
    body = getattr(exc, "body", None) or getattr(exc, "info", None)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(error or getattr(exc, "message", None) or exc)


def one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unreachable(name: str, text: str) -> str:
    why = "timed out" if "timeout" in name.lower() or "timed out" in text else "connection failed"
    why = "connection refused" if "refused" in text else why
    return "TLS error: check es_verify_certs" if "SSL" in name else why


def describe_error(exc: BaseException, url: str, doing: str) -> str:
    """One readable line for a client exception (Elasticsearch or OpenSearch client)."""
    status, name, text = status_of(exc), type(exc).__name__, str(exc).lower()
    where = f"Elasticsearch at {url}"
    if status == 401:
        return f"{where} rejected the credentials while {doing} (401): check es_username / es_password or es_api_key"
    if status == 403:
        return f"{where} refused {doing} (403): the user or API key lacks a privilege on the index"
    if "media_type_header_exception" in reason_of(exc):
        return version_mismatch(url, None)
    if name == "UnsupportedProductError":
        return f"{url} does not answer as Elasticsearch while {doing}: check es_url"
    if status is None and ("Connection" in name or "Timeout" in name or "SSL" in name):
        why = _unreachable(name, text)
        return f"cannot reach {where} while {doing} ({why}): is it running? (setting es_url, env RADAR_ES_URL)"
    if status is not None:
        return one_line(f"{where} answered {status} while {doing}: {reason_of(exc)}")
    return one_line(f"{where} failed while {doing}: {name}: {exc}")


def client_version() -> str:
    import elasticsearch

    return str(elasticsearch.__versionstr__)


def version_mismatch(url: str, cluster: str | None) -> str:
    """The error line for a client whose major version the cluster does not speak."""
    mine = client_version()
    major = int(mine.split(".")[0])
    theirs = f"Elasticsearch {cluster}" if cluster else "another major version"
    want = (
        f"elasticsearch>={cluster.split('.')[0]},<{int(cluster.split('.')[0]) + 1}"
        if cluster
        else f"elasticsearch<{major}"
    )
    return (
        f"Elasticsearch at {url} speaks {theirs}; the installed client elasticsearch-py {mine}"
        f" speaks {major}.x: pip install '{want}'"
    )


def cluster_version(client: Any) -> str | None:
    """The cluster's version number, asked without the client's compatibility header."""
    try:
        resp = client.transport.perform_request("GET", "/", headers={"accept": "application/json"})
        return str(body_of(resp)["version"]["number"])
    except Exception:  # best effort: only used to word an error
        return None


@contextmanager
def translated(url: str, doing: str) -> Iterator[None]:
    """Client exceptions inside become one BackendError line; RadarErrors pass through."""
    try:
        yield
    except RadarError:
        raise
    except Exception as exc:
        raise BackendError(describe_error(exc, url, doing)) from None
