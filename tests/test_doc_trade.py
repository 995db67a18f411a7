"""Trade-background rules: each red flag fires on its case, a clean package raises none, and the
YAML rule set is checked when loaded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from xiaoyin.core.errors import InvalidInput
from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    ExtractedDocument,
    InvoiceKind,
    InvoiceStatus,
    LineItem,
    LoanContract,
    Party,
    PaymentReceipt,
    VatInvoice,
)
from xiaoyin.credit.documents.trade import (
    ApplicationMeta,
    TradeContext,
    TradeEdge,
    invoice_key,
    load_rules,
    party_key,
    run_rules,
)

BUYER = Party(name="江苏恒通钢材贸易有限公司", tax_id="91320100MA1X2Y3Z4A", legal_rep="王建国",
              address="南京市江宁区天元东路88号", phone="025-52101234", account="4301012309100123456")
SELLER = Party(name="安徽华联金属制品有限公司", tax_id="91340100MA2B3C4D5E", legal_rep="李明",
               address="合肥市包河区徽州大道1号", phone="0551-63601234", account="1302020109024567890")
BANK = Party(name="某某农村商业银行股份有限公司")


def _doc(name: str, data, kind: str = "text_pdf") -> ExtractedDocument:
    return ExtractedDocument(file=name, sha256=name.encode().hex().ljust(64, "0")[:64], input_kind=kind,
                             doc_type=data.doc_type, data=data)


def _contract(**kw) -> Contract:
    base = dict(number="GX-2024-0153", sign_date=dt.date(2024, 3, 2), buyer=BUYER, seller=SELLER,
                lines=[LineItem(name="热轧卷板", quantity=Decimal(100), unit_price=Decimal("4520.00"),
                                amount=Decimal("452000.00"))],
                total_amount=Decimal("452000.00"))
    return Contract(**{**base, **kw})


def _invoice(**kw) -> VatInvoice:
    base = dict(kind=InvoiceKind.digital_special, number="24322000000012345678", issue_date=dt.date(2024, 4, 12),
                buyer=Party(name=BUYER.name, tax_id=BUYER.tax_id), seller=Party(name=SELLER.name, tax_id=SELLER.tax_id),
                lines=[LineItem(name="*钢材*热轧卷板", quantity=Decimal(100), unit_price=Decimal("4000.00"),
                                amount=Decimal("400000.00"), tax_rate=Decimal("0.13"), tax=Decimal("52000.00"))],
                total_amount=Decimal("400000.00"), total_tax=Decimal("52000.00"),
                total_with_tax=Decimal("452000.00"))
    return VatInvoice(**{**base, **kw})


def _package(**overrides) -> list[ExtractedDocument]:
    docs = {
        "contract.pdf": _doc("contract.pdf", _contract()),
        "loan.pdf": _doc("loan.pdf", LoanContract(number="JK-1", lender=BANK, borrower=BUYER,
                                                  amount=Decimal("400000"), trade_contract_number="GX-2024-0153",
                                                  start_date=dt.date(2024, 5, 15))),
        "invoice.pdf": _doc("invoice.pdf", _invoice()),
        "delivery.pdf": _doc("delivery.pdf", DeliveryNote(number="SH-1", date=dt.date(2024, 4, 10),
                                                          consignor=SELLER, consignee=BUYER,
                                                          contract_number="GX-2024-0153")),
        "receipt.pdf": _doc("receipt.pdf", PaymentReceipt(serial="1", date=dt.date(2024, 5, 16), payer=BUYER,
                                                          payee=SELLER, amount=Decimal("400000"))),
    }
    for name, doc in overrides.items():
        if doc is None:
            docs.pop(name, None)
        else:
            docs[name] = doc
    return list(docs.values())


META = ApplicationMeta(application_no="SCF-2024-0001", borrower=Party(name=BUYER.name, tax_id=BUYER.tax_id),
                       financing_date=dt.date(2024, 5, 15), amount=Decimal("400000"))


class History:
    def __init__(self, invoices: dict[str, str] | None = None, edges: list[TradeEdge] | None = None) -> None:
        self.invoices, self._edges = invoices or {}, edges or []

    def invoice_owner(self, key: str) -> str | None:
        return self.invoices.get(key)

    def edges(self) -> list[TradeEdge]:
        return self._edges


def _flags(docs: list[ExtractedDocument], history: History | None = None, meta: ApplicationMeta = META) -> dict:
    findings = run_rules(TradeContext(meta=meta, documents=docs, history=history or History()), load_rules())
    return {f.rule_id: f for f in findings}


def test_clean_package_raises_no_flag() -> None:
    assert _flags(_package()) == {}


def test_duplicate_financing_names_the_other_application() -> None:
    key = invoice_key(_invoice())
    flags = _flags(_package(), History(invoices={key: "SCF-2023-0999"}))
    f = flags["trade.duplicate_financing"]
    assert f.severity == "critical" and "SCF-2023-0999" in f.message and f.documents == ["invoice.pdf"]
    # the same application re-verified is not a duplicate of itself
    assert "trade.duplicate_financing" not in _flags(_package(), History(invoices={key: META.application_no}))


def test_party_mismatch_names_field_and_both_values() -> None:
    inv = _invoice(seller=Party(name="安徽华联金属制品有限责任公司", tax_id=SELLER.tax_id))
    f = _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", inv)}))["trade.party_mismatch"]
    assert "销售方名称" in f.message and "有限责任公司" in f.message
    assert f.fields == ["invoice.pdf#seller.name", "contract.pdf#seller.name"]


def test_amount_above_contract_and_before_contract_and_window() -> None:
    inv = _invoice(total_with_tax=Decimal("452000.01"), issue_date=dt.date(2024, 3, 1))
    flags = _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", inv)}))
    assert "452,000.01" in flags["trade.amount_exceeds_contract"].message
    assert "早于合同签订" in flags["trade.invoice_before_contract"].message
    old = _invoice(issue_date=dt.date(2023, 11, 1))
    flags = _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", old),
                               "contract.pdf": _doc("contract.pdf", _contract(sign_date=dt.date(2023, 10, 1)))}))
    assert flags["trade.invoice_outside_window"].details["days"] == 196
    late = _invoice(issue_date=dt.date(2024, 5, 16))
    assert "晚于融资日" in _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", late)}))[
        "trade.invoice_outside_window"].message


def test_goods_related_parties_red_void() -> None:
    inv = _invoice(lines=[LineItem(name="*金属制品*不锈钢管", amount=Decimal("400000.00"))])
    assert "不锈钢管" in _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", inv)}))["trade.goods_mismatch"].message
    related = _contract(seller=SELLER.model_copy(update={"phone": "(025) 5210-1234"}))
    f = _flags(_package(**{"contract.pdf": _doc("contract.pdf", related)}))["trade.related_parties"]
    assert f.details["shared"] == "phone"
    for status in (InvoiceStatus.red, InvoiceStatus.void):
        inv = _invoice(status=status)
        assert "trade.red_or_void_invoice" in _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", inv)}))


def test_circular_trade_through_stored_applications() -> None:
    c = Party(name="浙江宏达物资有限公司", tax_id="91330100MA3C4D5E6F")
    # stored: buyer → C (app 1), C → seller (app 2); this application: seller → buyer closes the cycle
    edges = [TradeEdge(party_key(BUYER), BUYER.name, party_key(c), c.name, "SCF-1", dt.date(2024, 2, 1)),
             TradeEdge(party_key(c), c.name, party_key(SELLER), SELLER.name, "SCF-2", dt.date(2024, 2, 20))]
    f = _flags(_package(), History(edges=edges))["trade.circular_trade"]
    assert f.severity == "critical" and f.details["applications"] == ["SCF-1", "SCF-2"]
    assert f.details["chain"] == [SELLER.name, BUYER.name, c.name, SELLER.name]
    # an open chain is not a cycle; nor one spread over more than the window
    assert "trade.circular_trade" not in _flags(_package(), History(edges=edges[:1]))
    far = [edges[0], dataclasses.replace(edges[1], sign_date=dt.date(2025, 6, 1))]
    assert "trade.circular_trade" not in _flags(_package(), History(edges=far))


def test_missing_documents_and_payments() -> None:
    flags = _flags(_package(**{"contract.pdf": None, "delivery.pdf": None}))
    assert {"trade.missing_contract", "trade.no_delivery_evidence"} <= set(flags)
    back = _doc("back.pdf", PaymentReceipt(serial="2", date=dt.date(2024, 5, 18), payer=SELLER,
                                           payee=Party(name=BUYER.name, account=BUYER.account),
                                           amount=Decimal("390000")))
    assert flags_of(_package(**{"back.pdf": back})) >= {"trade.payment_back_to_borrower"}
    other = _doc("other.pdf", PaymentReceipt(serial="3", payer=BUYER, payee=Party(name="某某咨询有限公司"),
                                             amount=Decimal("1")))
    assert "trade.payee_not_counterparty" in flags_of(_package(**{"other.pdf": other}))


def flags_of(docs: list[ExtractedDocument]) -> set[str]:
    return set(_flags(docs))


def test_xml_and_pdf_of_one_invoice_are_one_invoice() -> None:
    docs = _package(**{"invoice.xml": _doc("invoice.xml", _invoice(), kind="xml")})
    assert _flags(docs) == {}
    twice = _package(**{"invoice2.pdf": _doc("invoice2.pdf", _invoice())})
    assert _flags(twice)["trade.duplicate_in_package"].documents == ["invoice.pdf", "invoice2.pdf"]


def test_rule_set_is_checked_when_loaded(tmp_path: Path) -> None:
    rs = load_rules()
    assert {r.id for r in rs.rules} >= {"trade.duplicate_financing", "trade.circular_trade"}
    cases = {
        "rules: [": "YAML",
        "rules:\n  - {id: x.y, check: nope, severity: error, title: t}": "未知的检查",
        "rules:\n  - {id: x.y, check: invoice_window, severity: error, title: t, params: {max_age_days: -1}}": "max_age_days",
        "rules:\n  - {id: x.y, check: invoice_window, severity: error, title: t, params: {bogus: 1}}": "bogus",
        "rules:\n  - {id: x.y, check: missing_contract, severity: fatal, title: t}": "severity",
        "rules:\n  - {id: x.y, check: missing_contract, severity: error, title: t}\n"
        "  - {id: x.y, check: missing_contract, severity: error, title: t}": "重复",
        "name: only": "rules",
    }
    for text, needle in cases.items():
        p = tmp_path / "r.yaml"
        p.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidInput, match=needle):
            load_rules(p)
    # staff can disable a rule or change its window
    p.write_text("rules:\n  - {id: trade.invoice_outside_window, check: invoice_window, severity: warning, "
                 "title: t, params: {max_age_days: 30}}\n", encoding="utf-8")
    findings = run_rules(TradeContext(meta=META, documents=_package()), load_rules(p))
    assert [(f.rule_id, f.severity) for f in findings] == [("trade.invoice_outside_window", "warning")]


def test_circular_trade_links_names_to_codes_and_sees_own_contracts() -> None:
    c = Party(name="浙江宏达物资有限公司", tax_id="91330100MA3C4D5E6F")
    # the stored contract printed the middle company by name only; another printed its code
    edges = [TradeEdge(party_key(BUYER), BUYER.name, f"name:{c.name}", c.name, "SCF-1", dt.date(2024, 2, 1)),
             TradeEdge(party_key(c), c.name, party_key(SELLER), SELLER.name, "SCF-2", dt.date(2024, 2, 20))]
    assert "trade.circular_trade" in _flags(_package(), History(edges=edges))
    # a round trip inside one package: seller → buyer and buyer → seller
    back = _contract(number="GX-2024-0154", buyer=SELLER, seller=BUYER)
    flags = _flags(_package(**{"contract2.pdf": _doc("contract2.pdf", back)}))
    assert "trade.circular_trade" in flags


def test_incomplete_invoice_identity_and_masked_accounts() -> None:
    inv = _invoice(kind=InvoiceKind.special, code=None, number="12345678")
    flags = _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", inv)}))
    assert flags["trade.duplicate_unchecked"].severity == "warning"
    masked = _doc("r2.pdf", PaymentReceipt(serial="4", payer=Party(name="某某公司", account="6222****1234"),
                                           payee=Party(name="另一公司", account="6222****1234"),
                                           amount=Decimal("10")))
    assert "trade.payment_back_to_borrower" not in _flags(_package(**{"r2.pdf": masked}))


def test_a_crashing_rule_is_an_error_finding(tmp_path: Path) -> None:
    bad = _doc("invoice.pdf", _invoice())
    bad.data.lines = None  # a broken document model makes the goods check raise
    p = tmp_path / "r.yaml"
    p.write_text("rules:\n  - {id: trade.goods_mismatch, check: goods_mismatch, severity: warning, title: t}\n",
                 encoding="utf-8")
    findings = run_rules(TradeContext(meta=META, documents=_package(**{"invoice.pdf": bad})), load_rules(p))
    assert [(f.rule_id, f.severity) for f in findings] == [("trade.goods_mismatch", "error")]
    assert "执行失败" in findings[0].message


def test_review_cases_masks_labels_and_one_finding_per_cycle() -> None:
    from xiaoyin.credit.documents.trade import _account

    assert _account("6222 0000 1111 2222") == "6222000011112222"
    assert _account("6222××××××××1234") == _account("6222＊＊＊＊1234") == _account("6222XXXX1234") == ""
    masked = _contract(buyer=BUYER.model_copy(update={"account": "6222××××1234"}),
                       seller=SELLER.model_copy(update={"account": "6222××××1234"}))
    assert "trade.related_parties" not in _flags(_package(**{"contract.pdf": _doc("contract.pdf", masked)}))
    void = _invoice(kind=InvoiceKind.special, code=None, number="12345678", status=InvoiceStatus.void)
    msg = _flags(_package(**{"invoice.pdf": _doc("invoice.pdf", void)}))["trade.red_or_void_invoice"].message
    assert "12345678" in msg and "None" not in msg
    back = _contract(number="GX-2024-0154", buyer=SELLER, seller=BUYER)
    findings = run_rules(TradeContext(meta=META, documents=_package(**{"contract2.pdf": _doc("contract2.pdf", back)})),
                         load_rules())
    cycles = [f for f in findings if f.rule_id == "trade.circular_trade"]
    assert len(cycles) == 1 and "本申请的合同之中" in cycles[0].message


def test_an_unread_contract_party_raises_no_mismatch_nor_payee_flag() -> None:
    """A party the extractor left empty (clause text refused as a name) is compared with nothing."""
    empty = _contract(buyer=Party(), seller=Party())
    assert _flags(_package(**{"contract.pdf": _doc("contract.pdf", empty)})) == {}
    seller_name_only = _contract(seller=Party(name=SELLER.name))
    assert _flags(_package(**{"contract.pdf": _doc("contract.pdf", seller_name_only)})) == {}
    # a payee nobody could read is not "someone other than the seller"
    blank_payee = PaymentReceipt(serial="1", date=dt.date(2024, 5, 16), payer=BUYER, payee=Party(),
                                 amount=Decimal("400000"))
    assert "trade.payee_not_counterparty" not in _flags(_package(**{"receipt.pdf": _doc("receipt.pdf", blank_payee)}))
