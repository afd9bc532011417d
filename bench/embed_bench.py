"""Embedding speed and quality: `SentenceTransformerEmbedder` against plain `encode`, one run.

Usage: .venv/bin/python bench/embed_bench.py [--limit N] [--repeat 2] [--device cpu|cuda]
                                              [--candidates default onnx bf16 int8 "bf16,seq=128"]
       .venv/bin/python bench/embed_bench.py --device cuda   # fp16 / bf16, big batches, 128 tokens

On CUDA (exits with one line where there is none) the texts are cut at --tokens (128) and the
corpus is repeated up to --gpu-texts (50,000) so the card is busy; the candidates default to
fp16 / bf16 with batches of 512 and 1,024 (encode() sorts by length: length bucketing); the
V-measure is computed on one copy of the corpus.

Texts are BBC News (../shared/corpus/labeled_news/bbc_news: folder = label, first line = title,
the rest = body) passed through `item_text(title, body)`; without the corpus, synthetic texts
(and no V-measure). The baseline (B) is `SentenceTransformer(path).encode(texts)` with its
defaults; each candidate is a `SentenceTransformerEmbedder` configuration. Every model is loaded
and warmed up first; then --repeat rounds time B and each candidate on the same texts, in
turn, reporting each one's best round and the speed-up within every round. Quality: V-measure of
KMeans(k=labels, seeds 0..4, averaged) against the true labels, and the mean cosine between the
baseline and the candidate vectors. Prints a table; writes bench/results/embed.json.

A candidate is "default" (the embedder's defaults) or comma-separated settings:
fp32 | bf16 | fp16 | int8 (torch dynamic int8), torch | onnx | onnx-int8 (the backend), bs=N,
seq=N, threads=N (torch threads while it runs). The CPU flags that decide the default (native
bf16 or not) are printed first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from enrich.embed import (  # noqa: E402
    SentenceTransformerEmbedder,
    cpu_has_native_bf16,
    item_text,
    resolve_model,
)

CORPUS = ROOT.parent / "shared" / "corpus" / "labeled_news" / "bbc_news"
RESULTS = ROOT / "bench" / "results" / "embed.json"
SEEDS = (0, 1, 2, 3, 4)
WORDS = (
    "company launched new feature pricing plan customers enterprise security update release "
    "integration partner funding round acquisition performance latency outage fixed bug api "
    "dashboard analytics workflow team market growth revenue quarter product roadmap support"
).split()


def load_corpus(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) from a folder-per-label corpus of .txt files, sorted by path."""
    texts, labels = [], []
    for file in sorted(path.glob("*/*.txt")):
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.strip().partition("\n")
        texts.append(item_text(title, body))
        labels.append(file.parent.name)
    return texts, labels


def synthetic_texts(n: int, seed: int = 0) -> list[str]:
    """News-like items of varied length (a title and 1 to 30 sentences) when there is no corpus."""
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize() + "."

    out = []
    for _ in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        out.append(item_text(title, " ".join(sentence() for _ in range(rng.randint(1, 30)))))
    return out


CUDA_CANDIDATES = ["fp16,bs=512", "bf16,bs=512", "fp16,bs=1024", "fp32,bs=512"]


def parse_candidate(spec: str) -> dict[str, Any]:
    """'bf16,bs=32,seq=128' -> embedder kwargs (+ 'threads')."""
    kwargs: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, value = part.partition("=")
        if part == "default":
            continue
        if part in ("fp32", "bf16", "fp16"):
            kwargs["precision"] = part
        elif part == "int8":
            kwargs["quantize"] = True
        elif part in ("torch", "onnx", "onnx-int8"):
            kwargs["backend"] = part
        elif key == "bs":
            kwargs["batch_size"] = int(value)
        elif key == "seq":
            kwargs["max_seq_length"] = int(value)
        elif key == "threads":
            kwargs["threads"] = int(value)
        else:
            raise SystemExit(f"unknown candidate setting {part!r} in {spec!r}")
    return kwargs


def v_measure(vectors: np.ndarray, labels: list[str]) -> float:
    from sklearn.cluster import KMeans
    from sklearn.metrics import v_measure_score

    k = len(set(labels))
    scores = [
        v_measure_score(labels, KMeans(k, n_init=3, random_state=seed).fit_predict(vectors))
        for seed in SEEDS
    ]
    return float(np.mean(scores))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


DECIDING_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16")


def cpu_flags() -> list[str]:
    """The CPU flags that decide the embedding path (native bf16 or not), as /proc/cpuinfo has."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return [flag for flag in DECIDING_FLAGS if flag in present]
    except OSError:
        pass
    return []


def mean_tokens(model: Any, texts: list[str]) -> float:
    """Mean tokens per text after the model's truncation (what the timing computes over)."""
    sample = texts[:500]
    ids = model.tokenizer(sample, truncation=True, max_length=model.max_seq_length)["input_ids"]
    return float(np.mean([len(row) for row in ids])) if sample else 0.0


def unit(vectors: Any) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="at most N texts (a fixed sample)")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds; the best is kept")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--candidates", nargs="+", default=None)
    parser.add_argument("--tokens", type=int, default=None, help="max tokens (cuda: 128)")
    parser.add_argument("--gpu-texts", type=int, default=50_000, help="cuda: texts timed")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer

    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        print(
            f"embed_bench: --device {args.device} needs a CUDA GPU and a CUDA build of torch; "
            f"torch {torch.__version__} sees none here",
            file=sys.stderr,
        )
        return 2
    args.candidates = args.candidates or (CUDA_CANDIDATES if cuda else ["default"])
    args.tokens = args.tokens or (128 if cuda else None)

    labels: list[str] | None = None
    if args.corpus.is_dir() and any(args.corpus.glob("*/*.txt")):
        texts, labels = load_corpus(args.corpus)
        source = str(args.corpus)
    else:
        texts, source = synthetic_texts(args.limit or 2000), "synthetic"
    if args.limit and args.limit < len(texts):
        keep = sorted(random.Random(0).sample(range(len(texts)), args.limit))
        texts = [texts[i] for i in keep]
        labels = [labels[i] for i in keep] if labels else None
    n_unique = len(texts)
    if cuda:  # enough work to fill the card: the corpus repeated, V-measure on one copy
        texts = (texts * -(-args.gpu_texts // n_unique))[: max(args.gpu_texts, n_unique)]
    n = len(texts)
    default_threads = torch.get_num_threads()
    path = resolve_model(None)
    flags = cpu_flags()
    print(
        f"CPU: {cpu_name()}; deciding flags present: {' '.join(flags) or 'none'}; "
        f"native bf16: {'yes' if cpu_has_native_bf16() else 'no'}",
        file=sys.stderr,
    )

    # Load and warm up every model before any timing (first calls pay one-off kernel set-up).
    runners: list[tuple[str, dict[str, Any], Any]] = []
    baseline = SentenceTransformer(path, device=args.device, local_files_only=True)
    if args.tokens:
        baseline.max_seq_length = args.tokens
    runners.append(("baseline encode()", {}, lambda t: baseline.encode(t)))
    info: dict[str, dict[str, Any]] = {"baseline encode()": {"config": "defaults"}}
    for spec in args.candidates:
        kwargs = parse_candidate(spec)
        kwargs.setdefault("max_seq_length", args.tokens)
        threads = kwargs.pop("threads", None)
        emb = SentenceTransformerEmbedder(device=args.device, **kwargs)
        label = f"{spec} [{emb.name}, bs={emb.batch_size}]"
        print(f"  {spec}: backend {emb.backend}, precision {emb.precision}", file=sys.stderr)
        runners.append((label, {"threads": threads}, emb.embed))
        info[label] = {
            "config": spec,
            "name": emb.name,
            "backend": emb.backend,
            "batch_size": emb.batch_size,
        }
    tokens = mean_tokens(baseline, texts[:n_unique])
    warm = texts[: min(n, 128)]
    for _, _, fn in runners:
        fn(warm)

    times: dict[str, list[float]] = {label: [] for label, _, _ in runners}
    vectors: dict[str, np.ndarray] = {}
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    for round_no in range(args.repeat):
        for label, opts, fn in runners:
            torch.set_num_threads(opts.get("threads") or default_threads)
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            start = time.perf_counter()
            out = fn(texts)
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            elapsed = time.perf_counter() - start
            torch.set_num_threads(default_threads)
            times[label].append(elapsed)
            vectors[label] = unit(out)
            print(f"  round {round_no + 1}: {label}: {n / elapsed:.1f} items/s", file=sys.stderr)
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None

    base_label = runners[0][0]
    best = {label: min(elapsed) for label, elapsed in times.items()}
    base_rate = n / best[base_label]
    base_vm = v_measure(vectors[base_label][:n_unique], labels) if labels else None
    rows = []
    for label, _, _ in runners:
        rate = n / best[label]
        vm = v_measure(vectors[label][:n_unique], labels) if labels else None
        cosines = np.sum(vectors[label] * vectors[base_label], axis=1)
        cos = float(np.mean(cosines))
        # Speed-up within each round (baseline and candidate timed minutes apart): its range
        # shows how much other load on the machine moved the best-of figure.
        paired = [b / c for b, c in zip(times[base_label], times[label], strict=True)]
        row = {
            "run": label,
            **info[label],
            "seconds": round(best[label], 3),
            "items_per_s": round(rate, 2),
            "speedup": round(rate / base_rate, 2),
            "items_per_s_rounds": [round(n / t, 2) for t in times[label]],
            "speedup_rounds": [round(x, 2) for x in paired],
            "v_measure": None if vm is None else round(vm, 4),
            "v_measure_delta": None if vm is None or base_vm is None else round(vm - base_vm, 4),
            "mean_cosine_to_baseline": round(cos, 5),
            "min_cosine_to_baseline": round(float(np.min(cosines)), 5),
        }
        rows.append(row)

    device_name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else cpu_name()
    result = {
        "texts": n,
        "unique_texts": n_unique,
        "max_tokens": args.tokens or int(baseline.max_seq_length),
        "mean_tokens": round(tokens, 1),
        "source": source,
        "device": args.device,
        "device_name": device_name,
        "cpu_count": os.cpu_count(),
        "cpu_flags": cpu_flags() if not args.device.startswith("cuda") else None,
        "native_bf16": cpu_has_native_bf16(),
        "torch_threads": default_threads,
        "torch": torch.__version__,
        "repeat": args.repeat,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "kmeans_seeds": list(SEEDS),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    print(
        f"{n} texts ({source}), {tokens:.0f} tokens on average (max {baseline.max_seq_length}), "
        f"device {args.device} ({device_name}), torch {torch.__version__}, "
        f"{default_threads} threads, best of {args.repeat}"
    )
    header = (
        f"{'run':<52} {'items/s':>8} {'speedup':>8} {'per round':>12} "
        f"{'V-measure':>10} {'ΔV':>8} {'cos':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        vm = "-" if row["v_measure"] is None else f"{row['v_measure']:.4f}"
        dv = "-" if row["v_measure_delta"] is None else f"{row['v_measure_delta']:+.4f}"
        rounds = f"{min(row['speedup_rounds']):.1f}-{max(row['speedup_rounds']):.1f}x"
        print(
            f"{row['run']:<52} {row['items_per_s']:>8.1f} {row['speedup']:>7.2f}x {rounds:>12} "
            f"{vm:>10} {dv:>8} {row['mean_cosine_to_baseline']:>8.5f}"
        )
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
