"""The app as an HTTP client meets it: pages and /api, errors, headers, escaping, the token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from radar.web import create_app
from radar.web.security import CSP, DIGEST_CSP
from tests.web.store import PWN_SCRIPT, TAMPERED_WEEK, settings

PAGES = ["/", "/?q=pricing", "/trends", "/themes", "/themes/d-evil", "/themes/pricing",
         "/competitors", "/competitors/acme", "/items/item100", "/items/item000", "/sources",
         "/digests"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_escape_crawled_text_and_carry_the_csp(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    html = response.text
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]+\son\w+\s*=", html)  # no event handler attribute anywhere
    assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", html, re.I)
    assert "style=" not in html


def test_hostile_item_is_shown_as_text(client: TestClient) -> None:
    html = client.get("/items/item100").text
    assert "<h1>Acme &lt;script&gt;window.__pwned = 1&lt;/script&gt; ships" in html
    assert '<span class="nolink" title="not a web link">javascript:window.__pwned=3</span>' in html


def test_search_api_filters_and_facets(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "pricing", "mode": "text"}).json()
    acme = client.get(
        "/api/search", params={"q": "pricing", "mode": "text", "competitor": "acme", "limit": 2}
    ).json()
    assert 0 < acme["total"] < everything["total"] and len(acme["hits"]) == 2
    counts = {f["value"]: f["count"] for f in everything["facets"]["competitor"]}
    assert counts["acme"] == acme["total"]
    assert acme["query"]["competitor"] == ["acme"] and acme["query"]["mode"] == "text"
    assert all("<mark>" in h["snippet"] for h in acme["hits"])


def test_the_page_and_the_api_agree(client: TestClient) -> None:
    api = client.get("/api/search", params={"q": "dashboards", "theme": "security"}).json()
    html = client.get("/", params={"q": "dashboards", "theme": "security"}).text
    assert f"<strong>{api['total']}</strong> results" in html
    assert 'class="chip"' in html and "Theme: Security" in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/search?since=yesterday", "since 'yesterday' is not a date: use YYYY-MM-DD"),
        ("/api/search?since=2026-02-01&until=2026-01-01", "since (2026-02-01) is after until"),
        ("/api/search?limit=1000", "limit: Input should be less than or equal to 100"),
        ("/api/search?mode=fuzzy", "mode: String should match pattern"),
        ("/api/trends?by=colour", "by: String should match pattern"),
        ("/api/rising?period_days=x", "period_days: Input should be a valid integer"),
    ],
)
def test_bad_parameters_are_a_readable_400(client: TestClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_bad_parameters_on_a_page_are_an_error_page(client: TestClient) -> None:
    response = client.get("/?since=yesterday")
    assert response.status_code == 400
    assert "since &#39;yesterday&#39; is not a date" in response.text
    assert response.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    "path",
    ["/items/nope", "/themes/nope", "/competitors/nope", "/digests/2031-W01", "/nope",
     "/digests/..%2F..%2Fradar.db/html", f"/digests/{TAMPERED_WEEK}/md", "/digests/notes/html"],
)  # fmt: skip
def test_unknown_ids_are_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_unknown_ids_in_the_api_are_a_404_json(client: TestClient) -> None:
    response = client.get("/api/items/<script>")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "error": "no item with id '<script>'"}


def test_archived_digest_is_served_sandboxed(client: TestClient) -> None:
    week = client.get("/api/digests").json()[0]["week"]
    page = client.get(f"/digests/{week}").text
    assert f'<iframe class="digest" src="/digests/{week}/html"' in page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    raw = client.get(f"/digests/{week}/html")
    assert raw.headers["content-security-policy"] == DIGEST_CSP
    assert "Competitor moves" in raw.text and PWN_SCRIPT not in raw.text
    detail = client.get(f"/api/digests/{week}").json()
    assert detail["markdown"].startswith("# Competitor moves") and detail["formats"] == [
        "html",
        "md",
    ]


def test_openapi_lists_every_operation_and_no_422(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/search", "/api/trends", "/api/rising", "/api/themes", "/api/themes/{theme_id}",
        "/api/competitors", "/api/competitors/{name}", "/api/items/{item_id}", "/api/sources",
        "/api/digests", "/api/digests/{week}",
    }  # fmt: skip
    responses = spec["paths"]["/api/search"]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "404", "503"}


def test_empty_index(tmp_path: Path) -> None:
    from radar.store import Store

    Store(tmp_path / "radar.db").close()
    with TestClient(create_app(settings(tmp_path))) as empty:
        assert "The index is empty" in empty.get("/").text
        assert empty.get("/api/search").json()["total"] == 0
        for path in ("/trends", "/themes", "/competitors", "/sources", "/digests"):
            assert empty.get(path).status_code == 200, path


def test_backend_down_is_a_503_that_says_so(web_data: Path) -> None:
    down = settings(web_data, search_backend="elasticsearch", es_url="http://127.0.0.1:9")
    with TestClient(create_app(down)) as client:
        page = client.get("/?q=pricing")
        assert page.status_code == 503
        assert "Backend unavailable" in page.text and "cannot reach Elasticsearch" in page.text
        api = client.get("/api/trends")
        assert api.status_code == 503 and "unavailable" in api.json()["error"]
        assert client.get("/items/item000").status_code == 200  # the store still answers


@pytest.fixture
def guarded(web_data: Path) -> Any:
    with TestClient(create_app(settings(web_data), token="s3cret")) as client:
        yield client


def test_token_is_required_when_set(guarded: TestClient) -> None:
    refused = guarded.get("/api/sources")
    assert refused.status_code == 401 and "needs its token" in refused.json()["error"]
    assert refused.headers["www-authenticate"] == "Bearer"
    assert guarded.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert (
        guarded.get("/api/sources", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    )
    assert guarded.get("/static/radar.css").status_code == 200


def test_token_in_the_url_sets_a_cookie(guarded: TestClient) -> None:
    response = guarded.get("/sources?token=s3cret&x=1", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sources?x=1"
    assert "radar_token=s3cret" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()
    assert guarded.get("/sources").status_code == 200  # the cookie now carries the token


def test_foreign_host_headers_are_refused(web_data: Path) -> None:
    app = create_app(settings(web_data), allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert client.get("/api/sources").status_code == 200
        assert client.get("/api/sources", headers={"host": "evil.example"}).status_code == 400


def test_serve_refuses_a_public_address_without_a_token(web_data: Path) -> None:
    from radar.cli import main

    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--data-dir", str(web_data)],
        env={"RADAR_SERVE_TOKEN": ""},
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        "error: refusing to serve on 0.0.0.0 without a token: set RADAR_SERVE_TOKEN"
        " (setting serve_token), or bind to 127.0.0.1\n"
    )
