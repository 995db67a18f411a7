"""Arithmetic invariants of invoices and contracts (guide §1.7.6).

Invoice: line 金额 ≈ 数量 × 单价 (±0.01); line 税额 ≈ 金额 × 税率 (±0.06); cumulative computed − printed
税额 ≤ 1.27 (warning above 1.00); Σ line 金额 = 合计金额 and Σ 税额 = 合计税额 exactly; 价税合计 =
金额 + 税额 exactly; 大写 = 小写; 税率 ∈ {13, 9, 6, 5, 3, 1, 0}% or None (免税); a red invoice has only
negative amounts. Contract: 数量 × 单价 = 金额 (to the cent), Σ 金额 = 合同总金额, 大写 = 小写.
Checks whose inputs are None are skipped (missing fields are the extractor's findings).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xiaoyin.credit.documents.schemas import Contract, Finding, InvoiceStatus, LineItem, Severity, VatInvoice
from xiaoyin.credit.documents.validators import rmb_upper
from xiaoyin.credit.documents.validators.base import finding, money, num

LINE_AMOUNT_TOLERANCE = Decimal("0.01")
CONTRACT_LINE_TOLERANCE = Decimal("0.005")  # rounding to the cent
LINE_TAX_TOLERANCE = Decimal("0.06")
CUMULATIVE_TAX_LIMIT = Decimal("1.27")
CUMULATIVE_TAX_WARNING = Decimal("1.00")
LEGAL_RATES = frozenset(Decimal(r) for r in ("0.13", "0.09", "0.06", "0.05", "0.03", "0.01", "0"))


def _pct(rate: Decimal) -> str:
    return f"{num(rate * 100)}%"


def check_tax_rates(lines: Sequence[LineItem], *, documents: list[str] | None = None) -> list[Finding]:
    """``invoice.tax_rate`` (error) for each line whose rate is not a legal VAT rate / levy rate."""
    out = []
    for i, line in enumerate(lines):
        if line.tax_rate is not None and line.tax_rate not in LEGAL_RATES:
            out.append(finding("invoice.tax_rate", Severity.error,
                               f"第{i + 1}行税率 {_pct(line.tax_rate)} 不是法定税率或征收率（13%、9%、6%、5%、3%、1%、0%或免税）",
                               f"lines.{i}.tax_rate", documents, rate=line.tax_rate))
    return out


def check_line_amounts(lines: Sequence[LineItem], *, documents: list[str] | None = None,
                       tolerance: Decimal = LINE_AMOUNT_TOLERANCE, ignore_sign: bool = False) -> list[Finding]:
    """``arith.line_amount`` (error): |数量 × 单价 − 金额| > tolerance."""
    out = []
    for i, line in enumerate(lines):
        if line.quantity is None or line.unit_price is None or line.amount is None:
            continue
        product = line.quantity * line.unit_price
        diff = abs(abs(product) - abs(line.amount)) if ignore_sign else abs(product - line.amount)
        if diff > tolerance:
            out.append(finding("arith.line_amount", Severity.error,
                               f"第{i + 1}行金额 {money(line.amount)} 与数量 {num(line.quantity)} × 单价 "
                               f"{num(line.unit_price)} = {money(product)} 不符（差额 {money(diff)}，容差 ±{tolerance}）",
                               [f"lines.{i}.quantity", f"lines.{i}.unit_price", f"lines.{i}.amount"], documents,
                               expected=product, printed=line.amount, difference=diff))
    return out


def check_line_taxes(lines: Sequence[LineItem], *, documents: list[str] | None = None) -> list[Finding]:
    """``arith.line_tax`` (error) per line beyond ±0.06 and ``arith.tax_cumulative`` over the invoice."""
    out = []
    computed_sum = printed_sum = Decimal(0)
    for i, line in enumerate(lines):
        if line.amount is None or line.tax_rate is None or line.tax is None:
            continue
        computed = line.amount * line.tax_rate
        computed_sum += computed
        printed_sum += line.tax
        diff = abs(computed - line.tax)
        if diff > LINE_TAX_TOLERANCE:
            out.append(finding("arith.line_tax", Severity.error,
                               f"第{i + 1}行税额 {money(line.tax)} 与金额 {money(line.amount)} × 税率 "
                               f"{_pct(line.tax_rate)} = {money(computed)} 不符（差额 {money(diff)}，容差 ±0.06）",
                               [f"lines.{i}.amount", f"lines.{i}.tax_rate", f"lines.{i}.tax"], documents,
                               expected=computed, printed=line.tax, difference=diff))
    cumulative = abs(computed_sum - printed_sum)
    if cumulative > CUMULATIVE_TAX_WARNING:
        over = cumulative > CUMULATIVE_TAX_LIMIT
        out.append(finding("arith.tax_cumulative", Severity.error if over else Severity.warning,
                           f"各行税额累计误差 {money(cumulative)}（计算 {money(computed_sum)}，票面 {money(printed_sum)}）"
                           + ("超过上限 1.27" if over else "接近上限 1.27"),
                           [f"lines.{i}.tax" for i in range(len(lines))], documents,
                           computed=computed_sum, printed=printed_sum, difference=cumulative))
    return out


def check_sums(lines: Sequence[LineItem], total: Decimal | None, *, attr: str, rule_id: str, total_field: str,
               label: str, documents: list[str] | None = None, none_is_zero_if_exempt: bool = False) -> list[Finding]:
    """``rule_id`` (error) when Σ line ``attr`` differs from ``total`` (exact)."""
    if total is None or not lines:
        return []
    values = []
    for line in lines:
        value = getattr(line, attr)
        if value is None:
            if none_is_zero_if_exempt and line.tax_rate is None:
                value = Decimal(0)  # 免税 line: tax printed as *** or empty
            else:
                return []
        values.append(value)
    computed = sum(values, Decimal(0))
    if computed == total:
        return []
    return [finding(rule_id, Severity.error,
                    f"各行{label}之和 {money(computed)} 与{label}合计 {money(total)} 不符（差额 {money(total - computed)}）",
                    [total_field] + [f"lines.{i}.{attr}" for i in range(len(lines))], documents,
                    computed=computed, printed=total)]


def check_red_sign(invoice: VatInvoice, *, documents: list[str] | None = None) -> list[Finding]:
    """``arith.red_sign`` (error): a red invoice must have negative amounts; a blue one positive totals."""
    red = invoice.status == InvoiceStatus.red
    values: list[tuple[str, Decimal | None]] = [
        ("total_amount", invoice.total_amount), ("total_with_tax", invoice.total_with_tax)]
    if red:
        values += [(f"lines.{i}.amount", line.amount) for i, line in enumerate(invoice.lines)]
    bad = [path for path, value in values if value is not None and (value >= 0 if red else value < 0)]
    if red:
        bad += ["total_tax"] if invoice.total_tax is not None and invoice.total_tax > 0 else []
        bad += [f"lines.{i}.tax" for i, line in enumerate(invoice.lines) if line.tax is not None and line.tax > 0]
    if not bad:
        return []
    message = ("红字发票的金额应全部为负数，以下字段不是负数：" if red else "蓝字发票的合计金额不应为负数：") + "、".join(bad)
    return [finding("arith.red_sign", Severity.error, message, bad, documents, status=invoice.status.value)]


def check_invoice(invoice: VatInvoice, *, documents: list[str] | None = None) -> list[Finding]:
    """Every arithmetic invariant of a VAT invoice, including 大写 vs 小写 and the tax rates."""
    red = invoice.status == InvoiceStatus.red
    lines = invoice.lines
    out = check_tax_rates(lines, documents=documents)
    out += check_line_amounts(lines, documents=documents, ignore_sign=red)
    out += check_line_taxes(lines, documents=documents)
    out += check_sums(lines, invoice.total_amount, attr="amount", rule_id="arith.sum_amount",
                      total_field="total_amount", label="金额", documents=documents)
    out += check_sums(lines, invoice.total_tax, attr="tax", rule_id="arith.sum_tax", total_field="total_tax",
                      label="税额", documents=documents, none_is_zero_if_exempt=True)
    if None not in (invoice.total_amount, invoice.total_tax, invoice.total_with_tax):
        expected = invoice.total_amount + invoice.total_tax
        if expected != invoice.total_with_tax:
            out.append(finding("arith.total_with_tax", Severity.error,
                               f"价税合计（小写）{money(invoice.total_with_tax)} 不等于合计金额 {money(invoice.total_amount)}"
                               f" + 合计税额 {money(invoice.total_tax)} = {money(expected)}",
                               ["total_with_tax", "total_amount", "total_tax"], documents,
                               expected=expected, printed=invoice.total_with_tax))
    out += rmb_upper.check(invoice.total_with_tax_upper, "total_with_tax_upper", expected=invoice.total_with_tax,
                           expected_field="total_with_tax", label="价税合计", documents=documents, ignore_sign=red)
    out += check_red_sign(invoice, documents=documents)
    return out


def check_contract(contract: Contract, *, documents: list[str] | None = None) -> list[Finding]:
    """Contract lines (数量 × 单价 = 金额 to the cent), Σ = 合同总金额, 大写 = 小写."""
    out = check_line_amounts(contract.lines, documents=documents, tolerance=CONTRACT_LINE_TOLERANCE)
    out += check_sums(contract.lines, contract.total_amount, attr="amount", rule_id="arith.sum_amount",
                      total_field="total_amount", label="金额", documents=documents)
    out += rmb_upper.check(contract.total_amount_upper, "total_amount_upper", expected=contract.total_amount,
                           expected_field="total_amount", label="合同总金额", documents=documents)
    return out
