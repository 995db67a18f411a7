"""Validate the Chinese banking-law question set against the corpus.

Usage (from the repository root)::

    .venv/bin/python benchmarks/zh_law/check_questions.py \
        [--questions benchmarks/zh_law/questions.jsonl] [--corpus ../shared/data/zh-banking-law]

Checks: the file loads (``xiaoyin.knowledge.evaluate.load_questions``); every gold ``doc`` exists in
the corpus; every gold ``article`` exists in that doc; every answer phrase of every alternative
occurs in one of the gold articles; answerable questions have evidence with an article and answers;
unanswerable ones have neither. Prints a summary and exits non-zero on any problem.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from xiaoyin.knowledge.evaluate import EvalQuestion, load_questions

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "questions.jsonl"
DEFAULT_CORPUS = HERE.parents[2] / "shared" / "data" / "zh-banking-law"

_ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条)(?:[\s\u3000]|$)")


def parse_articles(path: Path) -> dict[str, str]:
    """Map ``第X条`` -> article text (its paragraph plus following item lines, up to the next article
    or heading)."""
    articles: dict[str, str] = {}
    current: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s:
            continue
        m = _ARTICLE.match(s)
        if m:
            current = m.group(1)
            articles[current] = articles.get(current, "") + s
        elif s.startswith("#") or s.startswith("<!--"):
            current = None
        elif current:
            articles[current] += "\n" + s
    return articles


def check(questions: list[EvalQuestion], corpus: Path) -> list[str]:
    """Return a list of problems (empty when the set is valid)."""
    problems: list[str] = []
    cache: dict[str, dict[str, str] | None] = {}
    for q in questions:
        where = f"{q.id}:"
        if not q.answerable:
            if q.evidence or q.answers:
                problems.append(f"{where} unanswerable question has evidence or answers")
            continue
        if not q.evidence:
            problems.append(f"{where} no evidence")
        if not q.answers:
            problems.append(f"{where} no answers")
        texts: list[str] = []
        for ev in q.evidence:
            if ev.doc not in cache:
                p = corpus / ev.doc
                cache[ev.doc] = parse_articles(p) if p.is_file() else None
            arts = cache[ev.doc]
            if arts is None:
                problems.append(f"{where} doc not in corpus: {ev.doc}")
                continue
            if not ev.article:
                problems.append(f"{where} evidence without article in {ev.doc}")
                continue
            if ev.article not in arts:
                problems.append(f"{where} {ev.article} not found in {ev.doc}")
                continue
            texts.append(arts[ev.article])
        if not texts:
            continue
        for alt in q.answers:
            parts = [alt] if isinstance(alt, str) else alt
            for part in parts:
                if not any(part in t for t in texts):
                    problems.append(f"{where} answer phrase {part!r} not in gold article(s)")
    return problems


def summary(questions: list[EvalQuestion]) -> dict[str, object]:
    """Counts for the report."""
    answerable = [q for q in questions if q.answerable]
    docs = Counter(ev.doc for q in answerable for ev in q.evidence)
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(questions) - len(answerable),
        "multi_turn": sum(1 for q in questions if q.history),
        "files_covered": len(docs),
        "per_file": dict(docs.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Validate the zh_law question set against the corpus")
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    questions = load_questions(args.questions)
    problems = check(questions, args.corpus)
    for p in problems:
        print("PROBLEM", p)
    s = summary(questions)
    for key, val in s.items():
        print(f"{key}: {val}")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
