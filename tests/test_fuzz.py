"""A bounded fuzz pass over the parsers users feed untrusted text to.

The feed, changelog and config parsers and the settings loader get random and mutated input; the
only allowed outcomes are a result or one of our one-line errors (``RadarError``), never another
exception. ``make test`` runs a short pass; ``make fuzz`` (``RADAR_FUZZ_EXAMPLES``) a long one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.changelog import segment
from crawlers.feeds import parse_feed
from radar.core.config import load_config
from radar.core.errors import RadarError
from radar.core.settings import SETTINGS, Settings

EXAMPLES = int(os.environ.get("RADAR_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=os.environ.get("RADAR_FUZZ_EXAMPLES") is None,  # CI: the same cases every run
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme</title><link>http://127.0.0.1/</link>
<item><title>Acme 2.0 ships</title><link>http://127.0.0.1/2</link>
<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;New&lt;/p&gt;</description>
<guid>a2</guid></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>x</id><title type="html">A &amp;lt;b&amp;gt;1&amp;lt;/b&amp;gt;</title>
<updated>2026-11-02T10:00:00Z</updated><link href="http://127.0.0.1/x"/></entry></feed>"""
JSON_FEED = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "A", "items": '
    b'[{"id": "1", "url": "http://127.0.0.1/1", "title": "One", "content_text": "x",'
    b' "date_published": "2026-11-02T10:00:00Z"}]}'
)
CHANGELOG = """# Changelog

## [2.1.0] - 2026-11-02
### Added
- Webhooks for **billing** events ([#12](http://127.0.0.1/12))

## 2.0.0 (2026-10-01)
* Breaking: drop v1 API
"""
SOURCES = """settings:
  request_timeout: 20
competitors:
  - id: acme
    name: Acme
    sources:
      - id: acme-changelog
        type: changelog
        url: http://127.0.0.1:8000/changelog.md
"""


def mutate(seed: bytes, data: st.DataObject) -> bytes:
    """The seed with a few random spans replaced, cut or repeated."""
    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(out)))
        span = data.draw(st.integers(0, 40))
        action = data.draw(st.sampled_from(("replace", "cut", "repeat", "insert")))
        if action == "replace":
            out[at : at + span] = data.draw(st.binary(max_size=span + 5))
        elif action == "cut":
            del out[at : at + span]
        elif action == "repeat":
            out[at:at] = bytes(out[at : at + span]) * data.draw(st.integers(1, 50))
        else:
            out[at:at] = data.draw(st.sampled_from((b"<", b"]]>", b"&#0;", b"\xff\xfe", b"\x00")))
    return bytes(out)


@FUZZ
@given(data=st.data(), seed=st.sampled_from((RSS, ATOM, JSON_FEED)))
def test_feed_parser_returns_or_raises_one_line(data: st.DataObject, seed: bytes) -> None:
    body = mutate(seed, data)
    try:
        parsed = parse_feed(body, "http://127.0.0.1/feed")
    except RadarError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    for entry in parsed.entries:
        assert isinstance(entry.title, str)


@FUZZ
@given(body=st.binary(max_size=2000))
def test_feed_parser_on_random_bytes(body: bytes) -> None:
    try:
        parse_feed(body, "http://127.0.0.1/feed", {"content-type": "application/xml"})
    except RadarError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(data=st.data())
def test_changelog_segmentation_never_crashes(data: st.DataObject) -> None:
    text = mutate(CHANGELOG.encode(), data)
    entries = segment(text)
    for entry in entries:
        assert isinstance(entry.title, str)


@FUZZ
@given(text=st.text(max_size=1500))
def test_changelog_segmentation_on_random_text(text: str) -> None:
    assert isinstance(segment(text), list)


@FUZZ
@given(data=st.data())
def test_config_loader_gives_one_line_errors(data: st.DataObject, tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(mutate(SOURCES.encode(), data))
    try:
        config = load_config(path, env={})
    except RadarError as exc:
        assert "\n" not in str(exc).strip()
        return
    assert all(src.url for src in config.sources)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@FUZZ
@given(name=st.sampled_from([s.name for s in SETTINGS]), value=VALUES)
def test_settings_loader_validates_every_value(name: str, value: object) -> None:
    try:
        Settings({name: value}, env={})
    except RadarError as exc:
        assert "\n" not in str(exc) and name in str(exc)


@FUZZ
@given(name=st.sampled_from([s.name for s in SETTINGS]), raw=st.text(max_size=30))
def test_settings_from_the_environment(name: str, raw: str) -> None:
    try:
        Settings({}, env={f"RADAR_{name.upper()}": raw})
    except RadarError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("seed", [RSS, ATOM, JSON_FEED])
def test_the_seeds_parse(seed: bytes) -> None:
    """The fuzz seeds are valid input, so mutations start from something that parses."""
    assert parse_feed(seed, "http://127.0.0.1/feed").entries
