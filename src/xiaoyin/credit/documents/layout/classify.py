"""Which document type a page shows, from its title keywords (the first rows), else from any text."""

from __future__ import annotations

import re

from ..schemas import DocType
from .segments import DocLayout

# (doc_type, title keywords) tried in order; more specific titles first
TITLE_KEYWORDS: list[tuple[DocType, tuple[str, ...]]] = [
    ("vat_invoice", ("增值税专用发票", "增值税普通发票", "增值税电子普通发票", "电子发票")),
    ("loan_contract", ("借款合同", "贷款合同")),
    ("contract", ("购销合同", "买卖合同", "采购合同", "销售合同")),
    ("delivery_note", ("送货单", "入库单", "发货单")),
    ("payment_receipt", ("电子回单", "回单", "付款凭证")),
]


def classify(layout: DocLayout, title_rows: int = 6) -> DocType | None:
    """The document type whose title keyword appears first in the top rows, else anywhere."""
    if not layout.pages:
        return None
    head = re.sub(r"\s+", "", "".join(r.text for r in layout.pages[0].rows[:title_rows]))
    whole = re.sub(r"\s+", "", layout.text)
    for text in (head, whole):
        for doc_type, words in TITLE_KEYWORDS:
            if any(w in text for w in words):
                return doc_type
    return None
