"""Query understanding: stand-alone follow-up questions and the years a question is bound to.

* :func:`condense` makes a follow-up self-contained without an LLM: when the question leans on earlier
  turns (elliptical, a pronoun, a bare year or article), the entities of the previous questions —
  topic keywords, the named document, the year, the article — are carried into the query, with the
  question's own year or article replacing the earlier one.
* :func:`condense_with_llm` asks a configured LLM to rewrite the question and checks the rewrite (it
  must keep the question's years, articles and numbers and stay short); otherwise the rule-based
  query is used.
* :func:`years` lists the years a question names (``2023年``, ``2023-03``, ``FY2019``), which the
  service uses to prefer documents and chunks of that year.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from xiaoyin.core import zh

log = logging.getLogger(__name__)

_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?!\d)")
_FOLLOW_UP = re.compile(
    r"^(那么|那|它们|它|这个|这些|这种|这项|这|该|其|此|上述|还有|另外|然后|如果是|如果|要是|假如|若是|换成|改成|换为|"
    r"同样|以及|再|and |what about |how about )", re.I)
_STRIP = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年)?|第\s*[0-9零〇一二两三四五六七八九十百千]+\s*[条款项]|[\s\W_]+")
_DEICTIC = re.compile(r"它|这个|这些|这种|这项|(?<!应)该(?!行|条|款)|上述|前述|同上|刚才|上面|"
                      r"同一年|同年|当年|那年|那一年|这一年|上一年|前一年")
_ARTICLE_TOKEN = re.compile(r"^第\d+(条|款|项)$")
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d{2}$")
_SHORT = 8  # a question with at most this many content characters cannot stand alone


def years(text: str) -> list[int]:
    """Years (1900-2099) the text names, in order, without duplicates."""
    out: list[int] = []
    for m in _YEAR.finditer(zh.normalize(text or "")):
        y = int(m.group(1))
        if y not in out:
            out.append(y)
    return out


def previous_questions(history: Sequence[Any] | None) -> list[str]:
    """Earlier user questions, most recent first. ``history`` items may be ``{"question", "answer"}``
    turns, ``{"role", "content"}`` messages, ``(question, answer)`` pairs, or plain strings."""
    out: list[str] = []
    for item in reversed(list(history or [])):
        text = None
        if isinstance(item, dict):
            if item.get("question"):
                text = str(item["question"])
            elif item.get("role", "user") == "user" and item.get("content"):
                text = str(item["content"])
        elif isinstance(item, (tuple, list)) and item:
            text = str(item[0])
        elif isinstance(item, str) and item.strip():
            text = item
        if text and text.strip():
            out.append(text.strip())
    return out


def is_follow_up(question: str) -> bool:
    """True when the question leans on an earlier turn (elliptical, deictic or too short to stand alone)."""
    norm = zh.normalize(question)
    content = _STRIP.sub("", norm)  # what is left without its years and article numbers
    return bool(_FOLLOW_UP.match(norm) or _DEICTIC.search(norm) or len(content) <= _SHORT)


def condense(question: str, history: Sequence[Any] | None, *, turns: int = 2) -> str:
    """``question`` made self-contained from the last ``turns`` earlier questions (no LLM).

    A follow-up gets the earlier questions' keywords it lacks (most recent turn first); an earlier
    year or article is carried only when the question names none of its own. A question that stands
    alone is returned unchanged.
    """
    q = (question or "").strip()
    prev = previous_questions(history)[:turns]
    if not q or not prev or not is_follow_up(q):
        return q
    norm = zh.normalize(q)
    own_years, own_articles = bool(years(q)), any(_ARTICLE_TOKEN.match(t) for t in zh.tokenize(q))
    extra: list[str] = []
    for earlier in prev:
        for w in zh.keywords(earlier, limit=12):
            if w in norm or w in extra:
                continue
            if _YEAR_TOKEN.match(w) and own_years:
                continue
            if _ARTICLE_TOKEN.match(w) and own_articles:
                continue
            extra.append(w)
        if len(extra) >= 8:
            break
    if not own_years:  # a year written as 2023年 may have been split off by the tokenizer
        for y in (y for earlier in prev[:1] for y in years(earlier)):
            if str(y) not in extra:
                extra.append(str(y))
    return f"{q} {' '.join(extra[:10])}" if extra else q


_REWRITE_PROMPT = (
    "你是银行知识库的检索助手。根据对话历史，把用户的最后一个问题改写成一个不依赖上下文、可以单独检索的完整问题。"
    "保留问题中的年份、条款号、数字和专有名词；只输出改写后的问题，不要回答。"
)
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def condense_with_llm(question: str, history: Sequence[Any] | None, llm: Any) -> str | None:
    """The LLM's stand-alone rewrite of a follow-up, or None if it fails or does not pass the checks."""
    prev = previous_questions(history)
    if not prev or not is_follow_up(question):
        return None
    turns = "\n".join(f"用户：{p}" for p in reversed(prev[:3]))
    messages = [{"role": "system", "content": _REWRITE_PROMPT},
                {"role": "user", "content": f"对话历史：\n{turns}\n\n最后一个问题：{question}\n\n改写后的问题："}]
    try:
        raw = llm.complete(messages, max_tokens=96, temperature=0.0)
    except Exception as exc:  # an unreachable or failing LLM: the rule-based query serves
        log.warning("query rewrite by LLM failed: %s", exc)
        return None
    text = (raw or "").strip().splitlines()[0].strip() if (raw or "").strip() else ""
    text = re.sub(r"^(改写后的问题|问题)[:：]\s*", "", text).strip(" \"“”")
    if not text or len(text) > max(120, 4 * len(question)):
        return None
    norm = zh.normalize(text)
    if any(str(y) not in norm for y in years(question)):
        return None
    if any(n not in norm for n in _NUMBERS.findall(zh.normalize(question))):
        return None
    return text


def year_factor(asked: Sequence[int], doc_years: set[int], chunk_years: set[int], *,
                boost: float, penalty: float) -> float:
    """Score multiplier for a chunk when the question names years ``asked``.

    The document is of an asked year (published then, or the year is in its title or name): ``1 + boost``;
    only the chunk's text names it: ``1 + boost / 2``; the document is of other years and the chunk
    does not name an asked one: ``1 - penalty``; no year known: 1.
    """
    want = set(asked)
    if not want:
        return 1.0
    if want & doc_years:
        return 1.0 + boost
    if want & chunk_years:
        return 1.0 + boost / 2
    if doc_years:
        return max(0.0, 1.0 - penalty)
    return 1.0
