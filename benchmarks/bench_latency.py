"""Query latency (p50/p95, no LLM) and peak memory at a given knowledge-base size.

    python benchmarks/bench_latency.py --chunks 100000 --out bench-results/latency-100k.json

Chunks are built from real law articles (sentences recombined, so the vocabulary and lengths are
realistic), stored in the database like ingested ones and indexed with BM25 + 384-d vectors. Vectors
are random unit vectors: their values do not change the cost of a brute-force search, and computing
100k real embeddings would take hours on two cores. Queries are the Chinese evaluation questions,
embedded for real with the configured embedder, and go through ``service.ask`` end to end
(retrieval, database fetch, extractive answer, stored answer record).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAWS = REPO.parent / "shared" / "data" / "zh-banking-law"


def sentences() -> list[str]:
    out = []
    for f in sorted(LAWS.glob("*.md")):
        for para in f.read_text(encoding="utf-8").splitlines():
            out.extend(s for s in re.split(r"(?<=[。；])", para.strip()) if len(s) > 8)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunks", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    home = args.home or REPO / ".xiaoyin-bench" / f"latency-{args.chunks}"
    if home.exists():
        import shutil

        shutil.rmtree(home)
    os.environ["XIAOYIN_HOME"] = str(home)

    import numpy as np

    from xiaoyin.core.db import session_scope
    from xiaoyin.knowledge import evaluate as ev
    from xiaoyin.knowledge import service
    from xiaoyin.knowledge.store import ChunkRow, Document, KnowledgeBase
    from xiaoyin.knowledge.types import IndexChunk
    from xiaoyin.models.embed import get_embedder

    rng = random.Random(7)
    sents = sentences()
    service.create_kb("latency")
    emb = get_embedder()
    dim = emb.dim if emb else 384
    t0 = time.perf_counter()
    idx = service._open("latency")
    per_doc = 200
    with session_scope() as s:
        kb_id = s.query(KnowledgeBase).filter_by(name="latency").one().id
    n_docs = (args.chunks + per_doc - 1) // per_doc
    done = 0
    vrng = np.random.default_rng(7)
    for d in range(n_docs):
        doc_id = str(uuid.uuid4())
        rows, items = [], []
        for j in range(min(per_doc, args.chunks - done)):
            text = "".join(rng.choice(sents) for _ in range(rng.randint(2, 6)))[:600]
            cid = str(uuid.uuid4())
            rows.append(ChunkRow(id=cid, doc_id=doc_id, kb_id=kb_id, ordinal=j, text=text,
                                 section_path=[f"第{j % 9 + 1}章"], page_start=None, page_end=None,
                                 kind="paragraph", chunk_hash=uuid.uuid4().hex, meta={}))
            items.append(IndexChunk(chunk_id=cid, doc_id=doc_id, text=text))
        with session_scope() as s:
            s.add(Document(id=doc_id, kb_id=kb_id, name=f"synthetic-{d:05d}.md", filename=f"synthetic-{d:05d}.md",
                           source_path="", format="markdown", sha256="", size_bytes=0, status="indexed",
                           chunk_count=len(rows), tags=[], meta={}, version=1, title=f"合成文档{d}"))
            s.flush()
            s.add_all(rows)
        vecs = vrng.standard_normal((len(items), dim)).astype("float32")
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        idx.add(items, vecs)
        done += len(items)
        if d % 50 == 0:
            print(f"  {done}/{args.chunks} chunks", file=sys.stderr)
    build_s = time.perf_counter() - t0

    qs = [q.question for q in ev.load_questions(REPO / "benchmarks" / "zh_law" / "questions.jsonl")]
    qs = (qs * (args.queries // len(qs) + 1))[: args.queries]
    service.ask("latency", qs[0])  # warm-up: loads the embedder and the index
    results = {}
    for mode in ("bm25", "hybrid"):
        lat = []
        for q in qs:
            t = time.perf_counter()
            if mode == "bm25":
                service.search("latency", q, mode="bm25")
            else:
                service.ask("latency", q)
            lat.append((time.perf_counter() - t) * 1000)
        arr = np.array(lat)
        results["search bm25" if mode == "bm25" else "ask (hybrid retrieval + extractive answer)"] = {
            "p50_ms": round(float(np.percentile(arr, 50)), 1), "p95_ms": round(float(np.percentile(arr, 95)), 1),
            "mean_ms": round(float(arr.mean()), 1)}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"chunks": args.chunks, "embedder": emb.name if emb else "none", "index_build_seconds": round(build_s, 1),
           "queries": len(qs), "latency": results, "peak_rss_mb": round(peak_mb, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
