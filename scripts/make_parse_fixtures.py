"""Generate the small committed fixtures in tests/fixtures/parse/ (run once; the outputs are committed).

Needs, only here and never at run time: the Debian packages fonts-noto-cjk (scanned/OCR images)
and espeak-ng (speech clip), plus reportlab, python-docx, openpyxl and Pillow from the dev extras.

    .venv/bin/python scripts/make_parse_fixtures.py
"""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "parse"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_SC_INDEX = 2  # Noto Sans CJK SC inside the collection

LAW_MD = """# 示例银行业务管理办法

2024年1月1日 示例监督管理委员会发布

<!-- INFO END -->

## 第一章 总则

第一条 为了规范银行业务，保护存款人和其他客户的合法权益，制定本办法。

第二条 本办法适用于在中华人民共和国境内设立的商业银行。

## 第二章 存款业务

### 第一节 一般规定

第三条 商业银行办理个人储蓄存款业务，应当遵循存款自愿、取款自由、存款有息、为存款人保密的原则。

第四条 商业银行可以经营下列业务：

（一）吸收公众存款；

（二）发放短期、中期和长期贷款；

（三）办理国内外结算。

经营范围由商业银行章程规定。

| 存款种类 | 期限 | 年利率 |
| --- | --- | --- |
| 活期存款 | 无 | 0.25% |
| 定期存款 | 一年 | 1.50% |

## 第三章 附则

第五条 本办法自公布之日起施行。
"""

TXT_LAW = """示例反洗钱管理规定

第一章 总则

第一条 为了预防洗钱活动，维护金融秩序，制定本规定。

第二条 金融机构应当建立客户身份识别制度。

第二章 客户身份识别

第三条 金融机构在与客户建立业务关系时，应当识别客户身份，了解实际控制客户的自然人和交易的实际受益人。
"""

SPEECH_TEXT = "请问本月还款日是几号"

OCR_LINES = [
    "中国示例银行个人贷款合同",
    "借款人：张三  贷款金额：人民币伍拾万元整",
    "贷款期限：三年  年利率：百分之四点二",
    "第一条 借款人应当按期归还贷款本息。",
]


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(CJK_FONT), size, index=CJK_SC_INDEX)


def text_image(lines: list[str], size: tuple[int, int], pt: int, dpi: int = 200) -> Image.Image:
    """Black Chinese text on white, ``pt`` points at ``dpi`` (like a scanner would produce)."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    px = int(pt * dpi / 72)
    f = font(px)
    y = int(0.8 * dpi)
    for line in lines:
        draw.text((int(0.8 * dpi), y), line, font=f, fill=0)
        y += int(px * 1.8)
    return img


def make_markdown() -> None:
    (OUT / "law_excerpt.md").write_text(LAW_MD, encoding="utf-8")


def make_texts() -> None:
    (OUT / "law_gbk.txt").write_bytes(TXT_LAW.encode("gbk"))
    # 𠮷 (U+20BB7) and 㐀 (U+3400) exist in GB18030 but not in GBK
    gb = "客户姓名：吉𠮷祥，住址：㐀村。\n本通知书一式两份，银行与客户各执一份。\n" * 3
    (OUT / "notice_gb18030.txt").write_bytes(gb.encode("gb18030"))
    (OUT / "memo_utf8bom.txt").write_bytes(
        ("备忘录\n\n" + "本行将于下周一起调整柜面营业时间。\n" * 2).encode("utf-8-sig")
    )


def make_csv() -> None:
    rows = ["分行,客户数,贷款余额(万元)", "杭州分行,1200,35000", "宁波分行,800,21000", "温州分行,650,18000"]
    (OUT / "branches_gbk.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))


def make_xlsx() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "贷款明细"
    ws.append(["2024年第一季度贷款明细表", None, None, None])
    ws.merge_cells("A1:D1")
    ws.append(["区域", "支行", "贷款笔数", "金额(万元)"])
    ws.append(["华东", "上海支行", 12, 3400])
    ws.append([None, "杭州支行", 9, 2100])
    ws.append([None, "南京支行", 7, 1500])
    ws.merge_cells("A3:A5")
    ws.append(["华南", "广州支行", 5, 900])
    ws2 = wb.create_sheet("利率")
    ws2.append(["产品", "利率"])
    ws2.append(["个人住房贷款", "3.95%"])
    ws2.append(["个人消费贷款", "4.35%"])
    wb.save(OUT / "loans_merged.xlsx")


def make_docx() -> None:
    from docx import Document

    d = Document()
    d.add_heading("信贷业务操作手册", level=0)
    d.add_heading("第一章 贷前调查", level=1)
    d.add_paragraph("客户经理应当对借款人的主体资格、经营状况和还款能力进行实地调查。")
    d.add_heading("一、调查内容", level=2)
    d.add_paragraph("调查内容包括财务报表、纳税记录和银行流水。")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate(
        [["材料", "份数", "备注"], ["营业执照", "1", "复印件加盖公章"], ["财务报表", "3", "近三年"]]
    ):
        for j, val in enumerate(row):
            t.cell(i, j).text = val
    d.add_paragraph("以上材料缺一不可。")
    d.add_heading("第二章 贷款审批", level=1)
    d.add_paragraph("第十条　贷款审批实行审贷分离、分级审批制度。")
    d.save(OUT / "manual_heading_table.docx")


def make_html() -> None:
    html = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>理财产品说明</title>
<style>body{font-size:14px}</style><script>var tracking = "不应出现";</script></head>
<body><nav><a href="/">首页</a> | <a href="/about">导航不应出现</a></nav>
<h1>稳健理财产品说明书</h1>
<p>本产品为非保本浮动收益型理财产品，风险等级为二级（中低风险）。</p>
<h2>一、产品要素</h2>
<table><tr><th>要素</th><th>内容</th></tr>
<tr><td>期限</td><td>180天</td></tr><tr><td>业绩比较基准</td><td>3.2%</td></tr></table>
<h2>二、风险提示</h2>
<ul><li>理财非存款，产品有风险，投资须谨慎。</li><li>过往业绩不代表未来表现。</li></ul>
</body></html>"""
    (OUT / "product.html").write_text(html, encoding="utf-8")


def make_text_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    pages = [
        ["第一章 总则", "第一条 为了加强对商业银行的监督管理，制定本规定。", "第二条 商业银行应当依法经营。"],
        [
            "第二章 贷款管理",
            "第三条 商业银行贷款，应当实行审贷分离、分级审批的制度。",
            "Loan approval is separated.",
        ],
    ]
    for lines in pages:
        y = 780
        for line in lines:
            c.setFont("STSong-Light", 12)
            c.drawString(72, y, line)
            y -= 24
        c.showPage()
    c.save()
    (OUT / "rules_text.pdf").write_bytes(buf.getvalue())
    return buf.getvalue()


def make_encrypted_pdf() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="pw")
    c.drawString(72, 720, "secret statement")
    c.showPage()
    c.save()
    (OUT / "encrypted.pdf").write_bytes(buf.getvalue())


def make_scanned_pdfs(text_pdf: bytes) -> None:
    a4 = (1654, 2339)  # A4 at 200 dpi
    scan = text_image(OCR_LINES, a4, pt=14).convert("1")
    scan.save(OUT / "scanned.pdf", resolution=200)
    # mixed: page 1 has a text layer, page 2 is a scanned image
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(text_pdf)
    scanned = pdfium.PdfDocument(OUT / "scanned.pdf")
    out = pdfium.PdfDocument.new()
    out.import_pages(doc, [0])
    out.import_pages(scanned, [0])
    out.save(OUT / "mixed.pdf")


def make_images() -> None:
    img = text_image(OCR_LINES[:3], (1200, 500), pt=12, dpi=150)
    img.save(OUT / "contract.png", optimize=True)
    Image.new("RGB", (400, 300), "white").save(OUT / "blank.png")
    p1 = text_image(["第一页：开户申请书"], (900, 300), pt=14, dpi=150).convert("1")
    p2 = text_image(["第二页：客户签字确认"], (900, 300), pt=14, dpi=150).convert("1")
    p1.save(OUT / "two_pages.tiff", save_all=True, append_images=[p2], compression="group4")


def make_wav() -> None:
    # the cmn-latn-pinyin voice reads Hanzi far more intelligibly than plain cmn in espeak-ng 1.51;
    # kept at espeak's native 22.05 kHz (resampling made Whisper base hallucinate on this clip)
    subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "140", "-w", str(OUT / "speech_zh.wav"), SPEECH_TEXT],
        check=True,
    )


def make_mp3() -> None:
    """The speech clip as a short MP3 (PyAV's bundled LAME encoder, from faster-whisper's deps)."""
    import av

    with wave.open(str(OUT / "speech_zh.wav")) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    with av.open(str(OUT / "speech_zh.mp3"), "w") as out:
        stream = out.add_stream("libmp3lame", rate=rate)
        stream.bit_rate = 32000
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def make_bad() -> None:
    good = (OUT / "rules_text.pdf").read_bytes()
    (OUT / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (OUT / "empty.txt").write_bytes(b"")
    rng = np.random.default_rng(7)
    (OUT / "random.bin").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    (OUT / "program.exe").write_bytes(b"MZ\x90\x00" + bytes(200))
    # an OLE container holding an EncryptionInfo stream is how Office stores a password-protected .docx
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(512)
    (OUT / "protected.docx").write_bytes(ole)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    make_markdown()
    make_texts()
    make_csv()
    make_xlsx()
    make_docx()
    make_html()
    pdf = make_text_pdf()
    make_encrypted_pdf()
    make_scanned_pdfs(pdf)
    make_images()
    make_wav()
    make_mp3()
    make_bad()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>9}  {p.name}")
    print(f"{total:>9}  total")


if __name__ == "__main__":
    main()
