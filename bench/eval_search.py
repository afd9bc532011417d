"""Relevance of the trend index: MRR@10 and nDCG@10 of text, semantic and hybrid search.

The index: every release entry of ``../shared/corpus/changelogs/{markdown,html}/<product>/*``
(segmented with :func:`crawlers.changelog.segment`; competitor = the product folder, kind
``changelog_entry``; the ``source/`` folders next to some HTML pages are the build sources of
those pages and are left out, they would only duplicate them) and the 2,225 BBC News articles of
``../shared/corpus/labeled_news/bbc_news/<label>/*.txt`` (title = first line, kind ``news``, no
competitor). The items go into a temporary store, are embedded with the default
``SentenceTransformerEmbedder()`` through ``Enricher(store, embedder)`` (vectors cached in the
store) and indexed by ``Indexer`` into the SQLite backend. The store is kept in
``bench/results/search_relevance/`` and rebuilt only when the corpus files or the embedder change.

Queries: ``tests/eval/search_queries.json`` (written for this project; see its ``about``), each
with graded judgements (2 = highly relevant, 1 = relevant) keyed by corpus file and version
(changelogs) or file (BBC), resolved to item ids at run time. Unjudged documents count as not
relevant.

Metrics, per mode over all queries and per query group: MRR@10 (reciprocal rank of the first
relevant hit, either grade) and nDCG@10 with graded gains (2^g - 1, log2 discount; the ideal
ranking is built from all judged documents). Also per-query nDCG@10 of the three modes, and a few
variants computed here from the backend's own rankings (RRF with other k, weighted RRF, plain
any-word BM25 without the every-word tier, the former all-words rule) for the recommendations in
``docs/benchmarks.md``.

Writes ``bench/results/search_relevance.json``. Exits 0 with a message when the corpus is absent.

Usage::

    .venv/bin/python bench/eval_search.py                 # build (cached) + evaluate
    .venv/bin/python bench/eval_search.py --pool QUERY_ID  # judging aid: the pooled top 20
    .venv/bin/python bench/eval_search.py --rebuild       # rebuild the cached store
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus"
CHANGELOGS = CORPUS / "changelogs"
BBC = CORPUS / "labeled_news" / "bbc_news"
QUERIES = ROOT / "tests" / "eval" / "search_queries.json"
CACHE = ROOT / "bench" / "results" / "search_relevance"
RESULTS = ROOT / "bench" / "results" / "search_relevance.json"
MODES = ("text", "semantic", "hybrid")
K = 10
BUILD_VERSION = "1"  # bump when the way items are built changes


# -- the corpus ------------------------------------------------------------------------------------
def changelog_files(root: Path = CHANGELOGS) -> list[Path]:
    """Changelog files: ``<format>/<product>/<file>``, not the ``source/`` copies below them."""
    return sorted(
        p for fmt in ("markdown", "html") for p in (root / fmt).glob("*/*") if p.is_file()
    )


def bbc_files(root: Path = BBC) -> list[Path]:
    return sorted(root.glob("*/*.txt"))


@dataclass
class CorpusDoc:
    """One item to index, with the judgement keys that name it."""

    keys: list[tuple[str, ...]]
    item: Any  # radar.core.records.Item


def corpus_docs() -> list[CorpusDoc]:
    from crawlers.changelog import segment
    from radar.core.records import Item, item_id

    docs: list[CorpusDoc] = []
    for path in changelog_files():
        rel = path.relative_to(CHANGELOGS).as_posix()
        url = f"https://corpus.example/changelogs/{rel}"
        ctype = "text/html" if path.suffix == ".html" else "text/markdown"
        entries = segment(path.read_bytes(), url, ctype)
        for n, entry in enumerate(entries):
            source = f"corpus:{rel}"
            item = Item(
                id=item_id(source, url, f"{n}:{entry.version or ''}"),
                source_id=source,
                kind="changelog_entry",
                title=entry.title,
                body=entry.body,
                url=f"{url}#{entry.anchor or n}",
                competitor=path.parent.name,
                version=entry.version,
                published=entry.date,
            )
            keys = [("changelog", rel, "entry", str(n))]
            if entry.version:
                keys.append(("changelog", rel, "version", entry.version))
            if entry.date:
                keys.append(("changelog", rel, "date", entry.date))
            docs.append(CorpusDoc(keys, item))
    for path in bbc_files():
        rel = path.relative_to(BBC).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        title, _, body = text.partition("\n")
        url = f"https://bbc.example/{rel}"
        item = Item(
            id=item_id("corpus:bbc", url, rel),
            source_id="corpus:bbc",
            kind="news",
            title=title.strip(),
            body=body.strip(),
            url=url,
        )
        docs.append(CorpusDoc([("bbc", rel)], item))
    return docs


def judgement_key(doc: dict[str, Any]) -> tuple[str, ...]:
    """The key of one judged document: ``{"file": "bbc/business/012.txt"}`` style dicts."""
    file = doc["file"]
    if file.startswith("bbc/"):
        return ("bbc", file[len("bbc/") :])
    for field_ in ("version", "date", "entry"):
        if field_ in doc:
            return ("changelog", file, field_, str(doc[field_]))
    raise ValueError(f"judged changelog document needs a version, date or entry: {doc}")


def fingerprint(embedder_name: str) -> str:
    h = hashlib.sha1(f"{BUILD_VERSION}\x1f{embedder_name}".encode())
    for path in [*changelog_files(), *bbc_files()]:
        st = path.stat()
        h.update(f"{path}\x1f{st.st_size}\x1f{int(st.st_mtime)}\n".encode())
    return h.hexdigest()


# -- building the index ---------------------------------------------------------------------------
SETTINGS = {"search_backend": "sqlite"}


def build(embedder: Any, rebuild: bool = False, log: Callable[[str], None] = print) -> Path:
    """The cached store + index; (re)built when the corpus or the embedder changed."""
    from enrich.pipeline import Enricher
    from radar.store import Store
    from search import get_backend
    from search.indexer import Indexer

    CACHE.mkdir(parents=True, exist_ok=True)
    path, stamp = CACHE / "radar.db", CACHE / "fingerprint"
    want = fingerprint(embedder.name)
    if not rebuild and path.exists() and stamp.exists() and stamp.read_text() == want:
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    t0 = time.perf_counter()
    docs = corpus_docs()
    store = Store(path)
    store.upsert_items((doc.item for doc in docs), now="2026-01-01T00:00:00Z")
    log(f"stored {len(docs)} items in {time.perf_counter() - t0:.1f}s; embedding…")
    t1 = time.perf_counter()
    summary = Enricher(store, embedder).run()
    log(f"embedded {summary.embedded} items in {time.perf_counter() - t1:.1f}s; indexing…")
    backend = get_backend(SETTINGS, path)
    index = Indexer(store, backend).run(rebuild=True)
    log(f"indexed {index.total} docs ({index.with_vectors} with vectors)")
    backend.close()
    store.close()
    stamp.write_text(want)
    return path


def key_map() -> dict[tuple[str, ...], str]:
    """Judgement key -> item id, from the docs as built (cheap: segmentation only)."""
    out: dict[tuple[str, ...], str] = {}
    for doc in corpus_docs():
        for key in doc.keys:
            out.setdefault(key, doc.item.id)
    return out


# -- metrics ----------------------------------------------------------------------------------------
def dcg(gains: Sequence[float]) -> float:
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], qrels: dict[str, int], k: int = K) -> float:
    ideal = dcg(sorted(qrels.values(), reverse=True)[:k])
    return dcg([qrels.get(d, 0) for d in ranked[:k]]) / ideal if ideal else 0.0


def rr_at(ranked: Sequence[str], qrels: dict[str, int], k: int = K) -> float:
    for rank, d in enumerate(ranked[:k], start=1):
        if qrels.get(d, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], qrels: dict[str, int], k: int) -> float:
    rel = {d for d, g in qrels.items() if g > 0}
    return len(rel & set(ranked[:k])) / len(rel) if rel else 0.0


# -- queries ----------------------------------------------------------------------------------------
@dataclass
class Query:
    id: str
    group: str
    text: str
    qrels: dict[str, int]  # item id -> grade
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)


def load_queries(keys: dict[tuple[str, ...], str], path: Path = QUERIES) -> list[Query]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for q in data["queries"]:
        qrels: dict[str, int] = {}
        missing = []
        for doc in q["relevant"]:
            item = keys.get(judgement_key(doc))
            if item is None:
                missing.append(doc)
            else:
                qrels[item] = max(qrels.get(item, 0), int(doc["grade"]))
        out.append(Query(q["id"], q["group"], q["query"], qrels, missing, q.get("filters", {})))
    return out


# -- searching --------------------------------------------------------------------------------------
class Searcher:
    """The backend's three modes, plus the raw rankings the variants are fused from."""

    def __init__(self, store_path: Path, embedder: Any):
        from search import get_backend

        self.backend: Any = get_backend(SETTINGS, store_path)
        self.embedder = embedder
        self._vectors: dict[str, list[float]] = {}

    def vector(self, text: str) -> list[float]:
        if text not in self._vectors:
            self._vectors[text] = [float(x) for x in self.embedder.embed([text])[0]]
        return self._vectors[text]

    def ids(self, text: str, mode: str, limit: int = K, **filters: list[str]) -> list[str]:
        from search import SearchQuery

        q = SearchQuery(text=text, mode=mode, limit=limit, **filters)
        if mode != "text":
            q.vector = self.vector(text)
        return [h.id for h in self.backend.search(q).hits]

    def fts5_text(self, text: str, limit: int, every: bool = False) -> list[str]:
        """Plain BM25 (no tiers) over the documents holding any part of the query (FTS5 OR), or
        every part (FTS5 AND: the rule before the tiers), on the backend's index and rank."""
        from search.query import fts5_all, fts5_any, parse

        parsed = parse(text)
        if parsed.empty:
            return []
        db: sqlite3.Connection = self.backend.db
        rows = db.execute(
            "SELECT d.id FROM search_fts f JOIN search_docs d ON d.n = f.rowid"
            " WHERE search_fts MATCH ? ORDER BY f.rank LIMIT ?",
            ((fts5_all if every else fts5_any)(parsed), limit),
        )
        return [r[0] for r in rows]


def rrf(
    rankings: Sequence[Sequence[str]], k: float, weights: Sequence[float] | None = None
) -> list[str]:
    scores: dict[str, float] = defaultdict(float)
    for n, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[n]
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] += w / (k + rank)
    return [d for d, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def competitor_filter(s: Searcher, text: str) -> tuple[str, list[str]]:
    """Query understanding: a competitor named in the query becomes a filter, its words leave.

    A competitor matches when one of its name's words (``stripe`` of ``stripe-python``) is a
    query word; all of that name's words are then dropped from the text.
    """
    if not hasattr(s, "_competitors"):
        rows = s.backend.db.execute(
            "SELECT DISTINCT competitor FROM search_docs WHERE competitor IS NOT NULL"
        )
        s._competitors = sorted(r[0] for r in rows)  # type: ignore[attr-defined]
    words = re.findall(r"[^\W_]+", text.lower())
    generic = {"python", "node", "sdk", "desktop", "api", "app"}
    for name in s._competitors:  # type: ignore[attr-defined]
        parts = set(name.lower().split("-"))
        if parts - generic & set(words):
            rest = [w for w in words if w not in parts]
            return " ".join(rest) or text, [name]
    return text, []


def variants(s: Searcher, q: Query, window: int = 100) -> dict[str, list[str]]:
    """Fusions computed here from the backend's rankings (100-candidate windows, as the backend)."""
    text = s.ids(q.text, "text", window)
    sem = s.ids(q.text, "semantic", window)
    ftext, comp = competitor_filter(s, q.text)
    ctext = s.ids(ftext, "text", window, competitor=comp) if comp else text
    csem = s.ids(q.text, "semantic", window, competitor=comp) if comp else sem
    anyw = s.fts5_text(q.text, window)
    allw = s.fts5_text(q.text, window, every=True)
    out = {
        "hybrid rrf k=60 (backend rule, recomputed)": rrf([text, sem], 60),
        "hybrid rrf k=10": rrf([text, sem], 10),
        "hybrid rrf k=60, text weight 2": rrf([text, sem], 60, [2.0, 1.0]),
        "hybrid rrf k=60, semantic weight 2": rrf([text, sem], 60, [1.0, 2.0]),
        "text any-word (OR) BM25, no tiers": anyw,
        "text all-words (AND) BM25 (the former rule)": allw,
        "hybrid rrf k=60, text weight 2, all-words text": rrf([allw, sem], 60, [2.0, 1.0]),
        "hybrid rrf k=60 with any-word text": rrf([anyw, sem], 60),
        "hybrid rrf k=60 with any-word text, text weight 2": rrf([anyw, sem], 60, [2.0, 1.0]),
        "hybrid: all-words text when it matches ≥ 10, else any-word": rrf(
            [allw if len(allw) >= K else anyw, sem], 60
        ),
        "text, competitor named in the query → filter": ctext,
        "hybrid rrf k=60, competitor named in the query → filter": rrf([ctext, csem], 60),
        "hybrid rrf k=60, competitor → filter, text weight 2": rrf([ctext, csem], 60, [2.0, 1.0]),
    }
    return {name: ranking[:K] for name, ranking in out.items()}


# -- reporting -------------------------------------------------------------------------------------
def summarise(rows: list[dict[str, Any]], modes: Sequence[str]) -> dict[str, dict[str, float]]:
    out = {}
    for mode in modes:
        out[mode] = {
            "mrr@10": round(sum(r["rr"][mode] for r in rows) / len(rows), 4),
            "ndcg@10": round(sum(r["ndcg"][mode] for r in rows) / len(rows), 4),
        }
    return out


def pool(s: Searcher, keys: dict[tuple[str, ...], str], query_id: str, depth: int = 20) -> None:
    """Print the pooled top `depth` of the three modes for a query, with judgement keys."""
    data = json.loads(QUERIES.read_text(encoding="utf-8"))
    q = next((x for x in data["queries"] if x["id"] == query_id), None)
    text = q["query"] if q else query_id
    by_id: dict[str, tuple[str, ...]] = {}
    for key, item in keys.items():
        if item not in by_id or key[2:3] == ("version",):
            by_id[item] = key
    judged = {}
    if q:
        for doc in q["relevant"]:
            item = keys.get(judgement_key(doc))
            if item:
                judged[item] = doc["grade"]
    seen: dict[str, list[str]] = {}
    rankings = {mode[0]: s.ids(text, mode, depth) for mode in MODES}
    rankings["o"] = s.fts5_text(text, depth)  # any-word BM25 without tiers widens the pool
    for letter, ranking in rankings.items():
        for rank, item in enumerate(ranking, start=1):
            seen.setdefault(item, []).append(f"{letter}{rank}")
    db = s.backend.db
    print(f"# {query_id}: {text}")
    for item, ranks in seen.items():
        row = db.execute(
            "SELECT f.title, f.body FROM search_docs d JOIN search_fts f ON f.rowid = d.n"
            " WHERE d.id = ?",
            (item,),
        ).fetchone()
        key = by_id.get(item, ("?",))
        name = key[1] if key[0] == "bbc" else f"{key[1]} {key[2]}={key[3]}"
        body = re.sub(r"\s+", " ", row[1])[:300]
        print(
            f"[{judged.get(item, '-')}] {' '.join(ranks):14} {name}\n    {row[0][:100]} | {body}\n"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached store and index")
    ap.add_argument("--pool", nargs="*", metavar="QUERY_ID", help="print pooled candidates")
    ap.add_argument("--depth", type=int, default=20, help="pool depth per mode (with --pool)")
    ap.add_argument("--no-variants", action="store_true", help="skip the fusion variants")
    args = ap.parse_args()
    if not CHANGELOGS.is_dir() or not BBC.is_dir():
        print(f"corpus not found at {CORPUS}: nothing to evaluate")
        return 0
    from enrich.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    store_path = build(embedder, rebuild=args.rebuild)
    keys = key_map()
    s = Searcher(store_path, embedder)
    if args.pool is not None:
        for qid in args.pool:
            pool(s, keys, qid, args.depth)
        return 0

    queries = load_queries(keys)
    rows: list[dict[str, Any]] = []
    variant_rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for q in queries:
        row: dict[str, Any] = {"id": q.id, "group": q.group, "query": q.text, "judged": len(q.qrels),
                               "ndcg": {}, "rr": {}, "recall@100": {}}  # fmt: skip
        for mode in MODES:
            ranked = s.ids(q.text, mode, 100)
            row["ndcg"][mode] = round(ndcg_at(ranked, q.qrels), 4)
            row["rr"][mode] = round(rr_at(ranked, q.qrels), 4)
            row["recall@100"][mode] = round(recall_at(ranked, q.qrels, 100), 4)
        rows.append(row)
        if not args.no_variants:
            vrow = {name: round(ndcg_at(r, q.qrels), 4) for name, r in variants(s, q).items()}
            vrow.update(
                {f"rr {name}": round(rr_at(r, q.qrels), 4) for name, r in variants(s, q).items()}
            )
            variant_rows.append(vrow)
    elapsed = time.perf_counter() - t0

    overall = summarise(rows, MODES)
    groups = sorted({r["group"] for r in rows})
    by_group = {g: summarise([r for r in rows if r["group"] == g], MODES) for g in groups}
    counts = {g: sum(r["group"] == g for r in rows) for g in groups}
    print(f"{len(queries)} queries, {sum(len(q.qrels) for q in queries)} judged documents; "
          f"index {s.backend.count()} docs; {elapsed:.1f}s")  # fmt: skip
    print(f"\n{'query id':34} {'text':>6} {'sem':>6} {'hyb':>6}  (nDCG@10)")
    for r in rows:
        n = r["ndcg"]
        best = max(n.values())
        flag = "" if n["hybrid"] >= best else "  hybrid < best"
        print(f"{r['id']:34} {n['text']:6.3f} {n['semantic']:6.3f} {n['hybrid']:6.3f}{flag}")
    print(
        f"\n{'group':22} {'n':>3}  "
        + "  ".join(f"{m + ' MRR':>13} {m + ' nDCG':>13}" for m in MODES)
    )
    for g in [*groups, "ALL"]:
        m = overall if g == "ALL" else by_group[g]
        n = len(rows) if g == "ALL" else counts[g]
        cells = "  ".join(f"{m[x]['mrr@10']:13.3f} {m[x]['ndcg@10']:13.3f}" for x in MODES)
        print(f"{g:22} {n:3}  {cells}")
    hyb = overall["hybrid"]["ndcg@10"]
    beats = hyb > overall["text"]["ndcg@10"] and hyb > overall["semantic"]["ndcg@10"]
    print(f"\nhybrid beats both on nDCG@10: {'yes' if beats else 'NO'}")

    variant_summary: dict[str, dict[str, float]] = {}
    if variant_rows:
        print(f"\n{'variant (computed in this script)':58} {'MRR@10':>7} {'nDCG@10':>8}")
        for name in [k for k in variant_rows[0] if not k.startswith("rr ")]:
            nd = sum(v[name] for v in variant_rows) / len(variant_rows)
            mrr = sum(v[f"rr {name}"] for v in variant_rows) / len(variant_rows)
            variant_summary[name] = {"mrr@10": round(mrr, 4), "ndcg@10": round(nd, 4)}
            print(f"{name:58} {mrr:7.3f} {nd:8.3f}")
        print(f"\n{'variant nDCG@10 by group':58} " + " ".join(f"{g[:10]:>10}" for g in groups))
        for name in variant_summary:
            cells = []
            for g in groups:
                sel = [v[name] for r, v in zip(rows, variant_rows, strict=True) if r["group"] == g]
                cells.append(f"{sum(sel) / len(sel):10.3f}")
                variant_summary[name][f"ndcg@10 {g}"] = round(sum(sel) / len(sel), 4)
            print(f"{name:58} " + " ".join(cells))
        for row, vrow in zip(rows, variant_rows, strict=True):
            row["variants_ndcg"] = {k: v for k, v in vrow.items() if not k.startswith("rr ")}

    unresolved = {q.id: q.unresolved for q in queries if q.unresolved}
    if unresolved:
        print(f"\nunresolved judgements: {unresolved}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "queries": len(rows), "index_docs": s.backend.count(), "k": K,
        "embedder": embedder.name, "overall": overall, "by_group": by_group, "group_sizes": counts,
        "hybrid_beats_both_ndcg": beats, "variants": variant_summary, "unresolved": unresolved,
        "per_query": rows,
    }, indent=2) + "\n", encoding="utf-8")  # fmt: skip
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
