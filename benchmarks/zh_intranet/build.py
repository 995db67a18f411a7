#!/usr/bin/env python3
"""Build the 青禾农村商业银行 intranet corpus (zh_intranet retrieval benchmark).

    python build.py --out /tmp/zh_intranet

Writes Markdown, HTML, DOCX, PDF and TXT pages under --out. Deterministic: the same sources give the same bytes.
Needs python-docx and reportlab (use the project's .venv python).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import html
import io
import os
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from common import BANK, BANK_SHORT, Doc, cn_date, pick, rng_for  # noqa: E402


# ----------------------------------------------------------------------------------------------- planning
def apply_date_style(doc: Doc) -> Doc:
    """Put the publication date where the page's date_style says (body top, ISO line, sign-off, metadata)."""
    style = doc.date_style
    if style == "meta" and doc.fmt == "txt":
        style = "end"
    if style == "meta" and doc.fmt == "md":
        return doc  # YAML front matter, added by the renderer
    r = rng_for("date", doc.path)
    cd, iso = cn_date(doc.date), doc.date
    if style == "top":
        line = pick(r, [f"发布日期：{cd}", f"发布时间：{cd}", f"发文日期：{cd}　发文部门：{doc.dept}",
                        f"{doc.dept}　{cd}", f"日期：{cd}"])
        doc.blocks.insert(0, ("p", line))
    elif style == "iso":
        line = pick(r, [f"{iso}　来源：{doc.dept}", f"发布：{doc.dept}　{iso}", f"{iso}", f"更新于 {iso}"])
        doc.blocks.insert(0, ("p", line))
    elif style == "end":
        doc.blocks.append(("right", f"{BANK_SHORT}{doc.dept}" if pick(r, [0, 1]) else doc.dept))
        doc.blocks.append(("right", cd))
    elif style == "update":
        doc.blocks.append(("p", pick(r, [f"最后更新：{iso}", f"本页更新日期：{cd}", f"（{iso} 修订）"])))
    return doc


def plan_corpus() -> list[Doc]:
    """All documents of the corpus, with final blocks; no files are written."""
    import gen_docs
    import hand_docs
    import series

    docs: list[Doc] = []
    docs += hand_docs.documents()
    docs += series.documents()
    docs += gen_docs.documents()
    from padding import pad

    docs = [apply_date_style(pad(x)) for x in docs]
    seen_paths, seen_base = set(), set()
    for x in docs:
        base = x.path.rsplit("/", 1)[-1]
        if x.path in seen_paths or base in seen_base:
            raise SystemExit(f"duplicate path or file name: {x.path}")
        seen_paths.add(x.path)
        seen_base.add(base)
    return docs


# ----------------------------------------------------------------------------------------------- markdown
def render_md(doc: Doc) -> bytes:
    out = []
    if doc.date_style == "meta":
        out += ["---", f"title: {doc.title}", f"date: {doc.date}", f"author: {doc.dept}", "---", ""]
    out += [f"# {doc.title}", ""]
    for b in doc.blocks:
        if b[0] == "h":
            out += [f"## {b[1]}", ""]
        elif b[0] == "p":
            out += [b[1], ""]
        elif b[0] == "right":
            out += [b[1], ""]
        elif b[0] == "ul":
            out += [f"- {i}" for i in b[1]] + [""]
        elif b[0] == "table":
            out.append("| " + " | ".join(b[1]) + " |")
            out.append("|" + "|".join(["---"] * len(b[1])) + "|")
            out += ["| " + " | ".join(r) + " |" for r in b[2]]
            out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


# ----------------------------------------------------------------------------------------------- txt
def render_txt(doc: Doc) -> bytes:
    out = [doc.title, "=" * min(40, len(doc.title) * 2), ""]
    for b in doc.blocks:
        if b[0] == "h":
            out += [b[1], ""]
        elif b[0] in ("p",):
            out += ["    " + b[1], ""]
        elif b[0] == "right":
            out += [" " * 40 + b[1]]
        elif b[0] == "ul":
            out += [f"  · {i}" for i in b[1]] + [""]
        elif b[0] == "table":
            out.append("    ".join(b[1]))
            out += ["    ".join(r) for r in b[2]]
            out.append("")
    return ("\r\n".join(out).rstrip() + "\r\n").encode("utf-8")


# ----------------------------------------------------------------------------------------------- html
NAV_A = ["首页", "通知公告", "规章制度", "产品中心", "人力资源", "科技服务", "合规园地", "支行动态", "通讯录"]
NAV_B = ["内网门户", "公文通知", "制度库", "业务知识库", "员工之家", "IT服务台", "下载中心"]


def render_html(doc: Doc) -> bytes:
    r = rng_for("html", doc.path)
    e = html.escape
    layout = r.randrange(3)
    meta = []
    if doc.date_style == "meta" or doc.meta_date:
        meta.append(f'<meta name="date" content="{doc.date}">')
    if r.random() < 0.5:
        meta.append(f'<meta name="author" content="{e(doc.dept)}">')
    body = []
    for b in doc.blocks:
        if b[0] == "h":
            body.append(f"<h2>{e(b[1])}</h2>")
        elif b[0] == "p":
            body.append(f"<p>{e(b[1])}</p>")
        elif b[0] == "right":
            body.append(f'<p class="sign" style="text-align:right">{e(b[1])}</p>')
        elif b[0] == "ul":
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in b[1]) + "</ul>")
        elif b[0] == "table":
            rows = ["<tr>" + "".join(f"<th>{e(c)}</th>" for c in b[1]) + "</tr>"]
            rows += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in b[2]]
            body.append('<table border="1" cellspacing="0" cellpadding="4">' + "".join(rows) + "</table>")
    content = "\n".join(body)
    if layout == 0:
        nav = " | ".join(f'<a href="/{i}">{e(n)}</a>' for i, n in enumerate(NAV_A))
        page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{chr(10).join(meta)}
<title>{e(doc.title)} - {BANK_SHORT}内网</title>
<style>body{{font-family:"Microsoft YaHei",sans-serif;margin:0}} .main{{width:960px;margin:auto}}</style>
<script>var _portal = {{"site": "intranet", "v": "3.2"}};</script>
</head>
<body>
<div class="header"><span class="logo">{BANK}</span> <span class="slogan">内部网站</span></div>
<div class="nav">{nav}</div>
<div class="main">
<div class="crumb">当前位置：首页 &gt; {e(doc.dept)}</div>
<h1>{e(doc.title)}</h1>
<div class="article">
{content}
</div>
</div>
<div class="footer">{BANK} 版权所有 · 内部资料 注意保密 · 建议使用1920×1080分辨率浏览</div>
</body>
</html>
"""
    elif layout == 1:
        nav = "".join(f"<li>{e(n)}</li>" for n in NAV_B)
        page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{chr(10).join(meta)}
<title>{e(doc.title)}</title>
</head>
<body>
<table width="100%"><tr><td class="top">{BANK_SHORT} · 办公门户</td><td align="right">欢迎您 | 退出</td></tr></table>
<ul class="menu">{nav}</ul>
<div id="content">
<div class="title">{e(doc.title)}</div>
<div class="info">发布部门：{e(doc.dept)}　阅读次数：{100 + r.randrange(2000)}</div>
{content}
<div class="attach">附件：无</div>
</div>
<div id="foot">主办：{BANK}办公室　技术支持：信息科技部</div>
</body>
</html>
"""
    else:
        nav = "".join(f'<a class="tab" href="#">{e(n)}</a>' for n in NAV_A[:6])
        page = f"""<!doctype html>
<html><head><meta charset="utf-8">
{chr(10).join(meta)}
<title>{e(doc.title)}｜{BANK_SHORT}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header><nav>{nav}</nav></header>
<article>
<h1>{e(doc.title)}</h1>
{content}
</article>
<aside><h3>相关链接</h3><ul><li>规章制度汇编</li><li>常用表格下载</li><li>服务台报修</li></ul></aside>
<footer><p>© {BANK} 内网 ｜ 本网站内容仅供行内员工参考，未经许可不得外传</p></footer>
</body></html>
"""
    return page.encode("utf-8")


# ----------------------------------------------------------------------------------------------- docx
def _fixed_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def render_docx(doc: Doc) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    dx = Document()
    st = dx.styles["Normal"]
    st.font.name = "宋体"
    st.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    dx.add_heading(doc.title, level=1)
    for b in doc.blocks:
        if b[0] == "h":
            dx.add_heading(b[1], level=2)
        elif b[0] == "p":
            dx.add_paragraph(b[1])
        elif b[0] == "right":
            p = dx.add_paragraph(b[1])
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif b[0] == "ul":
            for i in b[1]:
                dx.add_paragraph(i, style="List Bullet")
        elif b[0] == "table":
            t = dx.add_table(rows=1 + len(b[2]), cols=len(b[1]))
            t.style = "Table Grid"
            for j, c in enumerate(b[1]):
                t.cell(0, j).text = c
            for i, row in enumerate(b[2]):
                for j, c in enumerate(row):
                    t.cell(i + 1, j).text = c
    cp = dx.core_properties
    when = _dt.datetime.fromisoformat(doc.date + "T09:00:00")
    cp.title = doc.title
    cp.author = doc.dept
    cp.last_modified_by = doc.dept
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    cp.subject = ""
    cp.keywords = ""
    cp.comments = ""
    cp.category = ""
    buf = io.BytesIO()
    dx.save(buf)
    return _fixed_zip(buf.getvalue())


# ----------------------------------------------------------------------------------------------- pdf
_FONT = None


def _font() -> str:
    global _FONT
    if _FONT is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for p in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"):
            if os.path.exists(p):
                pdfmetrics.registerFont(TTFont("WQY", p, subfontIndex=0))
                _FONT = "WQY"
                break
        else:
            raise SystemExit("no Chinese TTF font found for PDF output")
    return _FONT


def render_pdf(doc: Doc) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    f = _font()
    e = html.escape
    base = ParagraphStyle("b", fontName=f, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    cell = ParagraphStyle("c", fontName=f, fontSize=9.5, leading=13, wordWrap="CJK")
    h1 = ParagraphStyle("h1", fontName=f, fontSize=16, leading=24, alignment=1, spaceAfter=10, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=f, fontSize=12, leading=18, spaceBefore=6, spaceAfter=4, wordWrap="CJK")
    right = ParagraphStyle("r", fontName=f, fontSize=10.5, leading=16, alignment=2)
    li = ParagraphStyle("li", fontName=f, fontSize=10.5, leading=16, leftIndent=14, wordWrap="CJK")
    story = [Paragraph(e(doc.title), h1)]
    for b in doc.blocks:
        if b[0] == "h":
            story.append(Paragraph(e(b[1]), h2))
        elif b[0] == "p":
            story.append(Paragraph(e(b[1]), base))
        elif b[0] == "right":
            story.append(Paragraph(e(b[1]), right))
        elif b[0] == "ul":
            for i in b[1]:
                story.append(Paragraph("• " + e(i), li))
        elif b[0] == "table":
            data = [[Paragraph(e(c), cell) for c in b[1]]] + [[Paragraph(e(c), cell) for c in r] for r in b[2]]
            t = Table(data, colWidths=[(170 * mm) / len(b[1])] * len(b[1]))
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            story += [Spacer(1, 4), t, Spacer(1, 6)]
    buf = io.BytesIO()
    epoch = int(_dt.datetime.fromisoformat(doc.date + "T09:00:00+00:00").timestamp())
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        sd = SimpleDocTemplate(buf, pagesize=A4, invariant=1, title=doc.title, author=f"{BANK}{doc.dept}",
                               subject=f"发布日期 {doc.date}" if doc.date_style == "meta" else doc.dept,
                               creator="青禾OA公文系统", leftMargin=20 * mm, rightMargin=20 * mm,
                               topMargin=20 * mm, bottomMargin=20 * mm)
        sd.build(story)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return buf.getvalue()


RENDER = {"md": render_md, "html": render_html, "txt": render_txt, "docx": render_docx, "pdf": render_pdf}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (created; existing files are overwritten)")
    a = ap.parse_args(argv)
    t0 = time.time()
    out = Path(a.out)
    docs = plan_corpus()
    counts: dict[str, int] = {}
    for doc in docs:
        p = out / doc.path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(RENDER[doc.fmt](doc))
        counts[doc.fmt] = counts.get(doc.fmt, 0) + 1
    print(f"wrote {len(docs)} documents to {out} in {time.time() - t0:.1f}s: "
          + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
