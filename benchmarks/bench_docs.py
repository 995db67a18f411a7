"""Credit-document benchmark: field extraction P/R/F1, red-flag recall/precision, throughput.

Generates a synthetic corpus (ground truth kept outside the application folders), extracts every
file, compares each field with the truth by document type and input kind, then verifies the
applications in order into a fresh database and scores the red flags against the planted ones.

    python benchmarks/bench_docs.py --applications 40 --seed 7 --out bench-results/docs.json --md bench-results/docs.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCAN_KINDS = ("scan_pdf", "image")


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """{"buyer": {"name": x}, "lines": [{"amount": y}]} → {"buyer.name": x, "lines.0.amount": y}."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "doc_type":
                continue
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}{i}."))
    elif obj is not None and obj != "":
        out[prefix[:-1]] = obj
    return out


def norm(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    s = unicodedata.normalize("NFKC", str(v)).replace(" ", "").strip()
    try:
        return Decimal(s).normalize()
    except (InvalidOperation, ValueError):
        return s


def score_fields(truth: dict[str, Any], pred: dict[str, Any] | None) -> tuple[int, int, int, list[str]]:
    t = {k: norm(v) for k, v in flatten(truth).items()}
    p = {k: norm(v) for k, v in flatten(pred or {}).items()}
    tp = sum(1 for k, v in p.items() if t.get(k) == v)
    fp = len(p) - tp
    fn = sum(1 for k, v in t.items() if p.get(k) != v)
    errors = [f"{k}: truth={t.get(k)!r} pred={p.get(k)!r}" for k in sorted(set(t) | set(p)) if t.get(k) != p.get(k)]
    return tp, fp, fn, errors


def schema_fields(doc_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Truth restricted to the fields the schema of ``doc_type`` has (an independent generator may record
    more, e.g. the printed title of a delivery note), with the schema's non-empty text defaults filled in
    where the truth leaves them out (``status: normal`` of an invoice that is not red or void)."""
    from xiaoyin.credit.documents.schemas import DOC_MODELS

    model = DOC_MODELS.get(doc_type)
    if model is None:
        return dict(data)
    out = {k: v for k, v in data.items() if k in model.model_fields}
    for name, f in model.model_fields.items():  # a default it never varies may be left out (status: normal)
        if name not in out and name != "doc_type" and isinstance(f.default, str) and f.default:
            out[name] = str(f.default)
    return out


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--applications", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kinds", default="text,xml,scan")
    ap.add_argument("--scan-dpi", type=int, default=200, help="resolution of the degraded scans (150-200)")
    ap.add_argument("--corpus", type=Path, help="reuse/write the corpus here (default: a temp folder)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--md", type=Path)
    ap.add_argument("--errors", type=int, default=15, help="print this many field errors")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xiaoyin-docs-bench-"))
    os.environ["XIAOYIN_HOME"] = str(work / "home")
    os.environ.pop("XIAOYIN_DATABASE_URL", None)
    from xiaoyin.credit.documents import service
    from xiaoyin.credit.documents.synth.corpus import generate_corpus

    corpus = args.corpus or work / "corpus"
    t0 = time.perf_counter()
    if not (corpus / "manifest.json").exists():
        generate_corpus(corpus, applications=args.applications, seed=args.seed, kinds=tuple(args.kinds.split(",")),
                        scan_dpi=args.scan_dpi)
    gen_s = time.perf_counter() - t0
    truths = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "truth").glob("*.json"))}
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))

    # ---- extraction, file by file
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    timing: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0])  # seconds, files, pages
    errors: list[str] = []
    type_errors = 0
    for app_no, truth in truths.items():
        for fname, t in truth["documents"].items():
            path = corpus / "apps" / app_no / fname
            t1 = time.perf_counter()
            doc = service.extract_upload(path.read_bytes(), fname)
            dt_s = time.perf_counter() - t1
            kind = t["input_kind"]
            timing[kind][0] += dt_s
            timing[kind][1] += 1
            timing[kind][2] += max(doc.pages, 1)
            if doc.doc_type != t["doc_type"]:
                type_errors += 1
            tp, fp, fn, errs = score_fields(schema_fields(t["doc_type"], t["data"]),
                                            doc.data.model_dump(mode="json") if doc.data else None)
            for key in ((t["doc_type"], kind), ("ALL", kind)):
                c = counts[key]
                c[0] += tp
                c[1] += fp
                c[2] += fn
            errors += [f"{app_no}/{fname}: {e}" for e in errs]

    # ---- verification in order, one database
    planted_pairs: set[tuple[str, str]] = set()
    found_pairs: set[tuple[str, str]] = set()
    universe: set[str] = set()
    for truth in truths.values():
        universe |= {f["rule_id"] for f in truth["flags"]}
    verify_s = 0.0
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for app_no, truth in truths.items():
        t1 = time.perf_counter()
        report = service.verify_application(corpus / "apps" / app_no)
        verify_s += time.perf_counter() - t1
        planted = {f["rule_id"] for f in truth["flags"]}
        found = {f.rule_id for f in report.all_findings
                 if f.severity.value != "info" and (f.rule_id.startswith("trade.") or f.rule_id in universe)}
        planted_pairs |= {(app_no, r) for r in planted}
        found_pairs |= {(app_no, r) for r in found}
        for r in planted | found:
            per_rule[r][0 if r in planted and r in found else 1 if r in found else 2] += 1
    tp = len(planted_pairs & found_pairs)
    flags = {"planted": len(planted_pairs), "detected": len(found_pairs), "true_positives": tp,
             **prf(tp, len(found_pairs - planted_pairs), len(planted_pairs - found_pairs)),
             "missed": sorted(f"{a}:{r}" for a, r in planted_pairs - found_pairs),
             "false_alarms": sorted(f"{a}:{r}" for a, r in found_pairs - planted_pairs),
             "per_rule": {r: {"tp": v[0], "fp": v[1], "fn": v[2]} for r, v in sorted(per_rule.items())}}

    fields = {f"{dtype}/{kind}": {"tp": c[0], "fp": c[1], "fn": c[2], **prf(*c)}
              for (dtype, kind), c in sorted(counts.items())}
    speed = {kind: {"files": int(v[1]), "pages": int(v[2]), "seconds": round(v[0], 2),
                    "files_per_s": round(v[1] / v[0], 2) if v[0] else None,
                    "pages_per_s": round(v[2] / v[0], 3) if v[0] else None} for kind, v in sorted(timing.items())}
    result = {
        "command": "python " + " ".join(sys.argv),
        "applications": len(truths), "seed": manifest.get("seed", args.seed), "split": manifest.get("split"),
        "scan_dpi": manifest.get("scan_dpi", args.scan_dpi), "generation_s": round(gen_s, 1),
        "doc_type_errors": type_errors, "fields": fields, "throughput": speed, "red_flags": flags,
        "verify_s_per_application": round(verify_s / max(len(truths), 1), 3),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "red_flags"}, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in flags.items() if k != "per_rule"}, ensure_ascii=False, indent=1))
    for e in errors[: args.errors]:
        print("  field error:", e)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**result, "field_errors": errors[:500]}, ensure_ascii=False, indent=1),
                            encoding="utf-8")
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(markdown(result), encoding="utf-8")
    return 0


def markdown(r: dict[str, Any]) -> str:
    split = f", split {r['split']}" if r.get("split") else ""
    lines = [f"Command: `{r['command']}` ({r['applications']} applications, seed {r['seed']}{split}, "
             f"scans at {r['scan_dpi']} dpi)", "",
             "| document type / input | precision | recall | F1 | fields (tp/fp/fn) |", "|---|---|---|---|---|"]
    for key, v in r["fields"].items():
        lines.append(f"| {key} | {v['precision']:.4f} | {v['recall']:.4f} | **{v['f1']:.4f}** | "
                     f"{v['tp']}/{v['fp']}/{v['fn']} |")
    lines += ["", "| input | files | pages | seconds | files/s | pages/s |", "|---|---|---|---|---|---|"]
    for kind, v in r["throughput"].items():
        lines.append(f"| {kind} | {v['files']} | {v['pages']} | {v['seconds']} | {v['files_per_s']} | {v['pages_per_s']} |")
    f = r["red_flags"]
    lines += ["", f"Red flags: planted {f['planted']}, detected {f['detected']}, recall **{f['recall']:.4f}**, "
              f"precision **{f['precision']:.4f}**; missed: {', '.join(f['missed']) or 'none'}; "
              f"false alarms: {', '.join(f['false_alarms']) or 'none'}.", "",
              "| rule | tp | fp | fn |", "|---|---|---|---|"]
    for rule, v in f["per_rule"].items():
        lines.append(f"| {rule} | {v['tp']} | {v['fp']} | {v['fn']} |")
    lines += ["", f"Verification (extract + validate + rules + store + ledger): "
              f"{r['verify_s_per_application']} s per application."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
