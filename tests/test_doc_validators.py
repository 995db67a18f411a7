"""Deterministic validators of credit documents: identifiers, 大写金额, arithmetic, dates, dispatch."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

import cn2an
import pytest
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    ExtractedDocument,
    Finding,
    InvoiceKind,
    InvoiceStatus,
    LineItem,
    LoanContract,
    Party,
    PaymentReceipt,
    Severity,
    VatInvoice,
)
from xiaoyin.credit.documents.validators import (
    RULE_IDS,
    ValidationError,
    invoice_number,
    org_code,
    resident_id,
    rmb_upper,
    tax_id,
    uscc,
    validate_data,
    validate_document,
)

D = Decimal
TODAY = dt.date(2024, 6, 1)
BUYER_ID = "91110000600037341L"  # 北京
SELLER_ID = "91350100M000100Y43"  # 福州, GB 32100 worked example
PILOT_CODES = ["91350100M0001TGQXM", "91350211M0000XUF46", "91350203M0001FUE2P", "91350203M0001QAY9B"]


def rules(findings: list[Finding], *, min_severity: Severity = Severity.info) -> set[str]:
    return {f.rule_id for f in findings if f.severity.rank >= min_severity.rank}


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity.rank >= Severity.error.rank]


# ---------------------------------------------------------------- USCC / org code / tax id / ID card


def test_uscc_worked_example_and_stdnum_agree() -> None:
    assert uscc.is_valid(SELLER_ID) and stdnum_uscc.is_valid(SELLER_ID)
    assert uscc.calc_check_digit("91350100M000100Y4") == "3"
    assert not uscc.is_valid("91350100M000100Y4Z")
    with pytest.raises(ValidationError) as exc:
        uscc.validate("91350100M000100Y4Z")
    assert exc.value.rule_id == "uscc.checksum" and "应为3" in exc.value.message and "check" in exc.value.message
    assert rules(uscc.check("91350100M000100Y4Z", "seller.tax_id")) == {"uscc.checksum"}
    assert uscc.check(" 9135 0100-M000100Y43 ", "x") == []
    assert uscc.compact("９１３５０１００ｍ０００１００ｙ４３") == SELLER_ID
    info = uscc.describe(SELLER_ID)
    assert info["authority"].startswith("工商") and info["type"] == "企业" and info["province"] == "福建省"
    assert info["org_code"] == "M000100Y-4"


def test_uscc_random_codes_match_stdnum_oracle() -> None:
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(300):
        body = "91" + "".join(rng.choice("0123456789") for _ in range(6))
        org = "".join(rng.choice("0123456789") for _ in range(8))
        org += org_code.calc_check_digit(org)
        code = body + org + stdnum_uscc.calc_check_digit(body + org)
        assert uscc.is_valid(code) and stdnum_uscc.is_valid(code)
        wrong = code[:-1] + rng.choice([c for c in alphabet if c != code[-1]])
        assert not uscc.is_valid(wrong) and not stdnum_uscc.is_valid(wrong)


@pytest.mark.parametrize("code", PILOT_CODES)
def test_uscc_pilot_codes_are_warnings_not_errors(code: str) -> None:
    assert not stdnum_uscc.is_valid(code)
    assert uscc.is_pilot(code) and uscc.is_valid(code) and not uscc.is_valid(code, allow_pilot=False)
    [f] = uscc.check(code, "buyer.tax_id", documents=["a.pdf"])
    assert (f.rule_id, f.severity) == ("uscc.checksum", Severity.warning)
    assert "需工商登记核实" in f.message and f.documents == ["a.pdf"] and f.fields == ["buyer.tax_id"]
    assert tax_id.is_valid(code)


@pytest.mark.parametrize(("value", "rule"), [
    ("9111000060003734", "uscc.format"),  # 16 chars
    ("91350100M000100Z43", "uscc.format"),  # Z never used
    ("A1X10000600037341L", "uscc.format"),  # positions 3-8 not digits
    ("91110000600037342P", "uscc.org_code"),  # USCC checksum fine, embedded org code wrong
    ("91110000600037341M", "uscc.checksum"),
])
def test_uscc_invalid(value: str, rule: str) -> None:
    found = uscc.check(value, "seller.tax_id")
    assert rule in rules(found, min_severity=Severity.error)
    with pytest.raises(ValidationError) as exc:
        uscc.validate(value)
    assert exc.value.rule_id == rule


@pytest.mark.parametrize(("value", "message"), [
    ("01110000600037341X", "登记管理部门"),  # authority 0 not in GB 32100
    ("951100006000373418", "机构类别"),  # type 5 unknown for authority 9
    ("919999006000373419", "行政区划码"),  # 999900 not in GB/T 2260
])
def test_uscc_soft_warnings(value: str, message: str) -> None:
    assert uscc.is_valid(value)
    [f] = uscc.check(value, "x")
    assert (f.rule_id, f.severity) == ("uscc.format", Severity.warning) and message in f.message


def test_org_code() -> None:
    for code in ["600037341", "M000100Y4", "M0001TGQX", "60003734-1"]:
        assert org_code.is_valid(code)
    assert org_code.is_valid("M0001TGQ-X") and org_code.format("M0001TGQX") == "M0001TGQ-X"
    assert org_code.calc_check_digit("M0001TGQ") == "X"
    for bad in ["600037342", "60003734", "60003734Y", "6000*7341"]:
        assert not org_code.is_valid(bad)
        assert rules(org_code.check(bad, "org")) == {"uscc.org_code"}
    assert org_code.check(None, "org") == []


@pytest.mark.parametrize(("value", "kind"), [
    (BUYER_ID, "uscc"),
    ("91350100M0001TGQXM", "uscc"),
    ("11010519491231002X", "resident_id"),  # 个体工商户 / individual
    ("110105600037341", "legacy15"),
    ("A1234567890123456", "legacy17"),
    ("11010519491231002X00", "legacy20"),
    ("11010549123100200000", "legacy20"),  # 15-digit old ID + 00000
])
def test_tax_id_valid_variants(value: str, kind: str) -> None:
    assert tax_id.is_valid(value) and tax_id.kind(value) == kind
    assert errors(tax_id.check(value, "buyer.tax_id")) == []


@pytest.mark.parametrize(("value", "rule"), [
    ("12345", "tax_id.format"),
    ("110105600037342", "tax_id.format"),  # bad embedded org code
    ("11010560003734*", "tax_id.format"),
    ("11010519491231002100", "tax_id.format"),  # 20 chars, bad ID check digit
    ("1234567890123456789012", "tax_id.format"),
    ("91110000600037341M", "uscc.checksum"),  # 18 chars -> USCC rules
])
def test_tax_id_invalid(value: str, rule: str) -> None:
    assert not tax_id.is_valid(value)
    assert rule in rules(tax_id.check(value, "buyer.tax_id"), min_severity=Severity.error)
    with pytest.raises(ValidationError):
        tax_id.validate(value)


def test_resident_id() -> None:
    assert resident_id.is_valid("11010519491231002X") and stdnum_ric.is_valid("11010519491231002X")
    assert resident_id.calc_check_digit("11010519491231002") == "X"
    assert resident_id.gender("11010519491231002X") == "女"
    # python-stdnum rejects this correct number (abolished county code in its table); we accept it.
    assert not stdnum_ric.is_valid("440524188001010014")
    assert resident_id.is_valid("440524188001010014") and resident_id.check("440524188001010014", "x") == []
    assert resident_id.to_18("110105491231002") == "11010519491231002X"
    assert resident_id.is_valid("110105491231002")
    for bad in ["110105194912310021", "1101051949123100", "11010519491331002" + "1", "11010520991231002" + "9",
                "1101051949123100X2"]:
        assert not resident_id.is_valid(bad)
        [f] = resident_id.check(bad, "payer.tax_id")
        assert (f.rule_id, f.severity) == ("resident_id.invalid", Severity.error)
    [f] = resident_id.check("990105194912310023", "x")  # checksum and date fine, unknown address code
    assert (f.rule_id, f.severity) == ("resident_id.invalid", Severity.warning) and "地址码" in f.message
    assert tax_id.check("110105194912310021", "buyer.tax_id")[0].rule_id in {"uscc.format", "uscc.checksum"}


# ---------------------------------------------------------------- invoice code / number


@pytest.mark.parametrize(("code", "kinds"), [
    ("3200231130", {InvoiceKind.special}),  # 8th digit 1
    ("3200231530", {InvoiceKind.special}),  # 5
    ("3200231330", {InvoiceKind.ordinary}),  # 3
    ("3200231630", {InvoiceKind.ordinary}),  # 6
    ("3200231230", set()),  # 2 = 货运专票
    ("032002300104", {InvoiceKind.ordinary}),
    ("032002300105", {InvoiceKind.ordinary}),
    ("032002300106", {InvoiceKind.ordinary}),
    ("032002300111", {InvoiceKind.e_ordinary}),  # 11 = 电子普通发票
    ("032002300112", {InvoiceKind.e_ordinary}),
    ("144031539110", {InvoiceKind.e_ordinary}),  # historic exception
    ("132001720001", set()),  # 机动车销售统一发票
])
def test_invoice_code_kinds(code: str, kinds: set[InvoiceKind]) -> None:
    info = invoice_number.code_info(code)
    assert info is not None and set(info.kinds) == kinds and info.name


@pytest.mark.parametrize("code", ["320023113", "3200231110", "3200231135", "32002311A0", "132001710001",
                                  "0320023001111"])
def test_invoice_code_invalid(code: str) -> None:
    assert not invoice_number.is_valid_code(code)
    found = invoice_number.check(code=code, number=None, kind=None)
    assert rules(found) == {"invoice.code_format"} and found[0].severity == Severity.error


def test_invoice_code_unknown_kind_digit_is_warning() -> None:
    [f] = invoice_number.check(code="3200231930", number=None, kind=InvoiceKind.special)
    assert (f.rule_id, f.severity) == ("invoice.code_format", Severity.warning)


def test_invoice_numbers() -> None:
    assert invoice_number.validate_number("03630024") == "03630024"
    assert invoice_number.validate_number("24322000000012345678", digital=True, today=TODAY)
    assert invoice_number.validate_number("23442000000014209621", today=TODAY)  # 2023, 广东
    for bad, digital in [("0363002", None), ("036300245", None), ("0363002A", None),
                         ("20322000000012345678", None),  # 2020: before 数电
                         ("25322000000012345678", None),  # next year
                         ("03630024", True), ("24322000000012345678", False)]:
        with pytest.raises(ValidationError) as exc:
            invoice_number.validate_number(bad, digital=digital, today=TODAY)
        assert exc.value.rule_id == "invoice.number_format"
    [f] = invoice_number.check(code=None, number="24992000000012345678", kind=InvoiceKind.digital_ordinary,
                               today=TODAY)
    assert (f.rule_id, f.severity) == ("invoice.number_format", Severity.warning) and "地区代码" in f.message
    [f] = invoice_number.check(code=None, number="23322000000012345678", kind=InvoiceKind.digital_ordinary,
                               issue_date=dt.date(2024, 1, 5), today=TODAY)
    assert f.severity == Severity.warning and "开票日期" in f.message


@pytest.mark.parametrize(("code", "number", "kind"), [
    ("3200231330", "03630024", InvoiceKind.special),  # ordinary code on a 专票
    ("3200231130", "03630024", InvoiceKind.ordinary),
    ("032002300104", "03630024", InvoiceKind.e_ordinary),
    ("032002300111", "03630024", InvoiceKind.ordinary),
    ("3200231130", "24322000000012345678", InvoiceKind.digital_special),  # 数电 has no code
    ("132001720001", "03630024", InvoiceKind.ordinary),
])
def test_invoice_kind_mismatch(code: str, number: str, kind: InvoiceKind) -> None:
    found = invoice_number.check(code=code, number=number, kind=kind, today=TODAY)
    assert "invoice.kind_mismatch" in rules(found, min_severity=Severity.error)


# ---------------------------------------------------------------- 大写金额


GUIDE_EXAMPLES = [
    ("1409.50", ["壹仟肆佰零玖元伍角", "壹仟肆佰零玖元伍角整"]),
    ("6007.14", ["陆仟零柒元壹角肆分"]),
    ("1680.32", ["壹仟陆佰捌拾元零叁角贰分", "壹仟陆佰捌拾元叁角贰分"]),
    ("107000.53", ["壹拾万柒仟元零伍角叁分", "壹拾万零柒仟元伍角叁分", "壹拾万柒仟元伍角叁分"]),
    ("16409.02", ["壹万陆仟肆佰零玖元零贰分"]),
    ("325.04", ["叁佰贰拾伍元零肆分"]),
    ("10", ["壹拾元整", "壹拾元正", "壹拾圆整", "拾元整"]),
    ("0.05", ["伍分", "零元零伍分"]),
    ("1010.01", ["壹仟零壹拾元零壹分"]),
    ("100000000", ["壹亿元整", "壹億圓整"]),
    ("100500000", ["壹亿零伍拾万元整"]),
    ("26000", ["貳萬陸仟圓整", "⊗貳萬陸仟圓正"]),
    ("13950.61", ["壹万叁仟玖佰伍拾元陆角壹分", "ⓧ壹万叁仟玖佰伍拾元陆角壹分", "⊗ 壹万叁仟玖佰伍拾元陆角壹分"]),
    ("1000000", ["人民币壹佰万元整", "人民币（大写）：壹佰万元整", "¥壹佰万元整", "RMB壹佰万元整"]),
    ("30000", ["參萬元整", "叄萬元整"]),
    ("1000000000000", ["壹万亿元整"]),
    ("0", ["零元整"]),
    ("-1000", ["负壹仟元整", "（负数）壹仟元整", "ⓧ负壹仟元整", "人民币负壹仟元整"]),
]


@pytest.mark.parametrize(("amount", "spellings"), GUIDE_EXAMPLES)
def test_rmb_upper_parses_every_legal_spelling(amount: str, spellings: list[str]) -> None:
    for text in spellings:
        assert rmb_upper.parse(text) == D(amount), text
        assert rmb_upper.is_valid(text)


@pytest.mark.parametrize(("amount", "expected"), [
    ("1409.50", "壹仟肆佰零玖元伍角"), ("6007.14", "陆仟零柒元壹角肆分"), ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"), ("16409.02", "壹万陆仟肆佰零玖元零贰分"), ("325.04", "叁佰贰拾伍元零肆分"),
    ("10", "壹拾元整"), ("0.05", "伍分"), ("1010.01", "壹仟零壹拾元零壹分"), ("100000000", "壹亿元整"),
    ("100500000", "壹亿零伍拾万元整"), ("-5", "负伍元整"), ("0.005", "壹分"),
])
def test_rmb_upper_render(amount: str, expected: str) -> None:
    assert rmb_upper.render(D(amount)) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("一万元整", "非规范"), ("壹万两千元整", "非规范"), ("壹拾伍元伍毛", "非规范"), ("壹仟伍元", "歧义"),
    ("壹贰元", "数字相连"), ("", "为空"), ("ⓧ", "为空"), ("壹万万元", "万"), ("伍角叁", "角"),
    ("壹佰贰仟元", "顺序"), ("壹万元整整", "整"), ("壹万元伍角元", "元"), ("壹万元ABC", "非法字符"),
    ("元伍角", "元"), ("伍零元", "零"),
])
def test_rmb_upper_unparseable(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        rmb_upper.parse(text)
    assert exc.value.rule_id == "amount.upper_unparseable" and reason in exc.value.message
    found = rmb_upper.check(text, "total_with_tax_upper", expected=D("1"), expected_field="total_with_tax",
                            label="价税合计")
    if text:  # a blank 大写 is a missing field, not a bad one
        [f] = found
        assert (f.rule_id, f.severity) == ("amount.upper_unparseable", Severity.error) and text in f.message
    else:
        assert found == []


def test_rmb_upper_round_trip_random() -> None:
    rng = random.Random(2024)
    for _ in range(3000):
        digits = rng.randint(1, 13)
        cents = rng.randint(1, min(10**digits, 9_999_999_999_999))
        if rng.random() < 0.3:  # many zeros: exercise 零 rules
            cents = max(1, cents // 10 ** rng.randint(1, 8) * 10 ** rng.randint(0, 8))
        amount = D(min(cents, 9_999_999_999_999)) / 100
        text = rmb_upper.render(amount)
        assert text == cn2an.an2cn(format(amount, "f"), "rmb")  # oracle
        assert rmb_upper.parse(text) == amount, text
        assert rmb_upper.parse("人民币" + text) == amount
        assert rmb_upper.parse("负" + text) == -amount


def test_rmb_upper_mismatch_message() -> None:
    [f] = rmb_upper.check("壹万元整", "total_with_tax_upper", expected=D("10500.00"), expected_field="total_with_tax",
                          label="价税合计", documents=["inv.pdf"])
    assert f.rule_id == "amount.upper_mismatch" and f.severity == Severity.error
    assert f.message == "价税合计大写「壹万元整」= 10000.00，与小写 10500.00 不符"
    assert f.fields == ["total_with_tax_upper", "total_with_tax"] and f.documents == ["inv.pdf"]
    assert rmb_upper.check("壹万零伍佰元整", "u", expected=D("10500"), expected_field="l") == []
    assert rmb_upper.check(None, "u", expected=D("1"), expected_field="l") == []


# ---------------------------------------------------------------- documents


def clean_invoice(**changes: object) -> VatInvoice:
    lines = [
        LineItem(name="*钢材*热轧卷板", unit="吨", quantity=D("12.5"), unit_price=D("3580.000000"),
                 amount=D("44750.00"), tax_rate=D("0.13"), tax=D("5817.50")),
        LineItem(name="*钢材*冷轧板", unit="吨", quantity=D("3"), unit_price=D("1200.01"),
                 amount=D("3600.03"), tax_rate=D("0.13"), tax=D("468.00")),
    ]
    data = {
        "kind": InvoiceKind.special, "code": "3200231130", "number": "03630024",
        "issue_date": dt.date(2024, 5, 12),
        "buyer": Party(name="北京华信机械有限公司", tax_id=BUYER_ID),
        "seller": Party(name="福建闽钢贸易有限公司", tax_id=SELLER_ID),
        "lines": lines, "total_amount": D("48350.03"), "total_tax": D("6285.50"),
        "total_with_tax": D("54635.53"), "total_with_tax_upper": "ⓧ伍万肆仟陆佰叁拾伍元伍角叁分",
    }
    data.update(changes)
    return VatInvoice(**data)


def red_invoice(**changes: object) -> VatInvoice:
    lines = [LineItem(name="*钢材*热轧卷板", quantity=D("-2"), unit_price=D("3580"), amount=D("-7160.00"),
                      tax_rate=D("0.13"), tax=D("-930.80"))]
    data = {"kind": InvoiceKind.digital_special, "number": "24322000000012345678",
            "issue_date": dt.date(2024, 5, 20), "status": InvoiceStatus.red,
            "buyer": Party(name="北京华信机械有限公司", tax_id=BUYER_ID),
            "seller": Party(name="福建闽钢贸易有限公司", tax_id=SELLER_ID), "lines": lines,
            "total_amount": D("-7160.00"), "total_tax": D("-930.80"), "total_with_tax": D("-8090.80"),
            "total_with_tax_upper": "（负数）捌仟零玖拾元捌角"}
    data.update(changes)
    return VatInvoice(**data)


def clean_contract(**changes: object) -> Contract:
    data = {
        "number": "GX-2024-0153", "title": "购销合同", "sign_date": dt.date(2024, 3, 2),
        "buyer": Party(name="北京华信机械有限公司", tax_id=BUYER_ID),
        "seller": Party(name="福建闽钢贸易有限公司", tax_id=SELLER_ID),
        "lines": [LineItem(name="热轧卷板", quantity=D("12.5"), unit_price=D("4045.45"), amount=D("50568.13")),
                  LineItem(name="冷轧板", quantity=D("3"), unit_price=D("1356.00"), amount=D("4068.00"))],
        "total_amount": D("54636.13"), "total_amount_upper": "伍万肆仟陆佰叁拾陆元壹角叁分",
        "delivery_date": dt.date(2024, 4, 30),
    }
    data.update(changes)
    return Contract(**data)


def clean_loan(**changes: object) -> LoanContract:
    data = {"number": "JK-2024-0088", "sign_date": dt.date(2024, 5, 14),
            "lender": Party(name="江苏某农村商业银行股份有限公司"),
            "borrower": Party(name="北京华信机械有限公司", tax_id=BUYER_ID),
            "amount": D("800000.00"), "amount_upper": "人民币捌拾万元整", "annual_rate": D("0.0435"),
            "start_date": dt.date(2024, 5, 15), "end_date": dt.date(2025, 5, 14)}
    data.update(changes)
    return LoanContract(**data)


def clean_receipt(**changes: object) -> PaymentReceipt:
    data = {"serial": "20240516000123", "date": dt.date(2024, 5, 16),
            "payer": Party(name="北京华信机械有限公司", account="6222020200112233445"),
            "payee": Party(name="福建闽钢贸易有限公司", account="3501000000123"),
            "amount": D("54635.53"), "amount_upper": "人民币伍万肆仟陆佰叁拾伍元伍角叁分", "purpose": "货款"}
    data.update(changes)
    return PaymentReceipt(**data)


def clean_delivery(**changes: object) -> DeliveryNote:
    data = {"number": "SH-20240410-017", "date": dt.date(2024, 4, 10),
            "consignor": Party(name="福建闽钢贸易有限公司", tax_id=SELLER_ID),
            "consignee": Party(name="北京华信机械有限公司"), "contract_number": "GX-2024-0153",
            "lines": [LineItem(name="热轧卷板", quantity=D("12.5"))]}
    data.update(changes)
    return DeliveryNote(**data)


@pytest.mark.parametrize("make", [clean_invoice, red_invoice, clean_contract, clean_loan, clean_receipt,
                                  clean_delivery])
def test_clean_documents_have_no_findings(make: Callable[[], object]) -> None:
    doc = ExtractedDocument(file="doc.pdf", sha256="0" * 64, doc_type=make().doc_type, data=make())
    assert validate_document(doc, today=TODAY) == []


def test_clean_invoice_variants_have_no_errors() -> None:
    for inv in [
        clean_invoice(kind=InvoiceKind.ordinary, code="032002300104"),
        clean_invoice(kind=InvoiceKind.e_ordinary, code="032002300111", check_code="85342965681116380258"),
        clean_invoice(kind=InvoiceKind.digital_ordinary, code=None, number="24322000000012345678",
                      buyer=Party(name="张三")),  # natural person buyer on a 数电普票, no tax id
        clean_invoice(buyer=Party(name="北京华信机械有限公司", tax_id="91350100M0001TGQXM")),  # pilot: warning
        clean_invoice(lines=[LineItem(name="*图书*教材", quantity=D("10"), unit_price=D("50"), amount=D("500.00"),
                                      tax_rate=None, tax=None)],
                      total_amount=D("500.00"), total_tax=D("0.00"), total_with_tax=D("500.00"),
                      total_with_tax_upper="伍佰元整"),  # 免税
    ]:
        assert errors(validate_data(inv, today=TODAY)) == []


def test_validate_document_without_data() -> None:
    assert validate_document(ExtractedDocument(file="x.pdf", sha256="0" * 64, error="corrupt"), today=TODAY) == []


def _lines_off_by(n: int, off: str) -> dict[str, object]:
    lines = [LineItem(name="*服务*咨询", quantity=D("1"), unit_price=D("100"), amount=D("100.00"), tax_rate=D("0.06"),
                      tax=D("6.00") + D(off)) for _ in range(n)]
    tax = sum((line.tax for line in lines), D(0))
    total = D(100 * n)
    return {"lines": lines, "total_amount": total, "total_tax": tax, "total_with_tax": total + tax,
            "total_with_tax_upper": rmb_upper.render(total + tax)}


def _line(i: int, **changes: object) -> list[LineItem]:
    lines = clean_invoice().lines
    lines[i] = lines[i].model_copy(update=changes)
    return lines


BROKEN: list[tuple[str, Callable[[], object], str, set[str]]] = [
    ("uscc.format", lambda: clean_invoice(seller=Party(name="福建闽钢贸易有限公司", tax_id="9135010OM000100Y43")),
     "error", {"seller.tax_id"}),
    ("uscc.checksum", lambda: clean_contract(seller=Party(name="X", tax_id="91350100M000100Y44")), "error",
     {"seller.tax_id"}),
    ("uscc.checksum", lambda: clean_contract(seller=Party(name="X", tax_id="91350211M0000XUF46")), "warning",
     {"seller.tax_id"}),
    ("uscc.org_code", lambda: clean_loan(borrower=Party(name="X", tax_id="91110000600037342P")), "error",
     {"borrower.tax_id"}),
    ("tax_id.format", lambda: clean_delivery(consignor=Party(name="X", tax_id="110105600037342")), "error",
     {"consignor.tax_id"}),
    ("resident_id.invalid", lambda: clean_receipt(payer=Party(name="张三", tax_id="990105194912310023")), "warning",
     {"payer.tax_id"}),
    ("invoice.code_format", lambda: clean_invoice(code="3200231135"), "error", {"code"}),
    ("invoice.number_format", lambda: clean_invoice(number="3630024"), "error", {"number"}),
    ("invoice.kind_mismatch", lambda: clean_invoice(code="3200231630"), "error", {"code", "kind"}),
    ("invoice.special_buyer_tax_id", lambda: clean_invoice(buyer=Party(name="北京华信", tax_id="91110000600037341M")),
     "error", {"buyer.tax_id"}),
    ("invoice.buyer_is_seller", lambda: clean_invoice(buyer=Party(name="福建闽钢贸易有限公司", tax_id=SELLER_ID)),
     "error", {"buyer.tax_id", "seller.tax_id"}),
    ("invoice.buyer_is_seller", lambda: clean_invoice(buyer=Party(name="福建闽钢贸易 有限公司")), "error",
     {"buyer.name", "seller.name"}),
    ("invoice.tax_rate", lambda: clean_invoice(lines=_line(1, tax_rate=D("0.17"), tax=D("612.01"))), "error",
     {"lines.1.tax_rate"}),
    ("amount.upper_unparseable", lambda: clean_invoice(total_with_tax_upper="伍万肆千陆佰叁拾伍元伍角叁分"), "error",
     {"total_with_tax_upper"}),
    ("amount.upper_mismatch", lambda: clean_invoice(total_with_tax_upper="伍万肆仟陆佰叁拾伍元伍角"), "error",
     {"total_with_tax_upper", "total_with_tax"}),
    ("amount.upper_mismatch", lambda: clean_contract(total_amount_upper="伍万元整"), "error",
     {"total_amount_upper", "total_amount"}),
    ("amount.upper_mismatch", lambda: clean_loan(amount_upper="人民币捌万元整"), "error", {"amount_upper", "amount"}),
    ("amount.upper_mismatch", lambda: clean_receipt(amount_upper="伍万肆仟陆佰叁拾伍元"), "error",
     {"amount_upper", "amount"}),
    ("arith.line_amount", lambda: clean_invoice(lines=_line(0, unit_price=D("3580.01"))), "error",
     {"lines.0.quantity", "lines.0.unit_price", "lines.0.amount"}),
    ("arith.line_amount", lambda: clean_contract(lines=[
        LineItem(name="热轧卷板", quantity=D("12.5"), unit_price=D("4045.45"), amount=D("50568.14")),
        LineItem(name="冷轧板", quantity=D("3"), unit_price=D("1356.00"), amount=D("4067.99"))]), "error",
     {"lines.0.amount"}),
    ("arith.line_tax", lambda: clean_invoice(lines=_line(1, tax=D("468.07"))), "error", {"lines.1.tax"}),
    ("arith.tax_cumulative", lambda: clean_invoice(**_lines_off_by(25, "0.055")), "error", {"lines.0.tax"}),
    ("arith.tax_cumulative", lambda: clean_invoice(**_lines_off_by(20, "0.055")), "warning", {"lines.19.tax"}),
    ("arith.sum_amount", lambda: clean_invoice(total_amount=D("48350.00"), total_with_tax=D("54635.50"),
                                               total_with_tax_upper="伍万肆仟陆佰叁拾伍元伍角"), "error",
     {"total_amount"}),
    ("arith.sum_amount", lambda: clean_contract(total_amount=D("54636.00"), total_amount_upper="伍万肆仟陆佰叁拾陆元整"),
     "error", {"total_amount"}),
    ("arith.sum_tax", lambda: clean_invoice(total_tax=D("6285.00"), total_with_tax=D("54635.03"),
                                            total_with_tax_upper="伍万肆仟陆佰叁拾伍元零叁分"), "error", {"total_tax"}),
    ("arith.total_with_tax", lambda: clean_invoice(total_with_tax=D("54635.50"),
                                                   total_with_tax_upper="伍万肆仟陆佰叁拾伍元伍角"), "error",
     {"total_with_tax", "total_amount", "total_tax"}),
    ("arith.red_sign", lambda: red_invoice(total_with_tax=D("8090.80")), "error", {"total_with_tax"}),
    ("arith.red_sign", lambda: clean_invoice(total_amount=D("-48350.03")), "error", {"total_amount"}),
    ("date.future", lambda: clean_invoice(issue_date=dt.date(2024, 6, 2)), "error", {"issue_date"}),
    ("date.future", lambda: clean_receipt(date=dt.date(2025, 1, 1)), "error", {"date"}),
    ("date.implausible", lambda: clean_contract(sign_date=dt.date(1999, 12, 31)), "error", {"sign_date"}),
    ("date.implausible", lambda: red_invoice(issue_date=dt.date(2020, 12, 31), number="24322000000012345678"),
     "error", {"issue_date"}),
    ("date.implausible", lambda: clean_loan(end_date=dt.date(2099, 1, 1)), "error", {"end_date"}),
    ("date.order", lambda: clean_loan(end_date=dt.date(2024, 5, 15)), "error", {"start_date", "end_date"}),
    ("date.order", lambda: clean_contract(delivery_date=dt.date(2024, 3, 1)), "error", {"sign_date", "delivery_date"}),
    ("date.order", lambda: clean_loan(sign_date=dt.date(2024, 5, 16)), "warning", {"sign_date", "start_date"}),
]


@pytest.mark.parametrize(("rule_id", "make", "severity", "fields"), BROKEN,
                         ids=[f"{r}-{i}" for i, (r, *_rest) in enumerate(BROKEN)])
def test_each_fault_is_reported(rule_id: str, make: Callable[[], object], severity: str, fields: set[str]) -> None:
    data = make()
    doc = ExtractedDocument(file="bad.pdf", sha256="0" * 64, doc_type=data.doc_type, data=data)
    found = validate_document(doc, today=TODAY)
    hits = [f for f in found if f.rule_id == rule_id]
    assert hits, [f.message for f in found]
    hit = next((f for f in hits if f.severity == Severity(severity)), None)
    assert hit is not None, [(f.rule_id, f.severity.value) for f in hits]
    assert fields <= set(hit.fields), hit.fields
    assert hit.documents == ["bad.pdf"] and hit.message and any("\u4e00" <= ch <= "\u9fff" for ch in hit.message)


def test_messages_name_the_values() -> None:
    found = validate_data(clean_invoice(lines=_line(1, tax=D("468.07"))), today=TODAY)
    [f] = [f for f in found if f.rule_id == "arith.line_tax"]
    assert "第2行税额 468.07" in f.message and "3600.03" in f.message and "13%" in f.message
    found = validate_data(clean_invoice(issue_date=dt.date(2024, 6, 2)), today=TODAY)
    assert "2024-06-02" in found[0].message


def test_special_buyer_rule_only_for_special_invoices() -> None:
    bad_buyer = Party(name="北京华信", tax_id="91110000600037341M")
    ordinary = validate_data(clean_invoice(kind=InvoiceKind.ordinary, code="3200231630", buyer=bad_buyer), today=TODAY)
    assert "invoice.special_buyer_tax_id" not in rules(ordinary) and "uscc.checksum" in rules(ordinary)
    pilot = validate_data(clean_invoice(buyer=Party(name="B", tax_id="91350203M0001FUE2P")), today=TODAY)
    assert "invoice.special_buyer_tax_id" not in rules(pilot)


def test_none_fields_are_skipped() -> None:
    inv = VatInvoice(kind=InvoiceKind.special, lines=[LineItem(name="x")])
    assert validate_data(inv, today=TODAY) == []
    for model in (Contract, LoanContract, DeliveryNote, PaymentReceipt):
        assert validate_data(model(), today=TODAY) == []


def test_every_rule_id_is_produced_and_documented() -> None:
    produced: set[str] = set()
    for _rule, make, _severity, _fields in BROKEN:
        produced |= rules(validate_data(make(), today=TODAY))
    assert produced == set(RULE_IDS) == {rule for rule, *_rest in BROKEN}


def test_blank_strings_count_as_missing() -> None:
    inv = clean_invoice(code=" ", buyer=Party(name="北京华信机械有限公司", tax_id=""), total_with_tax_upper="")
    assert validate_data(inv, today=TODAY) == []
