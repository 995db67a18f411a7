"""Optional third layer: ask the configured LLM for fields the rules left empty, and ground its answers.

The model sees the document text and a JSON schema listing ONLY the missing fields. A value is
accepted only when it passes the field's parser and declared type, is not the value of another
field, and occurs in the source text outside the spans other fields were read from (preferably right
after the field's label); it then gets provenance ``source="llm"`` with the page and span where it
was found. Everything else becomes a :class:`Suggestion` with the reason. The LLM never overrides a
value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .layout.fields import (
    compact,
    label_pattern,
    parse_amount,
    parse_code,
    parse_date,
    parse_decimal,
    parse_percent,
    parse_text,
)
from .layout.record import Record
from .layout.segments import DocLayout
from .schemas import Provenance, Suggestion

MAX_TEXT_CHARS = 6000

FIELD_HINTS: dict[str, str] = {
    "number": "编号/号码", "code": "发票代码", "issue_date": "开票日期 YYYY-MM-DD", "sign_date": "签订日期 YYYY-MM-DD",
    "date": "日期 YYYY-MM-DD", "check_code": "校验码 (20位数字)", "serial": "回单编号",
    "total_amount": "合计金额 (数字)", "total_tax": "合计税额 (数字)", "total_with_tax": "价税合计小写 (数字)",
    "amount": "金额 (数字)", "annual_rate": "年利率, 如 4.35%", "start_date": "起始日期", "end_date": "到期日期",
    "purpose": "用途", "trade_contract_number": "对应贸易合同编号", "contract_number": "合同编号",
    "warehouse": "仓库", "delivery_place": "交货地点", "payment_terms": "付款方式", "delivery_date": "交货期限",
    "drawer": "开票人", "remarks": "备注", "title": "标题",
}


def field_kind(path: str) -> str:
    """How a field is parsed: date | amount | rate | decimal | code | text."""
    last = path.rsplit(".", 1)[-1]
    if last in ("issue_date", "sign_date", "date", "start_date", "end_date", "delivery_date"):
        return "date"
    if last in ("total_amount", "total_tax", "total_with_tax", "amount", "tax", "unit_price"):
        return "amount"
    if last in ("annual_rate", "tax_rate"):
        return "rate"
    if last == "quantity":
        return "decimal"
    if last in ("number", "code", "check_code", "serial", "tax_id", "account", "trade_contract_number",
                "contract_number"):
        return "code"
    return "text"


PARSERS: dict[str, Callable[[str], Any]] = {
    "date": parse_date, "amount": parse_amount, "rate": parse_percent, "decimal": parse_decimal,
    "code": parse_code, "text": parse_text,
}


def _variants(kind: str, value: Any) -> list[str]:
    """Printed forms a parsed value may take in the source text (compact, normalised)."""
    if kind == "date" and isinstance(value, dt.date):
        return [f"{value.year}年{value.month:02d}月{value.day:02d}日", f"{value.year}年{value.month}月{value.day}日",
                value.isoformat(), f"{value.year}/{value.month}/{value.day}", f"{value:%Y.%m.%d}", f"{value:%Y%m%d}"]
    if kind in ("amount", "decimal") and isinstance(value, Decimal):
        q = f"{value:.2f}" if kind == "amount" else format(value.normalize(), "f")
        return [q, f"{value:,.2f}" if kind == "amount" else q, format(value, "f")]
    if kind == "rate" and isinstance(value, Decimal):
        pct = (value * 100).normalize()
        return [f"{format(pct, 'f')}%"]
    return [compact(str(value))]


FIELD_LABELS: dict[str, tuple[str, ...]] = {  # printed labels a field's value follows, by last path part
    "number": ("编号", "号码", "单号"), "code": ("发票代码",), "check_code": ("校验码",),
    "serial": ("回单编号", "流水号", "凭证号", "回单号", "编号"),
    "issue_date": ("开票日期",), "sign_date": ("签订日期", "签订时间", "签约日期", "签订"),
    "date": ("日期", "记账日", "交易时间", "时间"), "start_date": ("起始日", "起息日", "借款期限", "自"),
    "end_date": ("到期日", "至"), "delivery_date": ("交货期限", "交货日期", "交货时间"),
    "total_amount": ("合计", "总金额", "金额"), "total_tax": ("税额",), "total_with_tax": ("小写", "价税合计"),
    "amount": ("金额", "小写"), "annual_rate": ("利率",),
    "tax_id": ("统一社会信用代码", "纳税人识别号", "识别号"), "account": ("账号", "帐号", "卡号"),
    "name": ("名称", "户名", "单位"), "bank": ("开户行", "开户银行"), "phone": ("电话",), "address": ("地址",),
    "legal_rep": ("法定代表人",), "trade_contract_number": ("合同编号", "合同号"),
    "contract_number": ("合同编号", "合同号"), "drawer": ("开票人",), "remarks": ("备注",), "purpose": ("用途",),
    "warehouse": ("仓库",), "delivery_place": ("交货地点",), "payment_terms": ("付款方式", "结算方式"),
}
LABEL_REACH = 40  # characters between a label and its value on the same line
MIN_VALUE_CHARS = 2
UNIQUE_KINDS = ("code", "text")  # an identifier or name cannot be the value of two fields


def _occurrences(layout: DocLayout, needle: str, bounded: bool = False) -> list[tuple[int, int, int]]:
    """Every (page, start, end) of ``needle`` in the page texts, comparing with whitespace removed."""
    if not needle:
        return []
    out = []
    for page in layout.pages:
        norm_chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(page.text):
            c = compact(ch)
            if c:
                norm_chars.append(c)
                index.append(i)
        hay = "".join(norm_chars)
        pat = re.escape(needle)
        if bounded:  # a number must not be part of a longer number
            pat = r"(?<![\d.,])" + pat + r"(?![\d]|[.,]\d)"
        out.extend((page.number, index[m.start()], index[m.end() - 1] + 1) for m in re.finditer(pat, hay))
    return out


def _taken_by(rec: Record | None, path: str, page: int, start: int, end: int) -> str | None:
    """The other field whose provenance span overlaps [start, end) on ``page``, if any."""
    if rec is None:
        return None
    for other, prov in rec.provenance.items():
        if other == path or prov.page != page or prov.span is None:
            continue
        if prov.span[0] < end and start < prov.span[1]:
            return other
    return None


def _label_distance(layout: DocLayout, path: str, page_no: int, start: int) -> int | None:
    """Characters between the nearest label of ``path`` before ``start`` on the same line, or None."""
    labels = FIELD_LABELS.get(path.rsplit(".", 1)[-1])
    if not labels:
        return None
    page = next(p for p in layout.pages if p.number == page_no)
    line_start = page.text.rfind("\n", 0, start) + 1
    best = None
    for m in re.finditer(label_pattern(*labels), page.text[line_start:start]):
        gap = start - (line_start + m.end())
        if gap <= LABEL_REACH and (best is None or gap < best):
            best = gap
    return best


def _same_value(rec: Record | None, path: str, value: Any) -> str | None:
    """Another field already holding ``value`` (compared compact), if any."""
    if rec is None:
        return None
    mine = compact(str(value))
    for other in rec.provenance:
        if other == path:
            continue
        v = rec.get(other)
        if v is not None and not isinstance(v, list) and compact(str(v)) == mine:
            return other
    return None


def ground(layout: DocLayout, path: str, raw: Any, rec: Record | None = None) -> tuple[Any, Provenance | None, str]:
    """(parsed value, provenance, reason): provenance is None when the value is not accepted.

    Accepted: at least MIN_VALUE_CHARS characters, parses as the field's kind, fits the field's declared
    type (when ``rec`` is given), passes the identifier's validator (tax IDs, invoice code and number,
    大写 amounts), is not the value of another field (identifiers and names), and occurs
    in the source text at a place that is not another field's span; an occurrence right after one of
    the field's labels is preferred.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None, "empty"
    if len(compact(str(raw))) < MIN_VALUE_CHARS:
        return raw, None, f"值过短 / value shorter than {MIN_VALUE_CHARS} characters"
    kind = field_kind(path)
    value = PARSERS[kind](str(raw))
    if value is None:
        return raw, None, f"无法解析为{kind} / does not parse as {kind}"
    if rec is not None:
        value, error = rec.check(path, value)
        if error is not None:
            return value, None, f"不符合字段类型 / invalid for the field's type: {error}"
    problem = validator_problem(path, value, invoice=rec is None or rec.data.doc_type == "vat_invoice")
    if problem is not None:
        return value, None, f"未通过校验 / fails validation: {problem}"
    if kind in UNIQUE_KINDS:
        other = _same_value(rec, path, value)
        if other is not None:
            return value, None, f"与字段 {other} 的值相同 / same value as field {other}"
    found: list[tuple[int, int, int]] = []
    taken: str | None = None
    for needle in dict.fromkeys([compact(str(raw)), *_variants(kind, value)]):
        if kind != "text" and PARSERS[kind](needle) != value:
            continue
        for loc in _occurrences(layout, needle, bounded=kind != "text"):
            other = _taken_by(rec, path, *loc)
            if other is not None:
                taken = taken or other
            elif loc not in found:
                found.append(loc)
    if not found:
        if taken is not None:
            return value, None, f"原文中该值只出现在字段 {taken} 处 / the value only occurs where field {taken} was read"
        return value, None, "原文中找不到该值 / value not found in the source text"
    near = [(d, loc) for loc in found if (d := _label_distance(layout, path, loc[0], loc[1])) is not None]
    page_no, s, e = min(near)[1] if near else found[0]
    page = next(p for p in layout.pages if p.number == page_no)
    return value, Provenance(source="llm", page=page_no, span=(s, e), bbox=page.bbox_of(s, e), text=page.text[s:e]), ""


def validator_problem(path: str, value: Any, *, invoice: bool = True) -> str | None:
    """The validator's complaint about an identifier or 大写 amount the LLM proposed (None if it passes).

    ``invoice``: the document is a VAT invoice, so ``code`` and ``number`` are 发票代码/发票号码.
    """
    from .validators import invoice_number, rmb_upper, tax_id
    from .validators.base import ValidationError

    leaf = path.rsplit(".", 1)[-1]
    checks = {
        "tax_id": tax_id.validate,
        "code": invoice_number.validate_code if invoice and path == "code" else None,
        "number": invoice_number.validate_number if invoice and path == "number" else None,
        "total_with_tax_upper": rmb_upper.validate, "total_amount_upper": rmb_upper.validate,
        "amount_upper": rmb_upper.validate,
    }
    check = checks.get(leaf)
    if check is None or not isinstance(value, str):
        return None
    try:
        check(value)
    except ValidationError as exc:
        return str(exc)
    return None


def _schema(fields: list[str]) -> dict[str, Any]:
    props = {}
    for f in fields:
        kind = field_kind(f)
        props[f] = {"type": ["string", "null"], "description": FIELD_HINTS.get(f.rsplit(".", 1)[-1], f) + f" ({kind})"}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _parse_json(text: str) -> dict[str, Any]:
    text = re.sub(r"^```(?:json)?|```$", "", text.strip(), flags=re.M).strip()
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        return {}
    try:
        obj = json.loads(m.group(0))
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def fill_missing(rec: Record, layout: DocLayout, missing: list[str], llm: Any) -> list[Suggestion]:
    """Ask ``llm`` for the ``missing`` fields; set grounded values on ``rec``; return the rest as suggestions."""
    fields = [f for f in missing if not f.startswith("lines")]
    if not fields:
        return []
    schema = json.dumps(_schema(fields), ensure_ascii=False)
    wanted = "\n".join(f"- {f}: {FIELD_HINTS.get(f.rsplit('.', 1)[-1], f)}" for f in fields)
    template = json.dumps(dict.fromkeys(fields), ensure_ascii=False)
    messages = [
        {"role": "system", "content": "你是单据信息抽取助手。只输出一个 JSON 对象，不要解释。值必须逐字摘自原文；原文没有的字段填 null。"},
        {"role": "user", "content": (
            f"单据原文：\n{layout.text[:MAX_TEXT_CHARS]}\n\n请从原文中找出以下字段：\n{wanted}\n"
            f"字段的 JSON schema：{schema}\n按此模板输出 JSON：{template}"
        )},
    ]
    try:
        reply = llm.complete(messages, max_tokens=256, temperature=0.0)
    except Exception as e:  # the LLM is optional: a failure only loses suggestions
        return [Suggestion(field="*", value=None, reason=f"LLM 调用失败 / LLM failed: {type(e).__name__}")]
    answer = _parse_json(reply)
    if not answer:
        return [Suggestion(field="*", value=reply[:200], reason="LLM 未返回 JSON 对象 / reply is not a JSON object")]
    suggestions: list[Suggestion] = []
    for f in fields:
        if f not in answer:
            continue
        value, prov, reason = ground(layout, f, answer[f], rec)
        if value is None:
            continue
        if prov is not None and rec.set(f, value, prov):
            continue
        suggestions.append(Suggestion(field=f, value=_jsonable(value), reason=reason or "未采用 / not accepted"))
    for k, v in answer.items():
        if k not in fields and v not in (None, ""):
            suggestions.append(Suggestion(field=str(k), value=_jsonable(v), reason="未请求的字段 / field not asked for"))
    return suggestions


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)
