"""中文大写金额 (amounts in Chinese capital numerals): parse to :class:`~decimal.Decimal`, render.

Parsing accepts every legal spelling of PBOC 《正确填写票据和结算凭证的基本规定》: optional 零 where
rule 4(iii) allows it, 元/圆, 整/正, traditional 貳 陸 億 萬 圓 參, leading 人民币 / ⊗ / ⓧ / ¥ marks and
negatives written 负… or （负数）…. Colloquial digits (一二两三…十), 毛, 另 are rejected, as is an
ambiguous bare digit after 佰/仟 without 零 (``壹仟伍``). Compare amounts by value, never by string.
:func:`render` writes the canonical style of ``cn2an.an2cn(x, "rmb")``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import cn2an

from xiaoyin.credit.documents.schemas import Finding, Severity
from xiaoyin.credit.documents.validators.base import (
    CENT,
    InvalidFormat,
    ValidationError,
    clean,
    finding,
    money,
)

RULE_UNPARSEABLE = "amount.upper_unparseable"
RULE_MISMATCH = "amount.upper_mismatch"

DIGITS = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}
_TRADITIONAL = str.maketrans({"貳": "贰", "陸": "陆", "億": "亿", "萬": "万", "圓": "元", "圆": "元",
                              "參": "叁", "叄": "叁", "正": "整"})
_ALLOWED = set(DIGITS) | set(SMALL_UNITS) | set("万亿元角分整")
_COLLOQUIAL = set("〇一二两三四五六七八九十百千毛另廿念")
_PREFIX = re.compile(r"^(?:人民币|RMB|\(大写\)|大写|[¥:⊗⨂×✕✖XⓍⓧ()])+")
_NEGATIVE = re.compile(r"^(?:\(负数\)|负数|负|-)")
_FRACTION = re.compile(r"^零?(?:(?P<jiao>[壹贰叁肆伍陆柒捌玖])角|零角)?零?(?:(?P<fen>[壹贰叁肆伍陆柒捌玖])分)?$")
_MAX = Decimal("9999999999999999.99")


class Unparseable(InvalidFormat):
    """A 大写 string that is not a legal capital-numeral amount."""


def _fail(zh: str, en: str) -> Unparseable:
    return Unparseable(zh, en, rule_id=RULE_UNPARSEABLE)


def compact(value: str) -> str:
    """Normalise: NFKC, no spaces, traditional -> simplified, 圆 -> 元, 正 -> 整, marks and 人民币 removed.

    A negative amount keeps a leading ``负``.
    """
    text = clean(value, " ").translate(_TRADITIONAL)
    negative = False
    while True:
        stripped = _PREFIX.sub("", text)
        sign = _NEGATIVE.match(stripped)
        if sign:
            negative = True
            stripped = stripped[sign.end():]
        if stripped == text:
            break
        text = stripped
    return ("负" if negative else "") + text


def parse(value: str) -> Decimal:
    """The amount written by ``value`` (two decimals); raises :class:`Unparseable` with the reason."""
    text = compact(value)
    negative = text.startswith("负")
    text = text[1:] if negative else text
    if not text:
        raise _fail("大写金额为空", "empty amount")
    bad = [ch for ch in text if ch not in _ALLOWED]
    if bad:
        colloquial = [ch for ch in bad if ch in _COLLOQUIAL]
        if colloquial:
            raise _fail(f"含非规范大写字符「{''.join(colloquial)}」（应使用壹贰叁…拾佰仟）",
                        f"colloquial numerals {''.join(colloquial)!r} are not allowed")
        raise _fail(f"含非法字符「{''.join(bad)}」", f"invalid characters {''.join(bad)!r}")
    if text.count("整") > 1 or ("整" in text and not text.endswith("整")):
        raise _fail("「整」只能出现在末尾", "整 may only end the amount")
    text = text.removesuffix("整")
    if text.count("元") > 1:
        raise _fail("「元」出现多次", "元 appears more than once")
    if "元" in text:
        integer, fraction = text.split("元")
        if not integer:
            raise _fail("「元」前没有金额", "nothing before 元")
    elif text[-1] in "角分":
        integer, fraction = "", text
    else:
        integer, fraction = text, ""
    if not integer and not fraction:
        raise _fail("大写金额为空", "empty amount")
    amount = Decimal(_parse_integer(integer)) if integer else Decimal(0)
    match = _FRACTION.match(fraction)
    if not match:
        raise _fail(f"角分部分「{fraction}」不合规范", f"invalid jiao/fen part {fraction!r}")
    if match["jiao"]:
        amount += Decimal(DIGITS[match["jiao"]]) / 10
    if match["fen"]:
        amount += Decimal(DIGITS[match["fen"]]) / 100
    amount = amount.quantize(CENT)
    return -amount if negative else amount


def _parse_integer(text: str) -> int:
    """Yuan part: digits with 拾佰仟 inside sections, 万 and 亿 (once each per level) between them."""
    if set(text) == {"零"}:
        return 0
    total = block = section = 0
    digit: int | None = None
    last_unit = 10000
    zero = seen_wan = seen_yi = False

    def close_section() -> int:
        if digit is not None and last_unit not in (10, 10000) and not zero:
            raise _fail(f"「{text}」中数字后缺少单位或「零」，金额有歧义", f"ambiguous digit without unit in {text!r}")
        return section + (digit or 0)

    for ch in text:
        if ch == "零":
            if digit is not None:
                raise _fail(f"「{text}」中「零」不能紧跟数字", f"零 directly after a digit in {text!r}")
            zero = True
        elif ch in DIGITS:
            if digit is not None:
                raise _fail(f"「{text}」中两个数字相连，缺少单位", f"two digits without a unit in {text!r}")
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if digit is None:
                if unit == 10 and section == 0 and not zero:
                    digit = 1  # 拾万 = 壹拾万 (lenient)
                else:
                    raise _fail(f"「{text}」中「{ch}」前缺少数字", f"{ch} without a digit in {text!r}")
            if unit >= last_unit:
                raise _fail(f"「{text}」中单位顺序错误", f"units out of order in {text!r}")
            section += digit * unit
            last_unit, digit, zero = unit, None, False
        elif ch == "万":
            value = close_section()
            if seen_wan or value == 0:
                raise _fail(f"「{text}」中「万」使用错误", f"misplaced 万 in {text!r}")
            block, seen_wan = value * 10000, True
            section, digit, last_unit, zero = 0, None, 10000, False
        elif ch == "亿":
            value = block + close_section()
            if seen_yi or value == 0:
                raise _fail(f"「{text}」中「亿」使用错误", f"misplaced 亿 in {text!r}")
            total, seen_yi = value * 10**8, True
            block, section, digit, last_unit, zero, seen_wan = 0, 0, None, 10000, False, False
        else:
            raise _fail(f"「{text}」中「{ch}」位置错误", f"misplaced {ch} in {text!r}")
    return total + block + close_section()


def validate(value: str) -> str:
    """Return the normalised string or raise :class:`Unparseable`."""
    parse(value)
    return compact(value)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except ValidationError:
        return False
    return True


def render(amount: Decimal) -> str:
    """Canonical 大写 of ``amount`` (rounded half-up to cents), e.g. ``Decimal("1680.32")`` -> 壹仟陆佰捌拾元叁角贰分."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(value) > _MAX:
        raise InvalidFormat(f"金额{value}超出可表示范围", f"amount {value} out of range", rule_id=RULE_UNPARSEABLE)
    return cn2an.an2cn(format(value, "f"), "rmb")


def check(upper: str | None, field_path: str, *, expected: Decimal | None, expected_field: str,
          label: str = "金额", documents: list[str] | None = None, ignore_sign: bool = False) -> list[Finding]:
    """Compare a printed 大写 with its 小写 by value.

    ``amount.upper_unparseable`` (error) when ``upper`` cannot be read, ``amount.upper_mismatch`` (error)
    when it reads to another amount. ``ignore_sign`` compares absolute values (red invoices, whose sign
    is checked by ``arith.red_sign``). ``[]`` when ``upper`` is None.
    """
    if upper is None or not upper.strip():
        return []
    try:
        value = parse(upper)
    except ValidationError as exc:
        return [finding(RULE_UNPARSEABLE, Severity.error, f"{label}大写「{upper}」无法解析：{exc.zh}",
                        field_path, documents, upper=upper, reason=exc.en)]
    if expected is None:
        return []
    same = abs(value) == abs(expected) if ignore_sign else value == expected
    if same:
        return []
    return [finding(RULE_MISMATCH, Severity.error,
                    f"{label}大写「{upper}」= {money(value)}，与小写 {money(expected)} 不符",
                    [field_path, expected_field], documents, upper=upper, parsed=money(value),
                    expected=money(expected))]
