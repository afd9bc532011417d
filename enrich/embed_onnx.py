"""The ONNX Runtime path for CPUs without native bf16: the model exported once, then run by ORT.

On an AVX2-only CPU torch has no fast bf16, and plain fp32 ``encode()`` is what the default used
to run. Exporting the transformer to ONNX (with torch, offline, from the local model files) and
running it with ONNX Runtime's graph optimisations (fused attention, layer norm and GELU) is
faster for the same fp32 arithmetic (figures in docs/benchmarks.md, "Embedding"). The export
is cached in a folder keyed by the model's files and the library versions, so it happens once.

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

    features = st_model.tokenize(["Acme launches single sign-on.", "Pricing"])
    names = [name for name in INPUTS if name in features]
    wrapper = _HiddenStates.wrap(st_model[0].auto_model, names)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        with torch.inference_mode(False), torch.no_grad():
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


def optimise(source: Path, target: Path, hidden_size: int, heads: int) -> None:
    """ORT's transformer fusions (attention, layer norm, GELU) saved once, beside the export."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden_size, opt_level=1
    )
    fd, tmp = tempfile.mkstemp(prefix=".opt-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        optimised.save_model_to_file(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def quantise(source: Path, target: Path) -> None:
    """Dynamic int8 weights (per channel), activations quantised on the fly."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        quantize_dynamic(source, tmp, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
