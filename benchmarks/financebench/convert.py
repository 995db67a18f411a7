"""Convert FinanceBench (open-source 150) into xiaoyin's question format.

Usage (from the repository root)::

    .venv/bin/python benchmarks/financebench/convert.py --data ../shared/data/financebench \
        [--out .xiaoyin/bench/financebench.jsonl]

Keeps only the questions whose filing PDF is in ``<data>/pdfs`` (129 of 150). The output lives under
``.xiaoyin/`` (git-ignored) by default: the data's licence (CC BY-NC 4.0, evaluation only) forbids
redistributing it, so never commit the converted file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(".xiaoyin/bench/financebench.jsonl")

# A number as written in gold answers: optional sign/currency, digits with optional thousands
# separators and decimals, optional percent sign.
_NUM = re.compile(r"(?<![\w.])[-+]?\$?\(?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\)?\s*(%)?")
_MONTH = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)\s*$"
)
_PERIOD = re.compile(r"\s*-?(months?|years?|weeks?|days?)\b", re.IGNORECASE)
_PURE = re.compile(r"^\s*[-+]?\$?\s*\(?[\d,]+(\.\d+)?\)?\s*%?\s*(?:times|x)?\s*$", re.IGNORECASE)


def _plain_number(int_part: str, frac: str | None) -> str:
    """'1,577' + '.00' -> '1577'; '24' + '.30' -> '24.3'."""
    s = int_part.replace(",", "")
    if frac:
        f = frac.rstrip("0")
        if f != ".":
            s += f
    return s


def key_figures(answer: str) -> list[str]:
    """Numbers that carry the answer: currency, decimals, percentages; years and tiny counts dropped."""
    out: list[str] = []
    for m in _NUM.finditer(answer):
        int_part, frac, pct = m.group(1), m.group(2), m.group(3)
        raw = m.group(0)
        num = _plain_number(int_part, frac)
        is_year = not frac and not pct and "$" not in raw and "," not in int_part and 1990 <= int(num) <= 2035
        prev = answer[max(0, m.start() - 3) : m.start()]
        if is_year or re.search(r"(FY|Q)\s*$", prev, re.IGNORECASE):
            continue
        if re.search(r"[A-Za-z]-$", answer[: m.start()]) or _MONTH.search(answer[: m.start()]):
            continue  # "COVID-19", "August 30"
        if _PERIOD.match(answer, m.end()):
            continue  # "the 12 months ended ..."
        if not frac and not pct and "$" not in raw and int(num) < 10:
            continue  # "two acquisitions", list markers, "Q2" ...
        if num not in out:
            out.append(num)
    return out


def answer_alternatives(answer: str) -> list[str | list[str]]:
    """The gold string, plus the key figure(s) that must all appear in a correct answer."""
    alts: list[str | list[str]] = [answer.strip()]
    figs = key_figures(answer)
    if _PURE.match(answer) and figs:
        alts.append(figs[0])
    elif figs:
        alts.append(figs if len(figs) > 1 else figs[0])
    return alts


def convert(data: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Build question dicts for the questions whose PDF exists; also return summary stats."""
    qfile = data / "financebench_open_source.jsonl"
    dfile = data / "financebench_document_information.jsonl"
    pdfs = data / "pdfs"
    docs = {}
    for line in dfile.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            docs[d["doc_name"]] = d
    out: list[dict[str, Any]] = []
    dropped = 0
    for line in qfile.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        doc = f"{r['doc_name']}.pdf"
        if not (pdfs / doc).is_file():
            dropped += 1
            continue
        evidence = []
        for e in r.get("evidence", []):
            item = {"doc": f"{e.get('doc_name', r['doc_name'])}.pdf", "page": int(e["evidence_page_num"]) + 1}
            if item not in evidence:
                evidence.append(item)
        meta = docs.get(r["doc_name"], {})
        out.append(
            {
                "id": r["financebench_id"],
                "question": r["question"],
                "answers": answer_alternatives(r["answer"]),
                "evidence": evidence,
                "answerable": True,
                "doc_filter": doc,
                "company": r.get("company"),
                "question_type": r.get("question_type"),
                "question_reasoning": r.get("question_reasoning"),
                "doc_type": meta.get("doc_type"),
                "doc_period": meta.get("doc_period"),
            }
        )
    numeric = sum(1 for q in out if len(q["answers"]) > 1)
    stats = {
        "questions": len(out),
        "dropped_missing_pdf": dropped,
        "docs": len({q["doc_filter"] for q in out}),
        "with_key_figures": numeric,
        "text_only_answers": len(out) - numeric,
        "evidence_pages": sum(len(q["evidence"]) for q in out),
        "question_types": dict(Counter(q["question_type"] for q in out)),
    }
    return out, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/financebench"))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if not (args.data / "financebench_open_source.jsonl").is_file():
        print(f"FinanceBench data not found under {args.data}", file=sys.stderr)
        return 2
    questions, stats = convert(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for q in questions:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"wrote {stats['questions']} questions to {args.out}")
    for key, val in stats.items():
        print(f"  {key}: {val}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
