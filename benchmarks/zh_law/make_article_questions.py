"""Generate "content of article N" questions over the law corpus, with the gold article text.

For every law in ``../shared/data/zh-banking-law`` that has articles, a seeded sample of its articles
becomes questions in several phrasings (《全称》第十一条的内容是什么？, 简称第11条是怎么规定的？, 第N条第M款,
第N条第（K）项, 条文原文 ...). The gold answer is the article's opening and closing words (so only the
whole article matches) and, for 款/项 questions, the paragraph or item asked for. Questions about an
article number the law does not have are unanswerable: the assistant must refuse.

    python benchmarks/zh_law/make_article_questions.py --out benchmarks/zh_law/articles.jsonl

The output is deterministic for a seed; the script never reads the retrieval code's output.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "zh-banking-law"
CN = "零〇一二两三四五六七八九十百千"
ARTICLE = re.compile(rf"^第([{CN}]+)条\s*")
ITEM = re.compile(rf"^[（(]([{CN}]+)[)）]")
DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..9999 in Chinese numerals as statutes write them (十一, 一百零二, 二百一十)."""
    if n <= 0:
        raise ValueError(n)
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out, zero = "", False
    for value, unit in units:
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and d == 1 and not out) else DIGITS[d]) + unit
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + DIGITS[n]
    return out


def cn_value(s: str) -> int:
    """Inverse of :func:`cn_number` (enough for article numbers)."""
    total, cur = 0, 0
    for ch in s:
        if ch in "零〇":
            continue
        if ch in DIGITS or ch == "两":
            cur = 2 if ch == "两" else DIGITS.index(ch)
        else:
            value = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (cur or 1) * value
            cur = 0
    return total + cur


def parse_law(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """(title, [(article number, paragraphs)]) of one Markdown law."""
    title = ""
    arts: list[tuple[int, list[str]]] = []
    for raw in path.read_text(encoding="utf-8").split("\n"):
        line = raw.strip()
        if not line or line.startswith("<!--"):
            continue
        if line.startswith("#"):
            if not title and line.startswith("# "):
                title = line[2:].strip()
            if arts:
                arts.append((-1, []))  # a heading ends the article before it
            continue
        m = ARTICLE.match(line)
        if m:
            arts.append((cn_value(m.group(1)), [line]))
        elif arts and arts[-1][0] > 0:
            arts[-1][1].append(line)
    return title, [(n, paras) for n, paras in arts if n > 0]


def short_name(path: Path) -> str:
    return re.sub(r"\(\d{4}-\d{2}-\d{2}\)$", "", path.stem).replace("-", "")


def edge(text: str, n: int, tail: bool = False) -> str:
    """The first (or last) ``n`` characters of ``text``, whole."""
    text = text.strip()
    return text[-n:] if tail else text[:n]


TEMPLATES = [
    "《{full}》{art}的内容是什么？",
    "{short}{art}是怎么规定的？",
    "{short}{art_ar}规定了什么？",
    "请给出《{short}》{art}的原文。",
    "《{full}》{art_ar}说了什么？",
    "{short}{art}的全文是什么？",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("articles.jsonl"))
    ap.add_argument("--per-law", type=int, default=6, help="articles sampled per law")
    ap.add_argument("--missing", type=int, default=24, help="questions about articles that do not exist")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    out: list[dict] = []
    laws = []
    for path in sorted(args.corpus.glob("*.md")):
        title, arts = parse_law(path)
        if arts:
            laws.append((path, title, arts))
    for path, title, arts in laws:
        full, short = title, short_name(path)
        picks = rng.sample(arts, min(args.per_law, len(arts)))
        for i, (num, paras) in enumerate(picks):
            body = ARTICLE.sub("", paras[0], count=1)
            first = edge(body or paras[0], 16)
            last = edge(paras[-1], 12, tail=True)
            answers: list = [[first, last]] if len(paras) > 1 or len(body) > 28 else [[first]]
            art, art_ar = f"第{cn_number(num)}条", f"第{num}条"
            items = [p for p in paras[1:] if ITEM.match(p)]
            clauses = [p for p in paras if not ITEM.match(p)]
            kind = "article"
            if i % 4 == 3 and len(items) >= 2:
                k = rng.randrange(len(items))
                q = f"{short}{art}第（{cn_number(k + 1)}）项规定的是什么？"
                answers = [[first, edge(ITEM.sub("", items[k]), 10)]]
                kind = "item"
            elif i % 4 == 2 and len(clauses) >= 2:
                k = rng.randrange(len(clauses))
                q = f"《{short}》{art}第{cn_number(k + 1)}款的内容是什么？"
                answers = [[first, edge(ARTICLE.sub("", clauses[k], count=1), 10)]]
                kind = "clause"
            else:
                q = rng.choice(TEMPLATES).format(full=full, short=short, art=art, art_ar=art_ar)
            out.append({"id": f"art-{len(out) + 1:03d}", "type": kind, "question": q, "answers": answers,
                        "evidence": [{"doc": path.name, "article": art}],
                        "gold_text": "\n".join(paras)})
    for j in range(args.missing):
        path, title, arts = laws[j % len(laws)]
        top = max(n for n, _ in arts)
        n = top + rng.randint(1, 40)
        art = f"第{cn_number(n)}条" if j % 2 == 0 else f"第{n}条"
        out.append({"id": f"art-x{j + 1:02d}", "type": "missing", "question": f"《{short_name(path)}》{art}的内容是什么？",
                    "answers": [], "evidence": [], "answerable": False, "law": path.name, "articles_in_law": top})
    args.out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out), encoding="utf-8")
    n_ans = sum(1 for o in out if o.get("answerable", True))
    print(f"{len(out)} questions ({n_ans} answerable over {len(laws)} laws, {len(out) - n_ans} missing articles) "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
