"""Evidence-ledger benchmark on SQLite in a temporary XIAOYIN_HOME (file anchor on, fsync per head).

Measures appends/s for single ``append`` calls (one transaction + one signed, anchored tree head
each) and for ``append_many`` batches of 1000 (the batch API), inclusion-proof generation and pure
verification (mean/p99 µs) at 10k and 100k entries, consistency proofs, and a full ``verify``.

    python benchmarks/bench_ledger.py --out bench-results/ledger.json --md bench-results/ledger.md
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _stats_us(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"mean_us": round(statistics.fmean(s) * 1e6, 1), "p99_us": round(s[int(0.99 * (len(s) - 1))] * 1e6, 1)}


def _payload(i: int) -> dict[str, Any]:
    return {"invoice_no": f"{i:08d}", "seller": "某某贸易有限公司", "buyer": "某某制造有限公司",
            "amount": f"{1000 + i % 9000}.00", "tax": f"{(1000 + i % 9000) * 0.13:.2f}",
            "issue_date": "2026-03-01", "file_sha256": f"{i:064x}"}


def run(singles: int, sizes: list[int], proofs: int, alg: str) -> dict[str, Any]:
    from xiaoyin.core import ledger

    res: dict[str, Any] = {"hash": alg, "db": "sqlite", "anchor": "file (fsync per tree head)"}
    ledger.create_log("single", alg)
    t = time.perf_counter()
    for i in range(singles):
        ledger.append("single", _payload(i), kind="document_package", ref=f"APP-{i}")
    res["append_single_per_s"] = round(singles / (time.perf_counter() - t))

    for size in sizes:
        name = f"log-{size}"
        ledger.create_log(name, alg)
        t = time.perf_counter()
        for lo in range(0, size, 1000):
            ledger.append_many(name, [_payload(i) for i in range(lo, min(size, lo + 1000))], kind="document_package")
        r: dict[str, Any] = {"append_many_1000_per_s": round(size / (time.perf_counter() - t))}
        rng = random.Random(size)
        t = time.perf_counter()
        ledger.inclusion_proof(name, 0)
        r["first_proof_ms (loads leaf hashes)"] = round((time.perf_counter() - t) * 1e3, 1)
        gen, ver, cgen, cver = [], [], [], []
        for _ in range(proofs):
            seq = rng.randrange(size)
            t0 = time.perf_counter()
            p = ledger.inclusion_proof(name, seq)
            t1 = time.perf_counter()
            ok = ledger.verify_inclusion_proof(p)
            t2 = time.perf_counter()
            assert ok
            gen.append(t1 - t0)
            ver.append(t2 - t1)
        for _ in range(max(1, proofs // 5)):
            first = rng.randrange(1, size)
            t0 = time.perf_counter()
            c = ledger.consistency_proof(name, first)
            t1 = time.perf_counter()
            ok = ledger.verify_consistency_proof(c)
            t2 = time.perf_counter()
            assert ok
            cgen.append(t1 - t0)
            cver.append(t2 - t1)
        r["inclusion_proof_generate"] = _stats_us(gen)
        r["inclusion_proof_verify"] = _stats_us(ver)
        r["consistency_proof_generate"] = _stats_us(cgen)
        r["consistency_proof_verify"] = _stats_us(cver)
        t = time.perf_counter()
        rep = ledger.verify(name)
        r["full_verify_s"] = round(time.perf_counter() - t, 2)
        assert rep.ok, rep.logs[0].problems
        res[str(size)] = r
    return res


def run_pymerkle(sizes: list[int], proofs: int, alg: str) -> dict[str, Any]:
    """The peer, pymerkle 7 (SqliteTree), on the same canonical payload bytes: append, prove, verify.

    pymerkle stores bare leaves (no signed heads, no anchors, no per-entry rows with metadata), so
    its append rate is an upper bound for the Merkle part alone. Its root must equal ours (RFC 6962).
    """
    try:
        from pymerkle import SqliteTree, verify_inclusion
    except ImportError as exc:  # dev extra not installed
        return {"skipped": f"pymerkle not installed: {exc}"}
    from xiaoyin.core.ledger import canonical, hashing, merkle

    if alg != "sha256":
        return {"skipped": "pymerkle has no SM3"}
    out: dict[str, Any] = {}
    h = hashing.get_hash(alg)
    for size in sizes:
        data = [canonical.canonical_json(_payload(i)).encode() for i in range(size)]
        with tempfile.TemporaryDirectory() as d:
            tree = SqliteTree(os.path.join(d, "pymerkle.db"), algorithm=alg)
            t = time.perf_counter()
            for lo in range(0, size, 1000):
                tree.append_entries(data[lo:lo + 1000])
            r: dict[str, Any] = {"append_1000_per_s": round(size / (time.perf_counter() - t))}
            root = tree.get_root()
            r["same_root_as_ours"] = root == merkle.root(h, [merkle.leaf_hash(h, x) for x in data])
            rng = random.Random(size)
            gen, ver = [], []
            for _ in range(proofs):
                i = rng.randrange(1, size + 1)
                t0 = time.perf_counter()
                proof = tree.prove_inclusion(i)
                t1 = time.perf_counter()
                verify_inclusion(tree.get_leaf(i), root, proof)  # raises when the proof is invalid
                t2 = time.perf_counter()
                gen.append(t1 - t0)
                ver.append(t2 - t1)
            r["inclusion_proof_generate"] = _stats_us(gen)
            r["inclusion_proof_verify"] = _stats_us(ver)
            tree.close()
        out[str(size)] = r
    return out


def markdown(res: dict[str, Any]) -> str:
    lines = [f"Ledger benchmark — hash {res['hash']}, {res['db']}, anchor {res['anchor']}", "",
             f"- single `append` (own transaction + signed, anchored head each): **{res['append_single_per_s']}/s**",
             "", "| entries | append_many(1000)/s | proof gen mean/p99 µs | proof verify mean/p99 µs "
             "| consistency gen/verify mean µs | first proof ms | full verify s |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for k, r in res.items():
        if not k.isdigit():
            continue
        g, v = r["inclusion_proof_generate"], r["inclusion_proof_verify"]
        cg, cv = r["consistency_proof_generate"], r["consistency_proof_verify"]
        lines.append(f"| {int(k):,} | {r['append_many_1000_per_s']:,} | {g['mean_us']}/{g['p99_us']} | "
                     f"{v['mean_us']}/{v['p99_us']} | {cg['mean_us']}/{cv['mean_us']} | "
                     f"{r['first_proof_ms (loads leaf hashes)']} | {r['full_verify_s']} |")
    peer = res.get("pymerkle", {})
    if "skipped" in peer:
        lines += ["", f"pymerkle: skipped ({peer['skipped']})"]
    elif peer:
        lines += ["", "Side by side with pymerkle 7.0 (SqliteTree, same payload bytes; bare leaves, no signed heads or anchors):",
                  "", "| entries | pymerkle append/s | ours append_many/s | ratio ours/pymerkle | pymerkle proof gen / verify mean µs "
                  "| ours proof gen / verify mean µs | same root |", "|---:|---:|---:|---:|---|---|---|"]
        for k, p in peer.items():
            o = res.get(k)
            if not o:
                continue
            lines.append(f"| {int(k):,} | {p['append_1000_per_s']:,} | {o['append_many_1000_per_s']:,} | "
                         f"{o['append_many_1000_per_s'] / p['append_1000_per_s']:.2f} | "
                         f"{p['inclusion_proof_generate']['mean_us']} / {p['inclusion_proof_verify']['mean_us']} | "
                         f"{o['inclusion_proof_generate']['mean_us']} / {o['inclusion_proof_verify']['mean_us']} | "
                         f"{'yes' if p['same_root_as_ours'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--singles", type=int, default=300, help="single append calls to time")
    ap.add_argument("--sizes", type=str, default="10000,100000", help="log sizes for proofs and verify")
    ap.add_argument("--proofs", type=int, default=500, help="random inclusion proofs per size")
    ap.add_argument("--hash", choices=["sha256", "sm3"], default="sha256")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    ap.add_argument("--md", type=Path, default=None, help="write the Markdown table here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xiaoyin-bench-ledger-") as home:
        os.environ["XIAOYIN_HOME"] = home
        os.environ.pop("XIAOYIN_DATABASE_URL", None)
        os.environ["XIAOYIN_LEDGER__ANCHOR"] = "file"
        sys.path.insert(0, str(REPO / "src"))
        sizes = [int(s) for s in args.sizes.split(",") if s]
        res = run(args.singles, sizes, args.proofs, args.hash)
        res["pymerkle"] = run_pymerkle(sizes, args.proofs, args.hash)
    md = markdown(res)
    print(md)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(md)


if __name__ == "__main__":
    main()
