"""Trade-background verification: the built-in checks behind the red-flag rule set.

Each check reads one financing application's extracted documents (plus, through a
:class:`History`, what earlier applications stored) and returns explained findings carrying
the rule id, severity, the fields (``file#path``) and documents they rest on, and a Chinese
explanation. Checks never raise on missing data: what they cannot judge they skip.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from xiaoyin.credit.documents.rules import Rule, RuleSet, parse_rules
from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    ExtractedDocument,
    Finding,
    InvoiceStatus,
    LoanContract,
    Party,
    PaymentReceipt,
    Severity,
    VatInvoice,
)

APP_NO = r"^[\w.\-\u4e00-\u9fff]{1,64}$"
MAX_INVOICE_KEY = 40  # longer "numbers" are misreadings; they are not registered


class ApplicationMeta(BaseModel):
    """``application.json`` of a financing application."""

    model_config = ConfigDict(extra="ignore")

    application_no: str = Field(pattern=APP_NO)
    borrower: Party = Field(default_factory=Party)
    financing_date: dt.date | None = None
    amount: Decimal | None = None
    product: str | None = None


@dataclass(frozen=True)
class TradeEdge:
    """A stored contract: goods flow from seller to buyer."""

    seller_key: str
    seller_name: str
    buyer_key: str
    buyer_name: str
    application_no: str
    sign_date: dt.date | None


class History(Protocol):
    """What earlier applications stored (the database, in production)."""

    def invoice_owner(self, key: str) -> str | None:
        """The other application that already financed this invoice, if any."""

    def edges(self) -> list[TradeEdge]:
        """Contracts of all other stored applications."""


class EmptyHistory:
    def invoice_owner(self, key: str) -> str | None:
        return None

    def edges(self) -> list[TradeEdge]:
        return []


# ---------------------------------------------------------------- normalisation


def norm_text(s: str | None) -> str:
    """NFKC, no whitespace, unified brackets: how names and addresses are compared."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"\s+", "", s).replace("(", "（").replace(")", "）").upper()


def norm_phone(s: str | None) -> str:
    return re.sub(r"\D", "", s or "")


def party_key(p: Party) -> str:
    """Identity of a company: its credit code when printed, else its normalised name."""
    code = norm_text(p.tax_id)
    return code if code else f"name:{norm_text(p.name)}"


def invoice_key(inv: VatInvoice) -> str | None:
    """Bank-wide identity of an invoice: the 20-digit 数电 number, or 发票代码 + 8-digit number.

    None when the identity is incomplete (an 8-digit number without its code is not unique).
    """
    number = re.sub(r"\s", "", inv.number or "")
    if len(number) == 20 and number.isdigit():
        return number
    code = re.sub(r"\s", "", inv.code or "")
    return f"{code}-{number}" if code and number else None


#: Lines that name no goods: a face pointing to its goods list, sum rows, discounts.
_NOT_GOODS = re.compile(r"^[（(]?(?:详见.{0,6}清单|见.{0,4}清单|小计|合计|总计|本页小计|折扣.*)[）)]?$")


def goods_name(name: str | None) -> str:
    """``*钢材*热轧卷板`` → ``热轧卷板`` (the tax-class short name is dropped); "" for a line that names no
    goods (``（详见销货清单）``, ``小计``)."""
    text = norm_text(re.sub(r"^\s*\*[^*]*\*", "", name or ""))
    return "" if _NOT_GOODS.match(text) else text


# ---------------------------------------------------------------- context

T = TypeVar("T", bound=BaseModel)


@dataclass
class TradeContext:
    meta: ApplicationMeta
    documents: list[ExtractedDocument]
    history: History = field(default_factory=EmptyHistory)

    def of(self, model: type[T]) -> list[tuple[ExtractedDocument, T]]:
        return [(d, d.data) for d in self.documents if isinstance(d.data, model)]

    @property
    def contracts(self) -> list[tuple[ExtractedDocument, Contract]]:
        return self.of(Contract)

    @property
    def invoices(self) -> list[tuple[ExtractedDocument, VatInvoice]]:
        """Each invoice once: the XML and the PDF of one 数电发票 are one invoice (XML preferred)."""
        seen: dict[str, tuple[ExtractedDocument, VatInvoice]] = {}
        out: list[tuple[ExtractedDocument, VatInvoice]] = []
        for doc, inv in sorted(self.of(VatInvoice), key=lambda p: p[0].input_kind != "xml"):
            key = invoice_key(inv)
            if key is None:
                out.append((doc, inv))
            elif key not in seen or not _same_invoice_carriers(seen[key], (doc, inv)):
                if key not in seen:
                    seen[key] = (doc, inv)
                out.append((doc, inv))
        return out

    @property
    def borrower(self) -> Party:
        """From application.json; else the loan contract's borrower; else the contract buyer."""
        if self.meta.borrower.name or self.meta.borrower.tax_id:
            return self.meta.borrower
        for _, loan in self.of(LoanContract):
            if loan.borrower.name:
                return loan.borrower
        for _, c in self.contracts:
            return c.buyer
        return Party()

    @property
    def financing_date(self) -> dt.date | None:
        if self.meta.financing_date:
            return self.meta.financing_date
        for _, loan in self.of(LoanContract):
            if loan.start_date:
                return loan.start_date
        return None

    def contract_for(self, inv: VatInvoice) -> tuple[ExtractedDocument, Contract] | None:
        """The contract an invoice belongs to: same seller (or buyer) when several exist."""
        contracts = self.contracts
        if len(contracts) <= 1:
            return contracts[0] if contracts else None
        for pair in contracts:
            if same_party(pair[1].seller, inv.seller) and same_party(pair[1].buyer, inv.buyer):
                return pair
        for pair in contracts:
            if same_party(pair[1].seller, inv.seller) or same_party(pair[1].buyer, inv.buyer):
                return pair
        return contracts[0]


def _same_invoice_carriers(a: tuple[ExtractedDocument, VatInvoice], b: tuple[ExtractedDocument, VatInvoice]) -> bool:
    """Two files of one invoice in different carriers (XML + PDF) that agree on the key figures."""
    (da, ia), (db, ib) = a, b
    kinds = {da.input_kind, db.input_kind}
    return "xml" in kinds and len(kinds) == 2 and ia.total_with_tax == ib.total_with_tax


def party_differences(a: Party, b: Party) -> list[str]:
    """Which identity fields (name, tax_id) are printed on both and differ."""
    diffs = []
    if a.name and b.name and norm_text(a.name) != norm_text(b.name):
        diffs.append("name")
    if a.tax_id and b.tax_id and norm_text(a.tax_id) != norm_text(b.tax_id):
        diffs.append("tax_id")
    return diffs


def same_party(a: Party, b: Party) -> bool:
    """Same company when the printed identity fields agree (and at least one is printed on both)."""
    shared = (a.name and b.name) or (a.tax_id and b.tax_id)
    return bool(shared) and not party_differences(a, b)


def _account(s: str | None) -> str:
    """A comparable bank account: its digits, or "" when masked (*, ×, X …) or too short to identify anyone."""
    text = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", s or ""))
    return text if text.isdigit() and len(text) >= 8 else ""


def _matches(p: Party, target: Party) -> bool:
    """Same company by name or tax id, or same (unmasked) bank account."""
    if _account(p.account) and _account(p.account) == _account(target.account):
        return True
    if p.tax_id and target.tax_id and norm_text(p.tax_id) == norm_text(target.tax_id):
        return True
    return bool(p.name and target.name and norm_text(p.name) == norm_text(target.name))


def _identified(p: Party) -> bool:
    """Whether a party carries anything that identifies it (name, tax id or an unmasked account)."""
    return bool(p.name or p.tax_id or _account(p.account))


def _finding(rule: Rule, message: str, docs: Iterable[ExtractedDocument], fields: Iterable[str] = (),
             **details: Any) -> Finding:
    return Finding(rule_id=rule.id, severity=rule.severity, message=message,
                   documents=sorted({d.file for d in docs}), fields=list(fields), details=details)


def _money(x: Decimal | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


# ---------------------------------------------------------------- checks


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToleranceParams(NoParams):
    tolerance: Decimal = Decimal("0.00")


class WindowParams(NoParams):
    max_age_days: int = Field(180, ge=0)
    max_days_after: int = Field(0, ge=0)


class RelatedParams(NoParams):
    compare: list[str] = Field(default_factory=lambda: ["legal_rep", "address", "phone", "account"])


class CircularParams(NoParams):
    max_chain: int = Field(5, ge=2, le=10)
    window_days: int = Field(365, ge=1)


@dataclass(frozen=True)
class Check:
    fn: Callable[[TradeContext, Rule], list[Finding]]
    params: type[BaseModel]


CHECKS: dict[str, Check] = {}


def check(name: str, params: type[BaseModel] = NoParams):
    def register(fn: Callable[[TradeContext, Rule], list[Finding]]):
        CHECKS[name] = Check(fn, params)
        return fn

    return register


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and check a rule set against the built-in checks: ``path``, else
    ``settings.docs.rules_path``, else the bundled one."""
    return parse_rules(path, CHECKS)

@check("duplicate_financing")
def duplicate_financing(ctx: TradeContext, rule: Rule) -> list[Finding]:
    out = []
    for doc, inv in ctx.invoices:
        key = invoice_key(inv)
        if key is None or len(key) > MAX_INVOICE_KEY:
            out.append(Finding(
                rule_id="trade.duplicate_unchecked", severity="warning", documents=[doc.file],
                fields=[f"{doc.file}#code", f"{doc.file}#number"],
                message="发票代码或号码未能完整识别，无法核查是否重复融资，请人工核对。"))
            continue
        owner = ctx.history.invoice_owner(key)
        if owner and owner != ctx.meta.application_no:
            out.append(_finding(rule, f"发票 {key} 已在融资申请 {owner} 中使用，本申请再次以其融资（重复融资）。",
                                [doc], [f"{doc.file}#number"], invoice=key, other_application=owner))
    return out


@check("duplicate_in_package")
def duplicate_in_package(ctx: TradeContext, rule: Rule) -> list[Finding]:
    groups: dict[str, list[ExtractedDocument]] = defaultdict(list)
    for doc, inv in ctx.invoices:
        key = invoice_key(inv)
        if key:
            groups[key].append(doc)
    return [_finding(rule, f"发票 {key} 在本申请中出现在多个文件中：{'、'.join(d.file for d in docs)}。",
                     docs, [f"{d.file}#number" for d in docs], invoice=key)
            for key, docs in groups.items() if len(docs) > 1]


@check("missing_contract")
def missing_contract(ctx: TradeContext, rule: Rule) -> list[Finding]:
    if ctx.contracts:
        return []
    return [_finding(rule, "申请材料中没有购销合同，无法核实贸易背景（材料不完整）。", [d for d, _ in ctx.invoices])]


@check("missing_invoice")
def missing_invoice(ctx: TradeContext, rule: Rule) -> list[Finding]:
    if ctx.of(VatInvoice):
        return []
    return [_finding(rule, "申请材料中没有增值税发票。", [d for d, _ in ctx.contracts])]


@check("party_mismatch")
def party_mismatch(ctx: TradeContext, rule: Rule) -> list[Finding]:
    out = []
    labels = {"buyer": "购买方", "seller": "销售方", "name": "名称", "tax_id": "统一社会信用代码/纳税人识别号"}
    for doc, inv in ctx.invoices:
        pair = ctx.contract_for(inv)
        if pair is None:
            continue
        cdoc, contract = pair
        for role in ("buyer", "seller"):
            a, b = getattr(inv, role), getattr(contract, role)
            for attr in party_differences(a, b):
                out.append(_finding(
                    rule,
                    f"发票{labels[role]}{labels[attr]}「{getattr(a, attr)}」与合同「{getattr(b, attr)}」不一致。",
                    [doc, cdoc], [f"{doc.file}#{role}.{attr}", f"{cdoc.file}#{role}.{attr}"],
                ))
    return out


@check("amount_exceeds_contract", ToleranceParams)
def amount_exceeds_contract(ctx: TradeContext, rule: Rule) -> list[Finding]:
    out = []
    by_contract: dict[str, list[tuple[ExtractedDocument, VatInvoice]]] = defaultdict(list)
    for doc, inv in ctx.invoices:
        pair = ctx.contract_for(inv)
        if pair is not None and inv.total_with_tax is not None and inv.status != InvoiceStatus.void:
            by_contract[pair[0].file].append((doc, inv))
    contracts = {d.file: (d, c) for d, c in ctx.contracts}
    tolerance = Decimal(str(rule.params.get("tolerance", "0")))
    for cfile, invs in by_contract.items():
        cdoc, contract = contracts[cfile]
        if contract.total_amount is None:
            continue
        total = sum((i.total_with_tax for _, i in invs), Decimal(0))
        if total > contract.total_amount + tolerance:
            out.append(_finding(
                rule, f"发票价税合计累计 {_money(total)} 元，超过合同总金额 {_money(contract.total_amount)} 元。",
                [cdoc, *(d for d, _ in invs)],
                [f"{cdoc.file}#total_amount", *(f"{d.file}#total_with_tax" for d, _ in invs)],
                invoiced=str(total), contract_total=str(contract.total_amount),
            ))
    return out


@check("invoice_before_contract")
def invoice_before_contract(ctx: TradeContext, rule: Rule) -> list[Finding]:
    out = []
    for doc, inv in ctx.invoices:
        pair = ctx.contract_for(inv)
        if pair is None or inv.issue_date is None or pair[1].sign_date is None:
            continue
        cdoc, contract = pair
        if inv.issue_date < contract.sign_date:
            out.append(_finding(rule, f"发票开票日期 {inv.issue_date} 早于合同签订日期 {contract.sign_date}。",
                                [doc, cdoc], [f"{doc.file}#issue_date", f"{cdoc.file}#sign_date"]))
    return out


@check("invoice_window", WindowParams)
def invoice_window(ctx: TradeContext, rule: Rule) -> list[Finding]:
    fin = ctx.financing_date
    if fin is None:
        return []
    max_age, after = rule.params["max_age_days"], rule.params["max_days_after"]
    out = []
    for doc, inv in ctx.invoices:
        if inv.issue_date is None:
            continue
        age = (fin - inv.issue_date).days
        if age > max_age:
            out.append(_finding(rule, f"发票开票日期 {inv.issue_date} 距融资日 {fin} 已 {age} 天，超过允许的 {max_age} 天。",
                                [doc], [f"{doc.file}#issue_date"], days=age))
        elif -age > after:
            out.append(_finding(rule, f"发票开票日期 {inv.issue_date} 晚于融资日 {fin}（{-age} 天）。",
                                [doc], [f"{doc.file}#issue_date"], days=age))
    return out


@check("goods_mismatch")
def goods_mismatch(ctx: TradeContext, rule: Rule) -> list[Finding]:
    out = []
    for doc, inv in ctx.invoices:
        pair = ctx.contract_for(inv)
        if pair is None or not pair[1].lines:
            continue
        cdoc, contract = pair
        goods = [g for g in (goods_name(li.name) for li in contract.lines) if g]
        if not goods:
            continue
        for i, line in enumerate(inv.lines):
            name = goods_name(line.name)
            if name and not any(name == g or name in g or g in name for g in goods):
                out.append(_finding(
                    rule, f"发票货物「{line.name}」不在合同标的（{'、'.join(li.name or '' for li in contract.lines)}）之内。",
                    [doc, cdoc], [f"{doc.file}#lines.{i}.name"], goods=line.name,
                ))
    return out


@check("related_parties", RelatedParams)
def related_parties(ctx: TradeContext, rule: Rule) -> list[Finding]:
    labels = {"legal_rep": "法定代表人", "address": "地址", "phone": "电话", "account": "银行账号"}
    norm = {"phone": norm_phone, "account": _account}
    out = []
    pairs: list[tuple[ExtractedDocument, Party, Party]] = [(d, c.buyer, c.seller) for d, c in ctx.contracts]
    pairs += [(d, i.buyer, i.seller) for d, i in ctx.invoices]
    reported: set[str] = set()
    for doc, buyer, seller in pairs:
        for attr in rule.params["compare"]:
            f = norm.get(attr, norm_text)
            a, b = f(getattr(buyer, attr, None)), f(getattr(seller, attr, None))
            if a and a == b and attr not in reported:
                reported.add(attr)
                out.append(_finding(
                    rule, f"买方「{buyer.name}」与卖方「{seller.name}」的{labels.get(attr, attr)}相同（{getattr(buyer, attr)}），"
                          "疑似关联交易，应加强审查贸易背景与定价。",
                    [doc], [f"{doc.file}#buyer.{attr}", f"{doc.file}#seller.{attr}"], shared=attr,
                ))
    return out


@check("circular_trade", CircularParams)
def circular_trade(ctx: TradeContext, rule: Rule) -> list[Finding]:
    """A path from a contract's buyer back to its seller through other contracts closes a cycle.

    Breadth-first over companies (each visited once, parallel contracts merged), using the stored
    applications' contracts and this package's other contracts, within the date window.
    """
    window = dt.timedelta(days=rule.params["window_days"])
    max_hops = rule.params["max_chain"] - 1
    own = trade_edges(ctx)
    stored = [e for e in ctx.history.edges() if e.application_no != ctx.meta.application_no]
    alias = _aliases([*stored, *own])
    findings: list[Finding] = []
    cycles: set[frozenset[str]] = set()
    for cdoc, c in ctx.contracts:
        if not (c.buyer.name and c.seller.name):
            continue
        start, goal = alias(party_key(c.buyer)), alias(party_key(c.seller))
        if start == goal:
            continue
        graph: dict[str, dict[str, TradeEdge]] = defaultdict(dict)
        for e in [*stored, *(e for e in own if e.sign_date != c.sign_date or e.seller_name != c.seller.name)]:
            if c.sign_date and e.sign_date and abs(e.sign_date - c.sign_date) > window:
                continue
            graph[alias(e.seller_key)].setdefault(alias(e.buyer_key), e)
        parent: dict[str, tuple[str, TradeEdge]] = {}
        level, seen = [start], {start}
        for _ in range(max_hops):
            nxt = []
            for node in level:
                for succ, edge in graph.get(node, {}).items():
                    if succ not in seen:
                        seen.add(succ)
                        parent[succ] = (node, edge)
                        nxt.append(succ)
            if goal in seen or not nxt:
                break
            level = nxt
        if goal not in parent:
            continue
        path: list[TradeEdge] = []
        node = goal
        while node != start:
            node, edge = parent[node]
            path.append(edge)
        path.reverse()
        dates = [d for d in (c.sign_date, *(e.sign_date for e in path)) if d]
        if dates and (max(dates) - min(dates)) > window:  # the whole cycle must fit in the window
            continue
        cycle = frozenset({start, goal, *(alias(e.buyer_key) for e in path)})
        if cycle in cycles:  # A→B and B→A in one package: one finding, not two
            continue
        cycles.add(cycle)
        chain = [c.seller.name, c.buyer.name, *(e.buyer_name for e in path)]
        apps = [e.application_no for e in path]
        others = [a for a in dict.fromkeys(apps) if a != ctx.meta.application_no]
        where = f"涉及申请 {'、'.join(others)} 及本申请" if others else "均在本申请的合同之中"
        findings.append(_finding(
            rule, f"循环贸易：{' → '.join(chain)}（{where}），货物与资金可能在关联企业间空转。",
            [cdoc], [f"{cdoc.file}#seller.name", f"{cdoc.file}#buyer.name"], chain=chain, applications=apps,
        ))
    return findings


def _aliases(edges: list[TradeEdge]) -> Callable[[str], str]:
    """Map a "name:…" key to the company's credit code when another contract printed both."""
    by_name: dict[str, str] = {}
    for e in edges:
        for key, name in ((e.seller_key, e.seller_name), (e.buyer_key, e.buyer_name)):
            if not key.startswith("name:"):
                by_name.setdefault(f"name:{norm_text(name)}", key)
    return lambda key: by_name.get(key, key)


@check("no_delivery_evidence")
def no_delivery_evidence(ctx: TradeContext, rule: Rule) -> list[Finding]:
    if not ctx.contracts and not ctx.invoices or ctx.of(DeliveryNote):
        return []
    return [_finding(rule, "申请材料中没有送货单、入库单等物流或仓储证据，无法确认货物真实交付。",
                     [d for d, _ in ctx.contracts])]


@check("payment_back_to_borrower")
def payment_back_to_borrower(ctx: TradeContext, rule: Rule) -> list[Finding]:
    borrower = ctx.borrower
    counterparties = [c.seller for _, c in ctx.contracts] + [i.seller for _, i in ctx.invoices]
    out = []
    for doc, r in ctx.of(PaymentReceipt):
        if _matches(r.payee, borrower) and any(_matches(r.payer, cp) for cp in counterparties):
            out.append(_finding(
                rule, f"回单显示交易对手「{r.payer.name}」于 {r.date} 向借款人「{r.payee.name}」支付 {_money(r.amount)} 元，"
                      "资金回流借款人，贸易背景存疑。",
                [doc], [f"{doc.file}#payer.name", f"{doc.file}#payee.name"],
            ))
    return out


@check("payee_not_counterparty")
def payee_not_counterparty(ctx: TradeContext, rule: Rule) -> list[Finding]:
    borrower = ctx.borrower
    # only sellers the contracts identify: a seller whose name, code and account were all unreadable
    # cannot show that a payee is someone else
    sellers = [c.seller for _, c in ctx.contracts if _identified(c.seller)]
    if not sellers:
        return []
    out = []
    for doc, r in ctx.of(PaymentReceipt):
        if not _identified(r.payee):
            continue
        if _matches(r.payer, borrower) and not any(_matches(r.payee, s) for s in sellers):
            out.append(_finding(
                rule, f"借款人向「{r.payee.name}」付款 {_money(r.amount)} 元，收款人不是合同卖方。",
                [doc], [f"{doc.file}#payee.name"],
            ))
    return out


@check("red_or_void_invoice")
def red_or_void_invoice(ctx: TradeContext, rule: Rule) -> list[Finding]:
    """Any carrier of an invoice (PDF face, XML, scan) showing it red-letter or voided counts."""
    out = []
    reported: set[str] = set()
    for doc, inv in ctx.of(VatInvoice):
        key = invoice_key(inv) or doc.file
        if key in reported or inv.status == InvoiceStatus.normal:
            continue
        reported.add(key)
        label = invoice_key(inv) or inv.number or doc.file
        if inv.status == InvoiceStatus.red:
            ref = f"，冲销发票 {inv.red_ref}" if inv.red_ref else ""
            out.append(_finding(rule, f"发票 {label} 是红字（冲销）发票{ref}，不能作为融资依据。",
                                [doc], [f"{doc.file}#status"]))
        elif inv.status == InvoiceStatus.void:
            out.append(_finding(rule, f"发票 {label} 已作废，不能作为融资依据。", [doc], [f"{doc.file}#status"]))
    return out


@check("loan_contract_mismatch")
def loan_contract_mismatch(ctx: TradeContext, rule: Rule) -> list[Finding]:
    numbers = {norm_text(c.number) for _, c in ctx.contracts if c.number}
    out = []
    for doc, loan in ctx.of(LoanContract):
        ref = norm_text(loan.trade_contract_number)
        if ref and numbers and ref not in numbers:
            out.append(_finding(rule, f"借款合同对应的贸易合同编号 {loan.trade_contract_number} 不在申请材料中。",
                                [doc], [f"{doc.file}#trade_contract_number"]))
        if borrower := ctx.meta.borrower.name:
            if loan.borrower.name and norm_text(loan.borrower.name) != norm_text(borrower):
                out.append(_finding(rule, f"借款合同借款人「{loan.borrower.name}」与申请人「{borrower}」不一致。",
                                    [doc], [f"{doc.file}#borrower.name"]))
    return out


def run_rules(ctx: TradeContext, ruleset: RuleSet) -> list[Finding]:
    """Run every enabled rule; a check that fails unexpectedly becomes a finding, not a crash."""
    findings: list[Finding] = []
    for rule in ruleset.enabled():
        try:
            findings += CHECKS[rule.check].fn(ctx, rule)
        except Exception as exc:  # one broken rule must not hide the others, nor pass silently
            severity = rule.severity if rule.severity.rank >= Severity.error.rank else Severity.error
            findings.append(Finding(rule_id=rule.id, severity=severity,
                                    message=f"规则 {rule.id} 执行失败，需人工核查：{type(exc).__name__}: {exc}"))
    return findings


def trade_edges(ctx: TradeContext) -> list[TradeEdge]:
    """The edges this application adds to the bank-wide trade graph."""
    return [TradeEdge(party_key(c.seller), c.seller.name or "", party_key(c.buyer), c.buyer.name or "",
                      ctx.meta.application_no, c.sign_date)
            for _, c in ctx.contracts if c.seller.name and c.buyer.name]
