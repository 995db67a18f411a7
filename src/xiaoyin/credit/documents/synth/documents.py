"""Build consistent document models (the ground truth) for one trade: contract, invoices, loan, delivery, receipts.

Arithmetic follows the printed-invoice invariants: line tax = amount × rate rounded half-up to cents,
totals are exact sums, 大写 comes from ``cn2an.an2cn(x, "rmb")`` (negative amounts print ``（负数）``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import cn2an

from xiaoyin.credit.documents.schemas import (
    Contract,
    DeliveryNote,
    InvoiceKind,
    InvoiceStatus,
    LineItem,
    LoanContract,
    Party,
    PaymentReceipt,
    VatInvoice,
)
from xiaoyin.credit.documents.synth.goods import Goods
from xiaoyin.credit.documents.synth.identities import GIVEN, SURNAMES, Company

CENT = Decimal("0.01")
FPLX = {
    InvoiceKind.special: "01", InvoiceKind.ordinary: "04", InvoiceKind.e_ordinary: "10",
    InvoiceKind.digital_special: "31", InvoiceKind.digital_ordinary: "32",
}


def money(x: Decimal | int | str) -> Decimal:
    return Decimal(x).quantize(CENT, ROUND_HALF_UP)


def upper(x: Decimal) -> str:
    """大写 of an amount as printed on invoices/contracts/receipts (no 人民币 prefix)."""
    s = cn2an.an2cn(str(abs(money(x))), "rmb")
    return f"（负数）{s}" if x < 0 else s


def fmt_money(x: Decimal, sep: bool = False) -> str:
    return f"{money(x):,.2f}" if sep else f"{money(x):.2f}"


def fmt_date(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass(frozen=True)
class TradeItem:
    """One contract line: goods, spec, quantity and tax-included unit price."""

    goods: Goods
    spec: str
    quantity: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.price)


def trade_items(rng: random.Random, goods: list[Goods], n: int) -> list[TradeItem]:
    """``n`` contract lines from distinct goods of one category; amounts are exact cents."""
    items = []
    for g in rng.sample(goods, min(n, len(goods))):
        price = Decimal(round(g.price * rng.uniform(0.85, 1.15)))
        if rng.random() < 0.3:
            price += Decimal("0.50")
        target = rng.uniform(80_000, 1_500_000) / float(price)
        qty = Decimal(max(2, round(target)))
        if rng.random() < 0.2 and price == price.to_integral_value():
            qty += Decimal("0.5")
        items.append(TradeItem(g, rng.choice(g.specs), qty, price))
    return items


def split_quantity(rng: random.Random, q: Decimal, parts: int, share: float) -> list[Decimal]:
    """Split ``share`` of quantity ``q`` into ``parts`` positive pieces (step 0.5 if q is fractional)."""
    step = Decimal("0.5") if q != q.to_integral_value() else Decimal(1)
    total_steps = int((q * Decimal(share)) / step)
    total_steps = max(parts, total_steps)
    cuts = sorted(rng.sample(range(1, total_steps), parts - 1)) if parts > 1 and total_steps > parts else []
    if parts > 1 and not cuts:
        cuts = list(range(1, parts))
    bounds = [0, *cuts, total_steps]
    return [step * (b - a) for a, b in zip(bounds, bounds[1:], strict=False)]


def invoice_line(item: TradeItem, quantity: Decimal, digital: bool, sign: int = 1) -> LineItem:
    """An invoice line for ``quantity`` of a contract item: net = ⌊incl/(1+r)⌋, tax half-up.

    Rounding the net amount down keeps net + tax ≤ the tax-included contract amount.
    """
    g = item.goods
    incl = money(quantity * item.price)
    net = (incl / (1 + g.rate)).quantize(CENT, ROUND_DOWN)
    tax = money(net * g.rate)
    # invoicing software prints as many price decimals as the ±0.01 line check needs (6 to 13)
    places = next(p for p in range(6, 14)
                  if abs(quantity * (net / quantity).quantize(Decimal(1).scaleb(-p), ROUND_HALF_UP) - net)
                  <= Decimal("0.01"))
    unit = (net / quantity).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if not digital:  # traditional faces drop trailing zeros (at least 2 decimals)
        text = f"{unit:f}".rstrip("0")
        unit = Decimal(text + "0" * max(0, 2 - len(text.split(".")[1])))
    return LineItem(
        name=g.invoice_name, spec=item.spec, unit=g.unit,
        quantity=quantity * sign, unit_price=unit, amount=net * sign, tax_rate=g.rate, tax=tax * sign,
        tax_code=g.tax_code,
    )


class NumberSource:
    """Unique invoice codes/numbers, contract numbers and serials for a whole corpus."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        while True:
            v = make()
            if v not in self.used:
                self.used.add(v)
                return v

    def digits(self, n: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(n))

    def invoice_ids(self, kind: InvoiceKind, admin_code: str, date: dt.date) -> tuple[str | None, str]:
        r, yy, prov = self.rng, f"{date.year % 100:02d}", admin_code[:2]
        if kind.is_digital:
            return None, self._fresh(lambda: f"{yy}{prov}{r.choice('12')}{self.digits(15)}")
        if kind is InvoiceKind.special:
            code = f"{prov}00{yy}{r.randrange(10)}{r.choice('15')}{r.choice('36')}{r.choice('0123')}"
        elif kind is InvoiceKind.e_ordinary:
            code = f"0{prov}00{yy}{self.digits(3)}11"
        elif r.random() < 0.5:
            code = f"{prov}00{yy}{r.randrange(10)}{r.choice('36')}{r.choice('25')}{r.choice('0123')}"
        else:
            code = f"0{prov}00{yy}{self.digits(3)}{r.choice(('04', '05'))}"
        number = self._fresh(lambda: f"{code}:{self.digits(8)}").split(":")[1]
        return code, number

    def serial(self, prefix: str) -> str:
        return self._fresh(lambda: f"{prefix}{self.digits(4)}")


@dataclass
class InvoiceDoc:
    """An invoice with everything the face/XML prints beyond the schema."""

    data: VatInvoice  # full: parties with address/bank, lines with tax codes
    machine_no: str = ""
    crc: str = ""
    payee: str = ""
    reviewer: str = ""
    request_time: str = ""
    bureau_code: str = ""
    bureau_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> InvoiceKind:
        assert self.data.kind is not None
        return self.data.kind

    def qr_payload(self) -> str:
        d = self.data
        assert d.issue_date is not None and d.total_amount is not None
        return (f"01,{FPLX[self.kind]},{d.code or ''},{d.number},{fmt_money(d.total_amount)},"
                f"{d.issue_date:%Y%m%d},{d.check_code or ''},{self.crc},")

    def printed(self, medium: str) -> VatInvoice:
        """Ground truth for one medium: ``"pdf"`` (what the face prints) or ``"xml"``."""
        d = self.data.model_copy(deep=True)
        for p in (d.buyer, d.seller):
            p.legal_rep = None
            if medium == "pdf" and self.kind.is_digital:
                p.address = p.phone = p.bank = p.account = None
        if medium == "pdf":
            for li in d.lines:
                li.tax_code = None
        return d


def build_invoice(rng: random.Random, numbers: NumberSource, kind: InvoiceKind, seller: Company, buyer: Company,
                  lines: list[LineItem], issue_date: dt.date, *, remarks: str | None = None,
                  status: InvoiceStatus = InvoiceStatus.normal, red_ref: str | None = None) -> InvoiceDoc:
    code, number = numbers.invoice_ids(kind, seller.region.admin_code, issue_date)
    total = sum((li.amount for li in lines), Decimal(0))
    tax = sum((li.tax for li in lines), Decimal(0))
    ordinary = kind in (InvoiceKind.ordinary, InvoiceKind.e_ordinary)
    data = VatInvoice(
        kind=kind, code=code, number=number, issue_date=issue_date,
        check_code=numbers.digits(20) if ordinary else None,
        buyer=buyer.party(legal_rep=False), seller=seller.party(legal_rep=False), lines=lines,
        total_amount=total, total_tax=tax, total_with_tax=total + tax, total_with_tax_upper=upper(total + tax),
        remarks=remarks or None, drawer=person(rng), status=status, red_ref=red_ref,
    )
    return InvoiceDoc(
        data, machine_no="" if kind.is_digital else numbers.digits(12),
        crc=f"{rng.randrange(16 ** 4):04X}", payee=person(rng), reviewer=person(rng),
        request_time=f"{issue_date:%Y-%m-%d} {rng.randint(8, 18):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
        bureau_code=f"1{seller.region.admin_code[:4]}000000",
        bureau_name=f"国家税务总局{seller.region.city}市税务局",
    )


def red_of(rng: random.Random, numbers: NumberSource, blue: InvoiceDoc, seller: Company, buyer: Company,
           issue_date: dt.date) -> InvoiceDoc:
    """A red-letter invoice fully reversing ``blue``."""
    b = blue.data
    lines = [li.model_copy(update={"quantity": -li.quantity, "amount": -li.amount, "tax": -li.tax})  # type: ignore[operator]
             for li in b.lines]
    if blue.kind.is_digital:
        ref, remark = b.number, f"被红冲蓝字数电发票号码：{b.number}"
    else:
        ref, remark = f"{b.code}-{b.number}", f"对应正数发票代码:{b.code}号码:{b.number}"
    return build_invoice(rng, numbers, blue.kind, seller, buyer, lines, issue_date, remarks=remark,
                         status=InvoiceStatus.red, red_ref=ref)


CONTRACT_TITLES = ("购销合同", "产品购销合同", "工业品买卖合同")
PAYMENT_TERMS = (
    "合同签订后买方支付合同总金额的30%作为预付款，货到验收合格后30日内支付剩余货款",
    "货到验收合格并收到卖方开具的增值税专用发票后60日内以银行转账方式付清全部货款",
    "买方以银行转账方式分两期付款：签订后7日内付50%，到货后15日内付清余款",
)


def build_contract(rng: random.Random, number: str, seller: Company, buyer: Company, items: list[TradeItem],
                   sign_date: dt.date) -> Contract:
    total = sum((i.amount for i in items), Decimal(0))
    return Contract(
        number=number, title=rng.choice(CONTRACT_TITLES), sign_date=sign_date,
        buyer=buyer.party(), seller=seller.party(),
        lines=[LineItem(name=i.goods.name, spec=i.spec, unit=i.goods.unit, quantity=i.quantity,
                        unit_price=money(i.price), amount=i.amount) for i in items],
        total_amount=total, total_amount_upper=upper(total),
        delivery_date=sign_date + dt.timedelta(days=rng.randint(20, 60)),
        delivery_place=f"{buyer.address}（买方仓库）" if rng.random() < 0.5 else buyer.address,
        payment_terms=rng.choice(PAYMENT_TERMS),
    )


def build_loan(rng: random.Random, number: str, lender: str, borrower: Company, amount: Decimal,
               financing_date: dt.date, trade_contract_number: str, purpose: str) -> LoanContract:
    months = rng.choice((6, 12))
    end_month = financing_date.month - 1 + months
    end = dt.date(financing_date.year + end_month // 12, end_month % 12 + 1, min(financing_date.day, 28))
    return LoanContract(
        number=number, sign_date=financing_date - dt.timedelta(days=rng.randint(0, 4)),
        lender=Party(name=lender), borrower=borrower.party(contact=False, bank=False).model_copy(
            update={"address": borrower.address}),
        amount=money(amount), amount_upper=upper(money(amount)),
        annual_rate=Decimal(rng.choice(("0.0345", "0.0365", "0.0385", "0.0405", "0.0435", "0.0460"))),
        start_date=financing_date, end_date=end - dt.timedelta(days=1), purpose=purpose,
        trade_contract_number=trade_contract_number,
    )


def build_delivery(rng: random.Random, number: str, kind: str, seller: Company, buyer: Company,
                   contract_number: str, items: list[TradeItem], date: dt.date) -> DeliveryNote:
    return DeliveryNote(
        kind=kind,  # type: ignore[arg-type]
        number=number, date=date, consignor=Party(name=seller.name), consignee=Party(name=buyer.name),
        contract_number=contract_number,
        lines=[LineItem(name=i.goods.name, spec=i.spec, unit=i.goods.unit, quantity=i.quantity) for i in items],
        warehouse=f"{buyer.name[:-4]}{rng.choice(('一号仓库', '原料仓', '成品库', '中心仓库'))}"
        if kind == "warehouse_receipt" else None,
    )


def build_receipt(serial: str, payer: Company, payee: Company, amount: Decimal, date: dt.date,
                  purpose: str) -> PaymentReceipt:
    return PaymentReceipt(
        serial=serial, date=date,
        payer=Party(name=payer.name, account=payer.account, bank=payer.bank),
        payee=Party(name=payee.name, account=payee.account, bank=payee.bank),
        amount=money(amount), amount_upper=upper(money(amount)), purpose=purpose,
    )
