"""Build a benchmark/test corpus of loan applications with documents, ground truth and planted red flags.

Layout::

    out/apps/<application_no>/application.json + document files (.pdf .xml .jpg .png)
    out/truth/<application_no>.json   {"application", "documents": {file: {doc_type, input_kind, data}}, "flags"}
    out/manifest.json                 counts by doc type / input kind, flags planted, seed

Applications are meant to be verified in order of ``application_no`` into one database: duplicate
financing and circular trade refer to earlier applications.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    InvoiceKind,
    InvoiceStatus,
)
from xiaoyin.credit.documents.synth import documents as D
from xiaoyin.credit.documents.synth import render_pdf, render_xml, scan
from xiaoyin.credit.documents.synth.goods import CATEGORIES, INDUSTRY_WORDS, SERVICES, goods_of
from xiaoyin.credit.documents.synth.identities import Company, CompanyFactory, corrupt_uscc
from xiaoyin.credit.documents.synth.plan import FlagPlan

KINDS = ("text", "xml", "scan")
SCAN_SHARE = 0.3
START = dt.date(2024, 3, 1)
TRADITIONAL = (InvoiceKind.special, InvoiceKind.ordinary, InvoiceKind.e_ordinary)


class CorpusManifest(BaseModel):
    seed: int
    applications: list[str]
    kinds: list[str]
    scan_dpi: int
    documents: int
    by_doc_type: dict[str, int]
    by_input_kind: dict[str, int]
    flags: dict[str, int]
    flagged_applications: int
    seconds: float = 0.0


@dataclass
class _Doc:
    doc_type: str
    input_kind: str
    data: BaseModel
    payload: bytes
    ext: str
    role: str  # contract | loan | invoice:<k> | delivery | receipt:<k>
    name: str = ""


@dataclass
class _Trade:
    """State kept per application for later ones (duplicates, cycles)."""

    seller: Company
    buyer: Company
    contract: Contract
    items: list[D.TradeItem]
    invoices: list[D.InvoiceDoc]
    deliveries: list[DeliveryNote]
    financing_date: dt.date
    application_no: str


@dataclass
class _App:
    no: str
    financing: dt.date
    flags: list[dict[str, Any]] = field(default_factory=list)
    docs: list[_Doc] = field(default_factory=list)
    amount: Decimal = Decimal(0)
    borrower: Company | None = None


class _Generator:
    def __init__(self, out: Path, n: int, seed: int, kinds: tuple[str, ...], dpi: int) -> None:
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; use {KINDS}")
        self.out, self.n, self.seed, self.kinds, self.dpi = out, n, seed, kinds, dpi
        self.rng = random.Random(seed)
        self.companies = CompanyFactory(self.rng)
        self.numbers = D.NumberSource(self.rng)
        self.plan = FlagPlan(n, self.rng)
        self.lender = self.companies.lender()
        self.trades: dict[int, _Trade] = {}
        self.cycles: dict[int, tuple[list[Company], str]] = {}

    # ------------------------------------------------------------ media
    def _scan(self, pdf: bytes, allow_image: bool = True) -> tuple[str, bytes, str]:
        s = self.rng.randrange(2**31)
        pages = scan.render_pages(pdf, 10)
        if allow_image and len(pages) == 1 and self.rng.random() < 0.5:
            fmt = "jpg" if self.rng.random() < 0.7 else "png"
            return "image", scan.scan_images(pdf, s, self.dpi, fmt)[0], fmt
        return "scan_pdf", scan.scan_pdf(pdf, s, self.dpi), "pdf"

    def _media(self, pdf: bytes, scannable: bool = True) -> tuple[str, bytes, str]:
        """text PDF or (share of the time, when allowed) a degraded scan."""
        if "scan" in self.kinds and scannable and ("text" not in self.kinds or self.rng.random() < SCAN_SHARE):
            return self._scan(pdf)
        return "text_pdf", pdf, "pdf"

    def _add(self, app: _App, doc_type: str, data: BaseModel, pdf: bytes, role: str, scannable: bool = True) -> None:
        kind, payload, ext = self._media(pdf, scannable)
        app.docs.append(_Doc(doc_type, kind, data, payload, ext, role))

    def _add_invoice(self, app: _App, inv: D.InvoiceDoc, k: int) -> None:
        role = f"invoice:{k}"
        if inv.kind.is_digital:
            has_xml, has_text = "xml" in self.kinds, "text" in self.kinds or "scan" not in self.kinds
            r = self.rng.random()
            want_pdf = has_text and (not has_xml or r < 0.75)
            want_xml = has_xml and (not has_text or r >= 0.35)
            if want_pdf:
                app.docs.append(_Doc("vat_invoice", "text_pdf", inv.printed("pdf"),
                                     render_pdf.render_invoice(inv, self.rng), "pdf", role))
            if want_xml:
                app.docs.append(_Doc("vat_invoice", "xml", inv.printed("xml"), render_xml.render_invoice_xml(inv),
                                     "xml", role))
            if not (want_pdf or want_xml):  # scans only
                kind, payload, ext = self._scan(render_pdf.render_invoice(inv, self.rng))
                app.docs.append(_Doc("vat_invoice", kind, inv.printed("pdf"), payload, ext, role))
        else:
            self._add(app, "vat_invoice", inv.printed("pdf"), render_pdf.render_invoice(inv, self.rng), role)

    def _files(self, app: _App, role_prefix: str) -> list[str]:
        return [d.name for d in app.docs if d.role == role_prefix or d.role.startswith(role_prefix + ":")]

    # ------------------------------------------------------------ parties
    def _company(self, category: str | None = None) -> Company:
        cat = category or self.rng.choice(CATEGORIES)
        return self.companies.company(self.rng.choice(INDUSTRY_WORDS[cat]), cat)

    def _parties(self, i: int, flags: list[str]) -> tuple[Company, Company, str]:
        if i in self.plan.cycle:
            pos, cid = self.plan.cycle[i]
            if cid not in self.cycles:
                cat = self.rng.choice(CATEGORIES)
                self.cycles[cid] = ([self._company(cat) for _ in range(3)], cat)
            ring, cat = self.cycles[cid]
            return ring[pos], ring[(pos + 1) % 3], cat
        cat = self.rng.choice(CATEGORIES)
        seller, buyer = self._company(cat), self._company()
        if "trade.related_parties" in flags:
            seller = self.companies.sharing(buyer, seller, self.rng.choice(("legal_rep", "address", "phone")))
        if "uscc.checksum" in flags:
            seller = replace(seller, uscc=corrupt_uscc(seller.uscc, self.rng))
        return seller, buyer, cat

    # ------------------------------------------------------------ one application
    def build(self, i: int, financing: dt.date) -> _App:
        rng, flags = self.rng, list(self.plan.flags[i])
        no = f"SCF-{financing.year}-{i + 1:04d}"
        app = _App(no, financing)
        if "trade.duplicate_financing" in flags and not self._duplicate(app, i, flags):
            flags[flags.index("trade.duplicate_financing")] = "trade.no_delivery_evidence"
        if "trade.duplicate_financing" in flags:
            return app
        seller, buyer, cat = self._parties(i, flags)
        items = D.trade_items(rng, goods_of(cat), rng.choice((1, 2, 2, 3, 4)))
        old = "trade.invoice_outside_window" in flags and rng.random() < 0.5
        sign = financing - dt.timedelta(days=rng.randint(200, 240) if old else rng.randint(30, 150))
        cno = f"{rng.choice(('GX', 'CG', 'HT'))}-{sign.year}-{self.numbers.serial('')}"
        contract = D.build_contract(rng, cno, seller, buyer, items, sign)
        invoices = self._invoices(app, flags, seller, buyer, items, contract, old)
        deliveries = [] if "trade.no_delivery_evidence" in flags else self._deliveries(seller, buyer, contract, items)
        # documents: contract, loan, invoices, deliveries, receipts
        if "trade.missing_contract" not in flags:
            self._add(app, "contract", contract, render_pdf.render_contract(contract, rng), "contract")
        self._loan(app, buyer, seller, contract)
        for k, inv in enumerate(invoices):
            self._add_invoice(app, inv, k)
        for k, dn in enumerate(deliveries):
            self._add(app, "delivery_note", dn, render_pdf.render_delivery_note(dn, rng), f"delivery:{k}")
        self._receipts(app, flags, buyer, seller, contract)
        self.trades[i] = _Trade(seller, buyer, contract, items, invoices, deliveries, financing, no)
        self._name_files(app)
        self._record_flags(app, i, flags, invoices)
        return app

    def _dates(self, lo: dt.date, hi: dt.date, k: int) -> list[dt.date]:
        span = max(0, (hi - lo).days)
        return sorted(lo + dt.timedelta(days=self.rng.randint(0, span)) for _ in range(k))

    def _invoices(self, app: _App, flags: list[str], seller: Company, buyer: Company, items: list[D.TradeItem],
                  contract: Contract, old: bool) -> list[D.InvoiceDoc]:
        rng, f = self.rng, app.financing
        n_inv = rng.choice((1, 2, 2, 3))
        share = rng.uniform(1.12, 1.3) if "trade.amount_exceeds_contract" in flags else rng.uniform(0.6, 0.95)
        if "trade.goods_mismatch" in flags:
            share = min(share, 0.75)
        splits = [D.split_quantity(rng, it.quantity, n_inv, share) for it in items]
        sign = contract.sign_date
        assert sign is not None
        lo = max(sign + dt.timedelta(days=1), f - dt.timedelta(days=175))
        dates = self._dates(lo, f, n_inv)
        kinds = [rng.choice(list(InvoiceKind)) for _ in range(n_inv)]
        if "amount.upper_mismatch" in flags:
            kinds[0] = rng.choice((InvoiceKind.special, InvoiceKind.ordinary))
        if "trade.invoice_before_contract" in flags:
            dates[-1] = sign - dt.timedelta(days=rng.randint(3, 25))
        if "trade.invoice_outside_window" in flags:
            dates[-1] = (self._dates(sign + dt.timedelta(days=1), f - dt.timedelta(days=185), 1)[0] if old
                         else f + dt.timedelta(days=rng.randint(2, 20)))
        out = []
        for k in range(n_inv):
            digital = kinds[k].is_digital
            lines = [D.invoice_line(it, sp[k], digital) for it, sp in zip(items, splits, strict=True) if sp[k] > 0]
            if "trade.goods_mismatch" in flags and k == n_inv - 1:
                g = rng.choice([*SERVICES, *[x for c in CATEGORIES if c != items[0].goods.category for x in goods_of(c)]])
                budget = float(contract.total_amount or 0) * 0.08
                foreign = D.TradeItem(g, g.specs[0], Decimal(max(1, int(budget / g.price))), Decimal(g.price))
                lines = [*lines[:3], D.invoice_line(foreign, foreign.quantity, digital)]
            s, b = seller, buyer
            if "trade.party_mismatch" in flags and k == n_inv - 1:
                variant = rng.randrange(3)
                other = self._company(seller.industry)
                if variant == 0:
                    s = other
                elif variant == 1:
                    b = replace(other, industry=buyer.industry)
                else:
                    s = replace(seller, uscc=other.uscc)
            remark = rng.choice(("", "", f"合同编号：{contract.number}", "货款"))
            inv = D.build_invoice(rng, self.numbers, kinds[k], s, b, lines, dates[k], remarks=remark)
            out.append(inv)
        if "amount.upper_mismatch" in flags:
            d = out[0].data
            total = d.total_with_tax or Decimal(0)
            delta = Decimal(rng.choice(("0.10", "1", "9", "10", "100", "1000", "0.01")))
            wrong = total + delta if rng.random() < 0.5 or total - delta <= 0 else total - delta
            d.total_with_tax_upper = D.upper(wrong)
        if "trade.red_or_void_invoice" in flags:
            # 数电发票 cannot be voided (作废), only reversed by a red-letter invoice
            if rng.random() < 0.5 or (out[-1].data.kind is not None and out[-1].data.kind.is_digital):
                blue = out[-1]
                assert blue.data.issue_date is not None
                when = min(f, blue.data.issue_date + dt.timedelta(days=rng.randint(1, 10)))
                out.append(D.red_of(rng, self.numbers, blue, seller, buyer, when))
            else:
                out[-1].data.status = InvoiceStatus.void
        return out

    def _deliveries(self, seller: Company, buyer: Company, contract: Contract,
                    items: list[D.TradeItem]) -> list[DeliveryNote]:
        rng = self.rng
        sign = contract.sign_date
        assert sign is not None and contract.number is not None
        kinds = rng.choice((["delivery"], ["delivery"], ["warehouse_receipt"], ["delivery", "warehouse_receipt"]))
        date = self._dates(sign + dt.timedelta(days=2), sign + dt.timedelta(days=25), 1)[0]
        out = []
        for kind in kinds:
            prefix = "SH" if kind == "delivery" else "RK"
            number = f"{prefix}-{date:%Y%m%d}-{self.numbers.serial('')[-3:]}"
            out.append(D.build_delivery(rng, number, kind, seller, buyer, contract.number, items, date))
        return out

    def _loan(self, app: _App, buyer: Company, seller: Company, contract: Contract) -> None:
        rng = self.rng
        total = contract.total_amount or Decimal(0)
        amount = max(Decimal(10000), (total * Decimal(rng.uniform(0.5, 0.8)) / 10000).to_integral_value() * 10000)
        number = rng.choice((f"LD{app.financing.year}{self.numbers.serial('')}",
                             f"{app.financing.year}年流借字第{self.numbers.serial('')}号"))
        goods = contract.lines[0].name if contract.lines else "货物"
        purpose = rng.choice((f"支付{seller.name}{goods}采购货款", f"采购{goods}", "日常经营周转（购买原材料）"))
        loan = D.build_loan(rng, number, self.lender, buyer, amount, app.financing, contract.number or "", purpose)
        self._add(app, "loan_contract", loan, render_pdf.render_loan_contract(loan, rng), "loan", scannable=False)
        app.amount, app.borrower = amount, buyer

    def _receipts(self, app: _App, flags: list[str], buyer: Company, seller: Company, contract: Contract) -> None:
        rng = self.rng
        sign = contract.sign_date
        assert sign is not None
        total = contract.total_amount or Decimal(0)
        first = (total * Decimal(rng.uniform(0.2, 0.3)) / 100).to_integral_value() * 100
        pay_date = min(app.financing, sign + dt.timedelta(days=rng.randint(1, 10)))
        receipts = [(buyer, seller, first, pay_date, rng.choice(("货款", "预付货款", f"{contract.number}合同预付款")))]
        if rng.random() < 0.5:
            receipts.append((buyer, seller, app.amount, app.financing, "货款（贷款受托支付）"))
        if "trade.payment_back_to_borrower" in flags:
            back = (first * Decimal(rng.uniform(0.9, 1.0)) / 100).to_integral_value() * 100
            receipts.append((seller, buyer, back, pay_date + dt.timedelta(days=rng.randint(1, 7)),
                             rng.choice(("往来款", "退回货款", "借款"))))
        for k, (payer, payee, amt, date, purpose) in enumerate(receipts):
            pr = D.build_receipt(self.numbers.serial(f"{date:%Y%m%d}{self.numbers.digits(8)}"), payer, payee, amt, date,
                                 purpose)
            self._add(app, "payment_receipt", pr, render_pdf.render_receipt(pr, rng, payer.bank_short), f"receipt:{k}")

    def _duplicate(self, app: _App, i: int, flags: list[str]) -> bool:
        """Re-submit an earlier clean application's contract with one of its invoices."""
        for j in sorted((j for j in self.plan.clean | set(range(i)) if j < i and j in self.trades
                         and not self.plan.flags[j] and j not in self.plan.cycle), reverse=True):
            t = self.trades[j]
            fits = [inv for inv in t.invoices if inv.data.issue_date and
                    (app.financing - inv.data.issue_date).days <= 175 and inv.data.status is InvoiceStatus.normal]
            if not fits:
                continue
            inv = fits[-1]
            rng = self.rng
            self._add(app, "contract", t.contract, render_pdf.render_contract(t.contract, rng), "contract")
            self._loan(app, t.buyer, t.seller, t.contract)
            self._add_invoice(app, inv, 0)
            for k, dn in enumerate(t.deliveries):
                self._add(app, "delivery_note", dn, render_pdf.render_delivery_note(dn, rng), f"delivery:{k}")
            self._receipts(app, [], t.buyer, t.seller, t.contract)
            self._name_files(app)
            app.flags.append({"rule_id": "trade.duplicate_financing", "documents": self._files(app, "invoice"),
                              "note": f"发票 {inv.data.code or ''}{'-' if inv.data.code else ''}{inv.data.number} "
                                      f"已用于此前的融资申请 {t.application_no}"})
            return True
        return False

    def _name_files(self, app: _App) -> None:
        order = list(range(len(app.docs)))
        self.rng.shuffle(order)
        for pos, idx in enumerate(order):
            d = app.docs[idx]
            d.name = f"{pos + 1:02d}.{d.ext}"

    def _record_flags(self, app: _App, i: int, flags: list[str], invoices: list[D.InvoiceDoc]) -> None:
        contract = self._files(app, "contract")
        inv_files = self._files(app, "invoice")
        last = self._files(app, f"invoice:{len(invoices) - 1}")
        notes = {
            "trade.party_mismatch": (contract + last, "发票购销双方名称或税号与购销合同不一致"),
            "trade.amount_exceeds_contract": (contract + inv_files, "发票价税合计之和超过合同总金额"),
            "trade.invoice_before_contract": (contract + last, "发票开票日期早于合同签订日期"),
            "trade.invoice_outside_window": (last, "发票开票日期超出融资日前180天窗口或晚于融资日"),
            "trade.goods_mismatch": (contract + last, "发票货物不在合同约定的货物范围内"),
            "trade.related_parties": (contract, "合同买卖双方法定代表人、地址或电话相同"),
            "trade.no_delivery_evidence": ([], "申请材料中没有送货单或入库单"),
            "trade.payment_back_to_borrower": (self._files(app, "receipt"), "借款人付款后销售方短期内回款给借款人"),
            "trade.missing_contract": ([], "申请材料中没有购销合同"),
        }
        for rule in flags:
            if rule in notes:
                docs, note = notes[rule]
            elif rule == "trade.red_or_void_invoice":
                red = invoices[-1].data.status is InvoiceStatus.red
                docs = self._files(app, f"invoice:{len(invoices) - 1}") + (
                    self._files(app, f"invoice:{len(invoices) - 2}") if red else [])
                note = "申请材料包含红字发票（冲销）" if red else "申请材料包含已作废发票"
            elif rule == "trade.circular_trade":
                ring = [self.trades[j].application_no for j in (i - 2, i - 1)] + [app.no]
                docs, note = contract, "三笔申请的合同构成循环贸易 A→B→C→A: " + "、".join(ring)
            elif rule == "amount.upper_mismatch":
                docs, note = self._files(app, "invoice:0"), "发票价税合计大写与小写金额不一致"
            elif rule == "uscc.checksum":
                docs = [d.name for d in app.docs if d.doc_type in ("contract", "vat_invoice")]
                note = "销售方统一社会信用代码校验位错误（所有单据一致印刷）"
            else:
                continue
            app.flags.append({"rule_id": rule, "documents": sorted(docs), "note": note})

    # ------------------------------------------------------------ write
    def write(self, app: _App) -> dict[str, Any]:
        borrower = app.borrower
        assert borrower is not None
        application = {"application_no": app.no, "borrower": {"name": borrower.name, "tax_id": borrower.uscc},
                       "financing_date": app.financing.isoformat(), "amount": D.fmt_money(app.amount),
                       "product": self.rng.choice(("订单融资", "采购融资", "流动资金贷款"))}
        d = self.out / "apps" / app.no
        d.mkdir(parents=True, exist_ok=True)
        (d / "application.json").write_text(json.dumps(application, ensure_ascii=False, indent=2), encoding="utf-8")
        docs = {}
        for doc in sorted(app.docs, key=lambda x: x.name):
            (d / doc.name).write_bytes(doc.payload)
            docs[doc.name] = {"doc_type": doc.doc_type, "input_kind": doc.input_kind,
                              "data": doc.data.model_dump(mode="json")}
        truth = {"application": application, "documents": docs, "flags": app.flags}
        (self.out / "truth").mkdir(parents=True, exist_ok=True)
        (self.out / "truth" / f"{app.no}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2),
                                                          encoding="utf-8")
        return truth


def generate_corpus(out: Path, *, applications: int = 40, seed: int = 7,
                    kinds: tuple[str, ...] | list[str] = KINDS, scan_dpi: int = 200) -> CorpusManifest:
    """Generate ``applications`` loan applications under ``out`` (see module docstring); deterministic for a seed.

    ``kinds`` limits the media: "text" (text PDFs), "xml" (数电 XML), "scan" (degraded images / image-only
    PDFs). Loan contracts are always text PDFs.
    """
    import time

    t0 = time.perf_counter()
    out = Path(out)
    g = _Generator(out, applications, seed, tuple(kinds), scan_dpi)
    by_type: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    names, flagged, date = [], 0, START
    for i in range(applications):
        date += dt.timedelta(days=g.rng.randint(3, 6))
        app = g.build(i, date)
        truth = g.write(app)
        names.append(app.no)
        for doc in truth["documents"].values():
            by_type[doc["doc_type"]] += 1
            by_kind[doc["input_kind"]] += 1
        for fl in app.flags:
            flags[fl["rule_id"]] += 1
        flagged += bool(app.flags)
    manifest = CorpusManifest(
        seed=seed, applications=names, kinds=list(kinds), scan_dpi=scan_dpi, documents=sum(by_type.values()),
        by_doc_type=dict(sorted(by_type.items())), by_input_kind=dict(sorted(by_kind.items())),
        flags=dict(sorted(flags.items())), flagged_applications=flagged,
    )
    (out / "manifest.json").write_text(manifest.model_dump_json(indent=2, exclude={"seconds"}), encoding="utf-8")
    manifest.seconds = round(time.perf_counter() - t0, 2)
    return manifest


__all__ = ["CorpusManifest", "generate_corpus"]
