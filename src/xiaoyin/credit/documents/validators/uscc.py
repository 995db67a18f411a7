"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015), 18 characters.

Length, charset and the mod-31 check character come from :mod:`stdnum.cn.uscc`; this module adds
the embedded organisation code (positions 9-17, GB 11714, see :mod:`.org_code`), the pilot-period
codes that legitimately fail the checksum (a warning "需工商登记核实", not an error) and soft
information: registration authority / organisation type (position 1-2) and the admin-division code
(positions 3-8, GB/T 2260, looked up in python-stdnum's table).
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_exc
from stdnum import numdb
from stdnum.cn import uscc as _stdnum_uscc

from xiaoyin.credit.documents.schemas import Finding, Severity
from xiaoyin.credit.documents.validators import org_code
from xiaoyin.credit.documents.validators.base import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
    clean,
    finding,
)

# Fujian/Xiamen codes issued in the pilot period that are registered but fail the GB 32100 checksum.
PILOT_CODES: frozenset[str] = frozenset({
    "91350100M0001TGQXM",
    "91350211M0000XUF46",
    "91350203M0001FUE2P",
    "91350203M0001QAY9B",
})

# Position 1 (登记管理部门) -> (name, {position 2 (机构类别) -> name}).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                     "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {}),
}
NATIONAL_ADMIN_CODE = "100000"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 国家级登记机关


def compact(value: str) -> str:
    """Strip spaces and dashes, full-width -> half-width, upper-case."""
    return clean(value, " -")


def calc_check_digit(value: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    return _stdnum_uscc.calc_check_digit(compact(value)[:17])


def is_pilot(value: str) -> bool:
    """Whether the code is one of the known pilot-period codes that fail the checksum."""
    return compact(value) in PILOT_CODES


def validate(value: str, *, allow_pilot: bool = True) -> str:
    """Return the compact code or raise a :class:`ValidationError` (``rule_id`` says which rule).

    Pilot-period codes are accepted unless ``allow_pilot`` is False.
    """
    code = compact(value)
    try:
        _stdnum_uscc.validate(code)
    except stdnum_exc.InvalidLength:
        raise InvalidLength(f"统一社会信用代码应为18位，实为{len(code)}位",
                            f"USCC must have 18 characters, got {len(code)}", rule_id="uscc.format") from None
    except stdnum_exc.InvalidChecksum:
        if not (allow_pilot and code in PILOT_CODES):
            expected = calc_check_digit(code)
            raise InvalidChecksum(f"统一社会信用代码校验位应为{expected}，实为{code[-1]}",
                                  f"USCC check character should be {expected}, got {code[-1]}",
                                  rule_id="uscc.checksum", expected=expected) from None
    except stdnum_exc.ValidationError:
        if _only_check_char_bad(code) and not (allow_pilot and code in PILOT_CODES):
            expected = calc_check_digit(code)
            raise InvalidChecksum(f"统一社会信用代码校验位应为{expected}，实为{code[-1]}",
                                  f"USCC check character should be {expected}, got {code[-1]}",
                                  rule_id="uscc.checksum", expected=expected) from None
        raise InvalidFormat("统一社会信用代码格式错误（前8位须为数字，其余为不含I、O、S、V、Z的数字或大写字母）",
                            "USCC format: 8 digits then characters of 0-9A-Z without I, O, S, V, Z",
                            rule_id="uscc.format") from None
    try:
        org_code.validate(code[8:17])
    except ValidationError as exc:
        raise InvalidComponent(f"第9–17位组织机构代码无效：{exc.zh}", f"embedded organisation code: {exc.en}",
                               rule_id="uscc.org_code") from None
    return code


def _only_check_char_bad(code: str) -> bool:
    """Body well formed, last character alphanumeric but outside the code charset (e.g. ``Z``)."""
    return (len(code) == 18 and code[:8].isdigit() and all(c in _ALPHABET for c in code[8:17])
            and code[17].isascii() and code[17].isalnum())


def is_valid(value: str, *, allow_pilot: bool = True) -> bool:
    try:
        validate(value, allow_pilot=allow_pilot)
    except ValidationError:
        return False
    return True


def admin_division(code6: str) -> dict[str, str]:
    """Province/county names of a GB/T 2260 code from python-stdnum's table; ``{}`` if unknown."""
    if code6 == NATIONAL_ADMIN_CODE:
        return {"province": "国家级"}
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code6):
        info.update(props)
    return info if "province" in info else {}


def describe(value: str) -> dict[str, str]:
    """Soft information: registration authority, organisation type, region and organisation code."""
    code = compact(value)
    authority, types = AUTHORITIES.get(code[:1], ("", {}))
    region = admin_division(code[2:8]) if len(code) >= 8 and code[2:8].isdigit() else {}
    return {"authority": authority, "type": types.get(code[1:2], ""),
            "province": region.get("province", ""), "county": region.get("county", ""),
            "org_code": org_code.format(code[8:17]) if len(code) >= 17 else ""}


def check(value: str | None, field_path: str, *, documents: list[str] | None = None) -> list[Finding]:
    """Findings for a USCC: ``uscc.format`` / ``uscc.checksum`` / ``uscc.org_code``; ``[]`` when valid."""
    if value is None or not value.strip():
        return []
    code = compact(value)
    try:
        _stdnum_uscc.validate(code)
    except stdnum_exc.InvalidChecksum:
        pass  # reported below, together with the org-code check
    except stdnum_exc.ValidationError:
        if not _only_check_char_bad(code):
            try:
                validate(code)
            except ValidationError as exc:
                return [finding(exc.rule_id, Severity.error, f"统一社会信用代码「{value}」无效：{exc.zh}",
                                field_path, documents, value=value, reason=exc.en)]
    out: list[Finding] = []
    expected = calc_check_digit(code)
    if code[-1] != expected:
        if code in PILOT_CODES:
            out.append(finding("uscc.checksum", Severity.warning,
                               f"统一社会信用代码「{code}」不满足GB 32100校验规则，但属于已知试点期代码，需工商登记核实",
                               field_path, documents, value=code, pilot=True))
        else:
            out.append(finding("uscc.checksum", Severity.error,
                               f"统一社会信用代码「{code}」校验位错误：应为{expected}，实为{code[-1]}",
                               field_path, documents, value=code, expected=expected))
    try:
        org_code.validate(code[8:17])
    except ValidationError as exc:
        out.append(finding("uscc.org_code", Severity.error,
                           f"统一社会信用代码「{code}」第9–17位组织机构代码「{code[8:17]}」无效：{exc.zh}",
                           field_path, documents, value=code, reason=exc.en))
    out.extend(_soft_checks(code, field_path, documents))
    return out


def _soft_checks(code: str, field_path: str, documents: list[str] | None) -> list[Finding]:
    """Unknown registration authority / organisation type / admin-division code: warnings."""
    out: list[Finding] = []
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        out.append(finding("uscc.format", Severity.warning,
                           f"统一社会信用代码「{code}」首位登记管理部门代码「{code[0]}」不在GB 32100代码表中",
                           field_path, documents, value=code))
    elif authority[1] and code[1] not in authority[1]:
        out.append(finding("uscc.format", Severity.warning,
                           f"统一社会信用代码「{code}」第2位机构类别代码「{code[1]}」不属于{authority[0]}登记管理部门",
                           field_path, documents, value=code))
    if not admin_division(code[2:8]):
        out.append(finding("uscc.format", Severity.warning,
                           f"统一社会信用代码「{code}」第3–8位行政区划码「{code[2:8]}」不在GB/T 2260代码表中，需核实",
                           field_path, documents, value=code))
    return out


#: Letters the code never uses (GB 32100 leaves out I, O, Z, S, V) and the digits OCR mistakes them for.
_OCR_DIGITS = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5"})


def repair_ocr(value: str) -> str:
    """``value`` with I/O/Z/S read in place of 1/0/2/5 put right, when only that makes it a valid code;
    ``value`` unchanged otherwise (a printed code is never altered into a different valid one)."""
    if len(value) != 18 or is_valid(value) or not set(value) & set("IOZS"):
        return value
    fixed = value.translate(_OCR_DIGITS)
    return fixed if is_valid(fixed) else value

