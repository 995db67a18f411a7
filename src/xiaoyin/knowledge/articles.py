"""Exact article lookup: a question that names a law and an article gets that article, whole.

``《电子签名法》第十一条的内容是什么？``, ``电子签名法第11条``, ``商业银行法第三十九条第一款第（二）项`` name
an article (条) and optionally a paragraph (款) and item (项). When the question also names a document
(see :func:`xiaoyin.knowledge.retrieve.route_documents`), the article's chunks are read straight from
the store rather than ranked, and put first; an article number the law does not have is reported so
the assistant can refuse with a clear message instead of quoting a neighbouring article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xiaoyin.core import zh

_NUM = "0-9０-９零〇一二两三四五六七八九十百千"
_REF = re.compile(
    rf"第\s*([{_NUM}]+)\s*[条條]"
    rf"(?:\s*第\s*([{_NUM}]+)\s*款)?"
    rf"(?:\s*第?\s*[（(]?\s*([{_NUM}]+)\s*[)）]?\s*项)?"
)
_CONTENT_ASK = re.compile(r"内容|原文|全文|规定了什么|规定的是什么|怎么规定|如何规定|说了什么|讲了什么|写了什么|是什么|是怎样")


@dataclass(frozen=True)
class ArticleRef:
    """第 ``number`` 条 [第 ``clause`` 款] [第 ``item`` 项] as named in a question."""

    number: int
    clause: int | None = None
    item: int | None = None

    @property
    def token(self) -> str:
        """The normalised article token the index uses (``第11条``)."""
        return f"第{self.number}条"

    @property
    def label(self) -> str:
        """The Chinese label (``第十一条``, ``第三十九条第一款第（二）项``)."""
        out = f"第{_cn(self.number)}条"
        if self.clause:
            out += f"第{_cn(self.clause)}款"
        if self.item:
            out += f"第（{_cn(self.item)}）项"
        return out


@dataclass
class ArticleLookup:
    """What an article lookup found among the documents a question named."""

    refs: list[ArticleRef]
    doc_ids: list[str]
    chunk_ids: list[str] = field(default_factory=list)  # the articles found, in question then reading order
    found: list[str] = field(default_factory=list)  # labels found
    missing: list[str] = field(default_factory=list)  # labels the named documents do not have
    article_counts: dict[str, int] = field(default_factory=dict)  # doc id -> highest article number

    @property
    def all_missing(self) -> bool:
        """The named law(s) have articles but none of those asked for: refuse."""
        return bool(self.refs) and not self.chunk_ids and any(self.article_counts.values())


def _cn(n: int) -> str:
    import cn2an

    s = str(cn2an.an2cn(n, "low"))
    return s[1:] if s.startswith("一十") else s  # 十一, not 一十一


def _int(numeral: str) -> int | None:
    tok = zh.article_token(numeral, "条") if numeral else None
    return int(tok[1:-1]) if tok else None


def parse_refs(question: str) -> list[ArticleRef]:
    """The articles a question names, in order of appearance (duplicates dropped)."""
    out: list[ArticleRef] = []
    for m in _REF.finditer(zh.normalize(question or "")):
        number = _int(m.group(1))
        if not number:
            continue
        ref = ArticleRef(number, _int(m.group(2)) if m.group(2) else None, _int(m.group(3)) if m.group(3) else None)
        if ref not in out:
            out.append(ref)
    return out


def asks_for_content(question: str) -> bool:
    """A question about what an article says (not one detail of it)."""
    return bool(_CONTENT_ASK.search(question or ""))


def article_number(label: str | None) -> int | None:
    """``第十一条`` (a chunk's ``meta["article"]``) -> 11."""
    if not label:
        return None
    m = re.match(rf"第\s*([{_NUM}]+)\s*[条條]", zh.normalize(label))
    return _int(m.group(1)) if m else None


def lookup(refs: list[ArticleRef], doc_ids: list[str],
           chunks: Iterable[tuple[str, str, int, str | None]]) -> ArticleLookup:
    """Match ``refs`` against the article chunks of the named documents.

    ``chunks`` are ``(chunk id, doc id, ordinal, article label)`` of the documents' article chunks.
    An article split into parts contributes all its parts, in reading order.
    """
    res = ArticleLookup(refs=refs, doc_ids=list(doc_ids))
    by_number: dict[int, list[tuple[str, int, str]]] = {}
    for cid, doc_id, ordinal, label in chunks:
        n = article_number(label)
        if n is None:
            continue
        by_number.setdefault(n, []).append((doc_id, ordinal, cid))
        res.article_counts[doc_id] = max(res.article_counts.get(doc_id, 0), n)
    order = {d: i for i, d in enumerate(doc_ids)}
    for ref in refs:
        parts = by_number.get(ref.number)
        if not parts:
            res.missing.append(ref.label)
            continue
        first_doc = min(parts, key=lambda p: order.get(p[0], len(order)))[0]  # one law if several have it
        for _, _, cid in sorted(p for p in parts if p[0] == first_doc):
            if cid not in res.chunk_ids:
                res.chunk_ids.append(cid)
        res.found.append(ref.label)
    return res


def missing_message(lookup_result: ArticleLookup, law_names: dict[str, str]) -> str:
    """The refusal for an article the named law does not have (Chinese, names the law and its size)."""
    parts = []
    for doc_id in lookup_result.doc_ids:
        count = lookup_result.article_counts.get(doc_id)
        if not count:
            continue
        law = law_names.get(doc_id, doc_id)
        parts.append(f"《{law}》共{_cn(count)}条")
    asked = "、".join(lookup_result.missing)
    return f"知识库中的{'；'.join(parts)}，没有{asked}。请核对条文序号。"


def law_title(name: str) -> str:
    """``电子签名法(2019-04-23).md`` -> ``电子签名法``."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[(（]\d{4}-\d{2}-\d{2}[)）]$", "", stem).strip() or stem
