#!/usr/bin/env python3
"""Verify the zh_intranet question set against a built corpus (builds nothing).

    python check.py --corpus /tmp/zh_intranet

Checks: every gold document exists; every answer string occurs in the gold document's visible text (HTML via
html.parser, DOCX paragraphs and table cells via python-docx, PDF text layer via pypdfium2; compared after NFKC and
whitespace removal); year-bound questions name an explicit year and at least one other page of the same series
(another year) does not contain the answer; file format and id sanity. Prints counts; exits 1 on any error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from extract import norm, visible_text  # noqa: E402

TYPES = ("single", "year", "multi_turn", "unanswerable")
RELATIVE = re.compile(r"去年|今年|明年|前年|后年|上一年|下一年|本年|当年")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="directory written by build.py --out")
    a = ap.parse_args(argv)
    corpus = Path(a.corpus)
    errors: list[str] = []
    warnings: list[str] = []

    import build
    plan = build.plan_corpus()
    series_pages: dict[str, dict[int, str]] = {}
    for d in plan:
        if d.series:
            series_pages.setdefault(d.series, {})[d.year] = d.path

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    rel = {p.relative_to(corpus).as_posix() for p in files}
    if len(files) < 600:
        errors.append(f"corpus has {len(files)} files, expected at least 600")
    missing_planned = [d.path for d in plan if d.path not in rel]
    if missing_planned:
        errors.append(f"{len(missing_planned)} planned documents missing from corpus, e.g. {missing_planned[:3]}")
    bases = Counter(p.name for p in files)
    dup = [b for b, n in bases.items() if n > 1]
    if dup:
        errors.append(f"file names not unique: {dup[:5]}")
    fmt = Counter(p.suffix.lstrip(".") for p in files)

    cache: dict[str, str] = {}

    def text(path: str) -> str:
        if path not in cache:
            cache[path] = norm(visible_text(corpus / path))
        return cache[path]

    def contains(alt, t: str) -> bool:
        parts = alt if isinstance(alt, list) else [alt]
        return all(norm(p) in t for p in parts)

    seen_ids: set[str] = set()
    counts: dict[str, Counter] = {}
    questions = 0
    for split in ("dev", "heldout"):
        f = HERE / f"questions_{split}.jsonl"
        c = counts.setdefault(split, Counter())
        for ln, line in enumerate(f.read_text("utf-8").splitlines(), 1):
            where = f"{f.name}:{ln}"
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"{where}: bad JSON ({e})")
                continue
            questions += 1
            qid, t = q.get("id"), q.get("type")
            if not qid or qid in seen_ids:
                errors.append(f"{where}: missing or duplicate id {qid!r}")
            seen_ids.add(qid)
            if t not in TYPES:
                errors.append(f"{where}: bad type {t!r}")
                continue
            c[t] += 1
            if not str(q.get("question", "")).strip():
                errors.append(f"{where}: empty question")
            hist = q.get("history", [])
            if not isinstance(hist, list) or any(not isinstance(h, dict) or not h.get("question") for h in hist):
                errors.append(f"{where}: bad history")
            answers, evidence = q.get("answers", []), q.get("evidence", [])
            if t == "unanswerable":
                if q.get("answerable") is not False or answers or evidence:
                    errors.append(f"{where}: unanswerable must have answerable=false and empty answers/evidence")
                continue
            if q.get("answerable") is not True or not answers or not evidence:
                errors.append(f"{where}: answerable question needs answers and evidence")
                continue
            if t == "multi_turn" and not hist:
                errors.append(f"{where}: multi_turn without history")
            for ev in evidence:
                doc = ev.get("doc", "")
                if doc not in rel:
                    errors.append(f"{where}: gold document {doc!r} not in corpus")
                    continue
                body = text(doc)
                for alt in answers:
                    if not contains(alt, body):
                        errors.append(f"{where}: answer {alt!r} not found in {doc}")
            if t == "year" or q.get("series"):
                allq = q["question"] + "".join(h["question"] for h in hist)
                if t == "year" and not re.search(r"(19|20)\d\d年", q["question"]):
                    errors.append(f"{where}: year question without an explicit year")
                if RELATIVE.search(allq):
                    errors.append(f"{where}: relative year expression in {allq!r}")
                s, y = q.get("series"), q.get("year")
                if s not in series_pages or y not in series_pages[s]:
                    errors.append(f"{where}: unknown series/year {s!r}/{y!r}")
                    continue
                if series_pages[s][y] not in [e["doc"] for e in evidence]:
                    errors.append(f"{where}: gold document is not the {y} page of series {s}")
                others = [p for yy, p in series_pages[s].items() if yy != y]
                clean = [p for p in others if not any(contains(alt, text(p)) for alt in answers)]
                if not clean:
                    errors.append(f"{where}: every other year of {s} contains the answer")
                elif len(clean) < len(others):
                    warnings.append(f"{where}: answer also appears in {len(others) - len(clean)} other year page(s) of {s}")

    total = Counter()
    for c in counts.values():
        total.update(c)
    print(f"corpus: {len(files)} files ({', '.join(f'{k}={v}' for k, v in sorted(fmt.items()))})")
    for k, need in (("docx", 40), ("pdf", 40), ("txt", 20)):
        if fmt.get(k, 0) < need:
            errors.append(f"only {fmt.get(k, 0)} {k} files (need {need})")
    print(f"questions: {questions}")
    print(f"{'type':<14}{'dev':>6}{'heldout':>9}{'total':>7}{'share':>8}")
    for t in TYPES:
        n = total[t]
        print(f"{t:<14}{counts['dev'][t]:>6}{counts['heldout'][t]:>9}{n:>7}{n / max(1, questions):>8.0%}")
    print(f"{'all':<14}{sum(counts['dev'].values()):>6}{sum(counts['heldout'].values()):>9}{questions:>7}")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
