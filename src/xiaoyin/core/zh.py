"""Chinese-aware text normalisation and tokenisation for BM25 (Chinese, English and exact codes).

``tokenize`` emits, for the same text in a document and in a query, the same tokens:

* Chinese runs: rjieba ``cut_for_search`` (jieba's dictionary compiled in, ~10x faster than jieba)
  with the banking user dictionary ``core/data/banking_userdict.txt`` added;
* article numbers ``第三十五条`` / ``第35条`` / ``第三十五條`` -> one token ``第35条`` (also 章/节/款/项/编);
* codes such as ``PD-2024-017``, ``GB/T 35273-2020``, ``AML-03`` -> one token (``pd-2024-017``,
  ``gb/t35273-2020``) plus their parts (``pd``, ``2024``, ``017``);
* English words lower-cased, stop words dropped, plural ``s`` stripped; numbers kept (``1,234.5`` ->
  ``1234.5``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

USERDICT_PATH = Path(__file__).parent / "data" / "banking_userdict.txt"

_SPACES = re.compile(r"\s+")
_CN_NUM = "零〇一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾佰仟"
_ARTICLE = re.compile(rf"第\s*([0-9{_CN_NUM}]+)\s*(条|條|章|节|節|款|项|項|编|編)")
_UNIT_SIMPLE = {"條": "条", "節": "节", "項": "项", "編": "编"}
_TOKEN = re.compile(
    r"(?P<std>[a-z]{1,5}/[a-z]{1,3}\s?\d+(?:[-.]\d+)*|[a-z]{2,4}\s\d{3,}-\d{2,4})"  # GB/T 35273-2020
    r"|(?P<code>[a-z0-9]+(?:[-_/.:][a-z0-9]+)+)"  # PD-2024-017, AML-03, 2024-01-15, 3.85
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?)"  # 1,234.5
    r"|(?P<word>[a-z0-9]+(?:'[a-z]+)?)"
    r"|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
)
_PARTS = re.compile(r"[a-z]+|\d+")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")

ZH_STOP = frozenset(
    "的 了 着 是 在 和 与 及 或 等 对 于 也 就 都 而 被 把 吗 呢 吧 啊 呀 哦 嘛 之 其 该 此 这 那 个 为 以 "
    "由 从 向 将 并 且 但 则 又 即 所 有 我 你 他 她 它 们 我们 你们 他们 什么 怎么 如何 怎样 哪些 哪个 "
    "请问 请 一下 是否 能否 可以 吗? 这个 那个 这些 那些 以及 或者 还是 如果 因为 所以 对于 关于 根据".split()
)
EN_STOP = frozenset(
    "a an the and or but if then else of to in on at by for with from into onto over under about "
    "as is are was were be been being am do does did doing have has had having it its it's this that "
    "these those there here which who whom whose what when where why how all any both each few more "
    "most other some such no nor not only own same so than too very can will just should would could "
    "may might must shall i me my we our ours you your he him his she her they them their theirs "
    "s t don't doesn't didn't isn't aren't wasn't weren't won't can't up down out off again further "
    "once during before after above below between through against until while".split()
)


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width), lower-case, collapse whitespace."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


@lru_cache(maxsize=1)
def _segmenter():  # rjieba.Jieba
    """The rjieba segmenter with the banking user dictionary loaded (built once per process)."""
    import rjieba

    seg = rjieba.Jieba()
    for word, freq in load_userdict():
        seg.add_word(word, freq, None)
    return seg


def load_userdict(path: Path = USERDICT_PATH) -> list[tuple[str, int | None]]:
    """(word, frequency) pairs of a jieba-style user dictionary (``word [freq] [tag]`` per line)."""
    out: list[tuple[str, int | None]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        out.append((parts[0], freq))
    return out


def article_token(number: str, unit: str) -> str | None:
    """``("三十五", "條")`` -> ``"第35条"``; None if the numeral cannot be read."""
    if number.isdigit():
        n = int(number)
    else:
        try:
            import cn2an

            n = int(cn2an.cn2an(number, "smart"))
        except (ValueError, KeyError, TypeError):
            return None
    return f"第{n}{_UNIT_SIMPLE.get(unit, unit)}"


def _stem(word: str) -> str:
    """Harman's light S-stemmer (revenues -> revenue, liabilities -> liability)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def _code_tokens(code: str) -> Iterable[str]:
    canon = code.replace(" ", "")
    parts = _PARTS.findall(canon)
    has_alpha = any(p.isalpha() for p in parts)
    has_digit = any(p.isdigit() for p in parts)
    if has_digit and not has_alpha and _DECIMAL.fullmatch(canon):
        yield canon  # plain decimal number 3.85
        return
    if has_digit:
        yield canon
    for p in parts:
        if p.isdigit() or p not in EN_STOP:
            yield _stem(p)


def _scan(text: str, out: list[str]) -> None:
    seg = None
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        tok = m.group()
        if kind == "han":
            if seg is None:
                seg = _segmenter()
            out.extend(w for w in seg.cut_for_search(tok) if w not in ZH_STOP)
        elif kind == "word":
            tok = tok.split("'", 1)[0] if tok.endswith("'s") else tok
            if tok not in EN_STOP:
                out.append(_stem(tok))
        elif kind == "num":
            out.append(tok.replace(",", ""))
        else:
            out.extend(_code_tokens(tok))


def tokenize(text: str) -> list[str]:
    """BM25 tokens of ``text`` (see module docstring); the same function serves documents and queries."""
    norm = normalize(text)
    out: list[str] = []
    pos = 0
    for m in _ARTICLE.finditer(norm):
        tok = article_token(m.group(1), m.group(2))
        if tok is None:
            continue
        _scan(norm[pos : m.start()], out)
        out.append(tok)
        pos = m.end()
    _scan(norm[pos:], out)
    return out


def keywords(text: str, limit: int = 8) -> list[str]:
    """Distinct content tokens of ``text`` in order (longest forms first), for query condensation."""
    seen: list[str] = []
    for tok in tokenize(text):
        if tok in seen or (len(tok) < 2 and not tok.isdigit()):
            continue
        seen.append(tok)
    # drop tokens contained in a longer kept token (cut_for_search emits both 贷款 and 不良贷款)
    kept = [t for t in seen if not any(t != o and t in o for o in seen)]
    return kept[:limit]


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇零○OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*[日号]")


def _cn_small(t: str) -> int | None:
    """一 … 三十一 as an int (None if it is not such a numeral)."""
    if "十" in t:
        a, _, b = t.partition("十")
        tens = _CN_DIGITS.get(a, -1) if a else 1
        ones = _CN_DIGITS.get(b, -1) if b else 0
        return None if tens < 0 or ones < 0 else tens * 10 + ones
    return _CN_DIGITS.get(t) if len(t) == 1 else None


def chinese_date(text: str | None) -> dt.date | None:
    """The first date written in Chinese numerals (``二〇二四年三月十二日`` -> 2024-03-12), else None.

    Official notices and contracts sign off this way; both the knowledge parser (publication dates)
    and the credit-document layouts read it with this one function."""
    m = _CN_DATE.search(text or "")
    if not m:
        return None
    y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
    mo, d = _cn_small(m.group(2)), _cn_small(m.group(3))
    if mo is None or d is None:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None
