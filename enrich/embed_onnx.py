"""The ONNX Runtime path for CPUs without native bf16: the model exported once, then run by ORT.

On an AVX2-only CPU torch has no fast bf16, and plain fp32 ``encode()`` is what the default used
to run. Exporting the transformer to ONNX (with torch, offline, from the local model files) and
running it with ONNX Runtime's graph optimisations (fused attention, layer norm and GELU) is
no faster for the same fp32 arithmetic, but ORT's dynamic int8 (weights per channel, the
attention-score products left in fp32) is, and keeps the vectors (figures in docs/benchmarks.md,
"Embedding"). The export is cached in a folder keyed by the model's files, the library versions
and the variant, so it happens once.

Tokenising stays sentence-transformers' own (``model.tokenize``); pooling (mean or CLS, the
modes the bundled models use) runs in numpy. A model of another shape raises
``OnnxUnavailable`` and the caller keeps the torch path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
_POOLING = ("mean", "cls")


class OnnxUnavailable(RuntimeError):
    """The ONNX path cannot serve this model here (missing package, odd model, failed export)."""


def default_cache_dir() -> Path:
    """Where exports live: $RADAR_CACHE_DIR, else $XDG_CACHE_HOME/market-radar, else ~/.cache."""
    if os.environ.get("RADAR_CACHE_DIR"):
        return Path(os.environ["RADAR_CACHE_DIR"]) / "onnx"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "market-radar" / "onnx"


def _versions() -> dict[str, str]:
    import onnxruntime
    import torch
    import transformers

    return {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opset": str(OPSET),
    }


def _model_files(model_path: str) -> list[tuple[str, int, int]]:
    """(name, size, mtime) of the files that define the weights, for a model folder."""
    folder = Path(model_path)
    if not folder.is_dir():
        return []
    return sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.is_file() and p.suffix in (".json", ".safetensors", ".bin", ".txt")
    )


def cache_key(model_path: str, variant: str) -> str:
    """A folder name that changes with the model's files, the library versions and the variant."""
    blob = json.dumps(
        {"model": model_path, "files": _model_files(model_path), "variant": variant, **_versions()},
        sort_keys=True,
    )
    name = Path(model_path).name or "model"
    return f"{name}-{variant}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


def pooling_mode(st_model: Any) -> str:
    """'mean' or 'cls' for a Transformer → Pooling (→ Normalize) model; else OnnxUnavailable."""
    kinds = [type(module).__name__ for module in st_model]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise OnnxUnavailable(f"model modules {kinds} are not Transformer, Pooling[, Normalize]")
    mode = getattr(st_model[1], "pooling_mode", None)
    if mode not in _POOLING:
        raise OnnxUnavailable(f"pooling mode {mode!r} is not one of {', '.join(_POOLING)}")
    return str(mode)


def tokenize(st_model: Any, texts: list[str]) -> dict[str, Any]:
    """sentence-transformers' own tokenising (``preprocess`` since 6.x, ``tokenize`` before)."""
    preprocess = getattr(st_model, "preprocess", None) or st_model.tokenize
    return dict(preprocess(texts))


class _QuantiseNotes(logging.Filter):
    """Drops the quantiser's advice to pre-process the model, logged on the root logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.pathname.endswith("quantize.py")


class _HiddenStates:
    """The transformer with positional inputs, returning the last hidden state (for export)."""

    @staticmethod
    def wrap(auto_model: Any, names: list[str]) -> Any:
        import torch

        class Wrapper(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = auto_model

            def forward(self, *args: Any) -> Any:
                return self.model(**dict(zip(names, args, strict=True))).last_hidden_state

        return Wrapper().eval()


def export(st_model: Any, target: Path) -> list[str]:
    """Export the transformer of ``st_model`` to ``target`` (atomic); returns the input names."""
    import torch

    features = tokenize(st_model, ["Acme launches single sign-on.", "Pricing"])
    names = [name for name in INPUTS if name in features]
    wrapper = _HiddenStates.wrap(st_model[0].auto_model, names)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on shapes the dynamic axes cover
            torch.onnx.export(
                wrapper,
                tuple(features[name].cpu() for name in names),
                tmp,
                dynamo=False,
                input_names=names,
                output_names=["hidden"],
                dynamic_axes=axes,
                opset_version=OPSET,
            )
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return names


def quantise(source: Path, target: Path, nodes: list[str]) -> None:
    """Dynamic int8 (weights per channel, activations on the fly) of the MatMuls in ``nodes``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    notes = _QuantiseNotes()
    logging.getLogger().addFilter(notes)
    try:
        quantize_dynamic(
            source, tmp, weight_type=QuantType.QInt8, per_channel=True, nodes_to_quantize=nodes
        )
        os.replace(tmp, target)
    finally:
        logging.getLogger().removeFilter(notes)
        Path(tmp).unlink(missing_ok=True)


def _weight_matmuls(path: Path) -> list[str]:
    """MatMul nodes with a weight operand: the attention-score products stay in fp32."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    weights = {init.name for init in graph.initializer}
    return [
        node.name
        for node in graph.node
        if node.op_type == "MatMul" and any(name in weights for name in node.input)
    ]


def build_model_file(st_model: Any, model_path: str, variant: str, cache_dir: Path) -> Path:
    """The cached ONNX file for ``variant`` ('onnx' or 'onnx-int8'), exported on first use."""
    folder = cache_dir / cache_key(model_path, variant)
    target = folder / "model.onnx"
    if target.exists():
        return target
    logger.info("exporting %s to ONNX (%s) in %s, once", Path(model_path).name, variant, folder)
    if variant == "onnx":
        export(st_model, target)
        return target
    raw = folder / f".fp32-{os.getpid()}.onnx"  # per process: two first uses may race
    try:
        export(st_model, raw)
        quantise(raw, target, _weight_matmuls(raw))
    finally:
        raw.unlink(missing_ok=True)
    return target


class OnnxEncoder:
    """Encodes texts like ``SentenceTransformer.encode`` (unnormalised) with an ONNX Runtime session.

    Texts are tokenised in chunks, sorted by token count, and each batch is cut to its longest
    text (length bucketing), so little padding is computed.
    """

    def __init__(self, st_model: Any, model_path: str, variant: str, cache_dir: Path | None = None):
        try:
            import onnxruntime
        except ImportError:
            raise OnnxUnavailable("onnxruntime is not installed") from None
        self.mode = pooling_mode(st_model)
        if getattr(st_model.tokenizer, "padding_side", "right") != "right":
            raise OnnxUnavailable("the tokenizer pads on the left")
        self.st_model = st_model
        path = build_model_file(st_model, model_path, variant, cache_dir or default_cache_dir())
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        chunk = max(batch_size * 16, 1024)
        parts = [
            self._encode_chunk(texts[i : i + chunk], batch_size)
            for i in range(0, len(texts), chunk)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def _encode_chunk(self, texts: list[str], batch_size: int) -> np.ndarray:
        tokens = tokenize(self.st_model, texts)
        features = {name: tokens[name].numpy() for name in {*self.inputs, "attention_mask"}}
        mask = features["attention_mask"]
        lengths = mask.sum(axis=1)
        order = np.argsort(-lengths, kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            feed = {name: features[name][rows, :width].astype(np.int64) for name in self.inputs}
            pooled = self._pool(self.session.run(None, feed)[0], feed["attention_mask"])
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        assert out is not None
        return out

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.mode == "cls":
            return hidden[:, 0]
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
