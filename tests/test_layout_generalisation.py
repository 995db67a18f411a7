"""Layout independence: the extractor on documents of the independent generator (``benchmarks/docs_unseen``),
whose layouts it was not written for, plus hand-built layouts for each general rule behind it (labels
above values, stamps over text, a face pointing to its goods list, subtotal and sentence rows, clause
grids, two-column party tables)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from xiaoyin.credit.documents.extract import extract_bytes
from xiaoyin.credit.documents.layout.contract import extract_contract
from xiaoyin.credit.documents.layout.delivery import extract_delivery
from xiaoyin.credit.documents.layout.invoice import extract_invoice
from xiaoyin.credit.documents.layout.receipt import extract_receipt
from xiaoyin.credit.documents.layout.segments import DocLayout, Segment, build_page
from xiaoyin.credit.documents.trade import goods_name

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "docs_unseen" / "generate.py"
TEXT_RECALL = 0.99


def _flatten(obj, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "doc_type":
                out.update(_flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}{i}."))
    elif obj is not None and obj != "":
        out[prefix[:-1]] = obj
    return out


def _norm(v: object) -> object:
    import unicodedata
    from decimal import Decimal, InvalidOperation

    s = unicodedata.normalize("NFKC", str(v)).replace(" ", "").strip()
    try:
        return Decimal(s).normalize()
    except (InvalidOperation, ValueError):
        return s


def _recall_by_type(corpus: Path) -> tuple[dict[str, float], list[str]]:
    from xiaoyin.credit.documents.schemas import DOC_MODELS

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for tfile in sorted((corpus / "truth").glob("*.json")):
        truth = json.loads(tfile.read_text(encoding="utf-8"))
        for fname, t in truth["documents"].items():
            if t["input_kind"] != "text_pdf":
                continue
            model = DOC_MODELS[t["doc_type"]]
            want = {k: _norm(v) for k, v in _flatten({k: v for k, v in t["data"].items()
                                                      if k in model.model_fields}).items()}
            doc = extract_bytes((corpus / "apps" / tfile.stem / fname).read_bytes(), fname, use_llm=False)
            got = {k: _norm(v) for k, v in _flatten(doc.data.model_dump(mode="json") if doc.data else {}).items()}
            c = counts[t["doc_type"]]
            for k, v in want.items():
                c[1] += 1
                if got.get(k) == v:
                    c[0] += 1
                else:
                    misses.append(f"{t['layout']} {fname} {k}: want {v!r} got {got.get(k)!r}")
    return {k: tp / n for k, (tp, n) in counts.items()}, misses


@pytest.mark.parametrize(("split", "seed"), [("dev", 5), ("heldout", 29)])
def test_unseen_layouts_text_recall(tmp_path: Path, split: str, seed: int) -> None:
    """Every document type reaches the field-recall target on text PDFs of both splits."""
    out = tmp_path / split
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--applications", "5", "--seed", str(seed),
                    "--split", split, "--kinds", "text"], check=True, capture_output=True, timeout=120)
    recall, misses = _recall_by_type(out)
    assert set(recall) == {"vat_invoice", "contract", "delivery_note", "payment_receipt"}
    low = {k: round(v, 3) for k, v in recall.items() if v < TEXT_RECALL}
    assert not low, (low, misses[:20])


# ------------------------------------------------------------------ hand-built layouts

Cell = tuple[str, float, float]


def _layout(rows: list[list[Cell]], pages: int = 1, gap: float = 22.0) -> DocLayout:
    out = []
    per = max(1, -(-len(rows) // pages))
    for p in range(pages):
        chunk = rows[p * per:(p + 1) * per]
        segs = [Segment(t, (x0, 40 + i * gap, x1, 52 + i * gap), p + 1, "text")
                for i, row in enumerate(chunk) for t, x0, x1 in row]
        out.append(build_page(segs, p + 1, 800, 60 + len(chunk) * gap, "text"))
    return DocLayout(out)


def c(text: str, x0: float, per_char: float = 10.0) -> Cell:
    return (text, x0, x0 + per_char * len(text))


def test_invoice_labels_above_values_and_subtotal_row() -> None:
    rows = [
        [c("电子发票（增值税专用发票）", 250)],
        [c("发票号码", 40), c("24353187246376689662", 120, 6)],
        [c("开票日期", 40), c("2024-02-24", 120, 6)],
        [c("购买方", 40), c("销售方", 420)],
        [c("名称", 40), c("名称", 420)],
        [c("甲乙建材有限公司", 40), c("丙丁钢铁有限公司", 420)],
        [c("统一社会信用代码/纳税人识别号", 40, 6), c("统一社会信用代码/纳税人识别号", 420, 6)],
        [c("91440606EF771TC66G", 40, 6), c("91350206M353A5BL3N", 420, 6)],
        [c("序号", 30), c("项目名称", 90), c("规格型号", 200), c("单位", 290), c("数量", 340), c("单价（不含税）", 400, 8),
         c("金额（不含税）", 520, 8), c("税率", 640), c("税额", 720)],
        [c("1", 35), c("*饲料*豆粕", 55, 8), c("43%", 200), c("吨", 292), c("100", 340, 6), c("10", 420, 6),
         c("1000.00", 530, 6), c("9%", 640, 6), c("90.00", 720, 6)],
        [c("小计", 55), c("1000.00", 530, 6), c("90.00", 720, 6)],
        [c("价税合计（大写）", 40), c("壹仟零玖拾圆整", 200), c("（小写）¥1090.00", 520, 8)],
        [c("备注", 40)],
        [c("合同号：HT-1", 40)],
    ]
    inv = extract_invoice(_layout(rows)).data
    assert inv.buyer.name == "甲乙建材有限公司" and inv.seller.name == "丙丁钢铁有限公司"
    assert inv.buyer.tax_id == "91440606EF771TC66G" and inv.seller.tax_id == "91350206M353A5BL3N"
    assert len(inv.lines) == 1 and inv.lines[0].name == "*饲料*豆粕"
    assert str(inv.total_amount) == "1000.00" and str(inv.total_tax) == "90.00"
    assert inv.remarks == "合同号：HT-1"


def test_invoice_face_pointing_to_its_goods_list() -> None:
    header = [c("货物或应税劳务名称", 60), c("规格型号", 230), c("单位", 300), c("数量", 350), c("单价", 420),
              c("金额", 490), c("税率", 560), c("税额", 620)]
    rows = [
        [c("增值税普通发票", 250)],
        header,
        [c("（详见销货清单）", 40), c("300.00", 490, 6), c("39.00", 620, 6)],
        [c("合", 30), c("计", 45), c("¥300.00", 490, 6), c("¥39.00", 620, 6)],
        [c("销售货物或者提供应税劳务清单", 250)],
        header,
        [c("*纸制品*瓦楞纸板", 40), c("AB楞", 230), c("平方米", 300), c("10", 350, 6), c("10", 420, 6),
         c("100.00", 490, 6), c("13%", 560, 6), c("13.00", 620, 6)],
        [c("*纸制品*牛皮纸", 40), c("120g", 230), c("吨", 300), c("2", 350, 6), c("100", 420, 6),
         c("200.00", 490, 6), c("13%", 560, 6), c("26.00", 620, 6)],
        [c("小计", 60), c("300.00", 490, 6), c("39.00", 620, 6)],
        [c("总计", 60), c("300.00", 490, 6), c("39.00", 620, 6)],
    ]
    inv = extract_invoice(_layout(rows)).data
    assert [li.name for li in inv.lines] == ["*纸制品*瓦楞纸板", "*纸制品*牛皮纸"]
    assert inv.lines[0].unit == "平方米" and str(inv.lines[1].quantity) == "2"
    assert str(inv.total_amount) == "300.00" and str(inv.total_tax) == "39.00"


def test_contract_two_column_party_table_and_clause_grid() -> None:
    rows = [
        [c("工业品买卖合同", 300)],
        [c("出卖人：丙丁钢铁有限公司", 40), c("合同编号：GY-1", 420)],
        [c("买受人：甲乙建材有限公司", 40), c("签订时间：2024.01.05", 420)],
        [c("标的名称", 40), c("规格型号", 140), c("计量单位", 230), c("数量", 320), c("单价", 380), c("金额", 450),
         c("交(提)货时间及数量", 520, 8)],
        [c("热轧卷板", 40), c("Q235", 140), c("吨", 240), c("10", 320, 6), c("100", 380, 6), c("1000.00", 450, 6),
         c("2024.02.10前一次交清", 520, 6)],
        [c("合计人民币金额（大写）：壹仟元整", 40), c("¥1000.00", 500, 6)],
        [c("五、交（提）货地点、方式", 40), c("佛山市顺德区建设路1号；出卖人送货。", 260)],
        [c("八、结算方式、时间及地点", 40), c("货到验收合格后60天内电汇付清。", 260)],
        [c("出卖人", 160), c("买受人", 480)],
        [c("单位名称（章）", 40), c("丙丁钢铁有限公司", 150), c("单位名称（章）", 360), c("甲乙建材有限公司", 470)],
        [c("法定代表人", 40), c("周阳秀", 150), c("法定代表人", 360), c("汪俊杰", 470)],
        [c("税号", 40), c("91350206M353A5BL3N", 150, 6), c("税号", 360), c("91440606EF771TC66G", 470, 6)],
    ]
    con = extract_contract(_layout(rows)).data
    assert con.seller.name == "丙丁钢铁有限公司" and con.buyer.name == "甲乙建材有限公司"
    assert con.seller.legal_rep == "周阳秀" and con.buyer.legal_rep == "汪俊杰"
    assert con.seller.tax_id == "91350206M353A5BL3N" and con.buyer.tax_id == "91440606EF771TC66G"
    assert con.payment_terms == "货到验收合格后60天内电汇付清"
    assert con.delivery_place == "佛山市顺德区建设路1号"
    assert str(con.delivery_date) == "2024-02-10"


def test_warehouse_warrant_vocabulary_and_sentence_under_table() -> None:
    rows = [
        [c("仓单编号：CD1", 600)],
        [c("仓", 380), c("单", 420)],
        [c("保管人", 80), c("某某物流有限公司", 140), c("存货人", 450), c("甲乙建材有限公司", 510)],
        [c("交货单位", 80), c("丙丁钢铁有限公司", 140), c("填发日期", 450), c("2024年01月07日", 510, 6)],
        [c("仓储场所", 80), c("宝湾物流园3号库", 140), c("相关合同", 450), c("GY-1", 510, 6)],
        [c("货物名称", 100), c("规格/等级", 210), c("计量单位", 300), c("数量", 380), c("包装", 450), c("件数", 500)],
        [c("热轧卷板", 100), c("Q235", 210), c("吨", 310), c("71", 380, 6), c("捆装", 450), c("171", 500, 6)],
        [c("上述货物已由保管人验收入库，保管人凭本仓单向合法持有人交付仓储物。仓储费按双方签", 80)],
        [c("订的仓储合同执行。", 60), c("物 流 有", 170)],
    ]
    dn = extract_delivery(_layout(rows)).data
    assert dn.kind == "warehouse_receipt" and dn.number == "CD1" and str(dn.date) == "2024-01-07"
    assert dn.consignee.name == "甲乙建材有限公司" and dn.consignor.name == "丙丁钢铁有限公司"
    assert dn.contract_number == "GY-1" and dn.warehouse == "宝湾物流园3号库"
    assert [(li.name, li.spec, str(li.quantity)) for li in dn.lines] == [("热轧卷板", "Q235", "71")]


def test_remittance_side_labels_and_label_value_pairs() -> None:
    rows = [
        [c("汇款回单", 300)],
        [c("委托日期 2024年06月11日", 40), c("流水号：3443344207127689414811", 480, 6)],
        [c("全", 67, 8), c("称", 84, 8), c("甲乙建材有限公司", 108), c("全", 359, 8), c("称", 376, 8),
         c("丙丁钢铁有限公司", 400)],
        [c("汇", 41, 8), c("收", 333, 8)],
        [c("款", 41, 8), c("账", 67, 8), c("号", 84, 8), c("4524997487669789796", 108, 5), c("款", 333, 8),
         c("账", 359, 8), c("号", 376, 8), c("9510926908025720353", 400, 5)],
        [c("人", 41, 8), c("人", 333, 8)],
        [c("款项用途", 40), c("货款", 180)],
        [c("小写金额：867000.00", 40, 8)],
    ]
    rc = extract_receipt(_layout(rows, gap=14)).data
    assert rc.payer.account == "4524997487669789796" and rc.payee.account == "9510926908025720353"
    assert rc.payer.name == "甲乙建材有限公司" and rc.payee.name == "丙丁钢铁有限公司"
    assert rc.purpose == "货款" and rc.serial == "3443344207127689414811"


def test_goods_name_skips_lines_that_name_no_goods() -> None:
    assert goods_name("*纸制品*瓦楞纸板") == "瓦楞纸板"
    assert goods_name("（详见销货清单）") == "" and goods_name("(详见销货清单)") == "" and goods_name("小计") == ""


def test_stamp_glyphs_are_not_read_as_text() -> None:
    """A red seal over the text (semi-transparent, arc text set at an angle) is left out of the text runs;
    red text printed normally (an opaque title) is kept."""
    import io

    from reportlab.pdfgen import canvas

    from xiaoyin.credit.documents.carriers.pdf import open_pdf, page_runs

    buf = io.BytesIO()
    cv = canvas.Canvas(buf, pagesize=(400, 200))
    cv.setFont("Helvetica", 12)
    cv.drawString(20, 150, "Legal representative ZHOU")
    cv.setFillColorRGB(0.8, 0.1, 0.1)
    cv.drawString(20, 170, "RED TITLE")  # opaque red text stays
    cv.setFillColorRGB(0.85, 0.1, 0.1, alpha=0.75)
    cv.drawString(200, 150, "SEAL")  # semi-transparent
    cv.setFillColorRGB(0.85, 0.1, 0.1)
    cv.saveState()
    cv.translate(300, 100)
    cv.rotate(35)
    cv.drawString(0, 0, "ARC")  # rotated
    cv.restoreState()
    cv.showPage()
    cv.save()
    with open_pdf(buf.getvalue()) as pdf:
        runs = page_runs(pdf[0], 1).runs
    text = " ".join(r.text for r in runs)
    assert "ZHOU" in text and "RED TITLE" in text
    assert "SEAL" not in text and "ARC" not in text
