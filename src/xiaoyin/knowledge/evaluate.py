"""Built-in evaluation: question files, answer matching and retrieval/answer metrics.

Pure functions only. The service runs retrieval and answering for each :class:`EvalQuestion`, records
a :class:`QuestionOutcome`, and calls :func:`score`. :func:`calibrate_refusal` picks the support-score
threshold below which the assistant should refuse.

Question file (JSONL, one object per line)::

    {"id": "q1", "question": "...", "history": [{"question": "...", "answer": "..."}],
     "answers": ["75%", ["十日", "书面"]],
     "evidence": [{"doc": "商业银行法(2015-08-29).md", "article": "第三十九条"}],
     "answerable": true, "doc_filter": "3M_2018_10K.pdf"}

An answer alternative is a string or a list of strings that must all appear in the answer.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xiaoyin.core.errors import InvalidInput

AnswerAlternative = str | list[str]


class Turn(BaseModel):
    """An earlier turn of a multi-turn conversation."""

    question: str
    answer: str = ""


class Evidence(BaseModel):
    """Where the gold answer is: a document (file basename), optionally a 1-based page or an article."""

    model_config = ConfigDict(extra="allow")

    doc: str
    page: int | None = Field(None, ge=1)
    article: str | None = None


class EvalQuestion(BaseModel):
    """One evaluation question."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[Turn] = Field(default_factory=list)
    answers: list[AnswerAlternative] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    answerable: bool = True
    doc_filter: str | None = None


class RetrievedItem(BaseModel):
    """One retrieved chunk as reported by the service, in rank order."""

    model_config = ConfigDict(extra="allow")

    doc: str
    page: int | None = None
    page_end: int | None = None
    article: str | None = None
    section: str | None = None
    text: str | None = None
    chunk_id: str = ""
    score: float = 0.0


class QuestionOutcome(BaseModel):
    """What the system did for one question."""

    id: str
    answerable: bool = True
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    answer: str = ""
    refused: bool = False
    support: float | None = None  # evidence support score behind the refusal decision (for calibration)
    latency_ms: float | None = None


# --------------------------------------------------------------------------- loading


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a JSONL question file; raise :class:`InvalidInput` naming the bad line."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InvalidInput(f"cannot read question file {p}: {e}", path=str(p)) from e
    except UnicodeDecodeError as e:
        raise InvalidInput(f"question file {p} is not UTF-8 (byte {e.start})", path=str(p)) from e
    out: list[EvalQuestion] = []
    seen: dict[str, int] = {}
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"{p.name} line {no}: invalid JSON ({e.msg})", line=no) from e
        if not isinstance(obj, dict):
            raise InvalidInput(f"{p.name} line {no}: expected a JSON object", line=no)
        try:
            q = EvalQuestion.model_validate(obj)
        except ValidationError as e:
            errs = "; ".join(
                f"{'.'.join(str(x) for x in err['loc']) or '(root)'}: {err['msg']}" for err in e.errors()
            )
            raise InvalidInput(f"{p.name} line {no}: {errs}", line=no) from e
        if q.id in seen:
            raise InvalidInput(
                f"{p.name} line {no}: duplicate id {q.id!r} (first on line {seen[q.id]})", line=no
            )
        seen[q.id] = no
        out.append(q)
    if not out:
        raise InvalidInput(f"question file {p} holds no questions", path=str(p))
    return out


# --------------------------------------------------------------------------- answer matching

_PUNCT = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "～": "~",
        "—": "-",
        "–": "-",
        "－": "-",
        "“": None,
        "”": None,
        "‘": None,
        "’": None,
        '"': None,
        "'": None,
        "「": None,
        "」": None,
        "『": None,
        "』": None,
        "《": None,
        "》": None,
        "〈": None,
        "〉": None,
        "【": "[",
        "】": "]",
    }
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TRAILING_ZEROS = re.compile(r"(\d+)\.(\d*?)0+(?!\d)")
_WS = re.compile(r"\s+", re.UNICODE)


def normalize_answer_text(s: str) -> str:
    """Normalise text for answer matching.

    Steps: NFKC (full-width digits/letters/punctuation -> half-width, ``％`` -> ``%``, ``，`` -> ``,``),
    case-fold, map remaining CJK punctuation (``。`` -> ``.``, ``、`` -> ``,``, dashes -> ``-``), drop quote
    and book-title marks, remove all whitespace, drop thousands separators inside numbers
    (``1,577`` -> ``1577``) and trailing decimal zeros (``1577.00`` -> ``1577``, ``0.40`` -> ``0.4``).
    Currency signs stay, so ``$1,577.00`` -> ``$1577``; key-figure alternatives (``1577``) are written
    without them. Chinese numerals are not converted here; :func:`answer_matches` also compares a
    ``cn2an`` (Chinese -> Arabic numerals) version of both sides.
    """
    t = unicodedata.normalize("NFKC", s).casefold().translate(_PUNCT)
    t = _WS.sub("", t)
    t = _THOUSANDS.sub("", t)
    t = _TRAILING_ZEROS.sub(lambda m: m.group(1) + ("." + m.group(2) if m.group(2) else ""), t)
    return t


def _cn2an(s: str) -> str:
    import warnings

    try:
        import cn2an

        with warnings.catch_warnings():  # cn2an warns on stray units such as a lone 万
            warnings.simplefilter("ignore")
            return str(cn2an.transform(s, "cn2an"))
    except Exception:  # cn2an rejects some odd strings; fall back to the text itself
        return s


def _contains(hay: str, needle: str) -> bool:
    """Containment; a needle that starts/ends with a digit must not be part of a longer number."""
    if not needle:
        return False
    start = 0
    while True:
        i = hay.find(needle, start)
        if i < 0:
            return False
        j = i + len(needle)
        before_ok = not (needle[0].isdigit() and i > 0 and (hay[i - 1].isdigit() or hay[i - 1] == "."))
        after_ok = not (
            needle[-1].isdigit()
            and j < len(hay)
            and (hay[j].isdigit() or (hay[j] == "." and j + 1 < len(hay) and hay[j + 1].isdigit()))
        )
        if before_ok and after_ok:
            return True
        start = i + 1


class _Answer:
    """An answer normalised once, in both plain and Arabic-numeral form."""

    def __init__(self, text: str) -> None:
        self.plain = normalize_answer_text(text)
        self.arabic = normalize_answer_text(_cn2an(text))

    def has(self, part: str) -> bool:
        p = normalize_answer_text(part)
        if _contains(self.plain, p):
            return True
        return _contains(self.arabic, normalize_answer_text(_cn2an(part)))


def answer_matches(answer: str, alternatives: Sequence[AnswerAlternative]) -> bool:
    """True when any alternative occurs in the answer (a list alternative needs all its parts).

    Both sides are normalised with :func:`normalize_answer_text`; numbers match only whole
    (``1577`` does not match inside ``15770`` or ``1577.5``).
    """
    if not answer or not alternatives:
        return False
    a = _Answer(answer)
    for alt in alternatives:
        parts = [alt] if isinstance(alt, str) else list(alt)
        parts = [p for p in parts if p and p.strip()]
        if parts and all(a.has(p) for p in parts):
            return True
    return False


# --------------------------------------------------------------------------- scoring


def _doc_key(doc: str) -> str:
    return unicodedata.normalize("NFC", PurePath(doc.replace("\\", "/")).name).casefold()


def _page_hit(item: RetrievedItem, ev: Evidence) -> bool:
    if ev.page is None or item.page is None or _doc_key(item.doc) != _doc_key(ev.doc):
        return False
    last = item.page_end if item.page_end is not None else item.page
    return item.page <= ev.page <= last


def _article_hit(item: RetrievedItem, ev: Evidence) -> bool:
    """Same doc and the article is the item's article, in its section path, or opens a line of its text."""
    art = ev.article
    if not art or _doc_key(item.doc) != _doc_key(ev.doc):
        return False
    if item.article == art:
        return True
    if item.section and art in re.split(r"\s*>\s*|/", item.section):
        return True
    if item.section and art in item.section:
        return True
    return bool(item.text and re.search(rf"(?:^|\n)\s*{re.escape(art)}", item.text))


def _percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default)."""
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def score(questions: Sequence[EvalQuestion], outcomes: Iterable[QuestionOutcome], k: int) -> dict[str, Any]:
    """Score outcomes against questions (one outcome per question, matched by id).

    Retrieval metrics use the first ``k`` retrieved items. ``recall_at_k``/``mrr`` are over answerable
    questions with evidence; ``page_recall_at_k``/``article_recall_at_k`` over questions with gold pages /
    articles (``None`` when there are none); ``answer_accuracy`` over answerable questions with answers.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    by_id: dict[str, QuestionOutcome] = {}
    for o in outcomes:
        if o.id in by_id:
            raise ValueError(f"duplicate outcome for question {o.id!r}")
        by_id[o.id] = o
    qids = {q.id for q in questions}
    unknown = sorted(set(by_id) - qids)
    missing = sorted(qids - set(by_id))
    if unknown or missing:
        raise ValueError(f"outcomes do not match questions: missing {missing[:5]}, unknown {unknown[:5]}")

    n_ret = hits = 0
    rr_sum = 0.0
    n_page = page_hits = n_art = art_hits = art_first = 0
    n_acc = correct_n = 0
    n_ans = ans_refused = n_unans = unans_refused = 0
    latencies: list[float] = []
    per_question: list[dict[str, Any]] = []

    for q in questions:
        o = by_id[q.id]
        top = o.retrieved[:k]
        gold_docs = {_doc_key(e.doc) for e in q.evidence}
        hit_rank = next((i for i, it in enumerate(top, 1) if _doc_key(it.doc) in gold_docs), None)
        if q.answerable and q.evidence:
            n_ret += 1
            if hit_rank is not None:
                hits += 1
                rr_sum += 1.0 / hit_rank
        paged = [e for e in q.evidence if e.page is not None]
        page_hit = None
        if paged:
            n_page += 1
            page_hit = any(_page_hit(it, e) for it in top for e in paged)
            page_hits += page_hit
        arts = [e for e in q.evidence if e.article]
        article_hit = None
        if arts:
            n_art += 1
            article_hit = any(_article_hit(it, e) for it in top for e in arts)
            art_hits += article_hit
            art_first += bool(top) and any(_article_hit(top[0], e) for e in arts)
        if q.answerable:
            n_ans += 1
            ans_refused += o.refused
            correct = (not o.refused) and answer_matches(o.answer, q.answers)
            if q.answers:
                n_acc += 1
                correct_n += correct
        else:
            n_unans += 1
            unans_refused += o.refused
            correct = o.refused
        if o.latency_ms is not None:
            latencies.append(float(o.latency_ms))
        per_question.append(
            {
                "id": q.id,
                "answerable": q.answerable,
                "hit_rank": hit_rank,
                "page_hit": page_hit,
                "article_hit": article_hit,
                "correct": correct,
                "refused": o.refused,
                "support": o.support,
                "top_doc": top[0].doc if top else None,
                "top_page": top[0].page if top else None,
                "answer": o.answer[:200],
            }
        )

    return {
        "k": k,
        "questions": len(questions),
        "by_type": _by_type(questions, per_question),
        "recall_at_k": _share(hits, n_ret),
        "mrr": rr_sum / n_ret if n_ret else None,
        "page_recall_at_k": _share(page_hits, n_page),
        "article_recall_at_k": _share(art_hits, n_art),
        "article_hit_at_1": _share(art_first, n_art),
        "answer_accuracy": _share(correct_n, n_acc),
        "refusal_rate_answerable": _share(ans_refused, n_ans),
        "refusal_rate_unanswerable": _share(unans_refused, n_unans),
        "latency_ms": {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95)},
        "per_question": per_question,
    }


def _by_type(questions: Sequence[EvalQuestion], per_question: list[dict[str, Any]]) -> dict[str, Any] | None:
    """recall@k and answer accuracy per question ``type`` (an optional field: single, year, multi_turn ...)."""
    types = {q.id: getattr(q, "type", None) for q in questions}
    if not any(types.values()):
        return None
    out: dict[str, Any] = {}
    for t in sorted({str(v) for v in types.values() if v}):
        rows = [p for p in per_question if str(types[p["id"]]) == t]
        ans = [p for p in rows if p["answerable"]]
        out[t] = {"questions": len(rows),
                  "recall_at_k": _share(sum(p["hit_rank"] is not None for p in ans), len(ans)),
                  "accuracy": _share(sum(bool(p["correct"]) for p in rows), len(rows))}
    return out


# --------------------------------------------------------------------------- refusal calibration


def calibrate_refusal(
    outcome_supports: Sequence[tuple[float, bool]],
    max_answerable_refusal: float = 0.10,
    table_rows: int = 11,
) -> dict[str, Any]:
    """Choose the refusal threshold (refuse when support < threshold).

    Among candidate thresholds (every observed support value, plus one above the maximum) pick the one
    that refuses the largest share of unanswerable questions while refusing at most
    ``max_answerable_refusal`` of answerable ones; ties go to the lowest threshold. Returns
    ``threshold``, both refusal rates at it, and ``table``: up to ``table_rows`` evenly spread
    candidates (always including the chosen one) with their rates.
    """
    if not outcome_supports:
        raise ValueError("no (support, answerable) pairs to calibrate on")
    ans = [float(s) for s, a in outcome_supports if a]
    una = [float(s) for s, a in outcome_supports if not a]
    values = sorted({float(s) for s, _ in outcome_supports})
    candidates = [*values, values[-1] + max(1e-6, abs(values[-1]) * 1e-6)]

    def rates(t: float) -> tuple[float, float | None]:
        ra = sum(s < t for s in ans) / len(ans) if ans else 0.0
        ru = sum(s < t for s in una) / len(una) if una else None
        return ra, ru

    best_t, best = candidates[0], (-1.0, 0.0)
    for t in candidates:
        ra, ru = rates(t)
        if ra <= max_answerable_refusal + 1e-12 and (ru or 0.0) > best[0]:
            best_t, best = t, (ru or 0.0, ra)
    ra, ru = rates(best_t)

    if len(candidates) <= table_rows:
        picked = candidates
    else:
        step = (len(candidates) - 1) / (table_rows - 1)
        picked = sorted({candidates[round(i * step)] for i in range(table_rows)} | {best_t})
    table = [
        {"threshold": t, "refusal_rate_answerable": rates(t)[0], "refusal_rate_unanswerable": rates(t)[1]}
        for t in picked
    ]
    return {
        "threshold": best_t,
        "refusal_rate_answerable": ra,
        "refusal_rate_unanswerable": ru,
        "max_answerable_refusal": max_answerable_refusal,
        "answerable": len(ans),
        "unanswerable": len(una),
        "table": table,
    }
