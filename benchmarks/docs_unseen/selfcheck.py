#!/usr/bin/env python
"""Sanity checks on a generated corpus (not on any extractor): identifiers, arithmetic, 大写, flag
invariants, and — for text PDFs — that every truth string is present in the PDF text layer.

Usage: selfcheck.py DIR
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
from stdnum.cn import uscc

CN = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}


def parse_upper(s: str) -> Decimal:
    s = s.replace("圆", "元").replace("整", "").replace("正", "")
    yuan, _, frac = s.partition("元")
    def part(t):
        total, sec, num = 0, 0, 0
        for ch in t:
            if ch in CN:
                num = CN[ch]
            elif ch in "拾佰仟":
                sec += (num or 1) * {"拾": 10, "佰": 100, "仟": 1000}[ch]
                num = 0
            elif ch == "万":
                total += (sec + num) * 10000
                sec = num = 0
            elif ch == "亿":
                total = (total + sec + num) * 100000000
                sec = num = 0
        return total + sec + num
    v = Decimal(part(yuan))
    m = re.search("(.)角", frac)
    if m:
        v += Decimal(CN[m.group(1)]) / 10
    m = re.search("(.)分", frac)
    if m:
        v += Decimal(CN[m.group(1)]) / 100
    return v


def strings(d):
    if isinstance(d, dict):
        for k, v in d.items():
            if k in ("doc_type", "kind", "tax_rate", "title"):
                continue
            yield from strings(v)
    elif isinstance(d, list):
        for v in d:
            yield from strings(v)
    elif isinstance(d, str):
        yield d


def norm(s):
    return re.sub(r"[\s,，]", "", s)


def main(root):
    root = Path(root)
    errors = []
    n_docs = 0
    for tf in sorted((root / "truth").glob("*.json")):
        t = json.loads(tf.read_text("utf-8"))
        app = t["application"]
        fin = dt.date.fromisoformat(app["financing_date"])
        docs = t["documents"]
        flag = t["flags"][0]["rule_id"] if t["flags"] else None
        assert uscc.is_valid(app["borrower"]["tax_id"]), app
        con = next(e["data"] for e in docs.values() if e["doc_type"] == "contract")
        invs = [e["data"] for e in docs.values() if e["doc_type"] == "vat_invoice"]
        for name, e in docs.items():
            n_docs += 1
            d = e["data"]
            for side in ("buyer", "seller", "consignor", "consignee"):
                tid = d.get(side, {}).get("tax_id")
                if tid and not uscc.is_valid(tid):
                    errors.append(f"{tf.name}:{name}: bad USCC {tid}")
            if e["doc_type"] == "vat_invoice":
                ta = sum(Decimal(l["amount"]) for l in d["lines"])
                tx = sum(Decimal(l["tax"]) for l in d["lines"])
                for l in d["lines"]:
                    if abs(Decimal(l["quantity"]) * Decimal(l["unit_price"]) - Decimal(l["amount"])) > Decimal("0.01"):
                        errors.append(f"{tf.name}:{name}: qty×price")
                    if abs(Decimal(l["amount"]) * Decimal(l["tax_rate"]) - Decimal(l["tax"])) > Decimal("0.01"):
                        errors.append(f"{tf.name}:{name}: tax")
                if ta != Decimal(d["total_amount"]) or tx != Decimal(d["total_tax"]) or ta + tx != Decimal(d["total_with_tax"]):
                    errors.append(f"{tf.name}:{name}: totals")
                if parse_upper(d["total_with_tax_upper"]) != Decimal(d["total_with_tax"]):
                    errors.append(f"{tf.name}:{name}: upper {d['total_with_tax_upper']} != {d['total_with_tax']}")
                num = d["number"]
                if "电子发票" in d["kind"]:
                    assert re.fullmatch(r"\d{20}", num) and "code" not in d
                else:
                    assert re.fullmatch(r"\d{8}", num) and re.fullmatch(r"\d{10}|0\d{11}", d["code"]), d
            if e["doc_type"] == "contract":
                if parse_upper(d["total_amount_upper"]) != Decimal(d["total_amount"]):
                    errors.append(f"{tf.name}:{name}: contract upper")
            if e["doc_type"] == "payment_receipt":
                if parse_upper(d["amount_upper"]) != Decimal(d["amount"]):
                    errors.append(f"{tf.name}:{name}: receipt upper")
            if e["input_kind"] == "text_pdf":
                pdf = pdfium.PdfDocument(str(root / "apps" / app["application_no"] / name))
                text = norm("".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
                pdf.close()
                for s in strings(d):
                    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                        continue  # dates are printed in various styles
                    if norm(s) not in text and not (re.fullmatch(r"-?\d+\.\d\d", s) and str(int(Decimal(s))) in text):
                        errors.append(f"{tf.name}:{name}: not printed: {s!r}")
        # flag invariants
        total_inv = sum(Decimal(i["total_with_tax"]) for i in invs)
        exceeds = total_inv > Decimal(con["total_amount"])
        if (flag == "trade.amount_exceeds_contract") != exceeds:
            errors.append(f"{tf.name}: amount_exceeds mismatch ({flag})")
        sign = dt.date.fromisoformat(con["sign_date"])
        before = any(dt.date.fromisoformat(i["issue_date"]) < sign for i in invs)
        if (flag == "trade.invoice_before_contract") != before:
            errors.append(f"{tf.name}: invoice_before_contract mismatch")
        for i in invs:
            d = dt.date.fromisoformat(i["issue_date"])
            if not (fin - dt.timedelta(days=180) <= d <= fin):
                errors.append(f"{tf.name}: invoice outside window")
        has_dn = any(e["doc_type"] == "delivery_note" for e in docs.values())
        if (flag == "trade.no_delivery_evidence") == has_dn:
            errors.append(f"{tf.name}: delivery evidence mismatch")
        seller = con["seller"]["name"]
        buyer = con["buyer"]["name"]
        for e in docs.values():
            if e["doc_type"] == "payment_receipt":
                p, q = e["data"]["payer"]["name"], e["data"]["payee"]["name"]
                if (p, q) != (buyer, seller) and flag not in ("trade.payment_back_to_borrower", "trade.payee_not_counterparty"):
                    errors.append(f"{tf.name}: unexpected payment {p}->{q}")
        if not flag:
            for i in invs:
                if i["buyer"]["name"] != buyer or i["seller"]["name"] != seller:
                    errors.append(f"{tf.name}: clean app with party mismatch")
            cb, cs = con["buyer"], con["seller"]
            for f in ("legal_rep", "address", "phone", "account"):
                if cb.get(f) and cb.get(f) == cs.get(f):
                    errors.append(f"{tf.name}: clean app with shared {f}")
    print(f"{n_docs} documents checked, {len(errors)} problems")
    for e in errors[:50]:
        print("  ", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
