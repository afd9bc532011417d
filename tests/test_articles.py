"""Article main-text extraction: golden pairs in tests/data/articles plus unit cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.articles import Article, decode_html, extract_article
from radar.core.errors import ExtractionError

DATA = Path(__file__).parent / "data" / "articles"
CASES = sorted(DATA.glob("*.html"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text("utf-8"))


def test_there_are_golden_pairs() -> None:
    assert len(CASES) >= 4
    assert all(case.with_suffix(".expected.json").exists() for case in CASES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_golden_pair(path: Path) -> None:
    expected = _expected(path)
    if "error" in expected:
        with pytest.raises(ExtractionError, match=expected["error"]):
            extract_article(path.read_bytes(), "https://example.test/page")
        return
    article = extract_article(path.read_bytes(), "https://example.test/page")
    assert article.title == expected["title"]
    assert article.published == expected["published"]
    for snippet in expected["must_contain"]:
        assert snippet in article.text
    for snippet in expected["must_not_contain"]:
        assert snippet not in article.text


def test_str_input_and_to_json() -> None:
    html = (DATA / "initech_release.html").read_text("utf-8")
    article = extract_article(html)
    assert isinstance(article, Article)
    assert set(article.to_json()) == {"title", "text", "published"}
    assert article.to_json()["published"] == "2023-11-20"


@pytest.mark.parametrize("html", ["", "   ", b"", b"\x00\x00", "<html><body></body></html>"])
def test_no_main_text_is_an_extraction_error(html: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_article(html, "https://example.test/empty")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("café".encode("utf-8-sig"), "café"),
        ("café".encode("utf-16"), "café"),
        (b'<meta charset="windows-1251">\xcf\xf0\xe8', '<meta charset="windows-1251">При'),
        (b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'>\x93", None),
        (b'<meta charset="no-such-codec">caf\xc3\xa9', '<meta charset="no-such-codec">café'),
        (b"caf\xe9", "caf\ufffd"),
    ],
)
def test_decode_html(data: bytes, text: str | None) -> None:
    decoded = decode_html(data)
    if text is None:  # latin-1 label decodes as windows-1252, like browsers
        assert decoded.endswith("\u201c")
    else:
        assert decoded == text
